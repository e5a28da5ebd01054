"""Catalogue entries of member organisations, their categories and images.

Draft → submitted → published → archived; staff send a submitted entry back to draft with a
reason. Only the entry's organisation and staff edit it; every change is kept (history).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consortium.storage import private_storage
from consortium.text import search_key
from members.models import Organisation, StudyGroup

from ..models import BilingualName, Project
from .querysets import EntryQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Category(BilingualName, models.Model):
    """A field of the taxonomy the secretariat keeps (エネルギー, 水, 大気 …)."""

    name = models.CharField(_("分野"), max_length=100, unique=True)
    name_en = models.CharField(_("分野（英語）"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("技術分野")
        verbose_name_plural = _("技術分野")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label


class EntryKind(models.TextChoices):
    TECHNOLOGY = "technology", _("技術")
    PRODUCT = "product", _("製品")
    SERVICE = "service", _("サービス")


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    SUBMITTED = "submitted", _("審査待ち")
    PUBLISHED = "published", _("公開中")
    ARCHIVED = "archived", _("公開終了")


def brochure_path(instance: Entry, filename: str) -> str:
    return f"catalogue/{timezone.now():%Y/%m}/{filename}"


def image_path(instance: EntryImage, filename: str) -> str:
    return f"catalogue/images/{timezone.now():%Y/%m}/{filename}"


class Entry(models.Model):
    """One technology, product or service of one organisation."""

    Kind = EntryKind
    Status = EntryStatus

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("団体"),
        on_delete=models.PROTECT,
        related_name="catalogue_entries",
    )
    kind = models.CharField(_("種類"), max_length=20, choices=EntryKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    title_kana = models.CharField(_("名称カナ"), max_length=200, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("分野"), on_delete=models.PROTECT, related_name="entries"
    )
    summary = models.CharField(_("概要"), max_length=300)
    details = models.TextField(_("詳細"), blank=True)
    keywords = models.CharField(
        _("キーワード"), max_length=300, blank=True, help_text=_("読点またはスペースで区切ります。")
    )
    contact = models.CharField(_("問い合わせ先"), max_length=300, blank=True)
    url = models.URLField(_("リンク"), blank=True)
    brochure = models.FileField(
        _("パンフレット（PDF）"),
        upload_to=brochure_path,
        storage=private_storage,
        blank=True,
        help_text=_("公開後は誰でもダウンロードできます。"),
    )
    study_groups = models.ManyToManyField(
        StudyGroup, verbose_name=_("関連研究会"), blank=True, related_name="catalogue_entries"
    )
    projects = models.ManyToManyField(
        Project, verbose_name=_("関連事業"), blank=True, related_name="catalogue_entries"
    )
    status = models.CharField(
        _("状態"), max_length=20, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    returned_reason = models.TextField(_("差し戻しの理由"), blank=True)
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True)
    # The first publication, kept through later edits and reviews: the 実績指標 count an entry
    # once, in the fiscal year it first joined the catalogue (新規掲載).
    first_published_at = models.DateTimeField(
        _("初回公開日時"), null=True, blank=True, editable=False
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("確認者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now)
    # What the search box is compared with (consortium.text.search_key), filled on save.
    search_text = models.TextField(_("検索用テキスト"), blank=True, editable=False)

    objects = EntryQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text"])
    _history_user: User | None  # who makes the change: set by services, read by the history

    class Meta:
        verbose_name = _("技術・製品")
        verbose_name_plural = _("技術・製品")
        ordering = ["title_kana", "title", "pk"]
        indexes = [models.Index(fields=["status", "category"], name="catalogue_status_cat_idx")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        parts = [
            self.title,
            self.title_kana,
            self.summary,
            self.details,
            self.keywords,
            self.organisation.name if self.organisation_id else "",
            self.organisation.name_kana if self.organisation_id else "",
        ]
        return search_key(" ".join(p for p in parts if p))


class EntryImage(models.Model):
    """A picture of an entry, stored resized (Pillow) as JPEG or PNG."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("技術・製品"), on_delete=models.CASCADE, related_name="images"
    )
    image = models.FileField(_("画像"), upload_to=image_path, storage=private_storage)
    alt = models.CharField(
        _("代替テキスト"), max_length=200, help_text=_("画像の内容を短く説明します（読み上げ用）。")
    )
    width = models.PositiveIntegerField(_("幅"), default=0)
    height = models.PositiveIntegerField(_("高さ"), default=0)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("画像")
        verbose_name_plural = _("画像")
        ordering = ["entry", "order", "pk"]

    def __str__(self) -> str:
        return self.alt


class Award(BilingualName, models.Model):
    """A brand or certification the city grants to members' technologies and products
    (川崎ものづくりブランド, 低CO2川崎ブランド), or a prize within one (its 大賞: ``parent``)."""

    name = models.CharField(_("認定・ブランド名"), max_length=100, unique=True)
    name_en = models.CharField(_("認定・ブランド名（英語）"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上位の認定"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("大賞など、ある認定の中の賞のときに選びます。"),
    )
    description = models.TextField(_("説明"), blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    history = HistoricalRecords()
    _history_user: User | None  # who makes the change: set by services, read by the history

    class Meta:
        verbose_name = _("認定・ブランド")
        verbose_name_plural = _("認定・ブランド")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label


class AwardGrant(models.Model):
    """An award granted to a catalogue entry in a fiscal year (認定年度); once per entry."""

    award = models.ForeignKey(
        Award, verbose_name=_("認定・ブランド"), on_delete=models.PROTECT, related_name="grants"
    )
    entry = models.ForeignKey(
        Entry, verbose_name=_("技術・製品"), on_delete=models.PROTECT, related_name="awards"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("認定年度"))
    note = models.CharField(_("備考"), max_length=200, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now, editable=False)

    history = HistoricalRecords()
    _history_user: User | None  # who makes the change: set by services, read by the history

    class Meta:
        verbose_name = _("認定の付与")
        verbose_name_plural = _("認定の付与")
        ordering = ["-fiscal_year", "award__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["award", "entry"], name="award_once_per_entry"),
        ]
        indexes = [models.Index(fields=["fiscal_year", "award"], name="award_grant_year_idx")]

    def __str__(self) -> str:
        return f"{self.award} ({self.fiscal_year})"
