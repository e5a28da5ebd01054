import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse

from events import services
from events.models import Meeting
from tests.events.factories import MeetingFactory, now_is, tokyo

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


# --- Stable UIDs, revisions, cancellations -----------------------------------------------------

SITE = "https://kyoso.city.example.jp"


@pytest.fixture
def site(settings):
    settings.KYOSO_SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["testserver", "kyoso.city.example.jp", "10.0.0.5", "old.example.jp"]
    return settings


def public_event(client, meeting, **headers):
    events, _ = events_of(client.get(reverse("events:feed_public"), **headers))
    (event,) = [e for e in events.values() if str(e["uid"]).startswith(f"meeting-{meeting.pk}@")]
    return event


def edit(meeting, **changes):
    """Save the meeting as the edit form does: a fresh instance with the changes applied."""
    instance = Meeting.objects.get(pk=meeting.pk)
    for name, value in changes.items():
        setattr(instance, name, value)
    return services.meeting_save(meeting=instance)


def test_the_uid_and_links_do_not_depend_on_the_host_the_feed_was_fetched_through(
    client, site, public_meeting
):
    through_proxy = public_event(client, public_meeting, HTTP_HOST="10.0.0.5")
    through_old_name = public_event(client, public_meeting, HTTP_HOST="old.example.jp")
    assert str(through_proxy["uid"]) == str(through_old_name["uid"])
    assert str(through_proxy["uid"]) == f"meeting-{public_meeting.pk}@kyoso.city.example.jp"
    page = f"{SITE}/events/{public_meeting.pk}/"
    assert str(through_old_name["url"]) == page
    assert page in str(through_old_name["description"])


def test_sequence_rises_with_an_edit_the_calendar_shows_and_not_with_a_no_op_save(
    client, site, public_meeting
):
    first = public_event(client, public_meeting)
    assert int(first["sequence"]) == 0
    edit(public_meeting)  # the form sent back unchanged
    edit(public_meeting, minutes="議事録を追記", capacity=40)  # nothing a calendar shows
    unchanged = public_event(client, public_meeting)
    assert int(unchanged["sequence"]) == 0
    assert unchanged.decoded("dtstamp") == first.decoded("dtstamp")

    with now_is(2026, 11, 20, 9, 0):
        edit(public_meeting, starts_at=tokyo(2026, 12, 5, 13, 0))
    moved = public_event(client, public_meeting)
    assert int(moved["sequence"]) == 1
    revised = dt.datetime(2026, 11, 20, 0, 0, tzinfo=dt.UTC)
    assert moved.decoded("dtstamp") == revised
    assert moved.decoded("last-modified") == revised
    assert moved.decoded("dtstart") == dt.datetime(
        2026, 12, 5, 13, 0, tzinfo=ZoneInfo("Asia/Tokyo")
    )
    edit(public_meeting, venue="平塚新港", address="神奈川県平塚市千石河岸")
    assert int(public_event(client, public_meeting)["sequence"]) == 2


def test_an_edit_made_from_a_stale_copy_raises_the_stored_sequence(public_meeting):
    stale = Meeting.objects.get(pk=public_meeting.pk)
    edit(public_meeting, title="波力発電 見学会（雨天決行）")
    stale.description = "集合は平塚新港の駐車場です。"
    services.meeting_save(meeting=stale)
    public_meeting.refresh_from_db()
    assert public_meeting.sequence == 2


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled_with_the_reason(
    client, site, people, public_meeting
):
    services.meeting_cancel(
        meeting=public_meeting, cancelled_by=people["staff"], reason="荒天のため"
    )
    event = public_event(client, public_meeting)
    assert str(event["status"]) == "CANCELLED"
    assert str(event["summary"]) == f"【中止】{public_meeting.title}"
    assert int(event["sequence"]) == 1
    assert "荒天のため" in str(event["description"])


def test_marking_a_meeting_held_is_a_new_revision_and_marking_it_again_is_not(study_group):
    meeting = MeetingFactory(study_group=study_group, date=dt.date(2018, 7, 10), status="scheduled")
    services.meeting_mark_held(meeting=meeting, today=dt.date(2018, 7, 10))
    services.meeting_mark_held(meeting=meeting, today=dt.date(2018, 7, 11))
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == ("held", 1)


def test_the_description_place_and_position_come_from_the_meeting(client, site, public_meeting):
    edit(
        public_meeting,
        description="波力発電装置を岸壁から見学します。\n雨天決行。",
        venue="平塚新港",
        address="神奈川県平塚市千石河岸",
        latitude=Decimal("35.316700"),
        longitude=Decimal("139.363900"),
        online_url="https://meet.example.jp/secret-room",
    )
    event = public_event(client, public_meeting)
    description = str(event["description"])
    assert description.startswith("波力発電装置を岸壁から見学します。\n雨天決行。")
    assert description.endswith(f"{SITE}/events/{public_meeting.pk}/")
    assert str(event["location"]) == "平塚新港（神奈川県平塚市千石河岸）"
    assert event["geo"].latitude == pytest.approx(35.3167)
    assert event["geo"].longitude == pytest.approx(139.3639)
    # The online room is for members: the public page hides it, so does the public feed.
    assert "secret-room" not in client.get(reverse("events:feed_public")).content.decode()


def test_the_members_feed_carries_the_online_room(client, site, people, meeting):
    edit(meeting, venue="", online_url="https://meet.example.jp/room-2")
    token = services.calendar_token_for(user=people["member_a"]).token
    events, _ = events_of(
        client.get(reverse("events:feed_group", args=[meeting.study_group_id, token]))
    )
    assert "https://meet.example.jp/room-2" in str(events[meeting.title]["description"])


def test_the_calendar_page_gives_the_feeds_on_the_site_address(client_as, site, people):
    page = client_as("member_a").get(reverse("events:calendar"), HTTP_HOST="10.0.0.5")
    html = page.content.decode()
    assert f"{SITE}/events/calendar/public.ics" in html
    assert 'href="webcal://kyoso.city.example.jp/events/calendar/public.ics"' in html
    assert "10.0.0.5" not in html
