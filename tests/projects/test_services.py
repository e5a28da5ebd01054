import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects.funding import funding_cliffs
from projects.models import Agreement, Funding, PhaseTransition, Project
from projects.signals import funding_changed, project_changed
from tests.projects.factories import (
    AgreementFactory,
    FunderFactory,
    FundingFactory,
    PhaseTransitionFactory,
    ProjectFactory,
    phase,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    """Signals received during a test: (name, kwargs)."""
    calls = []

    def funding(sender, **kwargs):
        calls.append(("funding_changed", {"fiscal_years": kwargs["fiscal_years"]}))

    def project(sender, **kwargs):
        calls.append(("project_changed", {"project_ids": kwargs["project_ids"]}))

    funding_changed.connect(funding)
    project_changed.connect(project)
    yield calls
    funding_changed.disconnect(funding)
    project_changed.disconnect(project)


def test_default_phases_exist_in_order():
    from projects.models import Phase

    assert list(Phase.objects.values_list("name", flat=True)[:3]) == [
        "研究会",
        "実証",
        "事業化・実用化",
    ]


def test_phase_change_keeps_history_and_moves_current_phase(received):
    project = ProjectFactory()
    PhaseTransitionFactory(project=project, phase=phase("研究会"), started_on=dt.date(2016, 6, 1))
    services.phase_transition_record(
        project=project, phase=phase("実証"), started_on=dt.date(2019, 4, 1), note="工事開始"
    )
    history = list(
        PhaseTransition.objects.filter(project=project).values_list("phase__name", "started_on")
    )
    assert history == [("研究会", dt.date(2016, 6, 1)), ("実証", dt.date(2019, 4, 1))]
    annotated = Project.objects.with_current_phase().get(pk=project.pk)
    assert annotated.current_phase_name == "実証"
    assert ("project_changed", {"project_ids": {project.pk}}) in received


def test_current_phase_is_latest_by_start_date_not_by_recording_order():
    project = ProjectFactory()
    PhaseTransitionFactory(project=project, phase=phase("実証"), started_on=dt.date(2019, 4, 1))
    # Recorded later, but started earlier: a back-filled study-group period.
    PhaseTransitionFactory(project=project, phase=phase("研究会"), started_on=dt.date(2016, 6, 1))
    assert Project.objects.with_current_phase().get(pk=project.pk).current_phase_name == "実証"


def test_with_current_phase_is_one_query(django_assert_num_queries):
    for _ in range(3):
        PhaseTransitionFactory()
    with django_assert_num_queries(1):
        names = [p.current_phase_name for p in Project.objects.with_current_phase()]
    assert names == ["研究会"] * 3


def _fund(project, fy, funder, scheme, **kwargs):
    return FundingFactory(project=project, fiscal_year=fy, funder=funder, scheme=scheme, **kwargs)


def test_source_ending_after_a_fiscal_year_is_a_cliff():
    project, cabinet = ProjectFactory(), FunderFactory(name="内閣府")
    _fund(project, 2017, cabinet, "地方創生推進交付金")
    _fund(project, 2018, cabinet, "地方創生推進交付金", amount=15_000_000)
    assert funding_cliffs(fiscal_year=2017) == []
    cliffs = funding_cliffs(fiscal_year=2018)
    assert [(c.scheme, c.fiscal_year, c.amount) for c in cliffs] == [
        ("地方創生推進交付金", 2018, 15_000_000)
    ]


def test_new_source_next_year_replaces_the_ending_one():
    project = ProjectFactory()
    cabinet, moe = FunderFactory(name="内閣府"), FunderFactory(name="環境省")
    _fund(project, 2018, cabinet, "地方創生推進交付金")
    _fund(project, 2019, moe, "CO2排出削減対策強化誘導型技術開発・実証事業", kind="commissioned")
    assert funding_cliffs(fiscal_year=2018) == []


def test_a_continuing_source_does_not_replace_an_ending_one():
    project = ProjectFactory()
    cabinet, company = FunderFactory(name="内閣府"), FunderFactory(name="市内企業")
    _fund(project, 2018, cabinet, "地方創生推進交付金")
    _fund(project, 2018, company, "企業共同研究費", kind="joint_research")
    _fund(project, 2019, company, "企業共同研究費", kind="joint_research")
    assert [c.scheme for c in funding_cliffs(fiscal_year=2018)] == ["地方創生推進交付金"]


def test_only_applied_money_is_not_a_cliff_and_cliffs_are_per_project():
    cabinet = FunderFactory(name="内閣府")
    applied, other = ProjectFactory(), ProjectFactory()
    _fund(applied, 2018, cabinet, "地方創生推進交付金", status="applied")
    _fund(other, 2018, cabinet, "地方創生推進交付金")
    _fund(ProjectFactory(), 2019, cabinet, "地方創生推進交付金")  # another project's money
    assert [c.project for c in funding_cliffs(fiscal_year=2018)] == [other]
    assert funding_cliffs(fiscal_year=2018, projects=[applied]) == []


def test_fiscal_year_boundary_march_money_belongs_to_the_earlier_year():
    from consortium.fiscal import fiscal_year_of

    project, cabinet = ProjectFactory(), FunderFactory()
    _fund(project, fiscal_year_of(dt.date(2019, 3, 31)), cabinet, "交付金")
    _fund(project, fiscal_year_of(dt.date(2019, 4, 1)), cabinet, "交付金")
    assert funding_cliffs(fiscal_year=2018) == []
    assert len(funding_cliffs(fiscal_year=2019)) == 1


def test_funding_save_announces_old_and_new_fiscal_year(received):
    funding = FundingFactory(fiscal_year=2018)
    funding.fiscal_year = 2019
    services.funding_save(funding=funding)
    assert received == [("funding_changed", {"fiscal_years": {2018, 2019}})]
    assert funding.history.count() == 2


def test_funding_outside_the_fiscal_year_range_is_rejected():
    funding = FundingFactory.build(
        fiscal_year=1988, project=ProjectFactory(), funder=FunderFactory()
    )
    with pytest.raises(ValidationError) as error:
        services.funding_save(funding=funding)
    assert "fiscal_year" in error.value.message_dict
    assert not Funding.objects.exists()


@pytest.mark.parametrize(("days", "listed"), [(89, True), (90, True), (91, False)])
def test_agreement_expiry_list_covers_90_days(days, listed):
    today = dt.date(2024, 1, 10)
    agreement = AgreementFactory(term_end=today + dt.timedelta(days=days))
    AgreementFactory(status="draft", term_end=today + dt.timedelta(days=10))  # not signed
    AgreementFactory(term_end=today - dt.timedelta(days=1))  # already over
    expiring = list(Agreement.objects.expiring_within(90, today=today))
    assert expiring == ([agreement] if listed else [])


def test_agreement_save_replaces_parties_and_articles():
    org_a, org_b = FunderFactory(), FunderFactory()
    agreement = AgreementFactory(parties=[org_a])
    services.agreement_save(
        agreement=agreement,
        projects=[ProjectFactory()],
        parties=[(org_b, "甲"), (org_a, "乙")],
        articles=[(1, "目的", "目的を定める。"), (2, "", "研究開発に関すること。")],
    )
    assert [(p.organisation, p.role) for p in agreement.parties.all()] == [
        (org_b, "甲"),
        (org_a, "乙"),
    ]
    assert [a.label for a in agreement.articles.all()] == ["第1条", "第2条"]
    assert agreement.projects.count() == 1


def test_agreement_term_end_before_start_is_invalid():
    agreement = AgreementFactory.build(
        term_start=dt.date(2020, 4, 1), term_end=dt.date(2020, 3, 31)
    )
    with pytest.raises(ValidationError) as error:
        agreement.full_clean()
    assert "term_end" in error.value.message_dict
