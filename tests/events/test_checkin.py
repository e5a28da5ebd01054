"""受付: tickets scanned at the door (members' and citizens'), the self check-in with the door
poster, the pages and the JSON endpoint, the ticket on マイ会議 and in the confirmation e-mail."""

from __future__ import annotations

import datetime as dt
import email
import secrets

import pytest
from django.urls import reverse
from django.utils import timezone

from events import checkin, services
from events.checkin import ALREADY, OK, REJECTED, checkin_by_scan, public_checkin_set, self_checkin
from events.models import Attendance, Meeting, PublicRegistration, Registration, Visibility
from events.signals import attendance_changed
from events.tickets import TICKET_CONTENT_ID, ticket_payload
from tests.events.factories import MeetingFactory, RegistrationFactory, now_is, tokyo
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    StudyGroupFactory,
    person_with_account,
    staff_user,
)

pytestmark = pytest.mark.django_db

DAY = (2030, 6, 10)
SCAN_TIME = tokyo(*DAY, 10, 2)


@pytest.fixture(autouse=True)
def _on_the_day():
    """It is 10:02 on the meeting's day (it starts at 10:00)."""
    with now_is(*DAY, 10, 2):
        yield


@pytest.fixture
def door_meeting(study_group):
    return MeetingFactory(
        study_group=study_group,
        title="第3回 波力発電部会",
        starts_at=tokyo(*DAY, 10, 0),
        ends_at=tokyo(*DAY, 12, 0),
    )


@pytest.fixture
def staff(db):
    return staff_user(username="uketsuke")


@pytest.fixture
def member(org_a, study_group):
    MembershipFactory(organisation=org_a, study_group=study_group)
    return person_with_account(org_a, username="takahashi", email="takahashi@example.jp")


@pytest.fixture
def registration(door_meeting, member):
    return RegistrationFactory(meeting=door_meeting, person=member)


@pytest.fixture
def signals():
    seen: list[dict] = []

    def receiver(sender, signal, **kwargs):
        seen.append(kwargs)

    attendance_changed.connect(receiver, weak=False)
    yield seen
    attendance_changed.disconnect(receiver)


def citizen(meeting, **kwargs) -> PublicRegistration:
    values = {
        "name": "山田 花子",
        "name_kana": "ヤマダ ハナコ",
        "email": f"{secrets.token_hex(4)}@example.jp",
        "affiliation": "",
        "seats": 1,
        "position": 1,
        "consented_at": tokyo(2030, 5, 1, 9, 0),
        "confirmed_at": tokyo(2030, 5, 1, 9, 5),
    }
    return PublicRegistration.objects.create(meeting=meeting, **(values | kwargs))


def scan(meeting, text, staff, now=SCAN_TIME):
    return checkin_by_scan(meeting=meeting, scanned=text, recorded_by=staff, now=now)


# --- members' tickets ---------------------------------------------------------------------------


def test_scanning_a_members_ticket_marks_attended_for_the_organisation_of_the_day(
    door_meeting, registration, member, staff, signals
):
    result = scan(door_meeting, ticket_payload(registration.ticket_token), staff)
    assert (result.outcome, result.name, result.organisation) == (
        OK,
        member.name,
        "株式会社Aマリン",
    )
    assert result.message == "受付しました"
    attendance = Attendance.objects.get(meeting=door_meeting, person=member)
    assert (attendance.status, attendance.organisation_id, attendance.recorded_by) == (
        "attended",
        member.organisation_id,
        staff,
    )
    registration.refresh_from_db()
    assert registration.checked_in_at == SCAN_TIME
    assert signals[-1]["meeting_id"] == door_meeting.pk
    assert signals[-1]["person_ids"] == {member.pk}
    assert signals[-1]["fiscal_years"] == {2030}


def test_a_second_scan_says_already_checked_in_with_the_first_time(
    door_meeting, registration, member, staff
):
    payload = ticket_payload(registration.ticket_token)
    scan(door_meeting, payload, staff)
    again = scan(door_meeting, payload, staff, now=tokyo(*DAY, 10, 40))
    assert (again.outcome, again.time, again.message) == (ALREADY, "10:02", "受付済み 10:02")
    assert again.name == member.name
    assert Attendance.objects.filter(meeting=door_meeting, person=member).count() == 1


@pytest.mark.parametrize(
    "typed",
    ["{payload}", "  {payload}\r\n", "kyoso-t:{token}", "{token}"],
    ids=["payload", "scanner-whitespace", "lower-case-prefix", "bare-token"],
)
def test_what_a_scanner_types_around_the_ticket_is_tolerated(
    door_meeting, registration, staff, typed
):
    token = registration.ticket_token
    text = typed.format(payload=ticket_payload(token), token=token)
    assert scan(door_meeting, text, staff).outcome == OK


def test_a_scheduled_meeting_is_held_from_its_first_check_in(door_meeting, registration, staff):
    assert door_meeting.status == Meeting.Status.SCHEDULED
    scan(door_meeting, ticket_payload(registration.ticket_token), staff)
    door_meeting.refresh_from_db()
    assert door_meeting.status == Meeting.Status.HELD


def test_the_ticket_of_another_meeting_is_refused_with_its_title(
    door_meeting, study_group, member, staff
):
    other = MeetingFactory(
        study_group=study_group, title="第4回 波力発電部会", date=dt.date(2030, 7, 1)
    )
    ticket = RegistrationFactory(meeting=other, person=member)
    result = scan(door_meeting, ticket_payload(ticket.ticket_token), staff)
    assert result.outcome == REJECTED
    assert result.reason == "別の会議の受付票です（第4回 波力発電部会）"
    assert result.name == member.name
    assert not Attendance.objects.exists()
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Registration.Status.CANCELLED, "取消済みの申込です"),
        (Registration.Status.WAITLISTED, "キャンセル待ちの申込です（席は確定していません）"),
    ],
)
def test_cancelled_and_waitlisted_registrations_are_refused(
    door_meeting, member, staff, status, reason
):
    ticket = RegistrationFactory(meeting=door_meeting, person=member, status=status)
    result = scan(door_meeting, ticket_payload(ticket.ticket_token), staff)
    assert (result.outcome, result.reason) == (REJECTED, reason)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        ticket_payload(secrets.token_urlsafe(24)),  # a guessed token
        "https://example.com/phish",
        "KYOSO-T:' OR 1=1 --",
        "",
        "x" * 200,
    ],
    ids=["guessed", "url", "injection", "empty", "long"],
)
def test_anything_but_a_ticket_of_this_site_is_refused(door_meeting, registration, staff, text):
    result = scan(door_meeting, text, staff)
    assert result.outcome == REJECTED
    assert result.reason in {"登録されていない受付票です", "受付票のQRコードではありません"}
    assert not Attendance.objects.exists()


def test_a_cancelled_meeting_takes_no_check_in(door_meeting, registration, staff):
    services.meeting_cancel(meeting=door_meeting, cancelled_by=staff, reason="台風のため")
    door_meeting.refresh_from_db()
    result = scan(door_meeting, ticket_payload(registration.ticket_token), staff)
    assert (result.outcome, result.reason) == (REJECTED, "この会議は中止になりました")
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_a_meeting_cancelled_after_the_page_was_opened_refuses_and_stores_nothing(
    door_meeting, registration, staff
):
    stale = Meeting.objects.get(pk=door_meeting.pk)
    services.meeting_cancel(meeting=door_meeting, cancelled_by=staff, reason="台風のため")
    result = scan(stale, ticket_payload(registration.ticket_token), staff)
    assert result.outcome == REJECTED
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert not Attendance.objects.exists()


def test_a_person_whose_affiliation_is_gone_is_refused_and_nothing_is_kept(door_meeting, staff):
    person = PersonFactory(organisation=None)
    ticket = RegistrationFactory(meeting=door_meeting, person=person)
    result = scan(door_meeting, ticket_payload(ticket.ticket_token), staff)
    assert result.outcome == REJECTED
    assert "所属団体" in result.reason
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


# --- citizens' tickets --------------------------------------------------------------------------


def test_a_citizens_ticket_checks_in_their_seats_and_tells_the_reports(
    door_meeting, staff, signals
):
    registration = citizen(door_meeting, seats=2, affiliation="平塚市民")
    result = scan(door_meeting, ticket_payload(registration.ticket_token), staff)
    assert (result.outcome, result.name, result.organisation, result.seats) == (
        OK,
        "山田 花子",
        "平塚市民",
        2,
    )
    registration.refresh_from_db()
    assert registration.checked_in_at == SCAN_TIME
    assert signals[-1] == {
        "fiscal_years": {2030},
        "meeting_id": door_meeting.pk,
        "person_ids": set(),
        "meeting_itself": False,  # seats, not the meeting's kind, status or visitors
    }
    again = scan(door_meeting, ticket_payload(registration.ticket_token), staff)
    assert (again.outcome, again.time) == (ALREADY, "10:02")
    assert not Attendance.objects.exists()  # citizens count as 一般参加者, not as members


def test_a_citizen_without_affiliation_is_shown_as_public_participant(door_meeting, staff):
    registration = citizen(door_meeting)
    assert scan(door_meeting, ticket_payload(registration.ticket_token), staff).organisation == (
        "一般参加"
    )


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"confirmed_at": None}, "メールアドレスの確認が済んでいない申込です"),
        ({"status": "cancelled"}, "取消済みの申込です"),
        ({"status": "waitlisted"}, "キャンセル待ちの申込です（席は確定していません）"),
        ({"purged_at": tokyo(2030, 6, 1, 3, 0), "name": ""}, "個人情報を削除済みの申込です"),
    ],
    ids=["unconfirmed", "cancelled", "waitlisted", "purged"],
)
def test_citizens_registrations_without_a_seat_are_refused(door_meeting, staff, fields, reason):
    registration = citizen(door_meeting, **fields)
    result = scan(door_meeting, ticket_payload(registration.ticket_token), staff)
    assert (result.outcome, result.reason) == (REJECTED, reason)
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_a_citizens_ticket_for_another_meeting_is_refused(door_meeting, study_group, staff):
    other = MeetingFactory(study_group=study_group, title="見学会", date=dt.date(2030, 8, 1))
    registration = citizen(other)
    result = scan(door_meeting, ticket_payload(registration.ticket_token), staff)
    assert (result.outcome, result.reason) == (REJECTED, "別の会議の受付票です（見学会）")


def test_public_checkin_set_checks_in_once_and_can_undo(door_meeting, signals):
    registration = citizen(door_meeting)
    assert public_checkin_set(registration=registration, checked_in=True, now=SCAN_TIME)
    assert not public_checkin_set(registration=registration, checked_in=True)
    assert registration.checked_in_at == SCAN_TIME
    sent = len(signals)
    assert public_checkin_set(registration=registration, checked_in=False)
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert len(signals) == sent + 1


def test_public_checkin_set_refuses_an_unconfirmed_registration(door_meeting):
    registration = citizen(door_meeting, confirmed_at=None)
    with pytest.raises(checkin.CheckinRefused):
        public_checkin_set(registration=registration, checked_in=True)
    registration.refresh_from_db()
    assert registration.checked_in_at is None


# --- self check-in with the door poster ---------------------------------------------------------


def door(meeting, person, *args):
    return self_checkin(
        meeting_door_token=meeting.door_token, person=person, now=tokyo(*DAY, *args)
    )


def test_an_expected_member_checks_in_with_the_door_poster_once(door_meeting, member):
    first = door(door_meeting, member, 9, 45)
    assert (first.outcome, first.name) == (OK, member.name)
    attendance = Attendance.objects.get(meeting=door_meeting, person=member)
    assert attendance.recorded_by == member.user
    again = door(door_meeting, member, 10, 30)
    assert again.outcome == ALREADY
    assert Attendance.objects.filter(meeting=door_meeting).count() == 1


@pytest.mark.parametrize(
    ("at", "outcome"),
    [
        ((9, 29), REJECTED),  # 31 minutes before the start
        ((9, 30), OK),  # KYOSO_SELF_CHECKIN_OPENS_MINUTES = 30
        ((11, 59), OK),
        ((12, 0), REJECTED),  # the end
    ],
)
def test_the_door_poster_works_from_shortly_before_the_start_to_the_end(
    door_meeting, member, at, outcome
):
    assert door(door_meeting, member, *at).outcome == outcome


def test_the_refusals_say_when_check_in_opens_and_that_it_closed(door_meeting, member):
    assert door(door_meeting, member, 8, 0).reason == "受付は 2030-06-10 09:30 から始まります"
    assert door(door_meeting, member, 13, 0).reason == "この会議の受付は終了しました"


def test_the_opening_minutes_come_from_the_settings(door_meeting, member, settings):
    settings.KYOSO_SELF_CHECKIN_OPENS_MINUTES = 60
    assert door(door_meeting, member, 9, 5).outcome == OK


def test_a_meeting_without_times_takes_self_check_in_all_day(study_group, member):
    meeting = MeetingFactory(study_group=study_group, date=dt.date(*DAY))
    assert door(meeting, member, 0, 5).outcome == OK
    assert self_checkin(
        meeting_door_token=meeting.door_token, person=member, now=tokyo(2030, 6, 11, 0, 0)
    ).reason == ("この会議の受付は終了しました")


def test_a_person_of_an_organisation_not_expected_is_refused(door_meeting):
    outsider = person_with_account(OrganisationFactory(name="C商事"), username="c")
    result = door(door_meeting, outsider, 10, 0)
    assert result.outcome == REJECTED
    assert "参加対象の団体に所属していない" in result.reason
    assert not Attendance.objects.exists()


def test_an_outsider_who_registered_may_check_in_and_the_ticket_then_says_already(
    door_meeting, staff
):
    outsider = person_with_account(OrganisationFactory(name="C商事"), username="c")
    ticket = RegistrationFactory(meeting=door_meeting, person=outsider)
    assert door(door_meeting, outsider, 10, 0).outcome == OK
    ticket.refresh_from_db()
    assert ticket.checked_in_at == tokyo(*DAY, 10, 0)
    assert scan(door_meeting, ticket_payload(ticket.ticket_token), staff).outcome == ALREADY


def test_members_of_the_parent_group_are_expected_at_a_subcommittee(org_b):
    parent = StudyGroupFactory(name="親研究会")
    sub = StudyGroupFactory(name="第2部会", parent=parent)
    MembershipFactory(organisation=org_b, study_group=parent)
    meeting = MeetingFactory(study_group=sub, starts_at=tokyo(*DAY, 10, 0))
    person = person_with_account(org_b, username="b2")
    assert door(meeting, person, 10, 0).outcome == OK


def test_waitlisted_and_unaffiliated_people_are_sent_to_the_reception(door_meeting, member):
    RegistrationFactory(meeting=door_meeting, person=member, status="waitlisted")
    assert door(door_meeting, member, 10, 0).reason == "キャンセル待ちの方は受付でお申し出ください"
    assert door(door_meeting, None, 10, 0).outcome == REJECTED
    unaffiliated = PersonFactory(organisation=None)
    assert "会員の方だけ" in door(door_meeting, unaffiliated, 10, 0).reason


def test_a_cancelled_meeting_refuses_self_check_in(door_meeting, member, staff):
    services.meeting_cancel(meeting=door_meeting, cancelled_by=staff, reason="台風のため")
    assert door(door_meeting, member, 10, 0).reason == "この会議は中止になりました"


def test_an_unknown_door_token_is_no_meeting(member):
    with pytest.raises(Meeting.DoesNotExist):
        self_checkin(meeting_door_token=secrets.token_urlsafe(24), person=member)


# --- pages --------------------------------------------------------------------------------------


def test_only_the_checkin_page_allows_the_camera(client, staff, door_meeting):
    client.force_login(staff)
    page = client.get(reverse("events:checkin", args=[door_meeting.pk]))
    policy = dict(item.strip().split("=") for item in page["Permissions-Policy"].split(","))
    assert policy["camera"] == "(self)"
    assert policy["microphone"] == "()"
    detail = client.get(reverse("events:meeting_detail", args=[door_meeting.pk]))
    assert "camera=()" in detail["Permissions-Policy"]


def test_the_checkin_page_shows_the_counts_and_a_focused_scanner_field(
    client, staff, door_meeting, registration
):
    citizen(door_meeting, seats=3)
    citizen(door_meeting, confirmed_at=None, seats=4)  # holds no seat
    client.force_login(staff)
    body = client.get(reverse("events:checkin", args=[door_meeting.pk])).content.decode()
    assert 'data-count="checked_in">0</strong>' in body
    assert 'data-count="registered">4</strong>' in body
    assert 'name="code"' in body and "autofocus" in body
    assert "vendor/jsQR.js" in body and "js/checkin.js" in body


def test_without_javascript_the_form_shows_the_result_on_the_page(
    client, staff, door_meeting, registration, member
):
    client.force_login(staff)
    url = reverse("events:checkin", args=[door_meeting.pk])
    body = client.post(url, {"code": ticket_payload(registration.ticket_token)}).content.decode()
    assert "checkin-panel--ok" in body and member.name in body
    body = client.post(url, {"code": ticket_payload(registration.ticket_token)}).content.decode()
    assert "checkin-panel--already" in body and "受付済み 10:02" in body


def test_the_scan_endpoint_answers_json_with_the_counts(
    client, staff, door_meeting, registration, member
):
    client.force_login(staff)
    url = reverse("events:checkin_scan", args=[door_meeting.pk])
    data = client.post(url, {"code": ticket_payload(registration.ticket_token)}).json()
    assert data["outcome"] == "ok"
    assert (data["name"], data["organisation"]) == (member.name, "株式会社Aマリン")
    assert data["counts"] == {"checked_in": 1, "registered": 1}
    assert client.post(url, {"code": ""}).status_code == 400


def test_the_scan_endpoint_needs_the_csrf_token(staff, door_meeting, registration):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    url = reverse("events:checkin_scan", args=[door_meeting.pk])
    assert client.post(url, {"code": ticket_payload(registration.ticket_token)}).status_code == 403
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_the_scan_endpoint_answers_in_english(client, staff, door_meeting, registration):
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    url = reverse("events:checkin_scan", args=[door_meeting.pk])
    payload = {"code": ticket_payload(registration.ticket_token)}
    assert client.post(url, payload).json()["message"] == "Checked in"
    assert client.post(url, payload).json()["message"] == "Already checked in at 10:02"


def test_the_door_poster_holds_the_self_check_in_address(client, staff, door_meeting, settings):
    client.force_login(staff)
    body = client.get(reverse("events:door_poster", args=[door_meeting.pk])).content.decode()
    url = settings.KYOSO_SITE_URL + reverse("events:self_checkin", args=[door_meeting.door_token])
    assert url in body
    assert "<svg" in body and 'role="img"' in body
    assert "受付時間 09:30–12:00" in body
    assert 'lang="en"' in body and "Check in with your smartphone" in body


def test_self_check_in_page_shows_a_button_then_the_result(client, door_meeting, member):
    client.force_login(member.user)
    url = reverse("events:self_checkin", args=[door_meeting.door_token])
    page = client.get(url).content.decode()
    assert door_meeting.title in page and "出席を記録する" in page
    body = client.post(url).content.decode()
    assert "checkin-panel--ok" in body
    assert Attendance.objects.filter(meeting=door_meeting, person=member).exists()


def test_self_check_in_page_says_when_it_opens_without_a_button(client, study_group, member):
    later = MeetingFactory(study_group=study_group, starts_at=tokyo(*DAY, 15, 0))
    client.force_login(member.user)
    body = client.get(reverse("events:self_checkin", args=[later.door_token])).content.decode()
    assert "受付は 2030-06-10 14:30 から始まります" in body
    assert "出席を記録する" not in body


def test_a_guessed_door_token_is_a_404(client, member):
    client.force_login(member.user)
    url = reverse("events:self_checkin", args=[secrets.token_urlsafe(24)])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


# --- the ticket on マイ会議 and in the e-mail --------------------------------------------------


def test_my_meetings_shows_the_ticket_of_each_seat_with_a_label(
    client, door_meeting, registration, member, org_a
):
    waiting = PersonFactory(organisation=org_a, name="待機 次郎")
    RegistrationFactory(meeting=door_meeting, person=waiting, status="waitlisted")
    client.force_login(member.user)
    body = client.get(reverse("events:my_meetings")).content.decode()
    label = f"受付票：{member.name}（{door_meeting.title}）"
    assert f'role="img" aria-label="{label}"' in body
    assert body.count("<svg") == 1  # the waitlisted colleague has no ticket yet


@pytest.mark.parametrize("n", [1, 20])
def test_my_meetings_query_count_is_constant(
    client, study_group, org_a, member, n, django_assert_num_queries
):
    for i in range(n):
        meeting = MeetingFactory(study_group=study_group, date=dt.date(2030, 7, 1 + i))
        RegistrationFactory(meeting=meeting, person=member)
    client.force_login(member.user)
    url = reverse("events:my_meetings")
    client.get(url)
    with django_assert_num_queries(5):  # session, user, person, registrations, attendance
        body = client.get(url).content.decode()
    assert body.count("<svg") == n


def test_the_confirmation_mail_carries_the_ticket(
    door_meeting, member, mailoutbox, django_capture_on_commit_callbacks
):
    door_meeting.registration_opens_at = tokyo(2030, 5, 1, 9, 0)
    door_meeting.save(update_fields=["registration_opens_at"])
    with now_is(2030, 6, 1, 9, 0), django_capture_on_commit_callbacks(execute=True):
        registration = services.registration_create(
            meeting=door_meeting, person=member, registered_by=member.user
        )
    (sent,) = mailoutbox
    assert "受付でお見せください" in sent.body
    parsed = email.message_from_bytes(sent.message().as_bytes())
    parts = {part.get_content_type(): part for part in parsed.walk()}
    html = parts["text/html"].get_payload(decode=True).decode()
    assert f'src="cid:{TICKET_CONTENT_ID}"' in html
    png = parts["image/png"]
    assert png["Content-ID"] == f"<{TICKET_CONTENT_ID}>"
    assert png.get_payload(decode=True).startswith(b"\x89PNG")
    svg = parts["image/svg+xml"]
    assert svg.get_filename() == "ticket.svg"
    assert b"<svg" in svg.get_payload(decode=True)
    assert registration.ticket_token not in sent.body  # the secret is in the codes only


def test_a_waitlisted_registration_gets_no_ticket_until_it_moves_up(
    study_group, member, org_a, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(
        study_group=study_group,
        starts_at=tokyo(*DAY, 15, 0),
        capacity=1,
        registration_opens_at=tokyo(2030, 5, 1, 9, 0),
    )
    first = PersonFactory(organisation=org_a, email="first@example.jp")
    with now_is(2030, 6, 1, 9, 0), django_capture_on_commit_callbacks(execute=True):
        seat = services.registration_create(meeting=meeting, person=first, registered_by=None)
        services.registration_create(meeting=meeting, person=member, registered_by=None)
    waiting_mail = mailoutbox[1]
    assert waiting_mail.attachments == [] and not getattr(waiting_mail, "alternatives", [])
    assert "受付でお見せください" not in waiting_mail.body
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=seat)
    promoted = mailoutbox[2]
    assert promoted.to == [member.email]
    assert "受付でお見せください" in promoted.body
    assert any(
        getattr(a, "get_content_type", lambda: "")() == "image/png" for a in promoted.attachments
    )


def test_timezone_of_the_time_shown_is_tokyo():
    result = checkin.CheckinResult(
        outcome=ALREADY, checked_in_at=dt.datetime(2030, 6, 10, 1, 2, tzinfo=dt.UTC)
    )
    assert result.time == "10:02"
    assert timezone.get_current_timezone_name() == "Asia/Tokyo"


def test_a_public_meeting_for_citizens_counts_their_seats(study_group, staff):
    meeting = MeetingFactory(
        study_group=study_group, visibility=Visibility.PUBLIC, starts_at=tokyo(*DAY, 13, 0)
    )
    registration = citizen(meeting, seats=3)
    scan(meeting, ticket_payload(registration.ticket_token), staff)
    from events.querysets import checkin_counts

    assert checkin_counts(meeting) == {"checked_in": 3, "registered": 3}


# --- query counts -------------------------------------------------------------------------------

# Session, user, role groups, the meeting, the ticket; the savepoint, the meeting's lock, the
# conditional check-in UPDATE, the status read, the attendance read, insert and history row, the
# release; the counts (one query). Already: the ticket says so, nothing is locked. Unknown: both
# kinds of ticket looked up.
SCAN_OK_QUERIES = 14
SCAN_ALREADY_QUERIES = 6
SCAN_UNKNOWN_QUERIES = 7


@pytest.mark.parametrize("n", [1, 20])
def test_the_scan_endpoint_query_count_is_constant(
    client, staff, door_meeting, org_a, n, django_assert_num_queries
):
    tickets = [
        RegistrationFactory(meeting=door_meeting, person=PersonFactory(organisation=org_a))
        for _ in range(n + 1)
    ]
    for _ in range(n):
        citizen(door_meeting, seats=2)
    client.force_login(staff)
    url = reverse("events:checkin_scan", args=[door_meeting.pk])
    client.post(url, {"code": ticket_payload(tickets[0].ticket_token)})  # the meeting is held
    payload = {"code": ticket_payload(tickets[-1].ticket_token)}
    with django_assert_num_queries(SCAN_OK_QUERIES):
        assert client.post(url, payload).json()["outcome"] == "ok"
    with django_assert_num_queries(SCAN_ALREADY_QUERIES):
        assert client.post(url, payload).json()["outcome"] == "already"
    with django_assert_num_queries(SCAN_UNKNOWN_QUERIES):
        unknown = {"code": ticket_payload(secrets.token_urlsafe(24))}
        assert client.post(url, unknown).json()["outcome"] == "rejected"


@pytest.mark.parametrize("n", [1, 20])
def test_the_checkin_poster_and_door_pages_query_counts_are_constant(
    client, staff, door_meeting, org_a, member, n, django_assert_num_queries
):
    for _ in range(n):
        RegistrationFactory(meeting=door_meeting, person=PersonFactory(organisation=org_a))
        citizen(door_meeting)
    pages = [
        (staff, reverse("events:checkin", args=[door_meeting.pk]), 6),
        (staff, reverse("events:door_poster", args=[door_meeting.pk]), 5),
        (member.user, reverse("events:self_checkin", args=[door_meeting.door_token]), 4),
    ]
    for user, url, queries in pages:
        client.force_login(user)
        client.get(url)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200
