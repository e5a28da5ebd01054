"""Run every measure in one go and write bench/RESULTS.md: ``python -m bench.run`` (``make bench``).

Environment: DATABASE_URL (PostgreSQL; default postgres://postgres@127.0.0.1:5432/kyoso_bench,
created when missing), BENCH_ATTENDANCE (default 1,000,000; several sizes comma-separated, e.g.
``1000000,10000000``, each measured on its own database — ``kyoso_bench`` for 1M,
``kyoso_bench_10m`` for 10M — and shown side by side; a data set is regenerated when its
database holds a different count), BENCH_SEED (1), BENCH_LOAD_SECONDS (60),
BENCH_SKIP_TESTS=1 to leave out the `make test` timing during trial runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .results import Figure, write
from .server import ROOT

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kyoso_bench"
# Why a page is over the query budget, shown when it is (none is at the moment).
PAGE_NOTES: dict[str, str] = {}


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def _manage(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return result.stdout.decode()


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def ensure_database(url: str, *, fresh: bool = False) -> None:
    """Create the PostgreSQL database of ``url`` when missing (or drop it first when fresh)."""
    import psycopg2
    from psycopg2 import sql

    name = urlsplit(url).path.lstrip("/")
    admin = psycopg2.connect(_with_database(url, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        if fresh:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def page_counts(url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "bench.pages"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return json.loads(result.stdout)


def pages_figures(demo: dict, full: dict) -> list[Figure]:
    from .pages import LIMIT

    figures = []
    for name in full:
        small, big = demo[name], full[name]
        same = small["queries"] == big["queries"]
        ok_status = small["status"] == big["status"] == 200
        figures.append(
            Figure(
                f"queries: {name}",
                f"{small['queries']} (demo) / {big['queries']} (bench)",
                "dashboard 3 queries (43 with per-row counts)",
                f"identical, ≤ {LIMIT}",
                same and big["queries"] <= LIMIT and ok_status,
                " ".join(
                    n
                    for n in (
                        "" if ok_status else f"Status {small['status']} / {big['status']}.",
                        PAGE_NOTES.get(name, "") if big["queries"] > LIMIT else "",
                    )
                    if n
                ),
            )
        )
    # One entry for the side-by-side table, over every page.
    if figures:
        figures[0].data["queries_identical"] = all(
            demo[n]["queries"] == full[n]["queries"] and full[n]["status"] == 200 for n in full
        )
    return figures


def sizes_of(setting: str) -> list[int]:
    """``BENCH_ATTENDANCE``: one size or several, comma-separated (``1000000,10000000``)."""
    sizes = [int(part.replace("_", "")) for part in setting.split(",") if part.strip()]
    if not sizes or any(size <= 0 for size in sizes):
        raise ValueError(f"BENCH_ATTENDANCE: sizes of the data set, not {setting!r}")
    return sizes


def database_url_for(url: str, size: int) -> str:
    """1M rows live in DATABASE_URL's database; other sizes beside it (``kyoso_bench_10m``),
    so that switching sizes never regenerates the other one."""
    if size == 1_000_000:
        return url
    name = urlsplit(url).path.lstrip("/")
    return _with_database(url, f"{name}_{size / 1e6:g}m".replace(".", "_"))


def measure_size(url: str, attendance: int) -> tuple[list[Figure], str]:
    """Every measure that depends on the data, on a database of ``attendance`` rows (this
    process's Django points at it)."""
    seed = os.environ.get("BENCH_SEED", "1")
    demo_url = _with_database(url, urlsplit(url).path.lstrip("/") + "_demo")
    figures: list[Figure] = []

    _log(f"database {urlsplit(url).path.lstrip('/')}: migrate")
    ensure_database(url)
    _manage(url, "migrate", "--noinput")

    from .setup import django_setup

    django_setup()
    from events.models import Attendance

    present = Attendance.objects.count()
    if present != attendance:
        _log(f"generating bench data ({attendance:,} attendance rows, seed {seed})")
        started = time.perf_counter()
        _manage(url, "generate_bench_data", f"--attendance={attendance}", f"--seed={seed}")
        generated = f"generated in {time.perf_counter() - started:.0f} s"
    else:
        generated = "already present (not regenerated)"
        from django.contrib.auth.models import User

        from .generate import BENCH_USERS, ensure_second_factor

        for user in User.objects.filter(username__in=BENCH_USERS, is_staff=True):
            ensure_second_factor(user)
    figures.append(Figure("bench data", f"{attendance:,} attendance rows, {generated}"))

    _log("queries per page: demo database")
    ensure_database(demo_url, fresh=True)
    _manage(demo_url, "migrate", "--noinput")
    _manage(demo_url, "load_demo")
    demo = page_counts(demo_url)
    _log("queries per page: bench database")
    figures += pages_figures(demo, page_counts(url))

    from . import catalogue, checkin, export, importing, load, rollup

    steps = [
        # Alternating runs of both sides, fewer where one side takes tens of seconds.
        ("full roll-up", lambda: rollup.measure_full(repeat=3 if attendance <= 2_000_000 else 1)),
        ("incremental roll-up", rollup.measure_incremental),
        ("import validation", importing.measure),
        ("roster import", importing.measure_roster),
        ("catalogue search", catalogue.measure),
        ("CSV export vs COPY", export.measure),
        ("CPU per warm request", load.measure_cpu),
        ("pages under load", load.measure),
        ("check-in at 10 tablets", checkin.measure),
    ]
    for label, step in steps:
        _log(label)
        figures += step()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    return figures, server_version


def run_size(url: str, attendance: int) -> tuple[list[Figure], str]:
    """``measure_size`` in a process of its own: Django reads DATABASE_URL once."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    env = {**os.environ, "DATABASE_URL": url, "BENCH_ATTENDANCE": str(attendance)}
    try:
        subprocess.run(
            [sys.executable, "-m", "bench.run", "--one", str(out)], cwd=ROOT, env=env, check=True
        )
        data = json.loads(out.read_text(encoding="utf-8"))
    finally:
        out.unlink(missing_ok=True)
    return [Figure(**f) for f in data["figures"]], data["server_version"]


def main() -> int:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        print("make bench needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    if sys.argv[1:2] == ["--one"]:
        figures, version = measure_size(url, int(os.environ["BENCH_ATTENDANCE"]))
        payload = {"figures": [asdict(f) for f in figures], "server_version": version}
        Path(sys.argv[2]).write_text(json.dumps(payload), encoding="utf-8")
        return 0
    sizes = sizes_of(os.environ.get("BENCH_ATTENDANCE", "1000000"))
    runs: dict[int, list[Figure]] = {}
    server_version = "?"
    for size in sizes:
        _log(f"data set of {size:,} attendance rows")
        runs[size], server_version = run_size(database_url_for(url, size), size)
    figures = list(runs[sizes[0]])
    if os.environ.get("BENCH_SKIP_TESTS") != "1":
        from . import testsuite

        _log("make test")
        figures += testsuite.measure()
    from . import load

    path = write(
        figures,
        context={
            "cpus": str(os.cpu_count()),
            "database": f"PostgreSQL {server_version}",
            "load duration": f"{load.duration():.0f} s per page",
            "data sizes": ", ".join(f"{size:,}" for size in sizes),
        },
        runs=runs,
    )
    for size in sizes:
        for f in runs[size]:
            print(f"{f.verdict:>12}  [{size / 1e6:g}M] {f.measure}: {f.figure}")
    for f in figures[len(runs[sizes[0]]) :]:
        print(f"{f.verdict:>12}  {f.measure}: {f.figure}")
    _log(f"written {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
