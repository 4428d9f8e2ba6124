"""The relay agent's identification of a subscriber's port: DHCP option 82
as a BRAS passes it on in RADIUS (RFC 4679 ADSL-Forum Agent-Remote-Id and
Agent-Circuit-Id).

Today the two values are taken as text, as they came; parsers of the
switch vendors' formats (D-Link, Eltex, Huawei, ZTE, Juniper/Cisco text,
hex agent ids) belong in this module.
"""

from __future__ import annotations

from lastmile.radius import codec


def agent_ids(packet: codec.Packet) -> tuple[str, str]:
    """(remote id, circuit id) of the request, or ("", "") without a remote id."""
    remote = packet.vsa(codec.VENDOR_ADSL_FORUM, codec.AGENT_REMOTE_ID)
    if not remote:
        return "", ""
    circuit = packet.vsa(codec.VENDOR_ADSL_FORUM, codec.AGENT_CIRCUIT_ID)
    return remote.decode("utf-8", "replace"), (circuit or b"").decode("utf-8", "replace")
