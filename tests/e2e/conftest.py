"""End-to-end tests in headless Chromium (Playwright for Python driving Debian's chromium).

Playwright's own browser download is not used: the system Chromium is launched by path. Without a
Chromium the tests are skipped with a reason, unless KYOSO_REQUIRE_BROWSER is true (CI), where a
missing browser is a failure. Screenshots of every step go to tests/e2e/screenshots/ (git-ignored).
"""

import os
import shutil
from pathlib import Path

import pytest

# Django refuses ORM calls from inside Playwright's event loop otherwise (playwright-pytest #29).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    configured = os.environ.get("KYOSO_CHROMIUM")
    if configured:
        return configured
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def _browser_required() -> bool:
    return os.environ.get("KYOSO_REQUIRE_BROWSER", "").lower() in {"1", "true", "yes"}


def _serialized_contents() -> dict[str, str]:
    from django.db import connections

    return {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }


def _restore_serialized_contents(serialized: dict[str, str]) -> None:
    """Starting Playwright switches the context Django keeps its connections in; the new
    connection objects lack the copy of the migrated data that ``serialized_rollback`` restores
    (role groups, permissions), so tests after the browser started would find no groups."""
    from django.db import connections

    for alias, contents in serialized.items():
        if not hasattr(connections[alias], "_test_serialized_contents"):
            connections[alias]._test_serialized_contents = contents


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if _browser_required():
            pytest.fail("Chromium is required (KYOSO_REQUIRE_BROWSER) but was not found")
        pytest.skip("no Chromium on this machine: install Debian's chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    serialized = _serialized_contents()
    with sync_playwright() as playwright:
        _restore_serialized_contents(serialized)
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def tablet(browser, request):
    """A 1024×768 tablet-sized page, Japanese browser locale."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    # The site's own pages must satisfy its Content-Security-Policy.
    assert not violations, f"CSP violations: {violations}"


@pytest.fixture
def shot(request):
    """shot(page, "step-name") saves tests/e2e/screenshots/<test>/<nn>-step-name.png."""
    folder = SCREENSHOTS / request.node.name.replace("[", "-").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def take(page, name: str) -> Path:
        counter["n"] += 1
        path = folder / f"{counter['n']:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
