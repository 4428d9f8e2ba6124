"""Periodic IPAM housekeeping (procrastinate)."""

from __future__ import annotations

from procrastinate.contrib.django import app

from lastmile.network import services


@app.periodic(cron="* * * * *", periodic_id="expire_dynamic_leases")
@app.task(queue="network", name="network.expire_dynamic_leases")
def expire_dynamic_leases(timestamp: int) -> int:
    """End dynamic leases whose time ran out."""
    return services.expire_dynamic_leases()


@app.periodic(cron="* * * * *", periodic_id="close_stale_sessions")
@app.task(queue="network", name="network.close_stale_sessions")
def close_stale_sessions(timestamp: int) -> int:
    """Close sessions that missed three interim updates."""
    return services.close_stale_sessions()
