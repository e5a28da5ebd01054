"""Projects: what the consortium does, through its phases, money and outcomes."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Organisation, StudyGroup


class Project(models.Model):
    name = models.CharField(_("事業名"), max_length=200)
    theme = models.CharField(
        _("テーマ・分野"),
        max_length=100,
        blank=True,
        help_text=_("例: 波力発電、水中ロボット、AUV"),
    )
    description = models.TextField(_("概要"), blank=True)
    lead_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("代表団体"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("参画団体"), blank=True, related_name="projects"
    )
    study_groups = models.ManyToManyField(
        StudyGroup, verbose_name=_("関連研究会"), blank=True, related_name="projects"
    )
    is_public = models.BooleanField(
        _("公開"),
        default=False,
        help_text=_("公開するとアウトリーチ用の公開ページに表示されます。"),
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("事業")
        verbose_name_plural = _("事業")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
