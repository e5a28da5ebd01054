import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse

from events import services
from tests.events.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def events_of(response):
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}, calendar


def test_public_feed_lists_only_public_meetings_with_tokyo_times(client, public_meeting, meeting):
    date_only = MeetingFactory(
        study_group=public_meeting.study_group,
        title="日付だけの見学会",
        visibility="public",
        date=dt.date(2026, 12, 20),
    )
    events, calendar = events_of(client.get(reverse("events:feed_public")))
    assert set(events) == {public_meeting.title, date_only.title}
    start = events[public_meeting.title].decoded("dtstart")
    assert start == dt.datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert events[public_meeting.title]["dtstart"].params["TZID"] == "Asia/Tokyo"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    all_day = events[date_only.title]
    assert all_day["dtstart"].params["VALUE"] == "DATE"
    assert all_day.decoded("dtstart") == dt.date(2026, 12, 20)
    assert all_day.decoded("dtend") == dt.date(2026, 12, 21)
    assert str(calendar["version"]) == "2.0" and calendar["prodid"]


def test_private_group_feed_works_with_the_member_token_only(
    client, people, meeting, a_only_meeting
):
    token = services.calendar_token_for(user=people["member_a"]).token
    url = reverse("events:feed_group", args=[meeting.study_group_id, token])
    events, _ = events_of(client.get(url))
    assert set(events) == {meeting.title}
    assert (
        client.get(reverse("events:feed_group", args=[meeting.study_group_id, "wrong"])).status_code
        == 404
    )


def test_group_feed_of_a_group_the_token_owner_does_not_belong_to_is_404(
    client, people, a_only_meeting
):
    token = services.calendar_token_for(user=people["member_b"]).token
    url = reverse("events:feed_group", args=[a_only_meeting.study_group_id, token])
    assert client.get(url).status_code == 404


def test_resetting_the_token_retires_old_urls(client, client_as, people, meeting):
    old = services.calendar_token_for(user=people["member_a"]).token
    client_as("member_a").post(reverse("events:calendar"))
    url = reverse("events:feed_group", args=[meeting.study_group_id, old])
    assert client.get(url).status_code == 404
