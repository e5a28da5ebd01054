"""Every projects URL × the five roles → the status a user gets."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.projects.factories import (
    AgreementFactory,
    FundingFactory,
    OutcomeFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

LOGIN = 302  # anonymous → login page

ROLES = ("anonymous", "member_a", "member_b", "staff", "admin")


@pytest.fixture
def objects(people, study_group, org_a, org_b):
    """A's private project (not in a shared group), a group project, a public project;
    an agreement between A and the city with a signed PDF."""
    private_a = ProjectFactory(name="A社の非公開事業", lead_organisation=org_a)
    group_project = ProjectFactory(name="研究会の事業", study_groups=[study_group])
    public = ProjectFactory(name="公開事業", is_public=True)
    funding = FundingFactory(project=private_a)
    outcome = OutcomeFactory(project=private_a)
    agreement = AgreementFactory(parties=[org_a])
    agreement.projects.add(private_a)
    agreement.document.save("signed.pdf", ContentFile(b"%PDF-1.4 signed"), save=True)
    return {
        "private_a": private_a,
        "group_project": group_project,
        "public": public,
        "funding": funding,
        "outcome": outcome,
        "agreement": agreement,
    }


def _urls(o):
    return {
        "project_list": (reverse("projects:project_list"), (LOGIN, 200, 200, 200, 200)),
        "project_detail_group": (
            reverse("projects:project_detail", args=[o["group_project"].pk]),
            (LOGIN, 200, 200, 200, 200),
        ),
        "project_detail_private_a": (
            reverse("projects:project_detail", args=[o["private_a"].pk]),
            (LOGIN, 200, 404, 200, 200),
        ),
        "project_create": (reverse("projects:project_create"), (LOGIN, 403, 403, 200, 200)),
        "project_update": (
            reverse("projects:project_update", args=[o["private_a"].pk]),
            (LOGIN, 403, 403, 200, 200),
        ),
        "phase_record": (
            reverse("projects:phase_record", args=[o["private_a"].pk]),
            (LOGIN, 403, 403, 200, 200),
        ),
        "funding_create": (
            reverse("projects:funding_create", args=[o["private_a"].pk]),
            (LOGIN, 403, 403, 200, 200),
        ),
        "funding_update": (
            reverse("projects:funding_update", args=[o["funding"].pk]),
            (LOGIN, 403, 403, 200, 200),
        ),
        "outcome_create": (
            reverse("projects:outcome_create", args=[o["private_a"].pk]),
            (LOGIN, 403, 403, 200, 200),
        ),
        "outcome_update": (
            reverse("projects:outcome_update", args=[o["outcome"].pk]),
            (LOGIN, 403, 403, 200, 200),
        ),
        "funding_import": (reverse("projects:funding_import"), (LOGIN, 403, 403, 200, 200)),
        "funding_export": (reverse("projects:funding_export"), (LOGIN, 403, 403, 200, 200)),
        "phase_list": (reverse("projects:phase_list"), (LOGIN, 403, 403, 200, 200)),
        "public_list": (reverse("projects:public_list"), (200, 200, 200, 200, 200)),
        "public_detail": (
            reverse("projects:public_detail", args=[o["public"].pk]),
            (200, 200, 200, 200, 200),
        ),
        "public_detail_of_private": (
            reverse("projects:public_detail", args=[o["private_a"].pk]),
            (404, 404, 404, 404, 404),
        ),
        "agreement_list": (reverse("projects:agreement_list"), (LOGIN, 200, 200, 200, 200)),
        "agreement_detail": (
            reverse("projects:agreement_detail", args=[o["agreement"].pk]),
            (LOGIN, 200, 404, 200, 200),
        ),
        "agreement_document": (
            reverse("projects:agreement_document", args=[o["agreement"].pk]),
            (LOGIN, 200, 404, 200, 200),
        ),
        "agreement_create": (reverse("projects:agreement_create"), (LOGIN, 403, 403, 200, 200)),
        "agreement_update": (
            reverse("projects:agreement_update", args=[o["agreement"].pk]),
            (LOGIN, 403, 403, 200, 200),
        ),
    }


CASES = [
    "project_list",
    "project_detail_group",
    "project_detail_private_a",
    "project_create",
    "project_update",
    "phase_record",
    "funding_create",
    "funding_update",
    "outcome_create",
    "outcome_update",
    "funding_import",
    "funding_export",
    "phase_list",
    "public_list",
    "public_detail",
    "public_detail_of_private",
    "agreement_list",
    "agreement_detail",
    "agreement_document",
    "agreement_create",
    "agreement_update",
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client_as, objects, case, role):
    url, expected = _urls(objects)[case]
    response = client_as(role).get(url)
    assert response.status_code == expected[ROLES.index(role)]
    if response.status_code == LOGIN:
        assert reverse("account_login") in response["Location"]


def test_matrix_covers_every_projects_url():
    from projects.urls import urlpatterns

    named = {pattern.name for pattern in urlpatterns}
    covered = {case.removesuffix("_group").removesuffix("_private_a") for case in CASES}
    covered = {c.replace("public_detail_of_private", "public_detail") for c in covered}
    assert named <= covered


def test_party_member_gets_the_signed_pdf(client_as, objects):
    response = client_as("member_a").get(
        reverse("projects:agreement_document", args=[objects["agreement"].pk])
    )
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_document_is_not_under_media_root(objects, settings):
    from pathlib import Path

    path = Path(objects["agreement"].document.path)
    assert Path(settings.MEDIA_ROOT) not in path.parents


def test_public_page_shows_no_amounts_or_notes(client_as, objects):
    public = objects["public"]
    FundingFactory(project=public, amount=12_345_678, note="内部メモ")
    OutcomeFactory(project=public, title="公開の成果", note="成果の内部メモ")
    body = client_as("anonymous").get(reverse("projects:public_detail", args=[public.pk]))
    text = body.content.decode()
    assert "公開の成果" in text
    assert "12,345,678" not in text and "12345678" not in text
    assert "内部メモ" not in text


def test_nav_links_public_list_for_anonymous_and_agreements_for_members(client_as, objects):
    anonymous = client_as("anonymous").get(reverse("projects:public_list")).content.decode()
    assert reverse("projects:public_list") in anonymous
    assert reverse("projects:agreement_list") not in anonymous
    member = client_as("member_a").get(reverse("projects:public_list")).content.decode()
    assert reverse("projects:project_list") in member
    assert reverse("projects:agreement_list") in member
