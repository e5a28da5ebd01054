"""Journey: a citizen without an account registers for a public 見学会 on a phone, follows the
confirmation link of the e-mail, sees the ticket (QR code), and cancels — in Japanese and English,
with no horizontal overflow at 390 px."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from events.models import PublicRegistration
from tests.e2e.helpers import LANGUAGES, exact, open_site, ui
from tests.events.factories import MeetingFactory
from tests.factories import StudyGroupFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LINK = re.compile(r"/events/public/(confirm|ticket|cancel)/[A-Za-z0-9_-]+/")
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def phone(browser):
    """A 390 px wide phone, Japanese browser locale."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="ja-JP", is_mobile=True, has_touch=True
    )
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
    assert not violations, f"CSP violations: {violations}"


def _open_house():
    starts = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=21), dt.time(10))
    )
    return MeetingFactory(
        study_group=StudyGroupFactory(name="平塚海洋エネルギー研究会"),
        kind="open_house",
        title="波力発電装置 見学会（平塚新港）",
        visibility="public",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        venue="平塚新港",
        capacity=40,
        registration_opens_at=timezone.now() - dt.timedelta(days=1),
    )


def _link(message, kind: str) -> str:
    for match in LINK.finditer(message.body):
        if match.group(1) == kind:
            return match.group(0)
    raise AssertionError(f"no {kind} link in {message.body!r}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_citizen_registers_confirms_sees_the_ticket_and_cancels(
    live_server, phone, shot, mailoutbox, lang
):
    cache.clear()  # the rate limits start afresh
    page, base = phone, live_server.url
    meeting = _open_house()

    # From the public meeting page, without an account.
    open_site(page, base, lang)
    page.goto(base + meeting.get_absolute_url())
    shot(page, "meeting")
    page.get_by_role("link", name=ui(lang, "一般参加の申込（アカウント不要）")).click()
    expect(page.get_by_role("heading", name=ui(lang, "一般参加の申込"))).to_be_visible()
    expect(page.get_by_role("heading", name=ui(lang, "個人情報の取扱い"))).to_be_visible()
    assert page.evaluate(NO_OVERFLOW)

    # A mistake first: the form says which field is wrong.
    page.get_by_label(exact(lang, "氏名")).fill("小林 美咲")
    page.get_by_label(exact(lang, "氏名（フリガナ）")).fill("Kobayashi")
    page.get_by_label(exact(lang, "メールアドレス")).fill("Misaki.Kobayashi@example.jp")
    page.get_by_label(exact(lang, "人数")).fill("3")
    page.get_by_role("button", name=ui(lang, "申し込む")).click()
    kana_row = page.locator(".form-row--error").filter(has=page.locator("#id_name_kana"))
    expect(kana_row).to_contain_text(
        ui(lang, "フリガナはカタカナ（またはひらがな）で入れてください。")
    )
    consent_row = page.locator(".form-row--error").filter(has=page.locator("#id_consent"))
    expect(consent_row).to_contain_text(
        ui(lang, "申し込むには、個人情報の取扱いへの同意が必要です。")
    )
    shot(page, "errors")
    assert page.evaluate(NO_OVERFLOW)

    page.get_by_label(exact(lang, "氏名（フリガナ）")).fill("コバヤシ ミサキ")
    page.get_by_label(ui(lang, "上記の「個人情報の取扱い」に同意します")).check()
    page.get_by_role("button", name=ui(lang, "申し込む")).click()
    expect(page.get_by_role("heading", name=ui(lang, "メールをご確認ください"))).to_be_visible()
    shot(page, "check-your-email")
    registration = PublicRegistration.objects.get()
    assert registration.email == "misaki.kobayashi@example.jp"
    assert registration.confirmed_at is None

    # The confirmation link: a page with a button (mail scanners confirm nothing).
    [confirmation] = [m for m in mailoutbox if m.to == ["misaki.kobayashi@example.jp"]]
    page.goto(base + _link(confirmation, "confirm"))
    expect(page.get_by_role("heading", name=ui(lang, "申込の確定"))).to_be_visible()
    shot(page, "confirm")
    page.get_by_role("button", name=ui(lang, "申込を確定する")).click()

    # The ticket, to show at the door.
    expect(page.get_by_role("heading", name=ui(lang, "受付票"))).to_be_visible()
    expect(page.locator(".public-ticket__qr svg")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text(
        ui(lang, "お申し込みが確定しました。受付票をメールでもお送りしました。")
    )
    shot(page, "ticket")
    assert page.evaluate(NO_OVERFLOW)
    registration.refresh_from_db()
    assert (registration.status, registration.seats) == ("registered", 3)
    ticket_mail = mailoutbox[-1]
    assert ticket_mail.to == ["misaki.kobayashi@example.jp"]
    assert _link(ticket_mail, "ticket") == page.url.removeprefix(base)

    # Cancel with the e-mail's link.
    page.goto(base + _link(ticket_mail, "cancel"))
    expect(page.get_by_role("heading", name=ui(lang, "申込の取消"))).to_be_visible()
    shot(page, "cancel")
    page.locator("main").get_by_role("button", name=ui(lang, "申込を取り消す")).click()
    expect(page.locator("main")).to_contain_text(
        ui(lang, "この申込は取り消されています。ご連絡ありがとうございました。")
    )
    shot(page, "cancelled")
    assert page.evaluate(NO_OVERFLOW)
    registration.refresh_from_db()
    assert registration.status == "cancelled"
