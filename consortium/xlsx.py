"""Writing XLSX workbooks whose cells keep their types, for every Kyoso export.

A spreadsheet cell is typed: dates are stored as dates (shown ``yyyy-mm-dd``), numbers as numbers
and text as text. Text that looks like a formula (``=…``) or an error code (``#N/A``) is stored as
a string cell, value unchanged: a string cell is never run as a formula, so the apostrophe that
CSV needs (``consortium.tabular.excel_safe``) would only be visible data here.

``write_workbook`` serves the annual-summary downloads (``reports.writers``), ``TypedXLSX`` the
roster and funding exports of the admin (django-import-export).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Sequence
from typing import IO, cast

from django.utils import timezone
from import_export.formats.base_formats import XLSX

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# Characters Excel refuses in a sheet name; names are at most 31 characters long.
_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


def sheet_title(text: object) -> str:
    return str(text).translate(_TITLE_FORBIDDEN)[:31] or "Sheet1"


def typed_cell(sheet, value: object) -> object:
    """``value`` as a write-only sheet should store it (a plain value where openpyxl already
    types it right, else a ``WriteOnlyCell``). Called per cell: the common cases come first."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    kind = type(value)
    if kind is str:
        text = cast(str, value)
        if text[:1] == "=" or text in ERROR_CODES:
            # openpyxl would store these as a formula / an error: keep them text.
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            return cell
        return value
    if kind is int or kind is float or value is None:
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):  # Excel has no time zones: Tokyo wall-clock time
            value = timezone.make_naive(value)
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, bool | int | float | decimal.Decimal):
        return value
    return typed_cell(sheet, str(value))  # lazy translations and other objects: their text


def write_workbook(
    handle: IO[bytes],
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    title: object = "Sheet1",
) -> None:
    """One sheet, header row frozen, written row by row (openpyxl write-only: flat memory)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    sheet.freeze_panes = "A2"
    sheet.append([typed_cell(sheet, value) for value in header])
    for row in rows:
        sheet.append([typed_cell(sheet, value) for value in row])
    workbook.save(handle)


class TypedXLSX(XLSX):
    """import-export's XLSX, written with typed cells (its own writer stores every value as
    text when ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` is on, and ``=…`` as a formula). The
    resource hands native values for binary formats (``force_native_type``), unescaped."""

    def export_data(self, dataset, **kwargs) -> bytes:
        import io

        buffer = io.BytesIO()
        write_workbook(buffer, dataset.headers or [], dataset, title=dataset.title or "Sheet1")
        return buffer.getvalue()


class TypedExportAdminMixin:
    """For an import-export ModelAdmin exporting ``TypedXLSX``: the admin hands a resource native
    values (``force_native_type``) only for the library's own binary formats, compared by exact
    type; this asks for them for TypedXLSX too, per request, without touching the library."""

    def get_export_data(self, file_format, request, queryset, **kwargs):
        request.kyoso_native_types = isinstance(file_format, TypedXLSX)
        return super().get_export_data(file_format, request, queryset, **kwargs)

    def get_data_for_export(self, request, queryset, **kwargs):
        if getattr(request, "kyoso_native_types", False):
            kwargs["force_native_type"] = True
        return super().get_data_for_export(request, queryset, **kwargs)
