"""Tablets at the door scanning at the same moment (PostgreSQL: real row locks, a connection per
thread, committed data). One ticket scanned by ten tablets: one check-in, nine 「受付済み」.
Different tickets at once: all checked in, none lost."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import Attendance, Meeting, PublicRegistration, Registration
from events.tickets import ticket_payload
from tests.events.factories import MeetingFactory, RegistrationFactory
from tests.factories import OrganisationFactory, PersonFactory, staff_user

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
    ),
]

TABLETS = 10


def _scan_together(url: str, users, codes: list[str]) -> list[dict]:
    """POST one code per tablet (one client each), all released at the same instant."""
    clients = []
    for user in users:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    start = threading.Barrier(len(clients))
    answers: list = [None] * len(clients)

    def scan(index: int) -> None:
        try:
            start.wait()
            response = clients[index].post(url, {"code": codes[index]})
            answers[index] = (response.status_code, response.json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers] == [200] * len(clients)
    return [data for _, data in answers]


@pytest.fixture
def door():
    now = timezone.now()
    meeting = MeetingFactory(starts_at=now - dt.timedelta(minutes=5), status="scheduled")
    tablets = [staff_user(username=f"tablet{n}") for n in range(TABLETS)]
    url = reverse("events:checkin_scan", args=[meeting.pk])
    return meeting, tablets, url


def test_ten_tablets_scanning_one_ticket_check_it_in_once(door):
    meeting, tablets, url = door
    person = PersonFactory(organisation=OrganisationFactory(name="株式会社同時"))
    ticket = RegistrationFactory(meeting=meeting, person=person)
    answers = _scan_together(url, tablets, [ticket_payload(ticket.ticket_token)] * TABLETS)
    outcomes = sorted(answer["outcome"] for answer in answers)
    assert outcomes == ["already"] * (TABLETS - 1) + ["ok"]
    assert Attendance.objects.filter(meeting=meeting, person=person).count() == 1
    ticket.refresh_from_db()
    assert ticket.checked_in_at is not None
    # Every 「受付済み」 names the time of the one check-in.
    local = f"{timezone.localtime(ticket.checked_in_at):%H:%M}"
    assert {a["time"] for a in answers if a["outcome"] == "already"} == {local}
    assert Meeting.objects.get(pk=meeting.pk).status == "held"


def test_ten_tablets_scanning_different_tickets_check_in_everyone(door):
    meeting, tablets, url = door
    organisation = OrganisationFactory(name="株式会社同時")
    tickets = [
        RegistrationFactory(meeting=meeting, person=PersonFactory(organisation=organisation))
        for _ in range(TABLETS)
    ]
    answers = _scan_together(url, tablets, [ticket_payload(t.ticket_token) for t in tickets])
    assert [a["outcome"] for a in answers] == ["ok"] * TABLETS
    assert Attendance.objects.filter(meeting=meeting, status="attended").count() == TABLETS
    assert not Registration.objects.filter(meeting=meeting, checked_in_at__isnull=True).exists()
    assert max(a["counts"]["checked_in"] for a in answers) == TABLETS


def test_ten_tablets_scanning_one_citizens_ticket_check_it_in_once(door):
    meeting, tablets, url = door
    citizen = PublicRegistration.objects.create(
        meeting=meeting,
        name="山田 花子",
        email="hanako@example.jp",
        seats=2,
        consented_at=timezone.now(),
        confirmed_at=timezone.now(),
    )
    answers = _scan_together(url, tablets, [ticket_payload(citizen.ticket_token)] * TABLETS)
    assert sorted(a["outcome"] for a in answers) == ["already"] * (TABLETS - 1) + ["ok"]
    citizen.refresh_from_db()
    assert citizen.checked_in_at is not None
