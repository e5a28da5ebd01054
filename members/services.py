"""Writes of the members app. Every write that is more than one save() lives here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.fiscal import fiscal_year_of

from . import roles
from .models import AffiliationRequest, JoinRequest, Membership, Organisation, Person, StudyGroup
from .signals import membership_changed, organisation_changed, person_changed, study_group_changed

# What a member may change of their own organisation; the rest (name, 区分, 市内, 法人番号) feeds
# the reports and the directory and is the secretariat's to keep.
ORGANISATION_PROFILE_FIELDS = ("address", "website", "description", "contact")
# The fields the roll-up reads: a change to any of them is a domain event.
ORGANISATION_REPORT_FIELDS = ("sector", "is_local", "corporate_number", "name")


def _send_mail_on_commit(*, subject: str, body: str, to: list[str]) -> None:
    recipients = [address for address in to if address]
    if not recipients:
        return
    transaction.on_commit(
        lambda: send_mail(
            settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    )


def _notify_secretariat(template: str, subject: str, context: dict) -> None:
    """Every active secretariat member and administrator hears of a new request."""
    body = render_to_string(template, {**context, "site_name": settings.KYOSO_SITE_NAME})
    _send_mail_on_commit(subject=subject, body=body, to=roles.secretariat_emails())


@dataclass(frozen=True)
class OrganisationProposal:
    """What a person typed of their organisation (at sign-up, in a 所属申請), kept as typed: the
    server matches it to a registered organisation, or staff register it."""

    organisation_name: str
    sector: str
    is_local: bool
    corporate_number: str = ""
    address: str = ""


@transaction.atomic
def person_register(
    *,
    user: User,
    name: str,
    name_kana: str = "",
    department: str = "",
    organisation: OrganisationProposal,
) -> Person:
    """Create the Person behind a new account, with no organisation: what they typed of their
    organisation becomes an affiliation request (所属申請) for staff to decide."""
    person = Person.objects.create(
        user=user,
        name=name,
        name_kana=name_kana,
        email=user.email,
        department=department,
        organisation=None,
    )
    affiliation_request_submit(person=person, organisation=organisation)
    return person


@transaction.atomic
def affiliation_request_submit(
    *, person: Person, organisation: OrganisationProposal
) -> AffiliationRequest:
    """A person asks to belong to an organisation. The server matches what they typed (法人番号
    exactly, else the normalised name) for staff; the person is not told what matched."""
    if person.organisation_id:
        raise ValidationError(_("既に団体に所属しています。"))
    if AffiliationRequest.objects.pending().filter(person=person).exists():
        raise ValidationError(_("所属申請は既に審査中です。"))
    corporate_number = organisation.corporate_number or ""
    matches = list(
        Organisation.objects.matching(
            name=organisation.organisation_name, corporate_number=corporate_number
        )
        .order_by("-is_confirmed", "pk")
        .values_list("pk", "corporate_number")[:2]
    )
    # A 法人番号 match wins; a name alone decides only when it is unambiguous.
    by_number = [pk for pk, number in matches if corporate_number and number == corporate_number]
    matched = by_number[0] if by_number else (matches[0][0] if len(matches) == 1 else None)
    request = AffiliationRequest.objects.create(
        person=person,
        organisation_name=organisation.organisation_name,
        corporate_number=corporate_number,
        sector=organisation.sector,
        is_local=organisation.is_local,
        address=organisation.address,
        organisation_id=matched,
    )
    _notify_secretariat(
        "members/email/affiliation_request_new.txt",
        _("新しい所属申請があります"),
        {"affiliation_request": request},
    )
    return request


def _notify_person(person: Person, template: str, subject: str, context: dict) -> None:
    """E-mail a person (the address on their record, else their account's) after commit."""
    email = person.email or (person.user.email if person.user is not None else "")
    body = render_to_string(template, {**context, "site_name": settings.KYOSO_SITE_NAME})
    _send_mail_on_commit(subject=subject, body=body, to=[email])


def _notify_affiliation_applicant(request: AffiliationRequest, template: str, subject: str) -> None:
    _notify_person(request.person, template, subject, {"affiliation_request": request})


def _decide_affiliation(
    request: AffiliationRequest, *, status: str, decided_by: User, reason: str
) -> AffiliationRequest:
    request = (
        AffiliationRequest.objects.select_for_update().select_related("person").get(pk=request.pk)
    )
    if request.status != AffiliationRequest.Status.PENDING:
        raise ValidationError(_("この所属申請は既に審査済みです。"))
    request.status = status
    request.decided_by = decided_by
    request.decided_at = timezone.now()
    request.reason = reason
    return request


@transaction.atomic
def affiliation_request_approve(
    *,
    request: AffiliationRequest,
    decided_by: User,
    organisation: Organisation | None = None,
    new_organisation: bool = False,
    reason: str = "",
) -> AffiliationRequest:
    """Staff recognise the applicant as a person of ``organisation`` (the matched one when not
    given). With ``new_organisation`` (or nothing matched), the proposed organisation is
    registered from what the applicant typed. An unconfirmed organisation is confirmed by the
    same decision."""
    request = _decide_affiliation(
        request, status=AffiliationRequest.Status.APPROVED, decided_by=decided_by, reason=reason
    )
    organisation = None if new_organisation else organisation or request.organisation
    if organisation is None:
        organisation = organisation_create(
            name=request.organisation_name,
            sector=request.sector,
            is_local=request.is_local,
            address=request.address,
            corporate_number=request.corporate_number,
        )
    elif not organisation.is_confirmed:
        organisation_confirm(organisation=organisation)
    request.organisation = organisation
    request.save(update_fields=["status", "decided_by", "decided_at", "reason", "organisation"])
    person_set_organisation(person=request.person, organisation=organisation)
    _notify_affiliation_applicant(
        request, "members/email/affiliation_approved.txt", _("所属申請が承認されました")
    )
    return request


@transaction.atomic
def affiliation_request_reject(
    *, request: AffiliationRequest, decided_by: User, reason: str
) -> AffiliationRequest:
    """Reject with a reason, which the applicant receives by e-mail; they may apply again."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("却下の理由を入力してください。")})
    request = _decide_affiliation(
        request, status=AffiliationRequest.Status.REJECTED, decided_by=decided_by, reason=reason
    )
    request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    _notify_affiliation_applicant(
        request, "members/email/affiliation_rejected.txt", _("所属申請について")
    )
    return request


@transaction.atomic
def affiliation_request_withdraw(*, request: AffiliationRequest, person: Person) -> None:
    """The applicant takes back their own pending request."""
    request = AffiliationRequest.objects.select_for_update().get(pk=request.pk, person=person)
    if request.status != AffiliationRequest.Status.PENDING:
        raise ValidationError(_("この所属申請は既に審査済みです。"))
    request.status = AffiliationRequest.Status.WITHDRAWN
    request.save(update_fields=["status"])


@transaction.atomic
def person_set_organisation(*, person: Person, organisation: Organisation | None) -> Person:
    """Move a person to another organisation (or none). Their past attendance keeps the
    organisation they came for; the reports are told all the same."""
    old = person.organisation_id
    person.organisation = organisation
    person.save(update_fields=["organisation"])
    if old != person.organisation_id:
        person_changed.send(
            sender=Person, person_id=person.pk, organisation_ids={old, person.organisation_id}
        )
    return person


@transaction.atomic
def organisation_create(
    *,
    name: str,
    sector: str,
    is_local: bool,
    address: str = "",
    corporate_number: str = "",
    name_kana: str = "",
) -> Organisation:
    """Register an organisation (confirmed: only staff create organisations)."""
    organisation = Organisation(
        name=name,
        name_kana=name_kana,
        sector=sector,
        is_local=is_local,
        address=address,
        corporate_number=corporate_number or None,
        is_confirmed=True,
    )
    organisation.full_clean()
    organisation.save()
    organisation_announce(organisation=organisation)
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, changed_by: User | None, fields: dict
) -> Organisation:
    """Save an edit of an organisation. Members may change only ``ORGANISATION_PROFILE_FIELDS``;
    a change of a field the reports read (区分, 市内, 法人番号, name) sends
    ``organisation_changed``."""
    allowed = (
        None
        if changed_by is None or roles.is_secretariat(changed_by)
        else set(ORGANISATION_PROFILE_FIELDS)
    )
    if allowed is not None and not allowed.issuperset(fields):
        raise ValidationError(_("団体名・区分・市内/市外・法人番号は事務局だけが変更できます。"))
    current = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = [name for name, value in fields.items() if getattr(current, name) != value]
    for name in changed:
        setattr(organisation, name, fields[name])
    if changed:
        organisation.save(update_fields=changed)
    if set(changed) & set(ORGANISATION_REPORT_FIELDS):
        organisation_changed.send(sender=Organisation, organisation_id=organisation.pk)
    return organisation


def organisation_announce(*, organisation: Organisation) -> None:
    """Tell the reports of an organisation saved elsewhere (the Django admin's add form)."""
    organisation_changed.send(sender=Organisation, organisation_id=organisation.pk)


@transaction.atomic
def organisation_confirm(*, organisation: Organisation) -> Organisation:
    """Staff confirm an organisation proposed at sign-up (the reports do not read it: no
    domain event)."""
    organisation.is_confirmed = True
    organisation.save(update_fields=["is_confirmed"])
    return organisation


@transaction.atomic
def study_group_save(*, group: StudyGroup, fields: dict[str, object] | None = None) -> StudyGroup:
    """Create (an unsaved ``group``) or edit a study group, with ``fields`` (a form's cleaned
    data) set on it first. Moving a subcommittee under another parent changes which family its
    meetings count in: ``study_group_changed`` names the group."""
    old_parent = (
        StudyGroup.objects.filter(pk=group.pk).values_list("parent_id", flat=True).first()
        if group.pk
        else None
    )
    is_new = group.pk is None
    for name, value in (fields or {}).items():
        setattr(group, name, value)
    group.full_clean()
    group.save()
    if not is_new and old_parent != group.parent_id:
        study_group_changed.send(
            sender=StudyGroup,
            study_group_id=group.pk,
            parent_ids={old_parent, group.parent_id} - {None},
        )
    return group


@transaction.atomic
def study_group_toggle_applications(*, group: StudyGroup) -> StudyGroup:
    """Open or close a group's join applications (加入申込), whichever it is not now. The row is
    locked and read again, so two clicks at once open and close it rather than both opening.
    (The reports do not read it: no domain event.)"""
    current = StudyGroup.objects.select_for_update().only("applications_open").get(pk=group.pk)
    group.applications_open = not current.applications_open
    group.save(update_fields=["applications_open"])
    return group


def membership_fiscal_years(memberships: Iterable[Membership]) -> set[int]:
    """The fiscal years a set of memberships touches: the year each started and ended in.
    (Subscribers that count an organisation in the year of its first membership recount the
    later years as well.)"""
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
    before = Membership.objects.select_for_update().get(pk=membership.pk)
    membership.left_on = left_on or timezone.localdate()
    membership.full_clean()
    membership.save(update_fields=["left_on"])
    notify_membership_changed(membership_fiscal_years([before, membership]))
    return membership


@transaction.atomic
def membership_delete(*, membership: Membership) -> None:
    """Remove a membership entered by mistake (an ended one stays as history instead)."""
    years = membership_fiscal_years([membership])
    membership.delete()
    notify_membership_changed(years)


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    role: str | None = None,
    joined_on: dt.date | None = None,
    left_on: dt.date | None = None,
    clear_left_on: bool = False,
) -> Membership:
    """Staff change a membership's role or dates; both the old and the new years are stale."""
    before = Membership.objects.select_for_update().get(pk=membership.pk)
    if role is not None:
        membership.role = role
    if joined_on is not None:
        membership.joined_on = joined_on
    if left_on is not None or clear_left_on:
        membership.left_on = left_on
    membership.full_clean()
    membership.save(update_fields=["role", "joined_on", "left_on"])
    notify_membership_changed(membership_fiscal_years([before, membership]))
    return membership


@transaction.atomic
def join_request_submit(
    *, applicant: Person, study_group: StudyGroup, message: str = ""
) -> JoinRequest:
    """A person applies for their organisation to join a group whose applications are open."""
    if not applicant.organisation_id:
        raise ValidationError(_("所属団体が事務局に承認されてから申し込めます。"))
    if not study_group.applications_open:
        raise ValidationError(_("この研究会は現在、加入申込を受け付けていません。"))
    organisation = applicant.organisation
    assert organisation is not None  # (organisation_id checked above)
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
    join_request = JoinRequest.objects.create(
        applicant=applicant, organisation=organisation, study_group=study_group, message=message
    )
    _notify_secretariat(
        "members/email/join_request_new.txt",
        _("新しい加入申込があります"),
        {"join_request": join_request},
    )
    return join_request


def _notify_applicant(join_request: JoinRequest, template: str, subject: str) -> None:
    _notify_person(join_request.applicant, template, subject, {"join_request": join_request})


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
