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
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from members import roles


class CallQuerySet(models.QuerySet):
    def public(self) -> CallQuerySet:
        return self.exclude(status="draft")

    def visible_to(self, user) -> CallQuerySet:
        if roles.is_secretariat(user):
            return self
        return self.public()


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
        return self.filter(status="submitted")

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
