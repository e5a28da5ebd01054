"""iCalendar (RFC 5545) feeds of meetings, built with the ``icalendar`` library.

Timed meetings carry ``TZID=Asia/Tokyo`` (with its VTIMEZONE); date-only meetings — imported from
sign-in sheets before staff add times — are all-day events (``VALUE=DATE``).

Cancelled meetings stay in the feeds with ``STATUS:CANCELLED`` (and a 「中止」 summary), so
subscribed calendars strike them out instead of silently losing them; the others are CONFIRMED.

A calendar app matches what it fetched before by ``UID`` and keeps the copy with the highest
``SEQUENCE``. So the UID is ``meeting-<id>@<the site's host>`` (``KYOSO_SITE_URL``, never the host
name a feed happened to be fetched through: the same meeting seen through two names would be two
events), the links in the feed are on that address too, and ``SEQUENCE``, ``DTSTAMP`` and
``LAST-MODIFIED`` come from the meeting's revision (``sequence``, ``updated_at``), which the
events services raise only when something shown here changes (``services.CALENDAR_FIELDS``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils.translation import gettext as _

from consortium.links import cached_url, pk_url, site_host, site_url, webcal_url

from .models import Meeting

PRODID = "-//Kyoso//Meetings//JA"


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(ZoneInfo(settings.TIME_ZONE))


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{site_host()}"


def meeting_location(meeting: Meeting) -> str:
    """The place name and, when known, the address: 「平塚新港（神奈川県平塚市千石河岸）」."""
    if meeting.venue and meeting.address:
        return f"{meeting.venue}（{meeting.address}）"
    return meeting.venue or meeting.address


def meeting_event(meeting: Meeting, *, page_url: str, private: bool = False) -> icalendar.Event:
    """One VEVENT. ``private``: a member's feed, which may carry the online meeting's URL (the
    public feed never does, as the public meeting page does not show it either)."""
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    revised = meeting.updated_at.astimezone(dt.UTC)
    event.add("dtstamp", revised)
    event.add("last-modified", revised)
    event.add("created", meeting.created_at.astimezone(dt.UTC))
    event.add("sequence", meeting.sequence)
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
    online = meeting.online_url if private else ""
    location = meeting_location(meeting) or online
    if location:
        event.add("location", location)
    if meeting.latitude is not None and meeting.longitude is not None:
        event.add("geo", (float(meeting.latitude), float(meeting.longitude)))
    event.add("url", page_url)
    reason = ""
    if meeting.is_cancelled and meeting.cancel_reason:
        reason = _("中止の理由: %(reason)s") % {"reason": meeting.cancel_reason}
    online_line = _("オンライン参加: %(url)s") % {"url": online} if online else ""
    description = "\n\n".join(
        part.strip()
        for part in (reason, meeting.description, online_line, meeting.host_name, page_url)
        if part and part.strip()
    )
    event.add("description", description)
    event.add("categories", [meeting.get_kind_display()])
    return event


def public_feed_links() -> dict[str, str]:
    """The public feed's addresses to subscribe to (``webcal://``) and to download (``https``),
    for the pages that offer it to anyone."""
    path = cached_url("events:feed_public")
    return {"webcal": webcal_url(path), "https": site_url(path)}


def build_calendar(meetings: Iterable[Meeting], *, name: str, private: bool = False) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    page_path = pk_url("events:meeting_detail")
    for meeting in meetings:
        calendar.add_component(
            meeting_event(meeting, page_url=site_url(page_path(meeting.pk)), private=private)
        )
    calendar.add_missing_timezones()
    return calendar.to_ical()
