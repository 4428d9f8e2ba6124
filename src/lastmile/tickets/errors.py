"""Domain errors of the tickets app (``str(error)`` is a message fit for the user)."""

from __future__ import annotations

from lastmile.core.errors import DomainError


class TicketError(DomainError):
    """Base class; the UI shows it as a message, the API as a 400/403/409 problem."""

    status = 400


class IllegalTransition(TicketError):
    status = 409


class CommentRequired(TicketError):
    pass


class ExecutorNotAllowed(TicketError):
    pass


class ConcurrentChange(TicketError):
    status = 409


class TicketForbidden(TicketError):
    status = 403


class AttachmentRejected(TicketError):
    pass
