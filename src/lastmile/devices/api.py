"""REST endpoints of the devices app: inventory, ports, operations, action log.

Operations answer 200 with the device's answer, or a problem document:
403 without the operation's permission, 404 for a device the user may not
see, 422 for refused input, 502 when the device answered with an error,
504 when it did not answer, 409 while another CLI session holds it.

(No ``from __future__ import annotations``: ninja reads the Query[...] types.)"""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from lastmile.accounts.permissions import has_model_permission
from lastmile.api.errors import DomainError
from lastmile.devices import services
from lastmile.devices.errors import DeviceOperationError, InvalidDeviceData
from lastmile.devices.models import Device, DeviceAction, Onu, Outcome, Port
from lastmile.devices.operations import OPERATIONS

router = Router(tags=["devices"])

_STATUS: dict[str, int] = {
    Outcome.DENIED: 403,
    Outcome.BAD_INPUT: 422,
    Outcome.UNSUPPORTED: 422,
    Outcome.UNREACHABLE: 504,
    Outcome.BUSY: 409,
    Outcome.ERROR: 502,
}


class DeviceOut(Schema):
    id: int
    name: str
    driver: str
    ip: str | None
    mac: str
    address: str
    address_object_id: int | None
    group_id: int | None
    site_id: int | None
    parent_id: int | None
    status: str
    status_changed_at: datetime | None
    polled_at: datetime | None
    extra: dict[str, Any]


class DeviceIn(Schema):
    name: str
    driver: str = "unknown"
    ip: str | None = None
    mac: str = ""
    address: str = ""
    # The installation address in the registry (``/api/v1/addresses``); the
    # typed ``address`` stays as the label.
    address_object_id: int | None = None
    group_id: int | None = None
    site_id: int | None = None
    parent_id: int | None = None
    snmp_version: str = "2c"
    snmp_community: str = ""
    cli_username: str = ""
    cli_password: str = ""
    extra: dict[str, Any] = {}


class DeviceChangeIn(Schema):
    """A change of a device: only the fields given are changed.  A secret
    given as "" is kept (as in the form); ``null`` clears an optional link."""

    name: str | None = None
    driver: str | None = None
    ip: str | None = None
    mac: str | None = None
    address: str | None = None
    address_object_id: int | None = None
    group_id: int | None = None
    site_id: int | None = None
    parent_id: int | None = None
    snmp_version: str | None = None
    snmp_community: str | None = None
    cli_username: str | None = None
    cli_password: str | None = None
    extra: dict[str, Any] | None = None


_SECRETS = ("snmp_community", "cli_password")


def _nullable(field: str) -> bool:
    """Whether the model column behind an API field takes NULL (``group_id`` is ``group``)."""
    return bool(getattr(Device._meta.get_field(field.removesuffix("_id")), "null", False))


class PortOut(Schema):
    id: int
    number: int
    name: str
    description: str
    mode: str
    role: str
    watch: str
    is_watched: bool
    admin_up: bool | None
    link: str
    speed_mbps: int | None
    untagged_vid: int | None
    tagged_vids: list[int]


class PortIn(Schema):
    number: int
    name: str = ""
    description: str = ""
    mode: str = "access"
    role: str = ""
    watch: str = ""


class PortSettingsIn(Schema):
    mode: str | None = None
    role: str | None = None
    watch: str | None = None


class OnuOut(Schema):
    id: int
    olt_id: int
    fiber: str
    number: int
    serial: str
    mac: str
    name: str
    model: str
    state: str
    is_present: bool
    rx_dbm: float | None
    tx_dbm: float | None
    last_seen_at: datetime | None
    vlans: list[int]
    vlans_read_at: datetime | None
    binding_id: int | None


class ActionOut(Schema):
    id: int
    device_id: int | None
    device_name: str
    actor_name: str
    operation: str
    parameters: Any
    outcome: str
    result: Any
    error: str
    started_at: datetime
    duration_ms: int


class DeviceFilter(Schema):
    status: str | None = None
    driver: str | None = None
    group_id: int | None = None


class OperationIn(Schema):
    params: dict[str, Any] = {}


def _device(request: HttpRequest, device_id: int) -> Device:
    return get_object_or_404(Device.objects.restrict(request.user, "view"), pk=device_id)


@router.get("/", response=list[DeviceOut])
@paginate
def list_devices(request: HttpRequest, filters: Query[DeviceFilter]) -> Any:
    qs = Device.objects.restrict(request.user, "view")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.driver:
        qs = qs.filter(driver=filters.driver)
    if filters.group_id:
        qs = qs.filter(group_id=filters.group_id)
    return qs.order_by("name")


@router.post("/", response={201: DeviceOut})
def create_device(request: HttpRequest, payload: DeviceIn) -> Any:
    if not has_model_permission(request.user, Device, "add"):
        raise PermissionDenied
    data = payload.dict()
    secrets = {
        "snmp_community": data.pop("snmp_community"),
        "cli_password": data.pop("cli_password"),
    }
    device = Device(**data)
    try:
        services.save_device(actor=request.user, device=device, secrets=secrets)
    except InvalidDeviceData as exc:
        raise DomainError(str(exc), status=422, field=exc.field) from exc
    if not Device.objects.restrict(request.user, "add").filter(pk=device.pk).exists():
        device.delete()
        raise PermissionDenied
    return Status(201, device)


@router.get("/actions", response=list[ActionOut])
@paginate
def list_actions(request: HttpRequest, device_id: int | None = None) -> Any:
    visible = Device.objects.restrict(request.user, "view").values("pk")
    qs = DeviceAction.objects.filter(device_id__in=visible)
    if device_id is not None:
        qs = qs.filter(device_id=device_id)
    return qs.order_by("-started_at", "-id")


@router.get("/onus", response=list[OnuOut])
@paginate
def list_onus(request: HttpRequest, olt_id: int | None = None) -> Any:
    """Stored ONUs (refreshed by polling the OLTs) the user may view: the
    ONUs' own permission, not the OLT's."""
    qs = Onu.objects.restrict(request.user, "view")
    if olt_id is not None:
        qs = qs.filter(olt_id=olt_id)
    return qs.order_by("olt_id", "fiber", "number")


@router.get("/{device_id}", response=DeviceOut)
def get_device(request: HttpRequest, device_id: int) -> Any:
    return _device(request, device_id)


@router.patch("/{device_id}", response=DeviceOut)
def change_device(request: HttpRequest, device_id: int, payload: DeviceChangeIn) -> Any:
    """Change a device (``change`` on it) through the same service and checks
    as the form; a change that would move it out of the user's groups is
    refused and nothing is saved."""
    device = get_object_or_404(Device.objects.restrict(request.user, "change"), pk=device_id)
    data = payload.dict(exclude_unset=True)
    secrets = {field: data.pop(field) or "" for field in _SECRETS if field in data}
    for field, value in data.items():
        if value is None and not _nullable(field):
            raise DomainError(f"{field} cannot be null.", status=422, field=field)
    for field, value in data.items():
        setattr(device, field, value)
    try:
        with transaction.atomic():
            services.save_device(actor=request.user, device=device, secrets=secrets)
            if not Device.objects.restrict(request.user, "change").filter(pk=device.pk).exists():
                raise PermissionDenied
    except InvalidDeviceData as exc:
        raise DomainError(str(exc), status=422, field=exc.field) from exc
    return device


@router.delete("/{device_id}", response={204: None})
def delete_device(request: HttpRequest, device_id: int) -> Any:
    """Delete a device (``delete`` on it), as the staff page does: its ports,
    ONUs and status history go with it; customers' bindings on its ports
    stay, with their option 82 keys, unlinked from the port; the action log
    keeps the device's name."""
    device = get_object_or_404(Device.objects.restrict(request.user, "delete"), pk=device_id)
    services.delete_device(actor=request.user, device=device)
    return Status(204, None)


@router.get("/{device_id}/ports", response=list[PortOut])
def list_ports(request: HttpRequest, device_id: int) -> Any:
    device = _device(request, device_id)
    return list(device.ports.prefetch_related("vlans").order_by("number"))


@router.post("/{device_id}/ports", response={201: PortOut})
def add_port(request: HttpRequest, device_id: int, payload: PortIn) -> Any:
    device = get_object_or_404(Device.objects.restrict(request.user, "change"), pk=device_id)
    try:
        port = services.add_port(actor=request.user, device=device, **payload.dict())
    except InvalidDeviceData as exc:
        raise DomainError(str(exc), status=422, field=exc.field) from exc
    return Status(201, Port.objects.prefetch_related("vlans").get(pk=port.pk))


@router.patch("/{device_id}/ports/{number}", response=PortOut)
def change_port(request: HttpRequest, device_id: int, number: int, payload: PortSettingsIn) -> Any:
    """A port's mode, role and link watch (``change`` on the device; written to the action log)."""
    device = get_object_or_404(Device.objects.restrict(request.user, "change"), pk=device_id)
    port = get_object_or_404(device.ports, number=number)
    try:
        services.set_port_settings(
            actor=request.user,
            port=port,
            mode=payload.mode,
            role=payload.role,
            watch=payload.watch,
        )
    except InvalidDeviceData as exc:
        raise DomainError(str(exc), status=422, field=exc.field) from exc
    return Port.objects.prefetch_related("vlans").get(pk=port.pk)


@router.post("/{device_id}/operations/{operation}")
def run_operation(
    request: HttpRequest, device_id: int, operation: str, payload: OperationIn
) -> Any:
    """Run one operation (``ports``, ``set_port_admin``, ``set_port_vlans``,
    ``register_onu``…) with ``params``; the answer is the device's, as JSON."""
    device = _device(request, device_id)
    if operation not in OPERATIONS:
        raise DomainError(f"Unknown operation {operation!r}.", status=404)
    try:
        answer = services.run_operation(
            actor=request.user, device=device, operation=operation, params=payload.params
        )
    except DeviceOperationError as exc:
        raise DomainError(
            str(exc),
            status=_STATUS.get(exc.outcome, 502),
            outcome=exc.outcome,
            action_id=exc.action_id,
        ) from exc
    return {"result": services.jsonable(answer)}
