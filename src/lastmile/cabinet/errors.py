"""Domain errors of the cabinet; ``str(error)`` is a message fit for the subscriber."""

from __future__ import annotations

from django.utils.translation import gettext as _


class CabinetError(Exception):
    pass


class LoginFailed(CabinetError):
    def __init__(self) -> None:
        super().__init__(_("Wrong login or password."))


class LoginThrottled(CabinetError):
    def __init__(self, retry_after_s: int) -> None:
        minutes = max(1, (retry_after_s + 59) // 60)
        super().__init__(
            _("Too many failed logins. Try again in %(minutes)s min.") % {"minutes": minutes}
        )
        self.retry_after_s = retry_after_s


class WrongCurrentPassword(CabinetError):
    def __init__(self) -> None:
        super().__init__(_("The current password is wrong."))


class WeakPassword(CabinetError):
    pass
