"""Deployment checks: ``check --deploy`` is clean with production settings, HSTS preloading is
only on when configured, every response carries the security headers (Permissions-Policy too),
pages satisfy the Content-Security-Policy (no inline scripts), the Django
admin login goes through allauth, staff can turn on TOTP two-factor sign-in, forwarded headers are
believed only behind the trusted proxy, and the database password needs no URL quoting."""

from __future__ import annotations

import json
import os
import re
import secrets
import string
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

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
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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
    assert features["camera"] == "()"  # only the 受付 page allows it (tests/events/test_checkin)
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


# --- Behind the proxy (docker-compose.yml: Caddy in front of gunicorn) -----------------------

FORWARDED = (
    "from django.test import RequestFactory; "
    "from allauth.core.internal.httpkit import get_client_ip; "
    "r = RequestFactory().get('/', HTTP_X_FORWARDED_PROTO='https', "
    "HTTP_X_FORWARDED_FOR='203.0.113.9', REMOTE_ADDR='172.18.0.5'); "
    "print(r.is_secure(), get_client_ip(r))"
)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        # Nobody said a proxy stands in front: the headers are anybody's words.
        ({}, "False 172.18.0.5"),
        # Caddy replaces what a client sent in both headers, so one hop is believed.
        ({"KYOSO_TRUSTED_PROXY": "true"}, "True 203.0.113.9"),
    ],
)
def test_forwarded_headers_are_believed_only_from_a_trusted_proxy(tmp_path, extra, expected):
    environment = _production_environment(tmp_path, **extra)
    output = _manage(environment, "shell", "-v", "0", "-c", FORWARDED)
    assert output.strip().splitlines()[-1] == expected


@pytest.mark.django_db
def test_a_spoofed_forwarded_proto_does_not_skip_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


# --- The database password travels as it is -------------------------------------------------

DATABASE_SETTINGS = (
    "import json; from consortium import settings as s; "
    "d = s.DATABASES['default']; "
    "print(json.dumps([d['ENGINE'], d['HOST'], d['PORT'], d['NAME'], d['USER'], d['PASSWORD']]))"
)


def _database_settings(tmp_path, **parts: str) -> list[str]:
    environment = _production_environment(tmp_path)
    del environment["DATABASE_URL"]
    environment.pop("POSTGRES_PASSWORD", None)
    environment.update(parts)
    result = subprocess.run(
        [sys.executable, "-c", DATABASE_SETTINGS],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("password", ["p@ss:w/rd#1", "$ecret?a=b&c%20"])
def test_a_database_password_with_url_characters_is_taken_as_it_is(tmp_path, password):
    engine, host, port, name, user, seen = _database_settings(
        tmp_path,
        DATABASE_HOST="postgres",
        DATABASE_NAME="kyoso",
        DATABASE_USER="kyoso",
        DATABASE_PASSWORD=password,
    )
    assert (engine, host, port, name, user) == (
        "django.db.backends.postgresql",
        "postgres",
        "5432",
        "kyoso",
        "kyoso",
    )
    assert seen == password


def test_the_database_password_may_come_as_postgres_password(tmp_path):
    settings = _database_settings(tmp_path, DATABASE_HOST="db", POSTGRES_PASSWORD="p@ss:w/rd#1")
    assert settings[-1] == "p@ss:w/rd#1"


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False), ("", False)])
def test_server_side_cursors_can_be_switched_off_for_pgbouncer(tmp_path, value, expected):
    code = (
        "from consortium import settings as s; "
        "print(s.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS', False))"
    )
    environment = _production_environment(tmp_path)
    del environment["DATABASE_URL"]
    environment.update(DATABASE_HOST="pgbouncer", DATABASE_PORT="6432")
    environment["DATABASE_DISABLE_SERVER_SIDE_CURSORS"] = value
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(expected)


def test_database_url_still_wins_over_the_parts(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    settings = _database_settings(tmp_path, DATABASE_URL=url, DATABASE_HOST="postgres")
    assert settings[0] == "django.db.backends.sqlite3"


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (DATABASE_URL)",
)
def test_postgresql_accepts_the_connection_built_from_the_parts(tmp_path):
    """What failed with the password pasted into a URL: "Port could not be cast to integer"."""
    url = urlsplit(os.environ["DATABASE_URL"])
    environment = _production_environment(tmp_path)
    del environment["DATABASE_URL"]
    environment.update(
        DATABASE_HOST=url.hostname or "127.0.0.1",
        DATABASE_PORT=str(url.port or 5432),
        DATABASE_NAME="postgres",
        DATABASE_USER=url.username or "postgres",
        DATABASE_PASSWORD=url.password or "p@ss:w/rd#1",
    )
    check = "from django.db import connection; connection.ensure_connection(); print('connected')"
    assert _manage(environment, "shell", "-v", "0", "-c", check).strip().endswith("connected")


# --- Reproducible installs: the lock files follow pyproject.toml ------------------------------

LOCK_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.M)
LOCK_HASHED = re.compile(r"^[A-Za-z0-9][^\n]*==[^\n]*\\\n\s+--hash=sha256:[0-9a-f]{64}", re.M)


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text(encoding="utf-8")
    found = LOCK_PIN.findall(text)
    pins = {canonicalize_name(name): version for name, version in found}
    assert len(pins) == len(found) > 10  # one pin per package
    # Every pin carries its hashes (pip --require-hashes refuses the file otherwise).
    assert len(LOCK_HASHED.findall(text)) == len(found)
    return pins


def _requirements(*groups: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    for group in groups:
        wanted += project["optional-dependencies"][group]
    return [Requirement(line) for line in wanted]


@pytest.mark.parametrize(
    ("lock", "groups"), [("requirements.lock", ()), ("requirements-dev.lock", ("dev",))]
)
def test_the_lock_pins_every_dependency_of_pyproject_within_its_range(lock, groups):
    """A dependency added to pyproject.toml without `make lock` fails here, before an image or
    a fresh clone installs without it."""
    pins = _pins(lock)
    outside = [
        (str(requirement), pins.get(canonicalize_name(requirement.name)))
        for requirement in _requirements(*groups)
        if canonicalize_name(requirement.name) not in pins
        or pins[canonicalize_name(requirement.name)] not in requirement.specifier
    ]
    assert outside == []


def test_the_image_runs_the_versions_that_the_tests_run():
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime


# --- docker-compose.yml passes every setting on --------------------------------------------

# Compose runs its own PostgreSQL and Redis, so it gives their parts instead of these URLs.
COMPOSE_BUILDS = {"DATABASE_URL": "DATABASE_HOST", "REDIS_URL": "CELERY_BROKER_URL"}


def _readme_variables() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return [name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)]


def test_every_setting_of_the_readme_reaches_the_containers():
    """KYOSO_PREFECTURE once stayed behind: every city published 神奈川県 in its open data."""
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    app_block = compose.split("\nx-app:", 1)[1].split("\n  volumes:", 1)[0]
    passed = set(re.findall(r"^    ([A-Z][A-Z0-9_]+):", app_block, re.M))
    names = _readme_variables()
    assert {"KYOSO_PREFECTURE", "SECRET_KEY", "DATABASE_URL"} <= set(names)
    missing = [
        name
        for name in names
        if COMPOSE_BUILDS.get(name, name) not in passed and "${" + name not in compose
    ]
    assert missing == []
