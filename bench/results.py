"""Figures the measures return, and the RESULTS.md they are written to."""

from __future__ import annotations

import datetime as dt
import platform
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
CHANGES = HERE / "changes.md"


@dataclass
class Figure:
    measure: str
    figure: str
    reference: str = ""
    target: str = ""
    met: bool | None = None  # None: a figure without a target
    note: str = ""
    # The numbers behind the figure, for the side-by-side table of data sizes (``scale_table``).
    data: dict[str, float | int | bool] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        return {True: "met", False: "**not met**", None: "—"}[self.met]


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# The rows of the 1M/10M table: (label, data key, unit, target, test of one size's value).
SCALE_ROWS = [
    (
        "queries per page (every measured page)",
        "queries_identical",
        "",
        "identical to the demo's",
        bool,
    ),
    ("incremental roll-up", "incremental_ms", "ms", "≤ 50 ms", lambda v: v <= 50),
    ("dashboard p95 (10 connections)", "dashboard_p95_ms", "ms", "≤ 150 ms", lambda v: v <= 150),
    ("directory p95 (10 connections)", "directory_p95_ms", "ms", "≤ 150 ms", lambda v: v <= 150),
    ("check-in p95 (10 tablets)", "checkin_p95_ms", "ms", "≤ 200 ms", lambda v: v <= 200),
    ("attendance CSV export, share of COPY", "copy_share", "%", "≥ 60%", lambda v: v >= 0.6),
    (
        "annual summary CSV export, share of COPY",
        "annual_copy_share",
        "%",
        "≥ 60%",
        lambda v: v >= 0.6,
    ),
    ("export worker peak RSS", "export_rss_mb", "MB", "< 150 MB, flat", lambda v: v < 150),
    ("full roll-up vs raw SQL", "full_ratio", "×", "≤ 1.3×", lambda v: v <= 1.3),
]


def _scale_value(value: float | int | bool, unit: str) -> str:
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if unit == "%":
        return f"{value:.0%}"
    if unit == "×":
        return f"{value:.2f}×"
    return f"{value:,.0f} {unit}"


def scale_table(runs: dict[int, list[Figure]]) -> list[str]:
    """Markdown lines: one column per data size, the figures the issue compares side by side."""
    if len(runs) < 2:
        return []
    sizes = sorted(runs)
    merged = {size: {k: v for f in runs[size] for k, v in f.data.items()} for size in sizes}
    header = " | ".join(f"{size / 1e6:g}M attendance rows" for size in sizes)
    lines = [
        "",
        "## Side by side: " + " and ".join(f"{size / 1e6:g}M" for size in sizes),
        "",
        f"| measure | {header} | target | result |",
        "|---|" + "---|" * len(sizes) + "---|---|",
    ]
    for label, key, unit, target, test in SCALE_ROWS:
        values = [merged[size].get(key) for size in sizes]
        if all(v is None for v in values):
            continue
        cells = ["—" if v is None else _scale_value(v, unit) for v in values]
        met = all(v is not None and test(v) for v in values)
        verdict = "met" if met else "**not met**"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} | {verdict} |")
    return lines


def _table(figures: list[Figure]) -> list[str]:
    lines = [
        "",
        "| measure | figure | reference | target | result | note |",
        "|---|---|---|---|---|---|",
    ]
    for f in figures:
        cells = [f.measure, f.figure, f.reference, f.target, f.verdict, f.note]
        lines.append("| " + " | ".join(_escape(c) for c in cells) + " |")
    return lines


def render(
    figures: list[Figure], *, context: dict[str, str], runs: dict[int, list[Figure]] | None = None
) -> str:
    lines = [
        "# Kyoso benchmark results",
        "",
        "Written by `make bench` (`python -m bench.run`); do not edit by hand — the notes on each",
        "change live in `bench/changes.md` and are copied below.",
        "",
        f"- run: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- machine: {platform.machine()}, {context.get('cpus', '?')} CPUs, "
        f"Python {platform.python_version()}",
    ]
    lines += [f"- {key}: {value}" for key, value in context.items() if key != "cpus"]
    lines += _table(figures)
    lines += scale_table(runs or {})
    sizes = sorted(runs or {})
    for size in sizes[1:]:
        lines += ["", f"## {size:,} attendance rows"] + _table(runs[size])
    every = figures + [f for size in sizes[1:] for f in runs[size]]
    met = [f for f in every if f.met is True]
    missed = [f for f in every if f.met is False]
    lines += ["", f"Targets met: {len(met)} of {len(met) + len(missed)}."]
    if missed:
        lines += ["", "Not met:"]
        lines += [
            f"- {f.measure}: {f.figure} (target {f.target}). {f.note}".rstrip() for f in missed
        ]
    if CHANGES.exists():
        lines += ["", CHANGES.read_text(encoding="utf-8").rstrip()]
    return "\n".join(lines) + "\n"


def write(
    figures: list[Figure],
    *,
    context: dict[str, str],
    runs: dict[int, list[Figure]] | None = None,
    path: Path = RESULTS,
) -> Path:
    path.write_text(render(figures, context=context, runs=runs), encoding="utf-8")
    return path
