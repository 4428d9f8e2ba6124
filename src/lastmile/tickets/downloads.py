"""A ticket attachment as a download, for the staff pages, the API and the cabinet."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.shortcuts import get_object_or_404

from lastmile.tickets.models import Ticket, TicketAttachment


def attachment_response(user: Any, attachment_id: int) -> FileResponse:
    """The file of an attachment on a ticket ``user`` may view; 404 otherwise."""
    attachment = get_object_or_404(
        TicketAttachment.objects.filter(comment__ticket__in=Ticket.objects.restrict(user, "view")),
        pk=attachment_id,
    )
    return file_response(attachment)


def file_response(attachment: TicketAttachment) -> FileResponse:
    """The attachment's file as a download under its original name (the caller
    has checked who may have it)."""
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
