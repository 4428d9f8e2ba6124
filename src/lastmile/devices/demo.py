"""Demo devices answering SNMP (and, for the OLT, the CLI) on loopback.

``lastmile demo`` starts the drivers' simulators (``python -m
lastmile.drivers.sim.demo``: snmpsim with every model's recorded data, and
the ZTE C320 CLI peer); the community picks the recorded device.  Idempotent.
"""

from __future__ import annotations

from lastmile.customers.models import CustomerGroup
from lastmile.devices.models import Device, Link, OnuTemplate, Port
from lastmile.drivers import base
from lastmile.drivers.sim.demo import CLI_PORT, SNMP_PORT

DEMO_HOST = "127.0.0.1"

# name, driver (= the community of its recorded data), description
DEMO_DEVICES = [
    ("demo-core-switch", "generic_snmp", "Core switch (IF-MIB, Q-BRIDGE-MIB)"),
    ("demo-olt-c320", "zte_c320", "ZTE C320 GPON OLT"),
    ("demo-dgs-3120", "dlink_dgs3120", "D-Link access switch"),
    ("demo-epon-p3310", "bdcom_p3310", "BDCOM P3310 EPON OLT"),
]


def _driver_or_unknown(name: str) -> str:
    try:
        base.get(name)
    except base.Unsupported:
        return "unknown"
    return name


def load_demo(*, customers: int, seed: int) -> list[str]:
    group = CustomerGroup.objects.order_by("pk").first()
    made = {}
    for name, driver, description in DEMO_DEVICES:
        device = Device.objects.filter(name=name).first() or Device(name=name)
        device.driver = _driver_or_unknown(driver)
        device.ip, device.snmp_port, device.description = DEMO_HOST, SNMP_PORT, description
        device.address = "Demo street 1"
        device.group = group
        device.set_secret("snmp_community", driver)
        device.set_secret("snmp_write_community", driver)
        if driver == "zte_c320":
            device.cli_username, device.cli_port = "zte", CLI_PORT
            device.set_secret("cli_password", "zte")
        device.save()
        made[name] = device
    Device.objects.get_or_create(
        name="demo-unmanaged-box",
        defaults={"description": "A device of no known type (inventory only)", "group": group},
    )
    core = made["demo-core-switch"]
    for number, name in ((1, "demo-olt-c320"), (2, "demo-dgs-3120"), (3, "demo-epon-p3310")):
        upper, _ = Port.objects.get_or_create(device=core, number=number)
        lower, _ = Port.objects.get_or_create(device=made[name], number=1)
        if not Link.objects.filter(upper=upper).exists() and not hasattr(lower, "up_link"):
            Link.objects.create(upper=upper, lower=lower)
            Port.objects.filter(pk=upper.pk).update(role="downlink")
            Port.objects.filter(pk=lower.pk).update(role="uplink")
            Device.objects.filter(pk=made[name].pk).update(parent=core)
    OnuTemplate.objects.get_or_create(
        name="F601 bridge, VLAN 100",
        defaults={
            "driver": "zte_c320",
            "driver_template": "f601-bridge",
            "onu_type": "ZTE-F601",
            "vlan": 100,
        },
    )
    return [
        f"devices: {', '.join(made)} answer SNMP on {DEMO_HOST}:{SNMP_PORT} (snmpsim), "
        f"the OLT's CLI on {DEMO_HOST}:{CLI_PORT}"
    ]
