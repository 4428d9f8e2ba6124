"""Vendor profiles: how a NAS wants to be told a subscriber's speed.

A profile is data plus one small function from a ``Rate`` to attribute
bytes; adding a vendor is adding an entry to ``PROFILES``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lastmile.radius import codec

VENDOR_MIKROTIK = 14988
MIKROTIK_RATE_LIMIT = 8
MIKROTIK_ADDRESS_LIST = 19
PPPD_UPSTREAM_SPEED_LIMIT = 230
PPPD_DOWNSTREAM_SPEED_LIMIT = 231
GUEST_ADDRESS_LIST = "lastmile-guest"


@dataclass(frozen=True, slots=True)
class Rate:
    """Speed for one address, kbit/s, from the subscriber's point of view."""

    down_kbps: int
    up_kbps: int
    burst_down_kbps: int | None = None
    burst_up_kbps: int | None = None

    def split(self, parts: int) -> Rate:
        if parts <= 1:
            return self
        return Rate(
            max(1, self.down_kbps // parts),
            max(1, self.up_kbps // parts),
            max(1, self.burst_down_kbps // parts) if self.burst_down_kbps else None,
            max(1, self.burst_up_kbps // parts) if self.burst_up_kbps else None,
        )


def _mikrotik(rate: Rate | None, is_guest: bool) -> bytes:
    out = b""
    if rate is not None:
        # rx/tx from the router's side: rx = subscriber's upload.
        text = f"{rate.up_kbps}k/{rate.down_kbps}k"
        if rate.burst_down_kbps and rate.burst_up_kbps:
            text += f" {rate.burst_up_kbps}k/{rate.burst_down_kbps}k"
        out += codec.vsa(VENDOR_MIKROTIK, MIKROTIK_RATE_LIMIT, text.encode())
    if is_guest:
        out += codec.vsa(VENDOR_MIKROTIK, MIKROTIK_ADDRESS_LIST, GUEST_ADDRESS_LIST.encode())
    return out


def _accel_ppp(rate: Rate | None, is_guest: bool) -> bytes:
    if rate is None:
        return b""
    return codec.attr_int(PPPD_UPSTREAM_SPEED_LIMIT, rate.up_kbps) + codec.attr_int(
        PPPD_DOWNSTREAM_SPEED_LIMIT, rate.down_kbps
    )


def _generic(rate: Rate | None, is_guest: bool) -> bytes:
    return b""


PROFILES: dict[str, Callable[[Rate | None, bool], bytes]] = {
    "mikrotik": _mikrotik,
    "accel-ppp": _accel_ppp,
    "generic": _generic,
}


def speed_attributes(vendor: str, rate: Rate | None, *, is_guest: bool = False) -> bytes:
    """The vendor's attributes for ``rate`` (unknown vendors get none)."""
    return PROFILES.get(vendor, _generic)(rate, is_guest)
