"""Two staff pressing 「通知する」 at the same moment: the decisions go out once.

Real concurrency needs real row locks: PostgreSQL, a connection per thread, committed data
(``transaction=True``). On SQLite the test is skipped; the sequential double submit is covered by
``test_decisions.py``.
"""

import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from projects.calls.models import Call
from projects.calls.services.decisions import application_decide
from projects.models import Funding, Project
from tests.factories import OrganisationFactory, person_with_account, staff_user
from tests.projects.calls.factories import ApplicationFactory, BudgetLineFactory, CallFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
    ),
]

REQUESTS = 6


def test_simultaneous_releases_send_each_decision_once_and_adopt_once():
    call = CallFactory(status=Call.Status.CLOSED)
    staff = [staff_user(username=f"staff{n}") for n in range(REQUESTS)]
    for decision in ("adopted", "rejected", "reserve"):
        organisation = OrganisationFactory()
        application = ApplicationFactory(
            call=call,
            organisation=organisation,
            created_by=person_with_account(organisation).user,
            submitted=True,
        )
        BudgetLineFactory(application=application, amount=500_000)
        application_decide(
            application=application, decision=decision, message="", decided_by=staff[0]
        )

    url = reverse("projects:call_release", args=[call.pk])
    clients = []
    for user in staff:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    start = threading.Barrier(len(clients))
    statuses: list = [None] * len(clients)

    def press(index: int) -> None:
        try:
            start.wait()
            statuses[index] = clients[index].post(url).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * REQUESTS
    assert len(mail.outbox) == 3
    assert Project.objects.count() == 1
    assert Funding.objects.count() == 1
