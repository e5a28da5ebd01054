"""List and detail pages run a fixed number of queries, whatever the number of rows."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.projects.factories import (
    AgreementArticleFactory,
    AgreementFactory,
    FunderFactory,
    FundingFactory,
    OutcomeFactory,
    PhaseTransitionFactory,
    ProjectFactory,
    phase,
)

pytestmark = pytest.mark.django_db


def _project_with_everything(study_group, org, n: int, index: int = 0):
    project = ProjectFactory(study_groups=[study_group], partners=[org])
    PhaseTransitionFactory(project=project, phase=phase("研究会"), started_on=dt.date(2016, 6, 1))
    PhaseTransitionFactory(project=project, phase=phase("実証"), started_on=dt.date(2019, 4, 1))
    for i in range(n):
        FundingFactory(project=project, fiscal_year=2016 + i % 8, funder=FunderFactory())
        OutcomeFactory(project=project, organisations=[org], date=dt.date(2016 + i % 8, 5, 1))
    agreement = AgreementFactory(parties=[org])
    agreement.projects.add(project)
    return project


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["staff", "member_a"])
def test_project_list_query_count_does_not_grow_with_rows(
    client_as, study_group, org_a, role, django_assert_num_queries
):
    client = client_as(role)
    url = reverse("projects:project_list")
    _project_with_everything(study_group, org_a, 2)
    one = _count(client, url)
    for _ in range(19):
        _project_with_everything(study_group, org_a, 2)
    with django_assert_num_queries(one):
        response = client.get(url)
    assert len(response.context["object_list"]) == 20


@pytest.mark.parametrize("role", ["staff", "member_a"])
def test_project_detail_query_count_is_the_same_for_1_and_20_rows(
    client_as, study_group, org_a, role, django_assert_num_queries
):
    client = client_as(role)
    small = _project_with_everything(study_group, org_a, 1)
    large = _project_with_everything(study_group, org_a, 20)
    one = _count(client, reverse("projects:project_detail", args=[small.pk]))
    with django_assert_num_queries(one):
        response = client.get(reverse("projects:project_detail", args=[large.pk]))
    assert len(response.context["outcomes"]) == 20
    assert len(response.context["table"].rows) == 20


# session, user with person (menu and visibility), groups, project with current phase, partners,
# study groups, phases, funding, outcomes, outcome organisations, agreements. Staff get the
# 変更履歴 from its own URL (htmx), so every role reads the same but for the staff menu's count of
# pending requests.
PROJECT_DETAIL_QUERIES = 11
STAFF_MENU = 1


@pytest.mark.parametrize("role", ["staff", "admin", "member_a"])
@pytest.mark.parametrize("rows", [1, 20])
def test_project_detail_count_is_locked(
    client_as, study_group, org_a, role, rows, django_assert_num_queries
):
    project = _project_with_everything(study_group, org_a, rows)
    client = client_as(role)
    url = reverse("projects:project_detail", args=[project.pk])
    client.get(url)  # warm the session
    staff_menu = STAFF_MENU if role in ("staff", "admin") else 0
    with django_assert_num_queries(PROJECT_DETAIL_QUERIES + staff_menu):
        response = client.get(url)
    assert len(response.context["outcomes"]) == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_project_history_count_is_locked(
    client_as, study_group, org_a, rows, django_assert_num_queries
):
    project = _project_with_everything(study_group, org_a, rows)
    client = client_as("staff")
    url = reverse("projects:project_history", args=[project.pk])
    client.get(url)  # warm the session
    # session, user, groups, project, funding history, outcome history (the fragment)
    with django_assert_num_queries(6):
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert len(response.context["changes"]) == min(2 * rows, 30)  # the newest 30 are shown


def test_project_list_count_is_locked(client_as, study_group, org_a, django_assert_num_queries):
    _project_with_everything(study_group, org_a, 3)
    client = client_as("staff")
    client.get(reverse("projects:project_list"))  # warm the session
    # session, user with person, groups and permissions (navigation), filter choices (phases,
    # themes, study groups, funders), count, page, study groups prefetch, pending requests (menu)
    with django_assert_num_queries(10 + STAFF_MENU):
        client.get(reverse("projects:project_list"))


@pytest.mark.parametrize("role", ["staff", "member_a"])
def test_agreement_list_query_count_is_the_same_for_1_and_20_rows(
    client_as, org_a, study_group, role, django_assert_num_queries
):
    client = client_as(role)
    url = reverse("projects:agreement_list")

    def make():
        agreement = AgreementFactory(parties=[org_a], term_end=dt.date.today() + dt.timedelta(30))
        AgreementArticleFactory(agreement=agreement)
        agreement.projects.add(ProjectFactory(study_groups=[study_group]))

    make()
    one = _count(client, url)
    for _ in range(19):
        make()
    with django_assert_num_queries(one):
        response = client.get(url)
    assert len(response.context["agreements"]) == 20


def test_public_pages_query_count_is_fixed(client, django_assert_num_queries):
    project = ProjectFactory(is_public=True)
    OutcomeFactory(project=project)
    url = reverse("projects:public_detail", args=[project.pk])
    one = _count(client, url)
    for _ in range(19):
        OutcomeFactory(project=project, organisations=[FunderFactory()])
    with django_assert_num_queries(one):
        client.get(url)
