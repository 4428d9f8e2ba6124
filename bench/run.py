"""``make bench``: run the benchmarks and write docs/benchmarks.md.

Parts: ``billing`` (billing run, 50,000 and 1,000,000 subscriptions).
``python bench/run.py --parts billing --sizes 50000`` runs a subset.
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
    parser.add_argument("--parts", default="billing")
    parser.add_argument("--sizes", default="50000,1000000", help="billing sizes")
    args = parser.parse_args()
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
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
    print("docs/benchmarks.md updated")


if __name__ == "__main__":
    main()
