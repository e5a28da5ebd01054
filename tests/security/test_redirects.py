"""``next=`` never sends anybody to another site: every view that honours it asks
``consortium.links.safe_next``, which falls back to the view's own page for anything that is not
a page of Kyoso, however it is spelt."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from consortium.links import safe_next
from tests.events.factories import MeetingFactory, RegistrationFactory
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

FOREIGN = [
    "https://evil.example/phish",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "\x00//evil.example",
    "https://testserver@evil.example/",
    "https://evil.example\\@testserver/",
    "/ok\r\nSet-Cookie: taken=1",
    # Encoded once more than the form encodes it: harmless to a browser, but a page that
    # passes the value on (a login link's ?next=) decodes it once more.
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "https%3A%2F%2Fevil.example",
]


@pytest.mark.parametrize("next_url", FOREIGN)
def test_safe_next_refuses_another_site_however_it_is_spelt(next_url):
    request = RequestFactory().post("/", {"next": next_url})
    assert safe_next(request, "/fallback/") == "/fallback/"


@pytest.mark.parametrize(
    "next_url",
    ["/events/mine/", "/events/mine/?when=past#top", "/", "/members/?q=%E6%A0%AA", "mine/"],
)
def test_safe_next_honours_a_page_of_this_site(next_url):
    request = RequestFactory().post("/", {"next": next_url})
    assert safe_next(request, "/fallback/") == next_url


def test_safe_next_reads_the_query_string_when_the_form_has_none():
    request = RequestFactory().get("/", {"next": "/events/mine/"})
    assert safe_next(request, "/fallback/") == "/events/mine/"
    request = RequestFactory().get("/", {"next": "//evil.example"})
    assert safe_next(request, "/fallback/") == "/fallback/"


def test_safe_next_over_https_refuses_a_plain_http_link_to_this_site():
    request = RequestFactory().post("/", {"next": "http://testserver/events/"}, secure=True)
    assert safe_next(request, "/fallback/") == "/fallback/"
    request = RequestFactory().post("/", {"next": "https://testserver/events/"}, secure=True)
    assert safe_next(request, "/fallback/") == "https://testserver/events/"


# --- The views that honour ``next`` -------------------------------------------------------------


@pytest.fixture
def registration(people, study_group):
    meeting = MeetingFactory(study_group=study_group)
    return RegistrationFactory(meeting=meeting, person=people["member_a"].person)


@pytest.mark.parametrize("next_url", [*FOREIGN, ""])
def test_cancelling_a_registration_never_redirects_to_another_site(
    client_as, registration, next_url
):
    response = client_as("member_a").post(
        reverse("events:registration_cancel", args=[registration.pk]), {"next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == registration.meeting.get_absolute_url()


def test_cancelling_a_registration_returns_to_the_page_it_was_asked_from(client_as, registration):
    response = client_as("member_a").post(
        reverse("events:registration_cancel", args=[registration.pk]),
        {"next": reverse("events:my_meetings")},
    )
    assert response["Location"] == reverse("events:my_meetings")


@pytest.mark.parametrize("next_url", [*FOREIGN, ""])
def test_confirming_an_organisation_never_redirects_to_another_site(client_as, next_url):
    organisation = OrganisationFactory(is_confirmed=False)
    response = client_as("staff").post(
        reverse("members:organisation_confirm", args=[organisation.pk]), {"next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:organisation_detail", args=[organisation.pk])


def test_confirming_an_organisation_returns_to_the_queue(client_as):
    organisation = OrganisationFactory(is_confirmed=False)
    queue = reverse("members:joinrequest_queue")
    response = client_as("staff").post(
        reverse("members:organisation_confirm", args=[organisation.pk]), {"next": queue}
    )
    assert response["Location"] == queue
