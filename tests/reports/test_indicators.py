"""実績指標: computed by the roll-ups from the records, kept current by the domain signals (a
meeting's incremental roll-up, a first publication, an award, an outcome), shown on the dashboard
and exported as the annual summary's sheet 「実績指標」, indicators down and fiscal years across."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from events import exhibitions
from events import services as events
from events.models import Meeting, Speaker
from projects import services as projects
from projects.catalogue.services.awards import award_grant
from projects.catalogue.services.entries import entry_publish, entry_submit
from projects.models import Outcome
from reports import services
from reports.indicators import STORED_KEYS, compute_indicators
from reports.models import ExportLog, IndicatorSummary
from reports.querysets import indicator_table
from tests.factories import OrganisationFactory
from tests.projects.catalogue.factories import AwardFactory, EntryFactory
from tests.projects.factories import ProjectFactory

from .factories import MeetingFactory


def stored(fiscal_year: int) -> dict[str, int]:
    return dict(
        IndicatorSummary.objects.filter(fiscal_year=fiscal_year).values_list("indicator", "value")
    )


def row(table, key: str) -> list[int]:
    return next(r.values for r in table.rows if r.indicator.key == key)


@pytest.fixture
def fair(study_group, django_capture_on_commit_callbacks):
    """The FY2024 fair (held) with two exhibitors and 2,400 visitors, as committed (its
    roll-ups run)."""
    meeting = MeetingFactory(
        study_group=study_group, kind=Meeting.Kind.EXHIBITION, date=dt.date(2024, 11, 9)
    )
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            exhibitions.exhibitor_add(meeting=meeting, organisation=OrganisationFactory())
        exhibitions.showcase_set(meeting=meeting, visitors=2400, co_hosts=[])
    return meeting


def test_the_indicators_count_held_meetings_by_kind_and_held_showcases_only(study_group, fair):
    MeetingFactory(study_group=study_group, kind=Meeting.Kind.SEMINAR, date=dt.date(2024, 6, 1))
    MeetingFactory(study_group=study_group, kind=Meeting.Kind.SEMINAR, date=dt.date(2025, 3, 31))
    MeetingFactory(
        study_group=study_group,
        kind=Meeting.Kind.SEMINAR,
        date=dt.date(2024, 7, 1),
        status=Meeting.Status.CANCELLED,
    )
    later = MeetingFactory(
        study_group=study_group, kind=Meeting.Kind.SYMPOSIUM, date=dt.date(2099, 2, 1)
    )
    exhibitions.exhibitor_add(meeting=later, organisation=OrganisationFactory())
    values = compute_indicators(2024)
    assert set(values) == set(STORED_KEYS)
    assert values["meetings_seminar"] == 2  # 2025-03-31 is FY2024; the cancelled one is not
    assert values["meetings_exhibition"] == 1
    assert values["exhibitors"] == 2 and values["visitors"] == 2400
    assert compute_indicators(2098)["exhibitors"] == 0


def test_an_entry_counts_once_in_the_year_it_was_first_published(
    admin_user, django_capture_on_commit_callbacks
):
    entry = EntryFactory(submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        entry_publish(
            entry=entry, reviewed_by=admin_user, now=timezone.make_aware(dt.datetime(2023, 5, 1))
        )
    assert stored(2023)["catalogue_published"] == 1
    # Edited by its organisation, reviewed and published again two years later: not new.
    entry.refresh_from_db()
    entry.status = entry.Status.DRAFT
    entry.save()
    entry_submit(entry=entry, submitted_by=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        entry_publish(
            entry=entry, reviewed_by=admin_user, now=timezone.make_aware(dt.datetime(2025, 5, 1))
        )
    services.rollup_fiscal_year_compute(fiscal_year=2025)
    assert stored(2023)["catalogue_published"] == 1
    assert stored(2025)["catalogue_published"] == 0


def test_awards_and_outcomes_reach_their_years_through_the_signals(
    admin_user, django_capture_on_commit_callbacks
):
    entry = EntryFactory(published=True)
    with django_capture_on_commit_callbacks(execute=True):
        award_grant(award=AwardFactory(), entry=entry, fiscal_year=2022, granted_by=admin_user)
    assert stored(2022)["awards_granted"] == 1
    project = ProjectFactory()
    outcome = Outcome(project=project, kind="patent", date=dt.date(2022, 8, 1), title="特許出願")
    with django_capture_on_commit_callbacks(execute=True):
        projects.outcome_save(outcome=outcome, organisations=[])
    assert stored(2022)["outcomes_patent"] == 1
    # Its date moved to the next fiscal year: it leaves FY2022 and joins FY2023.
    outcome.date = dt.date(2023, 4, 1)
    with django_capture_on_commit_callbacks(execute=True):
        projects.outcome_save(outcome=outcome, organisations=[])
    assert stored(2022)["outcomes_patent"] == 0
    assert stored(2023)["outcomes_patent"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        projects.outcome_delete(outcome=outcome)
    assert stored(2023)["outcomes_patent"] == 0


def test_the_incremental_rollup_of_a_fair_matches_a_full_one(
    fair, django_capture_on_commit_callbacks
):
    services.rollup_fiscal_year_compute(fiscal_year=2024)
    before = stored(2024)
    assert before["exhibitors"] == 2 and before["visitors"] == 2400
    with django_capture_on_commit_callbacks(execute=True):
        exhibitions.exhibitor_add(meeting=fair, organisation=OrganisationFactory())
        exhibitions.showcase_set(meeting=fair, visitors=2600, co_hosts=[])
    assert stored(2024)["exhibitors"] == 3 and stored(2024)["visitors"] == 2600
    assert stored(2024) == compute_indicators(2024)
    exhibitor = fair.exhibitors.first()
    with django_capture_on_commit_callbacks(execute=True):
        exhibitions.exhibitor_remove(exhibitor=exhibitor)
    assert stored(2024)["exhibitors"] == 2
    # A change of kind through the meeting form moves the meeting between the kinds' rows.
    fair.kind = Meeting.Kind.SEMINAR
    with django_capture_on_commit_callbacks(execute=True):
        events.meeting_save(meeting=fair)
    assert stored(2024)["meetings_exhibition"] == 0 and stored(2024)["meetings_seminar"] == 1
    assert stored(2024)["exhibitors"] == 0 and stored(2024)["visitors"] == 0
    assert stored(2024) == compute_indicators(2024)


def test_speakers_and_co_hosts_count_nowhere(fair, django_capture_on_commit_callbacks):
    services.rollup_fiscal_year_compute(fiscal_year=2024)
    before = stored(2024)
    exhibitions.speaker_save(speaker=Speaker(meeting=fair, role="chair", name="東海 一郎"))
    assert stored(2024) == before


def test_the_table_puts_indicators_down_and_every_year_across(fair, study_group):
    MeetingFactory(study_group=study_group, kind=Meeting.Kind.SEMINAR, date=dt.date(2022, 6, 1))
    for fy in (2022, 2024):
        services.rollup_fiscal_year_compute(fiscal_year=fy)
    table = indicator_table()
    assert table.years == [2022, 2023, 2024]  # FY2023, without any figure, is not skipped
    assert row(table, "meetings") == [1, 0, 1]
    assert row(table, "meetings_seminar") == [1, 0, 0]
    assert row(table, "exhibitors") == [0, 0, 2]
    assert row(table, "visitors") == [0, 0, 2400]
    keys = [r.indicator.key for r in table.rows]
    assert "meetings_general_assembly" not in keys  # a kind never held is left out
    assert "outcomes_patent" not in keys
    assert keys.index("meetings") < keys.index("exhibitors") < keys.index("calls")
    assert indicator_table(fiscal_year=2024).years == [2024]
    assert row(indicator_table(fiscal_year=2024), "visitors") == [2400]


def test_the_dashboard_shows_the_indicators_with_era_years_for_the_whole_consortium_only(
    fair, client_as, study_group
):
    services.rollup_fiscal_year_compute(fiscal_year=2024)
    client = client_as("staff")
    html = client.get(reverse("reports:dashboard")).content.decode()
    start = html.index('id="indicators-heading"')
    section = html[start : html.index("</section>", start)]
    assert "令和6年度" in section and "出展団体数（のべ）" in section and "2,400" in section
    filtered = client.get(reverse("reports:dashboard"), {"study_group": study_group.pk})
    assert 'id="indicators-heading"' not in filtered.content.decode()


def _csv(response) -> list[list[str]]:
    data = response.content
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_annual_summary_sheet_lays_indicators_down_and_years_across(
    fair, study_group, client_as
):
    MeetingFactory(study_group=study_group, kind=Meeting.Kind.SEMINAR, date=dt.date(2023, 6, 1))
    for fy in (2023, 2024):
        services.rollup_fiscal_year_compute(fiscal_year=fy)
    client = client_as("admin")
    rows = _csv(client.get(reverse("reports:export", args=["indicators", "csv"])))
    assert rows[0] == ["分類", "指標", "単位", "2023年度（令和5年度）", "2024年度（令和6年度）"]
    by_label = {r[1]: r for r in rows[1:]}
    assert by_label["開催回数"] == ["会議", "開催回数", "回", "1", "1"]
    assert by_label["来場者数"] == ["展示会・シンポジウム", "来場者数", "人", "0", "2400"]
    assert ExportLog.objects.get().kind == "indicators"

    response = client.get(
        reverse("reports:export", args=["indicators", "xlsx"]), {"fiscal_year": 2024}
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert sheet.title == "実績指標"
    cells = [[c.value for c in r] for r in sheet.iter_rows()]
    assert cells[0] == ["分類", "指標", "単位", "2024年度（令和6年度）"]
    visitors = next(r for r in cells if r[1] == "来場者数")
    assert visitors[3] == 2400 and isinstance(visitors[3], int)  # a number Excel can add up

    english = _csv(
        client.get(reverse("reports:export", args=["indicators", "csv"]), {"header": "en"})
    )
    assert english[0] == ["Category", "Indicator", "Unit", "FY2023", "FY2024"]
    assert any(r[1] == "Visitors" for r in english)


def test_a_tick_on_the_sheet_does_not_recompute_the_indicators(
    fair, study_group, django_capture_on_commit_callbacks
):
    from unittest import mock

    from tests.factories import PersonFactory

    services.rollup_fiscal_year_compute(fiscal_year=2024)
    person = PersonFactory()
    with (
        mock.patch.object(services, "_indicators_store", wraps=services._indicators_store) as store,
        django_capture_on_commit_callbacks(execute=True),
    ):
        events.attendance_set(meeting=fair, person=person, status="attended", recorded_by=None)
    store.assert_not_called()
    with (
        mock.patch.object(services, "_indicators_store", wraps=services._indicators_store) as store,
        django_capture_on_commit_callbacks(execute=True),
    ):
        exhibitions.showcase_set(meeting=fair, visitors=2500, co_hosts=[])
    store.assert_called_once()
    assert stored(2024)["visitors"] == 2500
