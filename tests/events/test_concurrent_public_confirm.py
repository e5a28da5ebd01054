"""Citizens confirming at the same moment for the last seats: the meeting's row lock lets them
take seats one after another, so the capacity shared with the members is never exceeded, and a
confirmation link opened twice at once confirms once.

Real row locks need PostgreSQL and committed data; on SQLite the test is skipped (the writes are
serialised by the file lock there, and tests/events/test_public_registration.py covers the
arithmetic)."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from events.models import PublicRegistration
from events.querysets import seat_state
from tests.events.factories import (
    MeetingFactory,
    PublicRegistrationFactory,
    RegistrationFactory,
    tokyo,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
    ),
]

CITIZENS = 12


def _together(urls: list[str]) -> list:
    clients = [Client(raise_request_exception=False) for _ in urls]
    start = threading.Barrier(len(urls))
    responses: list = [None] * len(urls)

    def post(index: int) -> None:
        try:
            start.wait()
            responses[index] = clients[index].post(urls[index])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(urls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.fixture
def meeting():
    cache.clear()
    meeting = MeetingFactory(
        visibility="public",
        starts_at=tokyo(2030, 6, 1, 13, 0),
        registration_opens_at=tokyo(2000, 1, 1, 0, 0),
        capacity=10,
    )
    for _ in range(4):
        RegistrationFactory(meeting=meeting)  # 4 members hold seats: 6 are left
    return meeting


def test_simultaneous_confirmations_never_exceed_the_shared_capacity(meeting):
    pending = [
        PublicRegistrationFactory(meeting=meeting, confirmed_at=None, seats=1 + n % 2)
        for n in range(CITIZENS)
    ]
    urls = [reverse("events:public_confirm", args=[r.confirm_token]) for r in pending]
    responses = _together(urls)

    assert [r.status_code for r in responses] == [302] * CITIZENS
    state = seat_state(meeting)
    assert state.taken <= 10
    citizens = PublicRegistration.objects.filter(meeting=meeting)
    assert not citizens.filter(confirmed_at__isnull=True).exists()
    positions = list(citizens.values_list("position", flat=True))
    last_member = max(meeting.registrations.values_list("position", flat=True))
    # One sequence over both tables, no position twice.
    assert len(set(positions)) == CITIZENS and min(positions) > last_member
    # Whoever waits was refused a seat that did not fit, in the order they confirmed.
    seated = citizens.filter(status="registered")
    assert 4 + sum(seated.values_list("seats", flat=True)) == state.taken


def test_one_link_opened_twice_at_once_confirms_once(meeting, mailoutbox):
    registration = PublicRegistrationFactory(meeting=meeting, confirmed_at=None)
    url = reverse("events:public_confirm", args=[registration.confirm_token])
    responses = _together([url] * 6)
    assert {r.status_code for r in responses} == {302}
    registration.refresh_from_db()
    last_member = max(meeting.registrations.values_list("position", flat=True))
    assert registration.status == "registered" and registration.position == last_member + 1
    assert len(mailoutbox) == 1
