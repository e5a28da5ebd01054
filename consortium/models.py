"""The few records the project package keeps for every app: files waiting for an import."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .storage import private_storage


class PendingUpload(models.Model):
    """A spreadsheet held between an import's preview and its confirmation.

    The file (attendees' names and e-mails) lives in private storage only while it waits: it is
    deleted when the import is applied or cancelled, and by a beat task once it is older than
    ``KYOSO_PENDING_UPLOAD_HOURS``. ``applied_at`` is set by the one request that applies it
    (a conditional UPDATE inside the import's transaction), so a second confirm finds it applied
    and can point to ``result_url`` instead of importing again.
    """

    token = models.CharField(_("トークン"), max_length=64, unique=True)
    purpose = models.CharField(_("用途"), max_length=64)  # e.g. "events.attendance"
    file = models.FileField(_("ファイル"), storage=private_storage, max_length=255, blank=True)
    name = models.CharField(_("ファイル名"), max_length=255)
    encoding = models.CharField(_("文字コード"), max_length=20, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("アップロードした人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("アップロード日時"), default=timezone.now, db_index=True)
    applied_at = models.DateTimeField(_("取込日時"), null=True, blank=True)
    result_url = models.CharField(_("取込結果のURL"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("取込待ちファイル")
        verbose_name_plural = _("取込待ちファイル")

    def __str__(self) -> str:
        return self.name
