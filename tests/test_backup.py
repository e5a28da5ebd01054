"""`make backup` and `make restore` round-trip the database with every row intact and the uploaded
files (materials, signed agreements) with their contents, and keep the backup owner-only."""

import os
import stat
import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from consortium.storage import private_storage
from events import services as event_services
from tests.events.factories import MeetingFactory
from tests.factories import MembershipFactory, PersonFactory, staff_user
from tests.projects.factories import AgreementFactory

ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

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


def _make(target: str, database: str, backup: Path, settings) -> None:
    # The command reads the production settings module, as it does on a server.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "consortium.settings"}
    subprocess.run(
        [
            "make",
            "--no-print-directory",
            target,
            f"DATABASE_URL={_url(database)}",
            f"BACKUP={backup}",
            f"MEDIA_ROOT={settings.MEDIA_ROOT}",
            f"KYOSO_PRIVATE_MEDIA_ROOT={private_storage.location}",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def private_root(settings, tmp_path):
    settings.KYOSO_PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    return Path(settings.KYOSO_PRIVATE_MEDIA_ROOT)


def test_backup_restores_rows_and_uploaded_files_and_is_owner_only(
    tmp_path, settings, private_root
):
    for _ in range(3):
        MembershipFactory(organisation=PersonFactory().organisation)
    staff = staff_user()
    material = event_services.material_add(
        meeting=MeetingFactory(),
        upload=SimpleUploadedFile("資料.pdf", PDF + b"material"),
        title="配布資料",
        uploaded_by=staff,
    )
    agreement = AgreementFactory()
    agreement.document.save("signed.pdf", ContentFile(PDF + b"agreement"), save=True)
    public = Path(settings.MEDIA_ROOT) / "logo.txt"
    public.parent.mkdir(parents=True, exist_ok=True)
    public.write_bytes(b"public file")
    material_path = Path(material.file.path)
    agreement_path = Path(agreement.document.path)
    assert material_path.is_relative_to(private_root)

    source = connection.settings_dict["NAME"]
    target = f"{source}_restore"
    backup = tmp_path / "backups" / "kyoso-test"
    _make("backup", source, backup, settings)

    assert _mode(backup) == 0o700
    assert sorted(p.name for p in backup.iterdir()) == ["db.dump", "files.tar.gz"]
    for part in backup.iterdir():
        assert part.stat().st_size > 0
        assert _mode(part) == 0o600, part.name

    material_path.unlink()
    agreement_path.unlink()
    public.unlink()
    stray = private_root / "not-in-the-backup.txt"
    stray.write_text("written after the backup")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        _make("restore", target, backup, settings)
        original, restored = _row_counts(source), _row_counts(target)
        assert restored == original
        assert original["members_membership"] == 3
        assert material_path.read_bytes() == PDF + b"material"
        assert agreement_path.read_bytes() == PDF + b"agreement"
        assert public.read_bytes() == b"public file"
        assert not stray.exists()
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')


def test_restore_refuses_what_is_not_a_backup(tmp_path, settings, private_root):
    empty = tmp_path / "empty"
    empty.mkdir()

    with pytest.raises(subprocess.CalledProcessError) as failure:
        _make("restore", connection.settings_dict["NAME"], empty, settings)

    assert "not a complete backup" in failure.value.stderr
