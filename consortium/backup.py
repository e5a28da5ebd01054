"""Backups of everything Kyoso keeps: the PostgreSQL database and the uploaded files.

A backup is a directory, readable by its owner only (0700), holding two files (0600 — they carry
personal data):

- ``db.dump``: the database (``DATABASE_URL``) in pg_dump's custom format;
- ``files.tar.gz``: ``MEDIA_ROOT`` as ``media/`` and the private files (meeting materials, signed
  agreements, ``KYOSO_PRIVATE_MEDIA_ROOT``) as ``private-media/``.

``restore`` puts both back: the database with pg_restore (its tables replaced), each file folder
replaced by the one in the backup. A lone ``.dump`` from before files were backed up restores the
database only. Run by ``make backup`` / ``make restore BACKUP=…``::

    python -m consortium.backup create backups/kyoso-20250331-0300
    python -m consortium.backup restore backups/kyoso-20250331-0300
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

DB_FILE = "db.dump"
FILES_FILE = "files.tar.gz"
POSTGRES_SCHEMES = ("postgres://", "postgresql://")


class BackupError(RuntimeError):
    """What went wrong, in words for the person running the command."""


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(POSTGRES_SCHEMES):
        raise BackupError("DATABASE_URL must point at PostgreSQL (postgres://…)")
    return url


def file_roots() -> list[tuple[str, Path]]:
    """(name in the archive, folder on disk) of every folder of uploaded files."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consortium.settings")
    from django.conf import settings

    from consortium.storage import private_storage

    return [
        ("media", Path(settings.MEDIA_ROOT).resolve()),
        ("private-media", Path(private_storage.location).resolve()),
    ]


def create(target: Path) -> Path:
    """Write a new backup directory ``target``; it must not exist yet."""
    url = _database_url()
    os.umask(0o077)  # nothing of the backup is ever readable by others, not even for a moment
    if target.exists():
        raise BackupError(f"{target} already exists; choose another BACKUP")
    target.mkdir(parents=True, mode=0o700)
    target.chmod(0o700)
    try:
        dump = target / DB_FILE
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}", url],
            check=True,
        )
        dump.chmod(0o600)
        archive = target / FILES_FILE
        with tarfile.open(archive, "w:gz") as tar:
            for name, root in file_roots():
                if root.is_dir():
                    tar.add(root, arcname=name)
        archive.chmod(0o600)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # half a backup is worse than none
        raise
    return target


def _restore_files(archive: Path) -> None:
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        for name, root in file_roots():
            mine = [m for m in members if m.name == name or m.name.startswith(f"{name}/")]
            root.parent.mkdir(parents=True, exist_ok=True)
            scratch = Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}-restore-"))
            try:
                # The "data" filter refuses absolute paths, links out of the folder and devices.
                tar.extractall(scratch, members=mine, filter="data")
                restored = scratch / name
                if not restored.is_dir():
                    restored.mkdir()
                if root.exists():
                    shutil.rmtree(root)
                os.replace(restored, root)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)


def restore(source: Path) -> None:
    """Restore the database and the files from a backup made by ``create``."""
    url = _database_url()
    if source.is_file() and source.suffix == ".dump":
        dump, archive = source, None
    elif source.is_dir():
        dump, archive = source / DB_FILE, source / FILES_FILE
        missing = [p.name for p in (dump, archive) if not p.is_file()]
        if missing:
            raise BackupError(f"{source} is not a complete backup: {', '.join(missing)} missing")
    else:
        raise BackupError(f"BACKUP={source} must name a backup made by make backup")
    subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            f"--dbname={url}",
            str(dump),
        ],
        check=True,
    )
    if archive is not None:
        _restore_files(archive)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m consortium.backup", description=__doc__)
    parser.add_argument("command", choices=("create", "restore"))
    parser.add_argument("path", type=Path, help="the backup directory")
    args = parser.parse_args(argv)
    try:
        if args.command == "create":
            create(args.path)
            print(f"backup written to {args.path}")
        else:
            restore(args.path)
            print(f"restored {args.path}")
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(f"{exc.cmd[0]} failed (exit {exc.returncode})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
