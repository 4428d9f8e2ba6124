"""``make bench``: run the benchmarks and write docs/benchmarks.md.

Parts: ``billing`` (billing run, 50,000 and 1,000,000 subscriptions),
``aaa`` (``lastmile radius`` against FreeRADIUS + PostgreSQL, see bench/aaa.py;
installs the Debian packages it needs when run as root) and ``boundary``
(50,000 online subscribers cross a period boundary, bench/boundary.py) and
``customers`` (the staff customer list at 100,000 customers,
bench/customers_list.py) and ``devices`` (5,000 simulated SNMP devices polled by
``lastmile.drivers.poller`` against a sequential net-snmp loop, bench/devices.py;
needs the Debian packages snmpd and snmp) and ``sorm`` (a full SORM export of 100,000
subscribers, bench/sorm.py; ``--sorm-customers 10000`` for a smaller run).
``python bench/run.py --parts billing --sizes 50000`` runs a subset;
``python bench/run.py --parts aaa --aaa-users 2000 --aaa-count 2000
--aaa-storm-users 2000 --aaa-storm-seconds 5`` is a quick smoke run (its
section in docs/benchmarks.md is then marked as such).
Benchmarks are never part of ``make test``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import configure_django, write_section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", default="billing,aaa,boundary,customers,devices,sorm")
    parser.add_argument("--customers", type=int, default=100_000, help="customer-list size")
    parser.add_argument("--customers-rounds", type=int, default=40)
    parser.add_argument("--boundary-customers", type=int, default=50_000)
    parser.add_argument("--sizes", default="50000,1000000", help="billing sizes")
    parser.add_argument("--aaa-users", type=int, default=50_000, help="RADIUS users (and pool/1.2)")
    parser.add_argument(
        "--aaa-count", type=int, default=None, help="requests per scenario (default: users)"
    )
    parser.add_argument("--aaa-storm-users", type=int, default=100_000)
    parser.add_argument("--aaa-storm-seconds", type=int, default=60)
    parser.add_argument("--aaa-no-storm", action="store_true", help="skip the storm scenario")
    parser.add_argument(
        "--aaa-rounds", type=int, default=3, help="interleaved tuned-anchor/lastmile rounds"
    )
    parser.add_argument("--devices", type=int, default=5000, help="simulated SNMP devices")
    parser.add_argument("--devices-agents", type=int, default=4, help="snmpd processes")
    parser.add_argument(
        "--devices-sequential-sample", type=int, default=200, help="devices the net-snmp loop times"
    )
    parser.add_argument("--sorm-customers", type=int, default=100_000, help="SORM export size")
    args = parser.parse_args()
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    unknown = parts - {"billing", "aaa", "boundary", "customers", "devices", "sorm"}
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    if parts - {"devices"}:  # the devices part needs no database
        configure_django("lastmile_bench")
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    if "billing" in parts:
        import billing

        results = []
        for n in (int(s) for s in args.sizes.split(",")):
            print(f"billing: {n:,} subscriptions…", flush=True)
            result = billing.run(n, per_account=n <= 50_000)
            print(result, flush=True)
            results.append(result)
        write_section("billing", billing.report(results))
    if "aaa" in parts:
        import aaa

        count = min(args.aaa_count or args.aaa_users, args.aaa_users)
        sizes = aaa.Sizes(
            users=args.aaa_users,
            count=count,
            storm_users=args.aaa_storm_users,
            storm_seconds=args.aaa_storm_seconds,
            storm=not args.aaa_no_storm,
            rounds=max(1, args.aaa_rounds),
        )
        write_section("aaa", aaa.run(sizes))
    if "boundary" in parts:
        import tempfile

        import boundary

        res = Path(tempfile.mkdtemp(prefix="lastmile-boundary-"))
        write_section("boundary", boundary.report(boundary.run(args.boundary_customers, res)))
    if "customers" in parts:
        import customers_list

        rows = customers_list.run(args.customers, args.customers_rounds)
        body = customers_list.report(rows, args.customers, args.customers_rounds)
        write_section("customers", body)
    if "devices" in parts:
        import devices

        result = devices.run(
            args.devices,
            args.devices_agents,
            sequential_sample=args.devices_sequential_sample,
        )
        write_section("devices", devices.report(result))
    if "sorm" in parts:
        import sorm

        write_section("sorm", sorm.report(sorm.run(args.sorm_customers)))
    print("docs/benchmarks.md updated")


if __name__ == "__main__":
    main()
