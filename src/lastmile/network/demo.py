"""Demo network: one NAS (127.0.0.1, secret ``testing123``, MikroTik) and one
dynamic pool big enough for every demo customer.  Idempotent."""

from __future__ import annotations

import ipaddress

from lastmile.network.models import Nas, Pool, PoolKind, Vendor, Vlan

DEMO_NAS_SECRET = "testing123"
DEMO_NETWORK = ipaddress.IPv4Network("10.64.0.0/14")


def load_demo(*, customers: int, seed: int) -> list[str]:
    nas = Nas.objects.filter(address="127.0.0.1").first() or Nas(address="127.0.0.1")
    nas.name = nas.name or "demo-bras"
    nas.vendor = Vendor.MIKROTIK
    nas.require_message_authenticator = True
    nas.is_active = True
    if not nas.secret_encrypted or nas.get_secret() != DEMO_NAS_SECRET:
        nas.set_secret(DEMO_NAS_SECRET)
    nas.save()
    vlan, _ = Vlan.objects.get_or_create(vid=100, defaults={"name": "pppoe"})
    first = DEMO_NETWORK.network_address + 1
    size = min(DEMO_NETWORK.num_addresses - 2, max(1024, customers + customers // 5))
    Pool.objects.update_or_create(
        name="demo-dynamic",
        defaults={
            "kind": PoolKind.DYNAMIC,
            "network": str(DEMO_NETWORK),
            "range_start": str(first),
            "range_end": str(first + size - 1),
            "vlan": vlan,
            "is_active": True,
        },
    )
    return [
        f"RADIUS: NAS 127.0.0.1 secret {DEMO_NAS_SECRET}, pool demo-dynamic "
        f"{first}-{first + size - 1}",
        "  try: echo 'User-Name=user1,User-Password=pass1,Message-Authenticator=0x00'"
        f" | radclient -x 127.0.0.1:1812 auth {DEMO_NAS_SECRET}",
    ]
