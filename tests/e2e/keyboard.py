"""Using a page with the keyboard alone, as a person who cannot use a mouse or a touch screen.

A journey driven through these helpers never clicks, fills or selects through Playwright: it
presses Tab (Shift+Tab to go back) until the control it wants has the focus, then types, presses
Enter or Space, or the arrow keys, as a person would. Locators only name the control to reach and
read what the page shows. Each control reached must show Kyoso's focus ring (an outline of at
least 2 px), and a control that Tab cannot reach within ``MAX_TABS`` presses fails the journey with
where the focus went instead.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Locator, Page

MAX_TABS = 150

_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "<body>";
  return el.outerHTML.replace(/\\s+/g, " ").slice(0, 200);
}"""

_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return 0;
  const style = getComputedStyle(el);
  return style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth);
}"""


def focused(page: Page) -> str:
    """The focused element's markup (its start), for messages."""
    return page.evaluate(_FOCUS)


def has_focus(target: Locator) -> bool:
    """Whether the focus is on (one of) the elements ``target`` finds."""
    return target.evaluate_all("els => els.includes(document.activeElement)")


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> int:
    """Press Tab until ``target`` (or one of the elements it finds, e.g. a radio group) has the
    focus; returns how many presses it took. The focus ring must be visible there."""
    target.first.wait_for(state="attached")
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press(key)
        if has_focus(target):
            ring = page.evaluate(_RING)
            assert ring >= 2, f"no visible focus ring ({ring}px) on {focused(page)}"
            return presses
    raise AssertionError(f"{MAX_TABS} × {key} never reached {target}; focus: {focused(page)}")


def activate(page: Page, target: Locator, key: str = "Enter") -> None:
    """Reach a link or button with Tab and press Enter (Space for a toggle button)."""
    tab_to(page, target)
    page.keyboard.press(key)


def type_into(page: Page, target: Locator, text: str) -> None:
    """Reach a text box with Tab, select what it holds and type ``text`` over it."""
    tab_to(page, target)
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


DATE_ORDERS = ("ymd", "mdy", "dmy")


def _date_keys(order: str, year: int, month: int, day: int) -> str:
    parts = {"y": f"{year:04d}", "m": f"{month:02d}", "d": f"{day:02d}"}
    return "".join(parts[part] for part in order)


def date_order(page: Page) -> str:
    """The order in which this browser shows a date field's parts (年/月/日 in a Japanese
    Chromium, mm/dd/yyyy in a headless one), found by typing into a field on a scratch page."""
    scratch = page.context.new_page()
    try:
        for order in DATE_ORDERS:
            scratch.set_content("<input type=date>")
            scratch.keyboard.press("Tab")
            scratch.keyboard.type(_date_keys(order, 2003, 1, 2))
            if scratch.eval_on_selector("input", "el => el.value") == "2003-01-02":
                return order
    finally:
        scratch.close()
    raise AssertionError("no order of year, month and day filled a date field")


def type_date(page: Page, target: Locator, year: int, month: int, day: int) -> None:
    """Reach a date field with Tab and type the day's parts in the order the field shows them;
    the field moves to its next part by itself."""
    order = date_order(page)
    tab_to(page, target)
    page.keyboard.type(_date_keys(order, year, month, day))
    typed = target.input_value()
    assert typed == f"{year:04d}-{month:02d}-{day:02d}", f"the date field holds {typed!r}"


def choose(page: Page, select: Locator, label: str) -> None:
    """Reach a drop-down with Tab and move to the option ``label`` with the arrow keys (a closed
    list changes its choice on ArrowDown/ArrowUp, as on Windows and Linux)."""
    tab_to(page, select)
    labels = select.evaluate("s => Array.from(s.options, o => o.text.trim())")
    assert label in labels, f"{label!r} is not among {labels}"
    current = select.evaluate("s => s.selectedIndex")
    wanted = labels.index(label)
    for _ in range(abs(wanted - current)):
        page.keyboard.press("ArrowDown" if wanted > current else "ArrowUp")
    chosen = select.evaluate("s => s.options[s.selectedIndex].text.trim()")
    assert chosen == label, f"the arrow keys chose {chosen!r}, not {label!r}"


def check(page: Page, box: Locator) -> None:
    """Reach a check box with Tab and tick it with Space."""
    tab_to(page, box)
    if not box.is_checked():
        page.keyboard.press("Space")
    assert box.is_checked(), f"Space did not tick {box}"


def pick_radio(page: Page, group: Locator, radio: Locator) -> None:
    """Tab into a radio group (the focus lands on its chosen or first button) and move to
    ``radio`` with the arrow keys, which also choose it."""
    tab_to(page, group)
    for _ in range(group.count()):
        if radio.is_checked():
            return
        page.keyboard.press("ArrowDown")
    assert radio.is_checked(), f"the arrow keys never chose {radio}"


class Mouse:
    """The journeys' hands on a tablet or with a mouse: Playwright's clicks and fills."""

    name = "mouse"

    def click(self, target: Locator) -> None:
        target.click()

    def fill(self, target: Locator, text: str) -> None:
        target.fill(text)

    def fill_date(self, target: Locator, day) -> None:
        target.fill(day.isoformat())

    def select(self, target: Locator, *, label: str | None = None, value: str | None = None):
        if label is not None:
            target.select_option(label=label)
        else:
            target.select_option(value)

    def check(self, target: Locator) -> None:
        target.check()


class Keyboard(Mouse):
    """The same journeys with the keyboard alone (see the module's docstring)."""

    name = "keyboard"

    def click(self, target: Locator) -> None:
        activate(target.page, target)

    def fill(self, target: Locator, text: str) -> None:
        type_into(target.page, target, text)

    def fill_date(self, target: Locator, day) -> None:
        type_date(target.page, target, day.year, day.month, day.day)

    def select(self, target: Locator, *, label: str | None = None, value: str | None = None):
        if label is None:
            label = target.evaluate(
                "(s, v) => Array.from(s.options).find(o => o.value === v).text.trim()", value
            )
        choose(target.page, target, label)

    def check(self, target: Locator) -> None:
        if target.get_attribute("type") == "radio":
            name = target.get_attribute("name")
            pick_radio(
                target.page, target.page.locator(f"input[type=radio][name='{name}']"), target
            )
        else:
            check(target.page, target)


def _keyboard_elsewhere_in_ci() -> bool:
    """CI runs the PostgreSQL and the SQLite suite side by side, and the SQLite one carries the axe
    gate: there the keyboard journeys run in the PostgreSQL suite only (the pages are the same on
    either database). Everywhere else they run in whichever suite is run."""
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    return ci and not os.environ.get("DATABASE_URL", "").startswith("postgres")


# The journeys' ``hands`` parameter: each journey with a mouse and with the keyboard alone.
HANDS = (
    pytest.param(Mouse(), id="mouse"),
    pytest.param(
        Keyboard(),
        id="keyboard",
        marks=pytest.mark.skipif(
            _keyboard_elsewhere_in_ci(), reason="in CI the PostgreSQL suite runs the keyboard ones"
        ),
    ),
)
