"""``lastmile.drivers`` is the ground floor: importing every module of it pulls
in neither Django nor any other lastmile package."""

from __future__ import annotations

import json
import subprocess
import sys

# A fresh interpreter, so nothing the test process imported can hide an import.
PROBE = """
import json, pkgutil, sys
import lastmile.drivers
names = sorted(
    m.name for m in pkgutil.walk_packages(lastmile.drivers.__path__, "lastmile.drivers.")
)
for name in names:
    __import__(name)
from lastmile.drivers import base
base.choices()
print(json.dumps({"modules": names, "loaded": sorted(sys.modules)}))
"""


def test_drivers_package_imports_no_django_and_no_other_app() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)},
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert {"lastmile.drivers.base", "lastmile.drivers.snmp", "lastmile.drivers.generic"} <= set(
        report["modules"]
    )
    loaded = report["loaded"]
    assert [m for m in loaded if m == "django" or m.startswith("django.")] == []
    foreign = [
        m
        for m in loaded
        if m.startswith("lastmile.") and m.partition(".")[2].partition(".")[0] != "drivers"
    ]
    assert foreign == []
