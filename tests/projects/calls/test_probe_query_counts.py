"""The call page, the staff's application list and the ranking table read a fixed number of
queries: the same for a call of 5 applications and one of 200 (rows made in bulk)."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.calls.models import (
    Application,
    ApplicationAttachment,
    BudgetLine,
    Call,
    ReviewAssignment,
    ReviewScore,
)
from projects.models import Project
from tests.factories import OrganisationFactory, staff_user
from tests.projects.calls.factories import (
    CallFactory,
    CityChallengeFactory,
    SupportKindFactory,
    reviewer_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewers():
    return [reviewer_user(first_name=f"審査員{n}") for n in range(3)]


@pytest.fixture
def partners():
    return [OrganisationFactory(sector="university") for _ in range(3)]


def _call():
    now = timezone.now()
    return CallFactory(
        criteria=3,
        status=Call.Status.DECIDED,
        opens_at=now - dt.timedelta(days=90),
        closes_at=now - dt.timedelta(days=60),
        decisions_released_at=now,
        support_kinds=[SupportKindFactory(), SupportKindFactory()],
        challenges=[CityChallengeFactory(), CityChallengeFactory()],
    )


def _fill(call, n, reviewers, partners):
    """n submitted applications, half adopted with a project, each with two budget lines, an
    attachment, a partner and three submitted reviews of every criterion."""
    now = timezone.now()
    organisations = [OrganisationFactory.build() for _ in range(n)]
    for organisation in organisations:
        organisation.save()
    projects = Project.objects.bulk_create(
        Project(name=f"採択事業{call.pk}-{i}", is_public=True) for i in range(n)
    )
    applications = Application.objects.bulk_create(
        Application(
            call=call,
            organisation=organisations[i],
            title=f"提案{i}",
            summary="概要",
            status=Application.Status.SUBMITTED,
            sequence=i + 1,
            number=f"{call.fiscal_year}-T-{i + 1:03d}",
            submitted_at=now,
            decision="adopted" if i % 2 == 0 else "rejected",
            decision_sent_at=now,
            project=projects[i] if i % 2 == 0 else None,
        )
        for i in range(n)
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(application=a, item=f"費目{k}", amount=100_000, order=k)
        for a in applications
        for k in range(2)
    )
    ApplicationAttachment.objects.bulk_create(
        ApplicationAttachment(application=a, name="提案書.pdf", file="calls/x.pdf", size=10)
        for a in applications
    )
    Application.partners.through.objects.bulk_create(
        Application.partners.through(application=a, organisation=partners[i % len(partners)])
        for i, a in enumerate(applications)
    )
    assignments = ReviewAssignment.objects.bulk_create(
        ReviewAssignment(application=a, reviewer=r, submitted_at=now, comment="総評")
        for a in applications
        for r in reviewers
    )
    criteria = list(call.criteria.all())
    ReviewScore.objects.bulk_create(
        ReviewScore(assignment=x, criterion=c, score=1 + (x.pk + c.pk) % 5, comment="良い")
        for x in assignments
        for c in criteria
    )


def _queries(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize(
    "page,who",
    [
        ("projects:call_public_detail", "anonymous"),
        ("projects:call_public_detail", "staff"),
        ("projects:call_applications", "staff"),
        ("projects:call_ranking", "staff"),
        ("projects:call_decisions", "staff"),
    ],
)
def test_query_count_is_the_same_for_5_and_200_applications(page, who, reviewers, partners):
    small, large = _call(), _call()
    _fill(small, 5, reviewers, partners)
    _fill(large, 200, reviewers, partners)
    client = Client()
    if who == "staff":
        client.force_login(staff_user())
    client.get(reverse(page, args=[small.pk]))  # the session and caches warm, as for any visit
    five, _ = _queries(client, reverse(page, args=[small.pk]))
    many, response = _queries(client, reverse(page, args=[large.pk]))
    assert many == five
    if page == "projects:call_public_detail":
        assert len(response.context["adopted"]) == 100
    else:
        assert "提案199" in response.content.decode()
