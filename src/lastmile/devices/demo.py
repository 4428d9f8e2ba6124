"""Demo devices answering SNMP on loopback.

``lastmile demo`` starts snmpsim (``snmpsim_command``) serving the drivers'
recorded data (``lastmile.drivers.sim``) on 127.0.0.11–13, port
``DEMO_SNMP_PORT``; the community picks the recorded device.  Idempotent.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from lastmile.customers.models import CustomerGroup
from lastmile.devices.models import Device, Link, OnuTemplate, Port
from lastmile.drivers import base

DEMO_SNMP_PORT = 16161

# name, driver (if registered), loopback address, community, description
DEMO_DEVICES = [
    ("demo-core-switch", "generic_snmp", "127.0.0.11", "generic_snmp", "Core switch (IF-MIB)"),
    ("demo-olt-c320", "zte_c320", "127.0.0.12", "zte_c320", "ZTE C320 GPON OLT"),
    ("demo-dgs-1100", "dlink_dgs1100", "127.0.0.13", "dlink_dgs1100", "Access switch"),
]


def snmpsim_command(*, port: int = DEMO_SNMP_PORT, work_dir: Path) -> list[str]:
    """The argv of an snmpsim responder serving the simulator data on the demo addresses."""
    from lastmile.drivers.sim import DATA_DIR

    cache = work_dir / "snmpsim-cache"
    cache.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-c",
        "from snmpsim.commands.responder import main; main()",
        f"--data-dir={DATA_DIR}",
        f"--cache-dir={cache}",
        "--logging-method=null",
    ]
    cmd += [f"--agent-udpv4-endpoint={ip}:{port}" for _n, _d, ip, _c, _t in DEMO_DEVICES]
    if os.geteuid() == 0:
        cmd += ["--process-user=root", "--process-group=root"]
    else:
        import grp
        import pwd

        cmd += [
            f"--process-user={pwd.getpwuid(os.getuid()).pw_name}",
            f"--process-group={grp.getgrgid(os.getgid()).gr_name}",
        ]
    return cmd


def _driver_or_unknown(name: str) -> str:
    try:
        base.get(name)
    except base.Unsupported:
        return "unknown"
    return name


def load_demo(*, customers: int, seed: int) -> list[str]:
    group = CustomerGroup.objects.order_by("pk").first()
    made = {}
    for name, driver, ip, community, description in DEMO_DEVICES:
        device = Device.objects.filter(name=name).first() or Device(name=name)
        device.driver = _driver_or_unknown(driver)
        device.ip, device.snmp_port, device.description = ip, DEMO_SNMP_PORT, description
        device.address = "Demo street 1"
        device.group = group
        device.set_secret("snmp_community", community)
        device.set_secret("snmp_write_community", community)
        if "olt" in name:
            device.cli_username = "admin"
            device.set_secret("cli_password", "admin")
        device.save()
        made[name] = device
    Device.objects.get_or_create(
        name="demo-unmanaged-box",
        defaults={"description": "A device of no known type (inventory only)", "group": group},
    )
    core, olt = made["demo-core-switch"], made["demo-olt-c320"]
    upper, _ = Port.objects.get_or_create(device=core, number=1, defaults={"role": "downlink"})
    lower, _ = Port.objects.get_or_create(device=olt, number=1, defaults={"role": "uplink"})
    if not Link.objects.filter(upper=upper).exists() and not Link.objects.filter(lower=lower).exists():
        Link.objects.create(upper=upper, lower=lower)
        Device.objects.filter(pk=olt.pk).update(parent=core)
    OnuTemplate.objects.get_or_create(
        name="F660 internet, VLAN 100",
        defaults={"driver": "zte_c320", "onu_type": "ZTE-F660", "vlan": 100},
    )
    return [
        f"devices: {', '.join(made)} answer SNMP on 127.0.0.11-13:{DEMO_SNMP_PORT} (snmpsim)"
    ]
