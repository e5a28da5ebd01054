"""Writes of catalogue entries (技術・製品・サービス): draft → submitted → published → archived.

Who may change what, and when (``may_change``):

- The entry's organisation's people write a draft (fields, pictures, brochure) and submit it.
  While it waits for review (submitted) it is staff's: the organisation asks to have it sent back.
- Staff publish a submitted entry or send it back to draft with a reason, which is e-mailed to
  its creator once the return commits and shown on the draft until it is published.
- A published entry may still be changed by its organisation, but nothing reaches the public
  unreviewed: the change takes it back to review (submitted) and out of the public catalogue
  until staff publish it again. Staff's own edits keep the status.
- The organisation or staff archive a published entry (公開終了); an archived entry is kept
  as it is (only staff may still correct it).
- Staff may always edit. Another organisation's entry is never found (``editable_by``: a 404).

Every write announces ``catalogue_changed`` with the entry's id once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from consortium.fiscal import fiscal_year_of
from members import roles
from members.models import StudyGroup

from ...models import Project
from ...signals import catalogue_changed
from ..models import Entry, EntryStatus

# What the organisation's people may change an entry in (staff: any status).
MEMBER_CHANGEABLE = (EntryStatus.DRAFT, EntryStatus.PUBLISHED)


class EntryError(ValidationError):
    """A change the entry's status does not allow (publish a draft, edit an entry in review …)."""


def announce(*, entry_ids: Iterable[int], fiscal_years: Iterable[int] = ()) -> None:
    """Send ``catalogue_changed`` for these entries when the transaction commits;
    ``fiscal_years``: the years whose 新規掲載 count the change moved (a first publication)."""
    ids = {int(pk) for pk in entry_ids if pk}
    years = {int(fy) for fy in fiscal_years}
    if ids:
        transaction.on_commit(
            lambda: catalogue_changed.send(sender=Entry, entry_ids=ids, fiscal_years=years)
        )


def lock(entry: Entry) -> Entry:
    """The entry's row, locked until the transaction ends, with its organisation."""
    return (
        Entry.objects.select_for_update(of=("self",))
        .select_related("organisation", "created_by")
        .get(pk=entry.pk)
    )


def is_own(entry: Entry, user: User) -> bool:
    organisation_id = roles.organisation_id_of(user)
    return bool(organisation_id) and entry.organisation_id == organisation_id


def may_change(entry: Entry, user: User) -> bool:
    """Whether ``user`` may change the entry's fields, pictures and brochure now."""
    if roles.is_secretariat(user):
        return True
    return is_own(entry, user) and entry.status in MEMBER_CHANGEABLE


def check_may_change(entry: Entry, user: User) -> None:
    """Raise PermissionDenied for somebody else's entry, EntryError for a status that does
    not allow the organisation to change it."""
    if roles.is_secretariat(user):
        return
    if not is_own(entry, user):
        raise PermissionDenied
    if entry.status == EntryStatus.SUBMITTED:
        raise EntryError(
            _(
                "審査中のため変更できません。変更が必要な場合は、事務局に差し戻しを"
                "依頼してください。"
            ),
            code="under_review",
        )
    if entry.status == EntryStatus.ARCHIVED:
        raise EntryError(_("公開を終了した技術・製品は変更できません。"), code="archived")


def _check_staff(user: User) -> None:
    if not roles.is_secretariat(user):
        raise PermissionDenied


def mark_changed(entry: Entry, *, changed_by: User, now: dt.datetime) -> None:
    """A change of a locked entry's content: ``updated_at`` moves; a published entry changed
    by its organisation goes back to review."""
    entry.updated_at = now
    fields = ["updated_at"]
    if entry.status == EntryStatus.PUBLISHED and not roles.is_secretariat(changed_by):
        entry.status = EntryStatus.SUBMITTED
        entry.submitted_at = now
        fields += ["status", "submitted_at"]
    entry._history_user = changed_by
    entry.save(update_fields=fields)


def study_group_choices(entry: Entry):
    """Study groups an entry may name: those its organisation belongs to now (and the ones
    it names already, so that an edit never fails over a group the organisation left)."""
    groups = StudyGroup.objects.member_of(entry.organisation_id)
    if entry.pk:
        groups = groups | StudyGroup.objects.filter(catalogue_entries=entry)
    return groups.distinct()


def project_choices(entry: Entry, user: User):
    """Projects an entry may name: those ``user`` may see (and those it names already)."""
    projects = Project.objects.visible_to(user)
    if entry.pk:
        projects = Project.objects.filter(pk__in=projects.values("pk")) | Project.objects.filter(
            catalogue_entries=entry
        )
    return projects.distinct()


def _check_links(
    entry: Entry, user: User, study_groups: list[StudyGroup], projects: list[Project]
) -> None:
    allowed = set(study_group_choices(entry).values_list("pk", flat=True))
    if any(group.pk not in allowed for group in study_groups):
        raise EntryError(_("所属団体が加入していない研究会は選べません。"), code="study_group")
    allowed = set(project_choices(entry, user).values_list("pk", flat=True))
    if any(project.pk not in allowed for project in projects):
        raise EntryError(_("閲覧できない事業は選べません。"), code="project")


def _store_brochure(
    entry: Entry, upload: UploadedFile | None, remove: bool, previous: str
) -> list[str]:
    """Put the new brochure on the entry (not saved yet); the names of files to delete once the
    change commits."""
    from .images import validate_brochure

    stale = []
    if upload is not None:
        validate_brochure(upload)
        entry.brochure.save((upload.name or "").rsplit("/", 1)[-1][:150], upload, save=False)
    elif remove:
        entry.brochure = ""
    if previous and (upload is not None or remove):
        stale.append(previous)
    return stale


def _delete_file(storage: Storage, name: str) -> None:
    if storage.exists(name):
        storage.delete(name)


def _delete_on_commit(entry: Entry, names: list[str]) -> None:
    storage = entry.brochure.storage
    for name in names:
        transaction.on_commit(functools.partial(_delete_file, storage, name))


def _save_with_brochure(entry: Entry, written: str) -> None:
    try:
        entry.save()
    except Exception:
        if written:
            entry.brochure.storage.delete(written)
        raise


@transaction.atomic
def entry_create(
    *,
    entry: Entry,
    created_by: User,
    study_groups: Iterable[StudyGroup] = (),
    projects: Iterable[Project] = (),
    brochure: UploadedFile | None = None,
    now: dt.datetime | None = None,
) -> Entry:
    """Save a new draft of ``entry.organisation`` (a person of it, or staff) with its study
    groups, projects and brochure PDF: all of it, or nothing."""
    now = now or timezone.now()
    if not roles.is_secretariat(created_by) and not is_own(entry, created_by):
        raise PermissionDenied
    study_groups, projects = list(study_groups), list(projects)
    _check_links(entry, created_by, study_groups, projects)
    entry.status = EntryStatus.DRAFT
    entry.returned_reason = ""
    entry.submitted_at = entry.published_at = entry.reviewed_by = None
    entry.created_by = created_by
    entry.created_at = entry.updated_at = now
    entry.brochure = ""
    entry.full_clean()
    _store_brochure(entry, brochure, False, "")
    entry._history_user = created_by
    _save_with_brochure(entry, entry.brochure.name if brochure is not None else "")
    entry.study_groups.set(study_groups)
    entry.projects.set(projects)
    announce(entry_ids={entry.pk})
    return entry


@transaction.atomic
def entry_update(
    *,
    entry: Entry,
    changed_by: User,
    study_groups: Iterable[StudyGroup] = (),
    projects: Iterable[Project] = (),
    brochure: UploadedFile | None = None,
    remove_brochure: bool = False,
) -> Entry:
    """Save changes to an entry's fields, links and brochure (see the module docstring for who
    may, when). A published entry changed by its organisation goes back to review."""
    now = timezone.now()
    current = lock(entry)
    check_may_change(current, changed_by)
    study_groups, projects = list(study_groups), list(projects)
    # What the form does not edit stays as stored.
    for name in (
        "organisation_id",
        "status",
        "returned_reason",
        "submitted_at",
        "published_at",
        "reviewed_by_id",
        "created_by_id",
        "created_at",
    ):
        setattr(entry, name, getattr(current, name))
    entry.brochure = current.brochure.name or ""
    entry.organisation = current.organisation
    _check_links(entry, changed_by, study_groups, projects)
    entry.updated_at = now
    if entry.status == EntryStatus.PUBLISHED and not roles.is_secretariat(changed_by):
        entry.status = EntryStatus.SUBMITTED
        entry.submitted_at = now
    entry.full_clean()
    stale = _store_brochure(entry, brochure, remove_brochure, current.brochure.name)
    entry._history_user = changed_by
    _save_with_brochure(entry, entry.brochure.name if brochure is not None else "")
    entry.study_groups.set(study_groups)
    entry.projects.set(projects)
    _delete_on_commit(entry, stale)
    announce(entry_ids={entry.pk})
    return entry


@transaction.atomic
def entry_submit(*, entry: Entry, submitted_by: User, now: dt.datetime | None = None) -> Entry:
    """Send a draft to staff for review. Submitting an entry already in review changes
    nothing. The organisation must have been confirmed by staff."""
    now = now or timezone.now()
    current = lock(entry)
    if not roles.is_secretariat(submitted_by) and not is_own(current, submitted_by):
        raise PermissionDenied
    if current.status == EntryStatus.SUBMITTED:
        return current
    if current.status != EntryStatus.DRAFT:
        raise EntryError(_("下書きの技術・製品だけを提出できます。"), code="not_draft")
    if not current.organisation.is_confirmed:
        raise EntryError(
            _("所属団体が事務局の確認待ちのため、まだ提出できません。"), code="unconfirmed"
        )
    current.status = EntryStatus.SUBMITTED
    current.submitted_at = now
    current._history_user = submitted_by
    current.save(update_fields=["status", "submitted_at"])
    announce(entry_ids={current.pk})
    return current


@transaction.atomic
def entry_publish(*, entry: Entry, reviewed_by: User, now: dt.datetime | None = None) -> Entry:
    """Staff publish a submitted entry: it joins the public catalogue now."""
    _check_staff(reviewed_by)
    now = now or timezone.now()
    current = lock(entry)
    if current.status != EntryStatus.SUBMITTED:
        raise EntryError(_("審査待ちの技術・製品だけを公開できます。"), code="not_submitted")
    current.status = EntryStatus.PUBLISHED
    current.published_at = now
    first = current.first_published_at is None
    if first:
        current.first_published_at = now
    current.reviewed_by = reviewed_by
    current.returned_reason = ""
    current._history_user = reviewed_by
    current.save(
        update_fields=[
            "status",
            "published_at",
            "first_published_at",
            "reviewed_by",
            "returned_reason",
        ]
    )
    # Only a first publication moves a year's 新規掲載 (実績指標).
    announce(entry_ids={current.pk}, fiscal_years={fiscal_year_of(now)} if first else ())
    return current


def _send_returned(entry: Entry) -> None:
    """Tell the entry's creator why it came back (in Japanese), once the return commits."""
    creator = entry.created_by
    if creator is None:
        return
    person = roles.person_of(creator)
    recipients = sorted(
        {address for address in (creator.email, person.email if person else "") if address}
    )
    if not recipients:
        return
    with translation.override("ja"):
        context = {
            "entry": entry,
            "organisation": entry.organisation,
            "site_name": settings.KYOSO_SITE_NAME,
        }
        subject = render_to_string("projects/catalogue/email/returned_subject.txt", context)
        body = render_to_string("projects/catalogue/email/returned_body.txt", context)
    one_line = " ".join(subject.split())
    transaction.on_commit(
        lambda: send_mail(one_line, body, settings.DEFAULT_FROM_EMAIL, recipients)
    )


@transaction.atomic
def entry_return(*, entry: Entry, reviewed_by: User, reason: str) -> Entry:
    """Staff send a submitted entry back to draft. The reason is required: it is e-mailed to
    the entry's creator and shown on the draft."""
    _check_staff(reviewed_by)
    reason = (reason or "").strip()
    if not reason:
        raise EntryError(_("差し戻しの理由を入力してください。"), code="reason_required")
    current = lock(entry)
    if current.status != EntryStatus.SUBMITTED:
        raise EntryError(_("審査待ちの技術・製品だけを差し戻せます。"), code="not_submitted")
    current.status = EntryStatus.DRAFT
    current.returned_reason = reason
    current.reviewed_by = reviewed_by
    current._history_user = reviewed_by
    current.save(update_fields=["status", "returned_reason", "reviewed_by"])
    _send_returned(current)
    announce(entry_ids={current.pk})
    return current


@transaction.atomic
def entry_archive(*, entry: Entry, archived_by: User) -> Entry:
    """End the publication of a published entry (公開終了); staff or its organisation."""
    current = lock(entry)
    if not roles.is_secretariat(archived_by) and not is_own(current, archived_by):
        raise PermissionDenied
    if current.status != EntryStatus.PUBLISHED:
        raise EntryError(_("公開中の技術・製品だけを公開終了にできます。"), code="not_published")
    current.status = EntryStatus.ARCHIVED
    current._history_user = archived_by
    current.save(update_fields=["status"])
    announce(entry_ids={current.pk})
    return current


@transaction.atomic
def entry_search_text_refresh(
    *, organisation_id: int | None = None, organisation_ids: Iterable[int] = ()
) -> int:
    """Recompute the search text of organisations' entries (it holds the organisation's
    name): after a rename the catalogue finds them under the new name. Returns how many
    changed. The text is not part of the history, so a bulk update is enough."""
    ids = {*organisation_ids, *([organisation_id] if organisation_id else [])}
    entries = list(Entry.objects.filter(organisation_id__in=ids).select_related("organisation"))
    changed = []
    for entry in entries:
        text = entry.build_search_text()
        if text != entry.search_text:
            entry.search_text = text
            changed.append(entry)
    if changed:
        Entry.objects.bulk_update(changed, ["search_text"], batch_size=500)
        announce(entry_ids={entry.pk for entry in changed})
    return len(changed)
