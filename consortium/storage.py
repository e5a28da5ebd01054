"""Private file storage: meeting materials, signed agreements and uploaded imports.

Files live outside MEDIA_ROOT, so no public URL ever serves them; they are read only through views
that check who asks (meeting materials, agreement documents).
The folder is ``KYOSO_PRIVATE_MEDIA_ROOT`` when set, else ``private-media`` next to MEDIA_ROOT.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    # Computed on every access (not cached) so tests that move MEDIA_ROOT move this too.
    @property
    def base_location(self):
        configured = getattr(settings, "KYOSO_PRIVATE_MEDIA_ROOT", None)
        return configured or str(Path(settings.MEDIA_ROOT).parent / "private-media")

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


private_storage = PrivateStorage()
