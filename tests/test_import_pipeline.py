"""The one import pipeline: writes in bulk with a fixed number of queries, one signal per file,
held uploads that expire, and the same problems whichever way a file comes in."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consortium.importing import Problem, apply_plan, prepare, store
from events.importing import AttendanceSheet, import_apply, import_plan
from events.models import Attendance
from members.importing import RosterSheet, roster_import
from members.models import Membership, Organisation, Person
from members.signals import organisation_changed
from projects.importing import FundingSheet, funding_import
from projects.models import Funding
from tests.factories import OrganisationFactory, StudyGroupFactory
from tests.projects.factories import FunderFactory, ProjectFactory

pytestmark = pytest.mark.django_db

ROSTER_HEADER = "団体名,区分,市内,法人番号,氏名,メール,所属,研究会"


def _roster(rows: int, *, offset: int = 0) -> bytes:
    lines = [ROSTER_HEADER]
    for n in range(offset, offset + rows):
        lines.append(
            f"湘南{n}株式会社,企業,市内,,担当 {n},p{n}@example.jp,営業部,海洋研究会/第{n % 3}部会"
        )
    return "\n".join(lines).encode()


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


def test_roster_import_costs_the_same_queries_for_5_rows_as_for_60():
    parent = StudyGroupFactory(name="海洋研究会")
    for n in range(3):
        StudyGroupFactory(name=f"第{n}部会", parent=parent)
    few = _queries(lambda: roster_import(data=_roster(5), filename="a.csv"))
    many = _queries(lambda: roster_import(data=_roster(60, offset=100), filename="b.csv"))
    # On SQLite a bulk insert is cut by its variable limit; on PostgreSQL it is one statement.
    if connection.vendor == "postgresql":
        assert many == few
    assert Organisation.objects.count() == 65 and Person.objects.count() == 65
    assert Membership.objects.count() == 65
    # Every row's organisation, person and membership has its history (+).
    assert Person.history.filter(history_type="+").count() == 65


def test_a_roster_update_changes_only_what_differs_and_keeps_history():
    StudyGroupFactory(name="海洋研究会")
    roster_import(data=_roster(3), filename="a.csv")
    data = _roster(3).replace(
        "担当 1,p1@example.jp,営業部".encode(), "担当 一,p1@example.jp,総務部".encode()
    )

    result = roster_import(data=data, filename="a.csv")

    assert result.ok and (result.people_created, result.people_updated) == (0, 3)
    moved = Person.objects.get(email="p1@example.jp")
    assert (moved.name, moved.department) == ("担当 一", "総務部")
    assert moved.history.filter(history_type="~").count() == 1
    assert Membership.objects.count() == 3


def test_an_import_that_reclassifies_many_organisations_sends_one_signal():
    for n in range(4):
        OrganisationFactory(name=f"湘南{n}株式会社", sector="university", is_local=False)
    StudyGroupFactory(name="海洋研究会")
    received = []

    def listen(sender, organisation_id=None, organisation_ids=(), **kwargs):
        received.append(set(organisation_ids))

    organisation_changed.connect(listen)
    try:
        assert roster_import(data=_roster(4), filename="a.csv").ok
    finally:
        organisation_changed.disconnect(listen)
    assert received == [set(Organisation.objects.values_list("pk", flat=True))]


def test_a_roster_dry_run_writes_nothing_and_counts_what_it_would():
    StudyGroupFactory(name="海洋研究会")
    queries = []
    with CaptureQueriesContext(connection) as captured:
        result = roster_import(data=_roster(10), filename="a.csv", dry_run=True)
    queries = [q["sql"] for q in captured]
    assert result.ok and result.organisations_created == 10 and result.memberships_created == 10
    assert not any(q.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for q in queries)
    assert not Organisation.objects.exists()


def test_a_plan_with_problems_cannot_be_applied():
    sheet = RosterSheet()
    prepared = prepare(sheet, (ROSTER_HEADER + "\n,企業,,,,,,\n").encode(), "a.csv")
    assert [(p.row, p.column) for p in prepared.problems] == [(2, "organisation")]
    with pytest.raises(ValueError):
        apply_plan(sheet, prepared, user=None)
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("sheet", "header"),
    [
        (RosterSheet, ROSTER_HEADER),
        (AttendanceSheet, "開催日,会議名,種別,研究会,氏名,メール,団体名,法人番号,人数"),
        (FundingSheet, "事業,年度,資金提供者,制度・事業名,財源の種類,金額（円）,状態,メモ"),
    ],
)
def test_every_kind_refuses_an_unreadable_file_the_same_way(sheet, header):
    prepared = prepare(sheet(), b"\xff\xfe\x00garbage", "x.csv")
    assert not prepared.ok and prepared.plan is None
    assert [p.row for p in prepared.problems] == [None]
    assert prepared.file_error and str(prepared.problems[0]) == prepared.file_error
    missing = prepare(sheet(), header.split(",")[0].encode() + b"\nx\n", "x.csv")
    assert "必須の列がありません" in missing.file_error


def test_problems_read_as_row_and_column():
    problem = Problem(
        row=4, column="corporate_number", message="桁数", label="法人番号/corporate_number"
    )
    assert str(problem) == "4行目 法人番号/corporate_number: 桁数"
    assert str(Problem(row=None, column="", message="空です")) == "空です"


def test_attendance_import_writes_in_bulk(study_group):
    OrganisationFactory(name="株式会社湘南マリン")
    lines = ["開催日,会議名,種別,研究会,氏名,メール,団体名,法人番号,人数"]
    for n in range(30):
        who = f"会員 {n},m{n}@example.jp,株式会社湘南マリン"
        lines.append(f"2018/02/23,総会,総会,{study_group.full_name},{who},,")
    plan = import_plan("\n".join(lines).encode(), "s.csv")
    assert plan.ok, plan.errors
    writes = _queries(lambda: import_apply(plan, recorded_by=None))
    assert Attendance.objects.count() == 30 and Person.objects.count() == 30
    assert Attendance.history.filter(history_type="+").count() == 30
    if connection.vendor == "postgresql":
        assert writes < 30  # not one statement per attendee


def test_funding_import_matches_with_three_queries_whatever_the_rows():
    project = ProjectFactory(name="平塚波力発電 実証事業")
    FunderFactory(name="内閣府")
    header = "事業,年度,資金提供者,制度・事業名,財源の種類,金額（円）,状態,メモ"

    def sheet(years):
        rows = [f"{project.name},{year},内閣府,交付金{year},grant,1000,," for year in years]
        return "\n".join([header, *rows]).encode()

    few = _queries(lambda: prepare(FundingSheet(), sheet(range(1991, 1993)), "f.csv"))
    many = _queries(lambda: prepare(FundingSheet(), sheet(range(1991, 2031)), "f.csv"))
    assert few == many == 3
    result = funding_import(data=sheet(range(1991, 2031)), filename="f.csv", dry_run=False)
    assert result.saved and Funding.objects.count() == 40
    again = funding_import(data=sheet(range(1991, 2031)), filename="f.csv", dry_run=False)
    assert {row["action"] for row in again.rows} == {"update"} and Funding.objects.count() == 40


def test_a_held_upload_expires_unless_it_was_applied(settings):
    settings.KYOSO_PENDING_UPLOAD_HOURS = 2
    held = store.hold(purpose="events.attendance", name="s.csv", data=b"x")
    assert store.find(token=held.token, purpose="events.attendance") == held
    assert store.find(token=held.token, purpose="projects.funding") is None
    held.created_at = timezone.now() - dt.timedelta(hours=3)
    held.save(update_fields=["created_at"])
    assert store.find(token=held.token, purpose="events.attendance") is None
    assert store.claim(upload=held)
    # Applied: still found, so that a second confirm is told where the first one went.
    assert store.find(token=held.token, purpose="events.attendance") == held
    assert not store.claim(upload=held)
