"""The dashboard body is rendered once per data version and served from the cache after that."""

import datetime as dt

import pytest
from django.urls import reverse

from projects.models import Phase, PhaseTransition
from reports.services import rollup_fiscal_year_compute

from .factories import AttendanceFactory, MeetingFactory, ProjectFactory
from .test_dashboard import PAGE, chart_data, make_years


@pytest.mark.parametrize("rows", [1, 20])
def test_warm_dashboard_costs_one_query_beyond_the_page(
    db, rows, client_as, study_group, django_assert_num_queries
):
    make_years(rows, study_group)
    client = client_as("staff")
    client.get(reverse("reports:dashboard"))
    with django_assert_num_queries(PAGE + 1):
        assert client.get(reverse("reports:dashboard")).status_code == 200


def test_a_new_roll_up_replaces_the_cached_numbers(db, client_as, study_group):
    meeting = MeetingFactory(study_group=study_group, date=dt.date(2018, 6, 1))
    AttendanceFactory(meeting=meeting)
    rollup_fiscal_year_compute(fiscal_year=2018)
    client = client_as("staff")
    assert chart_data(client.get(reverse("reports:dashboard")))["participation"]["meetings"] == [1]
    MeetingFactory(study_group=study_group, date=dt.date(2018, 7, 1))
    rollup_fiscal_year_compute(fiscal_year=2018)
    assert chart_data(client.get(reverse("reports:dashboard")))["participation"]["meetings"] == [2]


def test_a_new_phase_of_a_project_shows_without_a_roll_up(db, client_as, study_group):
    project = ProjectFactory(name="波力発電の実証事業")
    client = client_as("staff")
    phase = Phase.objects.order_by("order").first()
    before = chart_data(client.get(reverse("reports:dashboard")))["phases"]["labels"]
    assert phase.name not in before
    PhaseTransition.objects.create(project=project, phase=phase, started_on=dt.date.today())
    after = chart_data(client.get(reverse("reports:dashboard")))["phases"]["labels"]
    assert after == [phase.name]


def test_english_and_japanese_pages_are_cached_apart(db, client_as, study_group):
    client = client_as("staff")
    assert "ダッシュボード" in client.get(reverse("reports:dashboard")).content.decode()
    english = client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert "開催回数とのべ参加者数" not in english.content.decode()
