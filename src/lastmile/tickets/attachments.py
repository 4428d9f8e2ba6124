"""Checking uploaded attachments: how many, size, extension, and that the content
looks like what the extension says (so an executable cannot pose as a photo).
Staff comments and the subscriber's requests and replies take the same limits."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from lastmile.tickets.errors import AttachmentRejected
from lastmile.tickets.models import TicketAttachment, TicketComment

# Leading bytes of binary formats we accept; text formats must decode as UTF-8.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
    "pdf": (b"%PDF-",),
}
_TEXT = frozenset({"txt", "log", "csv"})


def check_uploads(uploads: Iterable[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    """Every upload with its content type, or ``AttachmentRejected`` for too many
    files or the first file refused (then nothing is to be saved)."""
    files = list(uploads)
    limit = settings.LASTMILE.ticket_attachment_max_files
    if len(files) > limit:
        raise AttachmentRejected(
            _("Attach at most %(limit)d files at once (you chose %(count)d).")
            % {"limit": limit, "count": len(files)},
            field="attachments",
        )
    return [check_upload(f) for f in files]


def save_attachments(comment: TicketComment, checked: Iterable[tuple[UploadedFile, str]]) -> None:
    """Store checked uploads on the comment (inside the caller's transaction)."""
    for upload, content_type in checked:
        name = upload.name or "file"
        upload.name = _storage_name(name)
        TicketAttachment.objects.create(
            comment=comment,
            file=upload,
            name=name[:255],
            size_bytes=upload.size or 0,
            content_type=content_type,
        )


# File systems take 255 bytes a name; a long Cyrillic name would pass that.
_STORAGE_NAME_BYTES = 120


def _storage_name(name: str) -> str:
    """The name on disk: the shown name, its stem shortened to fit in bytes."""
    if len(name.encode()) <= _STORAGE_NAME_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    room = _STORAGE_NAME_BYTES - len(extension.encode()) - 1
    short = stem.encode()[:room].decode(errors="ignore")
    return f"{short}.{extension}" if extension else short


def check_upload(upload: UploadedFile) -> tuple[UploadedFile, str]:
    """Return the upload with its content type, or raise ``AttachmentRejected``."""
    conf = settings.LASTMILE
    name = PurePath((upload.name or "").replace("\\", "/")).name
    if any(ord(ch) < 32 for ch in name):
        raise AttachmentRejected(
            _("A file name may not contain control characters."), field="attachments"
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = {e.lower().lstrip(".") for e in conf.ticket_attachment_types}
    if extension not in allowed:
        raise AttachmentRejected(
            _("%(name)s: files of this type are not allowed (allowed: %(types)s).")
            % {"name": name, "types": ", ".join(sorted(allowed))},
            field="attachments",
        )
    size = upload.size or 0
    if size > conf.ticket_attachment_max_bytes:
        raise AttachmentRejected(
            _("%(name)s is too large: %(size)d KiB, at most %(limit)d KiB.")
            % {
                "name": name,
                "size": -(-size // 1024),  # rounded up: 4.9 KiB is not "4 KiB, at most 4"
                "limit": conf.ticket_attachment_max_bytes // 1024,
            },
            field="attachments",
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if not _content_matches(extension, head):
        raise AttachmentRejected(
            _("%(name)s does not look like a .%(ext)s file.") % {"name": name, "ext": extension},
            field="attachments",
        )
    upload.name = name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return upload, content_type


def _content_matches(extension: str, head: bytes) -> bool:
    if extension in _SIGNATURES:
        return head.startswith(_SIGNATURES[extension])
    if extension in _TEXT:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sample is fine.
            return exc.start >= len(head) - 3
        return b"\x00" not in head
    return True
