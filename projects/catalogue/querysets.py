"""Reads of the catalogue (技術・製品・サービス一覧), above all *who may see what*.

- Everybody, signed in or not, sees published entries (``Entry.objects.public()``), their images
  and brochures.
- A person of an approved organisation also sees every entry of their own organisation, drafts,
  submitted, sent-back and archived ones included; another organisation's unpublished entry is a
  404.
- Secretariat staff and administrators see everything.

Who may change an entry (``editable_by``) is the entry's organisation's people and staff; which
status allows which change is the services' rule (``services.may_change``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from members import roles


class EntryQuerySet(models.QuerySet):
    def public(self) -> EntryQuerySet:
        """Published entries: what the public catalogue lists."""
        return self.filter(status="published")

    def of_organisation(self, organisation_id: int | None) -> EntryQuerySet:
        if not organisation_id:
            return self.none()
        return self.filter(organisation_id=organisation_id)

    def visible_to(self, user) -> EntryQuerySet:
        """Staff all; a person of an organisation their organisation's and published ones;
        anyone else the published ones."""
        if roles.is_secretariat(user):
            return self
        organisation_id = roles.organisation_id_of(user)
        if not organisation_id:
            return self.public()
        return self.filter(Q(status="published") | Q(organisation_id=organisation_id))

    def editable_by(self, user) -> EntryQuerySet:
        """Entries ``user`` may act on at all: staff every one, a person their organisation's."""
        if roles.is_secretariat(user):
            return self
        return self.of_organisation(roles.organisation_id_of(user))

    def submitted(self) -> EntryQuerySet:
        """The review queue: entries waiting for staff."""
        return self.filter(status="submitted")


def award_counts_by_year(awards) -> tuple[list[int], list[tuple[object, list[int], int]]]:
    """How many entries received each award in each fiscal year, for the awards page (one
    query of the grants): the years that have a grant, newest first, and per award (in the
    given order) its counts in those years and its total."""
    from .models import AwardGrant

    counts: dict[tuple[int, int], int] = {
        (award_id, year): n
        for award_id, year, n in AwardGrant.objects.order_by()
        .values("award_id", "fiscal_year")
        .annotate(n=models.Count("pk"))
        .values_list("award_id", "fiscal_year", "n")
    }
    years = sorted({year for _award, year in counts}, reverse=True)
    rows = []
    for award in awards:
        per_year = [counts.get((award.pk, year), 0) for year in years]
        rows.append((award, per_year, sum(per_year)))
    return years, rows


def awards_prefetch():
    """An entry's awards for its pages, newest year first, with the award's parent (one
    query for any number of entries)."""
    from django.db.models import Prefetch

    from .models import AwardGrant

    return Prefetch(
        "awards",
        queryset=AwardGrant.objects.select_related("award__parent").order_by(
            "-fiscal_year", "award__order", "award_id"
        ),
    )
