"""The meeting form's open-data fields (読み, English name, address, position), and what the
public pages show of them: the address with a map link, the public calendar feed and the open
data, for anyone."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from events.forms import MeetingForm, katakana
from events.models import Meeting
from tests.events.factories import MeetingFactory

pytestmark = pytest.mark.django_db

SITE = "https://kyoso.city.example.jp"


def form_data(study_group, **changes):
    data = {
        "study_group": study_group.pk,
        "kind": "open_house",
        "title": "波力発電所 見学会",
        "title_kana": "ハリョクハツデンショ ケンガクカイ",
        "title_en": "Wave Power Plant Tour",
        "starts_at": "2026-12-05T10:00",
        "ends_at": "2026-12-05T12:00",
        "venue": "平塚新港",
        "address": "神奈川県平塚市千石河岸",
        "latitude": "35.3167",
        "longitude": "139.3639",
        "description": "岸壁から波力発電装置を見学します。\r\n雨天決行。",
        "visibility": "public",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def errors_of(study_group, **changes):
    form = MeetingForm(form_data(study_group, **changes))
    form.is_valid()
    return form.errors


def test_coordinates_come_both_or_neither_and_within_range(study_group):
    assert errors_of(study_group) == {}
    assert errors_of(study_group, latitude="", longitude="") == {}
    assert "latitude" in errors_of(study_group, latitude="")
    assert "longitude" in errors_of(study_group, longitude="")
    assert "latitude" in errors_of(study_group, latitude="91")
    assert "longitude" in errors_of(study_group, longitude="-180.5")
    assert "latitude" in errors_of(study_group, latitude="北緯35度")


def test_coordinates_pasted_with_many_decimals_are_rounded_to_the_stored_six(study_group):
    form = MeetingForm(form_data(study_group, latitude="35.31670049", longitude="139.3639004"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["latitude"] == Decimal("35.316700")
    assert form.cleaned_data["longitude"] == Decimal("139.363900")


def test_the_reading_is_stored_in_full_width_katakana_and_kanji_are_refused(study_group):
    assert katakana("ﾊﾘｮｸ はつでん　ケンガクカイ") == "ハリョク ハツデン ケンガクカイ"
    form = MeetingForm(form_data(study_group, title_kana="はりょくはつでん けんがくかい"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title_kana"] == "ハリョクハツデン ケンガクカイ"
    assert "title_kana" in errors_of(study_group, title_kana="波力ハツデン")


def test_the_form_groups_the_open_data_fields_in_a_fieldset(client_as, people):
    html = client_as("staff").get(reverse("events:meeting_create")).content.decode()
    fieldset = html.split("<fieldset", 1)[1].split("</fieldset>", 1)[0]
    assert "オープンデータ・会場の情報" in fieldset
    for name in ("title_kana", "title_en", "venue", "address", "latitude", "longitude"):
        assert f'name="{name}"' in fieldset
        assert html.count(f'name="{name}"') == 1
    assert 'name="title"' not in fieldset


def test_sending_the_edit_form_back_unchanged_is_no_new_calendar_revision(
    client_as, people, study_group
):
    staff = client_as("staff")
    assert staff.post(reverse("events:meeting_create"), form_data(study_group)).status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.title_kana, meeting.address) == (
        "ハリョクハツデンショ ケンガクカイ",
        "神奈川県平塚市千石河岸",
    )
    assert meeting.latitude == Decimal("35.316700")
    update = reverse("events:meeting_update", args=[meeting.pk])
    assert staff.post(update, form_data(study_group)).status_code == 302
    assert staff.post(update, form_data(study_group, title_en="Wave Power Tour")).status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 0  # the English name is not in the calendar
    staff.post(update, form_data(study_group, address="神奈川県平塚市千石河岸57"))
    meeting.refresh_from_db()
    assert meeting.sequence == 1


def test_a_public_meeting_page_shows_the_address_a_map_link_and_the_feeds(
    client, settings, study_group
):
    settings.KYOSO_SITE_URL = SITE
    meeting = MeetingFactory(
        study_group=study_group,
        visibility="public",
        kind="open_house",
        venue="平塚新港",
        address="神奈川県平塚市千石河岸",
        latitude=Decimal("35.316700"),
        longitude=Decimal("139.363900"),
    )
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "神奈川県平塚市千石河岸" in html
    assert 'href="https://maps.gsi.go.jp/#16/35.316700/139.363900/"' in html
    assert "<iframe" not in html
    assert 'href="webcal://kyoso.city.example.jp/events/calendar/public.ics"' in html
    assert f'href="{SITE}/events/calendar/public.ics"' in html
    assert f'href="{reverse("reports:open_data_csv")}"' in html


def test_a_members_meeting_page_does_not_offer_the_public_feed(client_as, people, study_group):
    meeting = MeetingFactory(study_group=study_group, address="神奈川県平塚市浅間町9-1")
    html = client_as("member_a").get(meeting.get_absolute_url()).content.decode()
    assert "神奈川県平塚市浅間町9-1" in html
    assert "maps.gsi.go.jp" not in html  # no coordinates, no map link
    assert "webcal://" not in html


def test_the_meeting_list_links_the_public_feed_and_the_open_data_for_anyone(client, settings):
    settings.KYOSO_SITE_URL = SITE
    html = client.get(reverse("events:meeting_list")).content.decode()
    assert 'href="webcal://kyoso.city.example.jp/events/calendar/public.ics"' in html
    assert f'href="{reverse("reports:open_data_csv")}"' in html
    assert f'href="{reverse("events:calendar")}"' not in html  # the members' page needs a login


@pytest.mark.parametrize("n", [1, 20])
def test_the_public_meeting_page_query_count_is_constant(
    client, study_group, n, django_assert_num_queries
):
    meetings = [
        MeetingFactory(study_group=study_group, visibility="public", date=dt.date(2026, 12, 5))
        for _ in range(n)
    ]
    client.get(meetings[-1].get_absolute_url())
    with django_assert_num_queries(1):  # the meeting and its counts, nothing else
        assert client.get(meetings[-1].get_absolute_url()).status_code == 200
