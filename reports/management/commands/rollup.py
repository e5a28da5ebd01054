"""``python manage.py rollup [--fiscal-year N]``: recompute roll-ups now, in this process."""

from django.core.management.base import BaseCommand

from consortium.fiscal import fiscal_label
from reports import services


class Command(BaseCommand):
    help = "Recompute the report roll-ups synchronously (one fiscal year, or all)."

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", type=int, help="e.g. 2018 (default: every year)")

    def handle(self, *args, fiscal_year=None, **options):
        years = [fiscal_year] if fiscal_year else services.known_fiscal_years()
        for year in years:
            services.rollup_fiscal_year_compute(fiscal_year=year)
            self.stdout.write(f"{fiscal_label(year, 'ja')} / {fiscal_label(year, 'en')}: ok")
        self.stdout.write(self.style.SUCCESS(f"rolled up {len(years)} fiscal year(s)"))
