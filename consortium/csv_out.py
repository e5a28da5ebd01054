"""Writing CSV files people open in Excel: one dialect (CRLF line ends, quoted only where CSV
needs it), UTF-8 with a BOM by default, and text a spreadsheet would run as a formula escaped
with ``tabular.excel_safe`` (files read by programs, such as open data, opt out).

Every app writes its CSV through here; ``reports.writers`` adds chunked streaming and the
messages for characters cp932 cannot hold on top of the same writer.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable
from typing import Any, Protocol

from .tabular import excel_safe

LINE_END = "\r\n"


class CsvWriter(Protocol):
    """What ``csv.writer`` returns (the stdlib names no public type for it)."""

    def writerow(self, row: Iterable[Any], /) -> Any: ...

    def writerows(self, rows: Iterable[Iterable[Any]], /) -> None: ...


def csv_writer(buffer: io.StringIO) -> CsvWriter:
    """A ``csv.writer`` in the dialect of every Kyoso CSV."""
    return csv.writer(buffer, lineterminator=LINE_END)


def csv_text(rows: Iterable[Iterable[object]], *, escape_formulas: bool = True) -> str:
    """The rows as CSV text (``None`` an empty cell), formula-like text escaped unless not."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    for row in rows:
        writer.writerow([excel_safe(value) for value in row] if escape_formulas else row)
    return buffer.getvalue()


def csv_bytes(
    header: Iterable[object],
    rows: Iterable[Iterable[object]],
    *,
    encoding: str = "utf-8-sig",
    escape_formulas: bool = True,
) -> bytes:
    """A whole CSV file: ``header`` as its first line, then ``rows``, encoded (``utf-8-sig``
    writes the BOM Excel needs to read UTF-8). The header is escaped like the rows."""
    lines = csv_text(itertools.chain([header], rows), escape_formulas=escape_formulas)
    return lines.encode(encoding)
