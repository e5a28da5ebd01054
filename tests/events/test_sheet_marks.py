"""Marks sent from the sheet carry the browser's id: a mark sent twice is applied once."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Attendance, AttendanceMark
from events.tasks import purge_attendance_marks
from tests.events.factories import AttendanceFactory

pytestmark = pytest.mark.django_db

STALE_NOTICE = "他の担当者が先に記録しました"


def sheet_url(meeting):
    return reverse("events:attendance_sheet", args=[meeting.pk])


def mark(client, meeting, person, status, *, client_id=None, seen="", htmx=True):
    data = {"person": person.pk, "status": status, "seen": seen}
    if client_id is not None:
        data["client_id"] = client_id
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(sheet_url(meeting), data, **headers)


def test_a_mark_sent_twice_is_stored_once(client_as, people, meeting, changed_years):
    person = people["member_a"].person
    client = client_as("staff")
    client_id = str(uuid.uuid4())
    first = mark(client, meeting, person, "attended", client_id=client_id)
    again = mark(client, meeting, person, "attended", client_id=client_id)
    assert first.status_code == again.status_code == 200
    assert STALE_NOTICE not in again.content.decode()
    assert (
        'value="attended" class="mark mark--attended" aria-pressed="true"' in again.content.decode()
    )
    assert Attendance.objects.filter(meeting=meeting, person=person).count() == 1
    assert Attendance.history.filter(person_id=person.pk).count() == 1
    stored = AttendanceMark.objects.get()
    assert (stored.client_id, stored.meeting, stored.recorded_by) == (
        client_id,
        meeting,
        people["staff"],
    )
    assert changed_years == [{2018}]  # the replay sent no signal


def test_a_replay_answers_with_the_row_as_stored_and_changes_nothing(client_as, people, meeting):
    """A queued 出席 that reached the server, then 欠席 by another staffer; the tablet sends its
    出席 again (its answer was lost): the later 欠席 stays."""
    person = people["member_a"].person
    client_id = str(uuid.uuid4())
    mark(client_as("staff"), meeting, person, "attended", client_id=client_id)
    mark(client_as("admin"), meeting, person, "absent", seen="attended")
    replay = mark(client_as("staff"), meeting, person, "attended", client_id=client_id)
    body = replay.content.decode()
    assert 'value="absent" class="mark mark--absent" aria-pressed="true"' in body
    assert STALE_NOTICE not in body
    assert Attendance.objects.get(meeting=meeting, person=person).status == "absent"


def test_a_clear_sent_twice_is_applied_once(client_as, people, meeting):
    person = people["member_a"].person
    AttendanceFactory(meeting=meeting, person=person, status="absent")
    client_id = str(uuid.uuid4())
    mark(client_as("staff"), meeting, person, "clear", client_id=client_id, seen="absent")
    AttendanceFactory(meeting=meeting, person=person, status="attended")  # marked again since
    mark(client_as("staff"), meeting, person, "clear", client_id=client_id, seen="absent")
    assert Attendance.objects.get(meeting=meeting, person=person).status == "attended"


def test_marks_with_different_ids_are_all_applied_in_order(client_as, people, meeting):
    person = people["member_a"].person
    client = client_as("staff")
    seen = ""
    for status in ("attended", "absent", "excused"):
        mark(client, meeting, person, status, client_id=str(uuid.uuid4()), seen=seen)
        seen = status
    assert Attendance.objects.get(meeting=meeting, person=person).status == "excused"
    assert AttendanceMark.objects.count() == 3


def test_a_refused_mark_is_not_remembered(client_as, people, meeting):
    """A conflict writes nothing, so the id is not taken: the answer stays the same on a replay."""
    person = people["member_a"].person
    AttendanceFactory(meeting=meeting, person=person, status="attended")
    client_id = str(uuid.uuid4())
    for _ in range(2):
        response = mark(client_as("staff"), meeting, person, "absent", client_id=client_id)
        assert STALE_NOTICE in response.content.decode()
    assert not AttendanceMark.objects.exists()
    assert Attendance.objects.get(meeting=meeting, person=person).status == "attended"


@pytest.mark.parametrize(
    "client_id", ["short", "x" * 65, "'; DROP TABLE--", "id with spaces 12345"]
)
def test_a_crafted_client_id_is_refused(client_as, people, meeting, client_id):
    response = mark(
        client_as("staff"), meeting, people["member_a"].person, "attended", client_id=client_id
    )
    assert response.status_code == 400
    assert not Attendance.objects.exists() and not AttendanceMark.objects.exists()


def test_without_javascript_the_mark_needs_no_id(client_as, people, meeting):
    person = people["member_a"].person
    response = mark(client_as("staff"), meeting, person, "attended", htmx=False)
    assert response.status_code == 302
    assert Attendance.objects.get(meeting=meeting, person=person).status == "attended"
    assert not AttendanceMark.objects.exists()


def test_old_mark_ids_are_purged_by_the_nightly_task(meeting):
    now = timezone.now()
    AttendanceMark.objects.create(
        client_id="old-" + uuid.uuid4().hex, meeting=meeting, applied_at=now - dt.timedelta(days=31)
    )
    recent = AttendanceMark.objects.create(
        client_id="new-" + uuid.uuid4().hex, meeting=meeting, applied_at=now - dt.timedelta(days=29)
    )
    assert purge_attendance_marks.apply().get() == 1
    assert list(AttendanceMark.objects.all()) == [recent]


def test_the_purge_is_scheduled_every_night(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["events-purge-attendance-marks"]
    assert entry["task"] == "events.purge_attendance_marks"
    assert entry["schedule"].hour == {3}


def test_services_take_the_id_too(people, meeting):
    person = people["member_a"].person
    for _ in range(2):
        services.attendance_set(
            meeting=meeting, person=person, status="attended", recorded_by=None, client_id="a" * 36
        )
    assert Attendance.history.filter(person_id=person.pk).count() == 1
