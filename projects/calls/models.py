"""Calls (公募), city challenges (市の課題), applications (応募), reviews (審査) and decisions.

Times are aware datetimes; the deadline is checked on the server against ``Call.closes_at``
(entered and shown in Asia/Tokyo), never against the browser's clock.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consortium.storage import private_storage
from members.models import Organisation, Sector, StudyGroup

from ..models import BilingualName, Project, validate_fiscal_year
from .querysets import ApplicationQuerySet, CallQuerySet


class SupportKind(BilingualName, models.Model):
    """A kind of support a call can offer (経費, 施設, モニター …); staff keep the list."""

    name = models.CharField(_("支援の種類"), max_length=100, unique=True)
    name_en = models.CharField(_("支援の種類（英語）"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("支援の種類")
        verbose_name_plural = _("支援の種類")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label


class CityChallenge(models.Model):
    """A challenge collected from a city department, which calls may address (市の課題)."""

    department = models.CharField(_("担当部署"), max_length=100)
    title = models.CharField(_("課題名"), max_length=200)
    description = models.TextField(_("課題の内容"), blank=True)
    contact = models.CharField(_("連絡先"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("市の課題")
        verbose_name_plural = _("市の課題")
        ordering = ["department", "title", "pk"]

    def __str__(self) -> str:
        return gettext("%(department)s：%(title)s") % {
            "department": self.department,
            "title": self.title,
        }


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    PUBLISHED = "published", _("公開中")
    CLOSED = "closed", _("締切")
    DECIDED = "decided", _("結果公表")


class Call(models.Model):
    """A public call for trial projects. Draft → published → closed → decided."""

    Status = CallStatus

    title = models.CharField(_("公募名"), max_length=200)
    purpose = models.TextField(_("目的・内容"))
    eligible_sectors = models.JSONField(
        _("応募できる区分"),
        default=list,
        blank=True,
        help_text=_("空欄の場合はすべての区分が応募できます。"),
    )
    max_amount = models.PositiveBigIntegerField(
        _("支援上限額（円）"),
        help_text=_("1件あたりの経費支援の上限。応募予算の合計はこれを超えられません。"),
    )
    support_kinds = models.ManyToManyField(
        SupportKind, verbose_name=_("支援内容"), blank=True, related_name="calls"
    )
    opens_at = models.DateTimeField(_("募集開始"))
    closes_at = models.DateTimeField(_("募集締切"))
    review_starts_at = models.DateTimeField(_("審査開始"), null=True, blank=True)
    review_ends_at = models.DateTimeField(_("審査終了"), null=True, blank=True)
    adoptions_planned = models.PositiveSmallIntegerField(_("採択予定件数"), default=1)
    study_group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("関連研究会"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    theme = models.CharField(_("テーマ・分野"), max_length=100, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(
        _("予算年度"), validators=[validate_fiscal_year], db_index=True
    )
    funder = models.ForeignKey(
        Organisation,
        verbose_name=_("支援元"),
        on_delete=models.PROTECT,
        related_name="calls_funded",
        help_text=_("採択時に作る財源の資金提供者（例: 市）。"),
    )
    number_code = models.CharField(
        _("受付番号の記号"),
        max_length=5,
        default="T",
        help_text=_("受付番号 2026-T-007 の「T」。"),
    )
    challenges = models.ManyToManyField(
        CityChallenge, verbose_name=_("対象とする市の課題"), blank=True, related_name="calls"
    )
    anonymous_review = models.BooleanField(_("応募者名を審査員に伏せる"), default=False)
    status = models.CharField(
        _("状態"), max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT
    )
    decisions_released_at = models.DateTimeField(_("結果通知日時"), null=True, blank=True)
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now, editable=False)

    objects = CallQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公募")
        verbose_name_plural = _("公募")
        ordering = ["-opens_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("募集締切は募集開始より後にしてください。")
        if (
            self.review_starts_at
            and self.review_ends_at
            and self.review_ends_at < self.review_starts_at
        ):
            errors["review_ends_at"] = _("審査終了は審査開始以降にしてください。")
        unknown = set(self.eligible_sectors or []) - set(Sector.values)
        if unknown:
            errors["eligible_sectors"] = _("区分が正しくありません。")
        if errors:
            raise ValidationError(errors)

    def is_open(self, at=None) -> bool:
        """Applications may be submitted or changed (published and within the period)."""
        at = at or timezone.now()
        return self.status == CallStatus.PUBLISHED and self.opens_at <= at < self.closes_at

    def admits_sector(self, sector: str) -> bool:
        return not self.eligible_sectors or sector in self.eligible_sectors


class ReviewCriterion(models.Model):
    call = models.ForeignKey(
        Call, verbose_name=_("公募"), on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(_("審査項目"), max_length=200)
    description = models.TextField(_("観点"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("配点の重み"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("審査項目")
        verbose_name_plural = _("審査項目")
        ordering = ["call", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    SUBMITTED = "submitted", _("提出済み")
    WITHDRAWN = "withdrawn", _("取り下げ")


class Decision(models.TextChoices):
    ADOPTED = "adopted", _("採択")
    REJECTED = "rejected", _("不採択")
    RESERVE = "reserve", _("補欠")


def application_attachment_path(instance: ApplicationAttachment, filename: str) -> str:
    return f"calls/{timezone.now():%Y/%m}/{filename}"


class Application(models.Model):
    """One organisation's proposal to a call. The number is given on first submission."""

    Status = ApplicationStatus
    Decision = Decision

    call = models.ForeignKey(
        Call, verbose_name=_("公募"), on_delete=models.PROTECT, related_name="applications"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("応募団体"),
        on_delete=models.PROTECT,
        related_name="call_applications",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sequence = models.PositiveIntegerField(_("受付連番"), null=True, blank=True, editable=False)
    number = models.CharField(_("受付番号"), max_length=30, blank=True, editable=False)
    title = models.CharField(_("提案名"), max_length=200)
    summary = models.TextField(_("提案の概要"))
    challenge = models.ForeignKey(
        CityChallenge,
        verbose_name=_("対応する市の課題"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
    )
    place = models.CharField(_("実証の場所"), max_length=200, blank=True)
    period_start = models.DateField(_("実証期間（開始）"), null=True, blank=True)
    period_end = models.DateField(_("実証期間（終了）"), null=True, blank=True)
    partners = models.ManyToManyField(
        Organisation,
        verbose_name=_("連携団体"),
        blank=True,
        related_name="call_partnerships",
        help_text=_("大学・研究機関など、実証に参画する団体。"),
    )
    requested_support = models.ManyToManyField(
        SupportKind, verbose_name=_("希望する支援"), blank=True, related_name="applications"
    )
    status = models.CharField(
        _("状態"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    decision = models.CharField(_("審査結果"), max_length=20, choices=Decision.choices, blank=True)
    decision_message = models.TextField(_("結果の通知文"), blank=True)
    decided_at = models.DateTimeField(_("決定日時"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("決定者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_sent_at = models.DateTimeField(_("結果通知日時"), null=True, blank=True)
    project = models.OneToOneField(
        Project,
        verbose_name=_("採択後の事業"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="call_application",
    )
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now)

    objects = ApplicationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("応募")
        verbose_name_plural = _("応募")
        ordering = ["call", "sequence", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "sequence"], name="application_sequence_once_per_call"
            ),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="application_period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("実証期間の終了日は開始日以降にしてください。")})


class BudgetLine(models.Model):
    """One expense line of an application's budget (yen). The total may not exceed the maximum."""

    application = models.ForeignKey(
        Application, verbose_name=_("応募"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    item = models.CharField(_("費目"), max_length=200)
    amount = models.PositiveBigIntegerField(_("金額（円）"))
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("経費の内訳")
        verbose_name_plural = _("経費の内訳")
        ordering = ["application", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.item} {self.amount}"


class ApplicationAttachment(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("応募"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(
        _("添付資料（PDF）"), upload_to=application_attachment_path, storage=private_storage
    )
    name = models.CharField(_("ファイル名"), max_length=200)
    size = models.PositiveIntegerField(_("サイズ（バイト）"), default=0)
    uploaded_at = models.DateTimeField(_("登録日時"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("添付資料")
        verbose_name_plural = _("添付資料")
        ordering = ["application", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class ReviewAssignment(models.Model):
    """A reviewer's task for one application; ``submitted_at`` is set when the scores are final."""

    application = models.ForeignKey(
        Application, verbose_name=_("応募"), on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("審査員"),
        on_delete=models.PROTECT,
        related_name="review_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("割当者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("割当日時"), default=timezone.now, editable=False)
    comment = models.TextField(_("総評"), blank=True)
    submitted_at = models.DateTimeField(_("審査提出日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("審査の割当")
        verbose_name_plural = _("審査の割当")
        ordering = ["application", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="review_assignment_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} / {self.reviewer}"


class ReviewScore(models.Model):
    assignment = models.ForeignKey(
        ReviewAssignment,
        verbose_name=_("審査の割当"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    criterion = models.ForeignKey(
        ReviewCriterion, verbose_name=_("審査項目"), on_delete=models.CASCADE, related_name="scores"
    )
    score = models.PositiveSmallIntegerField(
        _("評点"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("コメント"), blank=True)

    class Meta:
        verbose_name = _("評点")
        verbose_name_plural = _("評点")
        ordering = ["assignment", "criterion__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="review_score_once"),
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="review_score_one_to_five"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"
