"""One-time codes of the cabinet: a forgotten password, and proving a new e-mail
or phone.

A code is six digits sent through the notifications outbox to one address.
Only a keyed hash is stored (``salted_hmac`` with the site's secret); a code
expires (LASTMILE_CABINET_CODE_TTL_S), dies after LASTMILE_CABINET_CODE_MAX_ATTEMPTS
wrong entries and works once.  A new code for the same purpose ends the old one.

Throttling reuses the login throttle (``lastmile.accounts.throttle``, django-axes):
every code sent and every wrong code counts against the account (its own
counter, ``reset:…`` / ``contact:…``, so a flood of reset requests cannot lock the
subscriber out of logging in) and against the source address.

The reset request answers the same whatever was typed: a login that does not
exist, a customer without a verified contact and a real send look alike.
A new password is set only through ``services.set_password`` (the one cabinet
password operation: same validators, other sessions and tokens end).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from lastmile.accounts import throttle
from lastmile.cabinet import services
from lastmile.cabinet.errors import CodeInvalid, CodeThrottled, ContactUnavailable
from lastmile.cabinet.models import ContactKind, OneTimeCode, VerifiedContact
from lastmile.customers import services as customers
from lastmile.customers import validation
from lastmile.customers.errors import InvalidValue
from lastmile.customers.models import Customer
from lastmile.notifications import events
from lastmile.notifications.models import Channel
from lastmile.notifications.services import notify_address

log = structlog.get_logger("lastmile.cabinet")

Purpose = OneTimeCode.Purpose
CHANNEL_OF = {ContactKind.EMAIL: Channel.EMAIL, ContactKind.PHONE: Channel.SMS}


def _digest(customer_id: int, purpose: str, code: str) -> str:
    return salted_hmac(
        "lastmile.cabinet.code", f"{customer_id}:{purpose}:{code}", algorithm="sha256"
    ).hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def channel_available(kind: str) -> bool:
    from lastmile.notifications.channels import CHANNELS

    return CHANNELS[CHANNEL_OF[ContactKind(kind)]].is_configured(settings.LASTMILE)


# Verified contacts ---------------------------------------------------------------


def _current_values(customer: Customer, kind: str) -> list[str]:
    if kind == ContactKind.EMAIL:
        return [customer.email] if customer.email else []
    return list(customer.phones or [])


def verified_contact(customer: Customer, kind: str) -> str:
    """The customer's contact of ``kind`` if it was proved with a code and is still
    the customer's (the e-mail, or one of the phones); else ""."""
    row = VerifiedContact.objects.filter(customer=customer, kind=kind).first()
    if row is None or row.value not in _current_values(customer, kind):
        return ""
    return row.value


def contact_status(customer: Customer) -> dict[str, dict[str, Any]]:
    """For each kind: the current value and whether it is verified (cabinet and staff pages)."""
    out: dict[str, dict[str, Any]] = {}
    for kind in ContactKind:
        values = _current_values(customer, kind)
        verified = verified_contact(customer, kind)
        out[kind.value] = {
            "value": verified or (values[0] if values else ""),
            "verified": bool(verified),
            "label": kind.label,
        }
    return out


def staff_contact_context(customer: Customer, user: Any) -> dict[str, Any]:
    """The customer page's section: each contact and whether the subscriber confirmed it."""
    return {"cabinet_contacts": contact_status(customer)}


# Codes -------------------------------------------------------------------------


def _issue(
    *, customer: Customer, purpose: str, kind: str, target: str, request: Any
) -> OneTimeCode | None:
    """Store a fresh code (older live ones of the purpose die) and enqueue it."""
    conf = settings.LASTMILE
    now = timezone.now()
    code = _new_code()
    with transaction.atomic():
        OneTimeCode.objects.filter(
            customer=customer, purpose=purpose, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        row = OneTimeCode.objects.create(
            customer=customer,
            purpose=purpose,
            contact_kind=kind,
            target=target[:254],
            digest=_digest(customer.pk, purpose, code),
            ip_address=services.client_ip(request),
            created_at=now,
            expires_at=now + timedelta(seconds=conf.cabinet_code_ttl_s),
        )
        what = _("password reset") if purpose == Purpose.PASSWORD_RESET else _("contact check")
        notify_address(
            event=events.ONE_TIME_CODE,
            channel=CHANNEL_OF[ContactKind(kind)],
            recipient=target,
            customer=customer,
            context={"purpose": str(what), "minutes": max(1, conf.cabinet_code_ttl_s // 60)},
            secrets={"code": code},  # never in the text staff can read
            dedup_key=f"cabinet_code:{row.pk}",
            language=translation.get_language() or "en",
        )
    log.info("cabinet.code_sent", customer_id=customer.pk, purpose=purpose, kind=kind)
    return row


def _live_code(customer: Customer, purpose: str) -> OneTimeCode | None:
    return (
        OneTimeCode.objects.filter(
            customer=customer,
            purpose=purpose,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            attempts__lt=settings.LASTMILE.cabinet_code_max_attempts,
        )
        .order_by("-created_at", "-id")
        .first()
    )


def pending_contact_code(customer: Customer) -> OneTimeCode | None:
    """The live contact-check code, if one was sent (the page asks for it)."""
    return _live_code(customer, Purpose.VERIFY_CONTACT)


def _check(
    customer: Customer | None, purpose: str, code: str, request: Any, key: str
) -> OneTimeCode:
    """The live code row if ``code`` matches it; else count the failure and refuse."""
    row = _live_code(customer, purpose) if customer is not None else None
    typed = "".join(ch for ch in code if ch.isdigit())
    if row is None or not constant_time_compare(
        row.digest, _digest(row.customer_id, purpose, typed)
    ):
        if row is not None:
            OneTimeCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        throttle.record_failure(request, key)
        raise CodeInvalid
    return row


def _use(row: OneTimeCode) -> None:
    used = OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if used != 1:  # a second tab used it a moment ago
        raise CodeInvalid


def _require_allowed(request: Any, key: str) -> None:
    if not throttle.is_allowed(request, key):
        raise CodeThrottled(throttle.retry_after_s(request, key))


# Forgotten password --------------------------------------------------------------


def _reset_key(customer: Customer | None, login: str) -> str:
    return f"reset:{services.throttle_key(customer, login)}"


def _reset_customer(login: str) -> Customer | None:
    if "\x00" in login:
        return None
    customer = services.find_customer(login)
    return customer if customer is not None and customer.is_active else None


def request_password_reset(*, login: str, kind: str, request: Any) -> None:
    """Send a reset code to the customer's verified contact of ``kind``, if there
    is such a customer and contact.  The answer is the same either way
    (``CodeThrottled`` only when the account or address is over its limit)."""
    customer = _reset_customer(login)
    key = _reset_key(customer, login)
    _require_allowed(request, key)
    throttle.record_failure(request, key)  # every send counts
    if customer is None or kind not in ContactKind.values:
        return
    target = verified_contact(customer, kind)
    if not target or not channel_available(kind):
        log.info("cabinet.reset_no_contact", customer_id=customer.pk, kind=kind)
        return
    _issue(
        customer=customer, purpose=Purpose.PASSWORD_RESET, kind=kind, target=target, request=request
    )


def confirm_password_reset(*, login: str, code: str, new: str, request: Any) -> Customer:
    """Set a new password with a reset code: ``CodeInvalid`` (one answer for every
    kind of wrong), ``CodeThrottled`` or ``WeakPassword`` (the code stays usable)."""
    customer = _reset_customer(login)
    key = _reset_key(customer, login)
    _require_allowed(request, key)
    row = _check(customer, Purpose.PASSWORD_RESET, code, request, key)
    assert customer is not None
    services.validate_new_password(customer, new)
    with transaction.atomic():
        _use(row)
        services.set_password(customer=customer, new=new, request=request, via="reset")
    throttle.record_success(request, key)
    return customer


# Contacts ------------------------------------------------------------------------


def _contact_key(customer: Customer) -> str:
    return f"contact:customer:{customer.pk}"


def clean_contact(kind: str, value: str) -> str:
    """The canonical form of an e-mail or phone, or ``ContactUnavailable`` saying why."""
    try:
        if kind == ContactKind.EMAIL:
            cleaned = validation.clean_email(value)
        elif kind == ContactKind.PHONE:
            phones = validation.clean_phones([value])
            cleaned = phones[0] if phones else ""
        else:
            raise ContactUnavailable(_("Choose e-mail or phone."), field="kind")
    except InvalidValue as exc:
        raise ContactUnavailable(str(exc)) from exc
    if not cleaned:
        raise ContactUnavailable(_("Enter the address."))
    return cleaned


def start_contact_check(*, customer: Customer, kind: str, value: str, request: Any) -> OneTimeCode:
    """Send a code to a new (or the current, unverified) e-mail or phone; the
    customer's contact changes only when the code comes back."""
    cleaned = clean_contact(kind, value)
    if not channel_available(kind):
        raise ContactUnavailable(
            _("We cannot send e-mail now; please contact support.")
            if kind == ContactKind.EMAIL
            else _("We cannot send SMS now; please contact support.")
        )
    key = _contact_key(customer)
    _require_allowed(request, key)
    throttle.record_failure(request, key)  # every send counts
    row = _issue(
        customer=customer,
        purpose=Purpose.VERIFY_CONTACT,
        kind=kind,
        target=cleaned,
        request=request,
    )
    assert row is not None
    return row


def confirm_contact(*, customer: Customer, code: str, request: Any) -> VerifiedContact:
    """Prove the pending contact with its code: it becomes the customer's e-mail
    (or first phone) and is marked verified."""
    key = _contact_key(customer)
    _require_allowed(request, key)
    row = _check(customer, Purpose.VERIFY_CONTACT, code, request, key)
    with transaction.atomic():
        _use(row)
        customer.refresh_from_db(fields=["email", "phones"])
        if row.contact_kind == ContactKind.EMAIL:
            changes: dict[str, Any] = {"email": row.target}
        else:
            changes = {"phones": [row.target, *(p for p in customer.phones if p != row.target)]}
        customers.update_customer(customer=customer, changes=changes)
        contact, _created = VerifiedContact.objects.update_or_create(
            customer=customer,
            kind=row.contact_kind,
            defaults={"value": row.target, "verified_at": timezone.now()},
        )
    throttle.record_success(request, key)
    log.info("cabinet.contact_verified", customer_id=customer.pk, kind=row.contact_kind)
    return contact
