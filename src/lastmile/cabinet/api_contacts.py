"""``/api/v1/me/contact``: change my e-mail or phone by a code sent there,
through ``cabinet.codes`` (the same codes, limits and outbox as the settings
page); the contact changes only when the code comes back."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from lastmile.cabinet import codes, services
from lastmile.cabinet.auth import cabinet_auth, request_customer
from lastmile.cabinet.models import OneTimeCode, VerifiedContact
from lastmile.cabinet.schemas import CodeIn, ContactCodeOut, ContactIn, ContactOut, ContactsOut

router = Router(tags=["cabinet"], auth=cabinet_auth)


@router.get("/contact", response=ContactsOut)
def contacts(request: HttpRequest) -> dict[str, Any]:
    """My e-mail and phone, whether each is confirmed, and a code waiting to be entered."""
    customer = request_customer(request)
    status = codes.contact_status(customer)
    return {
        **{
            kind: {"value": row["value"], "is_verified": row["verified"]}
            for kind, row in status.items()
        },
        "pending": codes.pending_contact_code(customer),
    }


@router.post("/contact", response={202: ContactCodeOut})
def start_contact_change(request: HttpRequest, payload: ContactIn) -> Status[OneTimeCode]:
    """Send a code to a new e-mail or phone (sends are limited like logins: 429);
    then POST /me/contact/confirm with it."""
    customer = request_customer(request)
    with services.acting_customer(customer, request):
        code = codes.start_contact_check(
            customer=customer, kind=payload.kind, value=payload.value, request=request
        )
    return Status(202, code)


@router.post("/contact/confirm", response=ContactOut)
def confirm_contact_change(request: HttpRequest, payload: CodeIn) -> VerifiedContact:
    """Enter the code: the contact becomes mine and confirmed (a wrong or expired
    code: 400; too many wrong ones: 429)."""
    customer = request_customer(request)
    with services.acting_customer(customer, request):
        return codes.confirm_contact(customer=customer, code=payload.code, request=request)
