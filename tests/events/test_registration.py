import datetime as dt

import pytest
from django.urls import reverse

from events import services
from events.models import Registration
from events.services import RegistrationError
from tests.events.factories import MeetingFactory, RegistrationFactory, tokyo
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

NOW = tokyo(2026, 11, 23, 10, 0)


def open_meeting(**kwargs):
    return MeetingFactory(
        starts_at=tokyo(2026, 12, 10, 13, 30),
        registration_opens_at=tokyo(2026, 11, 1, 9, 0),
        registration_closes_at=tokyo(2026, 12, 8, 17, 0),
        **kwargs,
    )


def test_full_meeting_puts_people_on_the_waiting_list_and_promotes_in_order(mailoutbox):
    meeting = open_meeting(capacity=2)
    first, second, third, fourth = PersonFactory.create_batch(4)
    with_seat = [
        services.registration_create(meeting=meeting, person=p, registered_by=None, now=NOW)
        for p in (first, second)
    ]
    waiting3 = services.registration_create(
        meeting=meeting, person=third, registered_by=None, now=NOW
    )
    waiting4 = services.registration_create(
        meeting=meeting, person=fourth, registered_by=None, now=NOW
    )
    assert [r.status for r in with_seat] == ["registered", "registered"]
    assert (waiting3.status, waiting4.status) == ("waitlisted", "waitlisted")

    promoted = services.registration_cancel(registration=with_seat[0])

    assert promoted.pk == waiting3.pk
    waiting4.refresh_from_db()
    assert waiting4.status == "waitlisted"
    assert meeting.registrations.registered().count() == 2


def test_cancelling_a_waiting_list_place_promotes_nobody():
    meeting = open_meeting(capacity=1)
    seat = RegistrationFactory(meeting=meeting, status="registered", position=1)
    waiting = RegistrationFactory(meeting=meeting, status="waitlisted", position=2)
    later = RegistrationFactory(meeting=meeting, status="waitlisted", position=3)
    assert services.registration_cancel(registration=waiting) is None
    later.refresh_from_db()
    seat.refresh_from_db()
    assert (seat.status, later.status) == ("registered", "waitlisted")


def test_confirmation_email_is_sent_after_commit(django_capture_on_commit_callbacks, mailoutbox):
    meeting = open_meeting()
    person = PersonFactory(email="tanaka@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(meeting=meeting, person=person, registered_by=None, now=NOW)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["tanaka@example.jp"]
    assert meeting.title in mailoutbox[0].subject


def test_registration_outside_the_window_is_refused():
    meeting = open_meeting()
    with pytest.raises(RegistrationError):
        services.registration_create(
            meeting=meeting,
            person=PersonFactory(),
            registered_by=None,
            now=tokyo(2026, 12, 9, 9, 0),
        )


def test_a_person_cannot_register_twice_but_can_after_cancelling():
    meeting = open_meeting()
    person = PersonFactory()
    first = services.registration_create(
        meeting=meeting, person=person, registered_by=None, now=NOW
    )
    with pytest.raises(RegistrationError):
        services.registration_create(meeting=meeting, person=person, registered_by=None, now=NOW)
    services.registration_cancel(registration=first)
    again = services.registration_create(
        meeting=meeting, person=person, registered_by=None, now=NOW
    )
    assert again.status == "registered"


def test_member_registers_a_colleague_from_the_meeting_page(
    client_as, people, study_group, org_a, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(
        study_group=study_group,
        date=dt.date.today() + dt.timedelta(days=30),
        registration_opens_at=tokyo(2000, 1, 1, 0, 0),
    )
    colleague = PersonFactory(organisation=org_a, email="colleague@example.jp")
    me = people["member_a"].person
    client = client_as("member_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:register", args=[meeting.pk]), {"people": [me.pk, colleague.pk]}
        )
    assert response.status_code == 302
    assert set(meeting.registrations.values_list("person_id", flat=True)) == {me.pk, colleague.pk}
    assert len(mailoutbox) == 2


def test_member_cannot_register_people_of_another_organisation(client_as, people, study_group):
    meeting = MeetingFactory(
        study_group=study_group,
        date=dt.date.today() + dt.timedelta(days=30),
        registration_opens_at=tokyo(2000, 1, 1, 0, 0),
    )
    other = people["member_b"].person
    response = client_as("member_a").post(
        reverse("events:register", args=[meeting.pk]), {"people": [other.pk]}
    )
    assert response.status_code == 200  # the form refuses the choice
    assert not Registration.objects.exists()


def test_my_meetings_lists_and_cancels_own_registrations(client_as, people, study_group):
    meeting = MeetingFactory(study_group=study_group, date=dt.date.today() + dt.timedelta(days=5))
    registration = RegistrationFactory(meeting=meeting, person=people["member_a"].person)
    client = client_as("member_a")
    assert meeting.title in client.get(reverse("events:my_meetings")).content.decode()
    # B cannot cancel A's registration (404), A can.
    url = reverse("events:registration_cancel", args=[registration.pk])
    assert client_as("member_b").post(url).status_code == 404
    assert client.post(url).status_code == 302
    registration.refresh_from_db()
    assert registration.status == "cancelled"
