"""`make backup` and `make restore` round-trip a PostgreSQL database with every row intact."""

import subprocess
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import MembershipFactory, PersonFactory, staff_user

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="backups are pg_dump files: PostgreSQL only"
    ),
]


def _url(database: str) -> str:
    params = connection.settings_dict
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or 5432
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    return f"postgres://{params['USER']}{password}@{host}:{port}/{database}"


def _row_counts(database: str) -> dict[str, int]:
    import psycopg2

    with psycopg2.connect(_url(database)) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    conn.close()
    return counts


def _make(target: str, database: str, backup: Path) -> None:
    subprocess.run(
        [
            "make",
            "--no-print-directory",
            target,
            f"DATABASE_URL={_url(database)}",
            f"BACKUP={backup}",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )


def test_backup_restores_into_a_fresh_database_with_the_same_rows(tmp_path):
    for _ in range(3):
        MembershipFactory(organisation=PersonFactory().organisation)
    staff_user()
    source = connection.settings_dict["NAME"]
    target = f"{source}_restore"
    backup = tmp_path / "kyoso.dump"

    _make("backup", source, backup)
    assert backup.stat().st_size > 0

    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        _make("restore", target, backup)
        original, restored = _row_counts(source), _row_counts(target)
        assert restored == original
        assert original["members_membership"] == 3
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
