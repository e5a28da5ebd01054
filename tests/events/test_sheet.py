import pytest
from django.urls import reverse

from events.models import Attendance
from members.models import Organisation, Person
from tests.events.factories import AttendanceFactory, RegistrationFactory
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def sheet_url(meeting, name="attendance_sheet"):
    return reverse(f"events:{name}", args=[meeting.pk])


def test_sheet_lists_member_organisations_people_and_registrants(client_as, people, meeting):
    outsider = PersonFactory(name="外部 花子")
    RegistrationFactory(meeting=meeting, person=outsider)
    page = client_as("staff").get(sheet_url(meeting)).content.decode()
    for person in (people["member_a"].person, people["member_b"].person, outsider):
        assert f'id="p{person.pk}"' in page
    assert "株式会社Aマリン" in page


def test_plain_form_post_records_attendance_and_redirects(
    client_as, people, meeting, changed_years
):
    person = people["member_a"].person
    response = client_as("staff").post(
        sheet_url(meeting), {"person": person.pk, "status": "attended"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#p{person.pk}")
    attendance = Attendance.objects.get(meeting=meeting, person=person)
    assert attendance.status == "attended"
    assert attendance.organisation == person.organisation
    assert attendance.recorded_by == people["staff"]
    assert changed_years == [{2018}]


def test_htmx_post_answers_with_the_row_and_the_totals(client_as, people, meeting):
    person = people["member_b"].person
    response = client_as("staff").post(
        sheet_url(meeting), {"person": person.pk, "status": "excused"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert f'id="p{person.pk}"' in body
    assert 'value="excused" class="mark mark--excused" aria-pressed="true"' in body
    assert 'id="sheet-totals"' in body and 'hx-swap-oob="true"' in body
    assert Attendance.objects.get(person=person).status == "excused"


def test_changing_a_mark_keeps_one_row_and_history(client_as, people, meeting):
    person = people["member_a"].person
    client = client_as("staff")
    for status in ("attended", "absent", "attended"):
        client.post(sheet_url(meeting), {"person": person.pk, "status": status})
    assert Attendance.objects.filter(meeting=meeting).count() == 1
    history = Attendance.history.filter(person_id=person.pk).order_by("history_date")
    assert [h.status for h in history] == ["attended", "absent", "attended"]
    assert {h.history_user for h in history} == {people["staff"]}
    page = client.get(sheet_url(meeting)).content.decode()
    assert "変更履歴" in page and page.count("<td>欠席</td>") == 1


def test_attendance_keeps_the_organisation_of_that_day(client_as, people, meeting):
    person = people["member_a"].person
    old_org = person.organisation
    client_as("staff").post(sheet_url(meeting), {"person": person.pk, "status": "attended"})
    person.organisation = OrganisationFactory(name="転職先株式会社")
    person.save()
    assert Attendance.objects.get(person=person).organisation == old_org


def test_all_registered_attended_in_one_click(client_as, meeting, changed_years):
    registered = [RegistrationFactory(meeting=meeting).person for _ in range(3)]
    waiting = RegistrationFactory(meeting=meeting, status="waitlisted").person
    excused = registered[0]
    AttendanceFactory(meeting=meeting, person=excused, status="excused")
    client_as("staff").post(sheet_url(meeting, "attendance_mark_registered"))
    statuses = dict(meeting.attendances.values_list("person_id", "status"))
    assert statuses == {
        excused.pk: "excused",
        registered[1].pk: "attended",
        registered[2].pk: "attended",
    }
    assert waiting.pk not in statuses
    assert changed_years == [{2018}]


def test_walk_in_of_an_existing_person(client_as, meeting):
    person = PersonFactory(name="当日 太郎")
    response = client_as("staff").post(
        sheet_url(meeting, "attendance_walk_in"), {"person": person.pk}
    )
    assert response.status_code == 302
    assert meeting.attendances.get().person == person


def test_walk_in_creates_person_and_unconfirmed_organisation(client_as, meeting):
    client_as("staff").post(
        sheet_url(meeting, "attendance_walk_in"),
        {
            "name": "湘南 一郎",
            "email": "ichiro@shonan.example.jp",
            "organisation_name": "湘南漁業協同組合",
            "sector": "association",
        },
    )
    organisation = Organisation.objects.get(name="湘南漁業協同組合")
    assert organisation.is_confirmed is False
    person = Person.objects.get(name="湘南 一郎")
    assert person.organisation == organisation
    assert meeting.attendances.get().person == person


def test_walk_in_without_a_name_shows_the_error(client_as, meeting):
    response = client_as("staff").post(sheet_url(meeting, "attendance_walk_in"), {"name": ""})
    assert response.status_code == 400
    assert "登録済みの人を選ぶか、氏名を入れてください。" in response.content.decode()
    assert not Attendance.objects.exists()


def test_walk_in_search_finds_people_by_organisation(client_as, meeting):
    PersonFactory(name="検索 対象", organisation=OrganisationFactory(name="平塚信用金庫"))
    response = client_as("staff").get(
        sheet_url(meeting, "attendance_search"), {"q": "信用金庫"}, HTTP_HX_REQUEST="true"
    )
    assert "検索 対象" in response.content.decode()


def test_unnamed_headcount_counts_in_the_total(client_as, people, meeting, changed_years):
    client = client_as("staff")
    client.post(sheet_url(meeting), {"person": people["member_a"].person.pk, "status": "attended"})
    response = client.post(
        sheet_url(meeting, "attendance_headcount"), {"unnamed_headcount": 4}, HTTP_HX_REQUEST="true"
    )
    meeting.refresh_from_db()
    assert meeting.unnamed_headcount == 4
    assert "のべ参加者数 <strong>5</strong>" in response.content.decode()
    assert changed_years == [{2018}, {2018}]


def test_negative_headcount_is_refused(client_as, meeting):
    client_as("staff").post(sheet_url(meeting, "attendance_headcount"), {"unnamed_headcount": -1})
    meeting.refresh_from_db()
    assert meeting.unnamed_headcount == 0


# --- Two staff on one row: the later tick is based on what its sheet showed ------------------

STALE_NOTICE = "他の担当者が先に記録しました"


def test_each_row_form_carries_the_mark_its_staffer_saw(client_as, people, meeting):
    marked, unmarked = people["member_a"].person, people["member_b"].person
    AttendanceFactory(meeting=meeting, person=marked, status="excused")
    page = client_as("staff").get(sheet_url(meeting)).content.decode()
    row = page[page.index(f'id="p{marked.pk}"') :]
    assert '<input type="hidden" name="seen" value="excused">' in row[: row.index("</form>")]
    row = page[page.index(f'id="p{unmarked.pk}"') :]
    assert '<input type="hidden" name="seen" value="">' in row[: row.index("</form>")]


def test_a_tick_on_a_row_someone_else_changed_shows_the_stored_mark_and_a_notice(
    client_as, people, meeting, changed_years
):
    person = people["member_a"].person
    # Staffer 1 loaded the sheet with the row unrecorded; staffer 2 then ticks 出席.
    AttendanceFactory(
        meeting=meeting, person=person, status="attended", recorded_by=people["admin"]
    )
    response = client_as("staff").post(
        sheet_url(meeting),
        {"person": person.pk, "status": "absent", "seen": ""},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert STALE_NOTICE in body
    assert 'value="attended" class="mark mark--attended" aria-pressed="true"' in body
    assert '<input type="hidden" name="seen" value="attended">' in body
    stored = Attendance.objects.get(meeting=meeting, person=person)
    assert (stored.status, stored.recorded_by) == ("attended", people["admin"])
    assert changed_years == []


def test_the_stale_notice_reaches_a_sheet_without_javascript(client_as, people, meeting):
    person = people["member_a"].person
    AttendanceFactory(meeting=meeting, person=person, status="absent")
    client = client_as("staff")
    response = client.post(
        sheet_url(meeting), {"person": person.pk, "status": "clear", "seen": "attended"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#p{person.pk}")
    assert Attendance.objects.get(meeting=meeting, person=person).status == "absent"
    assert STALE_NOTICE in client.get(sheet_url(meeting)).content.decode()


def test_a_tick_on_the_row_as_it_was_shown_is_recorded_without_a_notice(client_as, people, meeting):
    person = people["member_a"].person
    AttendanceFactory(meeting=meeting, person=person, status="absent")
    response = client_as("staff").post(
        sheet_url(meeting),
        {"person": person.pk, "status": "attended", "seen": "absent"},
        HTTP_HX_REQUEST="true",
    )
    assert STALE_NOTICE not in response.content.decode()
    assert Attendance.objects.get(meeting=meeting, person=person).status == "attended"
