"""Every URL of the members app × the five roles → the status each must get."""

import pytest
from django.urls import reverse

from tests.members.factories import JoinRequestFactory

pytestmark = pytest.mark.django_db

LOGIN = "login"  # anonymous: 302 to the login page


def _urls(study_group, org_a, org_b, join_request):
    return {
        "home": reverse("home"),
        "studygroup_list": reverse("members:studygroup_list"),
        "studygroup_detail": reverse("members:studygroup_detail", args=[study_group.pk]),
        "studygroup_create": reverse("members:studygroup_create"),
        "studygroup_edit": reverse("members:studygroup_edit", args=[study_group.pk]),
        "join": reverse("members:join", args=[study_group.pk]),
        "my_join_requests": reverse("members:my_join_requests"),
        "joinrequest_queue": reverse("members:joinrequest_queue"),
        "joinrequest_decide": reverse("members:joinrequest_decide", args=[join_request.pk]),
        "organisation_list": reverse("members:organisation_list"),
        "organisation_detail_a": reverse("members:organisation_detail", args=[org_a.pk]),
        "organisation_edit_a": reverse("members:organisation_edit", args=[org_a.pk]),
        "organisation_edit_b": reverse("members:organisation_edit", args=[org_b.pk]),
        "my_organisation": reverse("members:my_organisation"),
    }


# GET: (anonymous, member_a, member_b, staff, admin)
GET_MATRIX = {
    "home": (200, 200, 200, 200, 200),
    "studygroup_list": (200, 200, 200, 200, 200),
    "studygroup_detail": (200, 200, 200, 200, 200),
    "studygroup_create": (LOGIN, 403, 403, 200, 200),
    "studygroup_edit": (LOGIN, 403, 403, 200, 200),
    # staff/admin of the fixtures have no Person: nobody to apply for.
    "join": (LOGIN, 200, 200, 403, 403),
    "my_join_requests": (LOGIN, 200, 200, 403, 403),
    "joinrequest_queue": (LOGIN, 403, 403, 200, 200),
    "joinrequest_decide": (LOGIN, 403, 403, 200, 200),
    "organisation_list": (LOGIN, 403, 403, 200, 200),
    "organisation_detail_a": (LOGIN, 200, 404, 200, 200),
    "organisation_edit_a": (LOGIN, 200, 404, 200, 200),
    "organisation_edit_b": (LOGIN, 404, 200, 200, 200),
    "my_organisation": (LOGIN, 200, 200, 200, 200),
}

# POST-only actions: (anonymous, member_a, member_b, staff, admin)
POST_MATRIX = {
    "studygroup_toggle_applications": (LOGIN, 403, 403, 302, 302),
    "organisation_confirm_b": (LOGIN, 403, 403, 302, 302),
}

ROLES = ("anonymous", "member_a", "member_b", "staff", "admin")


def _check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("name", sorted(GET_MATRIX))
@pytest.mark.parametrize("role_index", range(5), ids=ROLES)
def test_get_permissions(name, role_index, client_as, study_group, org_a, org_b, people):
    join_request = JoinRequestFactory(applicant=people["member_b"].person, study_group=study_group)
    url = _urls(study_group, org_a, org_b, join_request)[name]
    _check(client_as(ROLES[role_index]).get(url), GET_MATRIX[name][role_index])


@pytest.mark.parametrize("name", sorted(POST_MATRIX))
@pytest.mark.parametrize("role_index", range(5), ids=ROLES)
def test_post_permissions(name, role_index, client_as, study_group, org_b, people):
    url = {
        "studygroup_toggle_applications": reverse(
            "members:studygroup_toggle_applications", args=[study_group.pk]
        ),
        "organisation_confirm_b": reverse("members:organisation_confirm", args=[org_b.pk]),
    }[name]
    _check(client_as(ROLES[role_index]).post(url), POST_MATRIX[name][role_index])


def test_member_cannot_decide_join_requests_by_post(client_as, people, study_group):
    join_request = JoinRequestFactory(applicant=people["member_b"].person, study_group=study_group)
    response = client_as("member_b").post(
        reverse("members:joinrequest_decide", args=[join_request.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    join_request.refresh_from_db()
    assert join_request.status == "pending"


def test_member_posting_to_other_orgs_edit_gets_404_and_changes_nothing(client_as, org_b):
    response = client_as("member_a").post(
        reverse("members:organisation_edit", args=[org_b.pk]),
        {"name": "乗っ取り", "sector": "company"},
    )
    assert response.status_code == 404
    org_b.refresh_from_db()
    assert org_b.name == "B電機株式会社"


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_english_pages_are_translated(client_as, study_group):
    client = client_as("staff")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("members:organisation_list")).content.decode()
    assert "Directory" in page
    assert "団体名簿" not in page
