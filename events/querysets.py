"""Reads of the events app, above all *who may see which meeting*."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, Q

from members import roles
from members.models import StudyGroup


def member_group_ids(organisation_id: int | None) -> models.QuerySet:
    """Ids of the groups an organisation belongs to, plus their subcommittees (a subquery)."""
    return StudyGroup.objects.member_of(organisation_id).values("pk")


class MeetingQuerySet(models.QuerySet):
    def public(self) -> MeetingQuerySet:
        return self.filter(visibility="public")

    def of_members(self, organisation_id: int | None) -> MeetingQuerySet:
        """Meetings whose group (or parent group) or project the organisation belongs to."""
        if not organisation_id:
            return self.none()
        groups = member_group_ids(organisation_id)
        return self.filter(
            Q(study_group_id__in=groups)
            | Q(project__study_groups__in=groups)
            | Q(project__partners=organisation_id)
            | Q(project__lead_organisation_id=organisation_id)
        ).distinct()

    def visible_to(self, user) -> MeetingQuerySet:
        """Public meetings for everyone; members-only ones for staff and the group's members."""
        if roles.is_secretariat(user):
            return self
        org_id = roles.organisation_id_of(user)
        if not org_id:
            return self.public()
        member_ids = self.model.objects.of_members(org_id).values("pk")
        return self.filter(Q(visibility="public") | Q(pk__in=member_ids))

    def with_private_access(self, user) -> MeetingQuerySet:
        """Meetings whose minutes and materials the user may read: members and staff only."""
        if roles.is_secretariat(user):
            return self
        org_id = roles.organisation_id_of(user)
        return self.filter(pk__in=self.model.objects.of_members(org_id).values("pk"))

    def with_totals(self) -> MeetingQuerySet:
        """Annotate ``attended_count`` (named attendees present)."""
        return self.annotate(
            attended_count=Count("attendances", filter=Q(attendances__status="attended"))
        )

    def in_fiscal_year(self, fy: int) -> MeetingQuerySet:
        return self.filter(fiscal_year=fy)


class RegistrationQuerySet(models.QuerySet):
    def active(self) -> RegistrationQuerySet:
        return self.exclude(status="cancelled")

    def registered(self) -> RegistrationQuerySet:
        return self.filter(status="registered")

    def waitlisted(self) -> RegistrationQuerySet:
        return self.filter(status="waitlisted")


class AttendanceQuerySet(models.QuerySet):
    def attended(self) -> AttendanceQuerySet:
        return self.filter(status="attended")


# --- the attendance sheet ---------------------------------------------------------------------


def sheet_organisation_ids(meeting) -> models.QuerySet:
    """Organisations expected at a meeting: active members of its group (and parent group), or
    the project's partners, lead and groups' members. A subquery, not a list."""
    from members.models import Membership, Organisation

    memberships = Membership.objects.active()
    if meeting.study_group_id:
        group = meeting.study_group
        group_ids = [group.pk] + ([group.parent_id] if group.parent_id else [])
        return memberships.filter(study_group_id__in=group_ids).values("organisation_id")
    project = meeting.project
    return Organisation.objects.filter(
        Q(projects=project)
        | Q(led_projects=project)
        | Q(pk__in=memberships.filter(study_group__projects=project).values("organisation_id"))
    ).values("pk")


def sheet_people(meeting) -> list[dict]:
    """The sheet, grouped by organisation: ``[{"organisation": org, "rows": [row…]}]``, each row
    ``{"person", "attendance", "registration"}``. Four queries whatever the size."""
    from members.models import Person

    registrations = {r.person_id: r for r in meeting.registrations.exclude(status="cancelled")}
    attendances = {a.person_id: a for a in meeting.attendances.select_related("organisation")}
    people = (
        Person.objects.filter(
            Q(organisation_id__in=sheet_organisation_ids(meeting))
            | Q(pk__in=list(registrations))
            | Q(pk__in=list(attendances))
        )
        .select_related("organisation")
        .order_by("organisation__name_kana", "organisation__name", "name_kana", "name")
    )
    groups: dict[int, dict] = {}
    for person in people:
        attendance = attendances.get(person.pk)
        organisation = attendance.organisation if attendance else person.organisation
        group = groups.setdefault(organisation.pk, {"organisation": organisation, "rows": []})
        group["rows"].append(
            {
                "person": person,
                "attendance": attendance,
                "registration": registrations.get(person.pk),
            }
        )
    return sorted(
        groups.values(), key=lambda g: (g["organisation"].name_kana, g["organisation"].name)
    )
