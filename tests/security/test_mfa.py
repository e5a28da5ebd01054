"""Administrators and secretariat staff use a second factor (TOTP) when ``KYOSO_REQUIRE_MFA`` is on
(the default when DEBUG is off): until they activate one, every page but the MFA set-up and
sign-out pages sends them to the TOTP activation page — the Django admin included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    "/",
    "/admin/",
    "/admin/members/person/",
    "/admin/members/organisation/export/",
    "/organisations/",
    "/reports/",
]


@pytest.fixture
def mfa_on(settings):
    settings.KYOSO_REQUIRE_MFA = True


def _activation():
    return reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", ["staff", "admin"])
@pytest.mark.parametrize("path", PAGES)
def test_staff_and_administrators_without_totp_are_sent_to_activate_it(
    mfa_on, client_as, role, path
):
    client = client_as(role)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == _activation()
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["warning"]


def test_a_post_to_the_admin_is_refused_too(mfa_on, client_as):
    response = client_as("admin").post(
        "/admin/members/organisation/export/", {"format": "0", "resource": "0"}
    )

    assert response.status_code == 302
    assert response["Location"] == _activation()


def test_secretariat_without_admin_access_is_asked_too(mfa_on, client):
    client.force_login(UserFactory(groups=["secretariat"], is_staff=False))

    assert client.get("/organisations/")["Location"] == _activation()


def test_htmx_requests_are_sent_to_the_activation_page_as_a_whole(mfa_on, client_as):
    response = client_as("staff").get("/organisations/", HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"] == _activation()


def test_the_mfa_pages_and_sign_out_stay_open(mfa_on, client_as):
    client = client_as("staff")

    assert client.get(reverse("mfa_index")).status_code == 200
    # Activating asks for the password again first: that page opens too.
    assert client.get(_activation())["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(reverse("account_reauthenticate")).status_code == 200
    assert client.get(reverse("account_logout")).status_code == 200
    assert client.get("/static/css/kyoso.css").get("Location") != _activation()


def test_members_are_not_asked(mfa_on, client_as):
    assert client_as("member_a").get("/study-groups/").status_code == 200


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_pages_open_once_totp_is_activated(mfa_on, client_as, people, role):
    TOTP.activate(people[role], generate_totp_secret())
    client = client_as(role)

    for path in ("/", "/admin/", "/admin/members/person/", "/organisations/"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_with_the_setting_off_staff_go_anywhere_without_totp(settings, client_as, role):
    settings.KYOSO_REQUIRE_MFA = False
    client = client_as(role)

    for path in ("/", "/admin/", "/admin/members/person/", "/organisations/"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(
    ("environment", "required"),
    [
        ({"DEBUG": "true"}, False),
        ({"DEBUG": "false", "SECRET_KEY": "x" * 50}, True),
        ({"DEBUG": "false", "SECRET_KEY": "x" * 50, "KYOSO_REQUIRE_MFA": "false"}, False),
        ({"DEBUG": "true", "KYOSO_REQUIRE_MFA": "true"}, True),
    ],
)
def test_mfa_is_required_by_default_only_when_debug_is_off(environment, required):
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DEBUG", "KYOSO_REQUIRE_MFA"))
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.KYOSO_REQUIRE_MFA)",
        ],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "consortium.settings", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(required)


def test_the_message_says_why_in_english_too(mfa_on, client_as):
    client = client_as("admin")
    client.cookies["django_language"] = "en"

    response = client.get("/", follow=True)

    assert response.redirect_chain[0][0] == _activation()
    assert "need two-factor authentication" in response.content.decode()
