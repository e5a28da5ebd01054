"""Reading and writing the spreadsheets people bring and take away.

Reading: CSV in UTF-8 (with or without BOM) or Shift_JIS/cp932, and XLSX, into rows keyed by a
canonical column name, with Japanese or English headers. Every row keeps its spreadsheet row number
(the header is row 1) so that errors can say "row 7, column 法人番号".

Every import (staff pages, the Django admin, the management commands) reads through ``read_rows``,
which cannot be made to exhaust memory: the file size, the XLSX archive's uncompressed size and
compression ratio are checked before anything is parsed, the sheet is read in openpyxl's streaming
mode with the declared ``<dimension>`` ignored, and reading stops with a clear error past fixed
row and column limits (``KYOSO_IMPORT_MAX_*`` settings).

Writing: ``excel_safe`` escapes text that a spreadsheet would run as a formula (= + - @ tab CR);
reading strips that apostrophe again, so Kyoso's own exports import back unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ENCODINGS = ("utf-8-sig", "cp932")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class TableError(ValueError):
    """The file as a whole cannot be read (encoding, missing columns, duplicate headers, limits)."""


@dataclass(frozen=True)
class Limits:
    """How much of a spreadsheet an import reads before refusing it."""

    file_bytes: int
    rows: int  # data rows, the header not counted
    columns: int
    uncompressed_bytes: int  # XLSX: the archive's parts, unpacked
    compression_ratio: int  # XLSX: unpacked size / packed size

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            file_bytes=settings.KYOSO_IMPORT_MAX_BYTES,
            rows=settings.KYOSO_IMPORT_MAX_ROWS,
            columns=settings.KYOSO_IMPORT_MAX_COLUMNS,
            uncompressed_bytes=settings.KYOSO_IMPORT_MAX_UNCOMPRESSED_BYTES,
            compression_ratio=settings.KYOSO_IMPORT_MAX_COMPRESSION_RATIO,
        )


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


def unescape_formula(text: str) -> str:
    """``'=1+1`` → ``=1+1``: the apostrophe ``excel_safe`` (and OWASP) put before formula-like
    text is not data. An apostrophe before anything else is kept."""
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return unescape_formula(value.strip())
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


def check_file_size(size: int, limits: Limits | None = None) -> None:
    limits = limits or Limits.from_settings()
    if size > limits.file_bytes:
        raise TableError(
            _("ファイルが大きすぎます（%(size)s）。取り込めるのは %(limit)s までです。")
            % {"size": filesizeformat(size), "limit": filesizeformat(limits.file_bytes)}
        )


def read_path(path: Path, limits: Limits | None = None) -> bytes:
    """The bytes of the file at ``path`` (a command's argument), refused by its size before it is
    read; never more than the limit is read, even from a pipe or a file still growing."""
    limits = limits or Limits.from_settings()
    with open(path, "rb") as handle:  # OSError is the caller's to report
        size = path.stat().st_size
        check_file_size(size, limits)
        data = handle.read(limits.file_bytes + 1)
    check_file_size(len(data), limits)
    return data


def is_xlsx(data: bytes, filename: str) -> bool:
    return filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04"


def check_archive(data: bytes, limits: Limits | None = None) -> None:
    """Refuse an XLSX whose parts unpack to too much, or pack too well (a zip bomb), before
    openpyxl opens it. The sizes are those the archive declares; Python's zipfile stops
    unpacking a part at its declared size (and then fails its CRC), so they cannot lie."""
    limits = limits or Limits.from_settings()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise TableError(_("Excel ファイルを開けませんでした: %(err)s") % {"err": exc}) from None
    unpacked = sum(part.file_size for part in parts)
    packed = sum(part.compress_size for part in parts)
    if unpacked > limits.uncompressed_bytes:
        raise TableError(
            _(
                "Excel ファイルの展開後の大きさ（%(size)s）が上限 %(limit)s を超えています。"
                "行や列を減らすか、CSV にしてください。"
            )
            % {"size": filesizeformat(unpacked), "limit": filesizeformat(limits.uncompressed_bytes)}
        )
    ratio = unpacked / max(packed, 1)
    if ratio > limits.compression_ratio:
        raise TableError(
            _(
                "Excel ファイルの圧縮率が異常です（%(ratio)s 倍、上限 %(limit)s 倍）。"
                "壊れているか細工されたファイルのため読み込みません。"
            )
            % {"ratio": int(ratio), "limit": limits.compression_ratio}
        )


def _too_many_rows(limits: Limits) -> TableError:
    return TableError(
        _(
            "行が多すぎます。取り込めるのは見出しを除いて %(limit)s 行までです。"
            "ファイルを分けてください。"
        )
        % {"limit": limits.rows}
    )


def _too_many_columns(limits: Limits, row: int, column: int) -> TableError:
    return TableError(
        _(
            "列が多すぎます。取り込めるのは %(limit)s 列までです"
            "（%(row)s行目の %(col)s列目に値があります）。"
        )
        % {"limit": limits.columns, "row": row, "col": column}
    )


def _bounded(rows: Iterable[Iterable[object]], limits: Limits) -> list[list[str]]:
    """The rows as text, trailing empty cells dropped; refused past the row or column limit.

    Empty rows past the limit are let through (spreadsheets keep formatted empty rows); the
    first row with a value past it stops the reading.
    """
    out: list[list[str]] = []
    last_row = limits.rows + 1  # the header is row 1
    for number, row in enumerate(rows, start=1):
        cells = [_cell(value) for value in row]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            if number <= last_row:
                out.append(cells)
            continue
        if number > last_row:
            raise _too_many_rows(limits)
        if len(cells) > limits.columns:
            raise _too_many_columns(limits, number, len(cells))
        out.append(cells)
    return out


def _xlsx_rows(data: bytes, limits: Limits) -> Iterator[tuple[object, ...]]:
    import openpyxl

    check_archive(data, limits)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise TableError(_("Excel ファイルを開けませんでした: %(err)s") % {"err": exc}) from None
    try:
        sheet = workbook.worksheets[0]
        # The declared <dimension> is whatever the file says (A1:XFD1048576 pads every row
        # to 16,384 cells and a million rows): read the cells that are really there.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True)
    except TableError:
        raise
    except Exception as exc:
        raise TableError(_("Excel ファイルを開けませんでした: %(err)s") % {"err": exc}) from None
    finally:
        workbook.close()


def read_rows(
    data: bytes, filename: str, encoding: str | None = None, *, limits: Limits | None = None
) -> tuple[list[list[str]], str]:
    """Every row of the first sheet (XLSX) or of the CSV as stripped text, within ``limits``.

    Returns the rows and the encoding used ("xlsx" for Excel). Raises TableError with a message
    saying which limit was hit.
    """
    limits = limits or Limits.from_settings()
    check_file_size(len(data), limits)
    if is_xlsx(data, filename):
        return _bounded(_xlsx_rows(data, limits), limits), "xlsx"
    text, used = decode(data, encoding)
    try:
        rows = _bounded(csv.reader(io.StringIO(text, newline="")), limits)
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
    raw, used = read_rows(data, filename, encoding)
    while raw and not any(raw[0]):
        raw.pop(0)
    if not raw:
        raise TableError(_("ファイルが空です。1行目に見出しが必要です。"))
    header = raw[0]
    keys = _header_keys(header, columns)
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
            raise _nul(header, cells, number)
        if every_column_known and len(cells) == width:
            values = dict(zip(cast(list[str], keys), cells, strict=True))  # at C speed
        else:
            values = {key: cells[i] if i < len(cells) else "" for i, key in known}
        table.rows.append(Row(number=number, values=values))
    return table


def _nul(header: list[str], cells: list[str], number: int) -> TableError:
    """No database column can hold NUL (PostgreSQL refuses it): stop at the file."""
    index = next(i for i, cell in enumerate(cells, start=1) if "\x00" in cell)
    return TableError(
        _("%(row)s行目 %(col)s列目（%(name)s）に NUL 文字が含まれています。")
        % {"row": number, "col": index, "name": header[index - 1] or "—"}
    )


def _header_keys(header: list[str], columns: list[Column]) -> list[str | None]:
    """The column key of each header cell (None for a column Kyoso does not read); refuses a
    duplicated header and a missing required column."""
    lookup: dict[str, str] = {}
    for column in columns:
        for name in (column.key, column.ja, *column.aliases):
            lookup[_norm(name)] = column.key
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
    return keys


def header_label(column: Column, language: str = "ja") -> str:
    return column.ja if language == "ja" else column.key


def excel_safe(value: object) -> object:
    """Text that a spreadsheet would treat as a formula gets a leading apostrophe.

    Numbers stay numbers (a negative amount is data, not a formula); only strings are escaped.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def excel_safe_row(values: Iterable[object]) -> list[object]:
    return [excel_safe(v) for v in values]
