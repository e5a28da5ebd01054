"""Which meetings an organisation's people see (``MeetingQuerySet.visible_to`` / ``of_members``):
public ones, and members-only ones of their groups (and the groups' 部会) and of the projects they
take part in — through a group, as a partner or as the lead."""

import pytest
from django.contrib.auth.models import AnonymousUser

from events.models import Meeting
from tests.events.factories import MeetingFactory
from tests.factories import MembershipFactory, OrganisationFactory, StudyGroupFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_each_way_of_belonging_shows_the_meeting_once_and_others_stay_hidden(people, org_a):
    group = StudyGroupFactory(name="洋上風力研究会")
    MembershipFactory(organisation=org_a, study_group=group)
    other_group = StudyGroupFactory(name="水素研究会")
    stranger = OrganisationFactory(name="無関係の会社")
    meetings = {
        "own group": MeetingFactory(study_group=group, visibility="members"),
        "its 部会": MeetingFactory(
            study_group=StudyGroupFactory(parent=group), visibility="members"
        ),
        "project of the group": MeetingFactory(
            study_group=other_group,
            project=ProjectFactory(study_groups=[group], lead_organisation=stranger),
            visibility="members",
        ),
        "partner": MeetingFactory(
            study_group=other_group,
            project=ProjectFactory(partners=[org_a, stranger], lead_organisation=stranger),
            visibility="members",
        ),
        "lead": MeetingFactory(
            study_group=other_group,
            project=ProjectFactory(lead_organisation=org_a),
            visibility="members",
        ),
        "public": MeetingFactory(study_group=other_group, visibility="public"),
    }
    hidden = [
        MeetingFactory(study_group=other_group, visibility="members"),
        MeetingFactory(
            study_group=other_group,
            project=ProjectFactory(partners=[stranger], lead_organisation=stranger),
            visibility="members",
        ),
    ]
    seen = list(Meeting.objects.visible_to(people["member_a"]).values_list("pk", flat=True))
    for name, meeting in meetings.items():
        assert seen.count(meeting.pk) == 1, name
    assert not set(seen) & {m.pk for m in hidden}
    members_only = set(Meeting.objects.of_members(org_a.pk).values_list("pk", flat=True))
    assert members_only >= {m.pk for n, m in meetings.items() if n != "public"}
    assert not members_only & {m.pk for m in hidden}
    assert set(Meeting.objects.visible_to(AnonymousUser()).values_list("pk", flat=True)) == {
        meetings["public"].pk
    }


def test_the_member_filter_is_on_the_meetings_own_columns(people):
    """No join of the project's groups or partners multiplied by every meeting, and no DISTINCT
    over the meetings: at ten times the prefecture that query took minutes for a member's
    study-group page (bench/changes.md)."""
    sql = str(Meeting.objects.visible_to(people["member_a"]).query)
    assert "DISTINCT" not in sql
    assert sql.count('FROM "events_meeting"') == 1
