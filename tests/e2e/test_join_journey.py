"""Journey 2: a company signs up, joins a study group, and registers for the next meeting."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import JoinRequest, Membership, Organisation
from tests.e2e.helpers import LANGUAGES, PASSWORD, exact, log_in, log_out, open_site, ui
from tests.events.factories import MeetingFactory
from tests.factories import StudyGroupFactory, corporate_number, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CONFIRM_LINK = re.compile(r"https?://[^\s]+/accounts/confirm-email/[^\s]+")


def _upcoming_meetings(group):
    """Two members-only 部会 meetings ahead, both open for registration."""
    today = timezone.localdate()
    opened = timezone.now() - dt.timedelta(days=1)
    starts = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=14), dt.time(14)))
    first = MeetingFactory(
        study_group=group,
        title="第3回 波力発電部会",
        date=starts.date(),
        starts_at=starts,
        registration_opens_at=opened,
    )
    later = MeetingFactory(
        study_group=group,
        title="第4回 波力発電部会",
        date=starts.date() + dt.timedelta(days=30),
        starts_at=starts + dt.timedelta(days=30),
        registration_opens_at=opened,
    )
    return first, later


@pytest.mark.parametrize("lang", LANGUAGES)
def test_company_signs_up_joins_a_study_group_and_registers_for_the_next_meeting(
    live_server, tablet, shot, mailoutbox, lang
):
    page, base = tablet, live_server.url
    group = StudyGroupFactory(name="平塚海洋エネルギー研究会")
    next_meeting, _later = _upcoming_meetings(group)
    staff_user(username="jimukyoku", email="sangyo@city.example.jp")
    number = corporate_number(4242)

    # Sign up with a new organisation and its 法人番号.
    open_site(page, base, lang)
    shot(page, "home")
    page.locator("header").get_by_role("link", name=ui(lang, "利用登録")).click()
    expect(page.get_by_role("heading", name=ui(lang, "利用登録"))).to_be_visible()
    page.locator("input[name=email]").fill("tanaka@wave-power.example.jp")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_label(exact(lang, "氏名")).fill("田中 一郎")
    page.get_by_label(exact(lang, "氏名カナ")).fill("タナカ イチロウ")
    page.get_by_label(exact(lang, "新しい団体名")).fill("湘南ウェーブパワー株式会社")
    page.get_by_label(exact(lang, "団体名カナ")).fill("ショウナンウェーブパワー")
    page.get_by_label(exact(lang, "区分")).select_option(value="company")
    page.get_by_label(exact(lang, "法人番号")).fill(number)
    shot(page, "signup-filled")
    page.get_by_role("button", name=ui(lang, "登録する")).click()
    expect(page.locator("main")).to_contain_text("tanaka@wave-power.example.jp")
    shot(page, "verification-sent")
    organisation = Organisation.objects.get(corporate_number=number)
    assert organisation.name == "湘南ウェーブパワー株式会社"
    assert not organisation.is_confirmed

    # Follow the verification link from the e-mail.
    assert len(mailoutbox) == 1
    link = CONFIRM_LINK.search(mailoutbox[0].body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name=ui(lang, "メールアドレスの確認"))).to_be_visible()
    shot(page, "confirm-email")
    page.locator("main").get_by_role("button", name=ui(lang, "確認する")).click()
    expect(
        page.locator("header").get_by_role("button", name=ui(lang, "ログアウト"))
    ).to_be_visible()
    shot(page, "verified-and-logged-in")

    # Apply to join the study group.
    page.locator("header").get_by_role("link", name=ui(lang, "研究会"), exact=True).click()
    page.get_by_role("link", name="平塚海洋エネルギー研究会").first.click()
    expect(page.get_by_role("heading", name="平塚海洋エネルギー研究会")).to_be_visible()
    shot(page, "study-group")
    page.get_by_role("link", name=ui(lang, "加入を申し込む")).click()
    page.get_by_label(exact(lang, "申込メッセージ")).fill(
        "波力発電の実証に参加したく、加入を希望します。"
    )
    shot(page, "join-request-form")
    page.locator("main").get_by_role("button", name=ui(lang, "申し込む")).click()
    expect(page.locator(".messages")).to_be_visible()
    shot(page, "join-request-sent")
    assert JoinRequest.objects.filter(organisation=organisation, status="pending").count() == 1
    log_out(page, lang)
    shot(page, "logged-out")

    # Secretariat staff approve.
    log_in(page, base, lang, "sangyo@city.example.jp")
    page.locator("header").get_by_role("link", name=ui(lang, "申込審査")).click()
    row = page.get_by_role("row").filter(has_text="湘南ウェーブパワー株式会社").first
    expect(row).to_contain_text("平塚海洋エネルギー研究会")
    shot(page, "join-request-queue")
    row.get_by_role("link", name=ui(lang, "審査する")).click()
    page.get_by_label(ui(lang, "承認する")).check()
    shot(page, "join-request-decide")
    page.locator("main").get_by_role("button", name=ui(lang, "決定する")).click()
    expect(page.locator(".messages")).to_be_visible()
    shot(page, "join-request-approved")
    log_out(page, lang)

    # The company person sees the membership …
    log_in(page, base, lang, "tanaka@wave-power.example.jp")
    page.locator("header").get_by_role("link", name=ui(lang, "自団体")).click()
    expect(page.get_by_role("heading", name="湘南ウェーブパワー株式会社")).to_be_visible()
    memberships = page.locator("table").filter(has_text=ui(lang, "加入日")).first
    expect(memberships).to_contain_text("平塚海洋エネルギー研究会")
    shot(page, "my-organisation-membership")
    assert Membership.objects.active().filter(organisation=organisation).count() == 1

    # … and registers for the next meeting.
    page.locator("header").get_by_role("link", name=ui(lang, "会議"), exact=True).click()
    first_row = page.locator("table tbody tr").first
    expect(first_row).to_contain_text("第3回 波力発電部会")
    shot(page, "meeting-list")
    first_row.get_by_role("link", name="第3回 波力発電部会").click()
    shot(page, "meeting-detail")
    page.locator("main").get_by_role("link", name=ui(lang, "参加を申し込む")).click()
    expect(page.get_by_label("田中 一郎")).to_be_checked()
    shot(page, "register-form")
    page.locator("main").get_by_role("button", name=ui(lang, "申し込む")).click()
    expect(page.get_by_role("heading", name="第3回 波力発電部会")).to_be_visible()
    cancel = page.get_by_role("button", name=ui(lang, "取り消す"))
    own = page.locator("main li").filter(has_text="田中 一郎").filter(has=cancel)
    expect(own).to_contain_text(ui(lang, "申込済"))
    shot(page, "registered")
    assert list(next_meeting.registrations.values_list("person__name", "status")) == [
        ("田中 一郎", "registered")
    ]
