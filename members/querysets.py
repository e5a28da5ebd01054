"""Reads and visibility for the partner directory: who may see which organisation and group."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from . import roles

if TYPE_CHECKING:
    from .models import Organisation, StudyGroup


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user) -> OrganisationQuerySet:
        """Staff see every organisation; a person sees their own; the public sees none."""
        if roles.is_secretariat(user):
            return self
        org_id = roles.organisation_id_of(user)
        return self.filter(pk=org_id) if org_id else self.none()

    def editable_by(self, user) -> OrganisationQuerySet:
        return self.visible_to(user)

    def confirmed(self) -> OrganisationQuerySet:
        return self.filter(is_confirmed=True)

    def unconfirmed(self) -> OrganisationQuerySet:
        """Proposed at sign-up and not yet confirmed by staff, newest first (the staff queue)."""
        return self.filter(is_confirmed=False).order_by("-created_at")

    def matching(self, *, name: str = "", corporate_number: str = "") -> OrganisationQuerySet:
        """Organisations a typed name or 法人番号 may mean: the 法人番号 exactly, or the same
        normalised name (``matching.organisation_name_key``)."""
        from .matching import organisation_name_key

        condition = Q()
        if corporate_number:
            condition |= Q(corporate_number=corporate_number)
        key = organisation_name_key(name)
        if key:
            condition |= Q(name_key=key)
        return self.filter(condition) if condition else self.none()

    def candidates(self, *, name: str = "", corporate_number: str = "", limit: int = 5) -> list:
        """For staff deciding an affiliation request: exact matches first, then organisations
        whose normalised name contains the typed one or is contained in it."""
        from .matching import organisation_name_key

        exact = list(self.matching(name=name, corporate_number=corporate_number)[:limit])
        key = organisation_name_key(name)
        if len(exact) >= limit or len(key) < 2:
            return exact
        similar = (
            self.filter(name_key__contains=key)
            .exclude(pk__in=[o.pk for o in exact])
            .order_by("name_kana", "name")[: limit - len(exact)]
        )
        return exact + list(similar)


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user) -> PersonQuerySet:
        if roles.is_secretariat(user):
            return self
        org_id = roles.organisation_id_of(user)
        return self.filter(organisation_id=org_id) if org_id else self.none()


class StudyGroupQuerySet(models.QuerySet):
    def top_level(self) -> StudyGroupQuerySet:
        return self.filter(parent__isnull=True)

    def with_family(self) -> StudyGroupQuerySet:
        return self.select_related("parent")

    def member_of(self, organisation_id: int | None) -> StudyGroupQuerySet:
        """Groups the organisation belongs to now, and the subcommittees of those groups."""
        if not organisation_id:
            return self.none()
        today = timezone.localdate()
        # One filter() call, so both conditions apply to the same membership row.
        ids = self.model.objects.filter(
            Q(memberships__organisation_id=organisation_id),
            Q(memberships__joined_on__lte=today),
            Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gt=today),
        ).values("pk")
        return self.filter(Q(pk__in=ids) | Q(parent_id__in=ids))


class MembershipQuerySet(models.QuerySet):
    def active(self, on: dt.date | None = None) -> MembershipQuerySet:
        on = on or timezone.localdate()
        return self.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))

    def members_of(self, group: StudyGroup) -> MembershipQuerySet:
        """The group's current member organisations, in kana order (the group's page)."""
        return (
            self.active()
            .filter(study_group=group)
            .select_related("organisation")
            .order_by("organisation__name_kana", "organisation__name")
        )


class AffiliationRequestQuerySet(models.QuerySet):
    def pending(self) -> AffiliationRequestQuerySet:
        return self.filter(status=self.model.Status.PENDING)

    def queue(self) -> AffiliationRequestQuerySet:
        """The pending requests staff decide, oldest first."""
        return self.pending().select_related("person", "organisation").order_by("created_at")

    def visible_to(self, user) -> AffiliationRequestQuerySet:
        """Staff see every request; a person their own."""
        if roles.is_secretariat(user):
            return self
        person = roles.person_of(user)
        return self.filter(person=person) if person else self.none()


class JoinRequestQuerySet(models.QuerySet):
    def pending(self) -> JoinRequestQuerySet:
        return self.filter(status=self.model.Status.PENDING)

    def queue(self) -> JoinRequestQuerySet:
        """The pending requests staff decide, oldest first."""
        return (
            self.pending()
            .select_related("applicant", "organisation", "study_group__parent")
            .order_by("created_at")
        )

    def recently_decided(self, limit: int = 20) -> JoinRequestQuerySet:
        """The last ``limit`` requests decided (or withdrawn), newest decision first."""
        return (
            self.exclude(status=self.model.Status.PENDING)
            .select_related("organisation", "study_group__parent", "decided_by")
            .order_by("-decided_at")[:limit]
        )

    def visible_to(self, user) -> JoinRequestQuerySet:
        if roles.is_secretariat(user):
            return self
        org_id = roles.organisation_id_of(user)
        return self.filter(organisation_id=org_id) if org_id else self.none()


def pending_request_count() -> int:
    """Pending join and affiliation requests together, in one query."""
    from .models import AffiliationRequest, JoinRequest

    joins = JoinRequest.objects.pending().order_by().values_list("pk")
    affiliations = AffiliationRequest.objects.pending().order_by().values_list("pk")
    return joins.union(affiliations, all=True).count()


def can_see_group_members(user, group) -> bool:
    """Staff, and people whose organisation belongs to the group (or to its parent)."""
    if roles.is_secretariat(user):
        return True
    org_id = roles.organisation_id_of(user)
    if not org_id:
        return False
    return group.__class__.objects.member_of(org_id).filter(pk=group.pk).exists()


@dataclass(frozen=True)
class GroupNames:
    """Every study group's full name, in the two orders the directory shows groups in: the
    filter's (parent group's order, order, name) and, within a row, a membership's (order,
    name). Shared between requests while the groups are unchanged: read it, never change it."""

    choices: list[tuple[int, str]]  # (pk, full name) in the filter's order
    full_names: dict[int, str]
    rank: dict[int, int]  # pk → position in (order, name)
    digest: str  # of everything above, for cache keys


def study_group_names() -> GroupNames:
    """``GroupNames`` from one query of the study-group table alone: parents come from the same
    rows, so nothing is joined, and the filter's order is derived from the database's
    (order, name) order (NULL parent orders placed as the database places them). The rows read
    are the key of the work done with them, so unchanged groups are not worked on again.

    On PostgreSQL the database first answers with the study groups' version (one indexed row of
    ``members_tablecount``, changed by a trigger on every write: migration
    ``members.0006_table_counts``); the rows themselves are read only when this process has not
    seen that version yet. Any change of a group — through a page, an import, ``update()`` or
    SQL — gives a new version, so there is nothing to invalidate."""
    nulls_last = connection.features.nulls_order_largest
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(GROUPS_VERSION_SQL)
            (version,) = cursor.fetchone()
        with contextlib.suppress(_GroupsChanged):
            return _group_names_of_version(version, nulls_last)
    return _group_names(_group_rows(), nulls_last)


def organisation_count() -> int | None:
    """How many organisations there are, from the count PostgreSQL keeps (one indexed row);
    None on SQLite, which keeps none (count them)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(ORGANISATIONS_COUNT_SQL)
        row = cursor.fetchone()
    return row[0] if row else None


def _group_rows(*, with_version: bool = False) -> tuple[tuple, ...]:
    from .models import StudyGroup

    fields = ["pk", "name", "parent_id", "order"]
    groups = StudyGroup.objects.order_by("order", "name")
    if with_version:
        groups = groups.annotate(version=RawSQL(f"({GROUPS_VERSION_SQL})", ()))
        fields = [*fields, "version"]
    return tuple(groups.values_list(*fields))


# The counts and versions PostgreSQL's triggers keep (migration members.0006_table_counts).
GROUPS_VERSION_SQL = (
    "SELECT version FROM members_tablecount WHERE table_name = 'members_studygroup'"
)
ORGANISATIONS_COUNT_SQL = (
    "SELECT row_count FROM members_tablecount WHERE table_name = 'members_organisation'"
)


class _GroupsChanged(Exception):
    """The groups changed between the version and the rows: nothing is kept for that version."""


@functools.lru_cache(maxsize=16)
def _group_names_of_version(version: str, nulls_last: bool) -> GroupNames:
    """The groups of ``version``, read with the version of the same snapshot (one statement) and
    kept only when the two agree (a raised exception is not cached). With no groups there is
    no row to carry the version: nothing to check."""
    rows = _group_rows(with_version=True)
    if rows and rows[0][-1] != version:
        raise _GroupsChanged
    return _group_names(tuple(row[:-1] for row in rows), nulls_last)


@functools.lru_cache(maxsize=16)
def _group_names(rows: tuple[tuple, ...], nulls_last: bool) -> GroupNames:
    from .models import StudyGroup

    by_pk = {row[0]: row for row in rows}
    rank = {row[0]: position for position, row in enumerate(rows)}
    full_names = {
        pk: StudyGroup.join_names(name, by_pk[parent_id][1] if parent_id else None)
        for pk, name, parent_id, _order in rows
    }

    def filter_order(row: tuple) -> tuple:
        pk, _name, parent_id, _order = row
        parent_order = by_pk[parent_id][3] if parent_id else None
        no_parent = parent_order is None
        return (no_parent if nulls_last else not no_parent, parent_order or 0, rank[pk])

    choices = [(row[0], full_names[row[0]]) for row in sorted(rows, key=filter_order)]
    digest = hashlib.sha256(repr((rows, nulls_last)).encode()).hexdigest()
    return GroupNames(choices=choices, full_names=full_names, rank=rank, digest=digest)


# What a row of the directory shows of an organisation, read as values (not instances).
DIRECTORY_FIELDS = (
    "pk",
    "name",
    "name_kana",
    "sector",
    "is_local",
    "corporate_number",
    "is_confirmed",
)


def directory_organisations(queryset: OrganisationQuerySet) -> QuerySet:
    """The directory's organisations in kana order, as dicts of ``DIRECTORY_FIELDS``; a page of
    them becomes rows with ``directory_rows``."""
    return queryset.order_by("name_kana", "name").values(*DIRECTORY_FIELDS)


def directory_rows(organisations: Iterable[dict], names: GroupNames) -> list[dict]:
    """A page of ``directory_organisations`` with the rest of what a row shows: the sector's
    label and ``current_groups``, the full names of the study groups the organisation belongs to
    today in group order (one query of the membership table alone, named with ``names``)."""
    from .models import SECTOR_LABELS, Membership

    rows = list(organisations)
    if not rows:
        return rows
    groups: dict[int, list[int]] = {row["pk"]: [] for row in rows}
    memberships = (
        Membership.objects.active()
        .filter(organisation_id__in=groups)
        .order_by()
        .values_list("organisation_id", "study_group_id")
    )
    for organisation_id, study_group_id in memberships:
        # A group created after ``names`` were read is not shown until the next request.
        if study_group_id in names.rank:
            groups[organisation_id].append(study_group_id)
    for row in rows:
        row["sector_label"] = SECTOR_LABELS.get(row["sector"], row["sector"])
        row["current_groups"] = [
            names.full_names[pk] for pk in sorted(groups[row["pk"]], key=names.rank.__getitem__)
        ]
    return rows


def directory_key(rows: list[dict]) -> list[tuple]:
    """What the rows show (the sector's label follows from the sector and the language), for
    the key the rendered directory is cached under."""
    return [
        (*(row[name] for name in DIRECTORY_FIELDS), tuple(row["current_groups"])) for row in rows
    ]


def organisation_detail_context(organisation: Organisation) -> dict[str, object]:
    """People, memberships (with history) and join requests of one organisation."""
    return {
        "organisation": organisation,
        "people": organisation.people.all(),
        "memberships": organisation.memberships.select_related("study_group__parent").order_by(
            "-joined_on"
        ),
        "join_requests": organisation.join_requests.select_related(
            "study_group__parent", "applicant"
        ).order_by("-created_at"),
    }


def organisation_changes(organisation) -> list:
    """The organisation's 変更履歴 for staff: its own record and its memberships."""
    from consortium.history import recent_changes

    from .models import Membership, Organisation

    return recent_changes(
        (Organisation.history.filter(id=organisation.pk), lambda r: r.name),
        (
            Membership.history.filter(organisation_id=organisation.pk).select_related(
                "study_group__parent"
            ),
            lambda r: r.study_group.full_name,
        ),
    )
