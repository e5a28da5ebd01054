"""``make test`` wall time on this machine (the embedded default: SQLite, eager Celery)."""

from __future__ import annotations

import os
import re
import subprocess
import time

from .results import Figure
from .server import ROOT

TARGET_SECONDS = 180


def measure() -> list[Figure]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("SECRET_KEY", None)
    started = time.perf_counter()
    result = subprocess.run(
        ["make", "test", "PYTEST_ARGS=-q -p no:randomly"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    summary = re.findall(r"^=*\s*(\d+ (?:passed|failed).*?) in [\d.]+s", result.stdout, re.M)
    summary_text = summary[-1] if summary else f"exit status {result.returncode}"
    return [
        Figure(
            "`make test` wall time",
            f"{elapsed:.0f} s on {os.cpu_count()} CPUs ({summary_text})",
            "—",
            f"< {TARGET_SECONDS} s",
            elapsed < TARGET_SECONDS,
            "" if result.returncode == 0 else "the suite had failures (see the summary)",
        )
    ]
