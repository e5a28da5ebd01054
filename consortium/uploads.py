"""Uploaded files: a size limit and the real content type, not just the extension.

Checks come first (``validate_upload``); a spreadsheet is then read only through
``consortium.tabular.read_rows``, which has its own limits. Spreadsheets waiting for an import's
confirmation are kept by ``consortium.importing.store``.
"""

from __future__ import annotations

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# The upload store under the names its first callers used.
from .importing.store import find as pending_upload_get
from .importing.store import hold as pending_upload_create

__all__ = ["KINDS", "pending_upload_create", "pending_upload_get", "sniff", "validate_upload"]

# What each kind of file must start with (or be), and the extensions we accept for it.
KINDS: dict[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "xlsx": (".xlsx",),
    "docx": (".docx",),
    "pptx": (".pptx",),
    "csv": (".csv", ".txt"),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
}


def sniff(head: bytes, whole: UploadedFile | None = None) -> str | None:
    """The kind of file its first bytes show, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04") and whole is not None:
        try:
            whole.seek(0)
            names = set(zipfile.ZipFile(whole).namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            whole.seek(0)
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
        if "ppt/presentation.xml" in names:
            return "pptx"
        return None
    if b"\x00" not in head:
        return "csv"  # plain text; the importer decides whether it reads as CSV
    return None


def validate_upload(
    upload: UploadedFile, *, kinds: tuple[str, ...], max_bytes: int | None = None
) -> str:
    """Raise ValidationError unless ``upload`` is small enough and really one of ``kinds``.

    Returns the kind found. The message names the file and says what was expected.
    """
    limit = max_bytes or settings.KYOSO_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("「%(name)s」は大きすぎます（%(size)s）。上限は%(limit)sです。"),
            code="file_too_large",
            params={
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            },
        )
    name = upload.name or ""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed_extensions = {ext for kind in kinds for ext in KINDS[kind]}
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    found = sniff(head, upload)
    if extension not in allowed_extensions:
        raise ValidationError(
            _("「%(name)s」は受け付けられない形式です。%(kinds)s のファイルを選んでください。"),
            code="file_type",
            params={"name": upload.name, "kinds": ", ".join(k.upper() for k in kinds)},
        )
    if found not in kinds or extension not in KINDS[found]:
        raise ValidationError(
            _("「%(name)s」は拡張子と中身が一致しません。%(kinds)s のファイルを選んでください。"),
            code="file_disguised",
            params={"name": upload.name, "kinds": ", ".join(k.upper() for k in kinds)},
        )
    return found
