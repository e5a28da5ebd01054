"""Citizens register for public meetings without an account (一般参加申込): the e-mail link
confirms, the ticket comes by e-mail, seats and the waiting list are shared with the members'
registrations, bulk fakes are held back, and personal data goes after the meeting while the
counts stay."""

from __future__ import annotations

import datetime as dt
import logging
import re
from unittest import mock

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import services
from events.models import PublicRegistration, Registration, Visibility
from events.public_registration import (
    Citizen,
    PublicRegistrationError,
    public_registration_cancel,
    public_registration_confirm,
    public_registration_create,
    public_registrations_erase,
    public_registrations_purge,
)
from events.querysets import seat_state
from events.tasks import purge_public_registrations
from events.tickets import TICKET_CONTENT_ID, ticket_payload
from tests.events.factories import (
    MeetingFactory,
    PublicRegistrationFactory,
    now_is,
    tokyo,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

NOW = tokyo(2030, 5, 10, 10, 0)
LINK = re.compile(r"https?://\S+/events/public/(confirm|ticket|cancel)/([A-Za-z0-9_-]+)/")


@pytest.fixture(autouse=True)
def _frozen_and_uncounted():
    """It is NOW (registration open), and no test sees another's rate-limit counters."""
    cache.clear()
    with now_is(2030, 5, 10, 10, 0):
        yield
    cache.clear()


@pytest.fixture
def symposium(study_group):
    return MeetingFactory(
        study_group=study_group,
        kind="symposium",
        title="海洋エネルギー シンポジウム 2030",
        visibility=Visibility.PUBLIC,
        starts_at=tokyo(2030, 6, 1, 13, 0),
        ends_at=tokyo(2030, 6, 1, 16, 0),
        registration_opens_at=tokyo(2030, 5, 1, 9, 0),
        registration_closes_at=tokyo(2030, 5, 30, 17, 0),
        capacity=None,
    )


def register(
    meeting,
    email="hanako@example.jp",
    *,
    seats=1,
    ip="203.0.113.5",
    consented=True,
    now=None,
    **kwargs,
):
    values = {"name": "平塚 花子", "name_kana": "ヒラツカ ハナコ", "affiliation": ""}
    citizen = Citizen(email=email, seats=seats, **(values | kwargs))
    return public_registration_create(
        meeting=meeting, citizen=citizen, consented=consented, ip=ip, now=now
    )


def confirmed(meeting, email="hanako@example.jp", *, seats=1):
    registration = register(meeting, email, seats=seats)
    public_registration_confirm(token=registration.confirm_token)
    registration.refresh_from_db()
    return registration


def links(message) -> dict[str, str]:
    return dict(LINK.findall(message.body))


# --- register and confirm -----------------------------------------------------------------------


def test_a_citizen_registers_unconfirmed_and_gets_the_confirmation_link(
    symposium, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(symposium, "  Hanako@Example.JP ", seats=2)

    assert registration.email == "hanako@example.jp"
    assert registration.confirmed_at is None and registration.consented_at == NOW
    assert seat_state(symposium).taken == 0  # no seat before the link is followed
    [message] = mailoutbox
    assert message.to == ["hanako@example.jp"]
    assert symposium.title in message.subject
    assert links(message) == {"confirm": registration.confirm_token}
    assert registration.ticket_token not in message.body


def test_confirming_takes_the_seats_and_mails_the_ticket_and_the_cancellation_link(
    symposium, mailoutbox, django_capture_on_commit_callbacks
):
    registration = register(symposium, seats=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert public_registration_confirm(token=registration.confirm_token) is True

    registration.refresh_from_db()
    assert (registration.status, registration.confirmed_at) == ("registered", NOW)
    assert seat_state(symposium).taken == 3
    [message] = mailoutbox
    assert links(message) == {
        "ticket": registration.ticket_token,
        "cancel": registration.cancel_token,
    }
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'src="cid:{TICKET_CONTENT_ID}"' in html
    parts = {part.get_content_type(): part for part in message.message().walk()}
    assert parts["image/png"]["Content-ID"] == f"<{TICKET_CONTENT_ID}>"
    svg = parts["image/svg+xml"].get_payload(decode=True).decode()
    assert svg.startswith("<svg") and registration.name in svg
    assert ticket_payload(registration.ticket_token).startswith("KYOSO-T:")


def test_confirming_twice_is_once(symposium, mailoutbox, django_capture_on_commit_callbacks):
    registration = register(symposium)
    with django_capture_on_commit_callbacks(execute=True):
        assert public_registration_confirm(token=registration.confirm_token) is True
        assert public_registration_confirm(token=registration.confirm_token) is False
    registration.refresh_from_db()
    assert registration.position == 1
    assert len(mailoutbox) == 1
    assert seat_state(symposium).taken == 1


def test_an_expired_link_is_refused_with_a_clear_message(symposium):
    registration = register(symposium)
    with pytest.raises(PublicRegistrationError) as raised:
        public_registration_confirm(
            token=registration.confirm_token, now=NOW + dt.timedelta(hours=24, seconds=1)
        )
    assert raised.value.code == "expired"
    assert "24時間" in raised.value.messages[0]
    registration.refresh_from_db()
    assert registration.confirmed_at is None


def test_an_expired_registration_gives_way_to_a_new_one_with_the_same_address(symposium):
    old = register(symposium)
    with now_is(2030, 5, 11, 10, 1):
        new = register(symposium)
    assert not PublicRegistration.objects.filter(pk=old.pk).exists()
    assert new.confirmed_at is None


@pytest.mark.parametrize("kind", ["confirm", "ticket", "cancel"])
def test_forged_tokens_find_nothing(symposium, kind, client):
    confirmed(symposium)
    for token in ("A" * 32, "x", "../../admin", "0" * 200):
        url = f"/events/public/{kind}/{token}/"
        assert client.get(url).status_code == 404, token
        if kind != "ticket":
            assert client.post(url).status_code == 404, token
    with pytest.raises(PublicRegistration.DoesNotExist):
        public_registration_confirm(token="A" * 32)


def test_registration_needs_consent_a_public_open_meeting_and_sensible_seats(
    symposium, study_group, settings
):
    settings.KYOSO_PUBLIC_MAX_SEATS = 4
    refusals = {}
    for label, call in {
        "consent": lambda: register(symposium, consented=False),
        "seats_low": lambda: register(symposium, seats=0),
        "seats_high": lambda: register(symposium, seats=5),
        "members_only": lambda: register(
            MeetingFactory(
                study_group=study_group,
                starts_at=tokyo(2030, 6, 1, 13, 0),
                registration_opens_at=tokyo(2030, 5, 1, 9, 0),
            )
        ),
        "closed": lambda: register(symposium, now=tokyo(2030, 5, 31, 9, 0)),
    }.items():
        with pytest.raises(PublicRegistrationError) as raised:
            call()
        refusals[label] = raised.value.code
    assert refusals == {
        "consent": "consent",
        "seats_low": "seats",
        "seats_high": "seats",
        "members_only": "closed",
        "closed": "closed",
    }
    assert register(symposium, seats=4).seats == 4
    assert PublicRegistration.objects.count() == 1


def test_a_cancelled_meeting_takes_no_confirmation(symposium):
    registration = register(symposium)
    services.meeting_cancel(meeting=symposium, cancelled_by=None, reason="台風の接近のため")
    with pytest.raises(PublicRegistrationError) as raised:
        public_registration_confirm(token=registration.confirm_token)
    assert raised.value.code == "closed"


# --- one registration per address ---------------------------------------------------------------


def test_one_active_registration_per_address_and_meeting(symposium, settings):
    settings.KYOSO_PUBLIC_RATE_EMAIL_PER_DAY = 0  # this test tries one address often
    register(symposium, "hanako@example.jp")
    with pytest.raises(PublicRegistrationError) as pending:
        register(symposium, "HANAKO@example.jp ")
    assert pending.value.code == "pending"
    PublicRegistration.objects.update(confirmed_at=NOW)
    with pytest.raises(PublicRegistrationError) as duplicate:
        register(symposium, "hanako@example.jp")
    assert duplicate.value.code == "duplicate"
    assert "すでに申し込まれています" in duplicate.value.messages[0]
    # Another meeting, or after cancelling: welcome.
    other = MeetingFactory(
        study_group=symposium.study_group,
        visibility=Visibility.PUBLIC,
        starts_at=tokyo(2030, 7, 1, 13, 0),
        registration_opens_at=tokyo(2030, 5, 1, 9, 0),
    )
    assert register(other, "hanako@example.jp").meeting == other
    public_registration_cancel(token=PublicRegistration.objects.get(meeting=symposium).cancel_token)
    assert register(symposium, "hanako@example.jp").status == "registered"


def test_a_concurrent_duplicate_stopped_by_the_constraint_is_a_clear_message(symposium):
    register(symposium, "hanako@example.jp")
    # As if another request inserted the same address between our check and our insert.
    with (
        mock.patch.object(QuerySet, "first", return_value=None),
        pytest.raises(PublicRegistrationError) as raised,
    ):
        register(symposium, "hanako@example.jp")
    assert raised.value.code == "duplicate"
    assert PublicRegistration.objects.count() == 1


# --- seats and the waiting list shared with members -----------------------------------------------


@pytest.fixture
def small(symposium):
    symposium.capacity = 3
    symposium.save(update_fields=["capacity"])
    return symposium


def member_registers(meeting, person=None):
    return services.registration_create(
        meeting=meeting, person=person or PersonFactory(), registered_by=None, now=NOW
    )


def test_members_and_citizens_share_the_capacity(small):
    members = [member_registers(small) for _ in range(2)]
    group = confirmed(small, "family@example.jp", seats=2)  # 2 + 2 > 3
    assert [m.status for m in members] == ["registered", "registered"]
    assert group.status == "waitlisted" and group.position == 3
    single = confirmed(small, "single@example.jp")
    # One seat is free, but the family waits ahead: nobody overtakes the queue.
    assert single.status == "waitlisted" and single.position == 4
    late_member = member_registers(small)
    assert late_member.status == "waitlisted" and late_member.position == 5
    assert seat_state(small) == (2, 5, 3)


def test_a_members_cancellation_promotes_a_waiting_citizen_with_an_email(
    small, mailoutbox, django_capture_on_commit_callbacks
):
    members = [member_registers(small) for _ in range(3)]
    citizen = confirmed(small, "waiting@example.jp")
    assert citizen.status == "waitlisted"
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.registration_cancel(registration=members[0])

    assert promoted.pk == citizen.pk
    citizen.refresh_from_db()
    assert citizen.status == "registered"
    [message] = mailoutbox
    assert message.to == ["waiting@example.jp"]
    assert "繰り上がり" in message.body and links(message)["ticket"] == citizen.ticket_token


def test_a_citizens_cancellation_promotes_members_in_position_order(
    small, mailoutbox, django_capture_on_commit_callbacks
):
    member_registers(small)
    group = confirmed(small, "family@example.jp", seats=2)
    first, second, third = (member_registers(small) for _ in range(3))
    assert {r.status for r in (first, second, third)} == {"waitlisted"}
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert public_registration_cancel(token=group.cancel_token) is True

    statuses = dict(
        Registration.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list(
            "pk", "status"
        )
    )
    assert statuses == {first.pk: "registered", second.pk: "registered", third.pk: "waitlisted"}
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert "family@example.jp" in recipients  # the cancellation is acknowledged
    assert sorted([first.person.email, second.person.email]) == sorted(
        r for r in recipients if r != "family@example.jp"
    )


def test_cancelling_twice_is_once_and_a_checked_in_registration_stays(symposium):
    registration = confirmed(symposium)
    assert public_registration_cancel(token=registration.cancel_token) is True
    assert public_registration_cancel(token=registration.cancel_token) is False
    other = confirmed(symposium, "came@example.jp")
    PublicRegistration.objects.filter(pk=other.pk).update(checked_in_at=NOW)
    with pytest.raises(PublicRegistrationError) as raised:
        public_registration_cancel(token=other.cancel_token)
    assert raised.value.code == "checked_in"


def test_a_meeting_cancelled_by_staff_tells_the_citizens(
    symposium, mailoutbox, django_capture_on_commit_callbacks
):
    confirmed(symposium, "told@example.jp")
    register(symposium, "never-confirmed@example.jp")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=symposium, cancelled_by=None, reason="台風の接近のため")
    assert [m.to for m in mailoutbox] == [["told@example.jp"]]
    assert "台風の接近のため" in mailoutbox[0].body


# --- rate limits ------------------------------------------------------------------------------


def test_too_many_attempts_from_one_address_are_refused(symposium, settings):
    settings.KYOSO_PUBLIC_RATE_IP_PER_HOUR = 2
    register(symposium, "one@example.jp", ip="198.51.100.7")
    register(symposium, "two@example.jp", ip="198.51.100.7")
    with pytest.raises(PublicRegistrationError) as raised:
        register(symposium, "three@example.jp", ip="198.51.100.7")
    assert raised.value.code == "rate_limited"
    assert register(symposium, "four@example.jp", ip="198.51.100.8")  # another address
    # An IPv6 client owns its /64.
    register(symposium, "five@example.jp", ip="2001:db8::1")
    register(symposium, "six@example.jp", ip="2001:db8::2")
    with pytest.raises(PublicRegistrationError):
        register(symposium, "seven@example.jp", ip="2001:db8::ffff")


def test_too_many_attempts_for_one_email_address_are_refused(symposium, settings):
    settings.KYOSO_PUBLIC_RATE_EMAIL_PER_DAY = 2
    meetings = [
        MeetingFactory(
            study_group=symposium.study_group,
            visibility=Visibility.PUBLIC,
            starts_at=tokyo(2030, 6, day, 13, 0),
            registration_opens_at=tokyo(2030, 5, 1, 9, 0),
        )
        for day in (2, 3, 4)
    ]
    register(meetings[0], "target@example.jp", ip="198.51.100.1")
    register(meetings[1], "Target@example.jp", ip="198.51.100.2")
    with pytest.raises(PublicRegistrationError) as raised:
        register(meetings[2], "target@example.jp", ip="198.51.100.3")
    assert raised.value.code == "rate_limited"


def test_a_flood_of_unconfirmed_registrations_for_one_meeting_is_stopped(symposium, settings):
    settings.KYOSO_PUBLIC_RATE_MEETING_PER_HOUR = 3
    for n in range(3):
        register(symposium, f"fake{n}@example.jp", ip=f"198.51.100.{n}")
    with pytest.raises(PublicRegistrationError) as raised:
        register(symposium, "fake9@example.jp", ip="198.51.100.9")
    assert raised.value.code == "rate_limited"
    # Confirmed registrations are people: they do not count against the meeting.
    PublicRegistration.objects.update(confirmed_at=NOW)
    assert register(symposium, "real@example.jp", ip="198.51.100.10")


def test_a_cache_that_cannot_count_lets_people_register_and_says_so(symposium, settings, caplog):
    settings.KYOSO_PUBLIC_RATE_IP_PER_HOUR = 1
    with (
        mock.patch.object(cache, "incr", side_effect=ValueError("Key not found")),
        caplog.at_level(logging.WARNING, logger="events.public_registration"),
    ):
        register(symposium, "one@example.jp")
        register(symposium, "two@example.jp")
    assert PublicRegistration.objects.count() == 2
    assert "cache unavailable" in caplog.text


# --- deleting personal data -------------------------------------------------------------------


def test_the_purge_blanks_people_after_the_retention_and_keeps_the_counts(symposium, settings):
    settings.KYOSO_PUBLIC_RETENTION_DAYS = 30
    came = confirmed(symposium, "came@example.jp", seats=3)
    PublicRegistration.objects.filter(pk=came.pk).update(checked_in_at=symposium.starts_at)
    cancelled = confirmed(symposium, "cancelled@example.jp")
    public_registration_cancel(token=cancelled.cancel_token)
    ended = symposium.ends_at

    assert public_registrations_purge(now=ended + dt.timedelta(days=29)) == (0, 0)
    assert public_registrations_purge(now=ended + dt.timedelta(days=30, minutes=1)) == (2, 0)

    came.refresh_from_db()
    assert (came.name, came.name_kana, came.email, came.affiliation) == ("", "", "", "")
    assert came.purged_at is not None
    assert (came.status, came.seats, came.checked_in_at) == (
        "registered",
        3,
        symposium.starts_at,
    )
    assert seat_state(symposium).taken == 3
    with pytest.raises(PublicRegistration.DoesNotExist):
        public_registration_cancel(token=came.cancel_token)
    assert public_registrations_purge(now=ended + dt.timedelta(days=31)) == (0, 0)


def test_the_purge_deletes_expired_unconfirmed_registrations_only(symposium):
    expired = register(symposium, "expired@example.jp")
    with now_is(2030, 5, 10, 20, 0):
        fresh = register(symposium, "fresh@example.jp")
    kept = confirmed(symposium, "kept@example.jp")

    assert public_registrations_purge(now=NOW + dt.timedelta(hours=25)) == (0, 1)
    remaining = set(PublicRegistration.objects.values_list("pk", flat=True))
    assert remaining == {fresh.pk, kept.pk} and expired.pk not in remaining


def test_the_beat_task_runs_the_purge(symposium, settings):
    assert "events.purge_public_registrations" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    register(symposium, "expired@example.jp")
    with now_is(2030, 5, 12, 10, 0):
        assert purge_public_registrations.apply().get() == 1
    assert not PublicRegistration.objects.exists()


def test_staff_erase_one_citizen_at_once_from_the_admin(symposium, people):
    registration = confirmed(symposium, "asks@example.jp")
    other = confirmed(symposium, "stays@example.jp")
    registration_admin = admin.site._registry[PublicRegistration]
    request = RequestFactory().post("/admin/")
    request.user = people["staff"]
    request._messages = mock.MagicMock()

    assert registration_admin.has_view_permission(request)
    assert not registration_admin.has_add_permission(request)
    assert not registration_admin.has_change_permission(request, registration)
    assert not registration_admin.has_delete_permission(request, registration)
    assert "confirm_token" not in registration_admin.get_fields(request, registration)
    registration_admin.erase_personal_data(
        request, PublicRegistration.objects.filter(pk=registration.pk)
    )

    registration.refresh_from_db()
    other.refresh_from_db()
    assert (registration.email, registration.seats) == ("", 1)
    assert other.email == "stays@example.jp"
    assert public_registrations_erase(registrations=PublicRegistration.objects.all()) == 1
    member = RequestFactory().get("/admin/")
    member.user = people["member_a"]
    assert not registration_admin.has_view_permission(member)


def test_staff_browse_citizens_in_the_admin_without_their_links(symposium, client_as):
    registration = confirmed(symposium, "shown@example.jp")
    client = client_as("staff")
    listing = client.get(reverse("admin:events_publicregistration_changelist"))
    page = client.get(reverse("admin:events_publicregistration_change", args=[registration.pk]))
    assert listing.status_code == page.status_code == 200
    assert "平塚 花子" in listing.content.decode()
    body = page.content.decode()
    assert "shown@example.jp" in body
    assert registration.cancel_token not in body and registration.ticket_token not in body


def test_a_persons_data_download_holds_the_citizens_registrations_of_their_address(
    symposium, client_as, people
):
    member = people["member_a"]
    confirmed(symposium, member.email.upper())
    register(symposium, "someone-else@example.jp")
    data = client_as("member_a").get(reverse("members:my_data_json")).json()
    assert [(r["meeting"], r["email"]) for r in data["public_registrations"]] == [
        (symposium.title, member.email)
    ]


# --- the pages ------------------------------------------------------------------------------------


def form_data(**values):
    return {
        "name": "平塚 花子",
        "name_kana": "ﾋﾗﾂｶ ﾊﾅｺ",  # half-width, as some phones type it
        "email": "Hanako@Example.jp",
        "affiliation": "",
        "seats": "2",
        "consent": "on",
        **values,
    }


def test_the_journey_through_the_pages(
    symposium, client, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("events:public_register", args=[symposium.pk])
    page = client.get(url).content.decode()
    assert "個人情報の取扱い" in page and "利用目的" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("events:public_register_sent", args=[symposium.pk])
    assert "メールをご確認ください" in client.get(response["Location"]).content.decode()
    registration = PublicRegistration.objects.get()
    assert (registration.name_kana, registration.email) == ("ヒラツカ ハナコ", "hanako@example.jp")

    confirm = reverse("events:public_confirm", args=[links(mailoutbox[0])["confirm"]])
    shown = client.get(confirm)  # a mail scanner opening the link confirms nothing
    assert shown.status_code == 200 and shown["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in shown["Cache-Control"]
    registration.refresh_from_db()
    assert registration.confirmed_at is None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm)
    ticket = reverse("events:public_ticket", args=[registration.ticket_token])
    assert response["Location"] == ticket
    page = client.get(ticket).content.decode()
    assert "<svg" in page and "受付票" in page and "2 人" in page
    assert client.get(confirm)["Location"] == ticket  # confirmed: the link leads to the ticket

    cancel = reverse("events:public_cancel", args=[links(mailoutbox[1])["cancel"]])
    assert client.get(cancel).status_code == 200
    registration.refresh_from_db()
    assert registration.status == "registered"
    assert "取り消されています" not in client.get(cancel).content.decode()
    response = client.post(cancel)
    assert response.status_code == 200 and "取り消されています" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert "<svg" not in client.get(ticket).content.decode()


def test_form_errors_are_explained_field_by_field(symposium, client, settings):
    settings.KYOSO_PUBLIC_MAX_SEATS = 5
    url = reverse("events:public_register", args=[symposium.pk])
    response = client.post(
        url, form_data(name_kana="Hanako", seats="9", consent="", email="not-an-address")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"name_kana", "seats", "consent", "email"}
    assert "カタカナ" in form.errors["name_kana"][0]
    assert "5" in form.errors["seats"][0]
    assert "同意" in form.errors["consent"][0]
    assert not PublicRegistration.objects.exists()


def test_a_duplicate_is_shown_at_the_email_field_and_a_flood_answers_429(
    symposium, client, settings
):
    url = reverse("events:public_register", args=[symposium.pk])
    client.post(url, form_data())
    response = client.post(url, form_data())
    assert response.status_code == 400
    assert "確認待ち" in response.context["form"].errors["email"][0]

    settings.KYOSO_PUBLIC_RATE_IP_PER_HOUR = 2
    response = client.post(url, form_data(email="other@example.jp"))
    assert response.status_code == 429
    assert "しばらく時間をおいて" in response.content.decode()


def test_the_honeypot_catches_robots_without_telling_them(symposium, client):
    url = reverse("events:public_register", args=[symposium.pk])
    response = client.post(url, form_data(website="http://spam.example"))
    assert response.status_code == 302
    assert not PublicRegistration.objects.exists()


def test_members_only_meetings_have_no_public_form(meeting, client):
    assert client.get(reverse("events:public_register", args=[meeting.pk])).status_code == 404
    sent = reverse("events:public_register_sent", args=[meeting.pk])
    assert client.get(sent).status_code == 404


def test_the_public_meeting_page_and_the_list_link_the_form(symposium, client):
    url = reverse("events:public_register", args=[symposium.pk])
    assert url in client.get(symposium.get_absolute_url()).content.decode()
    listing = client.get(reverse("events:meeting_list") + "?when=all").content.decode()
    assert url in listing


def test_the_meeting_page_counts_the_citizens_seats_and_their_attendance(small, client):
    member_registers(small)
    family = confirmed(small, "family@example.jp", seats=2)
    confirmed(small, "late@example.jp", seats=2)  # waits: 1 + 2 + 2 > 3
    register(small, "unconfirmed@example.jp", seats=5)  # holds nothing
    page = client.get(small.get_absolute_url()).content.decode()
    assert "3 / 3 人" in page and "キャンセル待ち 1 人" in page
    PublicRegistration.objects.filter(pk=family.pk).update(checked_in_at=NOW)
    page = client.get(small.get_absolute_url()).content.decode()
    assert "2 人（記名 0 ＋ 一般参加 2 ＋ 当日参加 0）" in page


def test_an_unconfirmed_registrations_ticket_is_not_shown(symposium, client):
    registration = register(symposium)
    ticket = reverse("events:public_ticket", args=[registration.ticket_token])
    assert client.get(ticket).status_code == 404


def test_the_pages_in_english(symposium, client):
    url = reverse("events:public_register", args=[symposium.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Handling of personal data" in page


# --- the attendance sheet's 一般参加者 ------------------------------------------------------------


def test_the_sheet_lists_confirmed_citizens_and_staff_check_them_in(symposium, client_as):
    came = confirmed(symposium, "came@example.jp", seats=2)
    register(symposium, "unconfirmed@example.jp", name="未確認 太郎")
    client = client_as("staff")
    sheet = reverse("events:attendance_sheet", args=[symposium.pk])
    page = client.get(sheet).content.decode()
    assert "一般参加者" in page and "平塚 花子" in page and "未確認 太郎" not in page

    toggle = reverse("events:attendance_public_checkin", args=[symposium.pk, came.pk])
    with now_is(2030, 6, 1, 12, 50):  # the day: signed in again
        client = client_as("staff")
        response = client.post(toggle, {"checked_in": "1"})
        assert response["Location"].endswith(f"#c{came.pk}")
        came.refresh_from_db()
        assert came.checked_in_at == tokyo(2030, 6, 1, 12, 50)
        symposium.refresh_from_db()
        assert symposium.is_held  # the first check-in of the day holds the meeting
        row = client.post(toggle, {"checked_in": "0"}, HTTP_HX_REQUEST="true")
    came.refresh_from_db()
    assert came.checked_in_at is None
    assert f'id="c{came.pk}"' in row.content.decode()


def test_only_staff_toggle_and_only_the_meetings_own_citizens(symposium, client_as, study_group):
    came = confirmed(symposium)
    toggle = reverse("events:attendance_public_checkin", args=[symposium.pk, came.pk])
    assert client_as("member_a").post(toggle, {"checked_in": "1"}).status_code == 403
    other = MeetingFactory(study_group=study_group, visibility=Visibility.PUBLIC)
    wrong = reverse("events:attendance_public_checkin", args=[other.pk, came.pk])
    assert client_as("staff").post(wrong, {"checked_in": "1"}).status_code == 404
    came.refresh_from_db()
    assert came.checked_in_at is None


def test_a_waitlisted_citizen_is_not_checked_in_from_the_sheet(small, client_as):
    for _ in range(3):
        member_registers(small)
    waiting = confirmed(small, "waiting@example.jp")
    toggle = reverse("events:attendance_public_checkin", args=[small.pk, waiting.pk])
    with now_is(2030, 6, 1, 12, 50):
        staff = client_as("staff")
        response = staff.post(toggle, {"checked_in": "1"}, HTTP_HX_REQUEST="true")
    assert "キャンセル待ち" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.checked_in_at is None


# --- query counts ---------------------------------------------------------------------------------


def _queries(client, url) -> int:
    client.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context)


def test_the_sheet_with_1_or_20_citizens_reads_the_same_queries(symposium, client_as):
    PublicRegistrationFactory(meeting=symposium, name="一人目 花子")
    client = client_as("staff")
    sheet = reverse("events:attendance_sheet", args=[symposium.pk])
    one = _queries(client, sheet)
    for i in range(19):
        PublicRegistrationFactory(meeting=symposium, name=f"参加者{i}")
    with CaptureQueriesContext(connection) as context:
        page = client.get(sheet).content.decode()
    assert len(context) == one
    assert page.count('class="sheet-row__name"') >= 20 and "参加者18" in page
    table = PublicRegistration._meta.db_table
    assert len([q for q in context.captured_queries if table in q["sql"]]) == 1


@pytest.mark.parametrize(
    ("page", "expected"),
    [("register", 1), ("sent", 1), ("confirm", 1), ("ticket", 1), ("cancel", 1)],
)
def test_citizen_pages_read_a_fixed_number_of_queries(
    symposium, client, page, expected, django_assert_num_queries
):
    """One query each (the meeting, or the registration with its meeting), for 1 or 20
    registrations of the meeting."""
    for n in (1, 20):
        while PublicRegistration.objects.count() < n:
            PublicRegistrationFactory(meeting=symposium)
        unconfirmed = PublicRegistrationFactory(meeting=symposium, confirmed_at=None)
        last = PublicRegistration.objects.filter(confirmed_at__isnull=False).last()
        url = {
            "register": reverse("events:public_register", args=[symposium.pk]),
            "sent": reverse("events:public_register_sent", args=[symposium.pk]),
            "confirm": reverse("events:public_confirm", args=[unconfirmed.confirm_token]),
            "ticket": reverse("events:public_ticket", args=[last.ticket_token]),
            "cancel": reverse("events:public_cancel", args=[last.cancel_token]),
        }[page]
        client.get(url)
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200
