"""``python manage.py import_attendance PATH [--dry-run] [--encoding cp932]``: sign-in sheets.

The format is in docs/attendance-import.md. Any bad row → nothing is saved and the command exits
with an error listing every bad row with its row number and column.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from consortium.tabular import TableError, read_path
from events.importing import import_apply, import_plan


class Command(BaseCommand):
    help = "Import attendance from a sign-in sheet (CSV UTF-8/cp932 or XLSX). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; save nothing."
        )
        parser.add_argument(
            "--encoding",
            default=None,
            help="CSV encoding (utf-8-sig or cp932); detected if omitted.",
        )

    def handle(self, *args, path: Path, dry_run: bool, encoding: str | None, **options):
        try:
            data = read_path(path)  # refused by its size before it is read
        except OSError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        except TableError as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        plan = import_plan(data, path.name, encoding=encoding)
        if plan.file_error:
            raise CommandError(plan.file_error)
        for error in plan.errors:
            self.stderr.write(f"{path.name}: {error.row}行目 [{error.column}] {error.message}")
        if plan.errors:
            raise CommandError(
                f"{len(plan.errors)} 件のエラー: 何も保存していません / nothing saved"
            )
        self.stdout.write(
            f"会議 {len(plan.meetings)} 件（新規 {len(plan.new_meetings)}）、"
            f"出席 {plan.attendance_count} 人（新しい人 {len(plan.new_people)}）、"
            f"新しい団体 {len(plan.new_organisations)}、当日参加 {plan.unnamed_count} 人"
        )
        for organisation in plan.new_organisations:
            self.stdout.write(f"  新しい団体（要確認）: {organisation.name}")
        if dry_run:
            self.stdout.write("--dry-run: 何も保存していません / nothing saved")
            return
        import_apply(plan, recorded_by=None)
        self.stdout.write(self.style.SUCCESS("取り込みました / imported"))
