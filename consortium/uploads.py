"""Uploaded files: a size limit and the real content type, not just the extension; and the
spreadsheets held between an import's preview and its confirmation (``PendingUpload``).

Checks come first (``validate_upload``); a spreadsheet is then read only through
``consortium.tabular.read_rows``, which has its own limits.
"""

from __future__ import annotations

import datetime as dt
import secrets
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import tablib
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.formats import base_formats
from import_export.forms import ImportForm

from .storage import private_storage
from .tabular import TableError, read_rows

if TYPE_CHECKING:
    from .models import PendingUpload

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
    extension = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
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


# --- Files held for an import preview ----------------------------------------------------------


def pending_upload_create(
    *, purpose: str, name: str, data: bytes, user=None, encoding: str = ""
) -> PendingUpload:
    """Keep an uploaded spreadsheet in private storage until its import is confirmed."""
    from .models import PendingUpload

    token = secrets.token_urlsafe(24)
    extension = Path(name).suffix.lower()[:10]
    upload = PendingUpload(
        token=token, purpose=purpose, name=name[:255], encoding=encoding or "", uploaded_by=user
    )
    upload.file.save(f"pending-imports/{token}{extension}", ContentFile(data), save=False)
    upload.save()
    return upload


def pending_upload_get(*, token: str, purpose: str, user=None) -> PendingUpload | None:
    """The upload behind ``token`` if ``user`` (when given) uploaded it, else None."""
    from .models import PendingUpload

    uploads = PendingUpload.objects.filter(token=token, purpose=purpose)
    if user is not None:
        uploads = uploads.filter(uploaded_by=user)
    return uploads.first()


def pending_upload_read(upload: PendingUpload) -> bytes | None:
    """The held file's bytes, or None when it is gone (applied, cancelled or swept)."""
    if not upload.file or not upload.file.storage.exists(upload.file.name):
        return None
    with upload.file.storage.open(upload.file.name, "rb") as handle:
        return handle.read()


def pending_upload_claim(*, upload: PendingUpload, result_url: str = "") -> bool:
    """Mark ``upload`` applied, if no other request has: True for exactly one caller.

    Call inside the transaction that applies the import: the conditional UPDATE takes the row
    lock, so a concurrent second confirm waits, then finds it applied (and if the import fails,
    the claim is rolled back with it). The file is deleted once the transaction commits.
    """
    from .models import PendingUpload

    now = timezone.now()
    won = PendingUpload.objects.filter(pk=upload.pk, applied_at__isnull=True).update(
        applied_at=now, result_url=result_url
    )
    if not won:
        return False
    upload.applied_at, upload.result_url = now, result_url
    name = upload.file.name
    if name:
        transaction.on_commit(lambda: _delete_file(name))
    return True


def pending_upload_set_result(*, upload: PendingUpload, result_url: str) -> None:
    """Where a second confirm should send the person: the rows this import wrote."""
    upload.result_url = result_url
    upload.save(update_fields=["result_url"])


def pending_upload_discard(*, upload: PendingUpload) -> None:
    """Cancelled: the file and its record go now."""
    if upload.file.name:
        _delete_file(upload.file.name)
    upload.delete()


def _delete_file(name: str) -> None:
    if private_storage.exists(name):
        private_storage.delete(name)


# Folders where earlier versions of the imports left their files; the sweep empties them too.
LEGACY_FOLDERS = ("pending-imports", "events/imports")


def pending_uploads_sweep(*, older_than: dt.timedelta | None = None) -> int:
    """Delete files held for imports that were never confirmed nor cancelled, and the records
    of imports older than ``older_than`` (default ``KYOSO_PENDING_UPLOAD_HOURS``).

    Files in the pending folders that no record names (left by a crash) go by their age.
    Returns the number of files deleted.
    """
    from .models import PendingUpload

    age = (
        older_than
        if older_than is not None
        else dt.timedelta(hours=settings.KYOSO_PENDING_UPLOAD_HOURS)
    )
    cutoff = timezone.now() - age
    deleted = 0
    old = PendingUpload.objects.filter(created_at__lt=cutoff)
    for name in old.exclude(file="").values_list("file", flat=True):
        if private_storage.exists(name):
            private_storage.delete(name)
            deleted += 1
    old.delete()
    known = set(PendingUpload.objects.exclude(file="").values_list("file", flat=True))
    for folder in LEGACY_FOLDERS:
        if not private_storage.exists(folder):
            continue
        for filename in private_storage.listdir(folder)[1]:
            name = f"{folder}/{filename}"
            if name in known:
                continue
            if private_storage.get_modified_time(name) < cutoff:
                private_storage.delete(name)
                deleted += 1
    return deleted


# --- The Django admin's imports (django-import-export) -----------------------------------------
# The admin reads its files through the same bounded reader as the staff pages, accepts CSV and
# XLSX only (checked by content and size), keeps the file between preview and confirmation as a
# PendingUpload (deleted on confirm, cancel, a failed preview, or by the sweep) and applies it once.

ADMIN_PURPOSE = "admin.import"


def dataset_from(data: bytes, filename: str) -> tablib.Dataset:
    """A tablib Dataset of a CSV or XLSX read by the bounded reader; the first non-empty row
    is the header. Raises TableError."""
    rows, _encoding = read_rows(data, filename)
    while rows and not any(rows[0]):
        rows.pop(0)
    dataset = tablib.Dataset()
    if not rows:
        return dataset
    width = len(rows[0])
    dataset.headers = rows[0]
    for cells in rows[1:]:
        if any(cells):
            dataset.append((cells + [""] * width)[:width])
    return dataset


class BoundedCSV(base_formats.CSV):
    """CSV in UTF-8 or Shift_JIS, read by ``consortium.tabular.read_rows``."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return dataset_from(in_stream, "import.csv")

    def is_binary(self):
        return True  # bytes go to read_rows, which tells UTF-8 from cp932

    def get_read_mode(self):
        return "rb"


class BoundedXLSX(base_formats.XLSX):
    """XLSX read in streaming mode within the import limits (never tablib's reader)."""

    def create_dataset(self, in_stream, **kwargs):
        return dataset_from(in_stream, "import.xlsx")


BOUNDED_IMPORT_FORMATS = [BoundedCSV, BoundedXLSX]


class PendingUploadStorage:
    """import-export's temporary storage, kept as a PendingUpload in private storage."""

    def __init__(self, **kwargs) -> None:
        self.name = kwargs.get("name")
        self.read_mode = kwargs.get("read_mode", "rb")
        self.encoding = kwargs.get("encoding")

    def _upload(self) -> PendingUpload | None:
        return pending_upload_get(token=self.name or "", purpose=ADMIN_PURPOSE)

    def save(self, data) -> None:
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        upload = pending_upload_create(purpose=ADMIN_PURPOSE, name="admin-import", data=data)
        self.name = upload.token

    def read(self):
        upload = self._upload()
        data = pending_upload_read(upload) if upload else None
        if data is None:
            raise FileNotFoundError(self.name)
        return data if "b" in self.read_mode else data.decode(self.encoding or "utf-8-sig")

    def remove(self) -> None:
        upload = self._upload()
        if upload is not None and upload.file.name:
            name = upload.file.name
            transaction.on_commit(lambda: _delete_file(name))


class BoundedImportForm(ImportForm):
    """The admin's upload: CSV or XLSX by content, not only by name, and small."""

    max_bytes: int | None = None

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        validate_upload(
            upload,
            kinds=("csv", "xlsx"),
            max_bytes=self.max_bytes or settings.KYOSO_IMPORT_MAX_BYTES,
        )
        return upload


class BoundedImportAdminMixin:
    """For an ``ImportExportModelAdmin``: CSV/XLSX through the bounded reader, the file held as
    a PendingUpload, a 取り消す button, and a confirmation applied once."""

    import_formats = BOUNDED_IMPORT_FORMATS
    import_form_class = BoundedImportForm
    tmp_storage_class = PendingUploadStorage
    import_template_name = "admin/import_export/kyoso_import.html"

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, TableError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        held = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
        context = getattr(response, "context_data", None) or {}
        if held and not context.get("confirm_form"):
            # Nothing to confirm (the preview found errors): the file is not kept.
            upload = pending_upload_get(token=held, purpose=ADMIN_PURPOSE)
            if upload is not None:
                pending_upload_discard(upload=upload)
        return response

    def process_import(self, request, **kwargs):
        if request.method != "POST":
            return super().process_import(request, **kwargs)
        changelist = reverse(
            "admin:{}_{}_changelist".format(*self.get_model_info()),
            current_app=self.admin_site.name,
        )
        upload = pending_upload_get(
            token=request.POST.get("import_file_name", ""), purpose=ADMIN_PURPOSE
        )
        if upload is None:
            messages.error(
                request, _("取込待ちのファイルがありません。もう一度アップロードしてください。")
            )
            return HttpResponseRedirect(changelist)
        if "cancel" in request.POST:
            if upload.applied_at is None:
                pending_upload_discard(upload=upload)
                messages.info(request, _("取込を取り消しました。ファイルは削除しました。"))
            return HttpResponseRedirect(changelist)
        with transaction.atomic():
            if not pending_upload_claim(upload=upload, result_url=changelist):
                return already_imported(request, upload)
            return super().process_import(request, **kwargs)


def already_imported(request: HttpRequest, upload: PendingUpload) -> HttpResponseRedirect:
    """A second confirm of an applied import: say so, and go to what it wrote."""
    messages.info(
        request,
        _("このファイルは %(when)s に取り込み済みです。二重には取り込みません。")
        % {"when": timezone.localtime(upload.applied_at).strftime("%Y-%m-%d %H:%M")},
    )
    return HttpResponseRedirect(upload.result_url or reverse("home"))
