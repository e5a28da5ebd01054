"""Django for the bench modules run as scripts (``python -m bench.<module>``)."""

from __future__ import annotations

import os


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consortium.settings")
    # Shared with the gunicorn the bench starts, so the sessions it makes are valid there.
    os.environ.setdefault("SECRET_KEY", "kyoso-bench-only-not-secret")
    import django

    django.setup()
    # Roll-ups run in this process even when REDIS_URL is set: the bench times them itself.
    from consortium.celery import app

    app.conf.task_always_eager = True
