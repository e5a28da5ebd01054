"""Celery tasks of the members app: thin wrappers, scheduled by beat (``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(name="members.purge_expired_sessions")
def purge_expired_sessions() -> None:
    """Delete expired sessions (what ``clearsessions`` does): a session row keeps the user id
    after its end, and nobody should keep that longer than the session lived."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
