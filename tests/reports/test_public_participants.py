"""一般参加者: citizens checked in at held public meetings count with their seats, in a column of
their own and in のべ参加者数 — the same in the full roll-up, after one check-in (the incremental
roll-up) and after their personal data is deleted."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse

from events.checkin import public_checkin_set
from events.models import Meeting, MeetingStatus, Visibility
from events.public_registration import public_registrations_purge
from reports import services
from reports.models import ParticipationSummary
from tests.events.factories import PublicRegistrationFactory, tokyo

from .factories import MeetingFactory
from .test_exports import PARTICIPATION_JA, body, rows_of
from .test_incremental import recomputed, stored

FY = 2018


@pytest.fixture
def open_house(fy2018):
    """A held 見学会 of the study group P on 2018-11-03 (+3 walk-ins): citizens of 3 and 2 people
    checked in, 4 people registered who did not come, a cancelled registration."""
    meeting = MeetingFactory(
        study_group=fy2018.p,
        kind=Meeting.Kind.OPEN_HOUSE,
        visibility=Visibility.PUBLIC,
        date=dt.date(2018, 11, 3),
        unnamed_headcount=3,
    )
    came = tokyo(2018, 11, 3, 10, 5)
    PublicRegistrationFactory(meeting=meeting, seats=3, checked_in_at=came)
    PublicRegistrationFactory(meeting=meeting, seats=2, checked_in_at=came)
    PublicRegistrationFactory(meeting=meeting, seats=4)
    PublicRegistrationFactory(meeting=meeting, seats=5, status="cancelled")
    return meeting


def row(group=None, fiscal_year=FY):
    return ParticipationSummary.objects.get(fiscal_year=fiscal_year, study_group=group)


def test_checked_in_seats_count_as_public_participants_and_in_the_total(fy2018, open_house):
    services.rollup_fiscal_year_compute(fiscal_year=FY)
    # Without the open house: P 13 (see test_rollup), the consortium 25.
    assert (row(fy2018.p).public_participants, row(fy2018.p).attendance_total) == (5, 13 + 3 + 5)
    assert (row().public_participants, row().attendance_total) == (5, 25 + 3 + 5)
    assert row(fy2018.s1).public_participants == 0
    assert row(fy2018.p).organisations == 4  # citizens belong to no organisation
    assert row(fy2018.p).meetings == 4


def test_citizens_of_cancelled_or_scheduled_meetings_do_not_count(fy2018, open_house):
    for status in (MeetingStatus.CANCELLED, MeetingStatus.SCHEDULED):
        Meeting.objects.filter(pk=open_house.pk).update(status=status)
        services.rollup_fiscal_year_compute(fiscal_year=FY)
        assert row().public_participants == 0, status
        assert row().attendance_total == 25


def test_a_check_in_updates_the_year_like_a_full_rollup(
    fy2018, open_house, django_capture_on_commit_callbacks
):
    services.rollup_fiscal_year_compute(fiscal_year=FY)
    waiting = open_house.public_registrations.get(seats=4, status="registered")
    with (
        mock.patch.object(
            services, "rollup_fiscal_year_compute", wraps=services.rollup_fiscal_year_compute
        ) as full,
        django_capture_on_commit_callbacks(execute=True),
    ):
        public_checkin_set(registration=waiting, checked_in=True)
    full.assert_not_called()
    assert stored() == recomputed()
    assert row().public_participants == 9 and row().attendance_total == 25 + 3 + 9

    with django_capture_on_commit_callbacks(execute=True):
        public_checkin_set(registration=waiting, checked_in=False)
    assert stored() == recomputed()
    assert row(fy2018.p).public_participants == 5


def test_a_check_in_at_a_meeting_without_a_study_group_updates_the_consortium_row(
    fy2018, django_capture_on_commit_callbacks
):
    services.rollup_fiscal_year_compute(fiscal_year=FY)
    symposium = MeetingFactory(
        study_group=None, project=fy2018.x, visibility="public", date=dt.date(2018, 12, 2)
    )
    citizen = PublicRegistrationFactory(meeting=symposium, seats=2)
    with django_capture_on_commit_callbacks(execute=True):
        public_checkin_set(registration=citizen, checked_in=True)
    assert stored() == recomputed()
    assert row().public_participants == 2


def test_deleting_the_citizens_personal_data_keeps_the_counts(fy2018, open_house):
    services.rollup_fiscal_year_compute(fiscal_year=FY)
    before = stored()
    purged, _deleted = public_registrations_purge(now=tokyo(2019, 1, 10, 0, 0))
    assert purged == 4
    assert not open_house.public_registrations.exclude(email="").exists()
    services.rollup_fiscal_year_compute(fiscal_year=FY)
    assert stored() == before == recomputed()


def test_the_participation_export_has_the_public_participants_after_the_total(
    fy2018, open_house, client_as
):
    services.rollup_fiscal_year_compute(fiscal_year=FY)
    response = client_as("admin").get(
        reverse("reports:export", args=["participation", "csv"]), {"fiscal_year": FY}
    )
    table = rows_of(body(response))
    column = PARTICIPATION_JA.index("一般参加者")
    assert PARTICIPATION_JA[column - 1] == "のべ参加者数"
    assert table[1][column - 1 : column + 1] == [str(25 + 3 + 5), "5"]


def test_the_dashboard_shows_the_public_participants(fy2018, open_house, client_as):
    services.rollup_fiscal_year_compute(fiscal_year=FY)
    page = client_as("admin").get(reverse("reports:dashboard")).content.decode()
    assert "うち一般参加者" in page
