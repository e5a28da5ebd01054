import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from events import services as events
from events.models import Attendance, Meeting
from reports.models import FundingSummary, ParticipationSummary, RollupState
from reports.services import rollup_all_compute, rollup_fiscal_year_compute
from tests.events.factories import now_is
from tests.factories import PersonFactory, StudyGroupFactory, staff_user

from .factories import FundingFactory, MeetingFactory

FIELDS = (
    "meetings",
    "attendance_total",
    "public_participants",
    "absent",
    "excused",
    "unique_people",
    "organisations",
    "local_companies",
    "outside_companies",
    "universities",
    "government",
    "financial",
    "associations",
    "new_members",
)


def counts(fiscal_year, group):
    row = ParticipationSummary.objects.get(fiscal_year=fiscal_year, study_group=group)
    return {name: getattr(row, name) for name in FIELDS}


def expected(**values):
    return {name: values.get(name, 0) for name in FIELDS}


@pytest.fixture
def rolled(fy2018):
    rollup_fiscal_year_compute(fiscal_year=2018)
    return fy2018


def test_study_group_row_includes_its_subcommittees_meetings(rolled):
    assert counts(2018, rolled.p) == expected(
        meetings=3,
        attendance_total=13,  # 6 attended + 5 + 2 unnamed
        absent=1,
        excused=1,
        unique_people=3,
        organisations=4,
        local_companies=2,
        outside_companies=1,
        universities=1,
        new_members=2,
    )


def test_each_subcommittee_has_its_own_row(rolled):
    assert counts(2018, rolled.s1) == expected(
        meetings=1,
        attendance_total=2,
        unique_people=2,
        organisations=2,
        local_companies=1,
        universities=1,
        new_members=1,
    )
    assert counts(2018, rolled.s2) == expected(
        meetings=1,
        attendance_total=4,
        unique_people=2,
        organisations=2,
        local_companies=1,
        outside_companies=1,
    )


def test_consortium_row_covers_project_meetings_without_a_study_group(rolled):
    assert counts(2018, None) == expected(
        meetings=4,
        attendance_total=25,
        absent=1,
        excused=1,
        unique_people=5,
        organisations=6,
        local_companies=2,
        outside_companies=1,
        universities=1,
        government=1,
        financial=1,
        new_members=2,
    )


def test_person_attending_for_two_organisations_counts_once_as_person(rolled):
    row = counts(2018, rolled.s2)
    # p1 came for 市内B社 here; in the parent row p1 is one person but two local firms.
    assert row["unique_people"] == 2
    assert counts(2018, rolled.p)["local_companies"] == 2


def test_fiscal_year_boundaries_split_on_april_first(rolled):
    rollup_fiscal_year_compute(fiscal_year=2017)
    rollup_fiscal_year_compute(fiscal_year=2019)
    assert counts(2017, None)["meetings"] == 1
    assert counts(2017, None)["attendance_total"] == 1
    assert counts(2019, rolled.s1)["meetings"] == 1
    assert counts(2019, None)["new_members"] == 1  # O1 joined on 2019-04-01


def test_groups_without_activity_get_no_row(rolled):
    assert not ParticipationSummary.objects.filter(study_group=rolled.q).exists()


def test_rollup_is_idempotent(rolled):
    before = sorted(ParticipationSummary.objects.values_list("study_group_id", *FIELDS), key=str)
    rollup_fiscal_year_compute(fiscal_year=2018)
    after = sorted(ParticipationSummary.objects.values_list("study_group_id", *FIELDS), key=str)
    assert before == after
    assert ParticipationSummary.objects.filter(fiscal_year=2018).count() == 4


def test_rollup_records_when_a_year_was_rolled_up(rolled):
    state = RollupState.objects.get(fiscal_year=2018)
    assert state.state == RollupState.State.IDLE
    assert state.last_rolled_at is not None


def test_funding_is_summed_per_source_and_leaves_out_applications(fy2018):
    funder = FundingFactory(project=fy2018.x, amount=1_000_000).funder
    FundingFactory(project=fy2018.x, funder=funder, amount=500_000, scheme="別制度")
    FundingFactory(project=fy2018.x, funder=funder, amount=9_999, status="applied")
    FundingFactory(project=fy2018.x, funder=funder, amount=7, fiscal_year=2019)
    rollup_fiscal_year_compute(fiscal_year=2018)
    rows = FundingSummary.objects.filter(fiscal_year=2018)
    assert sorted(r.amount for r in rows) == [500_000, 1_000_000]


def test_rollup_all_covers_every_year_with_data(fy2018):
    years = rollup_all_compute()
    assert years == [2017, 2018, 2019]
    assert set(ParticipationSummary.objects.values_list("fiscal_year", flat=True)) == {
        2017,
        2018,
        2019,
    }


def test_deleted_data_disappears_from_the_year_on_recompute(rolled):
    Meeting.objects.filter(fiscal_year=2018, project=rolled.x).delete()
    rollup_fiscal_year_compute(fiscal_year=2018)
    assert counts(2018, None)["meetings"] == 3


def test_meetings_not_yet_held_count_nowhere(db):
    """The issue's probe: on 2026-12-01 four meetings dated 2026-12-11 … 2027-02-26 were
    reported as 4 meetings held in FY2026. None has happened yet."""

    group = StudyGroupFactory()
    person = PersonFactory()
    days = [dt.date(2026, 12, 11), dt.date(2027, 1, 15), dt.date(2027, 2, 5), dt.date(2027, 2, 26)]
    with now_is(2026, 12, 1, 10, 0):
        meetings = [
            events.meeting_save(
                meeting=Meeting(study_group=group, kind="subcommittee", title=f"第{n}回", date=d)
            )
            for n, d in enumerate(days, 1)
        ]
        # An apology sent in advance is kept, but the meeting has still not taken place.
        events.attendance_set(
            meeting=meetings[0], person=person, status=Attendance.Status.EXCUSED, recorded_by=None
        )
        events.headcount_set(meeting=meetings[1], headcount=3)
        rollup_fiscal_year_compute(fiscal_year=2026)
    assert {m.fiscal_year for m in meetings} == {2026}
    assert counts(2026, None) == expected()
    assert not ParticipationSummary.objects.filter(fiscal_year=2026, meetings__gt=0).exists()


def test_only_held_meetings_count_in_every_figure(rolled):
    # m2 (第1部会) not marked held yet, m4 (the project's meeting) cancelled.
    Meeting.objects.filter(study_group=rolled.s1, fiscal_year=2018).update(status="scheduled")
    Meeting.objects.filter(project=rolled.x).update(status="cancelled")
    rollup_fiscal_year_compute(fiscal_year=2018)
    totals = counts(2018, None)
    totals["new_members"] = 0  # memberships do not depend on meetings
    assert totals == expected(
        meetings=2,
        attendance_total=11,  # m1: 2 + 5 unnamed, m3: 2 + 2 unnamed
        absent=1,
        excused=1,
        unique_people=3,
        organisations=4,
        local_companies=2,
        outside_companies=1,
        universities=1,
    )
    s1 = counts(2018, rolled.s1)
    assert (s1["meetings"], s1["attendance_total"], s1["unique_people"]) == (0, 0, 0)


def test_the_dashboard_says_the_current_years_figures_are_as_of_the_last_rollup(db):
    MeetingFactory(date=dt.date(2026, 11, 10), status="held")
    MeetingFactory(date=dt.date(2025, 11, 10), status="held")
    with now_is(2026, 12, 1, 10, 0):
        rollup_all_compute()
        client = Client()
        client.force_login(staff_user(username="as-of", email="as-of@city.example.jp"))
        page = client.get(reverse("reports:dashboard")).content.decode()
        english = client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert "2026年度（令和8年度）は年度の途中です。数値は令和8年12月1日（火）時点のもの" in page
    # The current year's rows in the tables; the closed FY2025 carries no date.
    assert page.count("（令和8年12月1日（火）時点）") == 2
    assert "2025年度（令和7年度）（" not in page
    assert "FY2026 is not over yet: the figures are as of Tue 1 Dec 2026" in (
        english.content.decode()
    )
