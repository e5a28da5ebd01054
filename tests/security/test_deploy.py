"""Deployment checks: ``check --deploy`` is clean with production settings, HSTS preloading is
only on when configured, every response carries the security headers (Permissions-Policy too),
pages satisfy the Content-Security-Policy (no inline scripts), the Django
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
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _production_environment(tmp_path, **extra: str) -> dict[str, str]:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SECURE_", "DEBUG", "KYOSO_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="consortium.settings",
        DEBUG="false",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ALLOWED_HOSTS="kyoso.city.example.jp",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **extra,
    )
    return environment


def _manage(environment: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    output = _manage(
        _production_environment(tmp_path), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output


HSTS_SETTINGS = (
    "from django.conf import settings as s; "
    "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
    "'security.W021' in s.SILENCED_SYSTEM_CHECKS)"
)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        # Preloading is a commitment of the whole domain: off unless the deployment says so.
        ({}, "31536000 True False True"),
        ({"SECURE_HSTS_PRELOAD": "true"}, "31536000 True True False"),
        ({"SECURE_HSTS_INCLUDE_SUBDOMAINS": "false"}, "31536000 False False True"),
    ],
)
def test_hsts_preload_and_subdomains_come_from_the_environment(tmp_path, extra, expected):
    environment = _production_environment(tmp_path, **extra)
    output = _manage(environment, "shell", "-v", "0", "-c", HSTS_SETTINGS)
    assert output.strip().splitlines()[-1] == expected


def test_check_deploy_stays_clean_with_preloading_turned_on(tmp_path):
    """Turned on, preloading is checked by Django unsilenced (it needs subdomains too)."""
    environment = _production_environment(
        tmp_path, SECURE_HSTS_PRELOAD="true", SECURE_HSTS_INCLUDE_SUBDOMAINS="true"
    )
    output = _manage(environment, "check", "--deploy", "--fail-level", "WARNING")
    assert "System check identified no issues" in output


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/projects/public/", "/accounts/login/"])
def test_responses_carry_the_security_headers(client, path, settings):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy or response["X-Frame-Options"] == "DENY"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Permissions-Policy"] == settings.KYOSO_PERMISSIONS_POLICY
    features = dict(item.strip().split("=") for item in response["Permissions-Policy"].split(","))
    assert features["camera"] == "(self)"  # scanning tickets at the door, on the site only
    assert features["microphone"] == features["geolocation"] == features["payment"] == "()"


@pytest.mark.django_db
def test_permissions_policy_comes_from_the_settings(client, settings):
    settings.KYOSO_PERMISSIONS_POLICY = "camera=()"
    assert client.get("/")["Permissions-Policy"] == "camera=()"


@pytest.mark.django_db
def test_error_pages_carry_the_permissions_policy_too(client):
    assert "Permissions-Policy" in client.get("/no-such-page/")
    assert "Permissions-Policy" in client.get("/?q=%00")  # the 400 of a NUL byte


# --- Production static files ------------------------------------------------------------------
# With DEBUG off the storage is the manifest one: a {% static %} name or a CSS/JS reference
# (``//# sourceMappingURL=``) to a file that is not there fails collectstatic, or the page (500).

STATIC_TAG = re.compile(r"""{%\s*static\s+["']([^"']+)["']""")


def test_every_static_reference_in_the_templates_names_a_file():
    references = [
        (template.relative_to(ROOT), name)
        for template in sorted((ROOT / "templates").rglob("*.html"))
        for name in STATIC_TAG.findall(template.read_text(encoding="utf-8"))
    ]
    assert len(references) >= 5  # the pattern still matches how templates are written
    assert [ref for ref in references if finders.find(ref[1]) is None] == []


def test_vendored_files_name_no_source_map_that_is_not_shipped():
    for path in sorted((ROOT / "static").rglob("*.[jc]s*")):
        for name in re.findall(r"sourceMappingURL=(\S+)", path.read_text(errors="replace")):
            assert (path.parent / name).exists(), f"{path.relative_to(ROOT)} names {name}"


def test_pages_render_from_the_manifest_of_collectstatic(tmp_path, settings, client_as):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    for role, url_name in (("anonymous", "home"), ("staff", "reports:dashboard")):
        response = client_as(role).get(reverse(url_name))
        assert response.status_code == 200
        names = re.findall(r'/static/([^"?#]+)', response.content.decode())
        assert names and all(re.search(r"\.[0-9a-f]{12}\.", name) for name in names)
        assert all((settings.STATIC_ROOT / name).is_file() for name in names)
    assert "vendor/chart.umd.min.js" in (settings.STATIC_ROOT / "staticfiles.json").read_text()


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
