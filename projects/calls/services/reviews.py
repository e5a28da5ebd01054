"""Writes of review (審査): outside reviewers, assignments and scores.

- Staff register an outside reviewer (name + e-mail): an account in the ``reviewers`` group
  with no usable password, and an e-mail with a link to set one (allauth's password-reset key,
  so the link expires and works once like any reset link).
- Staff assign reviewers (reviewers or staff) to submitted applications. Nobody reviews an
  application of their own organisation or of one of its partners (利益相反): the service refuses
  and the message says which organisation (``conflict_of_interest``).
- A reviewer saves scores as a draft, then submits them; submitted scores are final. Review ends
  when the call's decisions are released.

Every write announces ``call_changed`` with the call's budget year once it commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members import roles
from members.models import Organisation

from ..models import Application, ReviewAssignment, ReviewScore
from .calls import announce


@dataclass(frozen=True)
class CriterionInput:
    """What a reviewer entered for one criterion: a score 1–5 (None while a draft) and a comment."""

    score: int | None
    comment: str = ""


# --- reviewers ------------------------------------------------------------------------------


def reviewer_name(user: User) -> str:
    """How a reviewer is shown: their person's name, else the account's name, else the e-mail."""
    person = roles.person_of(user)
    if person is not None and person.name:
        return person.name
    return user.get_full_name() or user.first_name or user.email or user.username


def set_password_url(*, user: User, site_url: str) -> str:
    """An absolute link to allauth's set-new-password page for ``user`` (a password-reset key)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return site_url.rstrip("/") + path


@transaction.atomic
def reviewer_register(*, name: str, email: str, registered_by: User, site_url: str) -> User:
    """Register an outside reviewer: a new account in the reviewers' group, its address verified
    (staff typed it, and the link goes to it), and a mail with a link to set the password.

    An address that already has an account is refused: staff who review need no registration,
    and making someone else's account a reviewer is a decision for the Django admin.
    """
    from allauth.account.models import EmailAddress

    name, email = name.strip(), email.strip()
    if not name:
        raise ValidationError({"name": _("氏名を入れてください。")})
    if (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    ):
        raise ValidationError(
            {"email": _("このメールアドレスのアカウントは既にあります。")}, code="exists"
        )
    user = User(username=f"reviewer-{uuid.uuid4().hex[:12]}", email=email, first_name=name[:150])
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=roles.REVIEWERS)[0])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)

    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "name": name,
            "url": set_password_url(user=user, site_url=site_url),
            "site_name": settings.KYOSO_SITE_NAME,
        }
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("審査員として登録されました")
        body = render_to_string("projects/calls/email/reviewer_registered.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email]))
    return user


def reviewer_accounts():
    """Everyone who may be assigned: active reviewers and secretariat staff, by name."""
    from django.db.models import Q

    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(groups__name__in=[roles.REVIEWERS, roles.SECRETARIAT, roles.ADMINISTRATORS])
            | Q(is_superuser=True)
        )
        .select_related("person__organisation")
        .prefetch_related("groups")
        .distinct()
        .order_by("first_name", "email", "pk")
    )


# --- assignments ----------------------------------------------------------------------------


def conflict_of_interest(
    *,
    reviewer: User,
    organisation: Organisation,
    partners: list[Organisation],
) -> str:
    """Why ``reviewer`` may not review an application of ``organisation`` with ``partners``,
    or "" when they may. Uses the reviewer's approved organisation (person)."""
    person = roles.affiliated_person_of(reviewer)
    if person is None:
        return ""
    if person.organisation_id == organisation.pk:
        return _("利益相反：応募団体（%(name)s）の所属です") % {"name": organisation.name}
    for partner in partners:
        if person.organisation_id == partner.pk:
            return _("利益相反：連携団体（%(name)s）の所属です") % {"name": partner.name}
    return ""


def _check_reviewable(application: Application) -> None:
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(_("提出済みの応募だけを審査できます。"), code="not_submitted")
    if application.call.decisions_released_at:
        raise ValidationError(_("結果を通知した公募の審査は変更できません。"), code="released")


@transaction.atomic
def review_assign(
    *, application: Application, reviewer: User, assigned_by: User
) -> ReviewAssignment:
    """Assign a reviewer (a reviewer account or staff) to a submitted application.

    Refused with the reason for a conflict of interest (the reviewer belongs to the applicant or
    to a partner organisation), for an account that may not review, and once the decisions are
    released. Assigning twice returns the existing assignment.
    """
    application = Application.objects.select_related("call", "organisation").get(pk=application.pk)
    _check_reviewable(application)
    if not reviewer.is_active or not roles.may_review(reviewer):
        raise ValidationError(_("審査員または事務局のアカウントだけを割り当てられます。"))
    conflict = conflict_of_interest(
        reviewer=reviewer,
        organisation=application.organisation,
        partners=list(application.partners.all()),
    )
    if conflict:
        raise ValidationError(conflict, code="conflict_of_interest")
    existing = ReviewAssignment.objects.filter(application=application, reviewer=reviewer).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            assignment = ReviewAssignment.objects.create(
                application=application, reviewer=reviewer, assigned_by=assigned_by
            )
    except IntegrityError:  # a concurrent assign of the same pair won
        return ReviewAssignment.objects.get(application=application, reviewer=reviewer)
    announce(fiscal_years={application.call.fiscal_year})
    return assignment


def review_assign_many(
    *, pairs: list[tuple[Application, User]], assigned_by: User
) -> tuple[int, list[str]]:
    """Assign each (application, reviewer) pair on its own (bulk assignment): the pairs that
    are refused do not stop the others. Returns how many were assigned and the refusals, each
    naming the application's number."""
    done, refusals = 0, []
    for application, reviewer in pairs:
        try:
            review_assign(application=application, reviewer=reviewer, assigned_by=assigned_by)
        except ValidationError as error:
            refusals += [f"{application.number}: {message}" for message in error.messages]
        else:
            done += 1
    return done, refusals


@transaction.atomic
def review_unassign(*, assignment: ReviewAssignment) -> None:
    """Take an application back from a reviewer who has not submitted (their draft goes too)."""
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("application__call")
        .get(pk=assignment.pk)
    )
    if assignment.submitted_at:
        raise ValidationError(_("審査を提出済みの審査員の割当は解除できません。"), code="submitted")
    if assignment.application.call.decisions_released_at:
        raise ValidationError(_("結果を通知した公募の審査は変更できません。"), code="released")
    year = assignment.application.call.fiscal_year
    assignment.delete()
    announce(fiscal_years={year})


# --- scores ---------------------------------------------------------------------------------


@transaction.atomic
def review_save(
    *,
    assignment: ReviewAssignment,
    scores: Mapping[int, CriterionInput],
    comment: str,
    submit: bool,
) -> ReviewAssignment:
    """Save a reviewer's scores (criterion id → input) and overall comment.

    A draft may leave criteria unscored; submitting needs every criterion of the call scored and
    makes the review final (read-only, visible to the other reviewers who submitted theirs).
    Refused when the reviewer now has a conflict of interest with the application.
    """
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("application__call", "application__organisation", "reviewer")
        .get(pk=assignment.pk)
    )
    application = assignment.application
    _check_reviewable(application)
    if assignment.submitted_at:
        raise ValidationError(_("提出済みの審査は変更できません。"), code="submitted")
    # A conflict can arise after the assignment (a partner added before the deadline, the
    # reviewer's affiliation approved later): checked again on every save.
    conflict = conflict_of_interest(
        reviewer=assignment.reviewer,
        organisation=application.organisation,
        partners=list(application.partners.all()),
    )
    if conflict:
        raise ValidationError(conflict, code="conflict_of_interest")
    criteria = list(application.call.criteria.all())
    if submit:
        missing = [
            c.name for c in criteria if (scores.get(c.pk) or CriterionInput(None)).score is None
        ]
        if missing:
            raise ValidationError(
                _("すべての審査項目に評点を付けてから提出してください（未入力: %(names)s）。")
                % {"names": "、".join(missing)},
                code="incomplete",
            )
    existing = {s.criterion_id: s for s in assignment.scores.all()}
    for criterion in criteria:
        entry = scores.get(criterion.pk) or CriterionInput(None)
        if entry.score is not None and not 1 <= entry.score <= 5:
            raise ValidationError(_("評点は1〜5で付けてください。"), code="score_range")
        current = existing.get(criterion.pk)
        if entry.score is None:
            if current is not None:
                current.delete()
            continue
        if current is None:
            ReviewScore.objects.create(
                assignment=assignment,
                criterion=criterion,
                score=entry.score,
                comment=entry.comment.strip(),
            )
        elif (current.score, current.comment) != (entry.score, entry.comment.strip()):
            current.score, current.comment = entry.score, entry.comment.strip()
            current.save(update_fields=["score", "comment"])
    assignment.comment = comment.strip()
    fields = ["comment"]
    if submit:
        assignment.submitted_at = timezone.now()
        fields.append("submitted_at")
    assignment.save(update_fields=fields)
    announce(fiscal_years={application.call.fiscal_year})
    return assignment
