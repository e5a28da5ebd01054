"""Steps the browser journeys share: UI text in either language, logging in and out.

Selectors use what a user reads (roles, labels, visible text). The text comes from Kyoso's own
translation catalogues — ``ui(lang, "ログイン")`` is the Japanese msgid itself or its English
translation — so a journey run in English finds the English page without a second set of strings.
"""

from __future__ import annotations

import re

from django.utils import translation
from playwright.sync_api import Page, expect

from tests.e2e.keyboard import Mouse

MOUSE = Mouse()

LANGUAGES = ("ja", "en")
PASSWORD = "pass-kyoso-2024"  # what tests.factories.UserFactory sets


def ui(lang: str, msgid: str) -> str:
    """The text Kyoso shows for ``msgid`` in ``lang``; English must really be translated."""
    with translation.override(lang):
        text = str(translation.gettext(msgid))
    if lang != "ja":
        assert text != msgid, f"no English translation for {msgid!r}"
    return text


def shown(lang: str, lazy_text) -> str:
    """A lazy label (e.g. a model choice's) as it is shown in ``lang``."""
    with translation.override(lang):
        return str(lazy_text)


def field_error(lang: str, label: str, error: str) -> str:
    """An error summary's line: 「経費の内訳：…」 in Japanese, "Budget: …" in English."""
    with translation.override(lang):
        colon = translation.pgettext("between a field's name and its error", "：")
    return f"{label}{colon}{error}"


def exact(lang: str, msgid: str) -> re.Pattern[str]:
    """A whole-text pattern for ``msgid``: tolerates whitespace and a field's 必須/任意 mark."""
    marks = "|".join(re.escape(ui(lang, mark)) for mark in ("必須", "任意"))
    return re.compile(rf"^\s*{re.escape(ui(lang, msgid))}\s*(?:{marks})?\s*$")


def open_site(page: Page, base_url: str, lang: str, hands: Mouse = MOUSE) -> None:
    """Open the home page; for English, switch with the header's language button."""
    page.goto(base_url + "/")
    if lang == "en" and page.locator("html").get_attribute("lang") != "en":
        hands.click(page.get_by_role("button", name="English"))
    expect(page.locator("html")).to_have_attribute("lang", lang)


def log_in(
    page: Page,
    base_url: str,
    lang: str,
    email: str,
    password: str = PASSWORD,
    hands: Mouse = MOUSE,
) -> None:
    """Log in through the login form (allauth), as a user would."""
    page.goto(base_url + "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    hands.fill(page.locator("input[name=login]"), email)
    hands.fill(page.locator("input[name=password]"), password)
    hands.click(page.locator("main").get_by_role("button", name=ui(lang, "ログイン")))
    expect(page.get_by_role("button", name=ui(lang, "ログアウト"))).to_be_visible()


def log_out(page: Page, lang: str, hands: Mouse = MOUSE) -> None:
    """Log out with the header's button (a POST form, no confirmation page)."""
    hands.click(page.locator("header").get_by_role("button", name=ui(lang, "ログアウト")))
    expect(page.locator("header").get_by_role("link", name=ui(lang, "ログイン"))).to_be_visible()
