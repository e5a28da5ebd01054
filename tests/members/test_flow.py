"""Sign-up → verification → confirm → apply → staff decides, as a user lives it."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from members import services
from members.models import JoinRequest, Membership, Organisation, Sector
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
}


def test_signup_verify_apply_and_approval_creates_membership_and_emails(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    org = OrganisationFactory(name="株式会社うみ", name_kana="ウミ")
    group = StudyGroupFactory(name="平塚海洋エネルギー研究会", applications_open=True)

    response = client.post(reverse("account_signup"), {**SIGNUP, "organisation": org.pk})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [SIGNUP["email"]]
    user = User.objects.get(email=SIGNUP["email"])
    assert user.person.organisation == org

    address = EmailAddress.objects.get(user=user)
    key = EmailConfirmationHMAC(address).key
    assert key in mailoutbox[0].body
    client.post(reverse("account_confirm_email", args=[key]))
    address.refresh_from_db()
    assert address.verified

    client.force_login(user)
    response = client.post(reverse("members:join", args=[group.pk]), {"message": "参加希望"})
    assert response.status_code == 302
    join_request = JoinRequest.objects.get()
    assert join_request.status == JoinRequest.Status.PENDING
    assert join_request.organisation == org

    staff = staff_user(username="staff1", email="staff1@city.example.jp")
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


def test_signup_with_new_organisation_leaves_it_unconfirmed_until_staff_confirm(client):
    response = client.post(
        reverse("account_signup"),
        {
            **SIGNUP,
            "new_organisation_name": "新しい海洋株式会社",
            "new_organisation_sector": Sector.COMPANY,
            "new_organisation_corporate_number": "7000012050002",
        },
    )
    assert response.status_code == 302
    org = Organisation.objects.get(name="新しい海洋株式会社")
    assert not org.is_confirmed

    client.force_login(staff_user(username="s2", email="s2@city.example.jp"))
    client.post(reverse("members:organisation_confirm", args=[org.pk]))
    org.refresh_from_db()
    assert org.is_confirmed


def test_signup_rejects_bad_corporate_number_next_to_the_field(client):
    response = client.post(
        reverse("account_signup"),
        {
            **SIGNUP,
            "new_organisation_name": "番号違い株式会社",
            "new_organisation_sector": Sector.COMPANY,
            "new_organisation_corporate_number": "7000012050001",
        },
    )
    assert response.status_code == 200
    assert "new_organisation_corporate_number" in response.context["form"].errors
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


def test_member_edits_own_organisation_profile(client_as, people):
    org = people["member_a"].person.organisation
    response = client_as("member_a").post(
        reverse("members:organisation_edit", args=[org.pk]),
        {
            "name": org.name,
            "name_kana": org.name_kana,
            "sector": org.sector,
            "is_local": "on",
            "corporate_number": "",
            "address": "平塚市浅間町9-1",
            "website": "",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.address == "平塚市浅間町9-1"


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
