"""Step 1 of applying access changes (see ``aaa.apply``): plan, in the database,
which request each open session of a changed customer needs now."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from lastmile.aaa import policy
from lastmile.aaa.models import AccessChange, NasAttempt
from lastmile.aaa.policy import Access, AccessTarget
from lastmile.core.hooks import AccessReason
from lastmile.network.models import Lease, Nas, PoolKind, Session
from lastmile.radius.profiles import Rate

#: Reasons that move the session's address whatever the customer's access is.
_ADDRESS_REASONS = frozenset(
    {
        AccessReason.LEASE_ENDED,
        AccessReason.STATIC_ADDRESS_CHANGED,
        AccessReason.STAFF_DISCONNECT,
        AccessReason.EQUIPMENT_CHANGED,
        AccessReason.BINDING_CHANGED,
    }
)
#: A NAK that means the session is not there any more: nothing is left to do.
_GONE = "Session-Context-Not-Found"


@dataclass(slots=True)
class _Job:
    """One session to deal with, and what has been sent for it."""

    change: AccessChange
    session: Session
    kind: str  # NasAttempt.Kind
    attrs: bytes = b""
    results: list[NasAttempt] = field(default_factory=list)

    @property
    def is_done(self) -> bool:
        last = self.results[-1] if self.results else None
        if last is None:
            return False
        return last.result == "ack" or (last.result == "nak" and last.detail == _GONE)


def _any(values: Iterable[object], sql_type: str = "bigint") -> RawSQL:
    """``field__in=_any(ids)``: the values as one array parameter.  A list
    would be a placeholder per value, and the client's parsing of a thousand
    placeholders was most of a job's CPU (the worker's jobs share one GIL)."""
    return RawSQL(f"SELECT unnest(%s::{sql_type}[])", [list(values)])  # noqa: S611 (a type name of ours)


# -- the policy, as the database sees it ------------------------------------------------
def access_targets(
    customer_ids: Sequence[int], at: datetime | None = None
) -> dict[int, AccessTarget]:
    """What each customer may do now: the state read for the batch, the rule
    and the speed from ``aaa/policy.py`` (as the RADIUS decision)."""
    from lastmile.customers.models import Customer
    from lastmile.subscriptions.models import Subscription

    at = at or timezone.now()
    active = set(
        Customer.objects.filter(pk__in=_any(customer_ids), is_active=True).values_list(
            "pk", flat=True
        )
    )
    subs = (
        Subscription.objects.filter(customer_id__in=_any(active), state="active", period_end__gt=at)
        .select_related("tariff")
        .order_by("customer_id", "-period_end")
    )
    rates: dict[int, Rate] = {}
    for sub in subs:
        t = sub.tariff
        rates.setdefault(
            sub.customer_id,
            Rate(t.rate_down_kbps, t.rate_up_kbps, t.burst_down_kbps, t.burst_up_kbps),
        )
    counts: dict[int, int] = {}
    if settings.LASTMILE.radius_split_rate and rates:
        for cid in (
            Lease.objects.filter(customer_id__in=_any(rates), ended_at__isnull=True)
            .exclude(pool__kind=PoolKind.GUEST)
            .values_list("customer_id", flat=True)
        ):
            counts[cid] = counts.get(cid, 0) + 1
    config = policy.PolicyConfig.from_settings(settings.LASTMILE)
    return {
        cid: policy.target(
            policy.CustomerAccess(
                cid, cid in active, cid in rates, rates.get(cid), counts.get(cid, 1)
            ),
            config,
        )
        for cid in customer_ids
    }


def _plan(changes: list[AccessChange]) -> list[_Job]:
    targets = access_targets([c.customer_id for c in changes])
    sessions = _open_sessions(changes)
    guest_addresses = _guest_addresses(s.address for s in sessions if s.address)
    done = _already_done(changes, sessions)
    by_customer: dict[int, list[Session]] = {}
    for session in sessions:
        by_customer.setdefault(session.customer_id or 0, []).append(session)
    jobs = []
    for change in changes:
        target = targets[change.customer_id]
        for session in by_customer.get(change.customer_id, ()):
            if not _concerns(change, session) or (change.pk, session.pk) in done:
                continue
            on_guest = session.address in guest_addresses or _moved_to_guest(session)
            planned = _request_for(change, target, on_guest, session.nas.vendor)
            if planned is not None:
                jobs.append(_Job(change, session, *planned))
    return jobs


def _request_for(
    change: AccessChange, target: AccessTarget, on_guest: bool, vendor: str
) -> tuple[str, bytes] | None:
    """(request kind, CoA attributes), or None, for one session of the customer."""
    disconnect = (NasAttempt.Kind.DISCONNECT, b"")
    if change.reason in _ADDRESS_REASONS or target.access == Access.NONE:
        return disconnect
    if on_guest:
        # Already where a guest belongs; a paid customer needs a normal address.
        return None if target.access == Access.GUEST else disconnect
    attrs = policy.coa_attributes(target, vendor)
    if attrs is None:  # the vendor cannot apply the guest profile live
        return disconnect
    kind = NasAttempt.Kind.COA if target.access == Access.PAID else NasAttempt.Kind.GUEST_COA
    return kind, attrs


def _moved_to_guest(session: Session) -> bool:
    """A CoA put the running session in the guest profile (its address is
    still a normal one): only a Disconnect brings it back to paid access."""
    return session.coa_kind == NasAttempt.Kind.GUEST_COA and session.coa_result == "ack"


_SESSION_FIELDS = (
    "id",
    "customer_id",
    "nas_id",
    "address",
    "acct_session_id",
    "login",
    "coa_kind",
    "coa_result",
)


def _open_sessions(changes: list[AccessChange]) -> list[Session]:
    customer_ids = {c.customer_id for c in changes}
    # Only the fields a job reads, and each NAS once (not a copy per session):
    # building a thousand full rows was a large part of a job's CPU.
    sessions = list(
        Session.objects.filter(customer_id__in=_any(customer_ids), stopped_at__isnull=True)
        .only(*_SESSION_FIELDS)
        .order_by("pk")
    )
    nases = Nas.objects.in_bulk({s.nas_id for s in sessions})
    for session in sessions:
        session.nas = nases[session.nas_id]
    return sessions


def _concerns(change: AccessChange, session: Session) -> bool:
    if session.customer_id != change.customer_id:
        return False
    if change.session_pk is not None and session.pk != change.session_pk:
        return False
    return change.address is None or session.address == change.address


def _guest_addresses(addresses: Iterable[str]) -> set[str]:
    wanted = set(addresses)
    if not wanted:
        return set()
    return set(
        Lease.objects.filter(
            address__in=_any(wanted, "inet"), ended_at__isnull=True, pool__kind=PoolKind.GUEST
        ).values_list("address", flat=True)
    )


def _already_done(changes: list[AccessChange], sessions: list[Session]) -> set[tuple[int, int]]:
    """(change, session) pairs an earlier try of the same change settled (a
    change never tried has no attempts: a try records all of its own or none)."""
    tried = [c for c in changes if c.tries]
    if not tried:
        return set()
    settled = NasAttempt.objects.filter(change_id__in=_any(c.pk for c in tried)).filter(
        Q(result="ack") | Q(result="nak", detail=_GONE)
    )
    by_session = {(s.nas_id, s.acct_session_id): s.pk for s in sessions}
    return {
        (a.change_id, by_session[(a.nas_id, a.acct_session_id)])
        for a in settled
        if (a.nas_id, a.acct_session_id) in by_session
    }
