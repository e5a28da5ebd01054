"""Query counts of the list, detail and sheet pages do not grow with the number of rows."""

import pytest
from django.urls import reverse

from tests.events.factories import AttendanceFactory, MeetingFactory, RegistrationFactory
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def count_queries(django_assert_num_queries, client, url, expected):
    client.get(url)  # warm session/caches
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


def populate(meeting, n):
    for i in range(n):
        organisation = OrganisationFactory()
        MembershipFactory(organisation=organisation, study_group=meeting.study_group)
        person = PersonFactory(organisation=organisation)
        RegistrationFactory(meeting=meeting, person=person)
        AttendanceFactory(
            meeting=meeting, person=person, status=("attended", "absent", "excused")[i % 3]
        )


@pytest.mark.parametrize("n", [1, 30])
def test_attendance_sheet_query_count_is_constant(
    client_as, people, meeting, n, django_assert_num_queries
):
    populate(meeting, n)
    response = count_queries(
        django_assert_num_queries,
        client_as("staff"),
        reverse("events:attendance_sheet", args=[meeting.pk]),
        9,  # with the menu's count of pending requests (staff)
    )
    assert response.content.decode().count("sheet-row__name") == n + 2


@pytest.mark.parametrize("n", [1, 30])
def test_meeting_detail_query_count_is_constant(
    client_as, people, meeting, n, django_assert_num_queries
):
    populate(meeting, n)
    count_queries(
        django_assert_num_queries,
        client_as("member_a"),
        reverse("events:meeting_detail", args=[meeting.pk]),
        7,
    )


@pytest.mark.parametrize("n", [1, 20])
def test_meeting_list_query_count_is_constant(
    client_as, people, study_group, n, django_assert_num_queries
):
    for i in range(n):
        meeting = MeetingFactory(study_group=study_group, title=f"会議{i}")
        populate(meeting, 1)
    response = count_queries(
        django_assert_num_queries,
        client_as("member_a"),
        reverse("events:meeting_list") + "?when=all",
        9,
    )
    assert response.content.decode().count("会議0") == 1
