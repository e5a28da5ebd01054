"""A queued mark sent again while its first send is still being written (a tablet that came back
online and a retry timer, two tabs of one sheet): applied once. Needs PostgreSQL's row locks and
unique-index waits; SQLite serialises writers (the same cases run there in test_sheet_marks)."""

import uuid

import pytest
from django.db import connection
from django.urls import reverse

from events.models import Attendance, AttendanceMark
from members.models import Person
from tests.events.factories import MeetingFactory
from tests.events.test_concurrent_ticks import NOTICE, _tick_together
from tests.factories import OrganisationFactory, PersonFactory, staff_user

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
    ),
]

REQUESTS = 12


@pytest.fixture
def sheet():
    meeting = MeetingFactory()
    person = PersonFactory(organisation=OrganisationFactory(name="株式会社同時"))
    staff = [staff_user(username=f"staff{n}") for n in range(2)]
    return meeting, person, staff


def test_simultaneous_replays_of_one_mark_store_it_once(sheet):
    meeting, person, staff = sheet
    url = reverse("events:attendance_sheet", args=[meeting.pk])
    data = {"person": person.pk, "status": "attended", "seen": "", "client_id": str(uuid.uuid4())}
    responses = _tick_together(url, [staff[0]] * REQUESTS, data, htmx=True)
    assert [r.status_code for r in responses] == [200] * REQUESTS
    bodies = [r.content.decode() for r in responses]
    # A replay is no conflict: every answer shows the stored 出席, none says someone was first.
    assert not any(NOTICE in body for body in bodies)
    assert all(
        'value="attended" class="mark mark--attended" aria-pressed="true"' in b for b in bodies
    )
    assert Attendance.objects.filter(meeting=meeting, person=person).count() == 1
    assert Attendance.history.filter(person_id=person.pk).count() == 1
    assert AttendanceMark.objects.count() == 1


def test_one_id_sent_to_two_meetings_at_once_is_applied_to_one(sheet):
    """Different meetings take different locks: the unique index alone decides."""
    meeting, person, staff = sheet
    other = MeetingFactory()
    client_id = str(uuid.uuid4())
    data = {"person": person.pk, "status": "attended", "seen": "", "client_id": client_id}
    urls = [reverse("events:attendance_sheet", args=[m.pk]) for m in (meeting, other)]
    # _tick_together posts one URL; alternate by running it for each meeting in parallel threads.
    import threading

    results = {}

    def run(url):
        results[url] = _tick_together(url, [staff[0]] * (REQUESTS // 2), data, htmx=True)

    threads = [threading.Thread(target=run, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.status_code == 200 for responses in results.values() for r in responses)
    assert Attendance.objects.filter(person=person).count() == 1
    assert AttendanceMark.objects.filter(client_id=client_id).count() == 1


def test_simultaneous_walk_ins_by_name_create_one_person(sheet):
    meeting, _person, staff = sheet
    organisation = OrganisationFactory(name="横浜ゴム株式会社")
    url = reverse("events:attendance_walk_in", args=[meeting.pk])
    data = {"name": "山本 健二", "organisation": organisation.pk}
    responses = _tick_together(url, [staff[n % 2] for n in range(REQUESTS)], data, htmx=False)
    assert [r.status_code for r in responses] == [302] * REQUESTS
    assert Person.objects.filter(name="山本 健二").count() == 1
    assert Attendance.objects.filter(meeting=meeting).count() == 1
