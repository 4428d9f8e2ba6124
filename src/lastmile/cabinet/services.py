"""Use cases of the subscriber cabinet: log in (throttled by accounts.throttle), API tokens,
password change, and the history context of a subscriber's actions."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pghistory
import structlog
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from lastmile.accounts import throttle
from lastmile.cabinet.errors import LoginFailed, LoginThrottled, WeakPassword, WrongCurrentPassword
from lastmile.cabinet.models import CabinetAuthEvent, CabinetToken
from lastmile.customers import passwords
from lastmile.customers.errors import InvalidValue
from lastmile.customers.models import Customer

log = structlog.get_logger("lastmile.cabinet")

TOKEN_PREFIX = "lmc"
_LAST_USED_RESOLUTION = timedelta(minutes=1)
Kind = CabinetAuthEvent.Kind


def actor_label(customer: Customer) -> str:
    """How a subscriber appears in ledger entries and history: ``customer:<login>``."""
    return f"customer:{customer.login}"


@contextmanager
def acting_customer(customer: Customer, request: Any = None) -> Iterator[None]:
    """History context of a subscriber's action: the actor is the customer, not
    a staff member who may be logged in in the same browser."""
    with pghistory.context(
        user=None,
        username=None,
        customer=customer.pk,
        actor=actor_label(customer),
        request_id=getattr(request, "request_id", None),
        url=getattr(request, "path", None),
    ):
        structlog.contextvars.bind_contextvars(customer_id=customer.pk)
        yield


def password_fingerprint(customer: Customer) -> str:
    """Bound to the current password hash: a password change ends other sessions."""
    return salted_hmac(
        "lastmile.cabinet.session", customer.cabinet_password, algorithm="sha256"
    ).hexdigest()


def find_customer(login: str) -> Customer | None:
    """The customer with this login (any case) or, failing that, contract number."""
    text = login.strip()
    if not text or len(text) > 150:
        return None
    by_login = Customer.objects.annotate(lower_login=Lower("login")).filter(
        lower_login=text.lower()
    )
    return by_login.first() or Customer.objects.filter(contract_number=text).first()


def client_ip(request: Any) -> str | None:
    """The peer address (a reverse proxy must overwrite REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None if request is not None else None


def record_auth_event(
    *,
    kind: str,
    login: str,
    customer: Customer | None = None,
    request: Any = None,
    via: str = "web",
) -> CabinetAuthEvent:
    """Append one row to the subscribers' login log."""
    agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    with transaction.atomic():
        return CabinetAuthEvent.objects.create(
            kind=kind,
            login=login.strip().lower()[:150],
            customer=customer,
            ip_address=client_ip(request),
            user_agent=agent,
            via=via,
        )


def throttle_key(customer: Customer | None, login: str) -> str:
    """The throttle counter of a cabinet login: the customer the login or contract
    number resolves to, so all of a customer's identifiers share one count."""
    if customer is not None:
        return f"customer:{customer.pk}"
    return f"login:{login.strip().lower()[:140]}"


def authenticate_customer(*, login: str, password: str, request: Any, via: str = "web") -> Customer:
    """The customer for these credentials, or ``LoginFailed`` / ``LoginThrottled``.
    Every attempt is logged and counted per customer and per address
    (lastmile.accounts.throttle); an inactive contract cannot log in."""
    # PostgreSQL text cannot hold NUL: no login has one, and it must not reach a query.
    typed, login = login, login.replace("\x00", "")
    customer = find_customer(login) if typed == login else None
    key = throttle_key(customer, login)
    if not throttle.is_allowed(request, key):
        record_auth_event(
            kind=Kind.THROTTLED, login=login, customer=customer, request=request, via=via
        )
        raise LoginThrottled(throttle.retry_after_s(request, key))
    if customer is None:
        make_password(password)  # same time as a real check: logins cannot be probed
    elif customer.is_active and customer.check_cabinet_password(password):
        throttle.record_success(request, key)
        record_auth_event(kind=Kind.LOGIN, login=login, customer=customer, request=request, via=via)
        log.info("cabinet.login", customer_id=customer.pk, via=via)
        return customer
    throttle.record_failure(request, key)
    record_auth_event(
        kind=Kind.LOGIN_FAILED, login=login, customer=customer, request=request, via=via
    )
    raise LoginFailed


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(*, customer: Customer, name: str = "") -> tuple[CabinetToken, str]:
    """A new API token for ``customer``; the secret is returned once, never stored."""
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = CabinetToken.objects.create(
        customer=customer,
        name=name.strip()[:100] or "app",
        prefix=prefix,
        digest=_digest(raw),
        expires_at=timezone.now() + timedelta(days=settings.LASTMILE.cabinet_token_days),
    )
    return token, raw


def authenticate_token(raw: str) -> tuple[Customer, CabinetToken] | None:
    """The active customer owning a usable token, or None."""
    if not raw.startswith(f"{TOKEN_PREFIX}_") or len(raw) > 200:
        return None
    token = (
        CabinetToken.objects.usable().select_related("customer").filter(digest=_digest(raw)).first()
    )
    if token is None or not token.customer.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        CabinetToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.customer, token


def revoke_token(*, customer: Customer, token_id: int) -> CabinetToken | None:
    """Revoke one of the customer's own tokens; None if it is not theirs."""
    token = CabinetToken.objects.filter(customer=customer, pk=token_id).first()
    if token is None:
        return None
    CabinetToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db()
    return token


def validate_new_password(customer: Customer, password: str) -> None:
    """The cabinet password policy (``customers.passwords``); ``WeakPassword`` says why."""
    try:
        passwords.validate_cabinet_password(customer, password)
    except InvalidValue as exc:
        raise WeakPassword(str(exc)) from exc


def set_password(
    *,
    customer: Customer,
    new: str,
    request: Any = None,
    keep_token: CabinetToken | None = None,
    via: str = "web",
) -> Customer:
    """Set a cabinet password (``customers.passwords.set_cabinet_password``, the one
    way for the subscriber and staff alike); ``WeakPassword`` if the policy refuses."""
    try:
        return passwords.set_cabinet_password(
            customer=customer, new=new, via=via, request=request, keep_token=keep_token
        )
    except InvalidValue as exc:
        raise WeakPassword(str(exc)) from exc


def end_sessions_and_tokens(
    *, customer: Customer, via: str, request: Any = None, keep_token: Any = None
) -> None:
    """Receiver of ``CABINET_PASSWORD_SET``: every API token is revoked but
    ``keep_token``, and every session ends (their fingerprint no longer matches;
    ``refresh_fingerprint`` keeps the caller's)."""
    others = CabinetToken.objects.filter(customer=customer, revoked_at__isnull=True)
    if keep_token is not None:
        others = others.exclude(pk=keep_token.pk)
    revoked = others.update(revoked_at=timezone.now())
    record_auth_event(
        kind=Kind.PASSWORD_CHANGED,
        login=customer.login,
        customer=customer,
        request=request,
        via=via,
    )
    log.info("cabinet.password_set", customer_id=customer.pk, via=via, tokens_revoked=revoked)


def change_password(
    *,
    customer: Customer,
    current: str,
    new: str,
    request: Any = None,
    keep_token: CabinetToken | None = None,
) -> Customer:
    """The subscriber's own change: the current password is required, then
    ``set_password`` (other sessions end, other API tokens are revoked)."""
    if not customer.check_cabinet_password(current):
        raise WrongCurrentPassword
    via = "web" if keep_token is None else "api"
    return set_password(customer=customer, new=new, request=request, keep_token=keep_token, via=via)
