"""Two staff ticking the same person at the same moment (issue: 10 of 20 answered 500).

Real concurrency needs real row locks: PostgreSQL, a connection per thread, committed data
(``transaction=True``). On SQLite the writes are serialised by the file lock and the test is
skipped; the stale-version notice is covered there by ``tests/events/test_sheet.py``.
"""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from events.models import Attendance
from tests.events.factories import MeetingFactory
from tests.factories import OrganisationFactory, PersonFactory, staff_user

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
    ),
]

REQUESTS = 20
NOTICE = "他の担当者が先に記録しました"


def _tick_together(url: str, users, data: dict, *, htmx: bool) -> list:
    """POST ``data`` from one client per user, all released at the same instant."""
    clients = []
    for user in users:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    start = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)

    def tick(index: int) -> None:
        try:
            start.wait()
            headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            responses[index] = clients[index].post(url, data, **headers)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.fixture
def sheet():
    meeting = MeetingFactory()
    person = PersonFactory(organisation=OrganisationFactory(name="株式会社同時"))
    staff = [staff_user(username=f"staff{n}") for n in range(2)]
    return meeting, person, staff


def test_twenty_simultaneous_htmx_ticks_store_one_row_and_tell_the_others(sheet):
    meeting, person, staff = sheet
    url = reverse("events:attendance_sheet", args=[meeting.pk])
    users = [staff[n % 2] for n in range(REQUESTS)]
    responses = _tick_together(
        url, users, {"person": person.pk, "status": "attended", "seen": ""}, htmx=True
    )
    assert [r.status_code for r in responses] == [200] * REQUESTS
    assert Attendance.objects.filter(meeting=meeting, person=person).count() == 1
    assert Attendance.objects.get(meeting=meeting, person=person).status == "attended"
    bodies = [r.content.decode() for r in responses]
    # One request recorded the tick; every other one saw the stored row and was told so.
    assert sum(NOTICE in body for body in bodies) == REQUESTS - 1
    for body in bodies:
        assert 'value="attended" class="mark mark--attended" aria-pressed="true"' in body


def test_simultaneous_plain_posts_with_different_marks_never_fail(sheet):
    meeting, person, staff = sheet
    url = reverse("events:attendance_sheet", args=[meeting.pk])
    half = REQUESTS // 2
    first = _tick_together(
        url,
        [staff[0]] * half + [staff[1]] * half,
        {"person": person.pk, "status": "absent", "seen": ""},
        htmx=False,
    )
    assert [r.status_code for r in first] == [302] * REQUESTS
    stored = Attendance.objects.get(meeting=meeting, person=person)
    assert stored.status == "absent"
    # Ticks without the status they were based on (older pages) still upsert, never 500.
    responses = _tick_together(
        url,
        [staff[n % 2] for n in range(REQUESTS)],
        {"person": person.pk, "status": "excused"},
        htmx=False,
    )
    assert [r.status_code for r in responses] == [302] * REQUESTS
    assert list(
        Attendance.objects.filter(meeting=meeting, person=person).values_list("status", flat=True)
    ) == ["excused"]


def test_simultaneous_walk_ins_of_one_person_store_one_row(sheet):
    meeting, person, staff = sheet
    url = reverse("events:attendance_walk_in", args=[meeting.pk])
    responses = _tick_together(
        url, [staff[n % 2] for n in range(REQUESTS)], {"person": person.pk}, htmx=False
    )
    assert [r.status_code for r in responses] == [302] * REQUESTS
    assert Attendance.objects.filter(meeting=meeting, person=person).count() == 1
