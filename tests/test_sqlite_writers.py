"""The embedded default (SQLite) with several writers at once: two tablets at the door, two staff
on one sheet. Each request reads, then writes, in one transaction; with SQLite's default
(deferred) transactions a second writer failed at once with "database is locked" (8 of 10
simultaneous scans of one ticket answered 500 under ``make run``). ``SQLITE_OPTIONS`` make each
transaction take the write lock when it begins and wait for it.

Checked on a database file of its own (the tests' SQLite database lives in memory, where
locking works differently), with the options the settings give the embedded default.
"""

import threading
import time

import pytest
from django.conf import settings
from django.db import connections, transaction

WRITERS = 10


@pytest.fixture
def file_database(tmp_path, django_db_blocker):
    alias = "sqlite_writers"
    database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "kyoso.sqlite3"),
        "OPTIONS": settings.SQLITE_OPTIONS,
    }
    configured = connections.configure_settings({"default": {**database}, alias: database})
    connections.settings[alias] = configured[alias]
    with django_db_blocker.unblock():
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
            cursor.execute("INSERT INTO counter (n) VALUES (0)")
        connections[alias].close()
        yield alias
    connections[alias].close()
    del connections.settings[alias]


def test_the_embedded_default_uses_the_writer_options():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the suite runs on PostgreSQL")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert {key: options[key] for key in settings.SQLITE_OPTIONS} == settings.SQLITE_OPTIONS


def test_simultaneous_read_then_write_transactions_all_succeed(file_database):
    start = threading.Barrier(WRITERS)
    errors: list[str] = []

    def writer() -> None:
        try:
            start.wait()
            with (
                transaction.atomic(using=file_database),
                connections[file_database].cursor() as cursor,
            ):
                cursor.execute("SELECT n FROM counter")
                (n,) = cursor.fetchone()
                time.sleep(0.01)  # the request's work between its read and its write
                cursor.execute("UPDATE counter SET n = %s", [n + 1])
        except Exception as exc:  # what a request would have answered 500 with
            errors.append(repr(exc))
        finally:
            connections[file_database].close()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with connections[file_database].cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        assert cursor.fetchone() == (WRITERS,)
