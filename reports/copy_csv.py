"""CSV bodies written by PostgreSQL: ``COPY (SELECT <one CSV line per row>) TO STDOUT``.

The per-row work of a large export — formula escaping, CSV quoting, labels, the separators — is
done by the database in the SELECT, so Python only moves bytes: the attendance detail of a
160,000-row year comes at most of ``COPY``'s own speed instead of a third of it
(bench/RESULTS.md). The bytes are those of ``writers.iter_csv`` for the same rows: Python's
``csv.writer`` (QUOTE_MINIMAL: a cell holding ``,`` ``"`` CR or LF is quoted, quotes doubled),
CRLF line ends, text starting like a formula (``= + - @`` tab CR) prefixed with an apostrophe.
``tests/reports/test_copy_csv.py`` compares the two writers on hostile values.

COPY's text format escapes backslash, tab, CR, LF and other control characters of the line and
ends each row with LF; ``_CopySink`` turns that back into the line as built (rare: only when a
backslash is in the chunk) and the row ends into CRLF. For the attendance detail the COPY runs
in a thread that fills a small queue (``copy_lines``), so the download starts at once and memory
stays flat; a client that goes away stops it. The annual summary, bounded by years × study
groups, is read whole in the request's thread (``copy_chunks``).
"""

from __future__ import annotations

import contextlib
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence

from django.db import connection
from django.db.models import QuerySet

from consortium.tabular import FORMULA_PREFIXES

# COPY's text-format escapes (copyto.c: CopyAttributeOutText), undone.
_UNESCAPE = {b"b": b"\b", b"f": b"\f", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"v": b"\v"}
_ESCAPED = re.compile(rb"\\(.)", re.DOTALL)
_POSITION = re.compile(r"(^|, )(\d+) (ASC|DESC)")
CHUNK_BYTES = 256 * 1024
QUEUE_CHUNKS = 8  # chunks waiting for a slow client: ~2 MB at most


def available() -> bool:
    return connection.vendor == "postgresql"


def sql_literal(text: str) -> str:
    """A SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1)."""
    if "\x00" in text:
        raise ValueError("NUL cannot be in a SQL literal")
    return "'" + text.replace("'", "''") + "'"


def csv_quoted(text: str) -> str:
    """``text`` as csv.writer (QUOTE_MINIMAL) writes one cell."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


APOSTROPHE = sql_literal("'")
FORMULA_SQL = ", ".join(
    sql_literal(p) if p.isprintable() else "E'" + p.encode("unicode_escape").decode() + "'"
    for p in FORMULA_PREFIXES
)


# These take and give SQL text: a column or an expression without parameters, so that it can be
# repeated (a CASE names its subject more than once).
def text_cell(expr: str, *, escape_formulas: bool = True) -> str:
    """One text cell: NULL as empty, formulas escaped (like ``writers.safe_text``), quoted.

    Whether to quote is asked of the raw text (the apostrophe changes nothing there), so each
    row evaluates the escaping once, whichever branch it takes."""
    value = f"coalesce({expr}, '')"
    if escape_formulas:
        value = (
            f"(CASE WHEN left({value}, 1) IN ({FORMULA_SQL})"
            f" THEN {APOSTROPHE} || {value} ELSE {value} END)"
        )
    needs_quotes = (
        f"strpos({expr}, ',') + strpos({expr}, '\"') + strpos({expr}, E'\\n')"
        f" + strpos({expr}, E'\\r') > 0"
    )
    quoted = f"'\"' || replace({value}, '\"', '\"\"') || '\"'"
    return f"CASE WHEN {needs_quotes} THEN {quoted} ELSE {value} END"


def label_cell(expr: str, labels: Mapping[str, str]) -> str:
    """A value shown as its label (which is never a formula); an unknown value as it is."""
    branches = " ".join(
        f"WHEN {sql_literal(value)} THEN {sql_literal(csv_quoted(label))}"
        for value, label in labels.items()
    )
    return f"CASE {expr} {branches} ELSE {text_cell(expr, escape_formulas=False)} END"


def bool_cell(expr: str, labels: Mapping[bool, str]) -> str:
    return (
        f"CASE WHEN {expr} THEN {sql_literal(csv_quoted(labels[True]))}"
        f" ELSE {sql_literal(csv_quoted(labels[False]))} END"
    )


def date_cell(expr: str) -> str:
    return f"coalesce(to_char({expr}, 'YYYY-MM-DD'), '')"


def integer_cell(expr: str) -> str:
    return f"coalesce(({expr})::text, '')"


def era_fiscal_cell(expr: str) -> str:
    """``consortium.fiscal.era_fiscal_label`` of an integer fiscal year, in SQL: the era in force
    on 31 December of the year (令和元年度 for FY2019), from the same table of eras."""
    from consortium.fiscal import ERAS

    branches = []
    for era in ERAS:
        offset = era.start.year - 1
        number = f"({expr}) - {offset}"
        year = f"CASE WHEN {number} = 1 THEN '元' ELSE ({number})::text END"
        branches.append(
            f"WHEN ({expr}) >= {era.start.year} THEN {sql_literal(era.name)} || {year} || '年度'"
        )
    return f"(CASE {' '.join(branches)} ELSE '' END)"


def columns_of(queryset: QuerySet) -> tuple[list[str], str, tuple]:
    """The SQL of each selected column of a ``values_list`` queryset, and the rest of its SQL
    (``FROM … WHERE … ORDER BY …``) with parameters: the rows and their order stay defined in
    one place, the queryset."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    columns = []
    for expression, _select, _alias in compiler.select:
        column_sql, column_params = compiler.compile(expression)
        if column_params:
            raise ValueError("columns_of takes plain columns only")
        columns.append(column_sql)
    rest = sql[sql.index(" FROM ") :]
    # Django orders by a selected column through its position (``ORDER BY 3 ASC``); the line
    # replaces the select list, so the position becomes the column itself.
    head, order_by, tail = rest.rpartition(" ORDER BY ")
    if order_by:
        tail = _POSITION.sub(lambda m: f"{m[1]}{columns[int(m[2]) - 1]} {m[3]}", tail)
        rest = head + order_by + tail
    return columns, rest, tuple(params)


def line_sql(cells: Sequence[str], rest: str) -> str:
    """``SELECT`` of one CSV line (without its line end) per row."""
    separator = ", ',', "
    return f"SELECT concat({separator.join(cells)}) {rest}"


class _Stopped(Exception):
    """The reader went away: COPY is abandoned."""


class _CopySink:
    """The file COPY writes to: COPY text rows back to CSV lines, handed on in chunks."""

    def __init__(self, deliver: Callable[[bytes], None], stop: threading.Event) -> None:
        self.deliver, self.stop = deliver, stop
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        if self.stop.is_set():
            raise _Stopped
        self.parts.append(data)
        self.size += len(data)
        if self.size >= CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if not self.parts:
            return
        chunk = b"".join(self.parts)
        self.parts, self.size = [], 0
        # A real LF in COPY's text output only ever ends a row.
        chunk = chunk.replace(b"\n", b"\r\n")
        if b"\\" in chunk:
            chunk = _ESCAPED.sub(lambda m: _UNESCAPE.get(m.group(1), m.group(1)), chunk)
        self.deliver(chunk)


_DONE = object()


def _statement(sql: str, params: Sequence[object]):
    """The driver's connection and the COPY's SELECT with its parameters bound."""
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        return raw, cursor.mogrify(sql, params).decode()


def _logged(statement: str, started: float) -> None:
    # The COPY ran on the driver's cursor, which Django does not see: counted like any other
    # query where queries are logged (DEBUG, query-count tests).
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"COPY ({statement}) TO STDOUT", "time": f"{time.monotonic() - started:.3f}"}
        )


def copy_chunks(sql: str, params: Sequence[object]) -> list[bytes]:
    """The rows of ``sql`` as CSV bytes like ``copy_lines``, read whole before returning, in this
    thread: for files bounded by the reference data (the annual summary: years × study groups,
    0.6 MB at ten times the prefecture), where handing chunks over from a thread would cost more
    than the rows."""
    raw, statement = _statement(sql, params)
    chunks: list[bytes] = []
    sink = _CopySink(chunks.append, threading.Event())
    started = time.monotonic()
    with raw.cursor() as cursor:
        cursor.copy_expert(f"COPY ({statement}) TO STDOUT", sink)
    sink.flush()
    _logged(statement, started)
    return chunks


def copy_lines(sql: str, params: Sequence[object]) -> Iterator[bytes]:
    """The rows of ``sql`` (one text column, a CSV line each) as CSV bytes in UTF-8, CRLF,
    streamed as COPY sends them."""
    raw, statement = _statement(sql, params)
    chunks: queue.Queue = queue.Queue(maxsize=QUEUE_CHUNKS)
    stop = threading.Event()

    def run() -> None:
        sink = _CopySink(chunks.put, stop)
        try:
            with raw.cursor() as cursor:
                cursor.copy_expert(f"COPY ({statement}) TO STDOUT", sink)
            sink.flush()
            chunks.put(_DONE)
        except BaseException as error:  # handed to the reader, raised there
            chunks.put(error)

    worker = threading.Thread(target=run, name="copy-csv", daemon=True)
    started = time.monotonic()
    worker.start()
    finished = False
    try:
        while True:
            item = chunks.get()
            if item is _DONE:
                finished = True
                return
            if isinstance(item, BaseException):
                finished = True
                raise item
            yield item
    finally:
        if not finished:
            stop.set()
            # Unblock a writer waiting on a full queue, then wait for it to give up.
            while worker.is_alive():
                with contextlib.suppress(queue.Empty):
                    chunks.get(timeout=0.1)
        worker.join()
        _logged(statement, started)
