"""Writes of the events app. Every service that changes meetings, attendance or headcounts sends
``events.signals.attendance_changed`` with the fiscal years it touched, so reports can refresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consortium.uploads import validate_upload
from members.models import Organisation, Person, Sector

from .models import (
    MATERIAL_KINDS,
    Attendance,
    AttendanceStatus,
    CalendarToken,
    Material,
    Meeting,
    MeetingStatus,
    Registration,
)
from .signals import attendance_changed


def _changed(fiscal_years: Iterable[int | None]) -> None:
    """Meetings of these years changed in ways a recount of one meeting does not cover."""
    years = {fy for fy in fiscal_years if fy is not None}
    if years:
        attendance_changed.send(sender=Meeting, fiscal_years=years)


def _meeting_changed(meeting: Meeting, person_ids: Iterable[int] = ()) -> None:
    """One meeting's attendance of these people (or its headcount) changed."""
    attendance_changed.send(
        sender=Meeting,
        fiscal_years={meeting.fiscal_year},
        meeting_id=meeting.pk,
        person_ids=set(person_ids),
    )


# --- meetings ---------------------------------------------------------------------------------

# Written only by the status services below (meeting_cancel, meeting_mark_held …).
STATUS_FIELDS = ("status", "cancelled_at", "cancelled_by_id", "cancel_reason")


@transaction.atomic
def meeting_save(*, meeting: Meeting) -> Meeting:
    """Create or update a meeting (already validated). Moving it to another fiscal year reports
    both years as changed. A new meeting dated before today is recorded after the fact and is
    held; any other starts scheduled (its status changes only through the services below)."""
    before = None
    if meeting.pk:
        stored = (
            Meeting.objects.select_for_update()
            .filter(pk=meeting.pk)
            .values_list("fiscal_year", "study_group_id", *STATUS_FIELDS)
            .first()
        )
        if stored is not None:
            before = stored[:2]
            # An edit form never changes the status: keep what the services stored meanwhile.
            for name, value in zip(STATUS_FIELDS, stored[2:], strict=True):
                setattr(meeting, name, value)
    else:
        meeting.sync_dates()
        if meeting.date < timezone.localdate():  # a meeting recorded afterwards took place
            meeting.status = MeetingStatus.HELD
    meeting.save()
    if before is None or before == (meeting.fiscal_year, meeting.study_group_id):
        _meeting_changed(meeting)
    else:  # moved to another year or study group: both sides change
        _changed({before[0], meeting.fiscal_year})
    return meeting


@transaction.atomic
def meeting_delete(*, meeting: Meeting) -> None:
    """Delete a meeting with its registrations, attendance and materials."""
    fiscal_year = meeting.fiscal_year
    for material in meeting.materials.all():
        material.file.delete(save=False)
    meeting.registrations.all().delete()
    meeting.attendances.all().delete()
    meeting.delete()
    _changed({fiscal_year})


# --- held, scheduled, cancelled --------------------------------------------------------------


class MeetingStatusError(ValidationError):
    pass


def _status_changed(meeting: Meeting) -> None:
    """The meeting now counts in the reports, or no longer does: recount its family and
    everybody with attendance at it (their 参加者実数 and 参加団体数 may change)."""
    _meeting_changed(meeting, meeting.attendances.values_list("person_id", flat=True))


def _set_status(meeting: Meeting, status: str) -> None:
    meeting.status = status
    meeting.save(update_fields=STATUS_FIELDS)
    _status_changed(meeting)


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting, today: dt.date | None = None) -> Meeting:
    """Staff confirm that a meeting took place (it then counts in 開催回数 and のべ参加者数).

    Only on or after its day, and never for a cancelled meeting. Marking a held meeting again
    changes nothing and sends no signal.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_held:
        return meeting
    if meeting.is_cancelled:
        raise MeetingStatusError(_("中止した会議は開催済にできません。"), code="cancelled")
    if not meeting.can_be_held(today):
        raise MeetingStatusError(
            _("開催日（%(date)s）より前には開催済にできません。")
            % {"date": f"{meeting.date:%Y-%m-%d}"},
            code="future",
        )
    _set_status(meeting, MeetingStatus.HELD)
    return meeting


def meeting_held_if_due(*, meeting: Meeting, today: dt.date | None = None) -> bool:
    """Attendance is being recorded: a cancelled meeting takes none (MeetingStatusError), and a
    scheduled meeting whose day has come is held from its first record on. Returns whether the
    status changed; the caller sends the signal (imports send one for the whole year).

    The status is read again: the page that sent the tick may predate a cancellation.
    """
    current = Meeting.objects.filter(pk=meeting.pk).values_list("status", flat=True).first()
    meeting.status = current or meeting.status
    if meeting.is_cancelled:
        raise MeetingStatusError(_("中止した会議には出欠を記録できません。"), code="cancelled")
    if meeting.status != MeetingStatus.SCHEDULED or not meeting.can_be_held(today):
        return False
    # Conditional: of two ticks at the same moment, one changes the status and says so.
    updated = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.SCHEDULED).update(
        status=MeetingStatus.HELD
    )
    meeting.status = MeetingStatus.HELD
    return bool(updated)


def _attendance_recorded(meeting: Meeting) -> None:
    """Called by every write of attendance or headcount on the sheet (see meeting_held_if_due)."""
    if meeting_held_if_due(meeting=meeting):
        _status_changed(meeting)


def _send_cancellation_mail(meeting: Meeting, registrations: list[Registration]) -> None:
    """One e-mail per registrant with an address, in Japanese, the date in 和暦 (date_ja)."""
    recipients = sorted({r.person.email for r in registrations if r.person.email})
    if not recipients:
        return
    with translation.override("ja"):
        context = {"meeting": meeting}
        subject = render_to_string("events/email/cancellation_subject.txt", context).strip()
        body = render_to_string("events/email/cancellation_body.txt", context)

    def send() -> None:
        for email in recipients:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])

    transaction.on_commit(send)


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, cancelled_by: User | None, reason: str) -> Meeting:
    """Cancel (中止) a scheduled meeting: it stays listed and in the calendar feeds (struck
    through, ``STATUS:CANCELLED``), takes no more registrations or attendance and no longer
    counts in the reports. Registrations are kept; everyone registered or waiting is told by
    e-mail once the transaction commits. A held meeting cannot be cancelled.
    """
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_cancelled:
        raise MeetingStatusError(_("この会議はすでに中止になっています。"), code="cancelled")
    if meeting.is_held:
        raise MeetingStatusError(_("開催済の会議は中止にできません。"), code="held")
    reason = reason.strip()
    if not reason:
        raise MeetingStatusError(_("中止の理由を入れてください。"), code="reason")
    meeting.cancelled_at = timezone.now()
    meeting.cancelled_by = cancelled_by
    meeting.cancel_reason = reason
    _set_status(meeting, MeetingStatus.CANCELLED)
    registrations = list(meeting.registrations.active().select_related("person"))
    _send_cancellation_mail(meeting, registrations)
    return meeting


@transaction.atomic
def meeting_set_minutes(*, meeting: Meeting, minutes: str) -> Meeting:
    """Staff write the minutes (kept in the meeting's history)."""
    meeting.minutes = minutes
    meeting.save(update_fields=["minutes"])
    return meeting


# --- registration -----------------------------------------------------------------------------


class RegistrationError(ValidationError):
    pass


def _send_registration_mail(registration: Registration) -> None:
    person = registration.person
    if not person.email:
        return
    context = {"registration": registration, "meeting": registration.meeting, "person": person}
    subject = render_to_string("events/email/registration_subject.txt", context).strip()
    body = render_to_string("events/email/registration_body.txt", context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
    )


@transaction.atomic
def registration_create(
    *, meeting: Meeting, person: Person, registered_by: User | None, now=None
) -> Registration:
    """Register ``person`` inside the meeting's window; a full meeting puts them on the waiting
    list. A confirmation email goes to the person once the transaction commits."""
    # Lock the meeting so two people cannot both take the last seat.
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.registration_is_open(now):
        raise RegistrationError(_("この会議は現在申込を受け付けていません。"), code="closed")
    registrations = Registration.objects.filter(meeting=meeting)
    if registrations.active().filter(person=person).exists():
        raise RegistrationError(
            _("%(name)s さんはすでに申し込んでいます。") % {"name": person.name},
            code="duplicate",
        )
    taken = registrations.registered().count()
    full = meeting.capacity is not None and taken >= meeting.capacity
    last = registrations.aggregate(last=Max("position"))["last"] or 0
    registration = Registration.objects.create(
        meeting=meeting,
        person=person,
        status=Registration.Status.WAITLISTED if full else Registration.Status.REGISTERED,
        position=last + 1,
        registered_by=registered_by,
    )
    _send_registration_mail(registration)
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration) -> Registration | None:
    """Cancel a registration; if it held a seat, the first on the waiting list moves up (and is
    told by email). Returns the promoted registration, if any."""
    meeting = Meeting.objects.select_for_update().get(pk=registration.meeting_id)
    held_seat = registration.status == Registration.Status.REGISTERED
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    if not held_seat:
        return None
    registrations = Registration.objects.filter(meeting=meeting)
    if meeting.capacity is not None and registrations.registered().count() >= meeting.capacity:
        return None
    promoted = registrations.waitlisted().order_by("position", "pk").first()
    if promoted is None:
        return None
    promoted.status = Registration.Status.REGISTERED
    promoted.save(update_fields=["status"])
    _send_registration_mail(promoted)
    return promoted


# --- attendance -------------------------------------------------------------------------------


class AttendanceConflict(Exception):
    """The row changed after the staffer's sheet showed it (another staffer recorded it in the
    meantime): nothing was written, ``attendance`` is what is stored (None: not recorded)."""

    def __init__(self, attendance: Attendance | None) -> None:
        super().__init__(_("他の担当者が先に記録しました。保存されている記録を表示しています。"))
        self.attendance = attendance


def _lock_meeting(meeting: Meeting) -> None:
    """Take the meeting's row lock: the marks of one meeting are written one after another, so
    the read-then-write of a person's row cannot interleave with another staffer's (two inserts
    of one person raised ``attendance_unique_person``). PostgreSQL locks the row; SQLite has no
    row locks and serialises writers with its database lock."""
    list(Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk", flat=True))


def _stored(meeting: Meeting, person: Person, seen: str | None) -> Attendance | None:
    """The person's stored row; ``AttendanceConflict`` when it is not the ``seen`` status
    (``""``: not recorded; ``None``: the caller does not know, no check)."""
    attendance = Attendance.objects.filter(meeting=meeting, person=person).first()
    if seen is not None and (attendance.status if attendance else "") != seen:
        raise AttendanceConflict(attendance)
    return attendance


def _mark(
    *,
    meeting: Meeting,
    person: Person,
    status: str,
    recorded_by: User | None,
    seen: str | None = None,
) -> Attendance:
    """Insert or update one person's row; the caller holds the meeting's lock."""
    attendance = _stored(meeting, person, seen)
    if attendance is None:
        if not person.organisation_id:
            # Attendance counts for an organisation: a person whose affiliation is not yet
            # approved is not on any sheet.
            raise ValidationError(_("所属団体が確認されていない人は出席を記録できません。"))
        # The organisation the person comes for *now*; later moves do not rewrite history.
        return Attendance.objects.create(
            meeting=meeting,
            person=person,
            organisation_id=person.organisation_id,
            status=status,
            recorded_by=recorded_by,
        )
    if attendance.status != status:
        attendance.status = status
        attendance.recorded_by = recorded_by
        attendance.recorded_at = timezone.now()
        attendance.save(update_fields=["status", "recorded_by", "recorded_at"])
    return attendance


@transaction.atomic
def attendance_set(
    *,
    meeting: Meeting,
    person: Person,
    status: str,
    recorded_by: User | None,
    seen: str | None = None,
) -> Attendance:
    """Record one person as attended, absent or excused (one click on the sheet).

    ``seen`` is the status the staffer's sheet showed (``""``: not recorded). When the stored
    row differs, someone else recorded it in the meantime: nothing is written and
    ``AttendanceConflict`` carries the stored row, so the sheet shows it instead of silently
    overwriting (or losing) the other staffer's mark. Without ``seen`` the mark is an upsert.
    """
    if status not in AttendanceStatus.values:
        raise ValidationError(_("出欠の値が正しくありません。"), code="invalid_status")
    _lock_meeting(meeting)
    _attendance_recorded(meeting)
    attendance = _mark(
        meeting=meeting, person=person, status=status, recorded_by=recorded_by, seen=seen
    )
    _meeting_changed(meeting, [person.pk])
    return attendance


@transaction.atomic
def attendance_clear(*, meeting: Meeting, person: Person, seen: str | None = None) -> None:
    """Undo a tick: the person is back to "not recorded". ``seen`` as for ``attendance_set``."""
    _lock_meeting(meeting)
    attendance = _stored(meeting, person, seen)
    if attendance is not None:
        attendance.delete()
    _meeting_changed(meeting, [person.pk])


@transaction.atomic
def attendance_mark_registered(*, meeting: Meeting, recorded_by: User | None) -> int:
    """Mark everybody with a seat (registered, not waitlisted) who has no record yet as attended.

    Returns how many were marked. People already marked absent or excused keep their status.
    """
    _lock_meeting(meeting)
    _attendance_recorded(meeting)
    recorded = set(meeting.attendances.values_list("person_id", flat=True))
    people = (
        Person.objects.filter(
            registrations__meeting=meeting,
            registrations__status=Registration.Status.REGISTERED,
        )
        .exclude(pk__in=recorded)
        .only("pk", "organisation_id")
    )
    marked = []
    for person in people:
        _mark(
            meeting=meeting,
            person=person,
            status=AttendanceStatus.ATTENDED,
            recorded_by=recorded_by,
        )
        marked.append(person.pk)
    _meeting_changed(meeting, marked)
    return len(marked)


@transaction.atomic
def walk_in_add(
    *,
    meeting: Meeting,
    recorded_by: User | None,
    person: Person | None = None,
    name: str = "",
    email: str = "",
    organisation: Organisation | None = None,
    organisation_name: str = "",
    sector: str = Sector.OTHER,
) -> Attendance:
    """A walk-in attended: an existing person, or a new person (and, if needed, a new
    organisation, left unconfirmed for staff to complete)."""
    _lock_meeting(meeting)
    _attendance_recorded(meeting)
    if person is None:
        if organisation is None:
            organisation = Organisation.objects.filter(name=organisation_name).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=organisation_name, sector=sector or Sector.OTHER, is_confirmed=False
            )
        person = Person.objects.create(name=name, email=email, organisation=organisation)
    attendance = _mark(
        meeting=meeting,
        person=person,
        status=AttendanceStatus.ATTENDED,
        recorded_by=recorded_by,
    )
    _meeting_changed(meeting, [person.pk])
    return attendance


@transaction.atomic
def headcount_set(*, meeting: Meeting, headcount: int) -> Meeting:
    """Set the unnamed attendees (当日参加・+α) counted at the door."""
    if headcount < 0:
        raise ValidationError(_("人数は0以上にしてください。"), code="negative")
    _lock_meeting(meeting)
    _attendance_recorded(meeting)
    meeting.unnamed_headcount = headcount
    meeting.save(update_fields=["unnamed_headcount"])
    _meeting_changed(meeting)
    return meeting


# --- materials and calendars ------------------------------------------------------------------


@transaction.atomic
def material_add(
    *, meeting: Meeting, upload: UploadedFile, title: str, uploaded_by: User | None
) -> Material:
    """Store a checked file (size and real type) in private storage."""
    validate_upload(upload, kinds=MATERIAL_KINDS)
    return Material.objects.create(
        meeting=meeting,
        file=upload,
        title=title or upload.name,
        uploaded_by=uploaded_by,
    )


@transaction.atomic
def material_delete(*, material: Material) -> None:
    material.file.delete(save=False)
    material.delete()


def calendar_token_for(*, user: User) -> CalendarToken:
    """The user's private-feed token, created on first use."""
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def calendar_token_reset(*, user: User) -> CalendarToken:
    """Issue a new token; old feed URLs stop working."""
    CalendarToken.objects.filter(user=user).delete()
    return CalendarToken.objects.create(user=user)
