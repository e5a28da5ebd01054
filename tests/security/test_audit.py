"""Audit: changes to attendance, memberships, funding, agreements and outcomes are recorded with
who and when — also when they come from an import — and staff see them on the object's page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.importing import import_apply, import_plan
from events.models import Attendance, AttendanceStatus
from members.importing import roster_import
from members.models import Membership
from projects import services as project_services
from projects.models import Funding
from tests.events.factories import AttendanceFactory, MeetingFactory
from tests.members.factories import JoinRequestFactory
from tests.projects.factories import (
    AgreementFactory,
    FunderFactory,
    FundingFactory,
    OutcomeFactory,
    ProjectFactory,
)
from tests.projects.test_pages import _agreement_post

pytestmark = pytest.mark.django_db

STAFF_NAME = "tanaka.jimukyoku"


@pytest.fixture
def staff(people):
    user = people["staff"]
    user.username = STAFF_NAME
    user.save(update_fields=["username"])
    return user


def _history(page) -> str:
    html = page.content.decode()
    assert 'id="history"' in html, "no 変更履歴 section on the page"
    return html.split('id="history"', 1)[1].split("</section>", 1)[0]


def _project_history(client, project_id: int) -> str:
    """The project page loads its 変更履歴 from its own URL when scrolled to (htmx)."""
    url = reverse("projects:project_history", args=[project_id])
    page = client.get(reverse("projects:project_detail", args=[project_id]))
    assert f'hx-get="{url}"' in _history(page)
    return _history(client.get(url, HTTP_HX_REQUEST="true"))


def test_funding_change_shows_who_and_what_on_the_project_page(client_as, staff):
    funding = FundingFactory(amount=10_000_000)
    client = client_as("staff")
    response = client.post(
        reverse("projects:funding_update", args=[funding.pk]),
        {
            "fiscal_year": funding.fiscal_year,
            "funder": funding.funder_id,
            "scheme": funding.scheme,
            "kind": funding.kind,
            "amount": "12000000",
            "status": funding.status,
        },
    )
    assert response.status_code == 302
    history = _project_history(client, funding.project_id)
    assert STAFF_NAME in history
    assert "10,000,000 → 12,000,000" in history
    assert funding.funder.name in history


def test_outcome_added_by_staff_is_in_the_project_history(client_as, staff):
    project = ProjectFactory()
    client = client_as("staff")
    response = client.post(
        reverse("projects:outcome_create", args=[project.pk]),
        {"kind": "patent", "date": "2019-05-01", "title": "波力発電装置の特許出願"},
    )
    assert response.status_code == 302
    history = _project_history(client, project.pk)
    assert "波力発電装置の特許出願" in history and STAFF_NAME in history
    assert "作成" in history


def test_agreement_edit_shows_the_changed_title_and_editor(client_as, staff, org_a):
    FunderFactory(name="東京大学生産技術研究所")
    agreement = AgreementFactory(parties=[org_a], title="元の協定名")
    client = client_as("staff")
    response = client.post(
        reverse("projects:agreement_update", args=[agreement.pk]),
        _agreement_post(title="改めた協定名"),
    )
    assert response.status_code == 302
    history = _history(client.get(reverse("projects:agreement_detail", args=[agreement.pk])))
    assert "元の協定名 → 改めた協定名" in history
    assert STAFF_NAME in history


def test_membership_from_an_approved_request_is_in_the_organisation_history(
    client_as, staff, people, study_group, org_b
):
    Membership.objects.filter(organisation=org_b).delete()
    join_request = JoinRequestFactory(applicant=people["member_b"].person, study_group=study_group)
    client = client_as("staff")
    client.post(
        reverse("members:joinrequest_decide", args=[join_request.pk]),
        {"decision": "approve", "reason": ""},
    )
    assert Membership.objects.filter(organisation=org_b).exists()
    history = _history(client.get(reverse("members:organisation_detail", args=[org_b.pk])))
    assert study_group.full_name in history
    assert STAFF_NAME in history


def test_member_edit_of_own_organisation_shows_the_members_name(client_as, staff, people, org_a):
    org_a.address = "平塚市浅間町1-1"
    org_a.save(update_fields=["address"])
    client_as("member_a").post(
        reverse("members:organisation_edit", args=[org_a.pk]),
        {"address": "平塚市浅間町9-1", "website": "", "description": "", "contact": ""},
    )
    page = client_as("staff").get(reverse("members:organisation_detail", args=[org_a.pk]))
    history = _history(page)
    assert people["member_a"].person.name in history
    assert "平塚市浅間町1-1 → 平塚市浅間町9-1" in history


def test_members_do_not_see_the_change_history(client_as, people, org_a):
    page = client_as("member_a").get(reverse("members:organisation_detail", args=[org_a.pk]))
    assert page.status_code == 200
    assert 'id="history"' not in page.content.decode()


def test_attendance_sheet_history_names_the_recorder(client_as, staff, people, study_group):
    meeting = MeetingFactory(study_group=study_group)
    client = client_as("staff")
    client.post(
        reverse("events:attendance_sheet", args=[meeting.pk]),
        {"person": people["member_a"].person.pk, "status": "attended"},
    )
    page = client.get(reverse("events:attendance_sheet", args=[meeting.pk])).content.decode()
    section = page.split("変更履歴", 1)[1]
    assert STAFF_NAME in section and people["member_a"].person.name in section


# --- Imports record history ------------------------------------------------------------------


def test_funding_import_records_history_with_the_importing_user(client_as, staff):
    ProjectFactory(name="平塚波力発電 実証事業")
    FunderFactory(name="内閣府")
    data = (
        "事業,年度,資金提供者,制度・事業名,財源の種類,金額（円）\n"
        "平塚波力発電 実証事業,2019,内閣府,地方創生推進交付金,grant,1000\n"
    ).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("staff")
    page = client.post(
        reverse("projects:funding_import"), {"file": SimpleUploadedFile("f.csv", data)}
    )
    client.post(
        reverse("projects:funding_import"), {"confirm": "1", "token": page.context["token"]}
    )
    record = Funding.history.get()
    assert record.history_type == "+" and record.history_user == staff


def test_attendance_import_records_history_also_for_updated_rows(people, study_group):
    person = people["member_a"].person
    meeting = MeetingFactory(study_group=study_group, title="総会")
    AttendanceFactory(meeting=meeting, person=person, status=AttendanceStatus.ABSENT)
    row = f"{meeting.date:%Y/%m/%d},総会,{meeting.get_kind_display()},{study_group.full_name},"
    row += f"{person.name},{person.email},,,"
    data = f"開催日,会議名,種別,研究会,氏名,メール,団体名,法人番号,人数\n{row}\n".encode()
    plan = import_plan(data, "sheet.csv")
    assert plan.ok, plan.errors
    import_apply(plan, recorded_by=people["staff"])
    attendance = Attendance.objects.get(meeting=meeting, person=person)
    assert attendance.status == AttendanceStatus.ATTENDED
    latest = attendance.history.first()
    assert latest.history_type == "~" and latest.status == AttendanceStatus.ATTENDED


def test_roster_import_records_membership_history():
    data = ("団体名,区分,研究会\n株式会社湘南マリン,企業,平塚海洋エネルギー研究会\n").encode()
    result = roster_import(data=data, filename="roster.csv")
    assert result.ok, result.errors
    assert Membership.history.filter(history_type="+").count() == 1


# --- Query counts: the history costs the same for 1 and for 20 changes -------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_project_history_query_count_does_not_grow_with_changes(client_as, staff):
    project = ProjectFactory()
    funding = FundingFactory(project=project)
    OutcomeFactory(project=project)
    client = client_as("staff")
    url = reverse("projects:project_history", args=[project.pk])
    one = _queries(client, url)
    for amount in range(20):
        funding.amount = 1_000 + amount
        project_services.funding_save(funding=funding)
    assert _queries(client, url) == one


def test_organisation_history_query_count_does_not_grow_with_changes(
    client_as, staff, org_a, study_group
):
    client = client_as("staff")
    url = reverse("members:organisation_detail", args=[org_a.pk])
    one = _queries(client, url)
    membership = Membership.objects.get(organisation=org_a)
    for day in range(1, 21):
        membership.role = "member" if day % 2 else "chair"
        membership.save()
    assert _queries(client, url) == one


def test_history_section_reads_in_english(client_as, staff):
    funding = FundingFactory(amount=10_000_000)
    funding.amount = 9_000_000
    project_services.funding_save(funding=funding)
    client = client_as("staff")
    client.cookies["django_language"] = "en"
    history = _project_history(client, funding.project_id)
    assert "Change history" in history and "Changed" in history
    assert "変更履歴" not in history
