"""Applications submitted at the same instant get distinct numbers; a double click gets one.

Real concurrency needs real row locks: PostgreSQL, a connection per thread, committed data
(``transaction=True``). On SQLite the writes are serialised by the file lock and the test is
skipped; numbering and the idempotent second submit are covered in ``test_applications``.
"""

import threading

import pytest
from django.core import mail
from django.db import connection, connections

from projects.calls.models import Application
from projects.calls.services import applications as services
from tests.projects.calls.factories import ApplicationFactory, CallFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
    ),
]

THREADS = 12


def _submit_together(applications) -> list:
    start = threading.Barrier(len(applications))
    errors: list = []

    def submit(application) -> None:
        try:
            start.wait()
            services.application_submit(application=application, submitted_by=None)
        except Exception as error:  # collected, so the assertion shows it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_simultaneous_submissions_get_consecutive_distinct_numbers():
    call = CallFactory(criteria=1)
    applications = [ApplicationFactory(call=call) for _ in range(THREADS)]
    assert _submit_together(applications) == []
    numbers = sorted(Application.objects.filter(call=call).values_list("number", flat=True))
    assert numbers == [f"2026-T-{n:03d}" for n in range(1, THREADS + 1)]


def test_a_double_click_submits_once_and_sends_one_receipt(settings):
    from tests.factories import OrganisationFactory, person_with_account

    person = person_with_account(OrganisationFactory())
    call = CallFactory(criteria=1)
    application = ApplicationFactory(call=call, organisation=person.organisation)
    application.created_by = person.user
    application.save(update_fields=["created_by"])
    assert _submit_together([application, Application.objects.get(pk=application.pk)]) == []
    application.refresh_from_db()
    assert application.number == "2026-T-001"
    assert len(mail.outbox) == 1
