"""Journey 2: a company signs up, joins a study group, and registers for the next meeting."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import JoinRequest, Membership, Organisation
from tests.e2e.helpers import LANGUAGES, PASSWORD, exact, log_in, log_out, open_site, ui
from tests.e2e.keyboard import HANDS
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


@pytest.mark.parametrize("hands", HANDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_company_signs_up_joins_a_study_group_and_registers_for_the_next_meeting(
    live_server, tablet, shot, mailoutbox, lang, hands
):
    page, base = tablet, live_server.url
    group = StudyGroupFactory(name="平塚海洋エネルギー研究会")
    next_meeting, _later = _upcoming_meetings(group)
    staff_user(username="jimukyoku", email="sangyo@city.example.jp")
    number = corporate_number(4242)

    # Sign up naming a new organisation and its 法人番号: no list of organisations is shown.
    open_site(page, base, lang, hands)
    shot(page, "home")
    hands.click(page.locator("header").get_by_role("link", name=ui(lang, "利用登録")))
    expect(page.get_by_role("heading", name=ui(lang, "利用登録"))).to_be_visible()
    hands.fill(page.locator("input[name=email]"), "tanaka@wave-power.example.jp")
    hands.fill(page.locator("input[name=password1]"), PASSWORD)
    hands.fill(page.locator("input[name=password2]"), PASSWORD)
    hands.fill(page.get_by_label(exact(lang, "氏名")), "田中 一郎")
    hands.fill(page.get_by_label(exact(lang, "氏名カナ")), "タナカ イチロウ")
    hands.fill(page.get_by_label(exact(lang, "所属団体名")), "湘南ウェーブパワー株式会社")
    hands.fill(page.get_by_label(exact(lang, "法人番号")), number)
    hands.select(page.get_by_label(exact(lang, "区分")), value="company")
    hands.check(page.get_by_label(exact(lang, "市内")))
    hands.fill(page.get_by_label(exact(lang, "所在地")), "平塚市新町1-1")
    shot(page, "signup-filled")
    hands.click(page.get_by_role("button", name=ui(lang, "登録する")))
    expect(page.locator("main")).to_contain_text("tanaka@wave-power.example.jp")
    shot(page, "verification-sent")
    assert not Organisation.objects.filter(corporate_number=number).exists()

    # Follow the verification link from the e-mail; the secretariat was told of the request.
    to_person = [m for m in mailoutbox if m.to == ["tanaka@wave-power.example.jp"]]
    assert len(to_person) == 1
    assert any(m.to == ["sangyo@city.example.jp"] for m in mailoutbox)
    link = CONFIRM_LINK.search(to_person[0].body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name=ui(lang, "メールアドレスの確認"))).to_be_visible()
    shot(page, "confirm-email")
    hands.click(page.locator("main").get_by_role("button", name=ui(lang, "確認する")))
    expect(
        page.locator("header").get_by_role("button", name=ui(lang, "ログアウト"))
    ).to_be_visible()
    waiting = (
        "所属団体は事務局の確認待ちです。確認が済むと、団体のページや研究会の資料・会議の申込を"
        "利用できます。結果はメールでお知らせします。"
    )
    expect(page.locator("main p.notice[role=status]")).to_have_text(ui(lang, waiting))
    shot(page, "verified-and-waiting")
    log_out(page, lang, hands)

    # Secretariat staff approve the affiliation: the organisation is registered.
    log_in(page, base, lang, "sangyo@city.example.jp", hands=hands)
    hands.click(page.locator("header").get_by_role("link", name=ui(lang, "申込審査")))
    row = page.get_by_role("row").filter(has_text="湘南ウェーブパワー株式会社").first
    expect(row).to_contain_text("wave-power.example.jp")
    shot(page, "affiliation-queue")
    hands.click(row.get_by_role("link", name=ui(lang, "審査する")))
    hands.check(page.get_by_label(ui(lang, "承認する")))
    shot(page, "affiliation-decide")
    hands.click(page.locator("main").get_by_role("button", name=ui(lang, "決定する")))
    expect(page.locator(".messages")).to_be_visible()
    organisation = Organisation.objects.get(corporate_number=number)
    assert organisation.name == "湘南ウェーブパワー株式会社" and organisation.is_confirmed
    log_out(page, lang, hands)
    log_in(page, base, lang, "tanaka@wave-power.example.jp", hands=hands)

    # Apply to join the study group.
    hands.click(page.locator("header").get_by_role("link", name=ui(lang, "研究会"), exact=True))
    hands.click(page.get_by_role("link", name="平塚海洋エネルギー研究会").first)
    expect(page.get_by_role("heading", name="平塚海洋エネルギー研究会")).to_be_visible()
    shot(page, "study-group")
    hands.click(page.get_by_role("link", name=ui(lang, "加入を申し込む")))
    hands.fill(
        page.get_by_label(exact(lang, "申込メッセージ")),
        "波力発電の実証に参加したく、加入を希望します。",
    )
    shot(page, "join-request-form")
    hands.click(page.locator("main").get_by_role("button", name=ui(lang, "申し込む")))
    expect(page.locator(".messages")).to_be_visible()
    shot(page, "join-request-sent")
    assert JoinRequest.objects.filter(organisation=organisation, status="pending").count() == 1
    log_out(page, lang, hands)
    shot(page, "logged-out")

    # Secretariat staff approve.
    log_in(page, base, lang, "sangyo@city.example.jp", hands=hands)
    hands.click(page.locator("header").get_by_role("link", name=ui(lang, "申込審査")))
    row = page.get_by_role("row").filter(has_text="湘南ウェーブパワー株式会社").first
    expect(row).to_contain_text("平塚海洋エネルギー研究会")
    shot(page, "join-request-queue")
    hands.click(row.get_by_role("link", name=ui(lang, "審査する")))
    hands.check(page.get_by_label(ui(lang, "承認する")))
    shot(page, "join-request-decide")
    hands.click(page.locator("main").get_by_role("button", name=ui(lang, "決定する")))
    expect(page.locator(".messages")).to_be_visible()
    shot(page, "join-request-approved")
    log_out(page, lang, hands)

    # The company person sees the membership …
    log_in(page, base, lang, "tanaka@wave-power.example.jp", hands=hands)
    hands.click(page.locator("header").get_by_role("link", name=ui(lang, "自団体")))
    expect(page.get_by_role("heading", name="湘南ウェーブパワー株式会社")).to_be_visible()
    memberships = page.locator("table").filter(has_text=ui(lang, "加入日")).first
    expect(memberships).to_contain_text("平塚海洋エネルギー研究会")
    shot(page, "my-organisation-membership")
    assert Membership.objects.active().filter(organisation=organisation).count() == 1

    # … and registers for the next meeting.
    hands.click(page.locator("header").get_by_role("link", name=ui(lang, "会議"), exact=True))
    first_row = page.locator("table tbody tr").first
    expect(first_row).to_contain_text("第3回 波力発電部会")
    shot(page, "meeting-list")
    hands.click(first_row.get_by_role("link", name="第3回 波力発電部会"))
    shot(page, "meeting-detail")
    hands.click(page.locator("main").get_by_role("link", name=ui(lang, "参加を申し込む")))
    expect(page.get_by_label("田中 一郎")).to_be_checked()
    shot(page, "register-form")
    hands.click(page.locator("main").get_by_role("button", name=ui(lang, "申し込む")))
    expect(page.get_by_role("heading", name="第3回 波力発電部会")).to_be_visible()
    cancel = page.get_by_role("button", name=ui(lang, "取り消す"))
    own = page.locator("main li").filter(has_text="田中 一郎").filter(has=cancel)
    expect(own).to_contain_text(ui(lang, "申込済"))
    shot(page, "registered")
    assert list(next_meeting.registrations.values_list("person__name", "status")) == [
        ("田中 一郎", "registered")
    ]
