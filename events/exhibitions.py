"""Writes of the showcase of a 展示会 or シンポジウム: its exhibitors (organisations at booths with
some of their published catalogue entries), its speakers and chairs, its co-hosts and its visitor
count (来場者数).

Exhibitors and visitors count in the year's 実績指標: every change to them reports the meeting as
changed (``events.signals.attendance_changed`` with the meeting), so the incremental roll-up of
its year recomputes them. Speakers and co-hosts are shown, not counted.

Only staff call these (the views check); a meeting of another kind holds none of it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from members.models import Organisation
from projects.catalogue.models import Entry, EntryStatus

from .models import Exhibitor, Meeting, Speaker
from .services import _lock_meeting, _meeting_changed


class ShowcaseError(ValidationError):
    """A change the meeting's kind does not allow, or an exhibitor already there."""


def _check_showcase(meeting: Meeting) -> None:
    if not meeting.is_showcase:
        raise ShowcaseError(
            _("出展者・登壇者・来場者数は、展示会とシンポジウムにだけ登録できます。"),
            code="not_showcase",
        )


def _own_published(organisation_id: int, entries: Iterable[Entry] | None) -> list[Entry]:
    """The organisation's published entries among ``entries`` (all of them: None); another
    organisation's entry, or one not published, is refused rather than dropped."""
    published = Entry.objects.filter(
        organisation_id=organisation_id, status=EntryStatus.PUBLISHED
    ).order_by("title_kana", "title", "pk")
    if entries is None:
        return list(published)
    entries = list(entries)
    allowed = set(published.filter(pk__in=[e.pk for e in entries]).values_list("pk", flat=True))
    if any(e.pk not in allowed for e in entries):
        raise ShowcaseError(
            {"entries": _("出展団体の公開中の技術・製品だけを選べます。")}, code="foreign_entry"
        )
    return entries


@transaction.atomic
def exhibitor_add(*, meeting: Meeting, organisation: Organisation, booth: str = "") -> Exhibitor:
    """Add an exhibitor showing all its published entries (staff untick some afterwards). The
    same organisation twice is refused with a message, also when two staff add it at once."""
    _lock_meeting(meeting)
    meeting.refresh_from_db(fields=["kind", "status"])
    _check_showcase(meeting)
    exhibitor = Exhibitor(meeting=meeting, organisation=organisation, booth=booth.strip())
    exhibitor.full_clean(validate_unique=False, validate_constraints=False)
    if Exhibitor.objects.filter(meeting=meeting, organisation=organisation).exists():
        raise ShowcaseError(
            {"organisation": _("この団体はすでに出展者です。")}, code="duplicate_exhibitor"
        )
    try:
        with transaction.atomic():
            exhibitor.save()
    except IntegrityError as exc:  # added by someone else between the check and the insert
        raise ShowcaseError(
            {"organisation": _("この団体はすでに出展者です。")}, code="duplicate_exhibitor"
        ) from exc
    exhibitor.entries.set(_own_published(organisation.pk, None))
    _meeting_changed(meeting, itself=True)
    return exhibitor


@transaction.atomic
def exhibitor_update(*, exhibitor: Exhibitor, booth: str, entries: Iterable[Entry]) -> Exhibitor:
    """Change the booth and which of the organisation's published entries it shows."""
    _lock_meeting(exhibitor.meeting)
    chosen = _own_published(exhibitor.organisation_id, entries)
    exhibitor.booth = booth.strip()
    exhibitor.full_clean(validate_unique=False, validate_constraints=False)
    exhibitor.save(update_fields=["booth"])
    exhibitor.entries.set(chosen)
    return exhibitor


@transaction.atomic
def exhibitor_remove(*, exhibitor: Exhibitor) -> None:
    meeting = exhibitor.meeting
    _lock_meeting(meeting)
    Exhibitor.objects.filter(pk=exhibitor.pk).delete()  # gone already: nothing to do
    _meeting_changed(meeting, itself=True)


@transaction.atomic
def speaker_save(*, speaker: Speaker) -> Speaker:
    _check_showcase(speaker.meeting)
    speaker.name = speaker.name.strip()
    speaker.full_clean()
    speaker.save()
    return speaker


@transaction.atomic
def speaker_delete(*, speaker: Speaker) -> None:
    Speaker.objects.filter(pk=speaker.pk).delete()


@transaction.atomic
def showcase_set(
    *, meeting: Meeting, visitors: int | None, co_hosts: Iterable[Organisation]
) -> Meeting:
    """Record the visitor count (None: not counted yet) and the co-hosts. A visitor count
    belongs to a meeting that took place."""
    _lock_meeting(meeting)
    meeting.refresh_from_db(fields=["kind", "status"])
    _check_showcase(meeting)
    if visitors is not None and visitors < 0:
        raise ShowcaseError({"visitors": _("来場者数は0以上の整数で入力してください。")})
    if visitors and not meeting.is_held:
        raise ShowcaseError(
            {"visitors": _("来場者数は、開催済の会議にだけ入力できます。")}, code="not_held"
        )
    stored = Meeting.objects.get(pk=meeting.pk)  # as it is now, under the lock
    moved = stored.visitors != visitors
    if moved:
        stored.visitors = visitors
        stored.save(update_fields=["visitors"])  # in the meeting's history
    stored.co_hosts.set(list(co_hosts))
    if moved:
        _meeting_changed(stored, itself=True)
    return stored
