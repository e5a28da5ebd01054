import datetime as dt

import pytest
from django.urls import reverse

from events.models import Meeting
from tests.events.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def test_staff_creates_a_meeting_with_times_and_the_year_is_reported(
    client_as, people, study_group, changed_years
):
    response = client_as("staff").post(
        reverse("events:meeting_create"),
        {
            "study_group": study_group.pk,
            "kind": "general_assembly",
            "title": "平成29年度 総会",
            "starts_at": "2018-02-23T13:30",
            "ends_at": "2018-02-23T15:00",
            "venue": "平塚市役所304会議室",
            "visibility": "members",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.date, meeting.fiscal_year) == (dt.date(2018, 2, 23), 2017)
    assert changed_years == [{2017}]


def test_meeting_form_shows_errors_next_to_fields_and_in_a_summary(client_as, people, study_group):
    response = client_as("staff").post(
        reverse("events:meeting_create"),
        {
            "study_group": study_group.pk,
            "kind": "seminar",
            "title": "x",
            "starts_at": "2018-02-23T15:00",
            "ends_at": "2018-02-23T13:00",
            "visibility": "members",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("終了日時は開始日時より後にしてください。") == 2
    assert not Meeting.objects.exists()


def test_list_filters_by_fiscal_year_and_kind(client_as, people, study_group):
    MeetingFactory(
        study_group=study_group,
        title="H29 総会",
        kind="general_assembly",
        date=dt.date(2018, 2, 23),
    )
    MeetingFactory(study_group=study_group, title="H30 部会", date=dt.date(2018, 6, 15))
    page = (
        client_as("member_a")
        .get(reverse("events:meeting_list"), {"when": "all", "fiscal_year": 2017})
        .content.decode()
    )
    assert "H29 総会" in page and "H30 部会" not in page
    page = (
        client_as("member_a")
        .get(reverse("events:meeting_list"), {"when": "all", "kind": "subcommittee"})
        .content.decode()
    )
    assert "H30 部会" in page and "H29 総会" not in page


def test_pages_speak_english_when_asked(client_as, people, meeting):
    client = client_as("staff")
    sheet = client.get(
        reverse("events:attendance_sheet", args=[meeting.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Attendance sheet" in sheet and "Mark all registered as attended" in sheet
    assert "出席簿" not in sheet
    listing = client.get(
        reverse("events:meeting_list") + "?when=all", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "FY2018" in listing and "Subcommittee meeting" in listing


def test_navigation_shows_events_items_by_role(client_as, people):
    home = reverse("home")
    anonymous = client_as("anonymous").get(home).content.decode()
    member = client_as("member_a").get(home).content.decode()
    staff = client_as("staff").get(home).content.decode()
    assert reverse("events:meeting_list") in anonymous
    assert reverse("events:my_meetings") not in anonymous
    assert reverse("events:my_meetings") in member
    assert reverse("events:import_upload") not in member
    assert reverse("events:import_upload") in staff


def test_meeting_page_counts_each_attendee_once_beside_registrations(client_as, people, meeting):
    from tests.events.factories import AttendanceFactory, RegistrationFactory

    for _ in range(12):
        registration = RegistrationFactory(meeting=meeting)
        AttendanceFactory(
            meeting=meeting,
            person=registration.person,
            organisation=registration.person.organisation,
            status="attended",
        )
    AttendanceFactory(meeting=meeting, status="attended")  # a walk-in
    AttendanceFactory(meeting=meeting, status="absent")
    meeting.unnamed_headcount = 3
    meeting.save(update_fields=["unnamed_headcount"])

    response = client_as("staff").get(reverse("events:meeting_detail", args=[meeting.pk]))

    assert "16 人（記名 13 ＋ 当日参加 3）" in response.content.decode()
