"""Factories for the reports tests: meetings, attendances and funding entries."""

import datetime as dt

import factory

from events.models import Attendance, Meeting
from members.models import Organisation, Sector
from projects.models import Funding, Project
from tests.events.factories import status_by_date
from tests.factories import OrganisationFactory, PersonFactory, StudyGroupFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"波力発電の実証事業{n}")


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    study_group = factory.SubFactory(StudyGroupFactory)
    kind = Meeting.Kind.SUBCOMMITTEE
    title = factory.Sequence(lambda n: f"第{n}回部会")
    date = dt.date(2018, 10, 1)
    unnamed_headcount = 0
    status = factory.LazyAttribute(status_by_date)  # past meetings held, like the migration


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")
    status = Attendance.Status.ATTENDED


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funding

    project = factory.SubFactory(ProjectFactory)
    fiscal_year = 2018
    funder = factory.SubFactory(
        OrganisationFactory, sector=Sector.FINANCIAL, name=factory.Sequence(lambda n: f"NEDO{n}")
    )
    scheme = factory.Sequence(lambda n: f"実証研究事業{n}")
    kind = Funding.Kind.GRANT
    amount = 1_000_000
    status = Funding.Status.RECEIVED


def organisation(name: str, sector: str = Sector.COMPANY, *, local: bool = True) -> Organisation:
    return OrganisationFactory(name=name, sector=sector, is_local=local)
