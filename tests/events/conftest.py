import datetime as dt

import pytest

from events.models import Visibility
from events.signals import attendance_changed
from tests.events.factories import MeetingFactory, tokyo
from tests.factories import MembershipFactory, StudyGroupFactory


@pytest.fixture
def meeting(study_group):
    """A members-only meeting of the study group both A and B belong to."""
    return MeetingFactory(
        study_group=study_group,
        title="第2回 第2部会",
        starts_at=tokyo(2018, 7, 10, 13, 30),
        ends_at=tokyo(2018, 7, 10, 15, 0),
        minutes="波力発電装置の設置海域について協議した。",
    )


@pytest.fixture
def other_group(org_a):
    """A group only organisation A belongs to: B is an outsider there."""
    group = StudyGroupFactory(name="水中ロボット研究会")
    MembershipFactory(organisation=org_a, study_group=group)
    return group


@pytest.fixture
def a_only_meeting(other_group):
    return MeetingFactory(
        study_group=other_group, title="水中ロボット 部会", date=dt.date(2018, 9, 1)
    )


@pytest.fixture
def public_meeting(study_group):
    return MeetingFactory(
        study_group=study_group,
        title="波力発電 見学会",
        kind="open_house",
        visibility=Visibility.PUBLIC,
        starts_at=tokyo(2026, 12, 5, 10, 0),
    )


@pytest.fixture
def changed_years():
    """Collects the fiscal years sent with events.signals.attendance_changed."""
    seen: list[set[int]] = []

    def receiver(sender, fiscal_years, **kwargs):
        seen.append(set(fiscal_years))

    attendance_changed.connect(receiver, weak=False)
    yield seen
    attendance_changed.disconnect(receiver)
