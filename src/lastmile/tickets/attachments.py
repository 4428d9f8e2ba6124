"""Checking uploaded attachments: size, extension, and that the content looks
like what the extension says (so an executable cannot pose as a photo)."""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from lastmile.tickets.errors import AttachmentRejected

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


def check_upload(upload: UploadedFile) -> tuple[UploadedFile, str]:
    """Return the upload with its content type, or raise ``AttachmentRejected``."""
    conf = settings.LASTMILE
    name = PurePath(upload.name or "").name
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = {e.lower().lstrip(".") for e in conf.ticket_attachment_types}
    if extension not in allowed:
        raise AttachmentRejected(
            _("%(name)s: files of this type are not allowed (allowed: %(types)s).")
            % {"name": name, "types": ", ".join(sorted(allowed))}
        )
    size = upload.size or 0
    if size > conf.ticket_attachment_max_bytes:
        raise AttachmentRejected(
            _("%(name)s is too large: %(size)d KiB, at most %(limit)d KiB.")
            % {
                "name": name,
                "size": size // 1024,
                "limit": conf.ticket_attachment_max_bytes // 1024,
            }
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if not _content_matches(extension, head):
        raise AttachmentRejected(
            _("%(name)s does not look like a .%(ext)s file.") % {"name": name, "ext": extension}
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
