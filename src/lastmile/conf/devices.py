"""Settings of devices (switches, OLTs): operations, monitoring, the webhook."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class DeviceSettings(BaseModel):
    """Device operations, monitoring polls, flap damping and the status webhook."""

    devices_operation_timeout_s: float = Field(
        20.0, gt=0, description="Longest a staff operation on a device (SNMP or CLI) may take."
    )
    devices_cli_lock_timeout_s: float = Field(
        30.0,
        gt=0,
        description="How long an operation waits for another CLI session to the same device "
        "(a PostgreSQL advisory lock, so across processes and machines).",
    )
    devices_poll_concurrency: int = Field(
        200, ge=1, le=5000, description="Devices polled at once by the monitoring job."
    )
    devices_poll_timeout_s: float = Field(
        2.0, gt=0, description="SNMP timeout of one monitoring poll of one device."
    )
    devices_flap_polls: int = Field(
        2,
        ge=1,
        description="Flap damping: a new status counts after this many polls in a row saw it.",
    )
    devices_flap_seconds: int = Field(
        0,
        ge=0,
        description="Flap damping: and after it has held this many seconds (0: polls only).",
    )
    devices_webhook_token: SecretStr | None = Field(
        None,
        description="Token external monitors (Zabbix) send in the X-Lastmile-Token header to "
        "POST /devices/webhook/status; empty: the webhook is off.",
    )
