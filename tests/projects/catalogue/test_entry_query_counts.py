"""The organisation's list of entries and staff's review queue and list run a fixed number of
queries, whatever the number of entries."""

import pytest
from django.urls import reverse

from tests.projects.catalogue.factories import (
    AwardFactory,
    AwardGrantFactory,
    EntryFactory,
    EntryImageFactory,
)

pytestmark = pytest.mark.django_db

# session, user, the person with their organisation, the paginator's count, the role's groups
# (menu), the entries with their category and number of pictures.
MY_LIST_QUERIES = 6
# session, user, groups, the count, the pending requests of the staff menu, the entries.
REVIEW_QUEUE_QUERIES = 6
# … and the number of entries in each status for the filter.
STAFF_LIST_QUERIES = 7


def _entries(n, **kwargs):
    for _ in range(n):
        entry = EntryFactory(**kwargs)
        EntryImageFactory(entry=entry)


@pytest.mark.parametrize("n", [5, 50])
def test_my_list_query_count_is_fixed(client_as, org_a, n, django_assert_num_queries):
    _entries(n, organisation=org_a)
    client = client_as("member_a")
    with django_assert_num_queries(MY_LIST_QUERIES):
        response = client.get(reverse("projects:catalogue_mine"))
    assert len(response.context["entries"]) == n


@pytest.mark.parametrize("n", [5, 50])
def test_review_queue_query_count_is_fixed(client_as, n, django_assert_num_queries):
    _entries(n, submitted=True)
    client = client_as("staff")
    with django_assert_num_queries(REVIEW_QUEUE_QUERIES):
        response = client.get(reverse("projects:catalogue_review_queue"))
    assert len(response.context["entries"]) == n


@pytest.mark.parametrize("n", [5, 50])
def test_staff_list_query_count_is_fixed(client_as, n, django_assert_num_queries):
    _entries(n, published=True)
    client = client_as("staff")
    with django_assert_num_queries(STAFF_LIST_QUERIES):
        response = client.get(reverse("projects:catalogue_staff_list") + "?status=published")
    assert len(response.context["entries"]) == n


# session, user, groups, the pending requests of the staff menu, the awards with their parent,
# the grants counted per award and year, the form's choice of parent awards.
AWARD_LIST_QUERIES = 7


@pytest.mark.parametrize("n", [1, 12])
def test_award_list_query_count_is_fixed(client_as, n, django_assert_num_queries):
    brand = AwardFactory()
    for i in range(n):
        prize = AwardFactory(parent=brand)
        AwardGrantFactory(award=prize, fiscal_year=2015 + i)
        AwardGrantFactory(award=brand, fiscal_year=2015 + i)
    client = client_as("staff")
    with django_assert_num_queries(AWARD_LIST_QUERIES):
        response = client.get(reverse("projects:award_list"))
    assert response.status_code == 200
