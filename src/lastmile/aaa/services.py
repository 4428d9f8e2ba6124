"""AAA use cases other apps call after their transaction commits:
disconnect a customer (blocked for debt, lease deleted) and change a
customer's speed on the NAS (tariff changed).  Results are recorded on the
session rows (``coa_kind``, ``coa_result``, ``coa_detail``, ``coa_at``)."""

from __future__ import annotations

import structlog
from django.conf import settings
from django.utils import timezone

from lastmile.network.models import Nas, Session
from lastmile.radius import coa, codec
from lastmile.radius.profiles import Rate, speed_attributes

log = structlog.get_logger("lastmile.aaa")


def _session_attrs(session: Session) -> bytes:
    return coa.session_identity(
        acct_session_id=session.acct_session_id, login=session.login, address=session.address
    )


def _send(session: Session, kind: str, code: int, extra: bytes = b"") -> coa.CoaOutcome:
    nas: Nas = session.nas
    conf = settings.LASTMILE
    try:
        outcome = coa.send(
            host=nas.address,
            port=nas.coa_port,
            secret=nas.get_secret().encode(),
            code=code,
            attrs=_session_attrs(session) + extra,
            timeout_s=conf.radius_coa_timeout_s,
            attempts=conf.radius_coa_retries,
        )
    except ValueError as exc:  # secret cannot be decrypted, attribute too long …
        outcome = coa.CoaOutcome("error", str(exc)[:255])
    Session.objects.filter(pk=session.pk).update(
        coa_kind=kind, coa_result=outcome.result, coa_detail=outcome.detail, coa_at=timezone.now()
    )
    log.info(
        "coa.sent",
        kind=kind,
        nas=nas.address,
        session_id=session.acct_session_id,
        customer_id=session.customer_id,
        result=outcome.result,
        detail=outcome.detail,
    )
    return outcome


def _open_sessions(customer_id: int, address: str | None = None) -> list[Session]:
    qs = Session.objects.filter(customer_id=customer_id, stopped_at__isnull=True)
    if address is not None:
        qs = qs.filter(address=address)
    return list(qs.select_related("nas").order_by("pk"))


def disconnect_session(*, session: Session, reason: str) -> coa.CoaOutcome:
    """Send Disconnect-Request for one session; the result is recorded on it."""
    log.info("coa.disconnect", session_pk=session.pk, reason=reason)
    return _send(session, "disconnect", codec.DISCONNECT_REQUEST)


def disconnect_customer(*, customer_id: int, reason: str) -> list[coa.CoaOutcome]:
    """Disconnect every open session of the customer (blocked, lease deleted…).
    Call after commit; the NAS's answers are recorded on the sessions."""
    return [disconnect_session(session=s, reason=reason) for s in _open_sessions(customer_id)]


def disconnect_address(*, customer_id: int, address: str, reason: str) -> list[coa.CoaOutcome]:
    """Disconnect the customer's open sessions that use ``address``."""
    return [
        disconnect_session(session=s, reason=reason) for s in _open_sessions(customer_id, address)
    ]


def current_rate(customer_id: int) -> Rate | None:
    """The customer's per-address speed now, by the access rule; None when
    they may not be online with a paid tariff."""
    from lastmile.customers.models import Customer
    from lastmile.network.models import Lease
    from lastmile.subscriptions.models import Subscription

    customer = Customer.objects.filter(pk=customer_id, is_active=True).first()
    if customer is None:
        return None
    sub = (
        Subscription.objects.filter(
            customer_id=customer_id, state="active", period_end__gt=timezone.now()
        )
        .select_related("tariff")
        .first()
    )
    if sub is None:
        return None
    t = sub.tariff
    rate = Rate(t.rate_down_kbps, t.rate_up_kbps, t.burst_down_kbps, t.burst_up_kbps)
    if settings.LASTMILE.radius_split_rate:
        count = (
            Lease.objects.filter(customer_id=customer_id, ended_at__isnull=True)
            .exclude(pool__kind="guest")
            .count()
        )
        rate = rate.split(max(1, count))
    return rate


def change_speed(*, customer_id: int) -> list[coa.CoaOutcome]:
    """Tell the NAS the customer's new speed (CoA-Request) for every open
    session.  A customer who has lost access is disconnected instead, so the
    next login lands in the guest pool or is refused."""
    rate = current_rate(customer_id)
    if rate is None:
        return disconnect_customer(customer_id=customer_id, reason="access lost")
    outcomes = []
    for session in _open_sessions(customer_id):
        extra = speed_attributes(session.nas.vendor, rate)
        outcomes.append(_send(session, "coa", codec.COA_REQUEST, extra))
    return outcomes
