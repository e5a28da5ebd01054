"""Query counts of the directory and study-group pages: locked, and the same for 1 or 20 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.members.factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    StudyGroupFactory,
)

pytestmark = pytest.mark.django_db


def _fill(study_group, n: int) -> None:
    for _ in range(n):
        org = OrganisationFactory()
        PersonFactory(organisation=org)
        MembershipFactory(organisation=org, study_group=study_group)
        StudyGroupFactory(parent=study_group)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


PAGES = {
    "organisation_list": lambda g, o: reverse("members:organisation_list"),
    "organisation_list_filtered": lambda g, o: (
        reverse("members:organisation_list")
        + f"?sector=company&is_local=1&study_group={g.pk}&q=テスト"
    ),
    "organisation_detail": lambda g, o: reverse("members:organisation_detail", args=[o.pk]),
    "studygroup_list": lambda g, o: reverse("members:studygroup_list"),
    "studygroup_detail": lambda g, o: reverse("members:studygroup_detail", args=[g.pk]),
    "joinrequest_queue": lambda g, o: reverse("members:joinrequest_queue"),
    "home": lambda g, o: reverse("home"),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_query_count_is_the_same_for_1_and_20_rows(page, client_as, study_group, org_a):
    client = client_as("staff")
    url = PAGES[page](study_group, org_a)
    _fill(study_group, 1)
    PersonFactory(organisation=org_a)
    one = _count(client, url)
    _fill(study_group, 19)
    for _ in range(19):
        PersonFactory(organisation=org_a)
    assert _count(client, url) == one


LOCKED = {
    # session, user with person, groups, the navigation's permission checks (2), the menu's count
    # of pending requests + the page's reads (the study group's page: its next and its past
    # meetings, two)
    "organisation_list": 8,
    "studygroup_detail": 9,
    "studygroup_list": 6,
}


@pytest.mark.parametrize("page", sorted(LOCKED))
def test_query_count_is_locked(page, client_as, study_group, org_a, django_assert_num_queries):
    """Counted once the process has seen the study groups as they are (see the next test)."""
    client = client_as("staff")
    _fill(study_group, 3)
    url = PAGES[page](study_group, org_a)
    client.get(url)
    with django_assert_num_queries(LOCKED[page]):
        client.get(url)


def test_the_directory_reads_the_groups_again_only_after_they_change(client_as, study_group):
    """On PostgreSQL the directory asks for a digest of the study groups and reads the groups
    themselves only when the digest is new to the process: one query more, once per change."""
    client = client_as("staff")
    _fill(study_group, 3)
    url = PAGES["organisation_list"](study_group, None)
    first = _count(client, url)
    assert _count(client, url) == LOCKED["organisation_list"]
    StudyGroupFactory(parent=study_group)
    after_change = _count(client, url)
    assert _count(client, url) == LOCKED["organisation_list"]
    extra = 1 if connection.vendor == "postgresql" else 0
    assert first == after_change == LOCKED["organisation_list"] + extra


def test_member_study_group_page_query_count(client_as, study_group, django_assert_num_queries):
    client = client_as("member_a")
    _fill(study_group, 5)
    url = reverse("members:studygroup_detail", args=[study_group.pk])
    client.get(url)
    with django_assert_num_queries(11):  # + the meetings (2) and the organisation's membership
        client.get(url)
