"""iCalendar (RFC 5545) feeds of meetings, built with the ``icalendar`` library.

Timed meetings carry ``TZID=Asia/Tokyo`` (with its VTIMEZONE); date-only meetings — imported from
sign-in sheets before staff add times — are all-day events (``VALUE=DATE``).

Cancelled meetings stay in the feeds with ``STATUS:CANCELLED`` (and a 「中止」 summary), so
subscribed calendars strike them out instead of silently losing them; the others are CONFIRMED.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

from .models import Meeting

PRODID = "-//Kyoso//Meetings//JA"


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(ZoneInfo(settings.TIME_ZONE))


def meeting_event(meeting: Meeting, *, base_url: str, domain: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.pk}@{domain}")
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    if meeting.is_cancelled:
        event.add("status", "CANCELLED")
        event.add("summary", f"【{meeting.get_status_display()}】{meeting.title}")
    else:
        event.add("status", "CONFIRMED")
        event.add("summary", meeting.title)
    if meeting.starts_at:
        event.add("dtstart", _local(meeting.starts_at))
        ends_at = meeting.ends_at or meeting.starts_at + dt.timedelta(hours=2)
        event.add("dtend", _local(ends_at))
    else:
        event.add("dtstart", meeting.date)
        event.add("dtend", meeting.date + dt.timedelta(days=1))
    location = meeting.venue or meeting.online_url
    if location:
        event.add("location", location)
    url = f"{base_url}{meeting.get_absolute_url()}"
    event.add("url", url)
    reason = meeting.cancel_reason if meeting.is_cancelled else ""
    description = "\n".join(
        part for part in (reason, meeting.host_name, meeting.get_kind_display(), url) if part
    )
    event.add("description", description)
    event.add("categories", [meeting.get_kind_display()])
    return event


def build_calendar(meetings: Iterable[Meeting], *, name: str, base_url: str, domain: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, base_url=base_url, domain=domain))
    calendar.add_missing_timezones()
    return calendar.to_ical()
