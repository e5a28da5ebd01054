"""The attendance detail written by PostgreSQL's COPY is byte for byte the Python writer's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from events.models import Attendance, MeetingKind
from members.models import Sector
from reports import copy_csv, exports, writers
from tests.events.factories import AttendanceFactory, MeetingFactory
from tests.factories import OrganisationFactory, PersonFactory, StudyGroupFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    "=SUM(A1)",
    "+81-463-00-0000",
    "-5",
    "@here",
    "\tleading tab",
    "\rleading cr",
    "株式会社カンマ, 平塚",
    'say "hi"',
    "line\nbreak",
    "cr\rinside",
    "crlf\r\ninside",
    "tab\tinside",
    "back\\slash",
    "\\.",
    "\\n not a newline",
    "'already quoted",
    "  spaces  ",
    "波力発電 ㈱ 全角　空白",
    "\x0bvertical\x0ctab\x08",
]


def _skip_unless_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("COPY needs PostgreSQL")


@pytest.fixture
def hostile_year():
    parent = StudyGroupFactory(name="海洋エネルギー研究会")
    groups = [
        StudyGroupFactory(name="波力, 部会", parent=parent),
        StudyGroupFactory(name="=group"),
        StudyGroupFactory(name='"quoted" group'),
    ]
    kinds = [MeetingKind.SUBCOMMITTEE, MeetingKind.GENERAL_ASSEMBLY, MeetingKind.SYMPOSIUM]
    statuses = list(Attendance.Status.values)
    sectors = list(Sector.values)
    for index, text in enumerate(HOSTILE):
        organisation = OrganisationFactory(
            name=HOSTILE[-index - 1] + f" {index}",
            sector=sectors[index % len(sectors)],
            is_local=index % 2 == 0,
        )
        meeting = MeetingFactory(
            title=text,
            kind=kinds[index % len(kinds)],
            study_group=groups[index % len(groups)],
            date=dt.date(2024, 4, 1) + dt.timedelta(days=index),
        )
        person = PersonFactory(name=text, organisation=organisation)
        AttendanceFactory(meeting=meeting, person=person, status=statuses[index % len(statuses)])
    return 2024


def _python_body(export: exports.Export) -> bytes:
    return b"".join(writers.iter_csv(export.header, export.rows_for_csv()))


def _copy_body(export: exports.Export) -> bytes:
    return b"".join(writers.iter_copy_csv(export.header, *export.copy_sql))


@pytest.mark.parametrize("language", ["ja", "en"])
def test_copy_writes_the_same_bytes_as_the_python_writer(hostile_year, language):
    _skip_unless_postgresql()
    python = _python_body(exports.attendance_export(fiscal_year=hostile_year, language=language))
    copied = _copy_body(exports.attendance_export(fiscal_year=hostile_year, language=language))
    assert copied.count(b"\r\n") >= len(HOSTILE) + 1
    assert copied == python


def test_the_download_is_the_copy_body(hostile_year, client_as):
    _skip_unless_postgresql()
    response = client_as("admin").get(
        f"/reports/exports/attendance.csv?fiscal_year={hostile_year}&encoding=utf-8-sig"
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    assert body == _python_body(exports.attendance_export(fiscal_year=hostile_year))
    assert "'=SUM(A1)" in body.decode("utf-8-sig")


def test_a_download_abandoned_half_way_leaves_a_working_connection(db, monkeypatch):
    _skip_unless_postgresql()
    monkeypatch.setattr(copy_csv, "CHUNK_BYTES", 64)
    meeting = MeetingFactory(date=dt.date(2024, 5, 1))
    for _ in range(300):
        AttendanceFactory(meeting=meeting)
    export = exports.attendance_export(fiscal_year=2024)
    lines = copy_csv.copy_lines(*export.copy_sql)
    assert next(lines)
    lines.close()
    assert Attendance.objects.filter(meeting=meeting).count() == 300


def test_sqlite_has_no_copy_and_keeps_the_python_writer(db):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    assert exports.attendance_export(fiscal_year=2024).copy_sql is None


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("fiscal_year", [None, 2024, 2019])
def test_participation_copy_writes_the_same_bytes(hostile_year, language, fiscal_year):
    _skip_unless_postgresql()
    from reports.services import rollup_fiscal_year_compute

    for day in (dt.date(2019, 3, 31), dt.date(2019, 4, 1)):
        AttendanceFactory(meeting=MeetingFactory(date=day, study_group=StudyGroupFactory()))
    for year in (2018, 2019, hostile_year):
        rollup_fiscal_year_compute(fiscal_year=year)
    export = exports.participation_export(fiscal_year=fiscal_year, language=language)
    python = _python_body(exports.participation_export(fiscal_year=fiscal_year, language=language))
    copied = _copy_body(export)
    assert copied == python
    text = copied.decode("utf-8-sig")
    if fiscal_year is None:
        assert "平成30年度" in text and "令和元年度" in text and "令和6年度" in text
    assert ("全体" if language == "ja" else "ALL") in text
    assert b"".join(writers.iter_copy_csv(export.header, *export.copy_sql, stream=False)) == copied


def test_the_annual_summary_is_read_whole_and_sent_with_its_length(hostile_year, client_as):
    """The summary is bounded by years × study groups: COPY runs in the request's thread and the
    file goes out at once (no handover thread), the same bytes as the Python writer's."""
    _skip_unless_postgresql()
    from reports.services import rollup_fiscal_year_compute

    rollup_fiscal_year_compute(fiscal_year=hostile_year)
    response = client_as("admin").get("/reports/exports/participation.csv?encoding=utf-8-sig")
    assert response.status_code == 200
    assert not response.streaming
    assert int(response["Content-Length"]) == len(response.content)
    assert response.content == _python_body(exports.participation_export())
