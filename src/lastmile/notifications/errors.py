"""Domain errors of the notifications app (``str(error)`` is fit for the user)."""

from __future__ import annotations

from lastmile.core.errors import DomainError


class NotificationError(DomainError):
    """Base class of notification errors."""

    status = 422


class UnknownEvent(NotificationError):
    pass


class TemplateRenderError(NotificationError):
    pass


class NotResendable(NotificationError):
    pass


class LinkCodeInvalid(NotificationError):
    pass
