"""The attendance-detail CSV of the largest fiscal year over HTTP from gunicorn (gthread) against
``COPY (the same query) TO STDOUT`` — the database's own speed for the same rows.

The worker's peak RSS (VmHWM) is read after a small page, after the export of the smallest
fiscal year and after the largest one: flat memory means the peak does not grow with rows.
"""

from __future__ import annotations

import http.client
import io
import time

from django.db import connection

from .results import Figure
from .server import HOST, gunicorn, peak_rss_kb, session_cookie

RATIO_TARGET = 0.60
RSS_TARGET_MB = 150


def _year_sizes() -> dict[int, int]:
    from django.db.models import Count

    from events.models import Meeting

    rows = Meeting.objects.values("fiscal_year").annotate(n=Count("attendances")).order_by()
    return {r["fiscal_year"]: r["n"] for r in rows if r["n"]}


class _Counter(io.RawIOBase):
    """A write-only sink that counts bytes and lines (COPY writes here)."""

    def __init__(self):
        self.bytes = 0
        self.lines = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.bytes += len(data)
        self.lines += bytes(data).count(b"\n")
        return len(data)


def _copy_time(queryset) -> tuple[float, int]:
    """(seconds, rows) of ``COPY (queryset's SQL) TO STDOUT`` into a counting sink."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        literal = cursor.mogrify(sql, params).decode()
        sink = _Counter()
        started = time.perf_counter()
        cursor.cursor.copy_expert(f"COPY ({literal}) TO STDOUT WITH (FORMAT csv)", sink)
        elapsed = time.perf_counter() - started
    return elapsed, sink.lines


def _copy_rate(queryset) -> tuple[float, int]:
    """(rows/s, rows) of ``COPY (queryset's SQL) TO STDOUT``."""
    elapsed, lines = _copy_time(queryset)
    return lines / elapsed, lines


def copy_rows_per_second(fiscal_year: int) -> tuple[float, int]:
    """COPY of the export's own query (same joins, order and columns)."""
    from reports.exports import attendance_queryset

    return _copy_rate(attendance_queryset(fiscal_year))


def copy_participation_rows_per_second() -> tuple[float, int]:
    """COPY of the annual summary's own query (every fiscal year)."""
    from reports.exports import participation_rows_queryset

    return _copy_rate(participation_rows_queryset())


# A fiscal year the bench data never holds (they are the ten years before the current one): the
# annual summary of that year is its header alone, so its download is what every download of
# the summary pays whatever the rows — session, permission, export log, COPY's round trip.
EMPTY_FISCAL_YEAR = 2000
ANNUAL_REPEATS = 15


def _median(runs: list[tuple]) -> tuple:
    """The run whose first figure is the median (an odd number of runs)."""
    return sorted(runs)[len(runs) // 2]


def write_participation_csv() -> tuple[float, int, int]:
    """(seconds, data rows, bytes) of the annual summary's CSV as the download view writes it
    (``reports.views.build_export`` and ``export_response``), in this process."""
    from reports.views import build_export, export_response

    started = time.perf_counter()
    export = build_export("participation", None, "ja")
    if export.copy_sql is None:
        raise RuntimeError("the annual summary is not written by COPY")
    response = export_response(export, "csv", "utf-8-sig")
    size = lines = 0
    for chunk in response.streaming_content if response.streaming else [response.content]:
        size += len(chunk)
        lines += chunk.count(b"\n")
    return time.perf_counter() - started, lines - 1, size


def http_export(
    port: int, cookie: str, fiscal_year: int | None, kind: str = "attendance"
) -> tuple[float, int, int]:
    """(seconds, data rows, bytes) of one download, read as it streams."""
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    year = f"fiscal_year={fiscal_year}&" if fiscal_year else ""
    path = f"/reports/exports/{kind}.csv?{year}encoding=utf-8-sig"
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    if response.status != 200:
        raise RuntimeError(f"export answered {response.status}")
    lines = size = 0
    while chunk := response.read(256 * 1024):
        size += len(chunk)
        lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, lines - 1, size


def _get(port: int, cookie: str, path: str) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie})
    conn.getresponse().read()
    conn.close()


def measure() -> list[Figure]:
    if connection.vendor != "postgresql":
        return [Figure("attendance CSV export vs COPY", "skipped: COPY needs PostgreSQL")]
    sizes = _year_sizes()
    largest = max(sizes, key=sizes.get)
    smallest = min(sizes, key=sizes.get)
    cookie = session_cookie("bench-admin")
    with gunicorn(workers=1, threads=4) as server:
        (worker,) = server.worker_pids()
        _get(server.port, cookie, "/reports/exports/")
        base = peak_rss_kb(worker)
        http_export(server.port, cookie, smallest)
        small_peak = peak_rss_kb(worker)
        # COPY and the download alternately, the best of two each: a machine that slows down
        # for a while (shared CPUs) slows both alike instead of one of them.
        copies, downloads = [], []
        for _ in range(2):
            copies.append(copy_rows_per_second(largest))
            downloads.append(http_export(server.port, cookie, largest))
        large_peak = peak_rss_kb(worker)
        annual_copies, annual_writes, annual_downloads, empty_downloads = [], [], [], []
        for _ in range(ANNUAL_REPEATS):
            annual_copies.append(copy_participation_rows_per_second())
            annual_writes.append(write_participation_csv())
            annual_downloads.append(http_export(server.port, cookie, None, "participation"))
            empty_downloads.append(
                http_export(server.port, cookie, EMPTY_FISCAL_YEAR, "participation")
            )
    # Medians: a few milliseconds each, so one slow or lucky run must not decide.
    annual_copy_rate, annual_copy_rows = _median(annual_copies)
    write_seconds, written_rows, _ = _median(annual_writes)
    annual_seconds, annual_rows, annual_size = _median(annual_downloads)
    empty_seconds = _median(empty_downloads)[0]
    writer_share = written_rows / write_seconds / annual_copy_rate
    annual_share = annual_rows / annual_seconds / annual_copy_rate
    copy_rate, copy_rows = max(copies)
    seconds, rows, size = min(downloads)
    rate = rows / seconds
    share = rate / copy_rate
    growth = (large_peak - small_peak) / 1024
    flat = growth < 10  # MB: a few buffers, not the rows
    return [
        Figure(
            "attendance CSV export over HTTP vs COPY",
            f"FY{largest}: {rows:,} rows, {size / 1e6:.1f} MB in {seconds:.2f} s = "
            f"{rate:,.0f} rows/s; COPY {copy_rate:,.0f} rows/s ({copy_rows:,} rows); "
            f"{share:.0%} of COPY",
            "rows built in Python: 74k rows/s, 34% of COPY (earlier run)",
            f"≥ {RATIO_TARGET:.0%} of COPY's rows/s",
            share >= RATIO_TARGET,
            data={"copy_share": share},
        ),
        Figure(
            "annual summary (participation, every fiscal year) CSV vs COPY",
            f"{written_rows:,} rows written (header, COPY, CSV lines) in "
            f"{write_seconds * 1000:.1f} ms = {written_rows / write_seconds:,.0f} rows/s; "
            f"COPY {annual_copy_rate:,.0f} rows/s; {writer_share:.0%} of COPY. Over HTTP "
            f"{annual_size / 1e6:.2f} MB in {annual_seconds * 1000:.1f} ms "
            f"({annual_share:.0%} of COPY), of which a download without rows "
            f"(FY{EMPTY_FISCAL_YEAR}) takes {empty_seconds * 1000:.1f} ms",
            f"medians of {ANNUAL_REPEATS}; the writer in process on the bench's connection, as "
            "COPY is measured; over HTTP a file this small is mostly the request's fixed cost",
            f"≥ {RATIO_TARGET:.0%} of COPY's rows/s",
            writer_share >= RATIO_TARGET,
            data={"annual_copy_share": writer_share, "annual_request_share": annual_share},
        ),
        Figure(
            "export worker peak RSS",
            f"{large_peak / 1024:.0f} MB after FY{largest} ({sizes[largest]:,} rows); "
            f"{small_peak / 1024:.0f} MB after FY{smallest} ({sizes[smallest]:,} rows); "
            f"{base / 1024:.0f} MB before exports; growth {growth:.1f} MB",
            "list() of 1M instances: 2 GB; 2,000-row chunks ~50 MB",
            f"< {RSS_TARGET_MB} MB, not growing with rows",
            large_peak / 1024 < RSS_TARGET_MB and flat,
            data={"export_rss_mb": large_peak / 1024},
        ),
    ]
