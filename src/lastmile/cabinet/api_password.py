"""``/api/v1/me/password/forgot`` and ``/reset``: a forgotten cabinet password
over the API, with no token (the subscriber has lost the password that gets
one), through ``cabinet.codes`` — the same six-digit code, confirmed-contact
rule, limits and outbox as the cabinet's "Forgot your password?" page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from lastmile.cabinet import codes
from lastmile.cabinet.schemas import ContactKindIn

router = Router(tags=["cabinet"])


class ResetRequestIn(Schema):
    login: str = Field(min_length=1, max_length=150, description="Login or contract number.")
    kind: ContactKindIn = Field(
        description="Where to send the code: the confirmed e-mail or phone."
    )


class ResetRequestOut(Schema):
    detail: str


class ResetConfirmIn(Schema):
    login: str = Field(min_length=1, max_length=150)
    code: str = Field(min_length=1, max_length=12)
    new_password: str = Field(min_length=1, max_length=128)


@router.post("/password/forgot", auth=None, response={202: ResetRequestOut})
def forgot_password(request: HttpRequest, payload: ResetRequestIn) -> Status[dict[str, str]]:
    """Send a reset code to the account's confirmed contact of ``kind``.  The
    answer is the same whether or not the login exists or has that contact, so
    it tells nobody who is a subscriber; sends are limited (429, Retry-After)."""
    codes.request_password_reset(login=payload.login, kind=payload.kind, request=request)
    detail = _("If this account has a confirmed contact of that kind, we have sent a code there.")
    return Status(202, {"detail": detail})


@router.post("/password/reset", auth=None, response={204: None})
def reset_password(request: HttpRequest, payload: ResetConfirmIn) -> Status[None]:
    """Set a new password with the code.  A wrong, expired or used code is one
    400 answer; too many wrong ones 429; a weak password 422 (the code stays
    usable).  Every session and token of the account ends: log in again with
    POST /me/tokens."""
    codes.confirm_password_reset(
        login=payload.login, code=payload.code, new=payload.new_password, request=request
    )
    return Status(204, None)
