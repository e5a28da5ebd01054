"""The open-data event list: the 自治体標準オープンデータセット「イベント一覧」 layout by default,
the former 推奨データセット headers on request, every column Kyoso has data for filled, the
authority code as text (CSV and XLSX)."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from events import services
from reports.exports import OPEN_DATA_COLUMNS, OPEN_DATA_LEGACY_COLUMNS
from tests.events.factories import now_is, tokyo

from .factories import MeetingFactory
from .test_exports import body, rows_of

pytestmark = pytest.mark.django_db

SITE = "https://kyoso.city.example.jp"

# The required columns (必須) of the イベント一覧 definition that Kyoso can fill.
REQUIRED = [
    "全国地方公共団体コード",
    "ID",
    "地方公共団体名",
    "イベント名",
    "イベント名_カナ",
    "開始日",
    "終了日",
    "開始時間",
    "終了時間",
    "説明",
    "場所名称",
    "住所",
]


@pytest.fixture
def site(settings):
    settings.KYOSO_SITE_URL = SITE
    settings.KYOSO_AUTHORITY_CODE = "142034"
    return settings


@pytest.fixture
def tour(study_group):
    return MeetingFactory(
        study_group=study_group,
        kind="open_house",
        title="波力発電装置 見学会（平塚新港）",
        title_kana="ハリョクハツデンソウチ ケンガクカイ(ヒラツカシンコウ)",
        title_en="Wave Power Device Tour (Hiratsuka New Port)",
        starts_at=tokyo(2027, 1, 23, 10, 0),
        ends_at=tokyo(2027, 1, 23, 12, 0),
        venue="平塚新港",
        address="神奈川県平塚市千石河岸",
        latitude=Decimal("35.316700"),
        longitude=Decimal("139.363900"),
        description="岸壁から波力発電装置を見学します。",
        capacity=40,
        visibility="public",
        registration_opens_at=tokyo(2026, 11, 1, 9, 0),
        registration_closes_at=tokyo(2027, 1, 21, 10, 0),
    )


def table_of(client, **query):
    return rows_of(body(client.get(reverse("reports:open_data_csv"), query)))


def record(client, **query):
    header, row = table_of(client, **query)
    return dict(zip(header, row, strict=True))


def test_every_column_kyoso_has_data_for_is_filled(client, site, tour):
    with now_is(2026, 12, 1, 9, 0):
        row = record(client)
    assert [column for column in REQUIRED if not row[column]] == []
    assert row["イベント名_カナ"] == "ハリョクハツデンソウチ ケンガクカイ(ヒラツカシンコウ)"
    assert row["イベント名_英字"] == "Wave Power Device Tour (Hiratsuka New Port)"
    assert (row["開始日"], row["終了日"]) == ("2027-01-23", "2027-01-23")
    assert (row["開始時間"], row["終了時間"]) == ("10:00", "12:00")
    assert row["場所名称"] == "平塚新港"
    assert row["住所"] == "神奈川県平塚市千石河岸"
    assert (row["緯度"], row["経度"]) == ("35.316700", "139.363900")
    assert row["定員"] == "40"
    assert (row["参加申込終了日"], row["参加申込終了時間"]) == ("2027-01-21", "10:00")
    assert row["URL"] == f"{SITE}/events/{tour.pk}/"
    assert row["参加申込方法"] == f"{SITE}/events/{tour.pk}/public-register/"
    assert row["主催者"] == tour.study_group.full_name
    assert row["備考"] == "予定"
    # Kyoso records no fees, contacts, access or parking: left empty, not guessed.
    for column in (
        "料金(基本)",
        "料金(詳細)",
        "連絡先名称",
        "連絡先電話番号",
        "方書",
        "アクセス方法",
    ):
        assert row[column] == ""


def test_registration_method_only_while_the_meeting_takes_registrations(client, site, tour):
    with now_is(2027, 1, 22, 9, 0):  # after the deadline
        assert record(client)["参加申込方法"] == ""
    no_window = MeetingFactory(visibility="public", date=dt.date(2027, 3, 1))
    with now_is(2026, 12, 1, 9, 0):
        rows = {r[1]: r for r in table_of(client)[1:]}
    method = OPEN_DATA_COLUMNS.index("参加申込方法")
    assert rows[str(no_window.pk)][method] == ""  # no registration window at all


def test_cancelled_and_undated_meetings_say_so(client, site, people, tour):
    undated = MeetingFactory(visibility="public", date=dt.date(2030, 5, 1), starts_at=None)
    services.meeting_cancel(meeting=tour, cancelled_by=people["staff"], reason="荒天のため")
    rows = {r[1]: dict(zip(OPEN_DATA_COLUMNS, r, strict=True)) for r in table_of(client)[1:]}
    assert rows[str(tour.pk)]["開始日時特記事項"] == "中止（荒天のため）"
    assert rows[str(tour.pk)]["備考"] == "中止"
    assert rows[str(tour.pk)]["参加申込方法"] == ""
    assert rows[str(undated.pk)]["開始日時特記事項"] == "時刻未定"


def test_an_online_meeting_is_named_online_without_publishing_its_room(client, site):
    MeetingFactory(visibility="public", venue="", online_url="https://meet.example.jp/room")
    response = client.get(reverse("reports:open_data_csv"))
    assert "meet.example.jp" not in body(response).decode("utf-8-sig")
    assert record(client)["場所名称"] == "オンライン"


def test_the_legacy_layout_keeps_the_former_headers_with_the_same_values(client, site, tour):
    with now_is(2026, 12, 1, 9, 0):
        standard = record(client)
        table = table_of(client, layout="legacy")
    assert table[0] == OPEN_DATA_LEGACY_COLUMNS
    assert table[0][:7] == [
        "都道府県コード又は市区町村コード",
        "NO",
        "都道府県名",
        "市区町村名",
        "イベント名",
        "イベント名_カナ",
        "イベント名_英語",
    ]
    legacy = dict(zip(table[0], table[1], strict=True))
    assert legacy["都道府県コード又は市区町村コード"] == "142034"
    assert legacy["NO"] == str(tour.pk)
    assert (legacy["都道府県名"], legacy["市区町村名"]) == ("神奈川県", "平塚市")
    assert legacy["イベント名_英語"] == standard["イベント名_英字"]
    shared = set(OPEN_DATA_COLUMNS) & set(OPEN_DATA_LEGACY_COLUMNS)
    assert {c: legacy[c] for c in shared} == {c: standard[c] for c in shared}


def test_the_site_setting_chooses_the_default_layout(client, site, tour):
    site.KYOSO_OPEN_DATA_LAYOUT = "legacy"
    assert table_of(client)[0] == OPEN_DATA_LEGACY_COLUMNS
    assert table_of(client, layout="standard")[0] == OPEN_DATA_COLUMNS
    assert table_of(client, layout="nonsense")[0] == OPEN_DATA_LEGACY_COLUMNS
    page = client.get(reverse("reports:open_data")).content.decode()
    assert "?layout=standard" in page


def test_an_authority_code_with_a_leading_zero_stays_text(client, site, tour):
    site.KYOSO_AUTHORITY_CODE = "011002"  # 札幌市
    assert record(client)["全国地方公共団体コード"] == "011002"
    response = client.get(reverse("reports:open_data_xlsx"))
    assert response["Content-Disposition"].endswith('011002_event.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    header = [cell.value for cell in sheet[1]]
    assert header == OPEN_DATA_COLUMNS
    code, start = sheet["A2"], sheet.cell(2, header.index("開始日") + 1)
    assert (code.value, code.data_type) == ("011002", "s")
    assert start.value == dt.datetime(2027, 1, 23) and start.is_date
    latitude = sheet.cell(2, header.index("緯度") + 1).value
    assert latitude == pytest.approx(35.3167)


def test_the_page_offers_every_file(client):
    page = client.get(reverse("reports:open_data")).content.decode()
    assert f'href="{reverse("reports:open_data_xlsx")}"' in page
    assert f'href="{reverse("reports:open_data_csv")}?layout=legacy"' in page
    for column in ("全国地方公共団体コード", "イベント名_英字", "都道府県コード又は市区町村コード"):
        assert column in page


@pytest.mark.parametrize("rows", [1, 20])
@pytest.mark.parametrize("name", ["reports:open_data_csv", "reports:open_data_xlsx"])
def test_open_data_query_count_is_fixed(
    client, site, study_group, rows, name, django_assert_num_queries
):
    for n in range(rows):
        MeetingFactory(study_group=study_group, visibility="public", title=f"見学会{n}")
    with django_assert_num_queries(1):
        response = client.get(reverse(name))
    assert response.status_code == 200
