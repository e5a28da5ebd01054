"""公募 in the roll-up, the dashboard and the annual summary, around a hand-counted FY2025.

| call | status    | applications (organisation → outcome)                                   |
|------|-----------|--------------------------------------------------------------------------|
| A    | decided   | L1 adopted, released (800,000); L2 adopted, not released yet; O1 rejected; |
|      |           | U adopted, released (1,000,000); O1 draft; L1 withdrawn                    |
| B    | draft     | L2 submitted (a draft call counts for nothing)                            |
| C    | closed    | A reserve                                                                 |
| D    | published | FY2026: no applications                                                   |

FY2025: 2 calls, 5 applications, 2 adoptions (40.0 %), support 1,800,000 (only the rows of the
call's funder and title in FY2025); local companies 2/1, outside 1/0, university 1/1,
association 1/0.
"""

import csv
import datetime as dt
import io
from types import SimpleNamespace
from unittest import mock

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from members.models import Sector
from projects.calls.models import Application, Call
from projects.models import Funding
from projects.signals import call_changed
from reports import services, tasks
from reports.models import CallSummary, ExportLog, RollupState
from reports.rollup import compute_calls
from tests.projects.calls.factories import ApplicationFactory, CallFactory

from .factories import FundingFactory, ProjectFactory, organisation
from .test_dashboard import DASHBOARD_QUERIES

ADOPTED, REJECTED, RESERVE = (
    Application.Decision.ADOPTED,
    Application.Decision.REJECTED,
    Application.Decision.RESERVE,
)
TITLE = "社会実装トライアル支援事業"


def _past(days: int):
    return timezone.now() - dt.timedelta(days=days)


def _applied(call, org, decision="", *, released=True, **kwargs):
    return ApplicationFactory(
        call=call,
        organisation=org,
        submitted=True,
        decision=decision,
        decided_at=_past(30) if decision else None,
        decision_sent_at=_past(20) if decision and released else None,
        **kwargs,
    )


def _adopt(application, amount: int):
    """What the release of an adoption leaves: a project with the call's funding row."""
    call = application.call
    project = ProjectFactory(name=application.title, lead_organisation=application.organisation)
    FundingFactory(
        project=project,
        fiscal_year=call.fiscal_year,
        funder=call.funder,
        scheme=call.title,
        kind=Funding.Kind.GRANT,
        amount=amount,
        status=Funding.Status.ADOPTED,
    )
    application.project = project
    application.save(update_fields=["project"])
    return project


@pytest.fixture
def fy2025(db):
    city = organisation("つくば市 科学技術戦略課", Sector.GOVERNMENT)
    orgs = SimpleNamespace(
        L1=organisation("市内A社"),
        L2=organisation("市内B社"),
        O1=organisation("市外C社", local=False),
        U=organisation("筑波大学", Sector.UNIVERSITY),
        A=organisation("つくば市商工会", Sector.ASSOCIATION),
    )
    period = {"opens_at": _past(300), "closes_at": _past(200)}
    a = CallFactory(
        title=TITLE, fiscal_year=2025, funder=city, status=Call.Status.DECIDED, **period
    )
    b = CallFactory(fiscal_year=2025, funder=city, status=Call.Status.DRAFT, **period)
    c = CallFactory(fiscal_year=2025, funder=city, status=Call.Status.CLOSED, **period)
    d = CallFactory(fiscal_year=2026, funder=city)
    l1 = _applied(a, orgs.L1, ADOPTED)
    _applied(a, orgs.L2, ADOPTED, released=False)
    _applied(a, orgs.O1, REJECTED)
    u = _applied(a, orgs.U, ADOPTED)
    ApplicationFactory(call=a, organisation=orgs.O1)  # a draft
    ApplicationFactory(call=a, organisation=orgs.L1, status=Application.Status.WITHDRAWN)
    _applied(b, orgs.L2)
    _applied(c, orgs.A, RESERVE)
    _adopt(l1, 800_000)
    project = _adopt(u, 1_000_000)
    # The same project's other money is not the call's support.
    FundingFactory(project=project, fiscal_year=2025, amount=5_000_000)
    FundingFactory(project=project, fiscal_year=2026, funder=city, scheme=TITLE, amount=1_000_000)
    return SimpleNamespace(a=a, b=b, c=c, d=d, city=city, orgs=orgs)


def _stored(fiscal_year: int) -> dict[str, tuple]:
    return {
        row.sector: (row.calls, row.applications, row.adoptions, row.support_granted)
        for row in CallSummary.objects.filter(fiscal_year=fiscal_year)
    }


FY2025 = {
    "": (2, 5, 2, 1_800_000),
    "local_company": (0, 2, 1, 800_000),
    "outside_company": (0, 1, 0, 0),
    "university": (0, 1, 1, 1_000_000),
    "association": (0, 1, 0, 0),
}


def test_the_roll_up_counts_published_calls_submitted_applications_and_released_adoptions(
    fy2025,
):
    services.rollup_fiscal_year_compute(fiscal_year=2025)
    assert _stored(2025) == FY2025
    whole = CallSummary.objects.get(fiscal_year=2025, sector="")
    assert whole.adoption_rate == 40.0
    assert CallSummary.objects.get(fiscal_year=2025, sector="local_company").adoption_rate == 50.0


def test_a_year_with_a_call_and_no_applications_has_no_adoption_rate(fy2025):
    services.rollup_fiscal_year_compute(fiscal_year=2026)
    assert _stored(2026) == {"": (1, 0, 0, 0)}
    assert CallSummary.objects.get(fiscal_year=2026).adoption_rate is None


def test_a_year_without_calls_has_no_rows(fy2025):
    services.rollup_fiscal_year_compute(fiscal_year=2024)
    assert compute_calls(2024) == {}
    assert not CallSummary.objects.filter(fiscal_year=2024).exists()


def test_the_full_roll_up_of_every_year_fills_the_call_years(fy2025):
    years = services.rollup_all_compute()
    assert {2025, 2026} <= set(years)
    assert _stored(2025) == FY2025 and _stored(2026) == {"": (1, 0, 0, 0)}


def test_a_second_roll_up_replaces_the_rows(fy2025):
    services.rollup_fiscal_year_compute(fiscal_year=2025)
    Application.objects.filter(organisation=fy2025.orgs.O1, status="submitted").update(
        status=Application.Status.WITHDRAWN
    )
    services.rollup_fiscal_year_compute(fiscal_year=2025)
    stored = _stored(2025)
    assert stored[""] == (2, 4, 2, 1_800_000)
    assert "outside_company" not in stored


def test_call_changed_queues_the_year_after_commit_once_per_transaction(
    db, django_capture_on_commit_callbacks
):
    with mock.patch.object(tasks.rollup_fiscal_year, "delay") as delay:
        delay.return_value.id = "task-1"
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            for _ in range(5):
                call_changed.send(sender=None, fiscal_years={2025})
            call_changed.send(sender=None, fiscal_years={2025, 2026})
        delay.assert_not_called()  # nothing before the commit
        assert not RollupState.objects.filter(state="queued").exists()
        for callback in callbacks:
            callback()
    assert sorted(c.args[0] for c in delay.call_args_list) == [2025, 2026]
    assert RollupState.objects.get(fiscal_year=2025).state == RollupState.State.QUEUED


def test_call_changed_rolls_up_the_year_with_the_queue_running(
    fy2025, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_changed.send(sender=None, fiscal_years={2025})
    assert _stored(2025) == FY2025
    assert RollupState.objects.get(fiscal_year=2025).state == RollupState.State.IDLE
    assert not CallSummary.objects.filter(fiscal_year=2026).exists()  # only the year sent


def test_reclassifying_an_applicant_rolls_up_the_years_it_applied_in(
    fy2025, django_capture_on_commit_callbacks
):
    from members.signals import organisation_changed

    services.rollup_fiscal_year_compute(fiscal_year=2025)
    university = fy2025.orgs.U
    university.sector = Sector.COMPANY
    university.is_local = False
    university.save(update_fields=["sector", "is_local"])
    with django_capture_on_commit_callbacks(execute=True):
        organisation_changed.send(sender=None, organisation_id=university.pk)
    stored = _stored(2025)
    assert "university" not in stored
    assert stored["outside_company"] == (0, 2, 1, 1_000_000)


# --- the dashboard -----------------------------------------------------------------------------


def test_the_dashboard_shows_the_calls_of_each_budget_year(fy2025, client_as):
    services.rollup_all_compute()
    html = client_as("staff").get(reverse("reports:dashboard")).content.decode()
    section = html.split('id="calls-heading"', 1)[1].split("</section>", 1)[0]
    assert "2025年度（令和7年度）" in section and "2026年度（令和8年度）" in section
    summary, sectors = section.split("<table", 2)[1:]
    row_2025 = summary.split("2025年度（令和7年度）", 1)[1].split("</tr>", 1)[0]
    cells = [c.split("</td>")[0] for c in row_2025.split('<td class="num">')[1:]]
    assert cells == ["2", "5", "2", "40.0%", "1,800,000"]
    row_2026 = summary.split("2026年度（令和8年度）", 1)[1].split("</tr>", 1)[0]
    cells = [c.split("</td>")[0] for c in row_2026.split('<td class="num">')[1:]]
    assert cells == ["1", "0", "0", "", "0"]  # no applications: no rate
    local = sectors.split(">市内企業</th>", 1)[1].split("</tr>", 1)[0]
    assert [c.split("</td>")[0] for c in local.split('<td class="num">')[1:]] == [
        "2",
        "1",
        "50.0%",
    ]
    assert ">市外企業</th>" in sectors and ">大学・研究機関</th>" in sectors
    assert "応募はありません。" in sectors  # FY2026


def test_the_dashboard_in_english(fy2025, client_as):
    services.rollup_all_compute()
    client = client_as("staff")
    client.cookies["django_language"] = "en"
    html = client.get(reverse("reports:dashboard")).content.decode()
    section = html.split('id="calls-heading"', 1)[1].split("</section>", 1)[0]
    assert "FY2025" in section and "Adoption rate" in section and "Local companies" in section


def test_a_filtered_dashboard_leaves_the_consortium_wide_calls_out(fy2025, client_as):
    services.rollup_all_compute()
    project = ProjectFactory()
    response = client_as("staff").get(reverse("reports:dashboard"), {"project": project.pk})
    assert 'id="calls-heading"' not in response.content.decode()


def _call_years(count: int) -> None:
    city = organisation("市役所", Sector.GOVERNMENT)
    for offset in range(count):
        call = CallFactory(fiscal_year=2000 + offset, funder=city)
        _applied(call, organisation(f"応募企業{offset}"), ADOPTED)
    services.rollup_all_compute()


@pytest.mark.parametrize("years", [1, 20])
def test_the_dashboard_reads_the_calls_in_one_query(
    db, years, client_as, django_assert_num_queries
):
    _call_years(years)
    client = client_as("admin")
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("reports:dashboard"))
    assert response.content.decode().count("100.0%") == 2 * years  # year row + its sector row


# --- the annual summary's 「公募」 -------------------------------------------------------------


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with a BOM
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_calls_csv_has_a_whole_year_row_then_the_sectors(fy2025, client_as):
    services.rollup_all_compute()
    response = client_as("admin").get(reverse("reports:export", args=["calls", "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="calls-all.csv"'
    assert _rows(response.content) == [
        ["年度", "和暦", "区分", "公募数", "応募数", "採択数", "採択率（%）", "支援額（円）"],
        ["2025", "令和7年度", "全体", "2", "5", "2", "40.0", "1800000"],
        ["2025", "令和7年度", "市内企業", "", "2", "1", "50.0", "800000"],
        ["2025", "令和7年度", "市外企業", "", "1", "0", "0.0", "0"],
        ["2025", "令和7年度", "大学・研究機関", "", "1", "1", "100.0", "1000000"],
        ["2025", "令和7年度", "団体", "", "1", "0", "0.0", "0"],
        ["2026", "令和8年度", "全体", "1", "0", "0", "", "0"],
    ]
    log = ExportLog.objects.get()
    assert (log.kind, log.filename, log.personal_data) == ("calls", "calls-all.csv", False)


def test_the_calls_csv_of_one_year_in_english_and_cp932(fy2025, client_as):
    services.rollup_all_compute()
    response = client_as("admin").get(
        reverse("reports:export", args=["calls", "csv"]),
        {"fiscal_year": 2025, "header": "en", "encoding": "cp932"},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("cp932"), newline="")))
    assert rows[0] == [
        "fiscal_year",
        "era",
        "sector",
        "calls",
        "applications",
        "adoptions",
        "adoption_rate",
        "support_granted",
    ]
    assert [r[2] for r in rows[1:]] == [
        "ALL",
        "local_company",
        "outside_company",
        "university",
        "association",
    ]
    assert response["Content-Disposition"] == 'attachment; filename="calls-2025.csv"'


def test_the_calls_xlsx_holds_numbers_and_empty_cells(fy2025, client_as):
    services.rollup_all_compute()
    response = client_as("admin").get(reverse("reports:export", args=["calls", "xlsx"]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.getvalue()), read_only=True)
    sheet = workbook.active
    assert sheet.title == "公募"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == (2025, "令和7年度", "全体", 2, 5, 2, 40.0, 1_800_000)
    assert rows[2] == (2025, "令和7年度", "市内企業", None, 2, 1, 50.0, 800_000)
    assert rows[-1] == (2026, "令和8年度", "全体", 1, 0, 0, None, 0)


def test_the_command_writes_the_same_calls_csv(fy2025, client_as, tmp_path):
    services.rollup_all_compute()
    target = tmp_path / "calls.csv"
    call_command("export_annual_summary", "--kind", "calls", "--output", str(target))
    web = client_as("admin").get(reverse("reports:export", args=["calls", "csv"])).content
    assert target.read_bytes() == web


def test_the_exports_page_offers_the_calls_sheet_and_only_downloadable_kinds(db, client_as):
    html = client_as("admin").get(reverse("reports:exports")).content.decode()
    assert reverse("reports:export", args=["calls", "csv"]) in html
    assert reverse("reports:export", args=["calls", "xlsx"]) in html
    assert reverse("reports:export", args=["roster", "csv"]) not in html  # the admin's, not here


@pytest.mark.parametrize("years", [1, 20])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_calls_export_query_count_is_fixed(
    db, years, fmt, client_as, django_assert_num_queries
):
    _call_years(years)
    client = client_as("admin")
    with django_assert_num_queries(5):  # session, user, roles, the rows, the export log
        response = client.get(reverse("reports:export", args=["calls", fmt]))
    assert response.status_code == 200


def test_releasing_decisions_through_the_services_rolls_up_the_support_granted(
    db, django_capture_on_commit_callbacks
):
    from projects.calls.services.calls import call_close
    from projects.calls.services.decisions import application_decide, call_release_decisions
    from tests.factories import UserFactory
    from tests.projects.calls.factories import BudgetLineFactory

    staff = UserFactory()
    call = CallFactory(fiscal_year=2025, criteria=2)
    adopted = _applied(call, organisation("市内D社"))
    BudgetLineFactory(application=adopted, amount=600_000)
    BudgetLineFactory(application=adopted, amount=250_000)
    rejected = _applied(call, organisation("筑波研究所", Sector.UNIVERSITY))
    with django_capture_on_commit_callbacks(execute=True):
        call_close(call=call)
        for application, decision in ((adopted, ADOPTED), (rejected, REJECTED)):
            application_decide(
                application=application, decision=decision, message="", decided_by=staff
            )
    assert _stored(2025)[""] == (1, 2, 0, 0)  # decided, not released: no adoption yet
    with django_capture_on_commit_callbacks(execute=True):
        call_release_decisions(call=call, released_by=staff)
    assert _stored(2025) == {
        "": (1, 2, 1, 850_000),
        "local_company": (0, 1, 1, 850_000),
        "university": (0, 1, 0, 0),
    }
