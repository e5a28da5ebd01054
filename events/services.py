"""Writes of the events app. Every service that changes meetings, attendance or headcounts sends
``events.signals.attendance_changed`` with the fiscal years it touched, so reports can refresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consortium.text import search_key
from consortium.uploads import validate_upload
from members.models import Organisation, Person, Sector

from .models import (
    MATERIAL_KINDS,
    Attendance,
    AttendanceMark,
    AttendanceStatus,
    CalendarToken,
    Material,
    Meeting,
    MeetingStatus,
    PublicRegistration,
    Registration,
)
from .querysets import (
    cancellation_recipients,
    seat_state,
    waiting_list,
    walk_in_organisation_candidates,
)
from .signals import attendance_changed
from .tickets import TICKET_CONTENT_ID, ticket_email


def _changed(fiscal_years: Iterable[int | None]) -> None:
    """Meetings of these years changed in ways a recount of one meeting does not cover."""
    years = {fy for fy in fiscal_years if fy is not None}
    if years:
        attendance_changed.send(sender=Meeting, fiscal_years=years)


def _meeting_changed(
    meeting: Meeting, person_ids: Iterable[int] = (), *, itself: bool = False
) -> None:
    """One meeting's attendance of these people (or its headcount) changed; ``itself``: the
    meeting's own counted facts too (its kind, status or visitors, its exhibitors)."""
    attendance_changed.send(
        sender=Meeting,
        fiscal_years={meeting.fiscal_year},
        meeting_id=meeting.pk,
        person_ids=set(person_ids),
        meeting_itself=itself,
    )


# --- meetings ---------------------------------------------------------------------------------

# Written only by the status services below (meeting_cancel, meeting_mark_held …).
STATUS_FIELDS = ("status", "cancelled_at", "cancelled_by_id", "cancel_reason")

# What the calendar feeds show of a meeting (events.calendar): a change to any of them is a new
# revision (``sequence`` + 1, ``updated_at``), so subscribed calendars replace their copy.
CALENDAR_FIELDS = (
    "title",
    "kind",
    "date",
    "starts_at",
    "ends_at",
    "venue",
    "address",
    "latitude",
    "longitude",
    "online_url",
    "description",
    "study_group_id",
    "project_id",
    "status",
    "cancel_reason",
)
REVISION_FIELDS = ("sequence", "updated_at")


def meeting_revised(meeting: Meeting, *, sequence: int | None = None) -> tuple[str, ...]:
    """Mark the meeting as a new calendar revision (in memory): ``sequence`` one above the stored
    one (``sequence``, else the instance's), ``updated_at`` now. Returns the fields to save."""
    meeting.sequence = (meeting.sequence if sequence is None else sequence) + 1
    meeting.updated_at = timezone.now()
    return REVISION_FIELDS


@transaction.atomic
def meeting_save(*, meeting: Meeting) -> Meeting:
    """Create or update a meeting (already validated). Moving it to another fiscal year reports
    both years as changed. A new meeting dated before today is recorded after the fact and is
    held; any other starts scheduled (its status changes only through the services below).

    An update that changes what the calendar feeds show (``CALENDAR_FIELDS``) raises the
    meeting's ``sequence`` and sets ``updated_at``; any other save (the minutes, the capacity, a
    form sent back unchanged) keeps both, so calendars are not told of a change that is none."""
    before = None
    if meeting.pk:
        stored = (
            Meeting.objects.select_for_update()
            .filter(pk=meeting.pk)
            .values_list(
                "fiscal_year", "study_group_id", *STATUS_FIELDS, *REVISION_FIELDS, *CALENDAR_FIELDS
            )
            .first()
        )
        if stored is not None:
            before = stored[:2]
            status_end = 2 + len(STATUS_FIELDS)
            # An edit form never changes the status: keep what the services stored meanwhile.
            for name, value in zip(STATUS_FIELDS, stored[2:status_end], strict=True):
                setattr(meeting, name, value)
            sequence, updated_at = stored[status_end : status_end + 2]
            calendar_before = stored[status_end + 2 :]
            meeting.sync_dates()
            if calendar_before != tuple(getattr(meeting, name) for name in CALENDAR_FIELDS):
                meeting_revised(meeting, sequence=sequence)
            else:  # what the instance carries may be stale (or an old version in the admin)
                meeting.sequence, meeting.updated_at = sequence, updated_at
    else:
        meeting.sync_dates()
        if meeting.date < timezone.localdate():  # a meeting recorded afterwards took place
            meeting.status = MeetingStatus.HELD
        meeting.sequence, meeting.updated_at = 0, timezone.now()
    meeting.save()
    if before is None or before == (meeting.fiscal_year, meeting.study_group_id):
        _meeting_changed(meeting, itself=True)
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
    _meeting_changed(meeting, meeting.attendances.values_list("person_id", flat=True), itself=True)


def _set_status(meeting: Meeting, status: str) -> None:
    """``meeting`` was read under its row lock: its ``sequence`` is the stored one."""
    meeting.status = status
    meeting.save(update_fields=[*STATUS_FIELDS, *meeting_revised(meeting)])
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
    return meetings_held_if_due(meetings=[meeting], today=today) > 0


def meetings_held_if_due(*, meetings: list[Meeting], today: dt.date | None = None) -> int:
    """``meeting_held_if_due`` for many meetings at once (an import): two queries whatever
    their number. Returns how many it marked held; the caller sends the signal."""
    if not meetings:
        return 0
    today = today or timezone.localdate()
    current = dict(
        Meeting.objects.filter(pk__in=[m.pk for m in meetings]).values_list("pk", "status")
    )
    for meeting in meetings:
        meeting.status = current.get(meeting.pk) or meeting.status
        if meeting.is_cancelled:
            raise MeetingStatusError(_("中止した会議には出欠を記録できません。"), code="cancelled")
    due = [m for m in meetings if m.status == MeetingStatus.SCHEDULED and m.can_be_held(today)]
    if not due:
        return 0
    # Conditional: of two ticks at the same moment, one changes the status and says so.
    updated = Meeting.objects.filter(
        pk__in=[m.pk for m in due], status=MeetingStatus.SCHEDULED
    ).update(status=MeetingStatus.HELD, sequence=F("sequence") + 1, updated_at=timezone.now())
    for meeting in due:
        meeting.status = MeetingStatus.HELD
    return updated


def _attendance_recorded(meeting: Meeting) -> None:
    """Called by every write of attendance or headcount on the sheet (see meeting_held_if_due)."""
    if meeting_held_if_due(meeting=meeting):
        _status_changed(meeting)


def _send_cancellation_mail(meeting: Meeting) -> None:
    """One e-mail per address holding or waiting for a seat, members' and citizens' alike
    (``cancellation_recipients``), in Japanese, the date in 和暦 (date_ja)."""
    recipients = cancellation_recipients(meeting)
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
    _send_cancellation_mail(meeting)
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
    """Registered (or moved up from the waiting list): the mail carries the ticket (受付票) as an
    inline QR code and an attachment. Waitlisted: a plain mail, no ticket yet."""
    person = registration.person
    if not person.email:
        return
    context: dict[str, object] = {
        "registration": registration,
        "meeting": registration.meeting,
        "person": person,
    }
    subject = render_to_string("events/email/registration_subject.txt", context).strip()
    body = render_to_string("events/email/registration_body.txt", context)
    if registration.status != Registration.Status.REGISTERED:
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
        )
        return
    context["ticket_cid"] = TICKET_CONTENT_ID
    message = ticket_email(
        subject=subject,
        body=body,
        html=render_to_string("events/email/registration_body.html", context),
        to=[person.email],
        token=registration.ticket_token,
        label=_("受付票：%(name)s（%(title)s）")
        % {"name": person.name, "title": registration.meeting.title},
    )
    transaction.on_commit(message.send)


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
    fits, position = seat_for(meeting=meeting, seats=1)
    registration = Registration.objects.create(
        meeting=meeting,
        person=person,
        status=Registration.Status.REGISTERED if fits else Registration.Status.WAITLISTED,
        position=position,
        registered_by=registered_by,
    )
    _send_registration_mail(registration)
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration) -> Registration | PublicRegistration | None:
    """Cancel a registration; if it held a seat, the waiting list moves up (``waitlist_promote``:
    members and citizens alike, each told by e-mail). Returns the first promoted registration,
    if any."""
    meeting = Meeting.objects.select_for_update().get(pk=registration.meeting_id)
    held_seat = registration.status == Registration.Status.REGISTERED
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    if not held_seat:
        return None
    promoted = waitlist_promote(meeting=meeting)
    return promoted[0] if promoted else None


def waitlist_promote(*, meeting: Meeting) -> list[Registration | PublicRegistration]:
    """Move the waiting list up into the free seats, members' and citizens' registrations in one
    order (position): each takes its seats while they fit; the first that does not fit stops the
    queue (nobody overtakes it). Each promoted person is told by e-mail once the transaction
    commits. The caller holds the meeting's row lock. Returns the promoted registrations."""
    state = seat_state(meeting)
    if not state.waiting:
        return []
    taken, promoted = state.taken, []
    for entry in waiting_list(meeting):
        seats = entry.seats if isinstance(entry, PublicRegistration) else 1
        if meeting.capacity is not None and taken + seats > meeting.capacity:
            break
        entry.status = Registration.Status.REGISTERED
        entry.save(update_fields=["status"])
        entry.meeting = meeting
        taken += seats
        promoted.append(entry)
    # The citizens' mails live with their registrations (public_registration imports this module).
    from .public_registration import public_promoted_mail

    for entry in promoted:
        if isinstance(entry, PublicRegistration):
            public_promoted_mail(entry)
        else:
            _send_registration_mail(entry)
    return promoted


def seat_for(*, meeting: Meeting, seats: int) -> tuple[bool, int]:
    """Whether a new registration of ``seats`` people gets its seats now (else it waits) and its
    position. Seats freed meanwhile (a larger capacity) go to the waiting list first, and nobody
    overtakes it. The caller holds the meeting's row lock."""
    waitlist_promote(meeting=meeting)
    state = seat_state(meeting)
    fits = meeting.capacity is None or (
        not state.waiting and state.taken + seats <= meeting.capacity
    )
    return fits, state.last_position + 1


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


# Marks sent from the sheet are remembered by their client id this long: a tablet offline longer
# than that would have to send its queue again with the page reloaded (``attendance_marks_purge``).
ATTENDANCE_MARK_DAYS = 30


def _mark_is_new(meeting: Meeting, client_id: str | None, recorded_by: User | None) -> bool:
    """Remember a mark by the id the browser gave it, in the caller's transaction: False when the
    id was seen before (a queued mark sent again, a double tap), then nothing is to be applied.

    The unique index decides: of two requests with one id, the second's insert waits for the
    first's transaction and fails once it commits (or succeeds if it rolled back). A savepoint
    keeps the caller's transaction usable after the failed insert."""
    if not client_id:
        return True
    try:
        with transaction.atomic():
            AttendanceMark.objects.create(
                client_id=client_id, meeting=meeting, recorded_by=recorded_by
            )
    except IntegrityError:
        return False
    return True


@transaction.atomic
def attendance_set(
    *,
    meeting: Meeting,
    person: Person,
    status: str,
    recorded_by: User | None,
    seen: str | None = None,
    client_id: str | None = None,
) -> Attendance | None:
    """Record one person as attended, absent or excused (one click on the sheet).

    ``seen`` is the status the staffer's sheet showed (``""``: not recorded). When the stored
    row differs, someone else recorded it in the meantime: nothing is written and
    ``AttendanceConflict`` carries the stored row, so the sheet shows it instead of silently
    overwriting (or losing) the other staffer's mark. Without ``seen`` the mark is an upsert.

    ``client_id`` is the mark's id from the browser: a mark sent again (queued offline and
    re-sent, a retry after a lost answer) is applied once; the replay changes nothing and returns
    the stored row. A mark refused for a conflict is not remembered (nothing was applied).
    """
    if status not in AttendanceStatus.values:
        raise ValidationError(_("出欠の値が正しくありません。"), code="invalid_status")
    _lock_meeting(meeting)
    if not _mark_is_new(meeting, client_id, recorded_by):
        return Attendance.objects.filter(meeting=meeting, person=person).first()
    _attendance_recorded(meeting)
    attendance = _mark(
        meeting=meeting, person=person, status=status, recorded_by=recorded_by, seen=seen
    )
    _meeting_changed(meeting, [person.pk])
    return attendance


@transaction.atomic
def attendance_clear(
    *,
    meeting: Meeting,
    person: Person,
    seen: str | None = None,
    client_id: str | None = None,
    recorded_by: User | None = None,
) -> None:
    """Undo a tick: the person is back to "not recorded". ``seen`` and ``client_id`` as for
    ``attendance_set``."""
    _lock_meeting(meeting)
    if not _mark_is_new(meeting, client_id, recorded_by):
        return
    attendance = _stored(meeting, person, seen)
    if attendance is not None:
        attendance.delete()
    _meeting_changed(meeting, [person.pk])


def attendance_marks_purge(*, older_than: dt.timedelta | None = None) -> int:
    """Forget the client ids of marks older than ``ATTENDANCE_MARK_DAYS`` (a nightly beat task).
    Returns how many were deleted."""
    age = older_than if older_than is not None else dt.timedelta(days=ATTENDANCE_MARK_DAYS)
    deleted, _by_model = AttendanceMark.objects.filter(applied_at__lt=timezone.now() - age).delete()
    return deleted


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


class WalkInOrganisationUnclear(ValidationError):
    """The organisation typed at the door is not registered under that name, but similar ones
    are (「横浜ゴム株式会社」 next to 「横浜ゴム株式会社 平塚製造所」): staff choose one of
    ``candidates`` or confirm that it is a new organisation. Nothing was written."""

    def __init__(self, candidates: list[Organisation]) -> None:
        super().__init__(
            _(
                "似た名前の団体が登録されています。どれかを選ぶか、新しい団体として登録してください。"
            ),
            code="similar_organisations",
        )
        self.candidates = candidates


@dataclass
class WalkIn:
    """What a walk-in did: ``already`` when the person was marked 出席 before (nothing was
    written); which of the person and the organisation were new."""

    attendance: Attendance
    already: bool = False
    person_created: bool = False
    organisation_created: bool = False


def person_name_key(name: str) -> str:
    """Two spellings of one name share this key: NFKC, kana folded, no spaces (「山本　健二」,
    「山本健二」 and 「山本 健二」 are one person)."""
    return search_key(name).replace(" ", "")


def _walk_in_person(*, organisation: Organisation, name: str, email: str) -> Person | None:
    """A registered person of ``organisation`` the walk-in is: the same name (normalised) or the
    same e-mail address."""
    key, email = person_name_key(name), email.strip().lower()
    for pk, stored_name, stored_email in Person.objects.filter(
        organisation=organisation
    ).values_list("pk", "name", "email"):
        if person_name_key(stored_name) == key or (email and stored_email.lower() == email):
            return Person.objects.select_related("organisation").get(pk=pk)
    return None


@dataclass(frozen=True)
class WalkInNamed:
    """A walk-in named at the door: the person's name and e-mail, and a registered
    ``organisation`` or the name of one (``sector`` for a new one; ``new_organisation`` when
    staff confirmed it is new although similar names are registered)."""

    name: str = ""
    email: str = ""
    organisation: Organisation | None = None
    organisation_name: str = ""
    sector: str = Sector.OTHER
    new_organisation: bool = False


def _walk_in_organisation(named: WalkInNamed) -> tuple[Organisation, bool]:
    """The organisation a named walk-in belongs to, and whether it was created now."""
    organisation = named.organisation
    if organisation is None:
        organisation = (
            Organisation.objects.matching(name=named.organisation_name)
            .order_by("-is_confirmed", "pk")
            .first()
        )
    if organisation is not None:
        return organisation, False
    candidates = walk_in_organisation_candidates(named.organisation_name)
    if candidates and not named.new_organisation:
        raise WalkInOrganisationUnclear(candidates)
    created = Organisation.objects.create(
        name=named.organisation_name.strip(),
        sector=named.sector or Sector.OTHER,
        is_confirmed=False,
    )
    return created, True


def _walk_in_named_person(named: WalkInNamed) -> tuple[Person, bool, bool]:
    """The person a named walk-in is (found or created), whether the person and whether the
    organisation were created now."""
    organisation, organisation_created = _walk_in_organisation(named)
    person = None
    if not organisation_created:
        person = _walk_in_person(organisation=organisation, name=named.name, email=named.email)
    if person is not None:
        return person, False, organisation_created
    person = Person.objects.create(
        name=named.name.strip(), email=named.email.strip(), organisation=organisation
    )
    return person, True, organisation_created


@transaction.atomic
def walk_in_add(
    *,
    meeting: Meeting,
    recorded_by: User | None,
    person: Person | None = None,
    named: WalkInNamed | None = None,
) -> WalkIn:
    """A walk-in attended: an existing ``person``, or one ``named`` at the door.

    A named walk-in is matched first: the organisation by its normalised name (株式会社, (株),
    ㈱ alike), the person within it by normalised name or e-mail, so adding someone twice
    records one person. An organisation that is not registered is created unconfirmed, for staff
    to confirm later like any other proposed organisation; if similar names are registered,
    ``WalkInOrganisationUnclear`` asks staff to choose first (unless ``new_organisation``).
    Someone already marked 出席 stays as recorded (``WalkIn.already``)."""
    _lock_meeting(meeting)
    _attendance_recorded(meeting)
    person_created = organisation_created = False
    if person is None:
        person, person_created, organisation_created = _walk_in_named_person(named or WalkInNamed())
    stored = _stored(meeting, person, None)
    if stored is not None and stored.status == AttendanceStatus.ATTENDED:
        return WalkIn(attendance=stored, already=True)
    attendance = _mark(
        meeting=meeting,
        person=person,
        status=AttendanceStatus.ATTENDED,
        recorded_by=recorded_by,
    )
    _meeting_changed(meeting, [person.pk])
    return WalkIn(
        attendance=attendance,
        person_created=person_created,
        organisation_created=organisation_created,
    )


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
        title=title or upload.name or "",
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
