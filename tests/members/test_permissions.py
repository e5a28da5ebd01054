"""Members pages beyond the status matrix (tests/test_url_matrix.py): what a refused request
leaves unchanged, the admin login, the English pages."""

import pytest
from django.urls import reverse

from tests.members.factories import JoinRequestFactory

pytestmark = pytest.mark.django_db


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
