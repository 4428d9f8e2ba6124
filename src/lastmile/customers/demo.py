"""Deterministic demo customers (design.md section 6).

Customer N has login ``user{N}``, PPPoE password and cabinet password
``pass{N}``, contract ``D-{N:06d}``; name, phone and address come from a
random generator seeded with ``(seed, N)``, so the same seed gives the same
customers whatever was loaded before.  Customers that exist already are
skipped, so running it again adds nothing twice.

100,000 customers load in seconds: rows go in with one COPY (without the
per-row history trigger, so demo customers start with an empty history), PPPoE secrets
are encrypted with Fernet (fast), and cabinet passwords are hashed with the
deliberately cheap demo hasher (see ``lastmile.customers.hashers``), which
is upgraded to the strong default at the customer's first login.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import Any

import pgtrigger
from django.db import connection, transaction
from django.utils import timezone

from lastmile.accounts.models import Site
from lastmile.core.crypto import encrypt_secret
from lastmile.customers.hashers import DemoPBKDF2PasswordHasher
from lastmile.customers.models import Customer, CustomerGroup, ExtraField

DEMO_GROUPS = [
    # name, description, share of customers (per mille)
    ("Apartment buildings", "Customers in apartment blocks (FTTB).", 700),
    ("Private houses", "Customers in private houses (GPON).", 250),
    ("Business", "Legal entities and shops.", 50),
]
DEMO_EXTRA_FIELDS = [
    # name, kind, group name (None: all groups), choices
    ("Contract date", ExtraField.Kind.DATE, None, []),
    ("Router model", ExtraField.Kind.CHOICE, None, ["MikroTik hAP", "TP-Link Archer", "own"]),
    ("Wall material", ExtraField.Kind.CHOICE, "Private houses", ["brick", "wood", "panel"]),
    ("Tax number", ExtraField.Kind.TEXT, "Business", []),
]

_FIRST = [
    "Ivan", "Pyotr", "Sergey", "Andrey", "Dmitry", "Alexey", "Mikhail", "Nikolay", "Oleg",
    "Anna", "Maria", "Elena", "Olga", "Tatiana", "Natalia", "Irina", "Svetlana", "Yulia",
]  # fmt: skip
_LAST = [
    "Ivanov", "Petrov", "Sidorov", "Smirnov", "Kuznetsov", "Popov", "Vasiliev", "Sokolov",
    "Mikhailov", "Novikov", "Fedorov", "Morozov", "Volkov", "Alekseev", "Lebedev", "Semenov",
    "Egorov", "Pavlov", "Kozlov", "Stepanov", "Nikolaev", "Orlov", "Andreev", "Makarov",
]  # fmt: skip
_LOCALITIES = ["Lastmile", "Lastmile", "Lastmile", "Northfield", "Southbrook", "Rivertown"]
_STREETS = [
    "Lenina", "Mira", "Sovetskaya", "Sadovaya", "Lesnaya", "Shkolnaya", "Naberezhnaya",
    "Molodezhnaya", "Tsentralnaya", "Polevaya", "Zarechnaya", "Pervomayskaya", "Gagarina",
]  # fmt: skip

_COLUMNS = (
    "login",
    "contract_number",
    "full_name",
    "phones",
    "email",
    "locality",
    "street",
    "house",
    "apartment",
    "group_id",
    "site_id",
    "is_active",
    "description",
    "pppoe_secret_encrypted",
    "cabinet_password",
    "created_at",
    "updated_at",
)


def _ensure_groups() -> list[CustomerGroup]:
    groups = []
    for name, description, _share in DEMO_GROUPS:
        group, _created = CustomerGroup.objects.get_or_create(
            name=name, defaults={"description": description}
        )
        groups.append(group)
    return groups


def _ensure_extra_fields(groups: Sequence[CustomerGroup]) -> None:
    by_name = {g.name: g for g in groups}
    for position, (name, kind, group_name, choices) in enumerate(DEMO_EXTRA_FIELDS):
        ExtraField.objects.get_or_create(
            name=name,
            group=by_name[group_name] if group_name else None,
            defaults={"kind": kind, "choices": choices, "position": position},
        )


def demo_customer(n: int, seed: int) -> dict[str, Any]:
    """The clear data of demo customer ``n`` (the same for the same seed)."""
    rng = random.Random(f"lastmile-demo-{seed}-{n}")
    roll = rng.randrange(1000)
    group_index = 0 if roll < DEMO_GROUPS[0][2] else 1 if roll < 950 else 2
    digits = (rng.randrange(10, 100), rng.randrange(100, 1000), rng.randrange(10, 100))
    phone = f"+7 9{digits[0]} {digits[1]}-{digits[2]}-{rng.randrange(10, 100)}"
    last, first = rng.choice(_LAST), rng.choice(_FIRST)
    if first.endswith("a"):
        last += "a"  # Russian surnames agree with the person's gender
    return {
        "login": f"user{n}",
        "contract_number": f"D-{n:06d}",
        "full_name": f"{last} {first}",
        "phones": [phone],
        "email": f"user{n}@example.net" if rng.random() < 0.4 else "",
        "locality": rng.choice(_LOCALITIES),
        "street": f"{rng.choice(_STREETS)} st.",
        "house": str(rng.randrange(1, 120)),
        "apartment": str(rng.randrange(1, 200)) if group_index == 0 else "",
        "group_index": group_index,
        "is_active": rng.random() < 0.95,
    }


def _rows(
    numbers: Sequence[int], seed: int, groups: Sequence[CustomerGroup], sites: Sequence[Site]
) -> Iterator[tuple[Any, ...]]:
    hasher = DemoPBKDF2PasswordHasher()
    now = timezone.now()
    for n in numbers:
        data = demo_customer(n, seed)
        password = f"pass{n}"
        yield (
            data["login"],
            data["contract_number"],
            data["full_name"],
            data["phones"],
            data["email"],
            data["locality"],
            data["street"],
            data["house"],
            data["apartment"],
            groups[data["group_index"]].pk,
            sites[n % len(sites)].pk if sites else None,
            data["is_active"],
            "",
            encrypt_secret(password),
            hasher.encode(password, hasher.salt()),
            now,
            now,
        )


def _copy_customers(
    numbers: Sequence[int], seed: int, groups: Sequence[CustomerGroup], sites: Sequence[Site]
) -> None:
    sql = f"COPY {Customer._meta.db_table} ({', '.join(_COLUMNS)}) FROM STDIN"
    # The per-row history trigger would make the load minutes instead of
    # seconds (and superlinear); demo rows are not staff changes.  pgtrigger
    # sets its "ignore" variable for the transaction on the next statement
    # it sees, so one SELECT makes it apply to the COPY, which bypasses
    # Django's execute wrappers.
    with pgtrigger.ignore("customers.Customer:insert_insert"), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        with cursor.copy(sql) as copy:  # type: ignore[attr-defined]
            for row in _rows(numbers, seed, groups, sites):
                copy.write_row(row)


@transaction.atomic
def load_demo(*, customers: int, seed: int) -> list[str]:
    """Create demo customers user1..user{customers}; return summary lines."""
    groups = _ensure_groups()
    _ensure_extra_fields(groups)
    sites = list(Site.objects.order_by("slug"))
    existing = set(
        Customer.objects.filter(login__startswith="user").values_list("login", flat=True)
    )
    missing = [n for n in range(1, customers + 1) if f"user{n}" not in existing]
    if missing:
        _copy_customers(missing, seed, groups, sites)
    summary = [f"customer groups: {', '.join(g.name for g in groups)}"]
    if customers > 0:
        summary.append(
            f"customers user1..user{customers} / pass1..pass{customers} "
            "(PPPoE and cabinet login = PPPoE login)"
        )
    return summary
