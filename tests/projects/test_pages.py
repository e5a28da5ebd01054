import datetime as dt

import pytest
from django.urls import reverse

from projects.models import Agreement, Funding, Project
from tests.projects.factories import (
    AgreementFactory,
    FunderFactory,
    FundingFactory,
    PhaseTransitionFactory,
    ProjectFactory,
    phase,
)

pytestmark = pytest.mark.django_db


def test_project_page_shows_fiscal_years_with_era_totals_and_cliff(client_as, study_group):
    project = ProjectFactory(study_groups=[study_group])
    cabinet = FunderFactory(name="内閣府")
    FundingFactory(project=project, funder=cabinet, fiscal_year=2018, amount=15_000_000)
    FundingFactory(project=project, funder=cabinet, fiscal_year=2017, amount=10_000_000)
    PhaseTransitionFactory(project=project, phase=phase("研究会"), started_on=dt.date(2016, 6, 1))
    body = client_as("member_a").get(reverse("projects:project_detail", args=[project.pk]))
    text = body.content.decode()
    assert "2018年度（平成30年度）" in text
    assert "15,000,000" in text and "10,000,000" in text
    assert "財源の途切れ" in text and "2019年度（令和元年度）の財源が見つかっていません" in text
    assert "研究会" in text


def test_project_page_in_english(client_as, study_group):
    project = ProjectFactory(study_groups=[study_group])
    FundingFactory(project=project, fiscal_year=2018)
    response = client_as("member_a").get(
        reverse("projects:project_detail", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    text = response.content.decode()
    assert "FY2018" in text and "Funding cliff" in text and "Grant / subsidy" in text


def test_staff_get_the_change_history_on_demand_and_members_never(client_as, study_group):
    project = ProjectFactory(study_groups=[study_group])
    FundingFactory(project=project, scheme="波力発電実証補助金")
    history_url = reverse("projects:project_history", args=[project.pk])
    staff_page = client_as("staff").get(reverse("projects:project_detail", args=[project.pk]))
    text = staff_page.content.decode()
    # Loaded by htmx when scrolled to; the link works without JavaScript.
    assert f'hx-get="{history_url}" hx-trigger="revealed"' in text
    assert f'<a href="{history_url}">変更履歴を表示</a>' in text
    assert "変更内容" not in text  # the history table itself is not on the page
    member_page = client_as("member_a").get(reverse("projects:project_detail", args=[project.pk]))
    assert "変更履歴" not in member_page.content.decode()
    assert client_as("member_a").get(history_url).status_code == 403


def test_the_change_history_is_a_fragment_for_htmx_and_a_page_without(client_as):
    project = ProjectFactory(name="波力発電の実証")
    FundingFactory(project=project, scheme="波力発電実証補助金")
    client = client_as("staff")
    url = reverse("projects:project_history", args=[project.pk])
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<section class="card" id="history">')
    assert (
        "波力発電実証補助金" in fragment.content.decode()
        and "<html" not in fragment.content.decode()
    )
    assert "HX-Request" in fragment["Vary"]
    page = client.get(url).content.decode()
    assert "<html" in page and "波力発電実証補助金" in page
    assert (
        f'href="{reverse("projects:project_detail", args=[project.pk])}">波力発電の実証</a>' in page
    )
    english = client.get(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert "Change history" in english.content.decode()
    assert client.get(reverse("projects:project_history", args=[999999])).status_code == 404


def test_staff_form_rejects_negative_amount_and_out_of_range_year(client_as):
    project = ProjectFactory()
    funder = FunderFactory()
    url = reverse("projects:funding_create", args=[project.pk])
    data = {
        "fiscal_year": "1988",
        "funder": funder.pk,
        "scheme": "s",
        "kind": "grant",
        "amount": "-1",
        "status": "adopted",
    }
    response = client_as("staff").post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "1989" in errors["fiscal_year"][0]
    assert errors["amount"] == ["金額は0以上にしてください。"]
    assert not Funding.objects.exists()
    data.update(fiscal_year="2018", amount="")
    assert client_as("staff").post(url, data).status_code == 302
    assert Funding.objects.get().amount is None


def _agreement_post(**overrides):
    data = {
        "title": "連携協力協定",
        "kind": "cooperation",
        "status": "signed",
        "signed_on": "2019-04-01",
        "term_start": "2019-04-01",
        "term_end": "2020-03-31",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-0-organisation": "東京大学生産技術研究所",
        "parties-0-role": "甲",
        "parties-1-organisation": "",
        "parties-1-role": "",
        "articles-TOTAL_FORMS": "1",
        "articles-INITIAL_FORMS": "0",
        "articles-0-number": "1",
        "articles-0-title": "目的",
        "articles-0-text": "目的を定める。",
    }
    data.update(overrides)
    return data


def test_agreement_form_validates_term_party_and_pdf(client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    FunderFactory(name="東京大学生産技術研究所")
    url = reverse("projects:agreement_create")
    client = client_as("staff")
    response = client.post(url, _agreement_post(term_end="2019-03-31"))
    assert "term_end" in response.context["form"].errors
    response = client.post(url, _agreement_post(**{"parties-1-organisation": "架空の団体"}))
    assert "架空の団体" in response.context["parties"].forms[1].errors["organisation"][0]
    fake = SimpleUploadedFile("signed.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(url, {**_agreement_post(), "document": fake})
    assert "document" in response.context["form"].errors
    assert not Agreement.objects.exists()
    pdf = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 real", content_type="application/pdf")
    assert client.post(url, {**_agreement_post(), "document": pdf}).status_code == 302
    agreement = Agreement.objects.get()
    assert [a.label for a in agreement.articles.all()] == ["第1条"]
    assert agreement.parties.get().role == "甲"


def test_project_filters_by_phase_and_funder(client_as):
    demo = ProjectFactory(name="実証中")
    PhaseTransitionFactory(project=demo, phase=phase("実証"))
    other = ProjectFactory(name="研究会段階")
    PhaseTransitionFactory(project=other, phase=phase("研究会"))
    moe = FunderFactory(name="環境省")
    FundingFactory(project=other, funder=moe, fiscal_year=2019)
    client = client_as("staff")
    url = reverse("projects:project_list")
    names = lambda r: [p.name for p in r.context["object_list"]]  # noqa: E731
    assert names(client.get(url, {"phase": phase("実証").pk})) == ["実証中"]
    assert names(client.get(url, {"funder": moe.pk})) == ["研究会段階"]
    assert names(client.get(url, {"fiscal_year": 2019})) == ["研究会段階"]
    assert sorted(names(client.get(url))) == ["実証中", "研究会段階"]


def test_staff_records_a_phase_change_through_the_page(client_as):
    project = ProjectFactory()
    PhaseTransitionFactory(project=project, phase=phase("研究会"))
    response = client_as("staff").post(
        reverse("projects:phase_record", args=[project.pk]),
        {"phase": phase("実証").pk, "started_on": "2019-04-01"},
    )
    assert response.status_code == 302
    assert project.phase_transitions.count() == 2
    assert Project.objects.with_current_phase().get().current_phase_name == "実証"


def test_staff_adds_and_reorders_a_phase(client_as):
    from projects.models import Phase

    client = client_as("staff")
    client.post(reverse("projects:phase_list"), {"name": "構想", "name_en": "Concept", "order": 0})
    concept = Phase.objects.get(name="構想")
    assert list(Phase.objects.values_list("name", flat=True))[0] == "構想"
    client.post(reverse("projects:phase_list"), {"move": concept.pk, "direction": "down"})
    assert list(Phase.objects.values_list("name", flat=True))[:2] == ["研究会", "構想"]


def test_expiring_section_lists_agreements_ending_soon(client_as, org_a):
    from django.utils import timezone

    AgreementFactory(
        title="まもなく満了", parties=[org_a], term_end=timezone.localdate() + dt.timedelta(days=30)
    )
    AgreementFactory(
        title="まだ先", parties=[org_a], term_end=timezone.localdate() + dt.timedelta(days=200)
    )
    response = client_as("member_a").get(reverse("projects:agreement_list"))
    assert [a.title for a in response.context["expiring"]] == ["まもなく満了"]
