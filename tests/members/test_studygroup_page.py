"""The study group's page shows its meetings and does not offer a member organisation to apply
again (after approval it still offered 「加入を申し込む」 and listed no meetings)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Visibility
from tests.events.factories import MeetingFactory
from tests.factories import StudyGroupFactory

pytestmark = pytest.mark.django_db


def _page(client, group) -> str:
    return client.get(reverse("members:studygroup_detail", args=[group.pk])).content.decode()


@pytest.fixture
def meetings(study_group):
    today = timezone.localdate()
    sub = StudyGroupFactory(name="波力部会", parent=study_group)
    return {
        "next": MeetingFactory(
            study_group=study_group, title="第9回 研究会", date=today + dt.timedelta(days=9)
        ),
        "sub_next": MeetingFactory(
            study_group=sub, title="第2回 波力部会", date=today + dt.timedelta(days=3)
        ),
        "held": MeetingFactory(
            study_group=study_group, title="第8回 研究会", date=today - dt.timedelta(days=30)
        ),
        "public": MeetingFactory(
            study_group=study_group,
            title="海洋エネルギー公開シンポジウム",
            date=today + dt.timedelta(days=20),
            visibility=Visibility.PUBLIC,
        ),
        "other": MeetingFactory(title="別の研究会の会議", date=today + dt.timedelta(days=1)),
    }


def test_a_member_sees_the_groups_upcoming_and_past_meetings_in_order(
    client_as, study_group, meetings
):
    page = _page(client_as("member_a"), study_group)
    upcoming, past = page.split("今後の会議", 1)[1].split("これまでの会議", 1)
    assert (
        upcoming.index("第2回 波力部会")
        < upcoming.index("第9回 研究会")
        < upcoming.index("海洋エネルギー公開シンポジウム")
    )
    assert "第8回 研究会" in past and "第8回 研究会" not in upcoming
    assert "別の研究会の会議" not in page
    assert f"?study_group={study_group.pk}&amp;when=all" in page


def test_a_visitor_sees_only_the_public_meetings(client, study_group, meetings):
    page = _page(client, study_group)
    assert "海洋エネルギー公開シンポジウム" in page
    assert "第9回 研究会" not in page and "第8回 研究会" not in page


def test_a_member_organisation_is_not_offered_to_apply_again(client_as, study_group, org_a):
    study_group.applications_open = True
    study_group.save()
    page = _page(client_as("member_a"), study_group)
    assert "加入済み" in page
    assert reverse("members:join", args=[study_group.pk]) not in page


def test_an_organisation_outside_the_group_may_apply(client_as, org_a):
    group = StudyGroupFactory(name="水素研究会", applications_open=True)
    page = _page(client_as("member_a"), group)
    assert reverse("members:join", args=[group.pk]) in page and "加入済み" not in page
    assert "予定されている会議はありません。" in page


def test_the_section_in_english(client_as, study_group, meetings):
    client = client_as("member_a")
    client.cookies["django_language"] = "en"
    page = _page(client, study_group)
    assert "Meetings and events" in page and "Past meetings" in page and "Member" in page
