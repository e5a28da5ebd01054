"""受付 at the meeting-room door: staff scan tickets (受付票), members check themselves in with
the door poster, citizens' registrations are checked in too.

Every check-in of a meeting takes the meeting's row lock first (as every attendance write does,
see ``services._lock_meeting``) and then sets ``checked_in_at`` with a conditional UPDATE: of two
tablets scanning one ticket at the same moment, one checks it in and the other is told
「受付済み」. A member's check-in marks 出席 through the attendance service's own path (the
organisation at the time, the meeting held from its day on, ``attendance_changed``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TypedDict, Unpack

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Person

from . import services
from .models import Attendance, AttendanceStatus, Meeting, PublicRegistration, Registration
from .querysets import sheet_organisation_ids
from .tickets import token_from_scan

OK = "ok"
ALREADY = "already"
REJECTED = "rejected"

# What new_token() makes (token_urlsafe): anything else is no ticket, and is not looked up.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")

NOT_A_MEMBER = gettext_lazy(
    "所属団体が確認された会員の方だけが自分で受付できます。受付でお申し出ください"
)
NOT_EXPECTED = gettext_lazy(
    "この会議の参加対象の団体に所属していないため、自分では受付できません。受付でお申し出ください"
)


@dataclass(frozen=True)
class CheckinResult:
    """What the 受付 panel shows: green (ok), amber (already) or red (rejected)."""

    outcome: str
    name: str = ""
    organisation: str = ""
    checked_in_at: dt.datetime | None = None  # the first check-in (ok: this one)
    reason: str = ""
    seats: int = 1
    kind: str = ""  # "member" or "public" (一般参加)

    @property
    def time(self) -> str:
        """The first check-in's local time, e.g. ``10:02``."""
        if self.checked_in_at is None:
            return ""
        return f"{timezone.localtime(self.checked_in_at):%H:%M}"

    @property
    def message(self) -> str:
        if self.outcome == OK:
            return _("受付しました")
        if self.outcome == ALREADY:
            return _("受付済み %(time)s") % {"time": self.time}
        return self.reason

    def as_dict(self) -> dict:
        return {
            "outcome": self.outcome,
            "name": self.name,
            "organisation": self.organisation,
            "checked_in_at": self.checked_in_at.isoformat() if self.checked_in_at else None,
            "time": self.time,
            "message": self.message,
            "seats": self.seats,
            "kind": self.kind,
        }


class _Shown(TypedDict, total=False):
    """Who a scanned ticket is for, as the panel shows it (``CheckinResult``'s fields)."""

    name: str
    organisation: str
    seats: int
    kind: str


def _rejected(reason: str, **details: Unpack[_Shown]) -> CheckinResult:
    return CheckinResult(outcome=REJECTED, reason=reason, **details)


class CheckinRefused(ValidationError):
    """A registration that cannot be checked in (cancelled, waitlisted, unconfirmed …)."""


# --- what refuses a check-in ----------------------------------------------------------------


def _meeting_refusal(meeting: Meeting) -> str:
    if meeting.is_cancelled:
        return _("この会議は中止になりました")
    return ""


def _other_meeting(meeting: Meeting) -> str:
    return _("別の会議の受付票です（%(title)s）") % {"title": meeting.title}


def _member_refusal(status: str) -> str:
    if status == Registration.Status.CANCELLED:
        return _("取消済みの申込です")
    if status == Registration.Status.WAITLISTED:
        return _("キャンセル待ちの申込です（席は確定していません）")
    return ""


def _public_refusal(registration: PublicRegistration) -> str:
    if registration.purged_at is not None:
        return _("個人情報を削除済みの申込です")
    if registration.status == PublicRegistration.Status.CANCELLED:
        return _("取消済みの申込です")
    if not registration.is_confirmed:
        return _("メールアドレスの確認が済んでいない申込です")
    if registration.status == PublicRegistration.Status.WAITLISTED:
        return _("キャンセル待ちの申込です（席は確定していません）")
    return ""


# --- the writes -----------------------------------------------------------------------------


def _member_checkin(
    *,
    meeting: Meeting,
    registration: Registration | None,
    person: Person,
    recorded_by: User | None,
    now: dt.datetime,
) -> tuple[bool, dt.datetime | None]:
    """Check a person in and mark them 出席; ``(first, time of the first check-in)``.

    With a registration, its ``checked_in_at`` decides (conditional UPDATE under the meeting's
    lock); without one (self check-in of an expected member), an 出席 already stored does.
    Raises ``MeetingStatusError`` (cancelled meanwhile) or ``ValidationError`` (no approved
    organisation); the transaction is then rolled back."""
    with transaction.atomic():
        services._lock_meeting(meeting)
        if registration is not None:
            # .update(): the registration's history is not written for a check-in; the
            # attendance row keeps who recorded it and when.
            first = bool(
                Registration.objects.filter(
                    pk=registration.pk,
                    status=Registration.Status.REGISTERED,
                    checked_in_at__isnull=True,
                ).update(checked_in_at=now)
            )
            if not first:
                stored = Registration.objects.filter(pk=registration.pk).values_list(
                    "status", "checked_in_at"
                )[0]
                if stored[0] != Registration.Status.REGISTERED:
                    raise CheckinRefused(_member_refusal(stored[0]), code="refused")
                return False, stored[1]
        else:
            stored = (
                Attendance.objects.filter(meeting=meeting, person=person)
                .values_list("status", "recorded_at")
                .first()
            )
            if stored and stored[0] == AttendanceStatus.ATTENDED:
                return False, stored[1]
        services._attendance_recorded(meeting)
        services._mark(
            meeting=meeting,
            person=person,
            status=AttendanceStatus.ATTENDED,
            recorded_by=recorded_by,
        )
        services._meeting_changed(meeting, [person.pk])
    return True, now


@transaction.atomic
def public_checkin_set(
    *, registration: PublicRegistration, checked_in: bool, now: dt.datetime | None = None
) -> bool:
    """Check a citizen's registration in (or undo it). Returns whether anything changed;
    ``registration.checked_in_at`` is what is stored afterwards.

    Checking in needs a confirmed registration with a seat (``CheckinRefused`` otherwise) and a
    meeting that takes attendance (``MeetingStatusError`` when cancelled; a scheduled meeting
    whose day has come is held from then on, as with the sheet). The seats count as 一般参加者:
    ``attendance_changed`` is sent for the meeting (no people)."""
    now = now or timezone.now()
    meeting = registration.meeting
    services._lock_meeting(meeting)
    rows = PublicRegistration.objects.filter(pk=registration.pk)
    if checked_in:
        current = rows.first()
        if current is None:
            raise CheckinRefused(_("登録されていない受付票です"), code="refused")
        refusal = _public_refusal(current)
        if refusal:
            raise CheckinRefused(refusal, code="refused")
        changed = bool(rows.filter(checked_in_at__isnull=True).update(checked_in_at=now))
        if changed:
            services._attendance_recorded(meeting)
            registration.checked_in_at = now
        else:
            registration.checked_in_at = current.checked_in_at
    else:
        changed = bool(rows.filter(checked_in_at__isnull=False).update(checked_in_at=None))
        registration.checked_in_at = None
    if changed:
        services._meeting_changed(meeting)
    return changed


# --- 受付 by scan ------------------------------------------------------------------------------


def _scan_member(
    meeting: Meeting, registration: Registration, recorded_by: User | None, now: dt.datetime
) -> CheckinResult:
    person = registration.person
    shown: _Shown = {
        "name": person.name,
        "organisation": person.organisation.name if person.organisation is not None else "",
        "kind": "member",
    }
    if registration.meeting_id != meeting.pk:
        return _rejected(_other_meeting(registration.meeting), **shown)
    refusal = _member_refusal(registration.status)
    if refusal:
        return _rejected(refusal, **shown)
    if registration.checked_in_at is not None:
        # A member's check-in is never undone: no need to lock anything to say so.
        return CheckinResult(outcome=ALREADY, checked_in_at=registration.checked_in_at, **shown)
    try:
        first, at = _member_checkin(
            meeting=meeting,
            registration=registration,
            person=person,
            recorded_by=recorded_by,
            now=now,
        )
    except ValidationError as exc:  # cancelled meanwhile, no approved organisation
        return _rejected(exc.messages[0], **shown)
    return CheckinResult(outcome=OK if first else ALREADY, checked_in_at=at, **shown)


def _scan_public(
    meeting: Meeting, registration: PublicRegistration, now: dt.datetime
) -> CheckinResult:
    shown: _Shown = {
        "name": registration.name,
        "organisation": registration.affiliation or _("一般参加"),
        "seats": registration.seats,
        "kind": "public",
    }
    if registration.meeting_id != meeting.pk:
        return _rejected(_other_meeting(registration.meeting), **shown)
    refusal = _public_refusal(registration)
    if refusal:
        return _rejected(refusal, **shown)
    try:
        first = public_checkin_set(registration=registration, checked_in=True, now=now)
    except ValidationError as exc:
        return _rejected(exc.messages[0], **shown)
    return CheckinResult(
        outcome=OK if first else ALREADY, checked_in_at=registration.checked_in_at, **shown
    )


def checkin_by_scan(
    *, meeting: Meeting, scanned: str, recorded_by: User | None, now: dt.datetime | None = None
) -> CheckinResult:
    """What a tablet at the door read (camera or keyboard-wedge scanner): the ticket of a
    member's registration or of a citizen's, for this meeting. Never raises for a bad ticket:
    the result says why it is refused."""
    now = now or timezone.now()
    refusal = _meeting_refusal(meeting)
    if refusal:
        return _rejected(refusal)
    token = token_from_scan(scanned)
    if not TOKEN_PATTERN.fullmatch(token):
        return _rejected(_("受付票のQRコードではありません"))
    registration = (
        Registration.objects.select_related("person__organisation", "meeting")
        .filter(ticket_token=token)
        .first()
    )
    if registration is not None:
        return _scan_member(meeting, registration, recorded_by, now)
    public = PublicRegistration.objects.select_related("meeting").filter(ticket_token=token).first()
    if public is not None:
        return _scan_public(meeting, public, now)
    return _rejected(_("登録されていない受付票です"))


# --- self check-in with the door poster -------------------------------------------------------


def self_checkin_window(meeting: Meeting) -> tuple[dt.datetime, dt.datetime]:
    """From ``KYOSO_SELF_CHECKIN_OPENS_MINUTES`` before the start (the day's beginning for a
    meeting without a time) to the end (the end of the day without an end time)."""
    day_start = timezone.make_aware(dt.datetime.combine(meeting.date, dt.time.min))
    if meeting.starts_at:
        opens = meeting.starts_at - dt.timedelta(minutes=settings.KYOSO_SELF_CHECKIN_OPENS_MINUTES)
    else:
        opens = day_start
    closes = meeting.ends_at or day_start + dt.timedelta(days=1)
    return opens, closes


def self_checkin_refusal(meeting: Meeting, now: dt.datetime | None = None) -> str:
    """Why nobody can check in with the door poster now (cancelled, not yet, over), or ""."""
    if meeting.is_cancelled:
        return _meeting_refusal(meeting)
    now = now or timezone.now()
    opens, closes = self_checkin_window(meeting)
    if now < opens:
        local = timezone.localtime(opens)
        return _("受付は %(date)s %(time)s から始まります") % {
            "date": f"{local:%Y-%m-%d}",
            "time": f"{local:%H:%M}",
        }
    if now >= closes:
        return _("この会議の受付は終了しました")
    return ""


def meeting_for_door(token: str) -> Meeting | None:
    """The meeting of a door poster's secret (None: no such poster)."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    return (
        Meeting.objects.select_related("study_group__parent", "project")
        .filter(door_token=token)
        .first()
    )


def self_checkin(
    *, meeting_door_token: str, person: Person | None, now: dt.datetime | None = None
) -> CheckinResult:
    """A signed-in member scanned the door poster with their phone: check them in, once.

    Only inside the window (``self_checkin_window``), only for a person of an approved
    organisation that is expected at the meeting (see ``sheet_organisation_ids``) or who holds a
    seat (a registration), never for a waitlisted registration. Checking in twice is the same
    as once (「受付済み」). Raises ``Meeting.DoesNotExist`` for an unknown poster."""
    now = now or timezone.now()
    meeting = meeting_for_door(meeting_door_token)
    if meeting is None:
        raise Meeting.DoesNotExist
    if person is None or person.organisation is None:
        return _rejected(str(NOT_A_MEMBER))
    shown: _Shown = {
        "name": person.name,
        "organisation": person.organisation.name,
        "kind": "member",
    }
    refusal = self_checkin_refusal(meeting, now)
    if refusal:
        return _rejected(refusal, **shown)
    registration = meeting.registrations.active().filter(person=person).first()
    if registration is not None and registration.status != Registration.Status.REGISTERED:
        return _rejected(_("キャンセル待ちの方は受付でお申し出ください"), **shown)
    if registration is None:
        expected = Person.objects.filter(
            pk=person.pk, organisation_id__in=sheet_organisation_ids(meeting)
        ).exists()
        if not expected:
            return _rejected(str(NOT_EXPECTED), **shown)
    try:
        first, at = _member_checkin(
            meeting=meeting,
            registration=registration,
            person=person,
            recorded_by=person.user,
            now=now,
        )
    except ValidationError as exc:
        return _rejected(exc.messages[0], **shown)
    return CheckinResult(outcome=OK if first else ALREADY, checked_in_at=at, **shown)
