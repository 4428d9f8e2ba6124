"""Domain errors of the cabinet; ``str(error)`` is a message fit for the subscriber."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lastmile.core.errors import DomainError


class CabinetError(DomainError):
    status = 422


class LoginFailed(CabinetError):
    status = 401

    def __init__(self) -> None:
        super().__init__(_("Wrong login or password."))


class LoginThrottled(CabinetError):
    status = 429

    def __init__(self, retry_after_s: int) -> None:
        minutes = max(1, (retry_after_s + 59) // 60)
        super().__init__(
            _("Too many failed logins. Try again in %(minutes)s min.") % {"minutes": minutes},
            retry_after_s=retry_after_s,
        )
        self.retry_after_s = retry_after_s


class WrongCurrentPassword(CabinetError):
    status = 403

    def __init__(self) -> None:
        super().__init__(_("The current password is wrong."), field="current_password")


class WeakPassword(CabinetError):
    status = 422

    def __init__(self, message: str, *, field: str = "new_password") -> None:
        super().__init__(message, field=field)


class CodeInvalid(CabinetError):
    """The same answer for a wrong, expired, used-up or never-sent code."""

    status = 400

    def __init__(self) -> None:
        super().__init__(_("The code is wrong or has expired."), field="code")


class CodeThrottled(CabinetError):
    status = 429

    def __init__(self, retry_after_s: int) -> None:
        minutes = max(1, (retry_after_s + 59) // 60)
        super().__init__(
            _("Too many attempts. Try again in %(minutes)s min.") % {"minutes": minutes},
            retry_after_s=retry_after_s,
        )
        self.retry_after_s = retry_after_s


class ContactUnavailable(CabinetError):
    status = 422

    def __init__(self, message: str, *, field: str = "value") -> None:
        super().__init__(message, field=field)


class RequestsThrottled(CabinetError):
    status = 429

    def __init__(self) -> None:
        super().__init__(
            _(
                "You have sent many requests in the last hour. Please wait a little; "
                "your text is still in the form."
            )
        )


class RepliesThrottled(CabinetError):
    status = 429

    def __init__(self) -> None:
        super().__init__(
            _(
                "You have sent many replies in the last hour. Please wait a little; "
                "your text is still in the form."
            ),
            field="text",
        )


class PeriodInvalid(CabinetError):
    """A statement period the cabinet does not produce; ``field`` names the bad end."""

    status = 422

    def __init__(self, message: str, *, field: str = "end") -> None:
        super().__init__(message, field=field)


class UnknownRequestKind(CabinetError):
    status = 422

    def __init__(self) -> None:
        super().__init__(_("There is no such category of requests."), field="kind")
