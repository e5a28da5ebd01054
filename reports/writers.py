"""Writing tables people open in Excel: CSV (UTF-8 with BOM or cp932) and XLSX.

CSV: every text cell that a spreadsheet would run as a formula (= + - @ tab CR) is escaped with
``consortium.tabular.excel_safe``; dates are ISO (YYYY-MM-DD). cp932 (Shift_JIS) cannot hold every
character: the error names the row, the column and the character, so the administrator can fix the
record or choose UTF-8. XLSX: typed cells (``consortium.xlsx``): dates as dates, numbers as
numbers, formula-looking text as a string cell without an apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import tempfile
from collections.abc import Iterable, Iterator, Sequence

from django.utils.translation import gettext as _

from consortium.csv_out import csv_writer
from consortium.tabular import ENCODINGS, FORMULA_PREFIXES, excel_safe
from consortium.xlsx import write_workbook

CHUNK_ROWS = 2000
SPOOL_BYTES = 8 * 1024 * 1024  # files built before sending stay in memory up to this size


class ExportEncodingError(ValueError):
    """A cell cannot be written in the chosen encoding: ``row`` (header = 1), ``column`` (its
    header) and ``char`` say which, for the page that offers UTF-8 instead."""

    def __init__(
        self,
        message: str,
        *,
        row: int | None = None,
        column: str = "",
        char: str = "",
        encoding: str = "",
    ) -> None:
        super().__init__(message)
        self.row, self.column, self.char, self.encoding = row, column, char, encoding


FORMULA_START = frozenset(p[0] for p in FORMULA_PREFIXES)


class Cells(list):
    """A CSV row whose cells are already what the file holds: text passed through
    ``safe_text``, dates as ISO text. The CSV writer takes it as it is, without a ``_cell`` call
    per cell (what makes million-row exports slow). Not for XLSX, whose cells keep their types."""

    __slots__ = ()


def safe_text(value: str) -> str:
    """Text escaped against formulas, as ``_cell`` does (for building ``Cells``)."""
    return str(excel_safe(value)) if value[:1] in FORMULA_START else value


def _cell(value: object) -> object:
    """One cell: text escaped against formulas, numbers as they are, dates ISO, None empty.

    Called once per cell of million-row exports, so the common cases come first.
    """
    if type(value) is str:
        return excel_safe(value) if value[:1] in FORMULA_START else value
    kind = type(value)
    if kind is int or kind is float:
        return value
    if value is None:
        return ""
    if kind is bool:
        return "1" if value else "0"
    if isinstance(value, dt.date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return _cell(str(value))


def _encode(text: str, encoding: str, *, first_row: int, header: Sequence[str]) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        pass
    # Find the offending cell for the message; this path only runs on failure.
    for offset, record in enumerate(csv.reader(io.StringIO(text, newline=""))):
        for index, value in enumerate(record):
            for char in value:
                try:
                    char.encode(encoding)
                except UnicodeEncodeError:
                    column = header[index] if index < len(header) else str(index + 1)
                    label = "Shift_JIS (cp932)" if encoding == "cp932" else encoding
                    raise ExportEncodingError(
                        _(
                            "%(row)s行目の列「%(column)s」の文字「%(char)s」（U+%(code)04X）は"
                            "%(encoding)s で保存できません。"
                            "UTF-8 を選ぶか、データを修正してください。"
                        )
                        % {
                            "row": first_row + offset,
                            "column": column,
                            "char": char,
                            "code": ord(char),
                            "encoding": label,
                        },
                        row=first_row + offset,
                        column=column,
                        char=char,
                        encoding=label,
                    ) from None
    raise ExportEncodingError(
        _("文字コード %(encoding)s で保存できません。") % {"encoding": encoding},
        encoding=encoding,
    )


def _plain_cell(value: object) -> object:
    """One cell of a file read by programs (open data): as ``_cell`` without the escaping."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _lines(rows: Iterable[Sequence[object]], escape_formulas: bool = True) -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    convert = _cell if escape_formulas else _plain_cell
    for row in rows:
        writer.writerow(row if type(row) is Cells else [convert(v) for v in row])
    return buffer.getvalue()


def iter_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    encoding: str = "utf-8-sig",
    chunk_rows: int = CHUNK_ROWS,
    escape_formulas: bool = True,
) -> Iterator[bytes]:
    """Yield CSV bytes in chunks of ``chunk_rows`` rows (flat memory for large exports).

    The BOM of ``utf-8-sig`` is written once, at the start. Row numbers in errors count the
    header as row 1, like a spreadsheet.
    """
    if encoding not in ENCODINGS:
        raise ExportEncodingError(
            _("文字コード %(encoding)s には対応していません。") % {"encoding": encoding}
        )
    body_encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    prefix = b"\xef\xbb\xbf" if encoding == "utf-8-sig" else b""
    yield prefix + _encode(_lines([header]), body_encoding, first_row=1, header=header)
    chunk: list[Sequence[object]] = []
    row_number = 2
    for row in rows:
        chunk.append(row)
        if len(chunk) >= chunk_rows:
            text = _lines(chunk, escape_formulas)
            yield _encode(text, body_encoding, first_row=row_number, header=header)
            row_number += len(chunk)
            chunk = []
    if chunk:
        text = _lines(chunk, escape_formulas)
        yield _encode(text, body_encoding, first_row=row_number, header=header)


def iter_copy_csv(
    header: Sequence[str], sql: str, params: Sequence[object], *, stream: bool = True
) -> Iterator[bytes]:
    """A UTF-8 CSV (with BOM) whose rows PostgreSQL writes (``copy_csv``): the header here, the
    lines from ``COPY (sql) TO STDOUT``; the same bytes as ``iter_csv`` of the same rows.
    ``stream=False`` reads the rows whole first (``copy_csv.copy_chunks``: small files)."""
    from .copy_csv import copy_chunks, copy_lines

    head = b"\xef\xbb\xbf" + _lines([header]).encode("utf-8")
    if not stream:
        return iter([head, *copy_chunks(sql, params)])
    return itertools.chain([head], copy_lines(sql, params))


def csv_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    encoding: str = "utf-8-sig",
    escape_formulas: bool = True,
) -> bytes:
    return b"".join(iter_csv(header, rows, encoding=encoding, escape_formulas=escape_formulas))


def csv_file(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    encoding: str = "utf-8-sig",
    escape_formulas: bool = True,
) -> tempfile.SpooledTemporaryFile:
    """The whole CSV written to a spooled file (memory, then disk), rewound for reading.

    For encodings that cannot hold every character (cp932): an ``ExportEncodingError`` comes
    before the response exists, instead of a download cut off after the header.
    """
    handle = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        for chunk in iter_csv(header, rows, encoding=encoding, escape_formulas=escape_formulas):
            handle.write(chunk)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def xlsx_file(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, title: str = "data"
) -> tempfile.SpooledTemporaryFile:
    """An XLSX workbook with typed cells, written row by row, rewound for reading."""
    # Returned open: the response streams it and closes it.
    handle = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    write_workbook(handle, header, rows, title=title)
    handle.seek(0)
    return handle


def xlsx_bytes(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, title: str = "data"
) -> bytes:
    return xlsx_file(header, rows, title=title).read()
