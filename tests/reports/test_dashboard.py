import datetime as dt
import json

import pytest
from django.urls import reverse

from reports.services import rollup_all_compute, rollup_fiscal_year_compute

from .factories import AttendanceFactory, FundingFactory, MeetingFactory, ProjectFactory

# Every HTML page of staff: session, the user with their person (``members.backends``), role
# groups (header and menus, read once per request by members.context_processors.role), and the
# menu's count of pending join and affiliation requests.
PAGE = 4
# Data version; then, on a cold cache: participation, funding, phase counts + names, cliffs,
# as-of, lists, 公募, and the 実績指標 (stored indicators, the consortium's participation rows
# and the 公募 year rows); a warm cache serves the body after the version query alone.
DASHBOARD_QUERIES = PAGE + 1 + 12


def chart_data(response) -> dict:
    html = response.content.decode()
    start = html.index('id="reports-chart-data"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def roll_fixture_years() -> None:
    # Only the fixture's years: the role fixtures add memberships in FY2020.
    for fy in (2017, 2018, 2019):
        rollup_fiscal_year_compute(fiscal_year=fy)


def make_years(count: int, study_group) -> None:
    for offset in range(count):
        fy = 2000 + offset
        meeting = MeetingFactory(
            study_group=study_group, date=dt.date(fy, 6, 1), unnamed_headcount=1
        )
        AttendanceFactory(meeting=meeting)
        FundingFactory(fiscal_year=fy, amount=100)
    rollup_all_compute()


def test_dashboard_shows_years_with_era_labels_and_tables(fy2018, client_as):
    roll_fixture_years()
    response = client_as("staff").get(reverse("reports:dashboard"))
    html = response.content.decode()
    data = chart_data(response)
    # Two short lines per year on the axis (titled 年度); the tables carry the long label.
    assert data["labels"] == [["2017", "H29"], ["2018", "H30"], ["2019", "R1"]]
    assert data["axis_title"] == "年度"
    assert "2019年度（令和元年度）" in html
    assert data["participation"]["meetings"] == [1, 4, 1]
    assert data["participation"]["attendance"] == [1, 25, 1]
    assert "<table" in html and 'data-chart="participation"' in html
    assert "<script>" not in html.replace('<script id="reports-chart-data"', "")


def test_dashboard_in_english_labels_fiscal_years_fy(fy2018, client_as):
    roll_fixture_years()
    client = client_as("staff")
    client.cookies["django_language"] = "en"
    response = client.get(reverse("reports:dashboard"))
    assert chart_data(response)["axis_title"] == "Fiscal year"
    assert "FY2019" in response.content.decode()
    assert "Meetings" in response.content.decode()


def test_filter_by_study_group_shows_its_row_including_subcommittees(fy2018, client_as):
    roll_fixture_years()
    response = client_as("staff").get(reverse("reports:dashboard"), {"study_group": fy2018.s1.pk})
    data = chart_data(response)
    assert data["participation"]["meetings"] == [1, 1]  # FY2018 and FY2019
    response = client_as("staff").get(reverse("reports:dashboard"), {"study_group": fy2018.p.pk})
    assert chart_data(response)["participation"]["meetings"][1] == 3


def test_filter_by_project_narrows_funding_and_warns_of_cliffs(fy2018, client_as):
    other = ProjectFactory(name="別の事業")
    FundingFactory(project=fy2018.x, fiscal_year=2018, amount=3_000_000, kind="grant")
    FundingFactory(project=other, fiscal_year=2018, amount=5, kind="donation")
    roll_fixture_years()
    response = client_as("staff").get(reverse("reports:dashboard"), {"project": fy2018.x.pk})
    funding = chart_data(response)["funding"]
    assert [(f["label"], f["values"]) for f in funding] == [("交付金・補助金", [0, 3_000_000, 0])]
    html = response.content.decode()
    assert "財源の途切れ" in html and "波力発電の実証事業" in html


@pytest.mark.parametrize("rows", [1, 20])
def test_dashboard_query_count_does_not_grow_with_rows(
    db, rows, client_as, study_group, django_assert_num_queries
):
    make_years(rows, study_group)
    client = client_as("admin")
    with django_assert_num_queries(DASHBOARD_QUERIES):
        assert client.get(reverse("reports:dashboard")).status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_status_page_query_count_is_fixed(
    db, rows, client_as, study_group, django_assert_num_queries
):
    make_years(rows, study_group)
    client = client_as("admin")
    # The years' states, and the heartbeats of beat and the workers.
    with django_assert_num_queries(PAGE + 2):
        assert client.get(reverse("reports:status")).status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
@pytest.mark.parametrize(
    ("kind", "fmt", "query", "expected"),
    [
        ("participation", "csv", "", 5),
        ("participation", "xlsx", "", 5),
        ("funding", "csv", "", 5),
        ("funding", "xlsx", "", 5),
        ("attendance", "csv", "?fiscal_year=2000", 5),
        ("attendance", "xlsx", "?fiscal_year=2000", 5),
    ],
)
def test_export_query_count_is_fixed(
    db, rows, kind, fmt, query, expected, client_as, study_group, django_assert_num_queries
):
    make_years(rows, study_group)
    client = client_as("admin")
    with django_assert_num_queries(expected):
        response = client.get(reverse("reports:export", args=[kind, fmt]) + query)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 20])
def test_open_data_and_export_log_query_counts_are_fixed(
    db, rows, client_as, client, django_assert_num_queries
):
    for n in range(rows):
        MeetingFactory(visibility="public", title=f"見学会{n}")
    with django_assert_num_queries(1):
        client.get(reverse("reports:open_data_csv"))
    admin = client_as("admin")
    for _ in range(rows):
        admin.get(reverse("reports:export", args=["participation", "csv"]))
    with django_assert_num_queries(PAGE + 2):
        admin.get(reverse("reports:export_log"))


def test_projects_by_phase_use_the_phase_names_of_the_language(db, client_as):
    from projects.models import Phase, PhaseTransition

    demo, business = Phase.objects.order_by("order")[1:3]
    for phase, count in ((demo, 2), (business, 1)):
        for _ in range(count):
            PhaseTransition.objects.create(
                project=ProjectFactory(), phase=phase, started_on=dt.date(2019, 4, 1)
            )
    ProjectFactory()  # no phase yet
    client = client_as("staff")
    phases = chart_data(client.get(reverse("reports:dashboard")))["phases"]
    assert phases["labels"] == [demo.name, business.name, "段階未設定"]
    assert phases["values"] == [2, 1, 1]
    client.cookies["django_language"] = "en"
    phases = chart_data(client.get(reverse("reports:dashboard")))["phases"]
    assert phases["labels"] == [demo.name_en, business.name_en, "No phase yet"]


def test_many_funding_cliffs_show_the_newest_and_all_on_request(db, client_as):
    for n in range(35):
        FundingFactory(project=ProjectFactory(name=f"途切れる事業{n:02d}"), fiscal_year=2000 + n)
    rollup_all_compute()
    client = client_as("staff")
    html = client.get(reverse("reports:dashboard")).content.decode()
    section = html[
        html.index('id="cliffs-heading"') : html.index("</section>", html.index("cliffs-heading"))
    ]
    assert section.count("<li>") == 30
    assert "途切れる事業34" in section and "途切れる事業04" not in section  # newest years first
    assert "全 35 件" in section and "cliffs=all" in section
    everything = client.get(reverse("reports:dashboard"), {"cliffs": "all"}).content.decode()
    assert everything.count("途切れる事業") >= 35
    assert "途切れる事業04" in everything


def test_a_year_without_data_is_on_the_axis_as_an_empty_year_not_skipped(db, client_as):
    FundingFactory(fiscal_year=2024, amount=500)
    FundingFactory(fiscal_year=2026, amount=700)
    rollup_all_compute()
    data = chart_data(client_as("staff").get(reverse("reports:dashboard")))
    years = [label[0] for label in data["labels"]]
    assert years == [str(fy) for fy in range(int(years[0]), int(years[-1]) + 1)]
    assert {"2024", "2025", "2026"} <= set(years)
    per_year = zip(*(kind["values"] for kind in data["funding"]), strict=True)
    totals = dict(zip(years, map(sum, per_year), strict=True))
    assert (totals["2024"], totals["2025"], totals["2026"]) == (500, 0, 700)


def test_the_year_picker_on_the_dashboard_shows_one_year(fy2018, client_as):
    roll_fixture_years()
    client = client_as("staff")
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert '<select name="fiscal_year" id="id_fiscal_year">' in html
    assert '<option value="2018">2018年度（平成30年度）</option>' in html
    response = client.get(reverse("reports:dashboard"), {"fiscal_year": 2018})
    data = chart_data(response)
    assert data["labels"] == [["2018", "H30"]]
    assert data["participation"]["meetings"] == [4]
    page = response.content.decode()
    assert '<option value="2018" selected>' in page  # the picker and the export form's year
    assert "2018年度（平成30年度）の数値だけを表示しています。" in page
    assert "2017年度（平成29年度）</th>" not in page
    # A year outside the data shows nothing rather than everything; outside the range: refused.
    assert (
        chart_data(client.get(reverse("reports:dashboard"), {"fiscal_year": 2030}))["labels"] == []
    )
    assert client.get(reverse("reports:dashboard"), {"fiscal_year": 99999}).status_code == 200
