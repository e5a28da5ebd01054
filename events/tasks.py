"""Celery tasks of the events app: thin wrappers, scheduled by beat (``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from . import public_registration, services


@shared_task(name="events.purge_attendance_marks")
def purge_attendance_marks() -> int:
    """Forget the client ids of old attendance-sheet marks (``services.attendance_marks_purge``)."""
    return services.attendance_marks_purge()


@shared_task(name="events.purge_public_registrations")
def purge_public_registrations() -> int:
    """Delete citizens' personal data past its time and expired unconfirmed registrations
    (``public_registration.public_registrations_purge``); the counts stay. Returns the rows
    touched."""
    purged, deleted = public_registration.public_registrations_purge()
    return purged + deleted
