import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from events import services
from events.models import Meeting
from tests.events.factories import MeetingFactory, tokyo

pytestmark = pytest.mark.django_db


def test_fiscal_year_follows_the_date_across_the_april_boundary():
    assert MeetingFactory(date=dt.date(2018, 3, 31)).fiscal_year == 2017
    assert MeetingFactory(date=dt.date(2018, 4, 1)).fiscal_year == 2018


def test_date_is_the_tokyo_date_of_the_start_time():
    # 2019-03-31 23:30 in Tokyo is still March 31 there (and already FY2018's last day).
    meeting = MeetingFactory(date=dt.date(2000, 1, 1), starts_at=tokyo(2019, 3, 31, 23, 30))
    assert meeting.date == dt.date(2019, 3, 31)
    assert meeting.fiscal_year == 2018


def test_partial_save_keeps_fiscal_year_in_sync():
    meeting = MeetingFactory(date=dt.date(2018, 3, 1))
    meeting.starts_at = tokyo(2018, 4, 2, 10, 0)
    meeting.save(update_fields=["starts_at"])
    meeting.refresh_from_db()
    assert (meeting.date, meeting.fiscal_year) == (dt.date(2018, 4, 2), 2018)


def test_meeting_needs_a_study_group_or_a_project():
    meeting = Meeting(kind="other", title="x", date=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        meeting.full_clean()
    assert "study_group" in excinfo.value.message_dict


def test_meeting_must_end_after_it_starts(study_group):
    meeting = Meeting(
        study_group=study_group,
        kind="other",
        title="x",
        date=dt.date(2020, 1, 1),
        starts_at=tokyo(2020, 1, 1, 15, 0),
        ends_at=tokyo(2020, 1, 1, 14, 0),
    )
    with pytest.raises(ValidationError) as excinfo:
        meeting.full_clean()
    assert "ends_at" in excinfo.value.message_dict


def test_moving_a_meeting_to_another_fiscal_year_reports_both_years(changed_years):
    meeting = MeetingFactory(date=dt.date(2018, 3, 20))
    meeting.date = dt.date(2018, 4, 20)
    services.meeting_save(meeting=meeting)
    assert changed_years == [{2017, 2018}]


def test_deleting_a_meeting_reports_its_year(changed_years):
    meeting = MeetingFactory(date=dt.date(2016, 11, 1))
    services.meeting_delete(meeting=meeting)
    assert changed_years == [{2016}]
    assert not Meeting.objects.exists()
