"""Writes of applications (応募): drafts with their budget, PDF attachments, and submission.

Nothing of an application is created, changed, submitted, attached or removed unless its call
is open (published, and the server's clock between ``opens_at`` and ``closes_at``). Submitting
gives the number ``<budget year>-<code>-<seq>`` (2026-T-007) once: the sequence is taken under a
lock of the call's row, so two submissions at the same moment never share a number, and a
second submit of the same application changes nothing and sends no second receipt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from consortium.uploads import validate_upload
from members import roles
from members.models import Organisation

from ..models import Application, ApplicationAttachment, BudgetLine, Call, SupportKind
from .calls import announce


class ApplicationError(ValidationError):
    """The application cannot be written (call not open, organisation not admitted …)."""


@dataclass(frozen=True)
class ApplicationParts:
    """What an application holds besides its own fields, as its form sends them: the partner
    organisations, the support asked for, the budget lines (new or changed) and the PDFs to
    attach."""

    partners: Iterable[Organisation] = ()
    requested_support: Iterable[SupportKind] = ()
    budget_lines: Sequence[BudgetLine] = ()
    attachments: Sequence[UploadedFile] = ()


def yen_label(amount: int) -> str:
    """1,000,000円."""
    return _("%(amount)s円") % {"amount": f"{amount:,}"}


def check_open(call: Call, *, now: dt.datetime | None = None) -> None:
    """Raise ApplicationError unless the call takes applications at ``now``."""
    now = now or timezone.now()
    if call.status != Call.Status.PUBLISHED:
        raise ApplicationError(
            _("この公募は受付をしていません。応募の作成・変更・提出はできません。"),
            code="not_published",
        )
    if now < call.opens_at:
        raise ApplicationError(_("この公募の受付はまだ始まっていません。"), code="not_yet_open")
    if now >= call.closes_at:
        raise ApplicationError(
            _("この公募は締切を過ぎています。応募の作成・変更・提出・添付資料の変更はできません。"),
            code="closed",
        )


def check_applicant(call: Call, organisation: Organisation | None) -> None:
    """Raise ApplicationError unless ``organisation`` may apply to ``call``."""
    if organisation is None:
        raise ApplicationError(
            _("応募するには、団体への所属が事務局に承認されている必要があります。"),
            code="no_organisation",
        )
    if not organisation.is_confirmed:
        raise ApplicationError(
            _("所属団体が事務局の確認待ちのため、まだ応募できません。"), code="unconfirmed"
        )
    if not call.admits_sector(organisation.sector):
        raise ApplicationError(
            _("この公募は「%(sector)s」の団体からの応募を受け付けていません。"),
            code="sector",
            params={"sector": organisation.get_sector_display()},
        )


def check_budget_total(total: int, maximum: int) -> None:
    """Raise ValidationError when the budget's total is over the call's maximum."""
    if total > maximum:
        raise ValidationError(
            _("経費の合計 %(total)s が支援上限額 %(maximum)s を超えています。"),
            code="over_maximum",
            params={"total": yen_label(total), "maximum": yen_label(maximum)},
        )


def _save_budget(
    application: Application,
    lines: Sequence[BudgetLine],
    deleted: Sequence[BudgetLine],
) -> None:
    for line in deleted:
        if line.pk and line.application_id == application.pk:
            line.delete()
    for order, line in enumerate(lines, start=1):
        line.application = application
        line.order = line.order or order
        line.full_clean()
        line.save()
    total = sum(application.budget_lines.values_list("amount", flat=True))
    check_budget_total(total, application.call.max_amount)


def _check_choices(
    application: Application,
    partners: Iterable[Organisation],
    requested_support: Iterable[SupportKind],
) -> None:
    call = application.call
    if any(p.pk == application.organisation_id or not p.is_confirmed for p in partners):
        raise ApplicationError(
            _("連携団体には、応募団体以外の確認済みの団体を選んでください。"), code="partner"
        )
    offered = set(call.support_kinds.values_list("pk", flat=True))
    if any(kind.pk not in offered for kind in requested_support):
        raise ApplicationError(_("この公募で提供していない支援は選べません。"), code="support_kind")
    if (
        application.challenge_id
        and not call.challenges.filter(pk=application.challenge_id).exists()
    ):
        raise ApplicationError(_("この公募の対象ではない課題は選べません。"), code="challenge")


def _touch(application: Application, now: dt.datetime) -> None:
    application.updated_at = now
    application.save(update_fields=["updated_at"])


@transaction.atomic
def application_create(
    *,
    application: Application,
    created_by: User | None,
    parts: ApplicationParts | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """Save a new draft (``application.call`` and ``.organisation`` set) with its ``parts``
    (partners, requested support, budget lines and PDF attachments): all of it, or nothing."""
    now = now or timezone.now()
    parts = parts or ApplicationParts()
    call = Call.objects.get(pk=application.call_id)
    application.call = call
    check_open(call, now=now)
    check_applicant(call, application.organisation)
    partners, requested_support = list(parts.partners), list(parts.requested_support)
    _check_choices(application, partners, requested_support)
    application.status = Application.Status.DRAFT
    application.created_by = created_by
    application.created_at = application.updated_at = now
    application.full_clean()
    application.save()
    application.partners.set(partners)
    application.requested_support.set(requested_support)
    _save_budget(application, parts.budget_lines, ())
    _attach(application, parts.attachments, now)
    announce(fiscal_years={call.fiscal_year})
    return application


@transaction.atomic
def application_update(
    *,
    application: Application,
    parts: ApplicationParts | None = None,
    budget_lines_deleted: Sequence[BudgetLine] = (),
    now: dt.datetime | None = None,
) -> Application:
    """Save changes to an application (a draft, or a submitted one until the deadline; the
    number stays). ``parts.budget_lines`` are new or changed lines, ``budget_lines_deleted`` the
    removed ones; the total may not exceed the call's maximum."""
    now = now or timezone.now()
    parts = parts or ApplicationParts()
    call = Call.objects.select_for_update().get(pk=application.call_id)
    application.call = call
    check_open(call, now=now)
    current = Application.objects.select_for_update().get(pk=application.pk)
    if current.status == Application.Status.WITHDRAWN:
        raise ApplicationError(_("取り下げた応募は変更できません。"), code="withdrawn")
    partners, requested_support = list(parts.partners), list(parts.requested_support)
    _check_choices(application, partners, requested_support)
    # What the form does not edit stays as stored.
    for name in (
        "status",
        "number",
        "sequence",
        "submitted_at",
        "organisation_id",
        "created_by_id",
    ):
        setattr(application, name, getattr(current, name))
    application.updated_at = now
    application.full_clean()
    application.save()
    application.partners.set(partners)
    application.requested_support.set(requested_support)
    _save_budget(application, parts.budget_lines, budget_lines_deleted)
    _attach(application, parts.attachments, now)
    announce(fiscal_years={call.fiscal_year})
    return application


def _receipt_recipients(application: Application, submitted_by: User | None) -> list[str]:
    emails = []
    if submitted_by is not None and submitted_by.email:
        emails.append(submitted_by.email)
    person = roles.person_of(submitted_by) if submitted_by is not None else None
    if person is not None and person.email:
        emails.append(person.email)
    creator = application.created_by
    if creator is not None and creator.email:
        emails.append(creator.email)
    return sorted(set(emails))


def _send_receipt(application: Application, submitted_by: User | None) -> None:
    """The receipt (受付番号) in Japanese, sent once the submission has committed."""
    recipients = _receipt_recipients(application, submitted_by)
    if not recipients:
        return
    with translation.override("ja"):
        context = {
            "application": application,
            "call": application.call,
            "organisation": application.organisation,
            "site_name": settings.KYOSO_SITE_NAME,
        }
        subject = render_to_string("projects/calls/email/receipt_subject.txt", context).strip()
        body = render_to_string("projects/calls/email/receipt_body.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))


@transaction.atomic
def application_submit(
    *, application: Application, submitted_by: User | None, now: dt.datetime | None = None
) -> Application:
    """Submit an application while its call is open and give it the next number of the call.

    The call's row is locked first, so concurrent submissions take the sequence one after the
    other (the unique constraint on call + sequence backs this up). Submitting an application
    that already has its number returns it as it is: no new number, no second receipt.
    """
    now = now or timezone.now()
    call = Call.objects.select_for_update().get(pk=application.call_id)
    current = (
        Application.objects.select_for_update(of=("self",))
        .select_related("organisation", "created_by")
        .get(pk=application.pk)
    )
    if current.status == Application.Status.SUBMITTED and current.number:
        return current
    check_open(call, now=now)
    if current.status == Application.Status.WITHDRAWN:
        raise ApplicationError(_("取り下げた応募は提出できません。"), code="withdrawn")
    check_applicant(call, current.organisation)
    total = sum(current.budget_lines.values_list("amount", flat=True))
    check_budget_total(total, call.max_amount)
    last = call.applications.aggregate(last=Max("sequence"))["last"] or 0
    current.sequence = last + 1
    current.number = f"{call.fiscal_year}-{call.number_code}-{current.sequence:03d}"
    current.status = Application.Status.SUBMITTED
    current.submitted_at = current.updated_at = now
    current.call = call
    current.save(update_fields=["sequence", "number", "status", "submitted_at", "updated_at"])
    _send_receipt(current, submitted_by)
    announce(fiscal_years={call.fiscal_year})
    return current


def validate_attachment(upload: UploadedFile) -> None:
    """A real PDF (by its first bytes, not only its name) within the size limit."""
    validate_upload(upload, kinds=("pdf",), max_bytes=settings.KYOSO_CALL_ATTACHMENT_MAX_BYTES)


def _attach(
    application: Application, uploads: Sequence[UploadedFile], now: dt.datetime
) -> list[ApplicationAttachment]:
    """Check every file first, then write them: a bad second file leaves no first one behind.
    Called last in its transaction, so nothing after it can roll the rows back."""
    for upload in uploads:
        validate_attachment(upload)
    limit = settings.KYOSO_CALL_ATTACHMENT_MAX_FILES
    if uploads and application.attachments.count() + len(uploads) > limit:
        raise ApplicationError(
            _("添付資料は%(n)s件までです。不要な資料を削除してから追加してください。"),
            code="too_many_files",
            params={"n": limit},
        )
    saved: list[ApplicationAttachment] = []
    for upload in uploads:
        name = (upload.name or "").rsplit("/", 1)[-1][:200]
        attachment = ApplicationAttachment(
            application=application, name=name, size=upload.size or 0, uploaded_at=now
        )
        attachment.file.save(name, upload, save=False)
        try:
            attachment.save()
        except Exception:
            for written in [*saved, attachment]:
                written.file.storage.delete(written.file.name)
            raise
        saved.append(attachment)
    return saved


@transaction.atomic
def attachment_add(
    *, application: Application, upload: UploadedFile, now: dt.datetime | None = None
) -> ApplicationAttachment:
    """Attach a PDF to an application of an open call (kept in private storage)."""
    now = now or timezone.now()
    call = Call.objects.select_for_update().get(pk=application.call_id)
    check_open(call, now=now)
    _touch(application, now)
    (attachment,) = _attach(application, [upload], now)
    announce(fiscal_years={call.fiscal_year})
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: ApplicationAttachment, now: dt.datetime | None = None) -> None:
    """Remove an attachment while the call is open; the file goes once the removal commits."""
    now = now or timezone.now()
    application = attachment.application
    call = Call.objects.select_for_update().get(pk=application.call_id)
    check_open(call, now=now)
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    _touch(application, now)
    if name:
        transaction.on_commit(lambda: storage.delete(name) if storage.exists(name) else None)
    announce(fiscal_years={call.fiscal_year})
