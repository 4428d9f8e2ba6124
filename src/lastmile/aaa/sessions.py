"""Open sessions as a RADIUS node keeps them in memory, for the Simultaneous-Use
limit: the query that reads them and when one counts as gone."""

from __future__ import annotations

from dataclasses import dataclass

#: The open sessions, as ``OpenSession`` fields (callers add the customer filter).
OPEN_SESSIONS = (
    "SELECT nas_id, acct_session_id, customer_id, nas_port, mac,"
    " extract(epoch FROM updated_at)::float8, interim_interval_s"
    " FROM network_session WHERE stopped_at IS NULL"
)

#: A session counts as gone after this many interim intervals without accounting
#: (the rule of ``network.services.close_stale_sessions``).
STALE_INTERVALS = 3


@dataclass(slots=True)
class OpenSession:
    """An open session as accounting told it, for the Simultaneous-Use limit."""

    nas_id: int
    session_id: str
    customer_id: int
    nas_port: str  # "" when the NAS sent none
    mac: str
    updated_at: float
    interim_interval_s: int
    equipment_flagged: bool = False  # a Disconnect was requested for other equipment

    def is_stale(self, now: float) -> bool:
        return now - self.updated_at > self.interim_interval_s * STALE_INTERVALS
