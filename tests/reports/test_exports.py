import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from reports.exports import OPEN_DATA_COLUMNS
from reports.models import ExportLog
from reports.services import rollup_fiscal_year_compute

from .factories import AttendanceFactory, FundingFactory, MeetingFactory

PARTICIPATION_JA = [
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
PARTICIPATION_EN = [
    "fiscal_year",
    "era",
    "study_group",
    "parent_group",
    "meetings",
    "attendance_total",
    "public_participants",
    "unique_people",
    "organisations",
    "local_companies",
    "outside_companies",
    "universities",
    "government",
    "financial",
    "associations",
    "new_members",
]


def rows_of(data: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def body(response) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def rolled(fy2018):
    FundingFactory(project=fy2018.x, funder=fy2018.orgs.F, scheme='=HYPERLINK("x")')
    rollup_fiscal_year_compute(fiscal_year=2018)
    return fy2018


def test_participation_csv_has_the_issue_columns_in_order_and_a_total_row(rolled, client_as):
    response = client_as("admin").get(
        reverse("reports:export", args=["participation", "csv"]), {"fiscal_year": 2018}
    )
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf")
    table = rows_of(data)
    assert table[0] == PARTICIPATION_JA
    assert table[1][:5] == ["2018", "平成30年度", "全体", "", "4"]
    assert table[1][5] == "25"
    assert [r[2:4] for r in table[2:]] == [
        ["海洋エネルギー研究会", ""],
        ["第1部会", "海洋エネルギー研究会"],
        ["第2部会", "海洋エネルギー研究会"],
    ]


def test_english_header_and_all_row(rolled, client_as):
    response = client_as("admin").get(
        reverse("reports:export", args=["participation", "csv"]),
        {"fiscal_year": 2018, "header": "en"},
    )
    table = rows_of(body(response))
    assert table[0] == PARTICIPATION_EN
    assert table[1][2] == "ALL"


def test_cp932_download_reads_in_shift_jis(rolled, client_as):
    response = client_as("admin").get(
        reverse("reports:export", args=["participation", "csv"]), {"encoding": "cp932"}
    )
    assert "Shift_JIS" in response["Content-Type"]
    assert rows_of(body(response), "cp932")[0] == PARTICIPATION_JA


def test_cp932_failure_shows_a_page_naming_the_cell_and_offering_utf8(rolled, client_as):
    rolled.x.name = "𠮷田の事業"
    rolled.x.save()
    url = reverse("reports:export", args=["funding", "csv"])
    response = client_as("admin").get(url, {"encoding": "cp932", "header": "ja"})
    assert response.status_code == 422
    assert "Content-Disposition" not in response
    html = response.content.decode()
    assert "2行目" in html and "事業" in html and "𠮷" in html
    assert f'href="{url}?encoding=utf-8-sig&amp;header=ja"' in html
    assert not ExportLog.objects.exists()


def test_funding_csv_escapes_formula_text(rolled, client_as):
    response = client_as("admin").get(reverse("reports:export", args=["funding", "csv"]))
    table = rows_of(body(response))
    assert table[0] == ["年度", "和暦", "事業", "資金提供者", "制度", "種別", "金額"]
    assert table[1][4] == '\'=HYPERLINK("x")'
    assert table[1][6] == "1000000"


def test_participation_xlsx_opens_in_openpyxl(rolled, client_as):
    response = client_as("admin").get(reverse("reports:export", args=["participation", "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    assert [c.value for c in sheet[1]] == PARTICIPATION_JA
    assert sheet["C2"].value == "全体"


def test_attendance_detail_streams_one_row_per_attendance(rolled, client_as):
    response = client_as("admin").get(
        reverse("reports:export", args=["attendance", "csv"]), {"fiscal_year": 2018}
    )
    assert response.streaming
    table = rows_of(body(response))
    assert table[0] == [
        "開催日",
        "会議名",
        "種別",
        "研究会",
        "氏名",
        "団体",
        "区分",
        "市内",
        "出欠",
    ]
    assert len(table) == 1 + 10
    assert table[1][0] == "2018-04-01"


def test_attendance_detail_cells_equal_the_generic_writer_and_escape_formulas(rolled):
    """The attendance rows are built ready for the file (``Cells``); they must hold exactly
    what the generic per-cell path writes, formula escaping included, in CSV and XLSX."""
    from events.models import Attendance
    from members.models import Person
    from reports import writers
    from reports.exports import attendance_export

    attendance = Attendance.objects.filter(meeting__fiscal_year=2018).first()
    Person.objects.filter(pk=attendance.person_id).update(name='=HYPERLINK("x")')
    attendance.meeting.title = "+1 研究会"
    attendance.meeting.save()
    attendance.organisation.name = "@SUM(A1)"
    attendance.organisation.save()
    export = attendance_export(fiscal_year=2018)
    fast = rows_of(writers.csv_bytes(export.header, export.rows_for_csv()))
    export = attendance_export(fiscal_year=2018)
    generic = rows_of(writers.csv_bytes(export.header, [list(row) for row in export.rows]))
    assert fast == generic
    cells = {cell for row in fast for cell in row}
    assert {'\'=HYPERLINK("x")', "'+1 研究会", "'@SUM(A1)"} <= cells
    assert not any(c[:1] in "=+-@" for c in cells if c)
    export = attendance_export(fiscal_year=2018)
    book = openpyxl.load_workbook(io.BytesIO(writers.xlsx_bytes(export.header, export.rows)))
    values = {c for row in book.active.iter_rows(values_only=True) for c in row}
    assert {'=HYPERLINK("x")', "+1 研究会", "@SUM(A1)"} <= values
    assert not any(isinstance(v, str) and v.startswith("'") for v in values)


def test_every_download_is_logged_with_personal_data_flag(rolled, client_as, people):
    client = client_as("admin")
    client.get(reverse("reports:export", args=["attendance", "csv"]), {"fiscal_year": 2018})
    client.get(reverse("reports:export", args=["participation", "xlsx"]))
    logs = list(ExportLog.objects.order_by("pk"))
    assert [(log.kind, log.personal_data, log.user) for log in logs] == [
        ("attendance", True, people["admin"]),
        ("participation", False, people["admin"]),
    ]
    page = client.get(reverse("reports:export_log")).content.decode()
    assert "attendance-2018.csv" in page


def test_command_writes_the_same_csv(rolled, tmp_path):
    path = tmp_path / "summary.csv"
    call_command(
        "export_annual_summary", "--fiscal-year", "2018", "--header", "en", "--output", str(path)
    )
    table = rows_of(path.read_bytes())
    assert table[0] == PARTICIPATION_EN
    assert table[1][:3] == ["2018", "平成30年度", "ALL"]
    assert ExportLog.objects.get().via == "command"


def test_command_funding_cp932_and_xlsx(rolled, tmp_path):
    csv_path, xlsx_path = tmp_path / "f.csv", tmp_path / "f.xlsx"
    call_command(
        "export_annual_summary",
        "--kind",
        "funding",
        "--encoding",
        "cp932",
        "--output",
        str(csv_path),
    )
    assert rows_of(csv_path.read_bytes(), "cp932")[1][2] == "波力発電の実証事業"
    call_command("export_annual_summary", "--output", str(xlsx_path))
    assert openpyxl.load_workbook(xlsx_path).active["A1"].value == "年度"


def test_open_data_csv_has_the_event_list_columns(db, client, settings):
    settings.KYOSO_AUTHORITY_CODE = "142034"
    public = MeetingFactory(
        title="波力発電見学会", visibility="public", venue="平塚新港", capacity=30
    )
    MeetingFactory(title="非公開の部会", visibility="members")
    AttendanceFactory(meeting=public)
    response = client.get(reverse("reports:open_data_csv"))
    table = rows_of(body(response))
    assert table[0] == OPEN_DATA_COLUMNS
    assert len(table[0]) == 31
    assert len(table) == 2
    row = dict(zip(table[0], table[1], strict=True))
    assert row["全国地方公共団体コード"] == "142034"
    assert row["ID"] == str(public.pk)
    assert row["地方公共団体名"] == "神奈川県平塚市"
    assert row["イベント名"] == "波力発電見学会"
    assert row["開始日"] == "2018-10-01" and row["終了日"] == "2018-10-01"
    assert row["場所名称"] == "平塚新港" and row["定員"] == "30"


def test_open_data_times_are_hh_mm_in_tokyo(db, client):
    import datetime as dt
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    MeetingFactory(
        visibility="public",
        starts_at=dt.datetime(2019, 5, 1, 13, 30, tzinfo=tokyo),
        ends_at=dt.datetime(2019, 5, 1, 16, 0, tzinfo=tokyo),
    )
    row = dict(zip(*rows_of(body(client.get(reverse("reports:open_data_csv")))), strict=True))
    assert (row["開始日"], row["開始時間"], row["終了時間"]) == ("2019-05-01", "13:30", "16:00")


# --- Spreadsheets carry types -----------------------------------------------------------------


def xlsx_sheet(response):
    book = openpyxl.load_workbook(io.BytesIO(body(response)))
    return book, book.active


def test_attendance_xlsx_holds_dates_words_and_text_without_apostrophes(rolled, client_as):
    import datetime as dt

    from events.models import Meeting

    Meeting.objects.filter(date=dt.date(2018, 10, 10)).update(title="-3+2 分科会")
    response = client_as("admin").get(
        reverse("reports:export", args=["attendance", "xlsx"]), {"fiscal_year": 2018}
    )
    book, sheet = xlsx_sheet(response)
    assert book.sheetnames == ["出欠明細"]
    rows = list(sheet.iter_rows(min_row=2))
    first = rows[0]
    assert first[0].value == dt.datetime(2018, 4, 1)
    assert first[0].is_date and first[0].number_format == "yyyy-mm-dd"
    assert {row[7].value for row in rows} == {"市内", "市外"}
    titles = {row[1].value: row[1].data_type for row in rows}
    assert titles["-3+2 分科会"] == "s"


def test_attendance_csv_says_shinai_or_shigai_and_keeps_the_apostrophe(rolled, client_as):
    import datetime as dt

    from events.models import Meeting

    Meeting.objects.filter(date=dt.date(2018, 10, 10)).update(title="-3+2 分科会")
    response = client_as("admin").get(
        reverse("reports:export", args=["attendance", "csv"]), {"fiscal_year": 2018}
    )
    table = rows_of(body(response))
    assert {row[7] for row in table[1:]} == {"市内", "市外"}
    assert "'-3+2 分科会" in {row[1] for row in table[1:]}


def test_participation_and_funding_xlsx_hold_numbers(rolled, client_as):
    client = client_as("admin")
    response = client.get(
        reverse("reports:export", args=["participation", "xlsx"]), {"fiscal_year": 2018}
    )
    book, sheet = xlsx_sheet(response)
    assert book.sheetnames == ["参加実績"]
    assert [sheet.cell(2, n).value for n in (1, 5, 6)] == [2018, 4, 25]
    assert all(sheet.cell(2, n).data_type == "n" for n in range(5, 16))
    book, sheet = xlsx_sheet(client.get(reverse("reports:export", args=["funding", "xlsx"])))
    assert book.sheetnames == ["資金"]
    scheme, amount = sheet["E2"], sheet["G2"]
    assert (scheme.value, scheme.data_type) == ('=HYPERLINK("x")', "s")
    assert (amount.value, amount.data_type) == (1000000, "n")


def test_sheet_names_follow_the_language_of_the_request(rolled, client_as):
    response = client_as("admin").get(
        reverse("reports:export", args=["participation", "xlsx"]),
        {"header": "ja"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    book, sheet = xlsx_sheet(response)
    assert book.sheetnames == ["Participation"]
    assert sheet["A1"].value == "年度"


def test_command_xlsx_holds_numbers(rolled, tmp_path):
    path = tmp_path / "summary.xlsx"
    call_command("export_annual_summary", "--fiscal-year", "2018", "--output", str(path))
    sheet = openpyxl.load_workbook(path).active
    assert (sheet["A2"].value, sheet["E2"].value) == (2018, 4)


# --- Exports fail before the first byte, or not at all ----------------------------------------


def test_cp932_attendance_detail_with_a_character_shift_jis_lacks_fails_before_sending(
    rolled, client_as
):
    from events.models import Attendance
    from members.models import Person

    attendance = Attendance.objects.filter(meeting__fiscal_year=2018).order_by(
        "meeting__date", "meeting_id", "pk"
    )[3]
    Person.objects.filter(pk=attendance.person_id).update(name="𠮷田 花子")
    url = reverse("reports:export", args=["attendance", "csv"])
    response = client_as("admin").get(url, {"fiscal_year": 2018, "encoding": "cp932"})
    assert response.status_code == 422
    assert not response.streaming and "Content-Disposition" not in response
    html = response.content.decode()
    assert "5行目" in html and "氏名" in html and "𠮷" in html
    assert f'href="{url}?fiscal_year=2018&amp;encoding=utf-8-sig"' in html
    assert not ExportLog.objects.exists()


def test_cp932_attendance_detail_that_fits_is_sent_whole_and_logged(rolled, client_as):
    response = client_as("admin").get(
        reverse("reports:export", args=["attendance", "csv"]),
        {"fiscal_year": 2018, "encoding": "cp932"},
    )
    assert response.status_code == 200
    assert 'filename="attendance-2018.csv"' in response["Content-Disposition"]
    assert len(rows_of(body(response), "cp932")) == 1 + 10
    assert ExportLog.objects.get().kind == "attendance"


def test_command_cp932_failure_names_the_cell_exits_non_zero_and_logs_nothing(rolled, tmp_path):
    from django.core.management.base import CommandError

    rolled.p.name = "𠮷浜研究会"
    rolled.p.save()
    path = tmp_path / "summary.csv"
    with pytest.raises(CommandError) as error:
        call_command("export_annual_summary", "--encoding", "cp932", "--output", str(path))
    message = str(error.value)
    assert "行目" in message and "研究会" in message and "𠮷" in message
    assert "utf-8-sig" in message
    assert error.value.returncode == 1
    assert not path.exists()
    assert not ExportLog.objects.exists()


# --- Open data: plain text for programs -------------------------------------------------------


def test_open_data_csv_publishes_text_without_the_spreadsheet_apostrophe(db, client):
    MeetingFactory(title="-3+2 分科会 公開講座", visibility="public", venue="=平塚")
    row = dict(zip(*rows_of(body(client.get(reverse("reports:open_data_csv")))), strict=True))
    assert row["イベント名"] == "-3+2 分科会 公開講座"
    assert row["場所名称"] == "=平塚"


def test_open_data_cp932_failure_offers_utf8(db, client):
    MeetingFactory(title="𠮷祥寺 見学会", visibility="public")
    response = client.get(reverse("reports:open_data_csv"), {"encoding": "cp932"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "イベント名" in html and "𠮷" in html and "2行目" in html
    assert f'href="{reverse("reports:open_data_csv")}?encoding=utf-8-sig"' in html


def test_the_export_page_says_the_current_year_is_counted_so_far(client_as, db):
    from django.utils import timezone

    from consortium.fiscal import current_fiscal_year
    from reports.models import RollupState

    RollupState.objects.create(fiscal_year=current_fiscal_year(), last_rolled_at=timezone.now())
    page = client_as("admin").get(reverse("reports:exports")).content.decode()
    assert "は年度の途中です" in page and "時点" in page
