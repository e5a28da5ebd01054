"""The Django admin's imports (django-import-export), through the same pipeline as the staff pages.

The admin reads its files through the bounded reader, accepts CSV and XLSX only (checked by
content and size), keeps the file between preview and confirmation in the upload store (deleted on
confirm, cancel, a failed preview, or by the sweep) and applies it once. ``SheetResource`` hands
the whole dataset to the sheet kind's pipeline: all rows or none, errors naming row and column.
"""

from __future__ import annotations

from typing import Any

import tablib
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from import_export.formats import base_formats
from import_export.forms import ImportForm
from import_export.results import InvalidRow, Result, RowResult

from consortium.tabular import TableError, read_rows
from consortium.uploads import validate_upload

from . import store
from .pipeline import Prepared, Sheet, apply_plan, prepare

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

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return dataset_from(in_stream, "import.csv")

    def is_binary(self) -> bool:
        return True  # bytes go to read_rows, which tells UTF-8 from cp932

    def get_read_mode(self) -> str:
        return "rb"


class BoundedXLSX(base_formats.XLSX):
    """XLSX read in streaming mode within the import limits (never tablib's reader)."""

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        return dataset_from(in_stream, "import.xlsx")


BOUNDED_IMPORT_FORMATS = [BoundedCSV, BoundedXLSX]


class PendingUploadStorage:
    """import-export's temporary storage, kept in the upload store."""

    def __init__(self, **kwargs: Any) -> None:
        self.name = kwargs.get("name")
        self.read_mode = kwargs.get("read_mode", "rb")
        self.encoding = kwargs.get("encoding")

    def _upload(self) -> Any:
        return store.find(token=self.name or "", purpose=ADMIN_PURPOSE)

    def save(self, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        upload = store.hold(purpose=ADMIN_PURPOSE, name="admin-import", data=data)
        self.name = upload.token

    def read(self) -> bytes | str:
        upload = self._upload()
        data = store.read(upload) if upload else None
        if data is None:
            raise FileNotFoundError(self.name)
        return data if "b" in self.read_mode else data.decode(self.encoding or "utf-8-sig")

    def remove(self) -> None:
        upload = self._upload()
        if upload is not None and upload.file.name:
            name = upload.file.name
            transaction.on_commit(lambda: store.delete_file(name))


class BoundedImportForm(ImportForm):
    """The admin's upload: CSV or XLSX by content, not only by name, and small."""

    max_bytes: int | None = None

    def clean_import_file(self) -> Any:
        upload = self.cleaned_data["import_file"]
        validate_upload(
            upload,
            kinds=("csv", "xlsx"),
            max_bytes=self.max_bytes or settings.KYOSO_IMPORT_MAX_BYTES,
        )
        return upload


class BoundedImportAdminMixin:
    """For an ``ImportExportModelAdmin``: CSV/XLSX through the bounded reader, the file held in
    the upload store, a 取り消す button, and a confirmation applied once."""

    import_formats = BOUNDED_IMPORT_FORMATS
    import_form_class = BoundedImportForm
    tmp_storage_class = PendingUploadStorage
    import_template_name = "admin/import_export/kyoso_import.html"

    def add_data_read_fail_error_to_form(self, form: Any, e: Exception) -> None:
        if isinstance(e, TableError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)  # type: ignore[misc]

    def import_action(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().import_action(request, **kwargs)  # type: ignore[misc]
        held = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
        context = getattr(response, "context_data", None) or {}
        if held and not context.get("confirm_form"):
            # Nothing to confirm (the preview found errors): the file is not kept.
            upload = store.find(token=held, purpose=ADMIN_PURPOSE)
            if upload is not None:
                store.discard(upload=upload)
        return response

    def process_import(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        parent: Any = super()
        if request.method != "POST":
            return parent.process_import(request, **kwargs)
        changelist = reverse(
            "admin:{}_{}_changelist".format(*self.get_model_info()),  # type: ignore[attr-defined]
            current_app=self.admin_site.name,  # type: ignore[attr-defined]
        )
        upload = store.find(token=request.POST.get("import_file_name", ""), purpose=ADMIN_PURPOSE)
        if upload is None:
            messages.error(
                request, _("取込待ちのファイルがありません。もう一度アップロードしてください。")
            )
            return HttpResponseRedirect(changelist)
        if "cancel" in request.POST:
            if upload.applied_at is None:
                store.discard(upload=upload)
                messages.info(request, _("取込を取り消しました。ファイルは削除しました。"))
            return HttpResponseRedirect(changelist)
        with transaction.atomic():
            if not store.claim(upload=upload, result_url=changelist):
                return store.already_imported(request, upload)
            return parent.process_import(request, **kwargs)


class SheetResource:
    """For an import-export ``Resource``: its import is the sheet kind's pipeline (all rows or
    none); the admin's preview shows every row with the action planned for it, or the rows with
    their problems."""

    sheet_class: type[Sheet[Any, Any, Any]]

    def get_diff_headers(self) -> list[str]:
        return [column.ja for column in self.sheet_class.columns]

    def row_actions(self, prepared: Prepared[Any]) -> dict[int, str]:
        """Row number → "new" or "update" (import-export's import types)."""
        raise NotImplementedError

    def import_data(
        self,
        dataset: tablib.Dataset,
        dry_run: bool = False,
        raise_errors: bool = False,
        **kwargs: Any,
    ) -> Result:
        resource: Any = self
        result = resource.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = len(dataset)
        sheet = self.sheet_class()
        prepared = prepare(sheet, dataset.export("csv").encode("utf-8"), "import.csv")
        if prepared.file_error:
            # import-export's Error wants an exception (it formats a traceback from it).
            error = ValidationError(prepared.file_error, code="file")
            result.append_base_error(resource.get_error_result_class()(error))
            return result
        if prepared.ok and not dry_run:
            user = kwargs.get("user")
            apply_plan(sheet, prepared, user=user if getattr(user, "pk", None) else None)
        self._rows(result, dataset, prepared)
        return result

    def _rows(self, result: Result, dataset: tablib.Dataset, prepared: Prepared[Any]) -> None:
        resource: Any = self
        by_row: dict[int, dict[str, list[str]]] = {}
        for problem in prepared.problems:
            if problem.row is not None:
                column = problem.label or "__all__"
                by_row.setdefault(problem.row, {}).setdefault(column, []).append(problem.message)
        actions = self.row_actions(prepared) if prepared.ok else {}
        headers = list(dataset.headers or [])
        columns = self.sheet_class.columns
        for number, values in enumerate(dataset, start=2):
            cells = dict(zip(headers, values, strict=False))
            shown = [cells.get(c.ja, cells.get(c.key, "")) for c in columns]
            if number in by_row:
                invalid = InvalidRow(
                    number=number,
                    validation_error=ValidationError(by_row[number]),
                    values=tuple(shown),
                )
                result.invalid_rows.append(invalid)
                continue
            row_result = resource.get_row_result_class()()
            row_result.import_type = actions.get(number, RowResult.IMPORT_TYPE_SKIP)
            row_result.diff = shown
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        if result.invalid_rows:
            result.totals[RowResult.IMPORT_TYPE_INVALID] = len(result.invalid_rows)
