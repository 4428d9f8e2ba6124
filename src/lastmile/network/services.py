"""Use cases of the network app: static assignment, ending leases, the
periodic clean-ups, and the ORM allocation used outside the RADIUS server.

IPoE bindings are in ``lastmile.network.bindings`` (re-exported here).
Every function is one transaction.  NAS side effects (Disconnect) are asked
for through the ``ACCESS_CHANGED`` hook and run after commit as a job.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.core.actor import Actor
from lastmile.core.hooks import ACCESS_CHANGED, AccessReason

# IPoE bindings live in their own module; their names stay importable from here.
from lastmile.network.bindings import (
    DEVICE_PORT_CHECKS,
    BindingChange,
    choose_binding_device_port,
    create_binding,
    delete_binding,
    set_binding_device_port,
    update_binding,
)
from lastmile.network.errors import (
    AddressInUse,
    AddressOutsidePool,
    PoolExhausted,
)
from lastmile.network.models import (
    Lease,
    LeaseEndReason,
    LeaseKind,
    Pool,
    PoolKind,
    Session,
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


def end_lease(
    *, lease: Lease, reason: str, actor: Actor | None = None, disconnect: bool = True
) -> bool:
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
    actor: Actor | None = None,
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


def _active_dynamic(customer_id: int, pool: Pool) -> Lease | None:
    """The customer's open dynamic lease in ``pool`` (one at most: a unique index)."""
    return Lease.objects.filter(
        customer_id=customer_id, pool=pool, kind=LeaseKind.DYNAMIC, ended_at__isnull=True
    ).first()


def _lease_params(
    pool: Pool, customer_id: int, mac: str, nas_id: int | None, expires: datetime
) -> dict[str, Any]:
    """The columns every new dynamic lease insert takes from its caller."""
    return {"pool": pool.pk, "customer": customer_id, "mac": mac, "nas": nas_id, "expires": expires}


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
    existing = _active_dynamic(customer_id, pool)
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
                    **_lease_params(pool, customer_id, mac, nas_id, expires),
                },
            )
            row = cur.fetchone()
        if row is not None:
            return Lease.objects.get(pk=row[0])
        existing = _active_dynamic(customer_id, pool)
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
    existing = _active_dynamic(customer_id, pool)
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
                **_lease_params(pool, customer_id, mac, nas_id, expires),
            },
        )
        row = cur.fetchone()
    if row is not None:
        return Lease.objects.get(pk=row[0])
    return _active_dynamic(customer_id, pool)


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


__all__ = [
    "DEVICE_PORT_CHECKS",
    "BindingChange",
    "PoolKind",
    "allocate_dynamic",
    "allocate_prefix",
    "assign_static",
    "choose_binding_device_port",
    "close_stale_sessions",
    "create_binding",
    "delete_binding",
    "end_lease",
    "expire_dynamic_leases",
    "open_sessions_for",
    "pool_usage",
    "renew_lease",
    "request_disconnect",
    "set_binding_device_port",
    "update_binding",
]
