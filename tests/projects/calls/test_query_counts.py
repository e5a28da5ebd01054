"""The calls pages run a fixed number of queries, whatever the number of calls or applications."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import OrganisationFactory
from tests.projects.calls.factories import (
    ApplicationAttachmentFactory,
    ApplicationFactory,
    BudgetLineFactory,
    CallFactory,
    CityChallengeFactory,
    SupportKindFactory,
)
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _full_application(call, organisation, **kwargs):
    application = ApplicationFactory(call=call, organisation=organisation, **kwargs)
    application.partners.add(OrganisationFactory(sector="university"))
    BudgetLineFactory(application=application)
    BudgetLineFactory(application=application)
    ApplicationAttachmentFactory(application=application)
    return application


def _decided_call():
    now = timezone.now()
    return CallFactory(
        criteria=3,
        status="decided",
        opens_at=now - dt.timedelta(days=90),
        closes_at=now - dt.timedelta(days=60),
        support_kinds=[SupportKindFactory(), SupportKindFactory()],
        challenges=[CityChallengeFactory(), CityChallengeFactory()],
    )


def _adopt(call, n):
    for _ in range(n):
        application = _full_application(
            call,
            OrganisationFactory(),
            submitted=True,
            decision="adopted",
            decision_sent_at=timezone.now(),
            project=ProjectFactory(is_public=True),
        )
        application.partners.add(OrganisationFactory())


# session-less anonymous: the call with funder and study group, support kinds, challenges,
# criteria, the adopted applications with organisation and project, their partners.
PUBLIC_DETAIL_QUERIES = 6


def test_public_call_page_query_count_is_the_same_for_5_and_20_adopted(
    client, django_assert_num_queries
):
    small, large = _decided_call(), _decided_call()
    _adopt(small, 5)
    _adopt(large, 20)
    with django_assert_num_queries(PUBLIC_DETAIL_QUERIES):
        client.get(reverse("projects:call_public_detail", args=[small.pk]))
    with django_assert_num_queries(PUBLIC_DETAIL_QUERIES):
        response = client.get(reverse("projects:call_public_detail", args=[large.pk]))
    assert len(response.context["adopted"]) == 20


# The calls with their funders, support kinds and challenges.
PUBLIC_LIST_QUERIES = 3


def test_public_call_list_query_count_is_the_same_for_5_and_20_calls(
    client, django_assert_num_queries
):
    kinds = [SupportKindFactory(), SupportKindFactory()]
    for _ in range(5):
        CallFactory(support_kinds=kinds, challenges=[CityChallengeFactory()])
    with django_assert_num_queries(PUBLIC_LIST_QUERIES):
        client.get(reverse("projects:call_public_list"))
    for _ in range(15):
        CallFactory(support_kinds=kinds, challenges=[CityChallengeFactory()])
    with django_assert_num_queries(PUBLIC_LIST_QUERIES):
        response = client.get(reverse("projects:call_public_list"))
    assert len(response.context["groups"]["open"]) == 20


# session, user, groups (role), the staff menu's pending count, the call, its applications with
# organisations and annotated totals.
STAFF_APPLICATIONS_QUERIES = 6


def test_staff_application_list_query_count_is_the_same_for_5_and_20(
    client_as, django_assert_num_queries
):
    client = client_as("staff")
    small, large = CallFactory(criteria=1), CallFactory(criteria=1)
    for _ in range(5):
        _full_application(small, OrganisationFactory(), submitted=True)
    for _ in range(20):
        _full_application(large, OrganisationFactory(), submitted=True)
    assert _count(client, reverse("projects:call_applications", args=[small.pk])) == (
        STAFF_APPLICATIONS_QUERIES
    )
    with django_assert_num_queries(STAFF_APPLICATIONS_QUERIES):
        response = client.get(reverse("projects:call_applications", args=[large.pk]))
    assert len(response.context["applications"]) == 20


# session, user, the person (role), groups, the applications with their calls and totals.
MY_APPLICATIONS_QUERIES = 5


def test_my_applications_query_count_is_the_same_for_5_and_20(
    client_as, people, django_assert_num_queries
):
    client = client_as("member_a")
    organisation = people["member_a"].person.organisation
    for _ in range(5):
        _full_application(CallFactory(), organisation)
    assert _count(client, reverse("projects:my_applications")) == MY_APPLICATIONS_QUERIES
    for _ in range(15):
        _full_application(CallFactory(), organisation, submitted=True)
    with django_assert_num_queries(MY_APPLICATIONS_QUERIES):
        response = client.get(reverse("projects:my_applications"))
    assert len(response.context["applications"]) == 20
