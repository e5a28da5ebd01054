"""What the stylesheet promises, as Chromium draws it: danger buttons red and secondary buttons
white whatever element they are, a focus ring of at least 2 px in a colour that stands out from
the navy menu and from the page, the error summary focused after a failed submit, and the
dashboard's wide tables scrolling inside their cards with the first column fixed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import log_in
from tests.events.factories import MeetingFactory
from tests.factories import staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RED = "rgb(179, 38, 30)"  # --danger
WHITE = "rgb(255, 255, 255)"


def style(page: Page, selector: str, prop: str) -> str:
    return page.locator(selector).first.evaluate(
        "(el, prop) => getComputedStyle(el).getPropertyValue(prop)", prop
    )


def luminance(rgb: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(part) for part in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_buttons_focus_ring_and_error_summary(live_server, tablet, shot):
    staff_user(username="look", email="look@city.example.jp")
    meeting = MeetingFactory(title="第1回 波力発電部会")
    page, base = tablet, live_server.url
    log_in(page, base, "ja", "look@city.example.jp")
    page.goto(base + meeting.get_absolute_url())

    # <button class="button button--danger">: red, not the brand blue of button.button.
    danger = "main button.button--danger"
    assert style(page, danger, "background-color") == RED
    assert style(page, danger, "color") == WHITE
    secondary = "main .button--secondary"
    assert style(page, secondary, "background-color") == WHITE

    # The focus ring on the navy menu: ≥ 2 px and ≥ 3:1 against the menu's background.
    nav_link = page.locator("#site-nav a").first
    nav_link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    expect(nav_link).to_be_focused()
    width = float(style(page, "#site-nav a:focus", "outline-width").removesuffix("px"))
    ring = style(page, "#site-nav a:focus", "outline-color")
    menu = style(page, "#site-nav", "background-color")
    assert width >= 2
    assert contrast(ring, menu) >= 3, (ring, menu)
    # …and in the page, against the page's background.
    page.locator("main a").first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    ring = style(page, "main :focus", "outline-color")
    body = style(page, "html", "background-color")
    assert contrast(ring, body) >= 3, (ring, body)

    # A failed submit: the summary has focus and the title says so.
    page.goto(base + "/events/new/")
    page.locator("main form button[type=submit]").first.click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert page.title().startswith("エラー：")
    shot(page, "meeting-form-errors")

    # A page staff may not open (the administrators' exports): Kyoso's own 403, with the menu.
    response = page.goto(base + "/reports/exports/")
    assert response is not None and response.status == 403
    expect(page.locator("#site-nav")).to_be_visible()
    expect(page.get_by_role("link", name="トップページへ")).to_be_visible()
    shot(page, "error-403")


def test_the_dashboards_wide_table_scrolls_in_its_card_with_the_first_column_fixed(
    live_server, browser
):
    from reports.services import rollup_all_compute
    from tests.reports.factories import FundingFactory

    for fy in range(2010, 2027):
        FundingFactory(fiscal_year=fy, amount=1000 * fy)
    rollup_all_compute()
    staff_user(username="wide", email="wide@city.example.jp")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ja-JP")
    page = context.new_page()
    log_in(page, live_server.url, "ja", "wide@city.example.jp")
    page.goto(live_server.url + "/reports/")
    region = page.locator('div[role=region][aria-label="財源の種類別の資金（円）"]')
    expect(region).to_have_attribute("tabindex", "0")
    card = region.locator("xpath=ancestor::section[1]")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert card.bounding_box()["width"] < 700  # the page does not widen: the table scrolls
    first = region.locator("tbody th").first
    before = first.bounding_box()["x"]
    region.evaluate("el => { el.scrollLeft = 400; }")
    assert abs(first.bounding_box()["x"] - before) < 1  # the row heading stays in view
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    context.close()
