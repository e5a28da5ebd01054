"""``manage.py generate_bench_data --attendance 1000000 [--seed N]``: the benchmark data set.

See ``bench/generate.py`` for its shape. Refuses to run on a database holding other data unless
``--force`` (and even then deletes only earlier benchmark rows).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from bench.generate import BenchDataError, generate


class Command(BaseCommand):
    help = "Build the prefecture-scale benchmark data set (bulk writes; deterministic per seed)."

    def add_arguments(self, parser):
        parser.add_argument("--attendance", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--last-fiscal-year", type=int, default=None, help="default: the current fiscal year"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="add bench data to a database that also holds other data",
        )
        parser.add_argument(
            "--no-rollup", action="store_true", help="skip recomputing the summary tables"
        )

    def handle(self, *args, attendance, seed, last_fiscal_year, force, no_rollup, **options):
        started = time.perf_counter()
        try:
            report = generate(
                attendance=attendance,
                seed=seed,
                force=force,
                last_fiscal_year=last_fiscal_year,
                log=self.stdout.write,
            )
        except BenchDataError as exc:
            raise CommandError(str(exc)) from exc
        if not no_rollup:
            from reports.services import rollup_fiscal_year_compute

            for fiscal_year in report.fiscal_years:
                rollup_fiscal_year_compute(fiscal_year=fiscal_year)
            self.stdout.write(f"  rolled up FY{report.fiscal_years[0]}–FY{report.fiscal_years[-1]}")
        self.stdout.write(
            self.style.SUCCESS(f"bench data ready in {time.perf_counter() - started:.1f} s")
        )
