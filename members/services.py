"""Writes of the members app. Every write that is more than one save() lives here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.fiscal import fiscal_year_of

from .models import JoinRequest, Membership, Organisation, Person, StudyGroup
from .signals import membership_changed


@transaction.atomic
def person_register(
    *,
    user: User,
    name: str,
    name_kana: str = "",
    department: str = "",
    organisation: Organisation | None = None,
    new_organisation_name: str = "",
    new_organisation_kana: str = "",
    new_organisation_sector: str = "",
    new_organisation_corporate_number: str = "",
) -> Person:
    """Create the Person behind a new account; a proposed organisation waits for staff."""
    if organisation is None:
        organisation = Organisation.objects.create(
            name=new_organisation_name,
            name_kana=new_organisation_kana,
            sector=new_organisation_sector,
            corporate_number=new_organisation_corporate_number or None,
            is_confirmed=False,
        )
    return Person.objects.create(
        user=user,
        name=name,
        name_kana=name_kana,
        email=user.email,
        department=department,
        organisation=organisation,
    )


def organisation_confirm(*, organisation: Organisation) -> Organisation:
    """Staff confirm an organisation proposed at sign-up; it then appears in the sign-up list."""
    organisation.is_confirmed = True
    organisation.save(update_fields=["is_confirmed"])
    return organisation


def membership_fiscal_years(memberships: Iterable[Membership]) -> set[int]:
    """The fiscal years a set of memberships touches: the year each started and ended in."""
    years: set[int] = set()
    for membership in memberships:
        years.add(fiscal_year_of(membership.joined_on))
        if membership.left_on:
            years.add(fiscal_year_of(membership.left_on))
    return years


def notify_membership_changed(fiscal_years: set[int]) -> None:
    """Tell subscribers (reports) which fiscal years' membership figures are stale."""
    if fiscal_years:
        membership_changed.send(sender=Membership, fiscal_years=set(fiscal_years))


@transaction.atomic
def membership_start(
    *,
    organisation: Organisation,
    study_group: StudyGroup,
    joined_on: dt.date | None = None,
    role: str = Membership.Role.MEMBER,
) -> Membership:
    """Make an organisation a member of a group; an already active membership is kept as is."""
    existing = Membership.objects.filter(
        organisation=organisation, study_group=study_group, left_on__isnull=True
    ).first()
    if existing:
        return existing
    membership = Membership.objects.create(
        organisation=organisation,
        study_group=study_group,
        role=role,
        joined_on=joined_on or timezone.localdate(),
    )
    notify_membership_changed(membership_fiscal_years([membership]))
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, left_on: dt.date | None = None) -> Membership:
    """End a membership on ``left_on`` (today by default); the row stays as history."""
    membership.left_on = left_on or timezone.localdate()
    membership.full_clean()
    membership.save(update_fields=["left_on"])
    notify_membership_changed(membership_fiscal_years([membership]))
    return membership


@transaction.atomic
def join_request_submit(
    *, applicant: Person, study_group: StudyGroup, message: str = ""
) -> JoinRequest:
    """A person applies for their organisation to join a group whose applications are open."""
    if not study_group.applications_open:
        raise ValidationError(_("この研究会は現在、加入申込を受け付けていません。"))
    organisation = applicant.organisation
    if (
        Membership.objects.active()
        .filter(organisation=organisation, study_group=study_group)
        .exists()
    ):
        raise ValidationError(_("所属団体は既にこの研究会の会員です。"))
    if (
        JoinRequest.objects.pending()
        .filter(organisation=organisation, study_group=study_group)
        .exists()
    ):
        raise ValidationError(_("この研究会への加入申込は既に審査中です。"))
    return JoinRequest.objects.create(
        applicant=applicant, organisation=organisation, study_group=study_group, message=message
    )


def _notify_applicant(join_request: JoinRequest, template: str, subject: str) -> None:
    email = join_request.applicant.email or (
        join_request.applicant.user.email if join_request.applicant.user_id else ""
    )
    if not email:
        return
    body = render_to_string(
        template, {"join_request": join_request, "site_name": settings.KYOSO_SITE_NAME}
    )
    transaction.on_commit(
        lambda: send_mail(
            settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
    )


def _decide(join_request: JoinRequest, *, status: str, decided_by: User, reason: str) -> None:
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("この加入申込は既に審査済みです。"))
    join_request.status = status
    join_request.decided_by = decided_by
    join_request.decided_at = timezone.now()
    join_request.reason = reason


@transaction.atomic
def join_request_approve(
    *, request: JoinRequest, decided_by: User, reason: str = ""
) -> JoinRequest:
    """Approve a pending request: the organisation becomes a member and the applicant is told."""
    request = JoinRequest.objects.select_for_update().get(pk=request.pk)
    _decide(request, status=JoinRequest.Status.APPROVED, decided_by=decided_by, reason=reason)
    request.membership = membership_start(
        organisation=request.organisation, study_group=request.study_group
    )
    request.save(update_fields=["status", "decided_by", "decided_at", "reason", "membership"])
    _notify_applicant(
        request,
        "members/email/join_request_approved.txt",
        _("研究会への加入申込が承認されました"),
    )
    return request


@transaction.atomic
def join_request_reject(*, request: JoinRequest, decided_by: User, reason: str) -> JoinRequest:
    """Reject a pending request with a reason, which the applicant receives by email."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("却下の理由を入力してください。")})
    request = JoinRequest.objects.select_for_update().get(pk=request.pk)
    _decide(request, status=JoinRequest.Status.REJECTED, decided_by=decided_by, reason=reason)
    request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    _notify_applicant(
        request,
        "members/email/join_request_rejected.txt",
        _("研究会への加入申込について"),
    )
    return request
