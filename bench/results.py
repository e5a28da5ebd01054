"""Figures the measures return, and the RESULTS.md they are written to."""

from __future__ import annotations

import datetime as dt
import platform
from dataclasses import dataclass
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

    @property
    def verdict(self) -> str:
        return {True: "met", False: "**not met**", None: "—"}[self.met]


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(figures: list[Figure], *, context: dict[str, str]) -> str:
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
    lines += [
        "",
        "| measure | figure | reference | target | result | note |",
        "|---|---|---|---|---|---|",
    ]
    for f in figures:
        cells = [f.measure, f.figure, f.reference, f.target, f.verdict, f.note]
        lines.append("| " + " | ".join(_escape(c) for c in cells) + " |")
    met = [f for f in figures if f.met is True]
    missed = [f for f in figures if f.met is False]
    lines += ["", f"Targets met: {len(met)} of {len(met) + len(missed)}."]
    if missed:
        lines += ["", "Not met:"]
        lines += [f"- {f.measure}: {f.figure} (target {f.target}). {f.note}" for f in missed]
    if CHANGES.exists():
        lines += ["", CHANGES.read_text(encoding="utf-8").rstrip()]
    return "\n".join(lines) + "\n"


def write(figures: list[Figure], *, context: dict[str, str], path: Path = RESULTS) -> Path:
    path.write_text(render(figures, context=context), encoding="utf-8")
    return path
