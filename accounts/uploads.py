"""Uploaded files are checked by content, size and type before they are kept: the name's
extension must agree with what the bytes say the file is (an .exe renamed .pdf is refused),
and the name is made one that every place it is stored can hold.

Uploads are capped twice before a service sees them: ``accounts.middleware`` refuses a request
whose Content-Length is too large without reading it, and :class:`CappedUploadHandler` stops a
multipart stream as soon as a file in it passes the cap."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadhandler import FileUploadHandler
from django.db import models
from django.utils.translation import gettext as _

# A stored name must fit the FileField (300 characters with its folder and time stamp), the
# name and caption fields beside it (200) and the file system (255 bytes a path component):
# a 300-character name answered 500 and left its file behind.
MAX_NAME_CHARS = 100
MAX_NAME_BYTES = 180
_EXTENSION = re.compile(r"^[A-Za-z0-9]{1,10}$")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")

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


def upload_name(name: str) -> str:
    """A file name safe to store: no folders, no control or reserved characters, at most
    ``MAX_NAME_CHARS`` characters and ``MAX_NAME_BYTES`` UTF-8 bytes, the extension kept."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(_UNSAFE.sub("", name).split())
    stem, dot, extension = name.rpartition(".")
    if not dot or not _EXTENSION.match(extension):
        stem, extension = name, ""
    suffix = f".{extension.lower()}" if extension else ""
    stem = stem.strip(" .")[: MAX_NAME_CHARS - len(suffix)]
    while len((stem + suffix).encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return f"{stem.rstrip(' .') or 'file'}{suffix}"


def check_upload(upload, *, allowed=tuple(DOCUMENT_KINDS), max_bytes=None) -> str:
    """Validate an uploaded file; returns its detected content type or raises ValidationError
    with a message naming the problem. The upload's name is replaced by :func:`upload_name`, so
    what the service then stores (file, name, caption) always fits."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    name = upload_name(getattr(upload, "name", "") or "")
    upload.name = name
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


def upload_cap() -> int:
    """The largest file any form or endpoint accepts."""
    return max(settings.UPLOAD_MAX_BYTES, settings.SPREADSHEET_MAX_UPLOAD_BYTES)


class UploadTooLarge(RequestDataTooBig):
    pass


class CappedUploadHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: stops reading a multipart body once one of its files
    passes :func:`upload_cap` (or all of them ``REQUEST_MAX_BYTES``), whatever the request
    declared. It raises rather than Django's StopUpload, which would let the view run on
    without the file; the middleware turns the refusal into a 413."""

    def __init__(self, request=None):
        super().__init__(request)
        self.total = 0

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        cap = upload_cap()
        if start + len(raw_data) > cap or self.total > settings.REQUEST_MAX_BYTES:
            if self.request is not None:
                self.request.upload_refused_at = cap
            message = _("The upload is too large: the limit is %(limit)s MB.") % {"limit": cap // 2**20}
            raise UploadTooLarge(message)
        return raw_data

    def file_complete(self, file_size):
        return None


# --- no file left behind by a failed save ---------------------------------------------------------

_saved_files: ContextVar[list[str] | None] = ContextVar("saved_files", default=None)


class UploadStorage(FileSystemStorage):
    """The media storage: remembers the files written while :func:`files_kept_only_if_used`
    watches (a portal or API request), so that a request that fails after writing its file
    (a database error, a rule checked late) does not leave the file behind."""

    def _save(self, name, content):
        name = super()._save(name, content)
        saved = _saved_files.get()
        if saved is not None:
            saved.append(name)
        return name


def _referenced(name: str) -> bool:
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.FileField)
                and model._default_manager.filter(**{field.name: name}).exists()
            ):
                return True
    return False


def remove_unreferenced(names) -> list[str]:
    """Delete those of ``names`` that no row refers to; returns what was deleted."""
    removed = [name for name in names if not _referenced(name)]
    for name in removed:
        default_storage.delete(name)
    return removed


@contextmanager
def files_kept_only_if_used(failed):
    """Watch the files written inside the block; afterwards, when ``failed()`` says the work
    failed, delete the ones no row refers to (a committed row's file is never touched)."""
    saved: list[str] = []
    token = _saved_files.set(saved)
    try:
        yield
    except BaseException:
        _saved_files.reset(token)
        remove_unreferenced(saved)
        raise
    _saved_files.reset(token)
    if saved and failed():
        remove_unreferenced(saved)
