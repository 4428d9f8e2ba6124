"""Shared pieces of the benchmarks: the bench cluster, machine facts, the report."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPORT = REPO / "docs" / "benchmarks.md"
BENCH_PG_DIR = REPO / "var" / "pg-bench"


def configure_django(db_name: str) -> None:
    """Point lastmile at a bench database on its own embedded cluster, then set Django up."""
    os.environ["LASTMILE_DEMO"] = "1"
    os.environ["LASTMILE_PG_DIR"] = str(BENCH_PG_DIR)
    os.environ["LASTMILE_DB_NAME"] = db_name
    os.environ.setdefault("LASTMILE_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lastmile.settings")
    import django

    django.setup()


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB RAM, {platform.system()} {platform.release()}"


def commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True
        )
        return out.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def write_section(part: str, body: str) -> None:
    """Replace (or add) the section of one benchmark part in docs/benchmarks.md."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n\nWritten by `make bench`.\n"
    start, end = f"<!-- bench:{part}:start -->", f"<!-- bench:{part}:end -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = f"{start}\n{body.rstrip()}\n\n_Run {stamp} on {machine()}, commit {commit()}._\n{end}"
    if start in text:
        text = re.sub(
            re.escape(start) + r".*?" + re.escape(end), lambda _m: block, text, flags=re.S
        )
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    REPORT.write_text(text)
