"""Projects: what the consortium does, through its phases, money, agreements and outcomes."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consortium.fiscal import current_fiscal_year, fiscal_year_of
from consortium.storage import private_storage
from members.models import Organisation, StudyGroup

from .querysets import AgreementQuerySet, FundingQuerySet, ProjectQuerySet

# Fiscal years before 平成 or far in the future are typing mistakes, not plans.
FIRST_FISCAL_YEAR = 1989
FISCAL_YEARS_AHEAD = 5


def validate_fiscal_year(value: int) -> None:
    last = current_fiscal_year() + FISCAL_YEARS_AHEAD
    if value is not None and not FIRST_FISCAL_YEAR <= value <= last:
        raise ValidationError(
            _("年度は%(first)s〜%(last)sの範囲で入力してください。"),
            code="fiscal_year_range",
            params={"first": FIRST_FISCAL_YEAR, "last": last},
        )


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

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("事業")
        verbose_name_plural = _("事業")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BilingualName:
    """A name staff keep in Japanese and, optionally, English: ``label`` (and ``str()``) is the
    English one on English pages when there is one."""

    name: str
    name_en: str

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name_en and (get_language() or "ja").startswith("en"):
            return self.name_en
        return self.name


class Phase(BilingualName, models.Model):
    """A stage a project goes through; the three defaults come from a data migration."""

    name = models.CharField(_("段階名"), max_length=50, unique=True)
    name_en = models.CharField(
        _("段階名（英語）"), max_length=50, blank=True, help_text=_("英語表示で使います。")
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    is_default = models.BooleanField(_("標準の段階"), default=False, editable=False)

    class Meta:
        verbose_name = _("段階")
        verbose_name_plural = _("段階")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label


class PhaseTransition(models.Model):
    """A project entered ``phase`` on ``started_on``. Rows are only ever added, never changed."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("事業"),
        on_delete=models.CASCADE,
        related_name="phase_transitions",
    )
    phase = models.ForeignKey(
        Phase, verbose_name=_("段階"), on_delete=models.PROTECT, related_name="transitions"
    )
    started_on = models.DateField(_("開始日"))
    note = models.TextField(_("メモ"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("段階の移行")
        verbose_name_plural = _("段階の移行")
        ordering = ["project", "started_on", "recorded_at", "pk"]
        indexes = [models.Index(fields=["project", "started_on"], name="phase_tr_project_start")]

    def __str__(self) -> str:
        return f"{self.project} → {self.phase} ({self.started_on})"

    @property
    def fiscal_year(self) -> int:
        return fiscal_year_of(self.started_on)


class FundingKind(models.TextChoices):
    GRANT = "grant", _("交付金・補助金")
    COMMISSIONED = "commissioned", _("委託")
    JOINT_RESEARCH = "joint_research", _("共同研究費")
    DONATION = "donation", _("寄附（企業版ふるさと納税など）")
    OWN_BUDGET = "own_budget", _("自主財源")


class FundingStatus(models.TextChoices):
    APPLIED = "applied", _("申請中")
    ADOPTED = "adopted", _("採択")
    RECEIVED = "received", _("受領")
    ENDED = "ended", _("終了")


class Funding(models.Model):
    """One source's money for one project in one fiscal year (amount in yen, may be unknown)."""

    Kind = FundingKind
    Status = FundingStatus

    project = models.ForeignKey(
        Project, verbose_name=_("事業"), on_delete=models.CASCADE, related_name="fundings"
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("年度"), db_index=True, validators=[validate_fiscal_year]
    )
    funder = models.ForeignKey(
        Organisation,
        verbose_name=_("資金提供者"),
        on_delete=models.PROTECT,
        related_name="fundings_given",
    )
    scheme = models.CharField(
        _("制度・事業名"), max_length=200, help_text=_("例: 地方創生推進交付金")
    )
    kind = models.CharField(_("財源の種類"), max_length=20, choices=FundingKind.choices)
    amount = models.PositiveBigIntegerField(
        _("金額（円）"), null=True, blank=True, help_text=_("不明な場合は空欄にします。")
    )
    status = models.CharField(
        _("状態"), max_length=20, choices=FundingStatus.choices, default=FundingStatus.ADOPTED
    )
    note = models.TextField(_("メモ"), blank=True)

    objects = FundingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("財源")
        verbose_name_plural = _("財源")
        ordering = ["project", "fiscal_year", "funder__name_kana", "scheme"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "fiscal_year", "funder", "scheme"],
                name="funding_one_row_per_source_and_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.fiscal_year} {self.funder} {self.scheme}"


class OutcomeKind(models.TextChoices):
    PATENT = "patent", _("特許申請")
    BUSINESS_DEAL = "business_deal", _("新規取引")
    DERIVED_PROPOSAL = "derived_proposal", _("派生提案")
    DERIVED_EXPERIMENT = "derived_experiment", _("派生実験")
    ADOPTED_CALL = "adopted_call", _("採択")
    PUBLICATION = "publication", _("論文・発表")
    MEDIA = "media", _("報道")


class Outcome(models.Model):
    Kind = OutcomeKind

    project = models.ForeignKey(
        Project, verbose_name=_("事業"), on_delete=models.CASCADE, related_name="outcomes"
    )
    kind = models.CharField(_("種類"), max_length=30, choices=OutcomeKind.choices)
    date = models.DateField(_("日付"))
    title = models.CharField(_("件名"), max_length=200)
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("関係団体"), blank=True, related_name="outcomes"
    )
    note = models.TextField(_("メモ"), blank=True)
    url = models.URLField(_("リンク"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("成果")
        verbose_name_plural = _("成果")
        ordering = ["project", "date", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def fiscal_year(self) -> int:
        return fiscal_year_of(self.date)


class AgreementKind(models.TextChoices):
    COOPERATION = "cooperation", _("連携協力協定")
    COMPREHENSIVE = "comprehensive", _("包括連携協定")
    JOINT_RESEARCH = "joint_research", _("共同研究契約")
    MOU = "mou", _("覚書・MoU")
    OTHER = "other", _("その他")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("案")
    SIGNED = "signed", _("締結済み")
    EXPIRED = "expired", _("期間満了")
    TERMINATED = "terminated", _("解約")


def agreement_document_path(instance: Agreement, filename: str) -> str:
    return f"agreements/{timezone.now():%Y/%m}/{filename}"


class Agreement(models.Model):
    Kind = AgreementKind
    Status = AgreementStatus

    title = models.CharField(_("協定名"), max_length=300)
    kind = models.CharField(_("種類"), max_length=20, choices=AgreementKind.choices)
    status = models.CharField(
        _("状態"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    signed_on = models.DateField(_("締結日"), null=True, blank=True)
    term_start = models.DateField(_("有効期間（開始）"), null=True, blank=True)
    term_end = models.DateField(
        _("有効期間（終了）"), null=True, blank=True, help_text=_("定めがない場合は空欄。")
    )
    auto_renew = models.BooleanField(_("自動更新"), default=False)
    summary = models.TextField(_("概要"), blank=True)
    document = models.FileField(
        _("締結文書（PDF）"),
        upload_to=agreement_document_path,
        storage=private_storage,
        blank=True,
        help_text=_("事務局と当事者の団体の会員だけが閲覧できます。"),
    )
    projects = models.ManyToManyField(
        Project, verbose_name=_("関連事業"), blank=True, related_name="agreements"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now, editable=False)

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("協定")
        verbose_name_plural = _("協定")
        ordering = ["-signed_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gte=models.F("term_start")),
                name="agreement_term_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.term_start and self.term_end and self.term_end < self.term_start:
            errors["term_end"] = _("有効期間の終了日は開始日以降にしてください。")
        if self.status == AgreementStatus.SIGNED and not self.signed_on:
            errors["signed_on"] = _("締結済みの協定には締結日を入れてください。")
        if errors:
            raise ValidationError(errors)


class AgreementParty(models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("協定"), on_delete=models.CASCADE, related_name="parties"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("団体"),
        on_delete=models.PROTECT,
        related_name="agreement_parties",
    )
    role = models.CharField(
        _("立場"), max_length=30, blank=True, help_text=_("例: 甲、乙、丙、立会人")
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("協定の当事者")
        verbose_name_plural = _("協定の当事者")
        ordering = ["agreement", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"], name="agreement_party_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.organisation}".strip()


class AgreementArticle(models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("協定"), on_delete=models.CASCADE, related_name="articles"
    )
    number = models.PositiveSmallIntegerField(_("条番号"))
    title = models.CharField(_("見出し"), max_length=200, blank=True)
    text = models.TextField(_("本文"))

    class Meta:
        verbose_name = _("条文")
        verbose_name_plural = _("条文")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_article_once")
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.title}".strip()

    @property
    def label(self) -> str:
        return gettext("第%(number)s条") % {"number": self.number}


# 公募 lives in its own package; importing it here registers its models with the projects app.
from .calls.models import (  # noqa: E402, F401
    Application,
    ApplicationAttachment,
    BudgetLine,
    Call,
    CityChallenge,
    ReviewAssignment,
    ReviewCriterion,
    ReviewScore,
    SupportKind,
)
from .catalogue.models import Award, AwardGrant, Category, Entry, EntryImage  # noqa: E402, F401
