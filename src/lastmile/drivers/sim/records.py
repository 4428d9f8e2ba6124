"""The simulated devices' SNMP data, written from the MIBs (IF-MIB, BRIDGE-MIB,
Q-BRIDGE-MIB, the vendors' enterprise MIBs) rather than recorded from hardware.

``python -m lastmile.drivers.sim.records [dir]`` writes one ``<model>.snmprec``
per model (default: the package's ``data`` directory, which is committed).
Records marked writable use snmpsim's ``writecache`` variation: a SET is kept
and read back, which is what the drivers' read-back checks need; tables whose
rows are created by RowStatus are subtree records served by lastmile's own
``sim/variation/rowtable.py`` (Q-BRIDGE-MIB dot1qVlanStaticTable, Huawei's
VLAN table).  The records
themselves: switches in ``switches``, OLTs in ``olts``, the format in ``snmprec``;
this module adds the wrong-typed agent and writes the files.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lastmile.drivers.sim.olts import bdcom_records, zte_records
from lastmile.drivers.sim.snmprec import DOT1D, DOT1Q, IF, Record
from lastmile.drivers.sim.switches import SWITCHES, switch_records


def garbage_records() -> list[Record]:
    """An agent whose answers have the wrong types: sysUpTime and port states as text."""
    return [
        ("1.3.6.1.2.1.1.1.0", "2", "42"),
        ("1.3.6.1.2.1.1.3.0", "4", "not a number"),
        ("1.3.6.1.2.1.1.5.0", "2", "7"),
        (f"{IF}.2.1", "2", "1"),
        (f"{IF}.3.1", "4", "ethernet"),
        (f"{IF}.7.1", "4", "up"),
        (f"{IF}.8.1", "4", "sideways"),
        (f"{DOT1D}.1.4.1.2.1", "4", "one"),
        (f"{DOT1Q}.4.3.1.1.10", "4", "v10"),
        (f"{DOT1Q}.4.3.1.2.10", "2", "255"),
    ]


def _key(oid: str) -> tuple[int, ...]:
    return tuple(int(p) for p in oid.split("."))


def render(records: list[Record]) -> str:
    seen: set[str] = set()
    lines = []
    for oid, tag, value in sorted(records, key=lambda rec: _key(rec[0])):
        if oid in seen:
            raise ValueError(f"duplicate OID {oid}")
        seen.add(oid)
        lines.append(f"{oid}|{tag}|{value}")
    return "\n".join(lines) + "\n"


def all_models() -> dict[str, str]:
    out = {sw.model: render(switch_records(sw)) for sw in SWITCHES}
    out["zte_c320"] = render(zte_records())
    out["bdcom_p3310"] = render(bdcom_records())
    out["garbage"] = render(garbage_records())
    return out


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for model, text in all_models().items():
        path = directory / f"{model}.snmprec"
        path.write_text(text)
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "data"
    for p in write(target):
        print(p)
