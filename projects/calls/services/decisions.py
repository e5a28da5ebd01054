"""Writes of decisions (採択 / 不採択 / 補欠), their release, and adoption into a project.

Staff record a decision per submitted application with the message the applicant will read; it
can be changed until the call's decisions are released. Nothing is sent on save. Releasing sends
every decision e-mail of the call in one batch, once (the call row is locked; a second release
finds ``decisions_released_at`` set and sends nothing), and turns each adopted application into a
project in the 実証 phase with a grant in the call's budget year (``application_adopt``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ...models import Funding, Phase, PhaseTransition, Project
from ...signals import funding_changed, project_changed
from ..models import Application, Call
from .calls import announce

DEMONSTRATION_PHASE = "実証"


@dataclass(frozen=True)
class ReleaseSummary:
    """How many decisions of each kind a release sends (or sent)."""

    adopted: int
    rejected: int
    reserve: int
    without_address: int  # applications whose creator has no e-mail address: nothing sent

    @property
    def total(self) -> int:
        return self.adopted + self.rejected + self.reserve


def _released_error() -> ValidationError:
    return ValidationError(_("結果を通知した後は審査結果を変更できません。"), code="released")


@transaction.atomic
def application_decide(
    *,
    application: Application,
    decision: str,
    message: str,
    decided_by: User,
    project: Project | None = None,
) -> Application:
    """Record (or change) the decision on a submitted application, before the release.

    ``project``: for an adopted application, an existing project it should become (instead of a
    new one) when the decisions are released. Nothing is sent here.
    """
    # The call first, as the release locks it: the release and a late decision wait in turn.
    call = Call.objects.select_for_update().get(pk=application.call_id)
    application = Application.objects.select_for_update().get(pk=application.pk)
    application.call = call
    if call.decisions_released_at:
        raise _released_error()
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(
            _("提出済みの応募だけに審査結果を付けられます。"), code="not_submitted"
        )
    if decision not in Application.Decision.values:
        raise ValidationError(_("審査結果を選んでください。"), code="decision")
    if project is not None:
        if decision != Application.Decision.ADOPTED:
            raise ValidationError(
                {"project": _("既存の事業を選べるのは採択の場合だけです。")}, code="project"
            )
        taken = Application.objects.filter(project=project).exclude(pk=application.pk)
        if taken.exists():
            raise ValidationError(
                {"project": _("この事業は既に別の応募に紐づいています。")}, code="project_taken"
            )
    application.decision = decision
    application.decision_message = message.strip()
    application.decided_at = timezone.now()
    application.decided_by = decided_by
    application.project = project if decision == Application.Decision.ADOPTED else None
    application.save(
        update_fields=["decision", "decision_message", "decided_at", "decided_by", "project"]
    )
    announce(fiscal_years={call.fiscal_year})
    return application


def release_summary(*, call: Call) -> ReleaseSummary:
    """What releasing the call's decisions would send now (for the confirmation step)."""
    submitted = Application.objects.filter(call=call).submitted()
    counts = Counter(submitted.exclude(decision="").values_list("decision", flat=True))
    without = submitted.exclude(decision="").filter(created_by__email="").count()
    without += submitted.exclude(decision="").filter(created_by__isnull=True).count()
    return ReleaseSummary(
        adopted=counts[Application.Decision.ADOPTED],
        rejected=counts[Application.Decision.REJECTED],
        reserve=counts[Application.Decision.RESERVE],
        without_address=without,
    )


def release_problems(*, call: Call) -> list[str]:
    """Why the call's decisions cannot be released now (empty when they can)."""
    problems = []
    if call.decisions_released_at:
        problems.append(_("この公募の結果は通知済みです。"))
        return problems
    if call.is_open():
        problems.append(_("募集期間中は結果を通知できません。先に締め切ってください。"))
    submitted = Application.objects.filter(call=call).submitted()
    if not submitted.exists():
        problems.append(_("提出された応募がありません。"))
    undecided = list(submitted.filter(decision="").values_list("number", flat=True))
    if undecided:
        problems.append(
            _(
                "審査結果が未入力の応募が%(n)s件あります（%(numbers)s）。すべて入力してから通知してください。"
            )
            % {"n": len(undecided), "numbers": "、".join(undecided)}
        )
    return problems


def _decision_mail(application: Application) -> EmailMessage | None:
    user = application.created_by
    if user is None or not user.email:
        return None
    context = {
        "application": application,
        "call": application.call,
        "name": application.organisation.name,
        "site_name": settings.KYOSO_SITE_NAME,
    }
    subject = (
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
        + render_to_string("projects/calls/email/decision_subject.txt", context).strip()
    )
    body = render_to_string("projects/calls/email/decision_body.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def _send_batch(messages: list[EmailMessage]) -> None:
    """All the messages over one connection, after the transaction commits."""
    if not messages:
        return
    transaction.on_commit(lambda: get_connection().send_messages(messages))


@transaction.atomic
def call_release_decisions(*, call: Call, released_by: User) -> ReleaseSummary | None:
    """Send every decision of the call at once and mark the call 結果公表.

    Refused (ValidationError with the reasons) while any submitted application lacks a decision,
    during the application period, or without submitted applications. Returns None, sending
    nothing, when the decisions were already released (a double submit). Adopted applications
    become projects (``application_adopt``) dated the release day in Japan.
    """
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.decisions_released_at:
        return None
    problems = release_problems(call=call)
    if problems:
        raise ValidationError(problems, code="not_releasable")
    now = timezone.now()
    applications = list(
        Application.objects.filter(call=call)
        .submitted()
        .select_related("call", "organisation", "created_by", "project")
        .order_by("sequence", "pk")
    )
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for application in applications:
            application.call = call
            if application.decision == Application.Decision.ADOPTED:
                application_adopt(application=application, released_at=now, adopted_by=released_by)
            application.decision_sent_at = now
            application.save(update_fields=["decision_sent_at"])
            mail = _decision_mail(application)
            if mail is not None:
                messages.append(mail)
    call.decisions_released_at = now
    call.status = Call.Status.DECIDED
    call.save(update_fields=["decisions_released_at", "status"])
    _send_batch(messages)
    announce(fiscal_years={call.fiscal_year})
    counts = Counter(a.decision for a in applications)
    return ReleaseSummary(
        adopted=counts[Application.Decision.ADOPTED],
        rejected=counts[Application.Decision.REJECTED],
        reserve=counts[Application.Decision.RESERVE],
        without_address=len(applications) - len(messages),
    )


def adopted_amount(application: Application) -> int:
    """The grant: the application's budget total, at most the call's maximum."""
    total = application.budget_lines.aggregate(total=Sum("amount"))["total"] or 0
    return min(total, application.call.max_amount)


@transaction.atomic
def application_adopt(
    *, application: Application, released_at: dt.datetime, adopted_by: User | None
) -> Project:
    """Make an adopted application a project (or use the project staff chose for it).

    A new project takes the proposal's title and summary, the applicant as lead organisation,
    the partners and the call's study group; a chosen project keeps its lead (or takes the
    applicant as lead if it had none) and gains the applicant and the partners as partners.
    Either way the project enters 実証 on the release day (unless that is already its current
    phase) and gets the call's grant as funding in the call's budget year (the row for the same
    funder and scheme is updated if it exists).
    """
    call = application.call
    started_on = timezone.localdate(released_at)
    project = application.project
    if project is None:
        project = Project(
            name=application.title[:200],
            theme=call.theme,
            description=application.summary,
            lead_organisation=application.organisation,
        )
        project.full_clean()
        project.save()
        project.partners.set(application.partners.all())
        if call.study_group_id:
            project.study_groups.set([call.study_group_id])
        application.project = project
        application.save(update_fields=["project"])
    else:
        # A project staff chose keeps its lead (the applicant leads one that had none); the
        # applicant and the partners join it.
        if project.lead_organisation_id is None:
            project.lead_organisation = application.organisation
            project.save(update_fields=["lead_organisation"])
        joining = [application.organisation, *application.partners.all()]
        project.partners.add(*(o for o in joining if o.pk != project.lead_organisation_id))
    phase = Phase.objects.filter(name=DEMONSTRATION_PHASE).first()
    if phase is None:
        raise ValidationError(
            _("段階「%(name)s」がないため採択事業を登録できません。")
            % {"name": DEMONSTRATION_PHASE}
        )
    latest = project.phase_transitions.order_by("-started_on", "-recorded_at", "-pk").first()
    if latest is None or latest.phase_id != phase.pk:
        PhaseTransition.objects.create(
            project=project,
            phase=phase,
            started_on=started_on,
            note=_("公募「%(call)s」の採択（%(number)s）")
            % {"call": call.title, "number": application.number},
            recorded_by=adopted_by,
        )
    funding, _created = Funding.objects.get_or_create(
        project=project,
        fiscal_year=call.fiscal_year,
        funder_id=call.funder_id,
        scheme=call.title[:200],
        defaults={"kind": Funding.Kind.GRANT, "status": Funding.Status.ADOPTED},
    )
    funding.kind = Funding.Kind.GRANT
    funding.status = Funding.Status.ADOPTED
    funding.amount = adopted_amount(application)
    funding.save()
    funding_changed.send(sender=Funding, fiscal_years={call.fiscal_year})
    project_changed.send(sender=Project, project_ids={project.pk})
    announce(fiscal_years={call.fiscal_year})
    return project
