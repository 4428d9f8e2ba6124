"""Named locks of the devices app.

CLI sessions to one device are serialized across processes and machines
with a PostgreSQL advisory lock held on a connection of its own: the
operation's own queries (and the action log row) never wait inside it, and
a process that dies releases the lock with its connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

from lastmile.devices.models import Device, Port

#: First key of the two-int advisory lock: "devices CLI" (0x44435349 = "DCSI").
CLI_LOCK_NAMESPACE = 0x44435349


class LockTimeout(Exception):
    pass


@contextmanager
def cli_session(device_id: int, *, timeout_s: float) -> Iterator[None]:
    """Hold the CLI lock of ``device_id``; ``LockTimeout`` after ``timeout_s``."""
    conn = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT set_config('lock_timeout', %s, false)", [f"{int(timeout_s * 1000)}ms"]
            )
            try:
                cur.execute("SELECT pg_advisory_lock(%s, %s)", [CLI_LOCK_NAMESPACE, int(device_id)])
            except OperationalError as exc:
                raise LockTimeout(str(exc)) from exc
        try:
            yield
        finally:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT pg_advisory_unlock(%s, %s)", [CLI_LOCK_NAMESPACE, int(device_id)]
                )
    finally:
        conn.close()


def device_ports(device: Device) -> list[Port]:
    """Lock the ports of ``device`` (primary-key order), for the link-state
    damping that the poll and a staff read both write; inside a transaction."""
    return list(Port.objects.filter(device=device).select_for_update().order_by("pk"))
