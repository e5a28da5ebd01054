"""Sign-up → verification → confirm → apply → staff decides, as a user lives it."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from members import services
from members.models import AffiliationRequest, JoinRequest, Membership, Organisation, Sector
from members.signals import membership_changed
from tests.members.factories import (
    JoinRequestFactory,
    OrganisationFactory,
    StudyGroupFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new@marine.example.jp",
    "password1": "Umi-no-chikara-2024",
    "password2": "Umi-no-chikara-2024",
    "name": "海野 波子",
    "name_kana": "ウミノ ナミコ",
    "department": "開発部",
    "organisation_name": "（株）うみ",
    "corporate_number": "",
    "sector": Sector.COMPANY,
    "is_local": "1",
    "address": "平塚市新町1-1",
}

CONFIRM_LINK = re.compile(r"https?://testserver(/accounts/confirm-email/[^/\s]+/)")


def confirm_by_link(client, message) -> None:
    """Open the confirmation link of the e-mail as the person would (the key in it embeds a
    timestamp: recomputing it a second later gives another key)."""
    path = CONFIRM_LINK.search(message.body).group(1)
    assert client.post(path).status_code == 302


def test_signup_verify_affiliation_apply_and_approval_creates_membership_and_emails(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    org = OrganisationFactory(name="株式会社うみ", name_kana="ウミ")
    group = StudyGroupFactory(name="平塚海洋エネルギー研究会", applications_open=True)
    staff = staff_user(username="staff1", email="staff1@city.example.jp")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    to_person = [m for m in mailoutbox if m.to == [SIGNUP["email"]]]
    to_staff = [m for m in mailoutbox if m.to == [staff.email]]
    assert len(to_person) == 1 and len(to_staff) == 1
    assert "所属申請" in to_staff[0].subject and "（株）うみ" in to_staff[0].body
    user = User.objects.get(email=SIGNUP["email"])
    assert user.person.organisation is None
    affiliation = AffiliationRequest.objects.get(person=user.person)
    assert affiliation.status == AffiliationRequest.Status.PENDING
    assert affiliation.organisation == org  # matched on the server: (株) and 株式会社 alike

    confirm_by_link(client, to_person[0])
    assert EmailAddress.objects.get(user=user).verified

    client.force_login(user)
    assert client.get(reverse("members:join", args=[group.pk])).status_code == 403
    assert client.get(reverse("members:organisation_detail", args=[org.pk])).status_code == 404

    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:affiliation_decide", args=[affiliation.pk]),
            {"decision": "approve", "organisation": org.pk, "reason": ""},
        )
    assert response.status_code == 302
    user.person.refresh_from_db()
    assert user.person.organisation == org
    assert mailoutbox[-1].to == [SIGNUP["email"]] and "承認" in mailoutbox[-1].subject

    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:join", args=[group.pk]), {"message": "参加希望"})
    assert response.status_code == 302
    assert mailoutbox[-1].to == [staff.email] and "加入申込" in mailoutbox[-1].subject
    join_request = JoinRequest.objects.get()
    assert join_request.status == JoinRequest.Status.PENDING
    assert join_request.organisation == org

    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:joinrequest_decide", args=[join_request.pk]),
            {"decision": "approve", "reason": ""},
        )
    assert response.status_code == 302
    assert Membership.objects.active().filter(organisation=org, study_group=group).exists()
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED
    assert join_request.decided_by == staff
    assert mailoutbox[-1].to == [SIGNUP["email"]]
    assert "承認" in mailoutbox[-1].subject

    client.force_login(user)
    page = client.get(reverse("members:my_join_requests")).content.decode()
    assert "承認" in page


def test_signup_with_a_new_organisation_registers_it_only_when_staff_approve(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    data = {
        **SIGNUP,
        "organisation_name": "新しい海洋株式会社",
        "corporate_number": "7000012050002",
        "is_local": "0",
        "address": "横浜市中区1-1",
    }
    assert client.post(reverse("account_signup"), data).status_code == 302
    assert not Organisation.objects.filter(name="新しい海洋株式会社").exists()
    affiliation = AffiliationRequest.objects.get()
    assert affiliation.organisation is None

    client.force_login(staff_user(username="s2", email="s2@city.example.jp"))
    response = client.post(
        reverse("members:affiliation_decide", args=[affiliation.pk]),
        {"decision": "approve", "organisation": "", "reason": ""},
    )
    assert response.status_code == 302
    org = Organisation.objects.get(name="新しい海洋株式会社")
    assert org.is_confirmed and not org.is_local
    assert (org.sector, org.corporate_number, org.address) == (
        Sector.COMPANY,
        "7000012050002",
        "横浜市中区1-1",
    )
    assert User.objects.get(email=SIGNUP["email"]).person.organisation == org


def test_staff_reject_an_affiliation_with_a_reason_and_the_person_may_apply_again(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    OrganisationFactory(name="株式会社うみ")
    client.post(reverse("account_signup"), SIGNUP)
    affiliation = AffiliationRequest.objects.get()
    staff = staff_user(username="s3", email="s3@city.example.jp")
    client.force_login(staff)
    url = reverse("members:affiliation_decide", args=[affiliation.pk])
    assert "reason" in client.post(url, {"decision": "reject"}).context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "reject", "reason": "在籍を確認できませんでした"})
    affiliation.refresh_from_db()
    assert affiliation.status == AffiliationRequest.Status.REJECTED
    assert "在籍を確認できませんでした" in mailoutbox[-1].body

    client.force_login(User.objects.get(email=SIGNUP["email"]))
    page = client.get(reverse("members:my_affiliation"))
    assert page.status_code == 200 and page.context["can_apply"]
    response = client.post(
        reverse("members:my_affiliation"),
        {**{k: SIGNUP[k] for k in ("sector", "is_local", "address")}, "organisation_name": "うみ"},
    )
    assert response.status_code == 302
    assert AffiliationRequest.objects.pending().count() == 1


def test_signup_rejects_bad_corporate_number_next_to_the_field(client):
    response = client.post(
        reverse("account_signup"),
        {**SIGNUP, "organisation_name": "番号違い株式会社", "corporate_number": "7000012050001"},
    )
    assert response.status_code == 200
    assert "corporate_number" in response.context["form"].errors
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_rejection_requires_a_reason_and_emails_it(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    join_request = JoinRequestFactory(applicant=people["member_a"].person)
    with pytest.raises(ValidationError):
        services.join_request_reject(request=join_request, decided_by=people["staff"], reason="  ")

    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_reject(
            request=join_request, decided_by=people["staff"], reason="定員に達したため"
        )

    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.REJECTED
    assert not Membership.objects.filter(study_group=join_request.study_group).exists()
    assert "定員に達したため" in mailoutbox[-1].body


def test_reject_form_without_reason_shows_error(client_as, people):
    join_request = JoinRequestFactory(applicant=people["member_a"].person)
    response = client_as("staff").post(
        reverse("members:joinrequest_decide", args=[join_request.pk]), {"decision": "reject"}
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors


def test_cannot_apply_when_applications_are_closed(people):
    group = StudyGroupFactory(applications_open=False)
    with pytest.raises(ValidationError):
        services.join_request_submit(applicant=people["member_a"].person, study_group=group)


def test_cannot_apply_twice_while_pending(people):
    group = StudyGroupFactory()
    services.join_request_submit(applicant=people["member_a"].person, study_group=group)
    with pytest.raises(ValidationError):
        services.join_request_submit(applicant=people["member_a"].person, study_group=group)


def test_approval_sends_membership_changed_with_fiscal_year(people):
    received = []

    def receiver(sender, fiscal_years, **kwargs):
        received.append(fiscal_years)

    join_request = JoinRequestFactory(applicant=people["member_a"].person)
    membership_changed.connect(receiver)
    try:
        services.join_request_approve(request=join_request, decided_by=people["staff"])
    finally:
        membership_changed.disconnect(receiver)

    from consortium.fiscal import current_fiscal_year

    assert received == [{current_fiscal_year()}]


def test_ending_membership_keeps_history_and_announces_both_years(people, study_group):
    import datetime as dt

    membership = Membership.objects.get(organisation=people["member_a"].person.organisation)
    received = []

    def receiver(sender, fiscal_years, **kwargs):
        received.append(fiscal_years)

    membership_changed.connect(receiver)
    try:
        services.membership_end(membership=membership, left_on=dt.date(2024, 5, 1))
    finally:
        membership_changed.disconnect(receiver)

    assert Membership.objects.filter(pk=membership.pk, left_on=dt.date(2024, 5, 1)).exists()
    assert received[-1] == {2020, 2024}


def test_member_edits_only_the_descriptive_fields_of_their_organisation(client_as, people):
    org = people["member_a"].person.organisation
    name, sector, is_local, number = org.name, org.sector, org.is_local, org.corporate_number
    response = client_as("member_a").post(
        reverse("members:organisation_edit", args=[org.pk]),
        {
            "name": "乗っ取り株式会社",
            "sector": Sector.UNIVERSITY,
            "is_local": "",
            "corporate_number": "7000012050002",
            "address": "平塚市浅間町9-1",
            "website": "",
            "description": "波力発電の部品を製造しています。",
            "contact": "営業部 0463-00-0000",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.address == "平塚市浅間町9-1"
    assert org.contact == "営業部 0463-00-0000"
    assert (org.name, org.sector, org.is_local, org.corporate_number) == (
        name,
        sector,
        is_local,
        number,
    )


def test_a_member_cannot_change_what_the_reports_read_even_through_the_service(people):
    org = people["member_a"].person.organisation
    with pytest.raises(ValidationError):
        services.organisation_update(
            organisation=org, changed_by=people["member_a"], fields={"sector": Sector.UNIVERSITY}
        )


def test_staff_reclassify_an_organisation_and_the_reports_are_told(people, client_as):
    from members.signals import organisation_changed

    org = people["member_a"].person.organisation
    received = []

    def receiver(sender, organisation_id, **kwargs):
        received.append(organisation_id)

    organisation_changed.connect(receiver)
    try:
        response = client_as("staff").post(
            reverse("members:organisation_edit", args=[org.pk]),
            {
                "name": org.name,
                "name_kana": org.name_kana,
                "sector": Sector.UNIVERSITY,
                "corporate_number": org.corporate_number,
                "address": "",
                "website": "",
                "description": "",
                "contact": "",
            },
        )
    finally:
        organisation_changed.disconnect(receiver)
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.sector == Sector.UNIVERSITY and not org.is_local
    assert received == [org.pk]


def test_staff_end_a_membership_and_change_its_role_in_the_site(people, client_as):
    import datetime as dt

    membership = Membership.objects.get(organisation=people["member_a"].person.organisation)
    received = []

    def receiver(sender, fiscal_years, **kwargs):
        received.append(fiscal_years)

    membership_changed.connect(receiver)
    try:
        response = client_as("staff").post(
            reverse("members:membership_edit", args=[membership.pk]),
            {
                "role": Membership.Role.CHAIR,
                "joined_on": membership.joined_on.isoformat(),
                "left_on": "2025-03-31",
            },
        )
    finally:
        membership_changed.disconnect(receiver)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Membership.Role.CHAIR
    assert membership.left_on == dt.date(2025, 3, 31)
    assert 2024 in received[-1]


def test_staff_toggles_applications(client_as, study_group):
    client_as("staff").post(
        reverse("members:studygroup_toggle_applications", args=[study_group.pk])
    )
    study_group.refresh_from_db()
    assert study_group.applications_open is False


def test_study_group_members_are_shown_to_members_not_to_public(client_as, people, study_group):
    url = reverse("members:studygroup_detail", args=[study_group.pk])
    assert "株式会社Aマリン" in client_as("member_b").get(url).content.decode()
    assert "株式会社Aマリン" not in client_as("anonymous").get(url).content.decode()


def test_subcommittee_members_visible_to_members_of_parent(client_as, people, study_group):
    sub = StudyGroupFactory(name="第1部会", parent=study_group)
    url = reverse("members:studygroup_detail", args=[sub.pk])
    assert client_as("member_a").get(url).context["can_see_members"]


def test_outsider_cannot_see_group_members(client, study_group, people):
    from tests.members.factories import person_with_account

    outsider = person_with_account(OrganisationFactory(), username="out", email="o@example.jp")
    client.force_login(outsider.user)
    response = client.get(reverse("members:studygroup_detail", args=[study_group.pk]))
    assert not response.context["can_see_members"]
