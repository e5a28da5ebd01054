"""Reading and writing the spreadsheets people bring and take away.

Reading: CSV in UTF-8 (with or without BOM) or Shift_JIS/cp932, and XLSX, into rows keyed by a
canonical column name, with Japanese or English headers. Every row keeps its spreadsheet row number
(the header is row 1) so that errors can say "row 7, column 法人番号".

Writing: ``excel_safe`` escapes text that a spreadsheet would run as a formula (= + - @ tab CR).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

ENCODINGS = ("utf-8-sig", "cp932")


class TableError(ValueError):
    """The file as a whole cannot be read (encoding, missing columns, duplicate headers)."""


@dataclass
class Column:
    key: str  # canonical name used in code, also the English header
    ja: str  # Japanese header
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(slots=True)
class Row:
    number: int  # spreadsheet row number (header = 1)
    values: dict[str, str]


@dataclass
class Table:
    columns: list[str]  # canonical keys present in the file
    rows: list[Row] = field(default_factory=list)
    encoding: str | None = None


def _norm(header: object) -> str:
    return unicodedata.normalize("NFKC", str(header or "")).strip().lower().replace(" ", "_")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time.min else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode CSV bytes: the given encoding, else UTF-8 (BOM or not), else cp932."""
    for candidate in (encoding,) if encoding else ENCODINGS:
        try:
            return data.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    if encoding:
        raise TableError(_("ファイルを文字コード %(enc)s で読めませんでした。") % {"enc": encoding})
    raise TableError(
        _("ファイルの文字コードを判別できません。UTF-8 または Shift_JIS の CSV を使ってください。")
    )


def _raw_rows(data: bytes, filename: str, encoding: str | None) -> tuple[list[list[str]], str]:
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for broken files
            raise TableError(
                _("Excel ファイルを開けませんでした: %(err)s") % {"err": exc}
            ) from None
        sheet = workbook.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows, "xlsx"
    text, used = decode(data, encoding)
    try:
        rows = [list(map(str.strip, row)) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise TableError(_("CSV として読めませんでした: %(err)s") % {"err": exc}) from None
    return rows, used


def read_table(
    data: bytes, filename: str, columns: Iterable[Column], *, encoding: str | None = None
) -> Table:
    """Read a CSV or XLSX file whose first row is a header naming ``columns`` (ja or en).

    Every row has a value (text, stripped of surrounding spaces; "" if empty) for each column
    the file has; columns the header does not name are dropped.
    """
    columns = list(columns)
    lookup: dict[str, str] = {}
    for column in columns:
        for name in (column.key, column.ja, *column.aliases):
            lookup[_norm(name)] = column.key
    raw, used = _raw_rows(data, filename, encoding)
    while raw and not any(raw[0]):
        raw.pop(0)
    if not raw:
        raise TableError(_("ファイルが空です。1行目に見出しが必要です。"))
    header = raw[0]
    keys: list[str | None] = []
    seen: dict[str, str] = {}
    for index, name in enumerate(header, start=1):
        key = lookup.get(_norm(name))
        if key and key in seen:
            raise TableError(
                _("見出し「%(name)s」（%(col)s列目）が重複しています（「%(first)s」と同じ列）。")
                % {"name": name, "col": index, "first": seen[key]}
            )
        if key:
            seen[key] = name
        keys.append(key)
    missing = [c for c in columns if c.required and c.key not in seen]
    if missing:
        raise TableError(
            _("必須の列がありません: %(cols)s")
            % {"cols": "、".join(f"{c.ja}/{c.key}" for c in missing)}
        )
    table = Table(columns=[k for k in keys if k], encoding=used)
    width = len(keys)
    known = [(index, key) for index, key in enumerate(keys) if key]
    every_column_known = len(known) == width
    for number, cells in enumerate(raw[1:], start=2):
        if not any(cells):
            continue
        if len(cells) > width:
            cells = cells[:width]  # cells past the header belong to no column
        if "\x00" in "".join(cells):
            # No database column can hold NUL (PostgreSQL refuses it): stop at the file.
            index = next(i for i, cell in enumerate(cells, start=1) if "\x00" in cell)
            raise TableError(
                _("%(row)s行目 %(col)s列目（%(name)s）に NUL 文字が含まれています。")
                % {"row": number, "col": index, "name": header[index - 1] or "—"}
            )
        if every_column_known and len(cells) == width:
            values = dict(zip(keys, cells, strict=True))  # the common case, at C speed
        else:
            values = {key: cells[i] if i < len(cells) else "" for i, key in known}
        table.rows.append(Row(number=number, values=values))
    return table


def header_label(column: Column, language: str = "ja") -> str:
    return column.ja if language == "ja" else column.key


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value: object) -> object:
    """Text that a spreadsheet would treat as a formula gets a leading apostrophe.

    Numbers stay numbers (a negative amount is data, not a formula); only strings are escaped.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def excel_safe_row(values: Iterable[object]) -> list[object]:
    return [excel_safe(v) for v in values]
