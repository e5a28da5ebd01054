"""Reads of 公募, above all *who may see what*.

- The public sees calls that are not drafts (``Call.objects.public()``), and after the decision the
  adopted trials of a call; never applications, reviews or scores.
- A signed-in person of an organisation sees that organisation's applications (drafts included),
  nobody else's; another organisation's application is a 404.
- Secretariat staff and administrators see everything.
- Reviewers see only the applications assigned to them (``Application.objects.assigned_to``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from members import roles


class CallQuerySet(models.QuerySet):
    def public(self) -> CallQuerySet:
        from .models import CallStatus

        return self.exclude(status=CallStatus.DRAFT)

    def visible_to(self, user) -> CallQuerySet:
        if roles.is_secretariat(user):
            return self
        return self.public()

    def with_application_counts(self) -> CallQuerySet:
        """Annotate ``n_drafts`` and ``n_submitted``: the call's applications of each status."""
        from .models import ApplicationStatus

        def applications(status: ApplicationStatus) -> Count:
            return Count("applications", filter=Q(applications__status=status))

        return self.annotate(
            n_drafts=applications(ApplicationStatus.DRAFT),
            n_submitted=applications(ApplicationStatus.SUBMITTED),
        )


class ApplicationQuerySet(models.QuerySet):
    def with_totals(self) -> ApplicationQuerySet:
        """Annotate ``budget_total`` (the sum of the budget lines, 0 without lines) and
        ``n_attachments``: one subquery each, for lists of applications."""
        from .models import ApplicationAttachment, BudgetLine

        def per_application(model, aggregate) -> Coalesce:
            return Coalesce(
                Subquery(
                    model.objects.filter(application_id=OuterRef("pk"))
                    .values("application_id")
                    .annotate(value=aggregate)
                    .values("value")[:1],
                    output_field=IntegerField(),
                ),
                0,
            )

        return self.annotate(
            budget_total=per_application(BudgetLine, Sum("amount")),
            n_attachments=per_application(ApplicationAttachment, Count("pk")),
        )

    def submitted(self) -> ApplicationQuerySet:
        from .models import ApplicationStatus

        return self.filter(status=ApplicationStatus.SUBMITTED)

    def adopted_and_announced(self) -> ApplicationQuerySet:
        """Adopted applications whose decision has been sent: the public's news of a call, with
        the organisation, the project and the partners, in the order of their numbers."""
        from .models import Decision

        return (
            self.filter(decision=Decision.ADOPTED, decision_sent_at__isnull=False)
            .select_related("organisation", "project")
            .prefetch_related("partners")
            .order_by("sequence", "pk")
        )

    def of_organisation(self, organisation_id: int | None) -> ApplicationQuerySet:
        if not organisation_id:
            return self.none()
        return self.filter(organisation_id=organisation_id)

    def visible_to(self, user) -> ApplicationQuerySet:
        """Staff all; a person their own organisation's (reviewers: ``assigned_to``)."""
        if roles.is_secretariat(user):
            return self
        person = roles.affiliated_person_of(user)
        return self.of_organisation(person.organisation_id if person else None)

    def assigned_to(self, user) -> ApplicationQuerySet:
        """Submitted applications the user was assigned to review."""
        if not user.is_authenticated:
            return self.none()
        return self.submitted().filter(assignments__reviewer=user)


def challenges_with_calls() -> models.QuerySet:
    """The city's challenges, each with ``n_calls`` (the calls that name it), by department."""
    from .models import CityChallenge

    return CityChallenge.objects.annotate(n_calls=Count("calls")).order_by(
        "department", "title", "pk"
    )


def support_kinds_with_calls() -> models.QuerySet:
    """The support kinds in display order, each with ``n_calls`` (the calls that offer it)."""
    from .models import SupportKind

    return SupportKind.objects.annotate(n_calls=Count("calls")).order_by("order", "pk")


def reviewer_assignments(user) -> models.QuerySet:
    """A reviewer's assignments to submitted applications, each with ``n_scores`` (the criteria
    scored so far), the latest call first."""
    from .models import ApplicationStatus, ReviewAssignment

    return (
        ReviewAssignment.objects.filter(
            reviewer=user, application__status=ApplicationStatus.SUBMITTED
        )
        .select_related("application__call", "application__organisation")
        .annotate(n_scores=Count("scores"))
        .order_by("-application__call__opens_at", "application__sequence", "pk")
    )


def other_submitted_reviews(application, assignment) -> models.QuerySet:
    """The submitted reviews of ``application`` besides ``assignment``'s, with their scores and
    criteria."""
    from .models import ReviewScore

    return (
        application.assignments.exclude(pk=assignment.pk)
        .filter(submitted_at__isnull=False)
        .select_related("reviewer__person")
        .prefetch_related(
            Prefetch("scores", queryset=ReviewScore.objects.select_related("criterion"))
        )
    )


def with_review_counts(reviewers: models.QuerySet) -> models.QuerySet:
    """Annotate reviewers' accounts with ``n_assigned`` and ``n_submitted`` (their assignments,
    and those they submitted)."""
    return reviewers.annotate(
        n_assigned=Count("review_assignments", distinct=True),
        n_submitted=Count(
            "review_assignments",
            filter=Q(review_assignments__submitted_at__isnull=False),
            distinct=True,
        ),
    )
