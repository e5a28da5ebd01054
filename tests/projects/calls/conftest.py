"""Tasks run eagerly here too (adoption's roll-ups), even when REDIS_URL is set (CI)."""

from tests.reports.conftest import _eager_celery  # noqa: F401  (an autouse fixture)
