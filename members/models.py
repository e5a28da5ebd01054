"""Partners: organisations, their people, study groups and who belongs to which."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .matching import organisation_name_key
from .querysets import (
    AffiliationRequestQuerySet,
    JoinRequestQuerySet,
    MembershipQuerySet,
    OrganisationQuerySet,
    PersonQuerySet,
    StudyGroupQuerySet,
)
from .validators import validate_corporate_number


class Sector(models.TextChoices):
    GOVERNMENT = "government", _("行政")
    UNIVERSITY = "university", _("大学・研究機関")
    COMPANY = "company", _("企業")
    FINANCIAL = "financial", _("金融機関・資金提供者")
    ASSOCIATION = "association", pgettext_lazy("sector", "団体")
    OTHER = "other", _("その他")


# Lazy labels, translated when shown: for long lists, where get_sector_display() would rebuild
# (and translate) every choice on each call.
SECTOR_LABELS = dict(Sector.choices)


class Organisation(models.Model):
    name = models.CharField(_("団体名"), max_length=200)
    name_kana = models.CharField(
        _("団体名カナ"), max_length=200, blank=True, help_text=_("一覧はカナ順に並びます。")
    )
    sector = models.CharField(_("区分"), max_length=20, choices=Sector.choices)
    is_local = models.BooleanField(
        _("市内"), default=False, help_text=_("開催市の市内に所在する場合にチェックします。")
    )
    corporate_number = models.CharField(
        _("法人番号"),
        max_length=13,
        blank=True,
        null=True,
        unique=True,
        validators=[validate_corporate_number],
        help_text=_("13桁。法人番号のない団体は空欄にします。"),
    )
    address = models.CharField(_("所在地"), max_length=300, blank=True)
    website = models.URLField(_("ウェブサイト"), blank=True)
    description = models.TextField(_("団体の紹介"), blank=True)
    contact = models.CharField(
        _("問い合わせ先"),
        max_length=300,
        blank=True,
        help_text=_("担当部署・電話番号・メールアドレスなど、公開してよい連絡先。"),
    )
    # The name as matched (NFKC, no spaces, 株式会社/(株)/㈱ dropped): sign-up and imports find an
    # organisation however its name was typed.
    name_key = models.CharField(
        _("照合用団体名"), max_length=200, default="", editable=False, db_index=True
    )
    is_confirmed = models.BooleanField(
        _("事務局確認済み"),
        default=True,
        help_text=_("利用者の登録時に新規提案された団体は、事務局が確認するまで未確認です。"),
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now, editable=False)

    objects = OrganisationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("団体")
        verbose_name_plural = _("団体")
        ordering = ["name_kana", "name"]
        indexes = [models.Index(fields=["name_kana", "name"], name="org_kana_name_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.normalise()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def normalise(self) -> None:
        """What every write stores: NULL for a blank 法人番号 (so the unique constraint ignores
        it) and the matching key of the name. ``save`` calls it; bulk writes call it first."""
        if not self.corporate_number:
            self.corporate_number = None
        self.name_key = organisation_name_key(self.name)

    @property
    def sector_bucket(self) -> str:
        """The report bucket: local/outside company split, other sectors as they are."""
        if self.sector == Sector.COMPANY:
            return "local_company" if self.is_local else "outside_company"
        return self.sector


class Person(models.Model):
    name = models.CharField(_("氏名"), max_length=100)
    name_kana = models.CharField(_("氏名カナ"), max_length=100, blank=True)
    email = models.EmailField(_("メール"), blank=True)
    # None until the secretariat approves the person's affiliation request (所属申請): a sign-up
    # never grants an organisation by itself.
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属団体"),
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
    )
    department = models.CharField(_("所属部署"), max_length=200, blank=True)
    title = models.CharField(_("役職"), max_length=100, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("利用者アカウント"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now, editable=False)

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("担当者")
        verbose_name_plural = _("担当者")
        ordering = ["name_kana", "name"]
        indexes = [models.Index(fields=["email"], name="person_email_idx")]

    def __str__(self) -> str:
        return self.name


class StudyGroup(models.Model):
    name = models.CharField(_("名称"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上位研究会"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subgroups",
        help_text=_("部会・分科会の場合に親の研究会を選びます。"),
    )
    description = models.TextField(_("概要"), blank=True)
    founded_on = models.DateField(_("発足日"), null=True, blank=True)
    applications_open = models.BooleanField(_("加入申込受付中"), default=True)
    order = models.PositiveIntegerField(_("表示順"), default=0)

    objects = StudyGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("研究会")
        verbose_name_plural = _("研究会")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="studygroup_unique_name_in_parent"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="studygroup_unique_top_level_name",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """`平塚海洋エネルギー研究会/第2部会` for a subcommittee, the name for a top-level group."""
        parent = self.parent  # None without a query for a top-level group
        return self.join_names(self.name, parent.name if parent is not None else None)

    @staticmethod
    def join_names(name: str, parent_name: str | None) -> str:
        """``full_name`` from names read as tuples (``values_list``) instead of instances."""
        return f"{parent_name}/{name}" if parent_name is not None else name

    def clean(self) -> None:
        parent = self.parent
        if parent is not None and parent.parent_id:
            raise ValidationError({"parent": _("部会の下に部会は作れません（2階層まで）。")})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("自分自身を上位研究会にはできません。")})


class Membership(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("会長・座長")
        SECRETARIAT = "secretariat", _("事務局")
        MEMBER = "member", _("会員")
        OBSERVER = "observer", _("オブザーバー")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("団体"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    study_group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("研究会"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("加入日"), default=timezone.localdate)
    left_on = models.DateField(_("退会日"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会員資格")
        verbose_name_plural = _("会員資格")
        ordering = ["study_group", "organisation__name_kana"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "study_group"],
                condition=Q(left_on__isnull=True),
                name="membership_one_active_per_group",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
            ),
        ]
        indexes = [models.Index(fields=["joined_on"], name="membership_joined_idx")]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.study_group}"

    @property
    def is_active(self) -> bool:
        return self.left_on is None or self.left_on > timezone.localdate()

    def clean(self) -> None:
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": _("退会日は加入日より後にしてください。")})


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("審査中")
        APPROVED = "approved", _("承認")
        REJECTED = "rejected", _("却下")
        WITHDRAWN = "withdrawn", _("取り下げ")

    applicant = models.ForeignKey(
        Person, verbose_name=_("申込者"), on_delete=models.PROTECT, related_name="join_requests"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("団体"),
        on_delete=models.PROTECT,
        related_name="join_requests",
    )
    study_group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("研究会"),
        on_delete=models.PROTECT,
        related_name="join_requests",
    )
    message = models.TextField(_("申込メッセージ"), blank=True)
    status = models.CharField(
        _("状態"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("申込日時"), default=timezone.now, editable=False)
    decided_at = models.DateTimeField(_("審査日時"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("審査者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("理由"), blank=True)
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("作成された会員資格"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("加入申込")
        verbose_name_plural = _("加入申込")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "study_group"],
                condition=Q(status="pending"),
                name="joinrequest_one_pending_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.study_group}"


class AffiliationRequest(models.Model):
    """A person asks to be recognised as part of an organisation (所属申請).

    What the person typed at sign-up is kept as typed; ``organisation`` is the organisation the
    server matched (法人番号 exact, otherwise the normalised name), which staff may change when they
    decide. Approving it for no organisation registers the proposed one from the typed fields.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("審査中")
        APPROVED = "approved", _("承認")
        REJECTED = "rejected", _("却下")
        WITHDRAWN = "withdrawn", _("取り下げ")

    person = models.ForeignKey(
        Person,
        verbose_name=_("申請者"),
        on_delete=models.CASCADE,
        related_name="affiliation_requests",
    )
    organisation_name = models.CharField(_("団体名（入力どおり）"), max_length=200)
    corporate_number = models.CharField(_("法人番号（入力どおり）"), max_length=13, blank=True)
    sector = models.CharField(_("区分"), max_length=20, choices=Sector.choices)
    is_local = models.BooleanField(_("市内"), default=False)
    address = models.CharField(_("所在地"), max_length=300, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("団体"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="affiliation_requests",
    )
    status = models.CharField(
        _("状態"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("申請日時"), default=timezone.now, editable=False)
    decided_at = models.DateTimeField(_("審査日時"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("審査者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("理由"), blank=True)

    objects = AffiliationRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("所属申請")
        verbose_name_plural = _("所属申請")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="pending"),
                name="affiliation_one_pending_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.organisation or self.organisation_name}"

    @property
    def email_domain(self) -> str:
        """The applicant's e-mail domain, shown to staff next to the organisation's website."""
        email = self.person.email or ""
        return email.rpartition("@")[2].lower()


class DeletionRequest(models.Model):
    """A person asks for their account and personal data to be deleted (個人情報の削除の求め).

    Recorded for the secretariat; an administrator fulfils it by erasing the person
    (``privacy.person_erase``). The person may withdraw it while it is pending.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("受付中")
        WITHDRAWN = "withdrawn", _("取り下げ")
        ERASED = "erased", _("削除済み")

    person = models.ForeignKey(
        Person,
        verbose_name=_("申出者"),
        on_delete=models.PROTECT,
        related_name="deletion_requests",
    )
    reason = models.TextField(_("理由・連絡事項"), blank=True)
    status = models.CharField(
        _("状態"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("申出日時"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("完了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("削除の申出")
        verbose_name_plural = _("削除の申出")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="pending"),
                name="deletion_request_one_pending_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_status_display()})"


class Erasure(models.Model):
    """That a person was erased, by whom and when — never what was erased.

    The Person row itself stays (with placeholders) so that attendance already reported keeps
    counting; this row is what tells the two apart.
    """

    person = models.OneToOneField(
        Person, verbose_name=_("利用者"), on_delete=models.PROTECT, related_name="erasure"
    )
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("削除した管理者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    erased_at = models.DateTimeField(_("削除日時"), default=timezone.now, editable=False)
    request = models.OneToOneField(
        DeletionRequest,
        verbose_name=_("削除の申出"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="erasure",
    )

    class Meta:
        verbose_name = _("個人情報の削除記録")
        verbose_name_plural = _("個人情報の削除記録")
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"#{self.person_id} {self.erased_at:%Y-%m-%d}"
