"""Remote-id layouts: the switch identity (MAC, name) or an ONU serial."""

from __future__ import annotations

from collections.abc import Callable

from lastmile.radius.option82.readers import (
    _GPON_SN,
    _mac_from_bytes,
    _mac_from_text,
    _name,
    _text,
)
from lastmile.radius.option82.values import (
    _Remote,
)

# ---- remote-id layouts -----------------------------------------------------


def _switch_mac_tlv(raw: bytes) -> str | None:
    return _mac_from_bytes(raw[2:]) if len(raw) == 8 and raw[:2] == b"\x00\x06" else None


def _switch_string_tlv(raw: bytes) -> str | None:
    if len(raw) < 3 or raw[0] != 1 or raw[1] != len(raw) - 2:
        return None
    return _name(_text(raw[2:]))


def _switch_eltex(raw: bytes) -> str | None:
    """Eltex TR-101 mode: enterprise number 0089c1, then the switch MAC."""
    return _mac_from_bytes(raw[3:]) if len(raw) == 9 and raw[:3] == b"\x00\x89\xc1" else None


def _switch_raw_mac(raw: bytes) -> str | None:
    return _mac_from_bytes(raw) if _text(raw) is None else None


def _switch_text(raw: bytes) -> str | None:
    text = _text(raw)
    return (_mac_from_text(text) or _name(text)) if text else None


# Tried in order; by construction at most the last two can both apply to a
# value, and a text MAC is read as a MAC before it could be read as a name.
_SWITCH_ID_LAYOUTS: tuple[Callable[[bytes], str | None], ...] = (
    _switch_mac_tlv,
    _switch_string_tlv,
    _switch_eltex,
    _switch_raw_mac,
    _switch_text,
)


def _remote_switch(raw: bytes) -> _Remote | None:
    if not raw:
        return _Remote()
    for read in _SWITCH_ID_LAYOUTS:
        switch = read(raw)
        if switch:
            return _Remote(switch=switch)
    return None


def _remote_onu(raw: bytes) -> _Remote | None:
    """The ONU's MAC (text, or six raw octets) or its GPON serial number
    (``ZTEGC0A1B2C3``, or four vendor letters and four raw octets)."""
    text = _text(raw)
    mac = _mac_from_text(text) if text else _mac_from_bytes(raw)
    if mac:
        return _Remote(switch=f"onu:{mac}", onu_mac=mac)
    if text and _GPON_SN.fullmatch(text):
        serial = text.upper()
    elif len(raw) == 8 and raw[:4].isalpha():
        serial = raw[:4].decode("ascii").upper() + raw[4:].hex().upper()
    else:
        return None
    return _Remote(switch=f"onu-sn:{serial}", onu_serial=serial)
