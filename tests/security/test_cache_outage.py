"""Signing in, signing up, resetting a password, confirming an e-mail and the pages keep working
while Redis is down: allauth's rate limits and the fragment cache live in Django's cache, and
``consortium.cache.TolerantRedisCache`` answers as an empty cache while Redis cannot be reached.

The dead Redis is a closed port on this machine (127.0.0.1:1): every connection is refused at
once, as when the Redis server has stopped.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from consortium.cache import TolerantRedisCache
from tests.factories import OrganisationFactory, StudyGroupFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DEAD_REDIS = "redis://127.0.0.1:1/0"
PASSWORD = "pass-kyoso-2024"
CONFIRM_LINK = re.compile(r"https?://testserver(/accounts/confirm-email/[^/\s]+/)")


def _tolerant(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "consortium.cache.TolerantRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def redis_down(settings):
    """The production cache configuration with Redis gone, and allauth's rate limits on (the
    test settings turn them off elsewhere)."""
    settings.CACHES = _tolerant(DEAD_REDIS)
    del settings.ACCOUNT_RATE_LIMITS
    with pytest.raises(RedisConnectionError):  # the outage is real, not a cache left unused
        cache._cache.get_client().ping()


def test_login_works_while_redis_is_down(redis_down, client):
    user = UserFactory(email="umi@example.jp")
    response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    assert response.status_code == 200  # the form's error, counted by the (absent) rate limit
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("events:my_meetings")).status_code != 302  # signed in


def test_sign_up_works_while_redis_is_down(redis_down, client, mailoutbox):
    OrganisationFactory(name="株式会社うみ", name_kana="ウミ")
    assert client.get(reverse("account_signup")).status_code == 200
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@marine.example.jp",
            "password1": "Umi-no-chikara-2024",
            "password2": "Umi-no-chikara-2024",
            "name": "海野 波子",
            "name_kana": "ウミノ ナミコ",
            "organisation_name": "株式会社うみ",
            "sector": "company",
            "is_local": "1",
            "address": "平塚市新町1-1",
        },
    )
    assert response.status_code == 302
    assert [m.to for m in mailoutbox].count(["new@marine.example.jp"]) == 1  # to confirm


def test_e_mail_confirmation_works_while_redis_is_down(redis_down, client, mailoutbox):
    user = UserFactory(email="umi@example.jp")
    EmailAddress.objects.filter(user=user).update(verified=False)
    # Signing in with an unconfirmed address sends the confirmation mail (rate-limited).
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    path = CONFIRM_LINK.search(mailoutbox[0].body).group(1)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert EmailAddress.objects.get(user=user).verified


def test_password_reset_works_while_redis_is_down(redis_down, client, mailoutbox):
    user = UserFactory(email="umi@example.jp")
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("anonymous", "home"),
        ("anonymous", "account_login"),
        ("anonymous", "members:studygroup_list"),
        ("staff", "members:organisation_list"),  # a fragment from the cache
        ("staff", "reports:dashboard"),  # likewise
    ],
)
def test_pages_open_while_redis_is_down(redis_down, client_as, role, url_name):
    StudyGroupFactory(name="湘南水素研究会")
    assert client_as(role).get(reverse(url_name)).status_code == 200


# --- The backend itself ------------------------------------------------------------------------


def _dead_cache() -> TolerantRedisCache:
    return TolerantRedisCache(DEAD_REDIS, {"OPTIONS": {"socket_connect_timeout": 1}})


def test_a_dead_redis_answers_as_an_empty_cache_that_forgets():
    dead = _dead_cache()
    assert dead.get("k", "default") == "default"
    assert dead.add("k", 1) is True  # nothing was there
    dead.set("k", 1)
    assert dead.get("k") is None
    assert dead.get_or_set("k", 5) == 5
    assert dead.get_many(["k", "l"]) == {}
    assert dead.set_many({"k": 1, "l": 2}) == ["k", "l"]  # Django's "not stored"
    assert dead.has_key("k") is False
    assert dead.delete("k") is False
    assert dead.touch("k") is False
    with pytest.raises(ValueError):
        dead.incr("k")  # as for any missing key
    dead.delete_many(["k"])
    assert dead.clear() is False


def test_after_a_connection_error_redis_is_left_alone_for_a_while(monkeypatch, caplog):
    dead = _dead_cache()
    attempts = []
    real_get = dead._cache.get

    def counting_get(*args):
        attempts.append(args)
        return real_get(*args)

    monkeypatch.setattr(dead._cache, "get", counting_get)
    assert dead.get("k") is None
    assert dead.get("k") is None
    assert len(attempts) == 1  # the second call did not wait on a dead server again
    assert [r.getMessage()[:24] for r in caplog.records] == ["Redis cache unavailable "]
    dead._down_until = 0.0  # RETRY_AFTER has passed
    assert dead.get("k") is None
    assert len(attempts) == 2


def test_other_redis_errors_are_not_hidden(monkeypatch):
    """Only an outage is tolerated: a wrong command is a bug and must be seen."""
    dead = _dead_cache()

    def broken(*args):
        raise TypeError("a bug")

    monkeypatch.setattr(dead._cache, "get", broken)
    with pytest.raises(TypeError):
        dead.get("k")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a running Redis (REDIS_URL)")
def test_with_redis_up_the_tolerant_cache_is_the_redis_cache():
    live = TolerantRedisCache(os.environ["REDIS_URL"], {})
    live.set("kyoso-cache-test", {"n": 1}, 30)
    assert live.get("kyoso-cache-test") == {"n": 1}
    assert live.add("kyoso-cache-test", 2) is False
    assert live.delete("kyoso-cache-test") is True


def test_the_real_settings_use_the_tolerant_cache_when_redis_url_is_set(tmp_path):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="consortium.settings",
        REDIS_URL=DEAD_REDIS,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    script = (
        "import django; django.setup()\n"
        "from django.core.cache import caches\n"
        "backend = caches['default']\n"
        "print(type(backend).__name__, backend.get('k', 'fallback'), backend.add('k', 1))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["TolerantRedisCache", "fallback", "True"]
