"""The canonical switch-port key of an IPoE binding, stored on the row.

The same rule as ``lastmile.aaa.ports.port_key`` (which the RADIUS server
matches requests by): a value the option 82 parser understands gives its
parsed ``(switch, port)``, whatever encoding staff typed it in; any other
value keeps its exact text under a ``raw:`` switch key, so it matches only a
request carrying identical text and never a parsed port.  The network app
sits below aaa and so calls the parser itself; a test holds both equal.
"""

from __future__ import annotations

from lastmile.radius import option82

RAW_PREFIX = "raw:"


def binding_key(remote: bytes | str, circuit: bytes | str) -> tuple[tuple[str, str], str]:
    """``((switch, port), problem)``: problem is '' when the parser understood the value."""
    try:
        return option82.relay_key(remote, circuit), ""
    except option82.Option82Error as exc:
        return (RAW_PREFIX + _as_text(remote), _as_text(circuit)), str(exc)


def _as_text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
