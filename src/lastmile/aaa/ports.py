"""How option 82 identities are matched: one key per switch port, whatever the encoding.

Bindings (``network.AccessBinding``) and requests are both turned into
``port_key``; the RADIUS server's cache (``state.py``) and the ``rlm_rest`` path
(``rest.py``) look bindings up by it.
"""

from __future__ import annotations

from collections.abc import Iterable

import structlog

from lastmile.radius import option82

log = structlog.get_logger("lastmile.aaa")


def port_key(remote: bytes | str, circuit: bytes | str) -> tuple[tuple[str, str], str]:
    """The key an option 82 identity is matched by, and why it was not understood.

    A value in a known format gives its parsed ``(switch, port)`` key, so that the
    same port matches whether the switch sent it as bytes, hex or text.  Any other
    value keeps its exact text under a ``raw:`` key: it can still match a binding
    entered with exactly that text, and never a parsed key, so an unknown format
    is never matched to some other customer's port.
    """
    try:
        return option82.relay_key(remote, circuit), ""
    except option82.Option82Error as exc:
        return (f"raw:{_as_text(remote)}", _as_text(circuit)), str(exc)


def _as_text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def bindings_by_port(rows: Iterable[tuple[int, str, str]]) -> dict[tuple[str, str], int]:
    """Customer per ``port_key`` of the bindings ``(customer_id, remote_id, circuit_id)``.

    Two bindings of different customers that turn out to be one port (entered in
    two encodings) both drop out, logged: a port never picks one of two customers
    by chance.
    """
    by_port: dict[tuple[str, str], int] = {}
    clashes: set[tuple[str, str]] = set()
    for customer_id, remote_id, circuit_id in rows:
        if not remote_id:
            continue
        key, error = port_key(remote_id, circuit_id)
        if error:
            log.info("radius.binding_port_kept_as_text", customer_id=customer_id, detail=error)
        if by_port.get(key, customer_id) != customer_id:
            clashes.add(key)
        by_port[key] = customer_id
    for key in clashes:
        log.error("radius.binding_port_clash", port=key, dropped_customer_id=by_port.pop(key))
    return by_port
