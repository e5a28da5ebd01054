"""Reads of the projects app, above all *who may see what*.

Visibility (one rule, used by every page and by the reports app):

- Secretariat staff and administrators see every project and agreement.
- A signed-in person sees the projects attached to a study group their organisation belongs to
  (``StudyGroup.objects.member_of``: active memberships and the subcommittees of those groups) and
  the projects their organisation leads or partners in. They see the agreements their
  organisation is a party to, and the agreements related to a project they can see.
- Everybody else (anonymous, or an account without a person) sees nothing here; the public sees
  ``is_public`` projects only through the public pages (``Project.objects.public()``), which show
  no amounts and no notes.

The signed document of an agreement is stricter: staff and members of a party organisation only
(``Agreement.objects.document_visible_to``).
"""

from __future__ import annotations

import datetime as dt
from operator import attrgetter
from typing import Any

from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from members import roles
from members.models import StudyGroup


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProjectQuerySet:
        """See the module docstring: staff all; people their groups' and their own projects."""
        if roles.is_secretariat(user):
            return self
        org_id = roles.organisation_id_of(user)
        if not org_id:
            return self.none()
        groups = StudyGroup.objects.member_of(org_id).values("pk")
        ids = self.model.objects.filter(
            Q(study_groups__in=groups) | Q(lead_organisation_id=org_id) | Q(partners__id=org_id)
        ).values("pk")
        return self.filter(pk__in=ids)

    def public(self) -> ProjectQuerySet:
        return self.filter(is_public=True)

    def with_current_phase(self) -> ProjectQuerySet:
        """Annotate ``current_phase_id`` and ``current_phase_name``: the latest transition by
        ``started_on`` (ties: the later recorded). One query; projects without phases get None."""
        from .models import PhaseTransition

        latest = PhaseTransition.objects.filter(project_id=OuterRef("pk")).order_by(
            "-started_on", "-recorded_at", "-pk"
        )
        return self.annotate(
            current_phase_id=Subquery(latest.values("phase_id")[:1]),
            current_phase_name=Subquery(latest.values("phase__name")[:1]),
        )

    def in_phase(self, phase_id: int) -> ProjectQuerySet:
        return self.with_current_phase().filter(current_phase_id=phase_id)

    def with_totals(self) -> ProjectQuerySet:
        """Annotate ``funding_total`` (the money that came: ``FundingQuerySet.paid``; None
        without any) and ``outcome_count`` (0 without outcomes): a subquery each, so that
        neither multiplies the rows of the other."""
        from .models import Funding, Outcome

        funding_total = Subquery(
            Funding.objects.paid()
            .filter(project_id=OuterRef("pk"))
            .values("project_id")
            .annotate(total=Sum("amount"))
            .values("total")[:1]
        )
        outcome_count = Coalesce(
            Subquery(
                Outcome.objects.filter(project_id=OuterRef("pk"))
                .values("project_id")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            0,
        )
        return self.annotate(funding_total=funding_total, outcome_count=outcome_count)

    def for_list(self) -> ProjectQuerySet:
        """What the list of projects shows: the current phase, the totals, the lead and the
        study groups, by name."""
        return (
            self.with_current_phase()
            .with_totals()
            .select_related("lead_organisation")
            .prefetch_related("study_groups__parent")
            .order_by("name")
        )

    def for_detail(self) -> ProjectQuerySet:
        """What the project's page shows: the current phase, the partners and groups, the
        phases gone through (with who recorded them), the money and the outcomes."""
        from .models import Funding, Outcome, PhaseTransition

        return (
            self.with_current_phase()
            .select_related("lead_organisation", "call_application__call")
            .prefetch_related(
                "partners",
                "study_groups__parent",
                Prefetch(
                    "phase_transitions",
                    queryset=PhaseTransition.objects.select_related("phase", "recorded_by"),
                ),
                Prefetch("fundings", queryset=Funding.objects.select_related("funder")),
                Prefetch("outcomes", queryset=Outcome.objects.prefetch_related("organisations")),
            )
        )

    def for_public_detail(self) -> ProjectQuerySet:
        """What the outreach page shows: no money, no notes, no one who recorded."""
        from .models import Outcome, PhaseTransition

        return (
            self.with_current_phase()
            .select_related("lead_organisation")
            .prefetch_related(
                "partners",
                Prefetch(
                    "phase_transitions", queryset=PhaseTransition.objects.select_related("phase")
                ),
                Prefetch("outcomes", queryset=Outcome.objects.prefetch_related("organisations")),
            )
        )


class FundingQuerySet(models.QuerySet):
    def paid(self) -> FundingQuerySet:
        """Money that came (or was granted): adopted, received or ended — not mere applications."""
        from .models import FundingStatus

        return self.filter(
            status__in=[FundingStatus.ADOPTED, FundingStatus.RECEIVED, FundingStatus.ENDED]
        )

    def for_export(self) -> FundingQuerySet:
        """The rows of the funding CSV: by project, fiscal year, funder (kana) and scheme."""
        return self.select_related("project", "funder").order_by(
            "project__name", "fiscal_year", "funder__name_kana", "scheme"
        )


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user) -> AgreementQuerySet:
        """Staff all; a person: their organisation's agreements and those of visible projects."""
        if roles.is_secretariat(user):
            return self
        org_id = roles.organisation_id_of(user)
        if not org_id:
            return self.none()
        from .models import Project

        projects = Project.objects.visible_to(user).values("pk")
        ids = self.model.objects.filter(
            Q(parties__organisation_id=org_id) | Q(projects__in=projects)
        ).values("pk")
        return self.filter(pk__in=ids)

    def document_visible_to(self, user) -> AgreementQuerySet:
        """Agreements whose signed document ``user`` may open: staff, or a party's person."""
        if roles.is_secretariat(user):
            return self
        org_id = roles.organisation_id_of(user)
        if not org_id:
            return self.none()
        return self.filter(
            pk__in=self.model.objects.filter(parties__organisation_id=org_id).values("pk")
        )

    def expiring_within(self, days: int = 90, *, today: dt.date | None = None) -> AgreementQuerySet:
        """Signed agreements whose term ends between today and ``days`` days from today
        (inclusive both ends). Auto-renewing ones are included: renewal is a decision too."""
        from .models import AgreementStatus

        today = today or timezone.localdate()
        return self.filter(
            status=AgreementStatus.SIGNED,
            term_end__gte=today,
            term_end__lte=today + dt.timedelta(days=days),
        ).order_by("term_end")

    def with_project_count(self) -> AgreementQuerySet:
        """Annotate ``n_projects``, the projects the agreement relates to."""
        return self.annotate(n_projects=Count("projects", distinct=True))


def may_open_document(user, agreement) -> bool:
    """Whether ``user`` may open the agreement's signed document (one query; none without a
    document)."""
    from .models import Agreement

    return bool(agreement.document) and (
        Agreement.objects.document_visible_to(user).filter(pk=agreement.pk).exists()
    )


def phases_with_use() -> models.QuerySet:
    """The phases in display order, each with ``n_transitions`` (how many times a project
    entered it)."""
    from .models import Phase

    return Phase.objects.annotate(n_transitions=Count("transitions"))


def _funding_label(record: Any) -> str:
    # A historical Funding row (django-simple-history builds the class: untyped).
    from consortium.fiscal import fiscal_label

    return f"{fiscal_label(record.fiscal_year)} {record.funder.name} {record.scheme}"


def project_changes(project) -> list:
    """The project's 変更履歴 for staff: funding and outcomes (who changed what, when)."""
    from consortium.history import recent_changes

    from .models import Funding, Outcome

    return recent_changes(
        (
            Funding.history.filter(project_id=project.pk).select_related("funder"),
            _funding_label,
        ),
        (Outcome.history.filter(project_id=project.pk), attrgetter("title")),
    )


def agreement_changes(agreement) -> list:
    """The agreement's 変更履歴 for staff."""
    from consortium.history import recent_changes

    from .models import Agreement

    return recent_changes((Agreement.history.filter(id=agreement.pk), attrgetter("title")))
