"""The incremental roll-up of one meeting gives exactly the rows of a full roll-up of its year,
reading only that meeting's study-group family and people."""

import datetime as dt
import random
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import services as events
from events.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from reports import services
from reports.models import FiscalYearAttendee, ParticipationSummary, RollupState
from reports.rollup import compute_participation
from tests.events.factories import now_is
from tests.factories import PersonFactory

from .factories import MeetingFactory
from .test_rollup import FIELDS

FY = 2018


def stored(fiscal_year=FY):
    return {
        row["study_group_id"]: {name: row[name] for name in FIELDS}
        for row in ParticipationSummary.objects.filter(fiscal_year=fiscal_year).values(
            "study_group_id", *FIELDS
        )
    }


def recomputed(fiscal_year=FY):
    rows = compute_participation(fiscal_year)
    rows.setdefault(None, dict.fromkeys(FIELDS, 0))
    return {key: {name: counts[name] for name in FIELDS} for key, counts in rows.items()}


def attendees(fiscal_year=FY):
    return sorted(
        FiscalYearAttendee.objects.filter(fiscal_year=fiscal_year).values_list(
            "person_id", "organisation_id", "attended"
        )
    )


def attendees_recounted(fiscal_year=FY):
    counts: dict[tuple[int, int], int] = {}
    for person, org in Attendance.objects.filter(
        meeting__fiscal_year=fiscal_year,
        meeting__status=MeetingStatus.HELD,
        status=AttendanceStatus.ATTENDED,
    ).values_list("person_id", "organisation_id"):
        counts[person, org] = counts.get((person, org), 0) + 1
    return sorted((p, o, n) for (p, o), n in counts.items())


@pytest.fixture
def rolled(fy2018):
    services.rollup_fiscal_year_compute(fiscal_year=FY)
    services.rollup_fiscal_year_compute(fiscal_year=2019)
    return fy2018


@pytest.fixture
def full_rollups():
    with mock.patch.object(
        services, "rollup_fiscal_year_compute", wraps=services.rollup_fiscal_year_compute
    ) as full:
        yield full


def test_a_tick_updates_the_year_without_a_full_rollup(
    rolled, full_rollups, django_capture_on_commit_callbacks
):
    meeting = Meeting.objects.get(study_group=rolled.s1, fiscal_year=FY)
    person = PersonFactory(organisation=rolled.orgs.O1)
    with django_capture_on_commit_callbacks(execute=True):
        events.attendance_set(
            meeting=meeting, person=person, status=AttendanceStatus.ATTENDED, recorded_by=None
        )
    full_rollups.assert_not_called()
    assert stored() == recomputed()
    assert stored()[rolled.s1.pk]["unique_people"] == 3
    assert stored()[None]["outside_companies"] == 1  # O1 attended m3 already: still one
    assert attendees() == attendees_recounted()
    assert RollupState.objects.get(fiscal_year=FY).attendees_ready


def test_untick_removes_a_person_who_came_only_once(
    rolled, full_rollups, django_capture_on_commit_callbacks
):
    meeting = Meeting.objects.get(study_group=None, fiscal_year=FY)  # m4: p4/G, p5/F
    p5 = Attendance.objects.get(meeting=meeting, organisation=rolled.orgs.F).person
    with django_capture_on_commit_callbacks(execute=True):
        events.attendance_clear(meeting=meeting, person=p5)
    full_rollups.assert_not_called()
    assert stored() == recomputed()
    assert stored()[None]["financial"] == 0
    assert stored()[None]["unique_people"] == 4


def test_the_recount_reads_only_that_year_and_that_family(rolled, fy2018):
    meeting = Meeting.objects.get(study_group=rolled.s1, fiscal_year=FY)
    person = meeting.attendances.first().person
    RollupState.objects.filter(fiscal_year=FY).update(attendees_ready=True)
    FiscalYearAttendee.objects.all().delete()
    services._attendees_rebuild(FY)
    with CaptureQueriesContext(connection) as context:
        services.rollup_meeting_compute(
            fiscal_year=FY, meeting_id=meeting.pk, person_ids=[person.pk]
        )
    table = Attendance._meta.db_table
    reads = [q["sql"] for q in context.captured_queries if table in q["sql"]]
    assert reads, "the family and the person are read from attendance"
    for sql in reads:
        assert "fiscal_year" in sql and str(FY) in sql
        # …and to the family's groups, the meetings without a group, or the people named.
        limited = sql.replace('"', "").replace("`", "")
        assert any(
            part in limited
            for part in ("study_group_id IN (", "study_group_id IS NULL", "person_id IN (")
        ), sql
    assert len(context.captured_queries) <= 32  # a fixed number, whatever the year holds
    assert stored() == recomputed()
    assert stored(2019) == recomputed(2019)


def status_step(rng: random.Random, meetings: list[Meeting], groups, people, project) -> str:
    """One change of a meeting's status through the events services: a scheduled meeting
    cancelled or marked held, or a new one announced on 2018-09-01 for later in the year (with
    attendance recorded in advance, which counts only once the meeting is held — by this step or
    by a later tick on the sheet, which marks it held since its day has passed)."""
    scheduled = [m for m in meetings if m.status == MeetingStatus.SCHEDULED]
    if not scheduled or rng.random() < 0.4:
        group = rng.choice(groups)
        with now_is(2018, 9, 1, 9, 0):
            meeting = events.meeting_save(
                meeting=MeetingFactory.build(
                    study_group=group,
                    project=None if group else project,
                    date=dt.date(2018, rng.randint(9, 12), rng.randint(2, 28)),
                    unnamed_headcount=rng.randint(0, 5),
                    status=MeetingStatus.SCHEDULED,
                )
            )
            for person in rng.sample(people, 2):
                events.attendance_set(
                    meeting=meeting,
                    person=person,
                    status=rng.choice(AttendanceStatus.values),
                    recorded_by=None,
                )
        return "announce"
    meeting = rng.choice(scheduled)
    if rng.random() < 0.5:
        events.meeting_cancel(meeting=meeting, cancelled_by=None, reason="荒天のため")
        return "cancel"
    events.meeting_mark_held(meeting=meeting)
    return "mark_held"


@pytest.mark.parametrize("seed", range(6))
def test_any_sequence_of_sheet_edits_matches_a_full_rollup(
    rolled, seed, full_rollups, django_capture_on_commit_callbacks
):
    """Random ticks, unticks, walk-ins, headcounts, new meetings and status changes (announced,
    cancelled, held) through the events services; after each, the stored rows equal a full
    recomputation, and only the moves and deletions (which the sheet cannot do) took the full
    path."""
    rng = random.Random(seed)
    groups = [rolled.p, rolled.s1, rolled.s2, rolled.q, None]
    people = list({a.person for a in Attendance.objects.select_related("person")})
    people += [PersonFactory(organisation=org) for org in vars(rolled.orgs).values()]
    full_expected = 0
    for step in range(25):
        meetings = list(Meeting.objects.filter(fiscal_year=FY))
        # The sheet takes nothing for a cancelled meeting (test_status covers the refusal).
        meeting = rng.choice([m for m in meetings if m.status != MeetingStatus.CANCELLED])
        person = rng.choice(people)
        action = rng.choice(
            ["set", "set", "set", "clear", "walk_in", "headcount", "new", "move", "status"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            if action == "status":
                action = status_step(rng, meetings, groups, people, rolled.x)
            elif action == "set":
                status = rng.choice(AttendanceStatus.values)
                events.attendance_set(
                    meeting=meeting, person=person, status=status, recorded_by=None
                )
            elif action == "clear":
                events.attendance_clear(meeting=meeting, person=person)
            elif action == "walk_in":
                events.walk_in_add(meeting=meeting, person=person, recorded_by=None)
            elif action == "headcount":
                events.headcount_set(meeting=meeting, headcount=rng.randint(0, 9))
            elif action == "new":
                group = rng.choice(groups)
                events.meeting_save(
                    meeting=MeetingFactory.build(
                        study_group=group,
                        project=None if group else rolled.x,
                        date=dt.date(2018, rng.randint(4, 12), rng.randint(1, 28)),
                    )
                )
            else:  # another study group: both families change, the year is rolled up whole
                meeting.study_group = rng.choice([g for g in groups if g != meeting.study_group])
                meeting.project = None if meeting.study_group else rolled.x
                events.meeting_save(meeting=meeting)
                full_expected += 1
        assert stored() == recomputed(), (step, action)
        assert stored(2019) == recomputed(2019)
        if RollupState.objects.get(fiscal_year=FY).attendees_ready:
            assert attendees() == attendees_recounted(), (step, action)
    assert full_rollups.call_count == full_expected


def test_an_import_or_deletion_marks_the_attendees_stale_and_rolls_up_the_year(
    rolled, django_capture_on_commit_callbacks
):
    meeting = Meeting.objects.get(study_group=rolled.s1, fiscal_year=FY)
    with django_capture_on_commit_callbacks(execute=True):
        events.headcount_set(meeting=meeting, headcount=3)
    assert RollupState.objects.get(fiscal_year=FY).attendees_ready
    with django_capture_on_commit_callbacks(execute=True):
        events.meeting_delete(meeting=meeting)
    assert not RollupState.objects.get(fiscal_year=FY).attendees_ready
    assert stored() == recomputed()
    other = Meeting.objects.get(study_group=rolled.s2, fiscal_year=FY)
    with django_capture_on_commit_callbacks(execute=True):
        events.attendance_set(
            meeting=other,
            person=other.attendances.first().person,
            status=AttendanceStatus.ABSENT,
            recorded_by=None,
        )
    assert RollupState.objects.get(fiscal_year=FY).attendees_ready
    assert attendees() == attendees_recounted()
    assert stored() == recomputed()


def test_the_nightly_run_marks_the_attendees_stale(rolled, django_capture_on_commit_callbacks):
    meeting = Meeting.objects.get(study_group=rolled.s1, fiscal_year=FY)
    with django_capture_on_commit_callbacks(execute=True):
        events.headcount_set(meeting=meeting, headcount=3)
    assert RollupState.objects.get(fiscal_year=FY).attendees_ready
    services.rollup_all_compute()
    assert not RollupState.objects.filter(attendees_ready=True).exists()


def test_a_meeting_of_a_year_never_rolled_up_rolls_up_the_year(
    fy2018, full_rollups, django_capture_on_commit_callbacks
):
    meeting = Meeting.objects.get(study_group=fy2018.s1, fiscal_year=FY)
    with django_capture_on_commit_callbacks(execute=True):
        events.headcount_set(meeting=meeting, headcount=4)
    full_rollups.assert_called_once_with(fiscal_year=FY)
    assert stored() == recomputed()


def test_one_commit_queues_one_recount_per_meeting_with_all_its_people(
    rolled, django_capture_on_commit_callbacks
):
    from reports import tasks

    meeting = Meeting.objects.get(study_group=rolled.s1, fiscal_year=FY)
    a, b = PersonFactory(organisation=rolled.orgs.A), PersonFactory(organisation=rolled.orgs.L2)
    with mock.patch.object(tasks.rollup_meeting, "delay") as delay:
        delay.return_value.id = "task-1"
        with django_capture_on_commit_callbacks(execute=True):
            for person in (a, b):
                events.attendance_set(
                    meeting=meeting,
                    person=person,
                    status=AttendanceStatus.ATTENDED,
                    recorded_by=None,
                )
    delay.assert_called_once_with(FY, meeting.pk, sorted([a.pk, b.pk]))
    assert RollupState.objects.get(fiscal_year=FY).task_id == "task-1"


def test_broker_down_marks_the_year_failed_and_keeps_the_tick(
    rolled, broker_down, django_capture_on_commit_callbacks
):
    meeting = Meeting.objects.get(study_group=rolled.s1, fiscal_year=FY)
    person = PersonFactory(organisation=rolled.orgs.A)
    with django_capture_on_commit_callbacks(execute=True):
        events.attendance_set(
            meeting=meeting, person=person, status=AttendanceStatus.ATTENDED, recorded_by=None
        )
    assert Attendance.objects.filter(meeting=meeting, person=person).exists()
    state = RollupState.objects.get(fiscal_year=FY)
    assert state.state == RollupState.State.FAILED
    assert "タスクキュー" in state.last_error


def test_a_full_rollup_between_a_tick_and_its_recount_does_not_count_the_tick_twice(
    rolled, django_capture_on_commit_callbacks
):
    meeting = Meeting.objects.get(study_group=rolled.s1, fiscal_year=FY)
    with django_capture_on_commit_callbacks(execute=True):
        events.headcount_set(meeting=meeting, headcount=3)
    assert RollupState.objects.get(fiscal_year=FY).attendees_ready
    with django_capture_on_commit_callbacks(execute=False) as recount:
        events.attendance_set(
            meeting=meeting,
            person=PersonFactory(organisation=rolled.orgs.A),
            status=AttendanceStatus.ATTENDED,
            recorded_by=None,
        )
    # Another worker's full roll-up of the year runs before this tick's recount.
    services.rollup_fiscal_year_compute(fiscal_year=FY)
    for callback in recount:
        callback()
    assert stored() == recomputed()
    assert attendees() == attendees_recounted()
