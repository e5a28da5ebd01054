"""Refresh the README's screenshots from the demo data: ``make screenshots``.

Builds the demo data in a scratch SQLite database (``DATABASE_URL``, default
``sqlite:////tmp/kyoso-shots.sqlite3``, recreated on every run): migrate, load_demo, rollup. Then
starts the development server on a free port, logs in as the demo secretariat user in headless
Chromium (Japanese) and writes into docs/screenshots/:

- dashboard.png                 the dashboard (1280×900)
- attendance-sheet-tablet.png   the busiest demo meeting's attendance sheet on a 1024×768 tablet
- project-timeline.png          the project page with the longest phase timeline (1280×900)
- signup-errors-phone.png       the sign-up form after a failed submit on a 390×844 phone

``KYOSO_SHOTS_DIR`` writes them elsewhere (to compare a change with what was there before).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(os.environ.get("KYOSO_SHOTS_DIR") or ROOT / "docs" / "screenshots")
DEFAULT_DB = "sqlite:////tmp/kyoso-shots.sqlite3"
STAFF_EMAIL = "staff@kyoso.example.jp"
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
SHOTS = (
    "dashboard.png",
    "attendance-sheet-tablet.png",
    "project-timeline.png",
    "signup-errors-phone.png",
)


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def build_demo(env: dict[str, str]) -> None:
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite://")).unlink(missing_ok=True)
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("load_demo", env=env)
    manage("rollup", env=env)


def targets(env: dict[str, str]) -> tuple[str, int, int]:
    """The demo password, the busiest meeting and the project with the most phases."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consortium.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Count

    from events.models import Meeting
    from members.demo import DEMO_PASSWORD
    from projects.models import Project

    meeting = Meeting.objects.annotate(n=Count("attendances")).order_by("-n", "-date").first()
    project = Project.objects.annotate(n=Count("phase_transitions")).order_by("-n", "pk").first()
    return DEMO_PASSWORD, meeting.pk, project.pk


def shoot(base: str, password: str, meeting_pk: int, project_pk: int) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.e2e.conftest import LAUNCH_ARGS, chromium_path

    path = chromium_path()
    if path is None:
        sys.exit("no Chromium found: install Debian's chromium (or set KYOSO_CHROMIUM)")
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport=DESKTOP, locale="ja-JP")
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.locator("input[name=login]").fill(STAFF_EMAIL)
        page.locator("input[name=password]").fill(password)
        page.locator("main").get_by_role("button", name="ログイン").click()
        expect(page.get_by_role("button", name="ログアウト")).to_be_visible()

        page.goto(f"{base}/reports/")
        charts = page.locator("canvas[data-chart]").count()
        page.wait_for_function(
            "n => window.Chart && Object.keys(window.Chart.instances).length === n", arg=charts
        )
        page.wait_for_timeout(1200)  # let Chart.js finish its 1 s entry animation
        page.screenshot(path=str(OUT / "dashboard.png"))

        page.goto(f"{base}/projects/{project_pk}/")
        page.get_by_label("段階の推移").first.scroll_into_view_if_needed()
        page.screenshot(path=str(OUT / "project-timeline.png"))

        page.set_viewport_size(TABLET)
        page.goto(f"{base}/events/{meeting_pk}/attendance/")
        page.screenshot(path=str(OUT / "attendance-sheet-tablet.png"))

        anonymous = browser.new_context(viewport=PHONE, locale="ja-JP", device_scale_factor=2)
        phone = anonymous.new_page()
        phone.goto(f"{base}/accounts/signup/")
        phone.locator("input[type=email]").first.fill("not-an-address")
        phone.locator("form[data-signup-form] button[type=submit]").click()
        phone.wait_for_load_state()
        phone.screenshot(path=str(OUT / "signup-errors-phone.png"))
        browser.close()


def main() -> None:
    env = {**os.environ, "DATABASE_URL": os.environ.get("DATABASE_URL") or DEFAULT_DB}
    env.pop("REDIS_URL", None)  # eager Celery: the demo's roll-ups happen in-process
    build_demo(env)
    password, meeting_pk, project_pk = targets(env)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/")
        shoot(base, password, meeting_pk, project_pk)
    finally:
        server.terminate()
        server.wait(timeout=10)
    for name in SHOTS:
        print(OUT / name)


if __name__ == "__main__":
    main()
