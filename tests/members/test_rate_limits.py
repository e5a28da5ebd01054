"""allauth's rate limits, checked once with a real (local-memory) cache."""

import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_repeated_password_resets_are_rate_limited(client, settings, mailoutbox):
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "2/m/ip"}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    url = reverse("account_reset_password")

    statuses = [client.post(url, {"email": f"nobody{n}@example.jp"}).status_code for n in range(3)]

    assert statuses[:2] == [302, 302]
    assert statuses[2] == 429
