"""factory_boy factories for meetings, registrations and attendance."""

import datetime as dt

import factory
from django.utils import timezone

from events.models import Attendance, Meeting, MeetingKind, Registration
from tests.factories import PersonFactory, StudyGroupFactory


def tokyo(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    study_group = factory.SubFactory(StudyGroupFactory)
    kind = MeetingKind.SUBCOMMITTEE
    title = factory.Sequence(lambda n: f"第{n}回 部会")
    date = dt.date(2018, 7, 10)
    venue = "平塚市役所 304会議室"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
    position = factory.Sequence(lambda n: n + 1)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")
