"""IP address management and sessions: NAS registry, VLANs, pools, leases,
IPoE bindings and accounting sessions.

Invariants held by PostgreSQL, not by luck:
- one address has at most one active lease (partial unique index);
- a customer has at most one active dynamic lease per pool;
- leases are never deleted: ending one sets ``ended_at`` (its history row);
- one session row per (NAS, Acct-Session-Id).
"""

from lastmile.network.models.fields import CidrField, normalize_mac
from lastmile.network.models.leases import AccessBinding, Lease, LeaseEndReason, LeaseKind
from lastmile.network.models.pools import MAX_IPV6_PREFIX_BITS, Ipv6Use, Pool, PoolKind
from lastmile.network.models.registry import Nas, Vendor, Vlan
from lastmile.network.models.sessions import CoaResult, Session

__all__ = [
    "MAX_IPV6_PREFIX_BITS",
    "AccessBinding",
    "CidrField",
    "CoaResult",
    "Ipv6Use",
    "Lease",
    "LeaseEndReason",
    "LeaseKind",
    "Nas",
    "Pool",
    "PoolKind",
    "Session",
    "Vendor",
    "Vlan",
    "normalize_mac",
]
