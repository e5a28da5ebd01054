"""Deployment checks: ``check --deploy`` is clean with production settings, every response carries
the security headers, pages satisfy the Content-Security-Policy (no inline scripts), the Django
admin login goes through allauth, and staff can turn on TOTP two-factor sign-in."""

from __future__ import annotations

import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SECURE_", "DEBUG"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="consortium.settings",
        DEBUG="false",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ALLOWED_HOSTS="kyoso.city.example.jp",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/projects/public/", "/accounts/login/"])
def test_responses_carry_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy or response["X-Frame-Options"] == "DENY"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("anonymous", "home"),
        ("staff", "members:organisation_list"),
        ("staff", "projects:project_list"),
        ("staff", "projects:funding_import"),
        ("staff", "events:meeting_list"),
        ("staff", "events:import_upload"),
        ("admin", "reports:dashboard"),
        ("member_a", "events:calendar"),
        ("staff", "mfa_index"),
    ],
)
def test_pages_have_no_inline_scripts_or_event_handlers(client_as, role, url_name):
    html = client_as(role).get(reverse(url_name)).content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert not EVENT_HANDLER.search(html)


@pytest.mark.django_db
def test_admin_login_is_allauths_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert 'name="password"' in response.content.decode()
    # Posting to the admin's own login form does not sign anyone in past allauth.
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Optional TOTP two-factor sign-in --------------------------------------------------------


def _current_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def _password_login(client, user) -> None:
    """Sign in through allauth's form and confirm the password, as enabling 2FA asks."""
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "pass-kyoso-2024"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    # Turning 2FA on asks for the password again; confirm it as the user would.
    response = client.post(reverse("account_reauthenticate"), {"password": "pass-kyoso-2024"})
    assert response.status_code == 302


def test_two_factor_pages_open_in_the_sites_look_for_staff(client, people):
    _password_login(client, people["staff"])
    for url_name in ("mfa_index", "mfa_activate_totp"):
        response = client.get(reverse(url_name))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="site-nav"' in html and "kyoso.css" in html


def test_staff_can_activate_totp_with_a_code(client, people):
    _password_login(client, people["staff"])
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=people["staff"], type=Authenticator.Type.TOTP)


def test_user_with_totp_must_give_a_code_to_sign_in(client, people):
    user = people["staff"]
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "pass-kyoso-2024"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not signed in yet: a private page still sends to the login page.
    assert client.get(reverse("members:organisation_list")).status_code == 302
    assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("members:organisation_list")).status_code == 200
