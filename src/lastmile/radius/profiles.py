"""Vendor profiles: how a NAS wants to be told a subscriber's speed and
restricted (guest) profile.

A profile is data plus one small function from a ``Rate`` to typed
attributes (``Attribute``: name, number, value).  Both wire forms come from
the same list: ``encode`` gives the bytes the UDP server and the CoA client
send, ``Attribute.name`` the names the ``rlm_rest`` reply uses, so the two
cannot drift.  Adding a vendor is adding an entry to ``PROFILES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


@dataclass(slots=True)  # not frozen: built for every Accept, and a frozen __init__ costs more
class Attribute:
    """One reply attribute: its dictionary name, number (and vendor for a
    VSA, 0 for a standard one) and value (text or a 32-bit integer)."""

    name: str
    number: int
    value: str | int
    vendor: int = 0

    def encode(self) -> bytes:
        if isinstance(self.value, int):
            data = (self.value & 0xFFFFFFFF).to_bytes(4, "big")
        else:
            data = self.value.encode()[:247]
        if self.vendor:
            return codec.vsa(self.vendor, self.number, data)
        return codec.attr(self.number, data)


def encode(attributes: Iterable[Attribute]) -> bytes:
    return b"".join(a.encode() for a in attributes)


def _mikrotik(rate: Rate | None, is_guest: bool) -> list[Attribute]:
    out = []
    if rate is not None:
        # rx/tx from the router's side: rx = subscriber's upload.
        text = f"{rate.up_kbps}k/{rate.down_kbps}k"
        if rate.burst_down_kbps and rate.burst_up_kbps:
            text += f" {rate.burst_up_kbps}k/{rate.burst_down_kbps}k"
        out.append(Attribute("Mikrotik-Rate-Limit", MIKROTIK_RATE_LIMIT, text, VENDOR_MIKROTIK))
    if is_guest:
        out.append(
            Attribute(
                "Mikrotik-Address-List", MIKROTIK_ADDRESS_LIST, GUEST_ADDRESS_LIST, VENDOR_MIKROTIK
            )
        )
    return out


def _accel_ppp(rate: Rate | None, is_guest: bool) -> list[Attribute]:
    if rate is None:
        return []
    return [
        Attribute("PPPD-Upstream-Speed-Limit", PPPD_UPSTREAM_SPEED_LIMIT, rate.up_kbps),
        Attribute("PPPD-Downstream-Speed-Limit", PPPD_DOWNSTREAM_SPEED_LIMIT, rate.down_kbps),
    ]


def _generic(rate: Rate | None, is_guest: bool) -> list[Attribute]:
    return []


@dataclass(frozen=True, slots=True)
class Profile:
    attributes: Callable[[Rate | None, bool], list[Attribute]]
    #: The NAS applies the guest profile to a running session by CoA (MikroTik:
    #: the address list, filtered by the router's firewall).  Without it a move
    #: to the guest profile is a Disconnect, and the re-auth lands in the guest pool.
    live_guest: bool = False


PROFILES: dict[str, Profile] = {
    "mikrotik": Profile(_mikrotik, live_guest=True),
    "accel-ppp": Profile(_accel_ppp),
    "generic": Profile(_generic),
}


def profile(vendor: str) -> Profile:
    return PROFILES.get(vendor, PROFILES["generic"])


def vendor_attributes(vendor: str, rate: Rate | None, *, is_guest: bool = False) -> list[Attribute]:
    """The vendor's attributes for ``rate`` and the guest profile (unknown vendors get none)."""
    return profile(vendor).attributes(rate, is_guest)


def speed_attributes(vendor: str, rate: Rate | None, *, is_guest: bool = False) -> bytes:
    """``vendor_attributes`` as bytes."""
    return encode(vendor_attributes(vendor, rate, is_guest=is_guest))
