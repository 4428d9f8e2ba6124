"""Server time of the staff customer list (filter + page) with 100,000 customers.

Design target (design.md section 5): p95 <= 150 ms.  Part ``customers`` of
`make bench` (bench/run.py, writes docs/benchmarks.md); by hand:

    LASTMILE_DEMO=1 .venv/bin/python bench/customers_list.py [--customers 100000] [--rounds 40]

It loads the demo customers if they are missing (idempotent), then times
Django's full request handling (middleware, permissions, filter, count,
page, template) in-process, for a few typical staff queries, as ordinary
staff members limited to one site or one customer group by an object
permission, and as a superuser.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lastmile.settings")
    os.environ.setdefault("LASTMILE_DEMO", "1")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import django

    django.setup()


Row = tuple[str, str, float, float]


def run(customers: int, rounds: int) -> list[Row]:
    """(user, query, p50 ms, p95 ms) for every query and both users."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from lastmile.accounts.models import ObjectPermission, User
    from lastmile.core.demo import load_demo_data
    from lastmile.customers.models import Customer, CustomerGroup
    from lastmile.subscriptions.models import Tariff

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with transaction.atomic():
        load_demo_data(customers=customers, seed=1)
    print(f"demo data ready in {time.perf_counter() - started:.1f} s", flush=True)
    # A freshly COPYed table has no visibility map yet, so no index-only
    # scan: what autovacuum does on a live system within minutes.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Customer._meta.db_table}")

    admin = User.objects.get(username="admin")
    clerk, _ = User.objects.get_or_create(username="bench-north-clerk")
    perm, _ = ObjectPermission.objects.get_or_create(
        name="bench: customers of north",
        defaults={"actions": ["view", "change"], "constraints": {"site__slug": "north"}},
    )
    perm.object_types.add(ContentType.objects.get_for_model(Customer))
    perm.users.add(clerk)
    group_clerk, _ = User.objects.get_or_create(username="bench-houses-clerk")
    group_perm, _ = ObjectPermission.objects.get_or_create(
        name="bench: customers in private houses",
        defaults={"actions": ["view", "change"], "constraints": {"group__name": "Private houses"}},
    )
    group_perm.object_types.add(ContentType.objects.get_for_model(Customer))
    group_perm.users.add(group_clerk)
    group = CustomerGroup.objects.order_by("name").first()
    tariff = Tariff.objects.order_by("name").first()
    queries = [
        ("first page", {}),
        ("page 500", {"page": 500}),
        ("last page", {"page": 10_000_000}),
        ("page 20 of 200", {"page": 20, "per_page": 200}),
        ("search login", {"q": "user4242"}),
        ("search name", {"q": "ivanova"}),
        ("search street", {"q": "sadovaya st., 17"}),
        ("search phone", {"q": "912 3"}),
        ("group + active", {"group": group.pk if group else "", "is_active": "true"}),
        ("blocked, page 3", {"is_active": "false", "page": 3}),
        ("tariff", {"tariff": tariff.pk if tariff else ""}),
        ("negative balance", {"negative_balance": "true"}),
        ("online", {"online": "true"}),
        ("offline", {"online": "false"}),
        ("ending in 3 days", {"ending_days": 3}),
        ("sort by balance", {"sort": "-balance"}),
        ("balance, page 500", {"sort": "balance", "page": 500}),
        ("sort by paid until", {"sort": "paid_until"}),
        ("sort by tariff", {"sort": "tariff_name"}),
        ("login descending", {"sort": "-login"}),
    ]
    rows: list[Row] = []
    print(f"{'user':<11} {'query':<18} {'p50 ms':>8} {'p95 ms':>8}")
    users = (("superuser", admin), ("site clerk", clerk), ("group clerk", group_clerk))
    for label, user in users:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        for name, params in queries:
            timings = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                response = client.get("/customers/", params)
                timings.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, response.status_code
            timings.sort()
            p95 = timings[int(0.95 * (len(timings) - 1))]
            p50 = statistics.median(timings)
            rows.append((label, name, p50, p95))
            print(f"{label:<11} {name:<18} {p50:8.1f} {p95:8.1f}", flush=True)
    return rows


def report(rows: list[Row], customers: int, rounds: int) -> str:
    lines = [
        "## Customer list",
        "",
        f"Staff customer list (`/customers/`, full Django request: middleware, permissions,"
        f" filter, count, page, template) with {customers:,} customers, {rounds} requests per"
        " query; the site clerk sees one site, the group clerk one customer group, through an"
        " object permission. Target: p95 <= 150 ms.",
        "",
        "| user | query | p50 ms | p95 ms | target |",
        "|---|---|---:|---:|---|",
    ]
    for user, name, p50, p95 in rows:
        mark = "ok" if p95 <= 150 else "over"
        lines.append(f"| {user} | {name} | {p50:.1f} | {p95:.1f} | {mark} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    _setup()
    run(args.customers, args.rounds)


if __name__ == "__main__":
    main()
