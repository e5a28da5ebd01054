"""Meetings of study groups and projects, who registered, who came, and their materials."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from consortium.fiscal import fiscal_year_of
from consortium.storage import private_storage
from members.models import Organisation, Person, StudyGroup
from projects.models import Project

from .querysets import AttendanceQuerySet, MeetingQuerySet, RegistrationQuerySet

MATERIAL_KINDS = ("pdf", "xlsx", "docx", "pptx", "png", "jpeg")


def new_token() -> str:
    return secrets.token_urlsafe(24)


class MeetingKind(models.TextChoices):
    GENERAL_ASSEMBLY = "general_assembly", pgettext_lazy("meeting kind", "総会")
    SUBCOMMITTEE = "subcommittee", pgettext_lazy("meeting kind", "部会")
    SITE_VISIT = "site_visit", pgettext_lazy("meeting kind", "視察")
    EXPERIMENT = "experiment", pgettext_lazy("meeting kind", "実験")
    SYMPOSIUM = "symposium", pgettext_lazy("meeting kind", "シンポジウム")
    SEMINAR = "seminar", pgettext_lazy("meeting kind", "セミナー")
    OPEN_HOUSE = "open_house", pgettext_lazy("meeting kind", "見学会")
    EXHIBITION = "exhibition", pgettext_lazy("meeting kind", "展示会")
    OTHER = "other", pgettext_lazy("meeting kind", "その他")


# The kinds that hold exhibitors, co-hosts, speakers and a visitor count (展示会・シンポジウム).
SHOWCASE_KINDS = (MeetingKind.EXHIBITION, MeetingKind.SYMPOSIUM)


class Visibility(models.TextChoices):
    MEMBERS = "members", _("会員限定")
    PUBLIC = "public", _("一般公開")


class MeetingStatus(models.TextChoices):
    """Only held meetings count in the reports (開催回数, のべ参加者数 and the rest)."""

    SCHEDULED = "scheduled", pgettext_lazy("meeting status", "予定")
    HELD = "held", pgettext_lazy("meeting status", "開催済")
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "中止")


class Meeting(models.Model):
    Kind = MeetingKind
    Visibility = Visibility
    Status = MeetingStatus

    study_group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("研究会"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("事業"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
    )
    kind = models.CharField(_("種別"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("会議名"), max_length=200)
    title_kana = models.CharField(
        _("会議名（カナ）"),
        max_length=200,
        blank=True,
        help_text=_("オープンデータのイベント名_カナ。"),
    )
    title_en = models.CharField(_("会議名（英語）"), max_length=200, blank=True)
    date = models.DateField(_("開催日"), help_text=_("開始日時を入れると、その日付になります。"))
    starts_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    ends_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), db_index=True, editable=False)
    venue = models.CharField(
        _("会場"),
        max_length=200,
        blank=True,
        help_text=_("場所の名称（例：平塚市役所 本館 会議室）。"),
    )
    address = models.CharField(_("住所"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("緯度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("経度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    online_url = models.URLField(_("オンライン参加URL"), blank=True)
    description = models.TextField(_("概要"), blank=True)
    capacity = models.PositiveIntegerField(
        _("定員"), null=True, blank=True, help_text=_("空欄は定員なし。")
    )
    registration_opens_at = models.DateTimeField(_("申込開始"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("申込締切"), null=True, blank=True)
    visibility = models.CharField(
        _("公開範囲"), max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    minutes = models.TextField(_("議事録"), blank=True)
    unnamed_headcount = models.PositiveIntegerField(
        _("当日参加・+α"),
        default=0,
        help_text=_("名簿に記録のない当日参加者の人数。のべ参加者数に含めます。"),
    )
    visitors = models.PositiveIntegerField(
        _("来場者数"),
        null=True,
        blank=True,
        help_text=_(
            "展示会・シンポジウムの来場者の人数（受付で数えた概数）。出欠の記録とは別に数え、"
            "のべ参加者数には含めません。空欄は未集計です。"
        ),
    )
    co_hosts = models.ManyToManyField(
        Organisation,
        verbose_name=_("共催・後援"),
        blank=True,
        related_name="co_hosted_meetings",
        help_text=_("展示会・シンポジウムを共に主催する団体（例：県）。"),
    )
    status = models.CharField(
        _("開催状況"),
        max_length=10,
        choices=MeetingStatus.choices,
        default=MeetingStatus.SCHEDULED,
        editable=False,  # changed only by the services (meeting_cancel, meeting_mark_held …)
        help_text=_("開催済の会議だけが開催回数・のべ参加者数に数えられます。"),
    )
    cancelled_at = models.DateTimeField(_("中止日時"), null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("中止の登録者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    cancel_reason = models.TextField(_("中止の理由"), blank=True, editable=False)
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now, editable=False)
    # iCalendar SEQUENCE: raised by the services on every change a calendar shows.
    sequence = models.PositiveIntegerField(_("改版番号"), default=0, editable=False)
    # The secret in the door poster's QR code (self check-in); never an id.
    door_token = models.CharField(
        _("受付用トークン"), max_length=64, unique=True, default=new_token, editable=False
    )

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会議")
        verbose_name_plural = _("会議")
        ordering = ["-date", "-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["date"], name="meeting_date_idx"),
            # A study group family's meetings of one year (the incremental roll-up).
            models.Index(fields=["study_group", "fiscal_year"], name="meeting_group_year_idx"),
            # The year's held meetings per kind with their visitors (実績指標, on every incremental
            # roll-up): an index-only scan on PostgreSQL (SQLite builds no covering index).
            models.Index(
                fields=["fiscal_year", "status", "kind"],
                include=["visitors"],
                name="meeting_year_status_kind_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(study_group__isnull=False) | Q(project__isnull=False),
                name="meeting_has_group_or_project",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values), name="meeting_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.sync_dates()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "date", "fiscal_year"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("events:meeting_detail", args=[self.pk])

    def sync_dates(self) -> None:
        """Keep ``date`` = local date of ``starts_at`` and ``fiscal_year`` = FY of ``date``."""
        if self.starts_at:
            self.date = timezone.localdate(self.starts_at)
        if self.date:
            self.fiscal_year = fiscal_year_of(self.date)

    def clean(self) -> None:
        errors = {}
        if not self.study_group_id and not self.project_id:
            errors["study_group"] = _("研究会か事業のどちらかを選んでください。")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("終了日時は開始日時より後にしてください。")
        if self.ends_at and not self.starts_at:
            errors["starts_at"] = _("終了日時を入れる場合は開始日時も入れてください。")
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            errors["registration_closes_at"] = _("申込締切は申込開始より後にしてください。")
        self.sync_dates()
        if self.is_held and self.date and self.date > timezone.localdate():
            errors["date"] = _("開催済の会議の開催日を未来の日付にはできません。")
        if errors:
            raise ValidationError(errors)

    @property
    def is_held(self) -> bool:
        return self.status == MeetingStatus.HELD

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    def can_be_held(self, today: dt.date | None = None) -> bool:
        """A meeting is held on or after its day, never before, and never once cancelled."""
        today = today or timezone.localdate()
        return not self.is_cancelled and self.date <= today

    @property
    def is_showcase(self) -> bool:
        """展示会 or シンポジウム: exhibitors, co-hosts, speakers and visitors belong to it."""
        return self.kind in SHOWCASE_KINDS

    @property
    def is_date_only(self) -> bool:
        return self.starts_at is None

    @property
    def host_name(self) -> str:
        # No query for a missing one: the descriptor gives None when the id is None.
        if self.study_group is not None:
            return self.study_group.full_name
        return self.project.name if self.project is not None else ""

    def registration_is_open(self, now=None) -> bool:
        """Inside the window; a meeting without a window takes registrations until it starts."""
        if self.status != MeetingStatus.SCHEDULED:  # cancelled or already held
            return False
        now = now or timezone.now()
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        if self.registration_closes_at:
            return now < self.registration_closes_at
        if self.registration_opens_at is None:
            return False
        if self.starts_at:
            return now < self.starts_at
        return timezone.localdate(now) <= self.date


def material_path(instance: Material, filename: str) -> str:
    return f"events/materials/{instance.meeting_id}/{filename}"


class Material(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="materials"
    )
    file = models.FileField(_("ファイル"), upload_to=material_path, storage=private_storage)
    title = models.CharField(_("資料名"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("登録日時"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("会議資料")
        verbose_name_plural = _("会議資料")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class Exhibitor(models.Model):
    """An organisation exhibiting at a 展示会 or シンポジウム, at a booth, showing some of its
    catalogue entries (only the published ones are shown to the public)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="exhibitors"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("出展団体"), on_delete=models.PROTECT, related_name="+"
    )
    booth = models.CharField(
        _("ブース"), max_length=50, blank=True, help_text=_("小間番号など（例：A-12）。")
    )
    entries = models.ManyToManyField(
        "projects.Entry",
        verbose_name=_("出展する技術・製品"),
        blank=True,
        related_name="exhibitions",
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("出展者")
        verbose_name_plural = _("出展者")
        ordering = ["booth", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organisation"], name="exhibitor_once_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.organisation}"


class SpeakerRole(models.TextChoices):
    SPEAKER = "speaker", _("講演者")
    CHAIR = "chair", _("座長")
    PANELIST = "panelist", _("パネリスト")
    MODERATOR = "moderator", _("コーディネーター")


class Speaker(models.Model):
    """A person's role at one meeting (講演者, 座長, パネリスト …), as the programme names them:
    often a guest (a professor, the prefecture's director), so by name and affiliation."""

    Role = SpeakerRole

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="speakers"
    )
    role = models.CharField(_("役割"), max_length=20, choices=SpeakerRole.choices)
    name = models.CharField(_("氏名"), max_length=100)
    affiliation = models.CharField(
        _("所属・役職"), max_length=200, blank=True, help_text=_("例：東海大学 工学部 教授")
    )
    talk_title = models.CharField(_("演題"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(
        _("表示順"), default=0, help_text=_("小さい順に並びます。")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("登壇者")
        verbose_name_plural = _("登壇者")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class Registration(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("申込済")
        WAITLISTED = "waitlisted", _("キャンセル待ち")
        CANCELLED = "cancelled", _("取消")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="registrations"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("参加者"), on_delete=models.PROTECT, related_name="registrations"
    )
    status = models.CharField(
        _("状態"), max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    position = models.PositiveIntegerField(
        _("受付順"), default=0, help_text=_("キャンセル待ちはこの順に繰り上がります。")
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申込者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申込日時"), default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(_("取消日時"), null=True, blank=True)
    # The secret in the ticket's QR code (受付); never an id.
    ticket_token = models.CharField(
        _("受付票トークン"), max_length=64, unique=True, default=new_token, editable=False
    )
    checked_in_at = models.DateTimeField(_("受付日時"), null=True, blank=True, editable=False)

    objects = RegistrationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("参加申込")
        verbose_name_plural = _("参加申込")
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=~Q(status="cancelled"),
                name="registration_one_active_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["meeting", "status", "position"], name="registration_queue_idx")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.meeting}"


class PublicRegistration(models.Model):
    """A citizen's registration for a public meeting (一般参加申込), without an account.

    Seats and the waiting list are shared with the members' registrations (one ``position``
    sequence per meeting). Unconfirmed registrations hold no seat. After the meeting, the
    personal fields are blanked by a beat task (``purged_at``); status, seats and check-in stay,
    so the counts (一般参加者) do not change."""

    Status = Registration.Status

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("会議"),
        on_delete=models.CASCADE,
        related_name="public_registrations",
    )
    name = models.CharField(_("氏名"), max_length=100, blank=True)
    name_kana = models.CharField(_("氏名（フリガナ）"), max_length=100, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)  # stored lower-cased
    affiliation = models.CharField(_("所属（任意）"), max_length=200, blank=True)
    seats = models.PositiveSmallIntegerField(
        _("人数"), default=1, validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        _("状態"),
        max_length=12,
        choices=Registration.Status.choices,
        default=Registration.Status.REGISTERED,
    )
    position = models.PositiveIntegerField(_("受付順"), default=0)
    consented_at = models.DateTimeField(_("個人情報の取扱いへの同意日時"))
    confirm_token = models.CharField(
        _("確認用トークン"), max_length=64, unique=True, default=new_token, editable=False
    )
    confirmed_at = models.DateTimeField(_("メール確認日時"), null=True, blank=True)
    ticket_token = models.CharField(
        _("受付票トークン"), max_length=64, unique=True, default=new_token, editable=False
    )
    cancel_token = models.CharField(
        _("取消用トークン"), max_length=64, unique=True, default=new_token, editable=False
    )
    checked_in_at = models.DateTimeField(_("受付日時"), null=True, blank=True)
    created_at = models.DateTimeField(_("申込日時"), default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(_("取消日時"), null=True, blank=True)
    purged_at = models.DateTimeField(_("個人情報の削除日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("一般参加申込")
        verbose_name_plural = _("一般参加申込")
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "email"],
                condition=~Q(status="cancelled") & Q(purged_at__isnull=True),
                name="public_registration_one_active_per_email",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="public_registration_seats"),
        ]
        indexes = [
            models.Index(fields=["meeting", "status", "position"], name="public_reg_queue_idx"),
            models.Index(fields=["created_at"], name="public_reg_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name or _('（削除済み）')} — {self.meeting}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class AttendanceMark(models.Model):
    """A mark sent from the attendance sheet, by the id the browser gave it: a mark queued
    offline and sent twice (or a double tap) is applied once."""

    client_id = models.CharField(_("送信ID"), max_length=64, unique=True)
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("適用日時"), default=timezone.now)

    class Meta:
        verbose_name = _("出欠の送信記録")
        verbose_name_plural = _("出欠の送信記録")
        indexes = [models.Index(fields=["applied_at"], name="attendance_mark_applied_idx")]

    def __str__(self) -> str:
        return self.client_id


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", _("出席")
    ABSENT = "absent", _("欠席")
    EXCUSED = "excused", _("欠席連絡あり")


class Attendance(models.Model):
    Status = AttendanceStatus

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("参加者"), on_delete=models.PROTECT, related_name="attendances"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("参加時の所属団体"),
        on_delete=models.PROTECT,
        related_name="attendances",
        help_text=_("人は所属が変わるため、出席した時点の団体を残します。"),
    )
    status = models.CharField(
        _("出欠"),
        max_length=10,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.ATTENDED,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)

    objects = AttendanceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("出欠")
        verbose_name_plural = _("出欠")
        ordering = ["meeting", "organisation__name_kana", "person__name_kana"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_unique_person")
        ]
        indexes = [
            # Covers the roll-up's read of a fiscal year (meeting → status, person, organisation)
            # so PostgreSQL answers it from the index instead of scanning every year's rows.
            # (Key columns, not INCLUDE: SQLite has no covering indexes.)
            models.Index(
                fields=["meeting", "status", "person", "organisation"],
                name="attendance_meeting_cover_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.meeting} ({self.get_status_display()})"


class CalendarToken(models.Model):
    """The secret in a user's private calendar feed URLs (one per user, for all their groups)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("利用者"),
        on_delete=models.CASCADE,
        related_name="calendar_token",
    )
    token = models.CharField(_("トークン"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("発行日時"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("カレンダー配信トークン")
        verbose_name_plural = _("カレンダー配信トークン")

    def __str__(self) -> str:
        return str(self.user)
