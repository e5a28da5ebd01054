"""Reads and visibility for the partner directory: who may see which organisation and group."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from . import roles


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
    def active(self, on=None) -> MembershipQuerySet:
        on = on or timezone.localdate()
        return self.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))


class JoinRequestQuerySet(models.QuerySet):
    def pending(self) -> JoinRequestQuerySet:
        return self.filter(status="pending")

    def visible_to(self, user) -> JoinRequestQuerySet:
        if roles.is_secretariat(user):
            return self
        org_id = roles.organisation_id_of(user)
        return self.filter(organisation_id=org_id) if org_id else self.none()


def can_see_group_members(user, group) -> bool:
    """Staff, and people whose organisation belongs to the group (or to its parent)."""
    if roles.is_secretariat(user):
        return True
    org_id = roles.organisation_id_of(user)
    if not org_id:
        return False
    return group.__class__.objects.member_of(org_id).filter(pk=group.pk).exists()


def directory_organisations(queryset: OrganisationQuerySet) -> OrganisationQuerySet:
    """Organisations with their current memberships (and groups) prefetched, kana order."""
    from django.db.models import Prefetch

    from .models import Membership

    return queryset.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.active().select_related("study_group__parent"),
            to_attr="current_memberships",
        )
    ).order_by("name_kana", "name")


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
