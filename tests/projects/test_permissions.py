"""Projects access beyond the status matrix (tests/test_url_matrix.py): what the signed PDF,
the public page and the menu show."""

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
