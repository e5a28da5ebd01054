"""Test settings: only what tests truly need differently from the environment-driven settings."""

from .settings import *  # noqa: F403
from .settings import BASE_DIR, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".test-media"
# Rate limits make mail counts flaky across tests (allauth #3893); one test turns them back on.
ACCOUNT_RATE_LIMITS = False
SECURE_SSL_REDIRECT = False
# Tests sign staff in without a second factor; tests/security/test_mfa.py turns the rule on.
KYOSO_REQUIRE_MFA = False
