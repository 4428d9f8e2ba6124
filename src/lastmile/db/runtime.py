"""Process-wide access to the database chosen by the settings.

With ``LASTMILE_DATABASE_URL`` set, that server is used and nothing is
started.  Without it, the embedded cluster is started on first use (or
reused) and, if this process started it, stopped when the process exits.
"""

from __future__ import annotations

import atexit
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lastmile.conf import get_settings
from lastmile.db.embedded import ClusterAddress, EmbeddedCluster

_lock = threading.Lock()
_cluster: EmbeddedCluster | None = None
_address: ClusterAddress | None = None


def embedded_cluster() -> EmbeddedCluster:
    global _cluster
    if _cluster is None:
        _cluster = cluster_at(get_settings().pg_dir)
    return _cluster


def cluster_at(data_dir: Path) -> EmbeddedCluster:
    """The embedded cluster configured for ``data_dir`` (shared buffers, root layout)."""
    settings = get_settings()
    return EmbeddedCluster(
        data_dir, shared_buffers=settings.pg_shared_buffers, root_dir=settings.pg_root_dir
    )


def ensure_embedded() -> ClusterAddress:
    """Start (or reuse) the embedded cluster and make sure the app database exists."""
    global _address
    with _lock:
        if _address is None:
            cluster = embedded_cluster()
            address = cluster.ensure_running()
            if cluster.started_here:
                atexit.register(cluster.stop)
            cluster.ensure_database(address, get_settings().db_name)
            _address = address
        return _address


def connection_params() -> dict[str, object]:
    """Host, port, user, password and name of the database to use."""
    settings = get_settings()
    if settings.database_url:
        parts = urlsplit(settings.database_url)
        return {
            "HOST": parts.hostname or "",
            "PORT": parts.port or "",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "NAME": parts.path.lstrip("/") or "lastmile",
        }
    address = ensure_embedded()
    return {
        "HOST": address.host,
        "PORT": address.port,
        "USER": address.user,
        "PASSWORD": address.password,
        "NAME": settings.db_name,
    }


def database_url() -> str:
    """A libpq URL for the configured database (starting the embedded one if needed)."""
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    address = ensure_embedded()
    return address.url(settings.db_name)
