"""Settings of tickets (tickets app)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class TicketSettings(BaseModel):
    """Ticket attachments: size, number and file types."""

    ticket_attachment_max_bytes: int = Field(
        10 * 1024 * 1024, description="Largest file a ticket comment may carry."
    )
    ticket_attachment_max_files: int = Field(
        5, ge=1, description="Most files one ticket comment or subscriber reply may carry."
    )
    ticket_attachment_types: list[str] = Field(
        default_factory=lambda: ["jpg", "jpeg", "png", "gif", "webp", "pdf", "txt", "log", "csv"],
        description="File name extensions allowed as ticket attachments.",
    )
