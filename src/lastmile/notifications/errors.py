"""Domain errors of the notifications app (``str(error)`` is fit for the user)."""

from __future__ import annotations


class NotificationError(Exception):
    """Base class of notification errors."""


class UnknownEvent(NotificationError):
    pass


class TemplateRenderError(NotificationError):
    pass


class NotResendable(NotificationError):
    pass


class LinkCodeInvalid(NotificationError):
    pass
