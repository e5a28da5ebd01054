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

from operator import attrgetter

from django.db import models
from django.db.models import Count, Q

from members import roles


class EntryQuerySet(models.QuerySet):
    def public(self) -> EntryQuerySet:
        """Published entries: what the public catalogue lists."""
        from .models import EntryStatus

        return self.filter(status=EntryStatus.PUBLISHED)

    def of_organisation(self, organisation_id: int | None) -> EntryQuerySet:
        if not organisation_id:
            return self.none()
        return self.filter(organisation_id=organisation_id)

    def visible_to(self, user) -> EntryQuerySet:
        """Staff all; a person of an organisation their organisation's and published ones;
        anyone else the published ones."""
        from .models import EntryStatus

        if roles.is_secretariat(user):
            return self
        organisation_id = roles.organisation_id_of(user)
        if not organisation_id:
            return self.public()
        return self.filter(Q(status=EntryStatus.PUBLISHED) | Q(organisation_id=organisation_id))

    def editable_by(self, user) -> EntryQuerySet:
        """Entries ``user`` may act on at all: staff every one, a person their organisation's."""
        if roles.is_secretariat(user):
            return self
        return self.of_organisation(roles.organisation_id_of(user))

    def submitted(self) -> EntryQuerySet:
        """The review queue: entries waiting for staff."""
        from .models import EntryStatus

        return self.filter(status=EntryStatus.SUBMITTED)

    def with_image_count(self) -> EntryQuerySet:
        """Annotate ``n_images``."""
        return self.annotate(n_images=Count("images"))

    def for_staff_list(self) -> EntryQuerySet:
        """What staff's lists show of each entry: organisation, category and ``n_images``."""
        return self.select_related("organisation", "category").with_image_count()

    def for_public_detail(self) -> EntryQuerySet:
        """What an entry's public page shows: its pictures in order, its study groups (with
        their parents) and projects, its awards; not the text it does not show."""
        from django.db.models import Prefetch

        from members.models import StudyGroup

        from ..models import Project
        from .models import EntryImage

        return (
            self.select_related("organisation", "category")
            .defer("search_text", "returned_reason")
            .prefetch_related(
                Prefetch("images", queryset=EntryImage.objects.order_by("order", "pk")),
                Prefetch(
                    "study_groups",
                    queryset=StudyGroup.objects.select_related("parent").order_by("order", "name"),
                ),
                Prefetch("projects", queryset=Project.objects.order_by("name", "pk")),
                awards_prefetch(),
            )
        )

    def for_detail(self) -> EntryQuerySet:
        """What the entry's own page (its organisation's and staff's) shows."""
        return self.select_related(
            "category", "organisation", "created_by", "reviewed_by"
        ).prefetch_related("images", "study_groups", "projects", awards_prefetch())


def organisations_publishing() -> models.QuerySet:
    """Confirmed organisations with a published entry in the public catalogue: the ones that
    have a public page."""
    from django.db.models import Exists, OuterRef

    from members.models import Organisation

    from .search import public_entries

    published = public_entries().filter(organisation=OuterRef("pk"))
    return Organisation.objects.confirmed().filter(Exists(published))


def status_counts() -> dict[str, int]:
    """How many entries there are of each status (statuses without entries left out)."""
    from .models import Entry

    return dict(
        Entry.objects.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )


def categories_with_use() -> models.QuerySet:
    """The categories in display order, each with ``n_entries`` (the entries filed under it)."""
    from .models import Category

    return Category.objects.annotate(n_entries=Count("entries")).order_by("order", "pk")


def entry_changes(entry) -> list:
    """The entry's 変更履歴 (the last hundred changes), for its organisation and staff."""
    from consortium.history import recent_changes

    from .models import Entry

    return recent_changes((Entry.history.filter(id=entry.pk), attrgetter("title")), limit=100)


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
