"""The sign-up attack of the Trust review, step by step: a stranger signs up naming an existing
member organisation, confirms their own e-mail and tries everything a colleague could do. Each
step must fail until secretariat staff approve the affiliation."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Registration
from members.models import AffiliationRequest, Organisation
from tests.test_url_matrix import (  # noqa: F401 - fixtures
    MATRIX,
    _url,
    client_for,
    everyone,
    site,
)

pytestmark = pytest.mark.django_db

STRANGER = {
    "email": "attacker@freemail.example.com",
    "password1": "Kuroi-boushi-2024",
    "password2": "Kuroi-boushi-2024",
    "name": "黒井 帽子",
    "name_kana": "",
    "department": "",
    "sector": "company",
    "is_local": "1",
    "address": "平塚市",
}


def _signed_up_stranger(org, mailoutbox, capture) -> Client:
    client = Client()
    page = client.get(reverse("account_signup")).content.decode()
    # Nothing on the public page tells which organisations are registered.
    assert org.name not in page and 'name="organisation"' not in page
    with capture(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                **STRANGER,
                "organisation_name": org.name,
                "corporate_number": org.corporate_number,
            },
        )
    assert response.status_code == 302
    link = re.search(r"https?://testserver(/accounts/confirm-email/[^/\s]+/)", mailoutbox[0].body)
    assert client.post(link.group(1)).status_code == 302  # confirmed and signed in
    return client


def test_a_stranger_who_names_a_member_organisation_gets_nothing_of_it(
    site, people, org_a, mailoutbox, django_capture_on_commit_callbacks
):
    stranger = _signed_up_stranger(org_a, mailoutbox, django_capture_on_commit_callbacks)
    person = AffiliationRequest.objects.get(person__email=STRANGER["email"]).person
    assert person.organisation is None

    # Every page only organisation A's people may open (the matrix's A-only entries).
    private = [
        c for c in MATRIX if c.expected["member_a"] in (200, 302) and c.expected["member_b"] == 404
    ]
    assert len(private) >= 8
    opened = {
        (case.method, case.name, case.label): getattr(stranger, case.method)(
            _url(case, site)
        ).status_code
        for case in private
    }
    assert {key: status for key, status in opened.items() if status not in (403, 404)} == {}

    # Colleagues' names and e-mails, the agreement PDF, minutes and materials, funding.
    body = stranger.get(reverse("members:my_organisation")).content.decode()
    assert "a@example.jp" not in body and org_a.name not in body
    # The organisation's name, 区分 and 市内 stay as they were.
    before = Organisation.objects.values().get(pk=org_a.pk)
    stranger.post(
        reverse("members:organisation_edit", args=[org_a.pk]),
        {"name": "乗っ取り", "sector": "university", "address": "x", "website": ""},
    )
    assert Organisation.objects.values().get(pk=org_a.pk) == before
    # A colleague's meeting registration stays.
    registration = Registration.objects.get(pk=site["registration"])
    response = stranger.post(reverse("events:registration_cancel", args=[registration.pk]))
    assert response.status_code in (403, 404)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED

    # Somebody is told: the secretariat got an e-mail naming the request.
    to_staff = [m for m in mailoutbox if people["staff"].email in m.to]
    assert to_staff and STRANGER["email"] in to_staff[0].body


def test_the_staff_queue_shows_the_stranger_next_to_the_matched_organisation(
    site, people, org_a, mailoutbox, django_capture_on_commit_callbacks
):
    _signed_up_stranger(org_a, mailoutbox, django_capture_on_commit_callbacks)
    staff = Client()
    staff.force_login(people["staff"])
    queue = staff.get(reverse("members:joinrequest_queue")).content.decode()
    assert "freemail.example.com" in queue and org_a.name in queue
    affiliation = AffiliationRequest.objects.get(person__email=STRANGER["email"])
    decide = staff.get(reverse("members:affiliation_decide", args=[affiliation.pk]))
    assert decide.context["candidates"] == [org_a]
