"""Settings of the RADIUS server, CoA/Disconnect, the worker's polling and IPAM leases
(aaa, network apps)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RadiusSettings(BaseModel):
    """RADIUS server, CoA/Disconnect, worker polling and dynamic leases."""

    radius_bind: str = Field(
        "0.0.0.0",  # noqa: S104 - NASes reach the RADIUS server over the network
        description="Address the RADIUS server listens on.",
    )
    radius_auth_port: int = Field(1812, description="RADIUS authentication port (UDP).")
    radius_acct_port: int = Field(1813, description="RADIUS accounting port (UDP).")
    radius_interim_interval_s: int = Field(
        300, description="Acct-Interim-Interval sent to NASes; 3 missed intervals = stale."
    )
    radius_session_timeout_s: int = Field(
        86400,
        description="Session-Timeout of paid sessions. Not tied to the paid period: a "
        "subscriber who renews stays online across the boundary; one who does not is moved "
        "at the boundary by CoA or Disconnect.",
    )
    radius_guest_session_timeout_s: int = Field(
        600, description="Session-Timeout of guest (blocked) sessions, so they re-auth soon."
    )
    radius_split_rate: bool = Field(
        True, description="Split a tariff's speed across all of a customer's addresses."
    )
    radius_commit_delay_ms: float = Field(
        2.0, description="Group commit: how long a batch of writes may wait for company."
    )
    radius_writers: int = Field(2, description="Database connections that commit batches.")
    radius_dup_cache_s: int = Field(30, description="How long replies are kept for duplicates.")
    radius_coa_timeout_s: float = Field(2.0, description="Wait for a CoA/Disconnect answer.")
    radius_coa_retries: int = Field(2, description="CoA/Disconnect attempts before 'timeout'.")
    worker_poll_interval_s: float = Field(
        1.0,
        gt=0,
        le=60,
        description="How often the worker looks for scheduled jobs (period-boundary billing "
        "runs, CoA retries start at most this late).",
    )
    radius_coa_parallel: int = Field(
        64, ge=1, le=1024, description="CoA/Disconnect requests in flight at once per worker job."
    )
    lease_time_s: int = Field(86400, description="Lifetime of a dynamic lease; renewed on use.")
    lease_hold_after_stop_s: int = Field(
        300, description="A dynamic lease is kept this long after its session stops."
    )
    radius_simultaneous_use: int = Field(
        1,
        ge=0,
        description="Sessions one customer may have open at once (0: no limit). A login "
        "beyond it is refused, unless the open session is stale (no accounting for 3 interim "
        "intervals) or it is the same session re-authenticating (same NAS and NAS-Port or MAC).",
    )
