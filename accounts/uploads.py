"""Uploaded files are checked by content, size and type before they are kept: the name's
extension must agree with what the bytes say the file is (an .exe renamed .pdf is refused)."""

from __future__ import annotations

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# kind -> (extensions, detected content type)
DOCUMENT_KINDS = {
    "pdf": ((".pdf",), "application/pdf"),
    "png": ((".png",), "image/png"),
    "jpeg": ((".jpg", ".jpeg"), "image/jpeg"),
    "docx": ((".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ((".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ole": ((".doc", ".xls"), "application/x-ole-storage"),
}
IMAGE_KINDS = ("png", "jpeg")


def sniff(upload) -> str | None:
    """What the bytes are: one of DOCUMENT_KINDS' keys, or None."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
    return None


def check_upload(upload, *, allowed=tuple(DOCUMENT_KINDS), max_bytes=None) -> str:
    """Validate an uploaded file; returns its detected content type or raises ValidationError
    with a message naming the problem."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    name = getattr(upload, "name", "") or ""
    if upload.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB.")
            % {"name": name, "size": round(upload.size / 2**20, 1), "limit": round(max_bytes / 2**20, 1)}
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    kind = sniff(upload)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    accepted = ", ".join(ext for k in allowed for ext in DOCUMENT_KINDS[k][0])
    if kind is None or kind not in allowed:
        raise ValidationError(
            _("“%(name)s” is not an accepted file. Accepted: %(accepted)s.")
            % {"name": name, "accepted": accepted}
        )
    if extension not in DOCUMENT_KINDS[kind][0]:
        raise ValidationError(
            _("“%(name)s” does not contain what its name says (its content is %(kind)s).")
            % {"name": name, "kind": kind.upper()}
        )
    return DOCUMENT_KINDS[kind][1]
