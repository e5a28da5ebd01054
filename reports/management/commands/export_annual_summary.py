"""``python manage.py export_annual_summary``: the annual summary as CSV (or XLSX), to a file or
standard output. The same rows as the administrators' download in the browser.

The file is built whole before anything is written: a character the chosen encoding lacks (cp932)
stops the command with the row, column and character and exit status 1, leaving no partial file
and no export-log entry."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from consortium.tabular import ENCODINGS
from reports import exports, services, writers
from reports.models import ExportLog


class Command(BaseCommand):
    help = "Write the annual summary (participation, funding, calls or indicators) as CSV/XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", type=int, help="e.g. 2018 (default: every year)")
        parser.add_argument("--encoding", choices=ENCODINGS, default="utf-8-sig")
        parser.add_argument("--header", choices=("ja", "en"), default="ja")
        parser.add_argument(
            "--kind", choices=exports.COMMAND_EXPORTS, default=ExportLog.Kind.PARTICIPATION.value
        )
        parser.add_argument("--output", help="file path; .xlsx writes a workbook (default: stdout)")

    def handle(self, *args, **options):
        export = exports.annual_export(
            options["kind"], fiscal_year=options["fiscal_year"], language=options["header"]
        )
        output = options["output"]
        try:
            if output and output.lower().endswith(".xlsx"):
                data = writers.xlsx_bytes(export.header, export.rows, title=export.title)
            else:
                data = writers.csv_bytes(
                    export.header, export.rows_for_csv(), encoding=options["encoding"]
                )
        except writers.ExportEncodingError as exc:
            # Nothing written, nothing logged; exit status 1 with the row, column and character.
            raise CommandError(
                _("%(error)s（--encoding utf-8-sig なら出力できます）") % {"error": exc}
            ) from None
        if output:
            with open(output, "wb") as handle:
                handle.write(data)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        services.export_log_record(
            user=None,
            exported=services.ExportedFile(
                kind=export.kind,
                fiscal_year=options["fiscal_year"],
                filename=output or f"{export.filename}.csv",
                file_format="xlsx" if output and output.lower().endswith(".xlsx") else "csv",
                personal_data=export.personal_data,
            ),
            via="command",
        )
