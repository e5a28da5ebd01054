"""Journey 1: secretariat staff log a 部会 meeting on a tablet and it reaches the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from consortium.fiscal import fiscal_label, fiscal_year_of
from events.models import Meeting, MeetingKind
from members.models import Organisation, Sector
from tests.e2e.helpers import LANGUAGES, exact, log_in, shown, ui
from tests.e2e.keyboard import HANDS
from tests.e2e.rollups import roll_up_unless_eager
from tests.events.factories import RegistrationFactory
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    StudyGroupFactory,
    staff_user,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MEETING_DAY = dt.date(2025, 7, 10)  # 令和7年度
COMPANIES = ("株式会社湘南マリン", "平塚精工株式会社", "相模電機株式会社", "東京海洋技研株式会社")


def _member_companies(group):
    """Four member companies with three contacts each, plus one contact who did not register."""
    registrants, others = [], []
    for n, name in enumerate(COMPANIES):
        organisation = OrganisationFactory(name=name, name_kana=f"カイイン{n}")
        MembershipFactory(organisation=organisation, study_group=group)
        registrants += [
            PersonFactory(organisation=organisation, name=f"{name[:4]} 担当{i}", name_kana=f"タ{i}")
            for i in range(1, 4)
        ]
        others.append(PersonFactory(organisation=organisation, name=f"{name[:4]} 未申込"))
    return registrants, others


@pytest.mark.parametrize("hands", HANDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_staff_log_a_subcommittee_meeting_on_a_tablet_and_the_dashboard_counts_it(
    live_server, tablet, shot, lang, hands
):
    page, base = tablet, live_server.url
    if lang == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    group = StudyGroupFactory(name="平塚海洋エネルギー研究会")
    registrants, _others = _member_companies(group)
    staff_user(username="jimukyoku", email="sangyo@city.example.jp")

    # Log in and create a 部会 meeting for the study group.
    log_in(page, base, lang, "sangyo@city.example.jp", hands=hands)
    shot(page, "logged-in")
    hands.click(page.locator("header").get_by_role("link", name=ui(lang, "会議"), exact=True))
    hands.click(page.get_by_role("link", name=ui(lang, "会議を登録")))
    hands.select(page.get_by_label(exact(lang, "研究会")), label="平塚海洋エネルギー研究会")
    hands.select(
        page.get_by_label(exact(lang, "種別")), label=shown(lang, MeetingKind.SUBCOMMITTEE.label)
    )
    hands.fill(page.get_by_label(exact(lang, "会議名")), "第5回 波力発電部会")
    hands.fill_date(page.get_by_label(exact(lang, "開催日")), MEETING_DAY)
    hands.fill(page.get_by_label(exact(lang, "会場")), "平塚市漁業協同組合 会議室")
    shot(page, "meeting-form")
    hands.click(page.locator("main").get_by_role("button", name=ui(lang, "保存")))
    expect(page.get_by_role("heading", name="第5回 波力発電部会")).to_be_visible()
    shot(page, "meeting-created")
    meeting = Meeting.objects.get(title="第5回 波力発電部会")
    assert (meeting.kind, meeting.study_group, meeting.date) == ("subcommittee", group, MEETING_DAY)

    # Twelve members registered online beforehand.
    for person in registrants:
        RegistrationFactory(meeting=meeting, person=person)

    # The attendance sheet on a 1024×768 tablet: tick the twelve registered members.
    hands.click(page.locator("main").get_by_role("link", name=ui(lang, "出席簿")))
    expect(
        page.get_by_role("heading", name=f"{ui(lang, '出席簿')}: 第5回 波力発電部会")
    ).to_be_visible()
    assert page.viewport_size == {"width": 1024, "height": 768}
    shot(page, "attendance-sheet")
    for person in registrants:
        row = page.locator(f"#p{person.pk}")
        expect(row).to_contain_text(ui(lang, "申込済"))
        # Each button names its person (「出席：高橋 一郎」).
        name = ui(lang, "出席：%(name)s") % {"name": person.name}
        attended = row.get_by_role("button", name=name, exact=True)
        hands.click(attended)
        expect(
            page.locator(f"#p{person.pk}").get_by_role("button", name=name, exact=True)
        ).to_have_attribute("aria-pressed", "true")
    totals = page.get_by_role("status").filter(has_text=ui(lang, "のべ参加者数"))
    expect(totals).to_contain_text(f"{ui(lang, 'のべ参加者数')} 12")
    shot(page, "twelve-attended")

    # One walk-in from an organisation the portal does not know yet (the form is folded at the
    # top of the sheet).
    hands.click(page.get_by_text(ui(lang, "当日参加を追加（名簿にない人）")))
    walk_in = page.locator("form").filter(has=page.get_by_label(exact(lang, "新しい団体名")))
    hands.fill(walk_in.get_by_label(exact(lang, "氏名")), "海野 波子")
    hands.fill(walk_in.get_by_label(exact(lang, "メール")), "umino@shonan-shinkin.example.jp")
    hands.fill(walk_in.get_by_label(exact(lang, "新しい団体名")), "湘南信用金庫")
    hands.select(walk_in.get_by_label(exact(lang, "区分")), value=Sector.FINANCIAL)
    shot(page, "walk-in-form")
    hands.click(walk_in.get_by_role("button", name=ui(lang, "出席で追加")))
    expect(totals).to_contain_text(f"{ui(lang, 'のべ参加者数')} 13")
    shot(page, "walk-in-added")
    assert Organisation.objects.get(name="湘南信用金庫").sector == Sector.FINANCIAL

    # Three more people counted at the door without a record, then saved.
    hands.fill(page.get_by_label(exact(lang, "当日参加・+α")), "3")
    hands.click(page.get_by_role("button", name=ui(lang, "人数を保存")))
    expect(totals).to_contain_text(f"{ui(lang, 'のべ参加者数')} 16")
    shot(page, "headcount-saved")

    # The meeting page shows 16 participants.
    hands.click(page.get_by_role("link", name=ui(lang, "会議のページへ")))
    total = page.locator("dt", has_text=exact(lang, "のべ参加者数")).locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(total).to_contain_text("16")
    expect(total).to_contain_text("13")
    shot(page, "meeting-page-16")

    # After the roll-up, the dashboard's row for that fiscal year includes them.
    fiscal_year = fiscal_year_of(MEETING_DAY)
    roll_up_unless_eager(fiscal_year)
    hands.click(page.locator("header").get_by_role("link", name=ui(lang, "ダッシュボード")))
    table = page.get_by_role("table", name=ui(lang, "開催回数とのべ参加者数"))
    row = table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=fiscal_label(fiscal_year, lang), exact=True)
    )
    # 開催回数 1, のべ参加者数 16 (うち一般参加者 0: a members' 部会), 参加者実数 13,
    # 参加団体数 5 (four companies + the walk-in's).
    expect(row.get_by_role("cell")).to_have_text(["1", "16", "0", "13", "5"])
    shot(page, "dashboard")
