"""Adoption at release: at once in the funding summary, the dashboard and the project page, and
outcomes recorded later trace back to the call."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from projects.calls.models import Call
from projects.calls.services.decisions import application_decide, call_release_decisions
from projects.models import Outcome
from reports.models import CallSummary, FundingSummary
from tests.factories import OrganisationFactory, person_with_account, staff_user
from tests.projects.calls.factories import ApplicationFactory, BudgetLineFactory, CallFactory

pytestmark = pytest.mark.django_db


def test_a_released_adoption_is_in_the_funding_summary_dashboard_and_project_at_once(
    django_capture_on_commit_callbacks,
):
    staff = staff_user()
    call = CallFactory(
        criteria=1, status=Call.Status.CLOSED, fiscal_year=2026, title="トライアル支援事業"
    )
    lead = OrganisationFactory(name="株式会社つくばモビリティ")
    application = ApplicationFactory(
        call=call,
        organisation=lead,
        created_by=person_with_account(lead).user,
        submitted=True,
        title="自動運転バスの実証",
    )
    BudgetLineFactory(application=application, amount=750_000)
    application_decide(application=application, decision="adopted", message="", decided_by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        call_release_decisions(call=call, released_by=staff)
    application.refresh_from_db()
    project = application.project

    summary = FundingSummary.objects.get(fiscal_year=2026, project=project)
    assert (summary.scheme, summary.amount) == ("トライアル支援事業", 750_000)
    whole = CallSummary.objects.get(fiscal_year=2026, sector="")
    assert (whole.applications, whole.adoptions, whole.support_granted) == (1, 1, 750_000)

    client = Client()
    client.force_login(staff)
    page = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    assert "2026年度（令和8年度）" in page and "750,000" in page
    dashboard = client.get(reverse("reports:dashboard") + "?fiscal_year=2026").content.decode()
    assert "750,000" in dashboard.split('id="calls-heading"', 1)[1]

    # An outcome recorded later on the project is shown with the call it came from.
    with django_capture_on_commit_callbacks(execute=True):
        Outcome.objects.create(
            project=project, kind="business_deal", date=dt.date(2027, 1, 20), title="市内で導入"
        )
    assert Outcome.objects.filter(project__call_application__call=call).count() == 1
    page = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    assert "市内で導入" in page
    assert f"公募「{call.title}」の採択事業（{application.number}）" in page
