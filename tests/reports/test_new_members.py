"""新規加入団体 counts an organisation in the year it first joined what the row covers: the
consortium row once per organisation, a study group's row once per organisation joining that
group (or one of its subcommittees), whatever it joins or re-joins later."""

import datetime as dt

from members.models import Membership
from reports.models import ParticipationSummary
from reports.services import rollup_fiscal_year_compute, rollup_meeting_compute
from tests.factories import MembershipFactory

from .factories import AttendanceFactory, MeetingFactory

YEARS = range(2017, 2021)


def new_members(fiscal_year, group):
    row = ParticipationSummary.objects.filter(fiscal_year=fiscal_year, study_group=group).first()
    return row.new_members if row else 0


def later_joins(fy2018):
    """A (P since FY2018) also joins Q in FY2020; L1 leaves S1 in FY2018 and re-joins in FY2020."""
    orgs = fy2018.orgs
    MembershipFactory(organisation=orgs.A, study_group=fy2018.q, joined_on=dt.date(2020, 5, 1))
    Membership.objects.filter(organisation=orgs.L1, study_group=fy2018.s1).update(
        left_on=dt.date(2019, 1, 31)
    )
    MembershipFactory(organisation=orgs.L1, study_group=fy2018.s1, joined_on=dt.date(2020, 6, 1))


def test_consortium_row_counts_each_organisation_once_across_years(fy2018):
    later_joins(fy2018)
    for year in YEARS:
        rollup_fiscal_year_compute(fiscal_year=year)
    joined = Membership.objects.values("organisation_id").distinct().count()
    assert joined == 3  # A, L1, O1
    assert [new_members(year, None) for year in YEARS] == [0, 2, 1, 0]
    assert sum(new_members(year, None) for year in YEARS) == joined


def test_group_rows_count_a_first_join_of_that_group_only(fy2018):
    later_joins(fy2018)
    for year in YEARS:
        rollup_fiscal_year_compute(fiscal_year=year)
    assert new_members(2020, fy2018.q) == 1  # A is new to Q, not to the consortium
    assert new_members(2020, fy2018.s1) == 0  # L1 re-joins S1
    assert new_members(2020, fy2018.p) == 0
    assert [new_members(year, fy2018.p) for year in YEARS] == [0, 2, 1, 0]


def test_a_tick_in_a_later_year_keeps_the_consortium_count(fy2018):
    later_joins(fy2018)
    rollup_fiscal_year_compute(fiscal_year=2020)
    meeting = MeetingFactory(study_group=fy2018.q, date=dt.date(2020, 7, 1))
    attendance = AttendanceFactory(meeting=meeting)
    rollup_meeting_compute(
        fiscal_year=2020, meeting_id=meeting.pk, person_ids=[attendance.person_id]
    )
    assert new_members(2020, None) == 0
    assert new_members(2020, fy2018.q) == 1


def test_an_earlier_join_moves_the_year_the_organisation_is_new_in(
    fy2018, django_capture_on_commit_callbacks
):
    from members.services import membership_start

    for year in YEARS:
        rollup_fiscal_year_compute(fiscal_year=year)
    assert (new_members(2018, None), new_members(2019, None)) == (2, 1)  # O1 joined P in FY2019
    with django_capture_on_commit_callbacks(execute=True):
        # Found in the old minutes: O1 had joined S2 back in FY2018.
        membership_start(
            organisation=fy2018.orgs.O1, study_group=fy2018.s2, joined_on=dt.date(2018, 5, 1)
        )
    assert (new_members(2018, None), new_members(2019, None)) == (3, 0)
    assert (new_members(2018, fy2018.p), new_members(2019, fy2018.p)) == (3, 0)
