"""Periodic monitoring of devices (procrastinate)."""

from __future__ import annotations

from procrastinate.contrib.django import app

from lastmile.devices import monitoring


@app.periodic(cron="* * * * *", periodic_id="poll_devices")
@app.task(queue="devices", name="devices.poll_devices", lock="poll_devices")
def poll_devices(timestamp: int) -> dict[str, int]:
    """Poll every monitored device once (bounded concurrency) and count its status."""
    return monitoring.poll_devices()


@app.periodic(cron="*/15 * * * *", periodic_id="refresh_onus")
@app.task(queue="devices", name="devices.refresh_onus", lock="refresh_onus")
def refresh_onus(timestamp: int) -> dict[str, int]:
    """Store every OLT's ONUs with their signal (the staff ONU list reads these rows)."""
    from lastmile.devices.onus import refresh_all_onus

    return refresh_all_onus()
