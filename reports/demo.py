"""Demo data of the reports app: roll up every fiscal year the other apps' demo data touches."""

from . import services


def load(*, stdout) -> None:
    years = services.rollup_all_compute()
    stdout.write(f"reports: rolled up {len(years)} fiscal year(s): {', '.join(map(str, years))}")
