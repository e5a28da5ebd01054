"""``python manage.py import_roster PATH [--dry-run]``: the secretariat's roster into Kyoso."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from consortium.tabular import TableError, read_path
from members.importing import roster_import


class Command(BaseCommand):
    help = (
        "Import a roster (CSV in UTF-8 or Shift_JIS, or XLSX) of organisations, people and study "
        "groups. All rows or none: any bad row stops the import. See docs/roster-import.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and count, save nothing.")
        parser.add_argument("--encoding", help="CSV encoding (default: UTF-8, else cp932).")

    def handle(self, *args, path: Path, dry_run: bool, encoding: str | None, **options):
        try:
            data = read_path(path)  # refused by its size before it is read
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        except TableError as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        result = roster_import(data=data, filename=path.name, dry_run=dry_run, encoding=encoding)
        if result.file_error:
            raise CommandError(result.file_error)
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(result.errors)} error(s) in {len({e.row for e in result.errors})} row(s); "
                "nothing was saved."
            )
        prefix = "[dry run] " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + result.summary()))
