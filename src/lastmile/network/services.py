"""Use cases of the network app: static assignment, ending leases, the
periodic clean-ups, and the ORM allocation used outside the RADIUS server.

Every function is one transaction.  NAS side effects (Disconnect) are asked
for through the ``ACCESS_CHANGED`` hook and run after commit as a job.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.core.hooks import ACCESS_CHANGED, AccessReason
from lastmile.network.errors import (
    AddressInUse,
    AddressOutsidePool,
    BindingConflict,
    BindingNotAllowed,
    InvalidBinding,
    PoolExhausted,
)
from lastmile.network.models import (
    AccessBinding,
    Lease,
    LeaseEndReason,
    LeaseKind,
    Pool,
    PoolKind,
    Session,
    normalize_mac,
)

log = structlog.get_logger("lastmile.network")


def _disconnect_lease(lease: Lease, reason: AccessReason = AccessReason.LEASE_ENDED) -> None:
    ACCESS_CHANGED.fire(customer_id=lease.customer_id, reason=reason, address=lease.address)


@transaction.atomic
def request_disconnect(*, session: Session) -> None:
    """Ask for a Disconnect of one open session (a job sends it after commit)."""
    if session.customer_id is None or session.stopped_at is not None:
        return
    ACCESS_CHANGED.fire(
        customer_id=session.customer_id, reason=AccessReason.STAFF_DISCONNECT, session_pk=session.pk
    )


def end_lease(*, lease: Lease, reason: str, actor: Any = None, disconnect: bool = True) -> bool:
    """End an active lease (its row stays as history) and, after commit,
    disconnect the session using the address.  False if it had ended already."""
    with transaction.atomic():
        ended = Lease.objects.filter(pk=lease.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=reason
        )
        if not ended:
            return False
        lease.refresh_from_db()
        log.info(
            "lease.ended",
            lease_id=lease.pk,
            address=lease.address,
            customer_id=lease.customer_id,
            reason=reason,
            actor=getattr(actor, "pk", None),
        )
        if disconnect:
            _disconnect_lease(lease)
    return True


def _pool_for(address: str, kind: str | None = None) -> Pool:
    ip = ipaddress.ip_address(address)
    pools = Pool.objects.filter(is_active=True)
    if kind:
        pools = pools.filter(kind=kind)
    for pool in pools.order_by("priority", "pk"):
        first, last = pool.host_bounds()
        if ip.version == pool.family and first <= int(ip) <= last:
            return pool
    raise AddressOutsidePool(_("%(address)s is not inside any active pool.") % {"address": address})


def assign_static(
    *,
    customer: Any,
    address: str,
    pool: Pool | None = None,
    mac: str = "",
    actor: Any = None,
) -> Lease:
    """Give ``customer`` a static address.  An address held by an *inactive*
    customer moves (the old lease ends with reason "moved", logged); one held
    by an active customer is refused."""
    address = str(ipaddress.ip_address(address))
    with transaction.atomic():
        pool = pool or _pool_for(address)
        holder = (
            Lease.objects.select_for_update()
            .select_related("customer")
            .filter(address=address, ended_at__isnull=True)
            .first()
        )
        if holder is not None:
            if holder.customer_id == customer.pk and holder.kind == LeaseKind.STATIC:
                return holder
            if holder.customer.is_active and holder.customer_id != customer.pk:
                raise AddressInUse(
                    _("%(address)s is leased to active customer %(customer)s.")
                    % {"address": address, "customer": holder.customer}
                )
            end_lease(lease=holder, reason=LeaseEndReason.MOVED, actor=actor)
            log.warning(
                "lease.static_moved",
                address=address,
                from_customer_id=holder.customer_id,
                to_customer_id=customer.pk,
                actor=getattr(actor, "pk", None),
            )
        try:
            with transaction.atomic():
                lease = Lease.objects.create(
                    address=address,
                    pool=pool,
                    customer=customer,
                    kind=LeaseKind.STATIC,
                    mac=mac,
                )
        except IntegrityError as exc:
            raise AddressInUse(_("%(address)s was just taken.") % {"address": address}) from exc
        log.info("lease.static_assigned", address=address, customer_id=customer.pk)
        # Sessions online with another address re-authenticate onto the static one.
        ACCESS_CHANGED.fire(customer_id=customer.pk, reason=AccessReason.STATIC_ADDRESS_CHANGED)
    return Lease.objects.get(pk=lease.pk)


def allocate_dynamic(
    *,
    customer_id: int,
    pool: Pool,
    mac: str = "",
    nas_id: int | None = None,
    lease_time_s: int | None = None,
) -> Lease:
    """The customer's active dynamic lease in ``pool``, or a new one on the
    lowest free address.  Safe under concurrency: the unique index decides."""
    lease_time_s = lease_time_s or settings.LASTMILE.lease_time_s
    existing = Lease.objects.filter(
        customer_id=customer_id, pool=pool, kind=LeaseKind.DYNAMIC, ended_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    if pool.family != 4:
        raise PoolExhausted(_("Dynamic allocation is only done from IPv4 pools."))
    first, last = pool.host_bounds()
    expires = timezone.now() + timedelta(seconds=lease_time_s)
    for _attempt in range(20):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                """
                WITH candidate AS (
                    SELECT (%(base)s::inet + n) AS address
                    FROM generate_series(0, %(span)s) AS n
                    WHERE (%(base)s::inet + n) IS DISTINCT FROM %(gateway)s::inet
                      AND NOT EXISTS (
                        SELECT 1 FROM network_lease l
                        WHERE l.address = (%(base)s::inet + n) AND l.ended_at IS NULL)
                    LIMIT 1
                )
                INSERT INTO network_lease (address, pool_id, customer_id, kind, mac, remote_id,
                    circuit_id, nas_id, expires_at, started_at, renewed_at, end_reason)
                SELECT address, %(pool)s, %(customer)s, 'dynamic', %(mac)s, '', '', %(nas)s,
                    %(expires)s, now(), now(), ''
                FROM candidate
                ON CONFLICT DO NOTHING
                RETURNING id
                """,
                {
                    "base": str(ipaddress.IPv4Address(first)),
                    "span": last - first,
                    "gateway": pool.gateway,
                    "pool": pool.pk,
                    "customer": customer_id,
                    "mac": mac,
                    "nas": nas_id,
                    "expires": expires,
                },
            )
            row = cur.fetchone()
        if row is not None:
            return Lease.objects.get(pk=row[0])
        existing = Lease.objects.filter(
            customer_id=customer_id, pool=pool, kind=LeaseKind.DYNAMIC, ended_at__isnull=True
        ).first()
        if existing is not None:
            return existing
        if not _has_free(pool):
            break
    raise PoolExhausted(_("No free address in pool %(pool)s.") % {"pool": pool.name})


def renew_lease(
    *,
    lease_id: int,
    expires_at: datetime | None,
    mac: str = "",
    remote_id: str = "",
    circuit_id: str = "",
    nas_id: int | None = None,
) -> None:
    """A re-authentication renews its lease (the rlm_rest path; the RADIUS
    server does the same in its writer): the new expiry (None: a static lease
    keeps none), and the equipment on a lease that has none yet."""
    from django.db.models import Case, F, Value, When

    updates: dict[str, Any] = {"renewed_at": timezone.now(), "nas_id": nas_id}
    if expires_at is not None:
        updates["expires_at"] = expires_at
    if mac:
        updates["mac"] = Case(When(mac="", then=Value(mac)), default=F("mac"))
    if remote_id:
        updates["remote_id"] = Case(
            When(remote_id="", then=Value(remote_id)), default=F("remote_id")
        )
        updates["circuit_id"] = Case(
            When(remote_id="", then=Value(circuit_id)), default=F("circuit_id")
        )
    Lease.objects.filter(pk=lease_id, ended_at__isnull=True).update(**updates)


def allocate_prefix(
    *,
    customer_id: int,
    pool: Pool,
    address: str,
    mac: str = "",
    nas_id: int | None = None,
    lease_time_s: int | None = None,
) -> Lease | None:
    """The customer's active prefix lease in the IPv6 ``pool``, or a new one on
    the prefix starting at ``address`` (the caller picks it, as the RADIUS
    server does); None when that prefix is taken (the database decides: the
    unique and no-overlap constraints)."""
    existing = Lease.objects.filter(
        customer_id=customer_id, pool=pool, kind=LeaseKind.DYNAMIC, ended_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    expires = timezone.now() + timedelta(seconds=lease_time_s or settings.LASTMILE.lease_time_s)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO network_lease (address, prefix_length, pool_id, customer_id, kind, mac,
                remote_id, circuit_id, nas_id, expires_at, started_at, renewed_at, end_reason)
            VALUES (%(address)s::inet, %(length)s, %(pool)s, %(customer)s, 'dynamic', %(mac)s,
                '', '', %(nas)s, %(expires)s, now(), now(), '')
            ON CONFLICT DO NOTHING
            RETURNING id
            """,
            {
                "address": address,
                "length": pool.delegated_prefix_length,
                "pool": pool.pk,
                "customer": customer_id,
                "mac": mac,
                "nas": nas_id,
                "expires": expires,
            },
        )
        row = cur.fetchone()
    if row is not None:
        return Lease.objects.get(pk=row[0])
    return Lease.objects.filter(
        customer_id=customer_id, pool=pool, kind=LeaseKind.DYNAMIC, ended_at__isnull=True
    ).first()


def _has_free(pool: Pool) -> bool:
    used = Lease.objects.filter(pool=pool, ended_at__isnull=True).count()
    return used < pool.size


def expire_dynamic_leases(*, now: datetime | None = None) -> int:
    """End dynamic leases whose time ran out (set-based; the periodic job)."""
    now = now or timezone.now()
    count = Lease.objects.filter(
        kind=LeaseKind.DYNAMIC, ended_at__isnull=True, expires_at__lt=now
    ).update(ended_at=now, end_reason=LeaseEndReason.EXPIRED)
    if count:
        log.info("leases.expired", count=count)
    return count


def close_stale_sessions(*, now: datetime | None = None, missed_intervals: int = 3) -> int:
    """Close sessions that missed ``missed_intervals`` interim updates; they
    end at their last update with cause "Stale" (an interim that still comes
    reopens them)."""
    now = now or timezone.now()
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE network_session SET stopped_at = updated_at, terminate_cause = 'Stale'"
            " WHERE stopped_at IS NULL"
            " AND updated_at < %s - make_interval(secs => interim_interval_s * %s)",
            [now, missed_intervals],
        )
        count: int = cur.rowcount
    if count:
        log.info("sessions.closed_stale", count=count)
    return count


def pool_usage(pools: list[Pool]) -> dict[int, int]:
    """Active leases per pool id."""
    from django.db.models import Count

    rows = (
        Lease.objects.filter(pool__in=pools, ended_at__isnull=True)
        .values("pool_id")
        .annotate(n=Count("id"))
    )
    return {row["pool_id"]: row["n"] for row in rows}


def open_sessions_for(customer_id: int) -> list[Session]:
    return list(
        Session.objects.filter(customer_id=customer_id, stopped_at__isnull=True).select_related(
            "nas"
        )
    )


# --- IPoE bindings ---------------------------------------------------------------
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
    actor: Any,
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


def update_binding(*, actor: Any, binding: AccessBinding, **changes: Any) -> BindingChange:
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


def set_binding_device_port(*, actor: Any, binding: AccessBinding, port: Any) -> AccessBinding:
    """Record which device port (``lastmile.devices.Port``, or None) a binding
    is on.  The devices app checks that the option 82 key names that port."""
    with transaction.atomic():
        _check_binding_allowed(binding, actor, "change")
        binding.device_port = port
        binding.save(update_fields=["device_port", "updated_at"])
    log.info(
        "binding.device_port",
        binding_id=binding.pk,
        port_id=getattr(port, "pk", None),
        **_who(actor),
    )
    return binding


def delete_binding(*, actor: Any, binding: AccessBinding) -> None:
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


def _who(actor: Any) -> dict[str, Any]:
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


def _check_customer(actor: Any, customer: Any) -> None:
    from lastmile.customers.models import Customer

    if actor is not None and not (
        Customer.objects.restrict(actor, "view").filter(pk=customer.pk).exists()
    ):
        raise BindingNotAllowed(_("You are not allowed to bind this customer."))


def _check_binding_allowed(binding: AccessBinding, actor: Any, action: str) -> None:
    if actor is not None and not (
        AccessBinding.objects.restrict(actor, action).filter(pk=binding.pk).exists()
    ):
        raise BindingNotAllowed(_("You are not allowed to do this with this IPoE binding."))


def _holder(actor: Any, customer_id: int) -> str:
    """The other customer's name, if the actor may see them."""
    from lastmile.customers.models import Customer

    customers = (
        Customer.objects.all() if actor is None else Customer.objects.restrict(actor, "view")
    )
    customer = customers.filter(pk=customer_id).first()
    return str(customer) if customer is not None else ""


def _check_binding_free(binding: AccessBinding, actor: Any) -> None:
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


def _conflict(actor: Any, customer_id: int, field: str, value: str) -> BindingConflict:
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


def _save_binding(binding: AccessBinding, actor: Any, *, force_insert: bool = False) -> None:
    """Save; a unique violation the pre-check missed (a concurrent change) is a conflict."""
    try:
        with transaction.atomic():
            binding.save(force_insert=force_insert)
    except IntegrityError as exc:
        if force_insert:
            binding.pk = None
        _check_binding_free(binding, actor)
        raise BindingConflict(_("This MAC or switch port was just bound by someone else.")) from exc


__all__ = [
    "BindingChange",
    "PoolKind",
    "allocate_dynamic",
    "assign_static",
    "close_stale_sessions",
    "create_binding",
    "delete_binding",
    "end_lease",
    "expire_dynamic_leases",
    "pool_usage",
    "update_binding",
]
