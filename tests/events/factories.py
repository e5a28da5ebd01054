"""factory_boy factories for meetings, registrations and attendance."""

import contextlib
import datetime as dt
from unittest import mock

import factory
from django.utils import timezone

from events.models import (
    Attendance,
    Meeting,
    MeetingKind,
    MeetingStatus,
    PublicRegistration,
    Registration,
)
from tests.factories import PersonFactory, StudyGroupFactory


def tokyo(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@contextlib.contextmanager
def now_is(*args):
    """Freeze "now" (and so ``timezone.localdate()``) at this Tokyo time, e.g. the issue's
    2026-12-01, so tests about what has happened yet do not depend on the day they run."""
    with mock.patch("django.utils.timezone.now", return_value=tokyo(*args)):
        yield


def status_by_date(meeting) -> str:
    """Past meetings held, the others scheduled (as the migration and meeting_save set them)."""
    starts_at = getattr(meeting, "starts_at", None)
    day = timezone.localdate(starts_at) if starts_at else meeting.date
    return MeetingStatus.HELD if day < timezone.localdate() else MeetingStatus.SCHEDULED


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    study_group = factory.SubFactory(StudyGroupFactory)
    kind = MeetingKind.SUBCOMMITTEE
    title = factory.Sequence(lambda n: f"第{n}回 部会")
    date = dt.date(2018, 7, 10)
    starts_at = None
    venue = "平塚市役所 304会議室"
    status = factory.LazyAttribute(status_by_date)


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


class PublicRegistrationFactory(factory.django.DjangoModelFactory):
    """A citizen's registration (一般参加申込), confirmed with a seat unless told otherwise."""

    class Meta:
        model = PublicRegistration

    meeting = factory.SubFactory(MeetingFactory, visibility="public")
    name = "平塚 花子"
    name_kana = "ヒラツカ ハナコ"
    email = factory.Sequence(lambda n: f"citizen{n}@example.jp")
    seats = 1
    position = factory.Sequence(lambda n: n + 1)
    consented_at = factory.LazyFunction(lambda: timezone.now())  # a frozen now too
    created_at = factory.LazyFunction(lambda: timezone.now())  # a frozen now too
    confirmed_at = factory.LazyFunction(lambda: timezone.now())  # a frozen now too
