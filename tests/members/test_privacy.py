"""Personal data: a person downloads their own data, asks for deletion, an administrator erases."""

import codecs
import csv
import datetime as dt
import io
import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import privacy
from members.models import DeletionRequest, Erasure, Person
from reports.exports import participation_export
from reports.services import rollup_fiscal_year_compute
from tests.events.factories import AttendanceFactory, MeetingFactory, RegistrationFactory
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    StudyGroupFactory,
    administrator_user,
    person_with_account,
    staff_user,
)
from tests.members.factories import JoinRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleagues(db):
    """Two people of one organisation, each with a registration and an attendance of their own."""
    group = StudyGroupFactory(name="平塚海洋エネルギー研究会")
    org = OrganisationFactory(name="株式会社うみ")
    MembershipFactory(organisation=org, study_group=group, joined_on=dt.date(2018, 4, 1))
    me = person_with_account(org, username="umino", email="umino@umi.example.jp")
    me.name, me.department = "海野 波子", "開発部"
    me.save()
    other = person_with_account(org, username="yamada", email="yamada@umi.example.jp")
    other.name = "山田 潮"
    other.save()
    mine = MeetingFactory(study_group=group, title="第1回 波力発電部会", date=dt.date(2018, 7, 10))
    theirs = MeetingFactory(study_group=group, title="第2回 洋上風力部会", date=dt.date(2018, 9, 3))
    RegistrationFactory(meeting=mine, person=me)
    AttendanceFactory(meeting=mine, person=me)
    RegistrationFactory(meeting=theirs, person=other)
    AttendanceFactory(meeting=theirs, person=other)
    JoinRequestFactory(applicant=me, study_group=StudyGroupFactory(name="水素研究会"))
    return me, other


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_download_as_json_holds_own_data_and_nothing_of_a_colleague(colleagues):
    me, other = colleagues

    response = _client(me.user).get(reverse("members:my_data_json"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"][0]["name"] == "海野 波子"
    assert data["profile"][0]["department"] == "開発部"
    assert data["account"][0]["email"] == "umino@umi.example.jp"
    assert [m["study_group"] for m in data["memberships"]] == ["平塚海洋エネルギー研究会"]
    assert [r["study_group"] for r in data["join_requests"]] == ["水素研究会"]
    assert [r["meeting"] for r in data["registrations"]] == ["第1回 波力発電部会"]
    assert [(a["meeting"], a["date"]) for a in data["attendance"]] == [
        ("第1回 波力発電部会", "2018-07-10")
    ]
    text = response.content.decode("utf-8")
    for colleague_data in ("山田 潮", "yamada@umi.example.jp", "第2回 洋上風力部会"):
        assert colleague_data not in text


def test_download_as_csv_is_excel_utf8_with_bom_and_escapes_formulas(colleagues):
    me, _other = colleagues
    me.title = '=HYPERLINK("http://evil.example")'
    me.save()

    response = _client(me.user).get(reverse("members:my_data_csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = {cell for row in rows for cell in row}
    assert {"海野 波子", "第1回 波力発電部会", "■ 出欠の記録"} <= cells
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert "山田 潮" not in cells


def test_download_reads_the_same_number_of_queries_for_1_and_20_records(
    colleagues, django_assert_num_queries
):
    me, _other = colleagues
    client = _client(me.user)
    url = reverse("members:my_data_json")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(19):
        meeting = MeetingFactory(study_group=me.organisation.memberships.get().study_group)
        RegistrationFactory(meeting=meeting, person=me)
        AttendanceFactory(meeting=meeting, person=me)

    with django_assert_num_queries(len(one)):
        data = json.loads(client.get(url).content)

    assert len(data["attendance"]) == 20


def test_person_without_an_organisation_downloads_their_profile(db):
    person = PersonFactory(organisation=None, user=User.objects.create_user("solo"), name="一人 歩")

    data = json.loads(_client(person.user).get(reverse("members:my_data_json")).content)

    assert data["profile"][0]["name"] == "一人 歩"
    assert data["profile"][0]["organisation"] == ""
    assert data["memberships"] == []


def test_my_data_page_shows_own_data(colleagues):
    me, _other = colleagues

    response = _client(me.user).get(reverse("members:my_data"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "海野 波子" in body and "第1回 波力発電部会" in body
    assert "第2回 洋上風力部会" not in body


@pytest.mark.parametrize("name", ["members:my_data", "members:my_data_json", "members:my_data_csv"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_deletion_request_needs_confirmation(colleagues):
    me, _other = colleagues

    response = _client(me.user).post(reverse("members:deletion_request"), {"reason": "退職のため"})

    assert response.status_code == 200
    assert "確認のチェックを入れてください。" in response.content.decode()
    assert not DeletionRequest.objects.exists()


def test_deletion_request_is_recorded_and_mailed_to_person_and_staff(
    colleagues, mailoutbox, django_capture_on_commit_callbacks
):
    me, _other = colleagues
    staff = staff_user(username="staff", email="staff@city.example.jp")

    with django_capture_on_commit_callbacks(execute=True):
        response = _client(me.user).post(
            reverse("members:deletion_request"), {"reason": "退職のため", "confirm": "on"}
        )

    assert response.status_code == 302
    request = DeletionRequest.objects.get()
    assert (request.person, request.status, request.reason) == (me, "pending", "退職のため")
    assert sorted(tuple(m.to) for m in mailoutbox) == sorted([(me.email,), (staff.email,)])
    staff_mail = next(m for m in mailoutbox if m.to == [staff.email])
    assert "海野 波子" in staff_mail.body and "退職のため" in staff_mail.body
    queue = _client(staff).get(reverse("members:deletion_request_queue")).content.decode()
    assert "海野 波子" in queue


def test_person_can_withdraw_a_pending_deletion_request(
    colleagues, mailoutbox, django_capture_on_commit_callbacks
):
    me, _other = colleagues
    staff = staff_user(username="staff", email="staff@city.example.jp")
    privacy.deletion_request_submit(person=me)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = _client(me.user).post(reverse("members:deletion_request_withdraw"))

    assert response.status_code == 302
    assert DeletionRequest.objects.get().status == DeletionRequest.Status.WITHDRAWN
    assert sorted(m.to for m in mailoutbox) == sorted([[me.email], [staff.email]])  # one each
    assert _client(me.user).post(reverse("members:deletion_request_withdraw")).status_code == 404


def test_a_second_pending_deletion_request_is_refused(colleagues):
    me, _other = colleagues
    privacy.deletion_request_submit(person=me)

    response = _client(me.user).post(reverse("members:deletion_request"), {"confirm": "on"})

    assert response.status_code == 200
    assert "削除の申出は既に受け付けています。" in response.content.decode()
    assert DeletionRequest.objects.count() == 1


def _summary(fiscal_year: int) -> list[list]:
    """The annual summary's rows (のべ参加者数, 参加者実数, organisations …), recomputed now."""
    rollup_fiscal_year_compute(fiscal_year=fiscal_year)
    return list(participation_export(fiscal_year=fiscal_year).rows)


def test_erasure_keeps_the_annual_summary_of_past_years(colleagues):
    me, _other = colleagues
    before = _summary(2018)
    consortium_row = before[0]
    assert consortium_row[4:8] == [2, 2, 0, 2]  # meetings, のべ参加者数, 一般参加者, 参加者実数

    privacy.person_erase(person=me, erased_by=administrator_user())

    assert _summary(2018) == before


def test_erasure_anonymises_the_person_history_and_account(
    colleagues, mailoutbox, django_capture_on_commit_callbacks
):
    me, other = colleagues
    admin = administrator_user(username="admin", email="admin@city.example.jp")
    user = me.user
    me_client = _client(user)
    other_client = _client(other.user)
    request = privacy.deletion_request_submit(person=me, reason="海野 波子として退職します")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        privacy.person_erase(person=me, erased_by=admin)

    me.refresh_from_db()
    user.refresh_from_db()
    placeholder = f"削除済みの利用者 #{me.pk}"
    assert (me.name, me.name_kana, me.email, me.department, me.title) == (
        placeholder,
        "",
        "",
        "",
        "",
    )
    history = list(Person.history.filter(id=me.pk).values("name", "name_kana", "email"))
    assert len(history) >= 2
    assert all(row == {"name": placeholder, "name_kana": "", "email": ""} for row in history)
    assert not user.is_active and not user.has_usable_password()
    assert user.email == "" and "umino" not in user.username
    assert not EmailAddress.objects.filter(user=user).exists()
    assert me.attendances.count() == 1 and me.registrations.count() == 1
    request.refresh_from_db()
    assert (request.status, request.reason) == (DeletionRequest.Status.ERASED, "")
    assert me.join_requests.get().message == ""
    erasure = Erasure.objects.get(person=me)
    assert (erasure.erased_by, erasure.request) == (admin, request)
    # Signed out everywhere; the colleague's session stays.
    assert "_auth_user_id" not in me_client.session
    assert me_client.get(reverse("members:my_data")).status_code == 302
    assert other_client.get(reverse("members:my_data")).status_code == 200
    assert Session.objects.count() == 1
    # Told at the old address, which Kyoso no longer holds.
    assert [m.to for m in mailoutbox] == [["umino@umi.example.jp"]]
    assert not User.objects.filter(email="umino@umi.example.jp").exists()


def test_erasure_scrubs_other_history_rows_that_carry_the_name_or_email(colleagues):
    me, _other = colleagues
    org = me.organisation
    org.address = "お問い合わせ: umino@umi.example.jp（海野 波子）"
    org.save()
    org.address = "平塚市新町1-1"
    org.save()

    privacy.person_erase(person=me, erased_by=administrator_user())

    addresses = list(org.history.values_list("address", flat=True))
    assert not any("umino@umi.example.jp" in a or "海野 波子" in a for a in addresses)
    assert f"お問い合わせ: 削除済みの利用者 #{me.pk}（削除済みの利用者 #{me.pk}）" in addresses


def test_erasure_log_names_who_and_when_but_not_what(colleagues, caplog):
    me, _other = colleagues
    admin = administrator_user()

    with caplog.at_level("INFO", logger="members.privacy"):
        privacy.person_erase(person=me, erased_by=admin)

    assert f"person #{me.pk} erased by user #{admin.pk}" in caplog.text
    assert "海野" not in caplog.text and "umino" not in caplog.text


def test_staff_cannot_erase(colleagues):
    me, _other = colleagues
    staff = staff_user()

    with pytest.raises(PermissionDenied):
        privacy.person_erase(person=me, erased_by=staff)
    page = reverse("members:person_erase", args=[me.pk])
    assert _client(staff).post(page, {"confirm": "on"}).status_code == 403

    me.refresh_from_db()
    assert me.name == "海野 波子"
    assert not Erasure.objects.exists()


def test_administrator_erases_from_the_page_after_confirming(colleagues):
    me, _other = colleagues
    admin_client = _client(administrator_user())
    page = reverse("members:person_erase", args=[me.pk])

    assert admin_client.post(page, {}).status_code == 200  # not confirmed: nothing happens
    assert not Erasure.objects.exists()
    response = admin_client.post(page, {"confirm": "on"})

    assert response.status_code == 302
    me.refresh_from_db()
    assert me.name == f"削除済みの利用者 #{me.pk}"
    assert "削除済みです" in admin_client.get(page).content.decode()


def test_admin_action_erases_for_administrators_only(colleagues):
    me, other = colleagues
    changelist = reverse("admin:members_person_changelist")
    data = {"action": "erase_selected", "_selected_action": [me.pk], "confirm": "yes"}

    staff_response = _client(staff_user()).post(changelist, data)
    me.refresh_from_db()
    assert me.name == "海野 波子"
    assert staff_response.status_code in (200, 302)

    confirm = _client(administrator_user()).post(
        changelist, {"action": "erase_selected", "_selected_action": [me.pk]}
    )
    assert confirm.status_code == 200 and "海野 波子" in confirm.content.decode()
    me.refresh_from_db()
    assert me.name == "海野 波子"  # the confirmation page erases nothing

    _client(administrator_user(username="admin2")).post(changelist, data)
    me.refresh_from_db()
    other.refresh_from_db()
    assert me.name == f"削除済みの利用者 #{me.pk}"
    assert other.name == "山田 潮"


def test_an_administrator_cannot_erase_themselves(db):
    admin = administrator_user()
    person = PersonFactory(user=admin)

    with pytest.raises(ValidationError, match="自分自身"):
        privacy.person_erase(person=person, erased_by=admin)


def test_my_data_page_and_file_speak_english(colleagues):
    me, _other = colleagues
    client = _client(me.user)

    page = client.get(reverse("members:my_data"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    csv_text = client.get(reverse("members:my_data_csv"), HTTP_ACCEPT_LANGUAGE="en").content

    assert "My data" in page and "Download as CSV (for Excel)" in page
    assert "■ Attendance records" in csv_text.decode("utf-8-sig")


def test_downloading_ones_own_data_is_in_the_export_log(colleagues):
    from reports.models import ExportLog

    me, _other = colleagues
    _client(me.user).get(reverse("members:my_data_csv"))
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.personal_data, log.file_format) == (
        me.user,
        "own_data",
        True,
        "csv",
    )
