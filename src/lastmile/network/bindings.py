"""Use cases of IPoE access bindings (a customer's MAC and/or Option 82 port).

Deleting a binding, or changing its customer, MAC or port, fires
ACCESS_CHANGED (binding_changed) for the open sessions that came in through
it: they are disconnected, and the re-authentication meets the binding as it
is now.  ``lastmile.network.services`` re-exports these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from lastmile.core.actor import Actor
from lastmile.core.hooks import ACCESS_CHANGED, AccessReason
from lastmile.network.errors import BindingConflict, BindingNotAllowed, InvalidBinding
from lastmile.network.models import AccessBinding, Lease, Session, normalize_mac

log = structlog.get_logger("lastmile.network")

# Deleting a binding, or changing its customer, MAC or port, fires ACCESS_CHANGED
# (binding_changed) for the open sessions that came in through it: they are
# disconnected, and the re-authentication meets the binding as it is now.

_BINDING_FIELDS = ("customer", "mac", "remote_id", "circuit_id", "description")
_OPTION82_MAX = 128


@dataclass(frozen=True)
class BindingChange:
    """A saved binding and, when its port text is in no known format, a warning for staff."""

    binding: AccessBinding
    warning: str = ""


def create_binding(
    *,
    actor: Actor | None,
    customer: Any,
    mac: str = "",
    remote_id: str = "",
    circuit_id: str = "",
    description: str = "",
) -> BindingChange:
    """Bind ``customer`` to a MAC and/or a switch port (one transaction)."""
    binding = AccessBinding(customer=customer, description=description.strip())
    warning = _set_binding_values(binding, mac=mac, remote_id=remote_id, circuit_id=circuit_id)
    with transaction.atomic():
        _check_customer(actor, customer)
        _check_binding_free(binding, actor)
        _save_binding(binding, actor, force_insert=True)
        _check_binding_allowed(binding, actor, "add")
    log.info("binding.created", binding_id=binding.pk, customer_id=customer.pk, **_who(actor))
    return BindingChange(binding, warning)


def update_binding(*, actor: Actor | None, binding: AccessBinding, **changes: Any) -> BindingChange:
    """Change a binding's customer, MAC, port or description (one transaction)."""
    unknown = set(changes) - set(_BINDING_FIELDS)
    if unknown:
        raise TypeError(f"cannot change {', '.join(sorted(unknown))}")
    before = {
        name: getattr(binding, name) for name in (*_BINDING_FIELDS, "port_switch", "port_name")
    }
    identity = (binding.customer_id, binding.mac, binding.remote_id, binding.circuit_id)
    try:
        with transaction.atomic():
            _check_binding_allowed(binding, actor, "change")
            if "customer" in changes:
                _check_customer(actor, changes["customer"])
                binding.customer = changes["customer"]
            if "description" in changes:
                binding.description = str(changes["description"]).strip()
            warning = _set_binding_values(
                binding,
                mac=changes.get("mac", binding.mac),
                remote_id=changes.get("remote_id", binding.remote_id),
                circuit_id=changes.get("circuit_id", binding.circuit_id),
            )
            _check_binding_free(binding, actor)
            _save_binding(binding, actor)
            _check_binding_allowed(binding, actor, "change")
            if identity != (
                binding.customer_id,
                binding.mac,
                binding.remote_id,
                binding.circuit_id,
            ):
                _disconnect_binding_sessions(*identity)
    except BaseException:
        for name, value in before.items():
            setattr(binding, name, value)
        raise
    log.info(
        "binding.updated",
        binding_id=binding.pk,
        customer_id=binding.customer_id,
        from_customer_id=before["customer"].pk,
        **_who(actor),
    )
    return BindingChange(binding, warning)


#: Checks of the device port a binding is put on, ``check(binding=, port=)``
#: raising ``InvalidBinding``: the devices app (it owns ports, and sits above
#: this app) registers the option 82 check in its ``AppConfig.ready()``.
DEVICE_PORT_CHECKS: list[Any] = []


def set_binding_device_port(
    *, actor: Actor | None, binding: AccessBinding, port: Any
) -> AccessBinding:
    """Record which device port (``lastmile.devices.Port``, or None) a binding
    is on.  The devices app checks that the option 82 key names that port."""
    with transaction.atomic():
        _check_binding_allowed(binding, actor, "change")
        if port is not None:
            for check in DEVICE_PORT_CHECKS:
                check(binding=binding, port=port)
        binding.device_port = port
        binding.save(update_fields=["device_port", "updated_at"])
    log.info(
        "binding.device_port",
        binding_id=binding.pk,
        port_id=getattr(port, "pk", None),
        **_who(actor),
    )
    return binding


def choose_binding_device_port(
    *, actor: Actor | None, binding: AccessBinding, port_id: int | None
) -> None:
    """Put the binding on the inventory port ``port_id`` (one of a device the
    actor may view; None: no port), checked as ``set_binding_device_port`` does."""
    from django.apps import apps  # the devices app sits above this one

    if port_id == binding.device_port_id:
        return
    port = None
    if port_id is not None:
        visible = apps.get_model("devices", "Device").objects.restrict(actor, "view").values("pk")
        port = (
            apps.get_model("devices", "Port")
            .objects.filter(device__in=visible, pk=port_id)
            .select_related("device")
            .first()
        )
        if port is None:
            raise InvalidBinding(_("Choose a port of a device you may view."), field="device_port")
    set_binding_device_port(actor=actor, binding=binding, port=port)


def delete_binding(*, actor: Actor | None, binding: AccessBinding) -> None:
    """Delete a binding (its history stays in pghistory's events; one transaction)."""
    with transaction.atomic():
        _check_binding_allowed(binding, actor, "delete")
        binding_id, customer_id = binding.pk, binding.customer_id
        _disconnect_binding_sessions(
            customer_id, binding.mac, binding.remote_id, binding.circuit_id
        )
        binding.delete()
    log.info("binding.deleted", binding_id=binding_id, customer_id=customer_id, **_who(actor))


def _disconnect_binding_sessions(
    customer_id: int, mac: str, remote_id: str, circuit_id: str
) -> None:
    """Fire ACCESS_CHANGED for each open session of ``customer_id`` that the
    binding let in: its MAC is the session's Calling-Station-Id, or its port
    is the option 82 port the session's lease was given on (compared by the
    parsed port key, so one port in two encodings matches)."""
    from lastmile.radius import option82

    def key(remote: str, circuit: str) -> tuple[str, str]:
        try:
            return option82.relay_key(remote, circuit)
        except option82.Option82Error:
            return (f"raw:{remote}", circuit)

    addresses: set[str] = set()
    if remote_id:
        wanted = key(remote_id, circuit_id)
        addresses = {
            address
            for address, lease_remote, lease_circuit in Lease.objects.filter(
                customer_id=customer_id, ended_at__isnull=True
            )
            .exclude(remote_id="")
            .values_list("address", "remote_id", "circuit_id")
            if (lease_remote, lease_circuit) == (remote_id, circuit_id)
            or key(lease_remote, lease_circuit) == wanted
        }
    condition = Q(pk__in=[])
    if mac:
        condition |= Q(mac=mac)
    if addresses:
        condition |= Q(address__in=addresses)
    for session_pk in Session.objects.filter(
        condition, customer_id=customer_id, stopped_at__isnull=True
    ).values_list("pk", flat=True):
        ACCESS_CHANGED.fire(
            customer_id=customer_id, reason=AccessReason.BINDING_CHANGED, session_pk=session_pk
        )


def _who(actor: Actor | None) -> dict[str, Any]:
    return {"actor": getattr(actor, "pk", None)}


def _set_binding_values(
    binding: AccessBinding, *, mac: str, remote_id: str, circuit_id: str
) -> str:
    """Validate and set the identity values; the parser's warning, or ''."""
    mac, remote_id, circuit_id = (str(v or "").strip() for v in (mac, remote_id, circuit_id))
    if mac:
        normalized = normalize_mac(mac)
        if not normalized:
            raise InvalidBinding(
                _("%(value)s is not a MAC address; enter one like aa:bb:cc:dd:ee:ff.")
                % {"value": mac},
                field="mac",
            )
        mac = normalized
    for field, value in (("remote_id", remote_id), ("circuit_id", circuit_id)):
        if len(value) > _OPTION82_MAX:
            raise InvalidBinding(_("At most %(n)d characters.") % {"n": _OPTION82_MAX}, field=field)
    if circuit_id and not remote_id:
        raise InvalidBinding(
            _("A circuit id (port) needs the remote id (switch) it belongs to."),
            field="remote_id",
        )
    if not mac and not remote_id:
        raise InvalidBinding(_("Enter a MAC address, a switch port (option 82), or both."))
    binding.mac, binding.remote_id, binding.circuit_id = mac, remote_id, circuit_id
    problem = binding.fill_port_key()
    if not problem:
        return ""
    return _(
        "The switch port is in no format the option 82 parser knows (%(problem)s): it is "
        "kept as exact text and will match only requests carrying identical text."
    ) % {"problem": problem}


def _check_customer(actor: Actor | None, customer: Any) -> None:
    from lastmile.customers.models import Customer

    if actor is not None and not (
        Customer.objects.restrict(actor, "view").filter(pk=customer.pk).exists()
    ):
        raise BindingNotAllowed(_("You are not allowed to bind this customer."))


def _check_binding_allowed(binding: AccessBinding, actor: Actor | None, action: str) -> None:
    if actor is not None and not (
        AccessBinding.objects.restrict(actor, action).filter(pk=binding.pk).exists()
    ):
        raise BindingNotAllowed(_("You are not allowed to do this with this IPoE binding."))


def _holder(actor: Actor | None, customer_id: int) -> str:
    """The other customer's name, if the actor may see them."""
    from lastmile.customers.models import Customer

    customers = (
        Customer.objects.all() if actor is None else Customer.objects.restrict(actor, "view")
    )
    customer = customers.filter(pk=customer_id).first()
    return str(customer) if customer is not None else ""


def _check_binding_free(binding: AccessBinding, actor: Actor | None) -> None:
    """A clear conflict error when the MAC or the port is bound by another row."""
    others = AccessBinding.objects.exclude(pk=binding.pk) if binding.pk else AccessBinding.objects
    if binding.mac:
        other = others.filter(mac=binding.mac).first()
        if other is not None:
            raise _conflict(actor, other.customer_id, "mac", binding.mac)
    if binding.remote_id:
        other = (
            others.filter(port_switch=binding.port_switch, port_name=binding.port_name)
            .exclude(remote_id="")
            .first()
        )
        if other is not None:
            raise _conflict(
                actor, other.customer_id, "remote_id", f"{other.remote_id} / {other.circuit_id}"
            )


def _conflict(actor: Actor | None, customer_id: int, field: str, value: str) -> BindingConflict:
    holder = _holder(actor, customer_id)
    if field == "mac":
        message = (
            _("MAC %(value)s is already bound to customer %(customer)s.")
            if holder
            else _("MAC %(value)s is already bound to another customer.")
        )
    else:
        message = (
            _("This switch port is already bound (as %(value)s) to customer %(customer)s.")
            if holder
            else _("This switch port is already bound to another customer.")
        )
    return BindingConflict(message % {"value": value, "customer": holder}, field=field)


def _save_binding(
    binding: AccessBinding, actor: Actor | None, *, force_insert: bool = False
) -> None:
    """Save; a unique violation the pre-check missed (a concurrent change) is a conflict."""
    try:
        with transaction.atomic():
            binding.save(force_insert=force_insert)
    except IntegrityError as exc:
        if force_insert:
            binding.pk = None
        _check_binding_free(binding, actor)
        raise BindingConflict(_("This MAC or switch port was just bound by someone else.")) from exc
