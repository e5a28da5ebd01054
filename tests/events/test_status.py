"""Held, scheduled, cancelled: a meeting counts once it has taken place, and a cancelled one
stays visible (struck through, STATUS:CANCELLED) while its registrants are told."""

import csv
import datetime as dt
import importlib
import io

import icalendar
import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from events import services
from events.importing import import_apply, import_plan
from events.models import Attendance, Meeting, MeetingStatus, Registration
from reports.models import ParticipationSummary
from reports.services import rollup_fiscal_year_compute
from tests.events.factories import MeetingFactory, RegistrationFactory, now_is, tokyo
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

SCHEDULED, HELD, CANCELLED = MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.CANCELLED
DAY = dt.date(2030, 6, 10)  # a meeting's day; "now" is frozen around it


def meeting_on(day=DAY, **kwargs) -> Meeting:
    kwargs.setdefault("status", SCHEDULED)
    return MeetingFactory(date=day, **kwargs)


def staff_client(people) -> Client:
    client = Client()
    client.force_login(people["staff"])
    return client


def consortium_row(fiscal_year: int) -> dict:
    rollup_fiscal_year_compute(fiscal_year=fiscal_year)
    return ParticipationSummary.objects.filter(fiscal_year=fiscal_year, study_group=None).values(
        "meetings", "attendance_total", "excused"
    )[0]


# --- held -------------------------------------------------------------------------------------


def test_a_meeting_cannot_be_marked_held_before_its_day(study_group):
    meeting = meeting_on(study_group=study_group)
    with now_is(2030, 6, 9, 18, 0), pytest.raises(services.MeetingStatusError) as error:
        services.meeting_mark_held(meeting=meeting)
    assert "2030-06-10" in error.value.messages[0]
    meeting.refresh_from_db()
    assert meeting.status == SCHEDULED
    with now_is(2030, 6, 10, 9, 0):
        services.meeting_mark_held(meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == HELD
    assert consortium_row(2030)["meetings"] == 1


def test_a_tick_before_the_day_keeps_the_meeting_scheduled_and_uncounted(study_group):
    meeting = meeting_on(study_group=study_group)
    person = PersonFactory()
    with now_is(2030, 6, 3, 12, 0):
        services.attendance_set(
            meeting=meeting, person=person, status=Attendance.Status.EXCUSED, recorded_by=None
        )
        meeting.refresh_from_db()
        assert meeting.status == SCHEDULED
        assert consortium_row(2030) == {"meetings": 0, "attendance_total": 0, "excused": 0}


def test_ticking_on_the_sheet_on_the_day_marks_the_meeting_held(people, study_group):
    meeting = meeting_on(study_group=study_group)
    person = people["member_a"].person
    with now_is(2030, 6, 10, 13, 5):
        response = staff_client(people).post(
            reverse("events:attendance_sheet", args=[meeting.pk]),
            {"person": person.pk, "status": "attended"},
        )
        assert response.status_code == 302
        meeting.refresh_from_db()
        assert meeting.status == HELD
        assert consortium_row(2030) == {"meetings": 1, "attendance_total": 1, "excused": 0}


def test_the_headcount_on_the_day_marks_the_meeting_held(study_group):
    meeting = meeting_on(study_group=study_group)
    with now_is(2030, 6, 11, 9, 0):
        services.headcount_set(meeting=meeting, headcount=12)
    meeting.refresh_from_db()
    assert meeting.status == HELD


def test_importing_a_sign_in_sheet_of_a_past_day_marks_the_meeting_held(study_group):
    existing = meeting_on(study_group=study_group, title="第3回 部会")
    person = PersonFactory(email="hanako@marine.example.jp")
    rows = [
        "開催日,会議名,種別,研究会,氏名,メール,団体名,法人番号,人数",
        f"2030-06-10,第3回 部会,部会,{study_group.full_name},{person.name},{person.email},,,",
        f"2030-06-10,新しい見学会,見学会,{study_group.full_name},,,,,7",
    ]
    with now_is(2030, 6, 12, 10, 0):
        plan = import_plan("\n".join(rows).encode(), "sheet.csv")
        assert plan.ok, plan.errors
        import_apply(plan, recorded_by=None)
    existing.refresh_from_db()
    assert existing.status == HELD
    assert Meeting.objects.get(title="新しい見学会").status == HELD


def test_a_new_meeting_entered_after_its_day_is_held_and_a_future_one_scheduled(study_group):
    with now_is(2030, 6, 12, 10, 0):
        past = services.meeting_save(
            meeting=Meeting(study_group=study_group, kind="subcommittee", title="過去", date=DAY)
        )
        future = services.meeting_save(
            meeting=Meeting(
                study_group=study_group, kind="subcommittee", title="今後", date=dt.date(2030, 7, 1)
            )
        )
    assert (past.status, future.status) == (HELD, SCHEDULED)


def test_staff_mark_a_meeting_held_on_its_page(people, study_group):
    meeting = meeting_on(study_group=study_group)
    with now_is(2030, 6, 10, 18, 0):
        client = staff_client(people)
        page = client.get(meeting.get_absolute_url()).content.decode()
        assert reverse("events:meeting_mark_held", args=[meeting.pk]) in page
        response = client.post(reverse("events:meeting_mark_held", args=[meeting.pk]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == HELD


# --- cancelled --------------------------------------------------------------------------------


@pytest.fixture
def registered(study_group):
    """A scheduled public meeting on 2026-12-11 with a seat taken, one waiting, one cancelled
    registration, and a registrant without an e-mail address."""
    meeting = MeetingFactory(
        study_group=study_group,
        title="波力発電 見学会",
        visibility="public",
        capacity=2,
        starts_at=tokyo(2026, 12, 11, 14, 0),
        status=SCHEDULED,
    )
    people = [
        PersonFactory(name="山田 花子", email="hanako@example.jp"),
        PersonFactory(name="佐藤 一郎", email=""),
        PersonFactory(name="鈴木 次郎", email="jiro@example.jp"),
        PersonFactory(name="田中 三郎", email="saburo@example.jp"),
    ]
    statuses = ["registered", "registered", "waitlisted", "cancelled"]
    for person, status in zip(people, statuses, strict=True):
        RegistrationFactory(meeting=meeting, person=person, status=status)
    return meeting


def test_cancelling_emails_the_registrants_in_japanese_with_the_era_date(
    people, registered, mailoutbox, django_capture_on_commit_callbacks
):
    with now_is(2026, 12, 1, 10, 0), django_capture_on_commit_callbacks(execute=True):
        response = staff_client(people).post(
            reverse("events:meeting_cancel", args=[registered.pk]),
            {"reason": "台風の接近のため"},
        )
    assert response.status_code == 302
    registered.refresh_from_db()
    assert registered.status == CANCELLED
    assert registered.cancel_reason == "台風の接近のため"
    assert registered.cancelled_by == people["staff"]
    assert sorted(m.to[0] for m in mailoutbox) == ["hanako@example.jp", "jiro@example.jp"]
    mail = mailoutbox[0]
    assert "【中止】波力発電 見学会" in mail.subject
    assert "令和8年12月11日" in mail.subject and "令和8年12月11日" in mail.body
    assert "台風の接近のため" in mail.body
    # Registrations are kept as they were.
    assert list(
        Registration.objects.filter(meeting=registered)
        .order_by("position")
        .values_list("status", flat=True)
    ) == ["registered", "registered", "waitlisted", "cancelled"]


def test_a_cancelled_meeting_is_struck_through_in_the_list_detail_and_calendar_page(
    client_as, people, registered
):
    services.meeting_cancel(meeting=registered, cancelled_by=people["staff"], reason="台風")
    struck = f'<s><a href="{registered.get_absolute_url()}">{registered.title}</a></s>'
    with now_is(2026, 12, 1, 10, 0):
        listing = client_as("member_a").get(reverse("events:meeting_list")).content.decode()
        detail = client_as("member_a").get(registered.get_absolute_url()).content.decode()
        calendar = client_as("member_a").get(reverse("events:calendar")).content.decode()
    assert struck in listing and "中止" in listing
    assert f"<s>{registered.title}</s>" in detail and "台風" in detail
    assert "中止になったため、申込を受け付けていません。" in detail
    assert struck in calendar


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled(client, people, registered):
    other = MeetingFactory(
        study_group=registered.study_group,
        title="公開セミナー",
        visibility="public",
        date=dt.date(2026, 12, 20),
        status=SCHEDULED,
    )
    services.meeting_cancel(meeting=registered, cancelled_by=people["staff"], reason="台風")
    calendar = icalendar.Calendar.from_ical(client.get(reverse("events:feed_public")).content)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    cancelled = next(e for uid, e in events.items() if uid.startswith(f"meeting-{registered.pk}@"))
    confirmed = next(e for uid, e in events.items() if uid.startswith(f"meeting-{other.pk}@"))
    assert str(cancelled["status"]) == "CANCELLED"
    assert str(cancelled["summary"]) == "【中止】波力発電 見学会"
    assert str(confirmed["status"]) == "CONFIRMED"


def test_a_cancelled_meeting_takes_no_registration_or_attendance(people, registered):
    services.meeting_cancel(meeting=registered, cancelled_by=people["staff"], reason="台風")
    newcomer = PersonFactory()
    with now_is(2026, 12, 1, 10, 0), pytest.raises(services.RegistrationError):
        services.registration_create(meeting=registered, person=newcomer, registered_by=None)
    with now_is(2026, 12, 11, 14, 0):
        with pytest.raises(services.MeetingStatusError):
            services.attendance_set(
                meeting=registered, person=newcomer, status="attended", recorded_by=None
            )
        with pytest.raises(services.MeetingStatusError):
            services.headcount_set(meeting=registered, headcount=3)
        # The sheet answers with the reason, not a server error.
        response = staff_client(people).post(
            reverse("events:attendance_sheet", args=[registered.pk]),
            {"person": newcomer.pk, "status": "attended"},
            follow=True,
        )
    assert response.status_code == 200
    assert "中止した会議には出欠を記録できません。" in response.content.decode()
    assert not Attendance.objects.filter(meeting=registered).exists()
    registered.refresh_from_db()
    assert registered.status == CANCELLED


def test_a_cancelled_meeting_counts_nowhere_even_after_its_day(people, registered):
    person = PersonFactory()
    with now_is(2026, 12, 1, 10, 0):
        services.attendance_set(
            meeting=registered, person=person, status="excused", recorded_by=None
        )
        services.meeting_cancel(meeting=registered, cancelled_by=people["staff"], reason="台風")
    with now_is(2026, 12, 20, 10, 0):
        with pytest.raises(services.MeetingStatusError):
            services.meeting_mark_held(meeting=registered)
        assert consortium_row(2026) == {"meetings": 0, "attendance_total": 0, "excused": 0}


def test_a_held_meeting_cannot_be_cancelled_and_a_reason_is_required(people, study_group):
    held = meeting_on(study_group=study_group, status=HELD, day=dt.date(2018, 7, 10))
    with pytest.raises(services.MeetingStatusError):
        services.meeting_cancel(meeting=held, cancelled_by=None, reason="誤り")
    scheduled = meeting_on(study_group=study_group)
    response = staff_client(people).post(
        reverse("events:meeting_cancel", args=[scheduled.pk]), {"reason": ""}
    )
    assert response.status_code == 200
    assert "このフィールドは必須です。" in response.content.decode()
    scheduled.refresh_from_db()
    assert scheduled.status == SCHEDULED


def test_staff_see_the_cancel_action_with_a_reason_and_a_confirmation(people, study_group):
    meeting = meeting_on(study_group=study_group)
    page = staff_client(people).get(meeting.get_absolute_url()).content.decode()
    action = reverse("events:meeting_cancel", args=[meeting.pk])
    assert f'action="{action}"' in page
    assert 'name="reason"' in page
    assert "data-confirm=" in page.split(f'action="{action}"')[1].split(">")[0]


def test_the_migration_makes_past_meetings_held_as_the_reports_counted_them(study_group):
    """Before the status existed every meeting counted: past ones, with or without recorded
    attendance, become held; today's only when something was recorded; later ones scheduled."""
    migration = importlib.import_module("events.migrations.0005_meeting_status")
    past_empty = meeting_on(dt.date(2030, 5, 1), study_group=study_group)
    past_counted = meeting_on(dt.date(2030, 5, 2), study_group=study_group, unnamed_headcount=4)
    today_empty = meeting_on(study_group=study_group)
    today_ticked = meeting_on(study_group=study_group)
    person = PersonFactory()
    Attendance.objects.create(meeting=today_ticked, person=person, organisation=person.organisation)
    later = meeting_on(dt.date(2030, 6, 11), study_group=study_group)
    with now_is(2030, 6, 10, 8, 0):
        migration.mark_past_meetings_held(apps, None)
    statuses = dict(Meeting.objects.values_list("pk", "status"))
    assert statuses == {
        past_empty.pk: HELD,
        past_counted.pk: HELD,
        today_empty.pk: SCHEDULED,
        today_ticked.pk: HELD,
        later.pk: SCHEDULED,
    }


def test_open_data_lists_scheduled_and_cancelled_public_meetings_with_their_status(
    client, people, registered
):
    held = MeetingFactory(
        study_group=registered.study_group,
        title="公開シンポジウム",
        visibility="public",
        date=dt.date(2018, 11, 3),
        status=HELD,
    )
    planned = MeetingFactory(
        study_group=registered.study_group,
        title="公開セミナー",
        visibility="public",
        date=dt.date(2030, 1, 20),
        status=SCHEDULED,
    )
    services.meeting_cancel(meeting=registered, cancelled_by=people["staff"], reason="台風")
    body = client.get(reverse("reports:open_data_csv")).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    remarks = {row["イベント名"]: row["備考"] for row in rows}
    assert remarks == {held.title: "開催済", registered.title: "中止", planned.title: "予定"}


def test_a_cancelled_meeting_reads_cancelled_in_english(client_as, people, registered):
    services.meeting_cancel(meeting=registered, cancelled_by=people["staff"], reason="台風")
    page = client_as("member_a").get(registered.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert '<span class="badge badge--danger">Cancelled</span>' in html
    assert "Registration is closed because the meeting was cancelled." in html


def test_editing_keeps_the_status_and_a_held_meeting_cannot_move_to_the_future(people, study_group):
    stale = meeting_on(study_group=study_group)
    services.meeting_cancel(
        meeting=Meeting.objects.get(pk=stale.pk), cancelled_by=None, reason="雨"
    )
    stale.title = "題名を直した"
    services.meeting_save(meeting=stale)  # an edit form loaded before the cancellation
    stale.refresh_from_db()
    assert (stale.title, stale.status, stale.cancel_reason) == ("題名を直した", CANCELLED, "雨")
    held = meeting_on(dt.date(2030, 6, 1), study_group=study_group, status=HELD)
    held.date = dt.date(2030, 7, 1)
    with now_is(2030, 6, 10, 9, 0), pytest.raises(ValidationError) as error:
        held.full_clean()
    assert "date" in error.value.message_dict


def test_a_sign_in_sheet_of_a_cancelled_meeting_is_refused_with_row_and_column(study_group):
    meeting = meeting_on(study_group=study_group, title="第4回 部会")
    services.meeting_cancel(meeting=meeting, cancelled_by=None, reason="荒天")
    rows = [
        "開催日,会議名,種別,研究会,氏名,メール,団体名,法人番号,人数",
        f"2030-06-10,第4回 部会,部会,{study_group.full_name},,,,,5",
    ]
    plan = import_plan("\n".join(rows).encode(), "sheet.csv")
    assert [(e.row, e.column, e.message) for e in plan.errors] == [
        (2, "会議名", "この会議は中止になっています。")
    ]
