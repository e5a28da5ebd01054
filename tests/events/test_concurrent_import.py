"""Double-clicking 確定 (issue: 2 meetings, 4 people, 4 rows imported twice): ten confirms of one
held upload released at the same instant import it once; the others are told it was imported.

Like the concurrent ticks, this needs PostgreSQL and committed data (``transaction=True``)."""

import pytest
from django.db import connection
from django.db.models import Count

from events.models import Attendance, Meeting
from members.models import Person
from tests.events.test_concurrent_ticks import _tick_together
from tests.events.test_import import GOOD, _upload_sheet, csv_bytes, hiratsuka  # noqa: F401
from tests.factories import staff_user

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
    ),
]

CONFIRMS = 10


def test_ten_simultaneous_confirms_import_once(hiratsuka):
    from django.test import Client

    staff = staff_user(username="kakutei")
    client = Client()
    client.force_login(staff)
    location = _upload_sheet(client, csv_bytes(*GOOD))

    responses = _tick_together(location, [staff] * CONFIRMS, {}, htmx=False)

    assert [r.status_code for r in responses] == [302] * CONFIRMS
    assert Meeting.objects.count() == 2
    assert Attendance.objects.count() == 4
    twice = Person.objects.values("name").annotate(n=Count("pk")).filter(n__gt=1)
    assert list(twice) == []
