"""The ranking table (審査結果一覧): weighted average, spread, order, exports, query count."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.calls.ranking import call_ranking
from tests.factories import OrganisationFactory, person_with_account, staff_user
from tests.projects.calls.factories import (
    ApplicationFactory,
    CallFactory,
    ReviewAssignmentFactory,
    ReviewCriterionFactory,
    ReviewScoreFactory,
    reviewer_user,
)

pytestmark = pytest.mark.django_db


def staff_client() -> Client:
    client = Client()
    client.force_login(staff_user())
    return client


def review(application, scores: dict, *, submitted=True, comment=""):
    assignment = ReviewAssignmentFactory(
        application=application,
        reviewer=reviewer_user(),
        submitted_at=timezone.now() if submitted else None,
        comment=comment,
    )
    for criterion, score in scores.items():
        ReviewScoreFactory(assignment=assignment, criterion=criterion, score=score, comment="")
    return assignment


@pytest.fixture
def call():
    return CallFactory()


@pytest.fixture
def criteria(call):
    # 配点: 新規性 ×3, 実現性 ×1
    return (
        ReviewCriterionFactory(call=call, name="新規性", weight=3, order=1),
        ReviewCriterionFactory(call=call, name="実現性", weight=1, order=2),
    )


def test_weighted_average_and_spread_of_a_hand_computed_example(call, criteria):
    novelty, feasibility = criteria
    application = ApplicationFactory(call=call, submitted=True)
    review(application, {novelty: 5, feasibility: 1})  # weighted total 3×5 + 1×1 = 16
    review(application, {novelty: 3, feasibility: 5})  # 3×3 + 1×5 = 14
    review(application, {novelty: 4, feasibility: 2})  # 3×4 + 1×2 = 14
    review(application, {novelty: 1, feasibility: 1}, submitted=False)  # a draft: left out

    row = call_ranking(call=call).rows[0]
    # means: 新規性 (5+3+4)/3 = 4, 実現性 (1+5+2)/3 = 8/3; (3×4 + 1×8/3) / 4 = 44/12 = 3.666…
    assert row.criterion_means == [Decimal("4.00"), Decimal("2.67")]
    assert row.weighted_average == Decimal("3.67")
    assert row.spread == 16 - 14
    assert (row.submitted, row.assigned) == (3, 4)


def test_rows_are_sorted_by_weighted_average_with_unreviewed_last(call, criteria):
    novelty, feasibility = criteria
    low = ApplicationFactory(call=call, submitted=True, title="低い提案")
    high = ApplicationFactory(call=call, submitted=True, title="高い提案")
    unreviewed = ApplicationFactory(call=call, submitted=True, title="未審査の提案")
    ApplicationFactory(call=call, title="下書きの提案")
    review(low, {novelty: 2, feasibility: 2})
    review(high, {novelty: 5, feasibility: 4})
    rows = call_ranking(call=call).rows
    assert [r.application for r in rows] == [high, low, unreviewed]
    assert [r.rank for r in rows] == [1, 2, None]
    assert rows[2].weighted_average is None and rows[2].spread is None

    page = staff_client().get(reverse("projects:call_ranking", args=[call.pk])).content.decode()
    assert page.index("高い提案") < page.index("低い提案") < page.index("未審査の提案")
    assert "下書きの提案" not in page


def _rows_for(call, criteria, n):
    novelty, feasibility = criteria
    for index in range(n):
        application = ApplicationFactory(call=call, submitted=True)
        review(application, {novelty: 1 + index % 5, feasibility: 3}, comment=f"総評{index}")
        review(application, {novelty: 2, feasibility: 4})


def test_the_ranking_page_query_count_is_the_same_for_5_and_20_applications(
    call, criteria, django_assert_num_queries
):
    client = staff_client()
    url = reverse("projects:call_ranking", args=[call.pk])
    _rows_for(call, criteria, 5)
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    _rows_for(call, criteria, 15)
    with django_assert_num_queries(len(five.captured_queries)):
        response = client.get(url)
    assert len(response.context["ranking"].rows) == 20


def test_the_csv_export_has_a_bom_and_escapes_formulas(call, criteria):
    novelty, feasibility = criteria
    application = ApplicationFactory(call=call, submitted=True, title='=HYPERLINK("http://x")')
    review(application, {novelty: 4, feasibility: 2}, comment="+81 と書いた総評")
    response = staff_client().get(
        reverse("projects:call_ranking_export", args=[call.pk]) + "?format=csv"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:5] == ["順位", "受付番号", "提案名", "応募団体", "加重平均点"]
    assert rows[1][2] == '\'=HYPERLINK("http://x")'
    assert rows[1][4] == "3.5"  # (3×4 + 1×2) / 4
    assert rows[1][-2].split(": ", 1)[1] == "+81 と書いた総評"  # not at the start of the cell


def test_the_xlsx_export_keeps_formula_like_text_as_text(call, criteria):
    novelty, feasibility = criteria
    application = ApplicationFactory(call=call, submitted=True, title="=1+1")
    review(application, {novelty: 4, feasibility: 2})
    response = staff_client().get(
        reverse("projects:call_ranking_export", args=[call.pk]) + "?format=xlsx"
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    title = sheet.cell(row=2, column=3)
    assert title.value == "=1+1" and title.data_type == "s"
    assert sheet.cell(row=2, column=5).value == 3.5
    assert sheet.cell(row=2, column=1).value == 1


@pytest.mark.parametrize("page", ["projects:call_assignments", "projects:call_decisions"])
def test_assignment_and_decision_pages_query_counts_do_not_grow(
    call, criteria, page, django_assert_num_queries
):
    client = staff_client()
    url = reverse(page, args=[call.pk])

    def add(n):
        for _ in range(n):
            _rows_for(call, criteria, 1)
            reviewer = person_with_account(OrganisationFactory()).user
            reviewer.groups.add(reviewer_user().groups.get())

    add(5)
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    add(15)
    with django_assert_num_queries(len(five.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
