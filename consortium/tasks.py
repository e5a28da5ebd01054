"""Beat tasks of the project package (thin wrappers around ``consortium`` services)."""

from __future__ import annotations

from celery import shared_task

from .importing import store


@shared_task(name="consortium.sweep_pending_uploads")
def sweep_pending_uploads() -> int:
    """Delete import files nobody confirmed or cancelled within ``KYOSO_PENDING_UPLOAD_HOURS``."""
    return store.sweep()
