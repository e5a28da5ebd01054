"""Roll-up tables (recomputed from the domain records, never edited by hand) and export logs.

The summary rows are derived data: ``services.rollup_fiscal_year_compute`` replaces all rows of a
fiscal year at once. Pages and exports read only these tables, so they keep working (with an
"as of" time) while the task queue is down.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import Organisation, StudyGroup
from projects.models import Project


class ParticipationSummary(models.Model):
    """Participation in one fiscal year for one study group (or the whole consortium)."""

    fiscal_year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    study_group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("研究会"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="participation_summaries",
        help_text=_("空欄はコンソーシアム全体の行です。"),
    )
    meetings = models.PositiveIntegerField(_("開催回数"), default=0)
    attendance_total = models.PositiveIntegerField(_("のべ参加者数"), default=0)
    # Citizens checked in at public meetings (seats of 一般参加申込), included in のべ参加者数.
    public_participants = models.PositiveIntegerField(_("一般参加者"), default=0)
    absent = models.PositiveIntegerField(_("欠席"), default=0)
    excused = models.PositiveIntegerField(_("欠席連絡あり"), default=0)
    unique_people = models.PositiveIntegerField(_("参加者実数"), default=0)
    organisations = models.PositiveIntegerField(_("参加団体数"), default=0)
    local_companies = models.PositiveIntegerField(_("市内企業"), default=0)
    outside_companies = models.PositiveIntegerField(_("市外企業"), default=0)
    universities = models.PositiveIntegerField(_("大学・研究機関"), default=0)
    government = models.PositiveIntegerField(_("行政"), default=0)
    financial = models.PositiveIntegerField(_("金融機関"), default=0)
    associations = models.PositiveIntegerField(_("団体"), default=0)
    new_members = models.PositiveIntegerField(_("新規加入団体"), default=0)
    computed_at = models.DateTimeField(_("集計日時"), default=timezone.now)

    class Meta:
        verbose_name = _("参加実績集計")
        verbose_name_plural = _("参加実績集計")
        ordering = ["fiscal_year", "study_group__order", "study_group__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "study_group"], name="participation_one_row_per_group"
            ),
            models.UniqueConstraint(
                fields=["fiscal_year"],
                condition=Q(study_group__isnull=True),
                name="participation_one_total_row",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.study_group or _('全体')}"


class FundingSummary(models.Model):
    """Funding in one fiscal year per project × funder × scheme × kind."""

    fiscal_year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    project = models.ForeignKey(
        Project, verbose_name=_("事業"), on_delete=models.CASCADE, related_name="+"
    )
    funder = models.ForeignKey(
        Organisation,
        verbose_name=_("資金提供者"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    scheme = models.CharField(_("制度"), max_length=200, blank=True)
    kind = models.CharField(_("種別"), max_length=30)
    amount = models.BigIntegerField(
        _("金額"), null=True, blank=True, help_text=_("空欄は金額不明です。")
    )
    computed_at = models.DateTimeField(_("集計日時"), default=timezone.now)

    class Meta:
        verbose_name = _("資金集計")
        verbose_name_plural = _("資金集計")
        ordering = ["fiscal_year", "project__name", "pk"]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.project_id} {self.kind} {self.amount}"


class CallBucket(models.TextChoices):
    """The applicant sectors of the 公募 figures: ``Organisation.sector_bucket`` (companies split
    市内/市外), plus the whole year (blank)."""

    ALL = "", _("全体")
    LOCAL_COMPANY = "local_company", _("市内企業")
    OUTSIDE_COMPANY = "outside_company", _("市外企業")
    UNIVERSITY = "university", _("大学・研究機関")
    GOVERNMENT = "government", _("行政")
    FINANCIAL = "financial", _("金融機関")
    ASSOCIATION = "association", pgettext_lazy("sector", "団体")
    OTHER = "other", _("その他")


class CallSummary(models.Model):
    """公募 in one budget year (``Call.fiscal_year``): the whole year's row (sector blank) and
    one row per applicant sector that applied.

    - calls: calls published that year (every status but draft); whole-year row only.
    - applications: submitted applications (drafts and withdrawn ones left out).
    - adoptions: submitted applications adopted (採択) whose decision was released.
    - support_granted: the money of the adoptions: the funding rows (adopted, received or ended)
      of the adopted applications' projects from the call's funder under the call's title in the
      call's budget year, i.e. the rows the adoption created (their amount as later edited).
    """

    Bucket = CallBucket

    fiscal_year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    sector = models.CharField(
        _("区分"),
        max_length=20,
        choices=CallBucket.choices,
        blank=True,
        help_text=_("空欄はその年度全体の行です。"),
    )
    calls = models.PositiveIntegerField(_("公募数"), default=0)
    applications = models.PositiveIntegerField(_("応募数"), default=0)
    adoptions = models.PositiveIntegerField(_("採択数"), default=0)
    support_granted = models.BigIntegerField(_("支援額（円）"), default=0)
    computed_at = models.DateTimeField(_("集計日時"), default=timezone.now)

    class Meta:
        verbose_name = _("公募実績集計")
        verbose_name_plural = _("公募実績集計")
        ordering = ["fiscal_year", "sector"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "sector"], name="call_summary_one_row_per_sector"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.get_sector_display()}"

    @property
    def adoption_rate(self) -> float | None:
        """採択率 in percent, one decimal; None without applications (nothing to divide)."""
        if not self.applications:
            return None
        return round(100 * self.adoptions / self.applications, 1)


class IndicatorSummary(models.Model):
    """One 実績指標 of one fiscal year (``reports.indicators``): meetings held per kind,
    exhibitors and visitors of exhibitions and symposia, catalogue entries first published,
    awards granted, outcomes per kind. The 実績指標 table adds the figures the participation and
    公募 rows already hold (開催回数, のべ参加者数, 公募数 …)."""

    fiscal_year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    indicator = models.CharField(_("指標"), max_length=40)
    value = models.BigIntegerField(_("値"), default=0)
    computed_at = models.DateTimeField(_("集計日時"), default=timezone.now)

    class Meta:
        verbose_name = _("実績指標集計")
        verbose_name_plural = _("実績指標集計")
        ordering = ["fiscal_year", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "indicator"], name="indicator_one_row_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.indicator} {self.value}"


class RollupState(models.Model):
    """Per fiscal year: when it was last rolled up, and what the task queue still owes it.

    *queued*: a full roll-up was published and has not started (it reads every change committed
    before it starts, so further changes do not queue another); *running*: a worker is computing
    it since ``started_at``; *failed*: the publish or the run failed; *idle*: nothing is owed.
    Enqueueing is de-duplicated through these rows alone (``services.rollup_enqueue_on_commit``).

    The row also serialises runs: a run first updates its year's row, which takes a row lock on
    PostgreSQL and the write lock on SQLite, so two runs of one year never interleave. That lock
    is the run's lease: a year marked running whose row is not locked, or (without row locks)
    whose ``started_at`` is older than the hard task time limit, lost its worker and is queued
    again by ``services.rollup_pending_enqueue``.
    """

    class State(models.TextChoices):
        IDLE = "idle", _("最新")
        QUEUED = "queued", _("待機中")
        RUNNING = "running", _("集計中")
        FAILED = "failed", _("失敗")

    fiscal_year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    state = models.CharField(_("状態"), max_length=10, choices=State.choices, default=State.IDLE)
    task_id = models.CharField(_("タスクID"), max_length=64, blank=True)
    queued_at = models.DateTimeField(_("依頼日時"), null=True, blank=True)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    last_rolled_at = models.DateTimeField(_("最終集計日時"), null=True, blank=True)
    last_error = models.TextField(_("エラー"), blank=True)
    attendees_ready = models.BooleanField(
        _("参加者一覧の集計済み"),
        default=False,
        help_text=_("オンのとき、この年度の年度別参加者が出欠記録と一致しています。"),
    )

    class Meta:
        verbose_name = _("集計状況")
        verbose_name_plural = _("集計状況")
        ordering = ["-fiscal_year"]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.state}"

    @property
    def is_pending(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class Heartbeat(models.Model):
    """The last sign of life of the scheduler (beat) and of the workers, for the status page.

    Beat sends ``reports.heartbeat`` every minute and records the send itself; the worker that
    runs it records the run (``reports.tasks``). So a fresh beat row with a stale worker row means
    the workers are down or far behind; a stale beat row means nothing is being scheduled. One row
    per component, in the database rather than the cache so that it survives a cache flush and
    still says "last seen three days ago" after an outage.
    """

    class Component(models.TextChoices):
        BEAT = "beat", "beat"
        WORKER = "worker", _("ワーカー")

    # Three missed heartbeats: a busy worker or a beat restart never trips it.
    STALE_AFTER = dt.timedelta(minutes=3)

    component = models.CharField(
        _("構成要素"), max_length=10, choices=Component.choices, unique=True
    )
    seen_at = models.DateTimeField(_("最終応答日時"))
    hostname = models.CharField(_("ホスト名"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("稼働確認")
        verbose_name_plural = _("稼働確認")

    def __str__(self) -> str:
        return f"{self.component} {self.seen_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def record(cls, *, component: str, hostname: str = "", at: dt.datetime | None = None) -> None:
        """One row per component, replaced in place. An UPDATE first: one statement that takes
        the write lock at once (a read-then-write can fail on SQLite when beat and a worker
        record at the same instant)."""
        values = {"seen_at": at or timezone.now(), "hostname": hostname[:255]}
        if cls.objects.filter(component=component).update(**values):
            return
        try:
            with transaction.atomic():
                cls.objects.create(component=component, **values)
        except IntegrityError:  # another process created it first
            cls.objects.filter(component=component).update(**values)


class FiscalYearAttendee(models.Model):
    """Who attended in a fiscal year, for which organisation, and how many times.

    Derived from attendance like the summaries. It lets a saved meeting update the whole
    consortium's 参加者実数 and 参加団体数 by recounting only the people of that meeting, instead of
    grouping the whole year's attendance again (``services.rollup_meeting_compute``). Valid only
    while the year's ``RollupState.attendees_ready`` is on.
    """

    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    person = models.ForeignKey(
        "members.Person", verbose_name=_("参加者"), on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属"), on_delete=models.CASCADE, related_name="+"
    )
    attended = models.PositiveIntegerField(_("出席回数"))

    class Meta:
        verbose_name = _("年度別参加者")
        verbose_name_plural = _("年度別参加者")
        indexes = [
            models.Index(
                fields=["fiscal_year", "person", "organisation"], name="attendee_year_person_idx"
            ),
            models.Index(fields=["fiscal_year", "organisation"], name="attendee_year_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.person_id} {self.organisation_id}"


class ExportLog(models.Model):
    """Who downloaded which export, when (exports can contain personal data)."""

    class Kind(models.TextChoices):
        PARTICIPATION = "participation", _("参加実績")
        FUNDING = "funding", _("資金")
        ATTENDANCE = "attendance", _("出欠明細")
        ROSTER = "roster", _("名簿")
        OWN_DATA = "own_data", _("本人の登録情報")
        CALLS = "calls", _("公募")
        INDICATORS = "indicators", _("実績指標")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("利用者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices)
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    filename = models.CharField(_("ファイル名"), max_length=200)
    file_format = models.CharField(_("形式"), max_length=10)
    personal_data = models.BooleanField(_("個人情報を含む"), default=False)
    via = models.CharField(_("経路"), max_length=20, default="web")
    rows = models.PositiveIntegerField(
        _("行数"), null=True, blank=True, help_text=_("空欄は数えていない出力です。")
    )
    created_at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("出力記録")
        verbose_name_plural = _("出力記録")
        ordering = ["-created_at", "-pk"]
        permissions = [("export_annual_summary", _("年次報告を出力できる"))]

    def __str__(self) -> str:
        return self.filename
