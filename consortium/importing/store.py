"""The one store for spreadsheets waiting for their import to be confirmed (``PendingUpload``).

Every import that previews before it writes (attendance sheets and funding on the staff pages,
the roster and funding in the Django admin) holds its file here: in private storage, under an
unguessable token, for the person who sent it. A held file expires after
``KYOSO_PENDING_UPLOAD_HOURS`` (it can no longer be confirmed, and the beat sweep deletes it); it
is deleted at once when its import is applied or cancelled. ``claim`` marks it applied for exactly
one request, inside the transaction of the import's writes.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.storage import private_storage

if TYPE_CHECKING:
    from consortium.models import PendingUpload

# Folders where earlier versions of the imports left their files; the sweep empties them too.
LEGACY_FOLDERS = ("pending-imports", "events/imports")


def lifetime() -> dt.timedelta:
    """How long a held file can be confirmed."""
    return dt.timedelta(hours=settings.KYOSO_PENDING_UPLOAD_HOURS)


def hold(
    *, purpose: str, name: str, data: bytes, user: Any = None, encoding: str = ""
) -> PendingUpload:
    """Keep an uploaded spreadsheet in private storage until its import is confirmed."""
    from consortium.models import PendingUpload

    token = secrets.token_urlsafe(24)
    extension = Path(name).suffix.lower()[:10]
    upload = PendingUpload(
        token=token, purpose=purpose, name=name[:255], encoding=encoding or "", uploaded_by=user
    )
    upload.file.save(f"pending-imports/{token}{extension}", ContentFile(data), save=False)
    upload.save()
    return upload


def find(*, token: str, purpose: str, user: Any = None) -> PendingUpload | None:
    """The upload behind ``token`` if ``user`` (when given) uploaded it and it has not expired
    unconfirmed, else None. An applied one is found (a second confirm is told where it went)."""
    from consortium.models import PendingUpload

    uploads = PendingUpload.objects.filter(token=token, purpose=purpose)
    if user is not None:
        uploads = uploads.filter(uploaded_by=user)
    upload = uploads.first()
    expired = upload is not None and upload.created_at < timezone.now() - lifetime()
    if expired and upload is not None and upload.applied_at is None:
        return None
    return upload


def read(upload: PendingUpload) -> bytes | None:
    """The held file's bytes, or None when it is gone (applied, cancelled or swept)."""
    if not upload.file or not upload.file.storage.exists(upload.file.name):
        return None
    with upload.file.storage.open(upload.file.name, "rb") as handle:
        data: bytes = handle.read()
    return data


def claim(*, upload: PendingUpload, result_url: str = "") -> bool:
    """Mark ``upload`` applied, if no other request has: True for exactly one caller.

    Call inside the transaction that applies the import: the conditional UPDATE takes the row
    lock, so a concurrent second confirm waits, then finds it applied (and if the import fails,
    the claim is rolled back with it). The file is deleted once the transaction commits.
    """
    from consortium.models import PendingUpload

    now = timezone.now()
    won = PendingUpload.objects.filter(pk=upload.pk, applied_at__isnull=True).update(
        applied_at=now, result_url=result_url
    )
    if not won:
        return False
    upload.applied_at, upload.result_url = now, result_url
    name = upload.file.name
    if name:
        transaction.on_commit(lambda: delete_file(name))
    return True


def set_result(*, upload: PendingUpload, result_url: str) -> None:
    """Where a second confirm should send the person: the rows this import wrote."""
    upload.result_url = result_url
    upload.save(update_fields=["result_url"])


def discard(*, upload: PendingUpload) -> None:
    """Cancelled: the file and its record go now."""
    if upload.file.name:
        delete_file(upload.file.name)
    upload.delete()


def delete_file(name: str) -> None:
    if private_storage.exists(name):
        private_storage.delete(name)


def sweep(*, older_than: dt.timedelta | None = None) -> int:
    """Delete files held for imports that were never confirmed nor cancelled, and the records
    of imports older than ``older_than`` (default ``KYOSO_PENDING_UPLOAD_HOURS``).

    Files in the pending folders that no record names (left by a crash) go by their age.
    Returns the number of files deleted.
    """
    from consortium.models import PendingUpload

    cutoff = timezone.now() - (older_than if older_than is not None else lifetime())
    deleted = 0
    old = PendingUpload.objects.filter(created_at__lt=cutoff)
    for name in old.exclude(file="").values_list("file", flat=True):
        if private_storage.exists(name):
            private_storage.delete(name)
            deleted += 1
    old.delete()
    known = set(PendingUpload.objects.exclude(file="").values_list("file", flat=True))
    for folder in LEGACY_FOLDERS:
        deleted += _sweep_folder(folder, known, cutoff)
    return deleted


def _sweep_folder(folder: str, known: set[str], cutoff: dt.datetime) -> int:
    if not private_storage.exists(folder):
        return 0
    deleted = 0
    for filename in private_storage.listdir(folder)[1]:
        name = f"{folder}/{filename}"
        if name not in known and private_storage.get_modified_time(name) < cutoff:
            private_storage.delete(name)
            deleted += 1
    return deleted


def already_imported(request: HttpRequest, upload: PendingUpload) -> HttpResponseRedirect:
    """A second confirm of an applied import: say so, and go to what it wrote."""
    applied = upload.applied_at or timezone.now()
    messages.info(
        request,
        _("このファイルは %(when)s に取り込み済みです。二重には取り込みません。")
        % {"when": timezone.localtime(applied).strftime("%Y-%m-%d %H:%M")},
    )
    return HttpResponseRedirect(upload.result_url or reverse("home"))
