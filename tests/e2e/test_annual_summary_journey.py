"""Journey 3: an administrator downloads the annual summary CSV for the city council."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from playwright.sync_api import expect

from consortium.fiscal import fiscal_label
from events.models import AttendanceStatus, MeetingKind
from members.models import Sector
from reports.models import ExportLog
from tests.e2e.helpers import LANGUAGES, log_in, ui
from tests.e2e.keyboard import HANDS
from tests.e2e.rollups import roll_up
from tests.events.factories import AttendanceFactory, MeetingFactory
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    StudyGroupFactory,
    administrator_user,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BOM = b"\xef\xbb\xbf"
JAPANESE_HEADER = [
    "年度",
    "和暦",
    "研究会",
    "上位研究会",
    "開催回数",
    "のべ参加者数",
    "一般参加者",
    "参加者実数",
    "参加団体数",
    "市内企業",
    "市外企業",
    "大学・研究機関",
    "行政",
    "金融機関",
    "団体",
    "新規加入団体",
]


def _fiscal_2024():
    """令和6年度: a 総会 and a 部会 of a subcommittee, plus one meeting the year before."""
    group = StudyGroupFactory(name="平塚海洋エネルギー研究会", order=1)
    subcommittee = StudyGroupFactory(name="第1部会", parent=group, order=1)
    local = OrganisationFactory(name="株式会社湘南マリン", is_local=True)
    outside = OrganisationFactory(name="東京海洋技研株式会社", is_local=False)
    university = OrganisationFactory(name="東京大学生産技術研究所", sector=Sector.UNIVERSITY)
    fishery = OrganisationFactory(name="平塚市漁業協同組合", sector=Sector.ASSOCIATION)
    MembershipFactory(organisation=university, study_group=group, joined_on=dt.date(2024, 6, 1))
    local_1, local_2 = PersonFactory(organisation=local), PersonFactory(organisation=local)
    outside_1 = PersonFactory(organisation=outside)

    assembly = MeetingFactory(
        study_group=group,
        kind=MeetingKind.GENERAL_ASSEMBLY,
        title="令和6年度 総会",
        date=dt.date(2024, 5, 20),
        unnamed_headcount=2,
    )
    for person in (local_1, local_2, outside_1, PersonFactory(organisation=university)):
        AttendanceFactory(meeting=assembly, person=person)
    meeting = MeetingFactory(
        study_group=subcommittee,
        title="第1部会 第2回",
        date=dt.date(2024, 11, 12),
        unnamed_headcount=1,
    )
    AttendanceFactory(meeting=meeting, person=local_1)
    AttendanceFactory(meeting=meeting, person=PersonFactory(organisation=fishery))
    AttendanceFactory(meeting=meeting, person=outside_1, status=AttendanceStatus.ABSENT)

    earlier = MeetingFactory(study_group=group, title="令和5年度 総会", date=dt.date(2024, 3, 15))
    AttendanceFactory(meeting=earlier, person=local_1)
    for fiscal_year in (2023, 2024):
        roll_up(fiscal_year)


@pytest.mark.parametrize("hands", HANDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_administrator_downloads_the_annual_summary_csv_with_the_years_numbers(
    live_server, tablet, shot, lang, hands
):
    page, base = tablet, live_server.url
    if lang == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    _fiscal_2024()
    administrator_user(username="kanri", email="kikaku@city.example.jp")

    log_in(page, base, lang, "kikaku@city.example.jp", hands=hands)
    hands.click(page.locator("header").get_by_role("link", name=ui(lang, "ダッシュボード")))
    table = page.get_by_role("table", name=ui(lang, "開催回数とのべ参加者数"))
    row = table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=fiscal_label(2024, lang), exact=True)
    )
    expect(row.get_by_role("cell")).to_have_text(["2", "9", "0", "5", "4"])
    shot(page, "dashboard")

    # Choose the fiscal year on the dashboard and download the participation summary (参加実績).
    summary = page.get_by_role("form", name=ui(lang, "年次報告の出力"))
    hands.select(
        summary.get_by_label(ui(lang, "年次報告（参加実績）の年度")), label=fiscal_label(2024, lang)
    )
    shot(page, "exports")
    with page.expect_download() as download_info:
        hands.click(summary.get_by_role("button", name=ui(lang, "CSV をダウンロード")))
    download = download_info.value
    assert download.suggested_filename == "participation-2024.csv"
    data = download.path().read_bytes()
    shot(page, "downloaded")

    assert data.startswith(BOM), "Excel needs the UTF-8 BOM"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == JAPANESE_HEADER
    assert rows[1:] == [
        # 年度 和暦 研究会 上位 回数 のべ 一般 実数 団体数 市内 市外 大学 行政 金融 団体 新規
        ["2024", "令和6年度", "全体", "", "2", "9", "0", "5", "4"]
        + ["1", "1", "1", "0", "0", "1", "1"],
        ["2024", "令和6年度", "平塚海洋エネルギー研究会", "", "2", "9", "0", "5", "4"]
        + ["1", "1", "1", "0", "0", "1", "1"],
        ["2024", "令和6年度", "第1部会", "平塚海洋エネルギー研究会", "1", "3", "0", "2", "2"]
        + ["1", "0", "0", "0", "0", "1", "0"],
    ]
    assert ExportLog.objects.filter(kind="participation", fiscal_year=2024).count() == 1
