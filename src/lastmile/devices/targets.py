"""How the devices app reaches a driver: the device types to choose from, a
device's driver, its extra data checked by the driver's schema, its
``Target`` (secrets decrypted here only) and running a driver coroutine
from synchronous code."""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from lastmile import drivers as _drivers_pkg  # noqa: F401  (the package, for the registry)
from lastmile.devices.errors import InvalidDeviceData
from lastmile.devices.models import GENERIC, NO_DRIVER, Device
from lastmile.drivers import base


def driver_choices() -> list[tuple[str, str]]:
    """The types a device may have: no type, generic, then every registered driver."""
    return [(NO_DRIVER, _("unknown (inventory only)")), (GENERIC, _("generic (no driver)"))] + [
        (name, title) for name, title in base.choices() if name not in (NO_DRIVER, GENERIC)
    ]


def driver_for(device: Device) -> base.Driver | None:
    """The device's driver, or None when it has no type (or the type is gone)."""
    if not device.has_driver:
        return None
    try:
        return base.get(device.driver)
    except base.Unsupported:
        return None


def driver_supports(device: Device, method: str) -> bool:
    """Whether the device's driver implements ``method`` itself (the base
    class's version only answers ``Unsupported``)."""
    driver = driver_for(device)
    if driver is None:
        return False
    return getattr(type(driver), method, None) is not getattr(base.Driver, method, None)


def validate_extra(driver_name: str, extra: Any) -> dict[str, Any]:
    """``extra`` checked by the driver's ``extra_schema`` (pydantic); the
    normalised dict, or ``InvalidDeviceData`` naming each wrong field."""
    if extra in (None, ""):
        extra = {}
    if not isinstance(extra, dict):
        raise InvalidDeviceData(_("Extra data must be a JSON object."), field="extra")
    schema = None
    if driver_name not in ("", NO_DRIVER, GENERIC):
        try:
            schema = base.get(driver_name).extra_schema
        except base.Unsupported:
            schema = None
    if schema is None:
        return extra
    from pydantic import ValidationError

    try:
        model = schema.model_validate(extra)  # type: ignore[attr-defined]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or _('value')}: {err['msg']}"
            for err in exc.errors()
        )
        raise InvalidDeviceData(
            _("Extra data does not fit this device type: %(problems)s") % {"problems": problems},
            field="extra",
        ) from exc
    return dict(model.model_dump(mode="json"))


def target_for(device: Device, *, timeout_s: float | None = None) -> base.Target:
    """What the driver needs to reach ``device`` (secrets decrypted here only)."""
    snmp = base.SnmpCredentials(
        version=device.snmp_version,
        community=device.get_secret("snmp_community") or "public",
        write_community=device.get_secret("snmp_write_community"),
        user=device.snmp_user,
        auth_protocol=device.snmp_auth_protocol,
        auth_key=device.get_secret("snmp_auth_key"),
        priv_protocol=device.snmp_priv_protocol,
        priv_key=device.get_secret("snmp_priv_key"),
        port=device.snmp_port,
    )
    cli = None
    if device.cli_username or device.has_secret("cli_password"):
        cli = base.CliCredentials(
            username=device.cli_username,
            password=device.get_secret("cli_password"),
            enable_password=device.get_secret("cli_enable_password"),
            port=device.cli_port,
        )
    return base.Target(
        host=str(device.ip or ""),
        snmp=snmp,
        cli=cli,
        timeout_s=timeout_s or settings.LASTMILE.devices_poll_timeout_s,
        extra=dict(device.extra or {}),
        driver=device.driver,
    )


def run_async(coro: Any) -> Any:
    """Run a driver coroutine from synchronous code through the drivers'
    ``sync.run`` (a fresh loop, its SNMP engine closed after); from inside a
    running loop (an async caller), on a thread of its own."""
    from lastmile.drivers import sync

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return sync.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(sync.run, coro).result()
