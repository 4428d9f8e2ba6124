"""Periodic monitoring of devices (procrastinate)."""

from __future__ import annotations

from procrastinate.contrib.django import app

from lastmile.devices import monitoring


@app.periodic(cron="* * * * *", periodic_id="poll_devices")
@app.task(queue="devices", name="devices.poll_devices", lock="poll_devices")
def poll_devices(timestamp: int) -> dict[str, int]:
    """Poll every monitored device once (bounded concurrency) and count its status."""
    return monitoring.poll_devices()
