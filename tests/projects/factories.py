"""factory_boy factories for the projects app."""

import datetime as dt

import factory

from projects.models import (
    Agreement,
    AgreementArticle,
    AgreementParty,
    Funding,
    Outcome,
    Phase,
    PhaseTransition,
    Project,
)
from tests.factories import OrganisationFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"波力発電 実証事業{n}")
    theme = "波力発電"
    lead_organisation = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def study_groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.study_groups.set(extracted)

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if create and extracted:
            self.partners.set(extracted)


class FunderFactory(OrganisationFactory):
    sector = "financial"
    name = factory.Sequence(lambda n: f"省庁{n}")


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funding

    project = factory.SubFactory(ProjectFactory)
    fiscal_year = 2018
    funder = factory.SubFactory(FunderFactory)
    scheme = "地方創生推進交付金"
    kind = "grant"
    amount = 10_000_000
    status = "received"


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    kind = "patent"
    date = dt.date(2018, 9, 1)
    title = factory.Sequence(lambda n: f"特許申請{n}")

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisations.set(extracted)


def phase(name: str = "研究会") -> Phase:
    return Phase.objects.get(name=name)


class PhaseTransitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhaseTransition

    project = factory.SubFactory(ProjectFactory)
    phase = factory.LazyFunction(phase)
    started_on = dt.date(2016, 6, 1)


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"連携協力協定{n}")
    kind = "cooperation"
    status = "signed"
    signed_on = dt.date(2019, 4, 1)
    term_start = dt.date(2019, 4, 1)

    @factory.post_generation
    def parties(self, create, extracted, **kwargs):
        if create and extracted:
            for order, organisation in enumerate(extracted, start=1):
                AgreementParty.objects.create(
                    agreement=self, organisation=organisation, role="甲乙丙"[order - 1], order=order
                )


class AgreementArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementArticle

    agreement = factory.SubFactory(AgreementFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = "海洋活用技術の研究開発に関すること。"
