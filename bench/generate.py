"""A prefecture-scale consortium for the benchmarks, written with COPY (PostgreSQL) or batched
INSERTs (SQLite), never one save() per row.

Shape at ``attendance=1_000_000``: ~5,000 organisations (companies local and outside, universities,
government, funders, associations), ~15,000 people, 100 study groups with 2 subcommittees each,
~50,000 meetings over ten fiscal years, attendance skewed toward a core of regular members (a
fifth of each group's people bring seven in ten attendances), memberships joined over the ten
years, projects with partners, phases, funding and outcomes. Smaller ``attendance`` values scale
everything down. The same ``seed`` gives the same data.

Every bench row carries a marker (organisations' address, groups' and projects' description), so
the generator can tell bench data from real data: it refuses to touch a database holding
anything else unless forced, and then only ever deletes its own rows.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, User
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from consortium.fiscal import current_fiscal_year, fiscal_year_start
from events.models import Attendance, Meeting, MeetingKind, MeetingStatus, Registration
from members import roles
from members.models import Membership, Organisation, Person, Sector, StudyGroup
from projects.models import (
    Agreement,
    AgreementParty,
    Funding,
    FundingKind,
    FundingStatus,
    Outcome,
    OutcomeKind,
    Phase,
    PhaseTransition,
    Project,
)
from reports.models import FundingSummary, ParticipationSummary, RollupState

ADDRESS_MARK = "ベンチ県"
DESCRIPTION_MARK = "ベンチマーク用データ。"
AGREEMENT_MARK = "ベンチ連携協定"
BENCH_USERS = {
    "bench-admin": roles.ADMINISTRATORS,
    "bench-staff": roles.SECRETARIAT,
    "bench-member": None,
}
FISCAL_YEARS = 10
BATCH = 100_000

# Sector shares of the organisations, and the share of companies inside the host city.
SECTOR_SHARES = (
    (Sector.COMPANY, 0.62),
    (Sector.UNIVERSITY, 0.08),
    (Sector.GOVERNMENT, 0.10),
    (Sector.FINANCIAL, 0.07),
    (Sector.ASSOCIATION, 0.10),
    (Sector.OTHER, 0.03),
)
LOCAL_COMPANY_SHARE = 0.4
SECTOR_NAMES = {
    Sector.COMPANY: ("株式会社ベンチ工業", "ベンチコウギョウ"),
    Sector.UNIVERSITY: ("ベンチ大学研究所", "ベンチダイガク"),
    Sector.GOVERNMENT: ("ベンチ市役所 課", "ベンチシヤクショ"),
    Sector.FINANCIAL: ("ベンチ銀行", "ベンチギンコウ"),
    Sector.ASSOCIATION: ("ベンチ商工会", "ベンチショウコウカイ"),
    Sector.OTHER: ("ベンチ法人", "ベンチホウジン"),
}
MEETING_KINDS = (
    (MeetingKind.SUBCOMMITTEE, 0.45),
    (MeetingKind.GENERAL_ASSEMBLY, 0.15),
    (MeetingKind.SEMINAR, 0.15),
    (MeetingKind.SITE_VISIT, 0.08),
    (MeetingKind.EXPERIMENT, 0.07),
    (MeetingKind.SYMPOSIUM, 0.05),
    (MeetingKind.OPEN_HOUSE, 0.05),
)


def _status_of(index: int, day: dt.date, kind: str, today: dt.date) -> dict[str, object]:
    """A past meeting was held (every fiftieth cancelled), a later one is scheduled; a held
    symposium counted its visitors (by the meeting's place in the plan: the same data for the
    same seed)."""
    if day >= today:
        return {"status": MeetingStatus.SCHEDULED}
    if index % 50 == 49:
        return {"status": MeetingStatus.CANCELLED, "cancel_reason": "荒天のため"}
    visitors = 50 + index % 450 if kind == MeetingKind.SYMPOSIUM else None
    return {"status": MeetingStatus.HELD, "visitors": visitors}


# Attendance statuses: most rows are people who came.
STATUS_SHARES = (("attended", 0.86), ("absent", 0.09), ("excused", 0.05))
CORE_SHARE = 0.2  # a fifth of a group's people are its regulars …
CORE_ATTENDANCE = 0.7  # … and bring seven in ten of its attendances


class BenchDataError(RuntimeError):
    """The database holds data that is not the benchmark's."""


@dataclass
class Sizes:
    attendance: int
    organisations: int
    people_per_org: int
    top_groups: int
    subgroups_per_group: int
    meetings: int
    projects: int

    @classmethod
    def for_attendance(cls, attendance: int) -> Sizes:
        scale = attendance / 1_000_000
        return cls(
            attendance=attendance,
            organisations=max(40, round(5000 * scale)),
            people_per_org=3,
            top_groups=max(3, round(100 * scale)),
            subgroups_per_group=2,
            meetings=max(100, round(50_000 * scale)),
            projects=max(6, round(500 * scale)),
        )


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    fiscal_years: list[int] = field(default_factory=list)


def non_bench_data() -> list[str]:
    """Names of the kinds of records in the database that the generator did not create."""
    found = []
    checks = {
        "organisations": Organisation.objects.exclude(address__startswith=ADDRESS_MARK),
        "study groups": StudyGroup.objects.exclude(description__startswith=DESCRIPTION_MARK),
        "projects": Project.objects.exclude(description__startswith=DESCRIPTION_MARK),
        "agreements": Agreement.objects.exclude(title__startswith=AGREEMENT_MARK),
        "meetings": Meeting.objects.exclude(
            models.Q(study_group__description__startswith=DESCRIPTION_MARK)
            | models.Q(project__description__startswith=DESCRIPTION_MARK)
        ),
    }
    for name, queryset in checks.items():
        if queryset.exists():
            found.append(name)
    return found


def delete_bench_data() -> None:
    """Remove the rows an earlier run wrote (and only those), children first, without signals."""
    groups = StudyGroup.objects.filter(description__startswith=DESCRIPTION_MARK)
    projects = Project.objects.filter(description__startswith=DESCRIPTION_MARK)
    orgs = Organisation.objects.filter(address__startswith=ADDRESS_MARK)
    meetings = Meeting.objects.filter(
        models.Q(study_group__in=groups) | models.Q(project__in=projects)
    )
    agreements = Agreement.objects.filter(title__startswith=AGREEMENT_MARK)
    steps = [
        AgreementParty.objects.filter(agreement__in=agreements),
        Agreement.projects.through.objects.filter(agreement__in=agreements),
        agreements,
        Attendance.objects.filter(meeting__in=meetings),
        Attendance.history.model.objects.filter(meeting_id__in=meetings.values("pk")),
        Registration.objects.filter(meeting__in=meetings),
        meetings,
        ParticipationSummary.objects.filter(study_group__in=groups),
        FundingSummary.objects.filter(project__in=projects),
        Funding.objects.filter(project__in=projects),
        PhaseTransition.objects.filter(project__in=projects),
        Outcome.organisations.through.objects.filter(outcome__project__in=projects),
        Outcome.objects.filter(project__in=projects),
        Project.partners.through.objects.filter(project__in=projects),
        Project.study_groups.through.objects.filter(project__in=projects),
        projects,
        Membership.objects.filter(study_group__in=groups),
        Person.objects.filter(organisation__in=orgs),
        groups.filter(parent__isnull=False),
        groups,
        orgs,
    ]
    for queryset in steps:
        # Subqueries re-evaluate per step; _raw_delete skips Python-side cascades (none needed:
        # children go first) so a million rows go in one statement.
        queryset._raw_delete(queryset.db)


# --- writing rows -------------------------------------------------------------------------------


def _pg_text(value: object) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def write_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Insert rows (values already prepared for the database) in big batches; returns the count.

    PostgreSQL gets COPY FROM STDIN; other databases get executemany of one INSERT.
    """
    count = 0
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    name = connection.ops.quote_name(table)
    batch: list[Sequence[object]] = []

    def flush() -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                buffer.writelines("\t".join(map(_pg_text, row)) + "\n" for row in batch)
                buffer.seek(0)
                cursor.cursor.copy_expert(f"COPY {name} ({quoted}) FROM STDIN", buffer)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {name} ({quoted}) VALUES ({marks})", batch)

    for row in rows:
        batch.append(row)
        count += 1
        if len(batch) >= BATCH:
            flush()
            batch = []
    if batch:
        flush()
    return count


def write_model(model: type[models.Model], objects: Iterable[dict]) -> int:
    """Insert dicts of field values for ``model`` (ids included); unset fields get defaults."""
    fields = list(model._meta.concrete_fields)
    columns = [f.column for f in fields]

    def prepared() -> Iterable[list]:
        for values in objects:
            row = []
            for f in fields:
                value = values[f.attname] if f.attname in values else f.get_default()
                row.append(f.get_db_prep_save(value, connection))
            yield row

    return write_rows(model._meta.db_table, columns, prepared())


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


# --- the data -----------------------------------------------------------------------------------


def _weighted(rng: random.Random, shares: Sequence[tuple[object, float]]) -> object:
    return rng.choices([v for v, _ in shares], weights=[w for _, w in shares])[0]


class Generator:
    def __init__(
        self, *, sizes: Sizes, seed: int, last_fiscal_year: int, log: Callable[[str], None]
    ):
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.years = list(range(last_fiscal_year - FISCAL_YEARS + 1, last_fiscal_year + 1))
        self.log = log
        self.report = Report(fiscal_years=self.years)
        self.now = timezone.now()

    def run(self) -> Report:
        self.organisations()
        self.people()
        self.study_groups()
        self.memberships()
        self.projects()
        self.meetings()
        self.attendance()
        self.users()
        _reset_sequences(
            [
                Organisation,
                Person,
                StudyGroup,
                Membership,
                Project,
                PhaseTransition,
                Funding,
                Outcome,
                Meeting,
                Attendance,
                Registration,
                Project.partners.through,
                Project.study_groups.through,
                Outcome.organisations.through,
                Agreement,
                AgreementParty,
                Agreement.projects.through,
            ]
        )
        return self.report

    def _count(self, name: str, n: int) -> None:
        self.report.counts[name] = self.report.counts.get(name, 0) + n
        self.log(f"  {name}: {n:,}")

    def organisations(self) -> None:
        rng, first = self.rng, _next_id(Organisation)
        self.orgs: list[tuple[int, str]] = []  # (id, sector)
        rows = []
        for i in range(self.sizes.organisations):
            sector = _weighted(rng, SECTOR_SHARES)
            local = rng.random() < (LOCAL_COMPANY_SHARE if sector == Sector.COMPANY else 0.5)
            name, kana = SECTOR_NAMES[sector]
            pk = first + i
            self.orgs.append((pk, sector))
            rows.append(
                {
                    "id": pk,
                    "name": f"{name}{i + 1:05d}",
                    "name_kana": f"{kana}{i + 1:05d}",
                    "sector": sector,
                    "is_local": local,
                    "corporate_number": None,
                    "address": f"{ADDRESS_MARK}ベンチ市{rng.randint(1, 9)}丁目",
                    "created_at": self.now,
                }
            )
        self._count("organisations", write_model(Organisation, rows))

    def people(self) -> None:
        rng, first = self.rng, _next_id(Person)
        self.people_of: dict[int, list[int]] = {}
        rows, pk = [], first
        for org_id, _sector in self.orgs:
            for _ in range(rng.randint(1, 2 * self.sizes.people_per_org - 1)):
                self.people_of.setdefault(org_id, []).append(pk)
                rows.append(
                    {
                        "id": pk,
                        "name": f"ベンチ 太郎{pk}",
                        "name_kana": f"ベンチ タロウ{pk}",
                        "email": f"person{pk}@bench.example.jp",
                        "organisation_id": org_id,
                        "created_at": self.now,
                    }
                )
                pk += 1
        self.org_of_person = {p: o for o, people in self.people_of.items() for p in people}
        self._count("people", write_model(Person, rows))

    def study_groups(self) -> None:
        first = _next_id(StudyGroup)
        self.top_groups: list[int] = []
        self.parent_of: dict[int, int | None] = {}
        rows, pk = [], first
        founded = fiscal_year_start(self.years[0])
        for g in range(self.sizes.top_groups):
            top = pk
            self.top_groups.append(top)
            self.parent_of[top] = None
            rows.append(self._group(top, f"ベンチ研究会{g + 1:03d}", None, g, founded))
            pk += 1
            for s in range(self.sizes.subgroups_per_group):
                self.parent_of[pk] = top
                rows.append(self._group(pk, f"第{s + 1}部会", top, s, founded))
                pk += 1
        self._count("study groups", write_model(StudyGroup, rows))

    def _group(self, pk: int, name: str, parent: int | None, order: int, founded: dt.date) -> dict:
        return {
            "id": pk,
            "name": name,
            "parent_id": parent,
            "description": DESCRIPTION_MARK,
            "founded_on": founded,
            "applications_open": True,
            "order": order,
        }

    def memberships(self) -> None:
        rng, pk = self.rng, _next_id(Membership)
        self.members_of: dict[int, list[int]] = {g: [] for g in self.top_groups}
        rows = []
        start, end = fiscal_year_start(self.years[0]), fiscal_year_start(self.years[-1])
        span = (end - start).days
        for org_id, _sector in self.orgs:
            for group in rng.sample(
                self.top_groups, k=min(len(self.top_groups), rng.randint(1, 3))
            ):
                self.members_of[group].append(org_id)
                joined = start + dt.timedelta(days=rng.randrange(span))
                left = joined + dt.timedelta(days=rng.randint(365, 1500))
                rows.append(
                    {
                        "id": pk,
                        "organisation_id": org_id,
                        "study_group_id": group,
                        "role": Membership.Role.MEMBER,
                        "joined_on": joined,
                        # One in ten has left again (still counted as new in its year).
                        "left_on": left if rng.random() < 0.1 and left < end else None,
                    }
                )
                pk += 1
        self._count("memberships", write_model(Membership, rows))
        # Each group's attendees: people of its member organisations, regulars first.
        self.pool: dict[int, tuple[list[int], list[int]]] = {}
        for group, orgs in self.members_of.items():
            people = [p for org in orgs for p in self.people_of[org]]
            rng.shuffle(people)
            core = max(1, round(len(people) * CORE_SHARE))
            self.pool[group] = (people[:core], people[core:])

    def projects(self) -> None:
        rng = self.rng
        first, phases = _next_id(Project), list(Phase.objects.order_by("order", "pk"))
        funders = [o for o, s in self.orgs if s in (Sector.FINANCIAL, Sector.GOVERNMENT)]
        self.project_group: dict[int, int] = {}
        projects, partners, groups, transitions, fundings, outcomes, outcome_orgs = (
            [],
            [],
            [],
            [],
            [],
            [],
            [],
        )
        ids = {m: _next_id(m) for m in (PhaseTransition, Funding, Outcome)}
        for i in range(self.sizes.projects):
            pk = first + i
            group = rng.choice(self.top_groups)
            self.project_group[pk] = group
            members = self.members_of[group] or [self.orgs[0][0]]
            projects.append(
                {
                    "id": pk,
                    "name": f"ベンチ実証事業{i + 1:04d}",
                    "theme": rng.choice(["波力発電", "水中ロボット", "脱炭素", "AUV", "DX"]),
                    "description": DESCRIPTION_MARK,
                    "lead_organisation_id": rng.choice(members),
                    "is_public": rng.random() < 0.2,
                    "created_at": self.now,
                }
            )
            for org in rng.sample(members, k=min(len(members), rng.randint(2, 6))):
                partners.append({"project_id": pk, "organisation_id": org})
            groups.append({"project_id": pk, "studygroup_id": group})
            first_year = rng.choice(self.years[:-2])
            for n, phase in enumerate(phases[: rng.randint(1, len(phases))]):
                transitions.append(
                    {
                        "id": ids[PhaseTransition],
                        "project_id": pk,
                        "phase_id": phase.pk,
                        "started_on": fiscal_year_start(first_year + n) + dt.timedelta(days=30),
                        "recorded_at": self.now,
                    }
                )
                ids[PhaseTransition] += 1
            for year in range(first_year, min(first_year + rng.randint(2, 6), self.years[-1] + 1)):
                for funder in rng.sample(funders, k=min(len(funders), rng.randint(1, 2))):
                    fundings.append(
                        {
                            "id": ids[Funding],
                            "project_id": pk,
                            "fiscal_year": year,
                            "funder_id": funder,
                            "scheme": rng.choice(
                                ["地方創生推進交付金", "実証委託事業", "共同研究"]
                            ),
                            "kind": rng.choice(FundingKind.values),
                            "amount": rng.randint(1, 500) * 100_000,
                            "status": rng.choice(
                                [FundingStatus.ADOPTED, FundingStatus.RECEIVED, FundingStatus.ENDED]
                            ),
                        }
                    )
                    ids[Funding] += 1
            for _ in range(rng.randint(0, 4)):
                outcomes.append(
                    {
                        "id": ids[Outcome],
                        "project_id": pk,
                        "kind": rng.choice(OutcomeKind.values),
                        "date": fiscal_year_start(rng.choice(self.years))
                        + dt.timedelta(days=rng.randrange(365)),
                        "title": f"ベンチ成果{ids[Outcome]}",
                    }
                )
                outcome_orgs.append({"outcome_id": ids[Outcome], "organisation_id": members[0]})
                ids[Outcome] += 1
        self._count("projects", write_model(Project, projects))
        agreements, parties, agreement_projects = [], [], []
        agreement_id = _next_id(Agreement)
        for n, (project_id, group) in enumerate(self.project_group.items()):
            if n % 5:
                continue  # one project in five works under a signed agreement
            signed = fiscal_year_start(rng.choice(self.years)) + dt.timedelta(days=60)
            agreements.append(
                {
                    "id": agreement_id,
                    "title": f"{AGREEMENT_MARK}{agreement_id}",
                    "kind": "cooperation",
                    "status": "signed",
                    "signed_on": signed,
                    "term_start": signed,
                    "created_at": self.now,
                }
            )
            members = self.members_of[group] or [self.orgs[0][0]]
            for order, org in enumerate(rng.sample(members, k=min(2, len(members)))):
                parties.append(
                    {"agreement_id": agreement_id, "organisation_id": org, "order": order}
                )
            agreement_projects.append({"agreement_id": agreement_id, "project_id": project_id})
            agreement_id += 1
        self._count("agreements", write_model(Agreement, agreements))
        through = (
            ("agreement parties", AgreementParty, parties),
            ("agreement projects", Agreement.projects.through, agreement_projects),
            ("project partners", Project.partners.through, partners),
            ("project groups", Project.study_groups.through, groups),
            ("outcome organisations", Outcome.organisations.through, outcome_orgs),
        )
        self._count("phase transitions", write_model(PhaseTransition, transitions))
        self._count("fundings", write_model(Funding, fundings))
        self._count("outcomes", write_model(Outcome, outcomes))
        for name, model, rows in through:
            self._count(name, write_model(model, self._ids(model, rows)))

    @staticmethod
    def _ids(model: type[models.Model], rows: list[dict]) -> list[dict]:
        """Many-to-many rows numbered after the table's last id."""
        first = _next_id(model)
        return [{"id": first + n, **row} for n, row in enumerate(rows)]

    def meetings(self) -> None:
        """Meetings over the years: those dated before today were held (one in fifty was
        cancelled instead), the rest are scheduled; only held meetings count in the reports."""
        rng, pk = self.rng, _next_id(Meeting)
        first = pk
        self.meeting_plan: list[tuple[int, int, int, dt.datetime]] = []  # (id, pool group, fy, at)
        groups = list(self.parent_of)
        # Some groups are far busier than others.
        activity = [rng.paretovariate(1.5) for _ in groups]
        projects = list(self.project_group)
        rows = []
        tz = timezone.get_current_timezone()
        today = timezone.localdate()
        # The consortium grows: the last fiscal year holds four times the first one's meetings.
        growth = [1 + i / 3 for i in range(len(self.years))]
        for year in sorted(rng.choices(self.years, weights=growth, k=self.sizes.meetings)):
            day = fiscal_year_start(year) + dt.timedelta(days=rng.randrange(365))
            starts = dt.datetime.combine(day, dt.time(rng.choice([10, 13, 14, 15, 18])), tz)
            kind = _weighted(rng, MEETING_KINDS)
            if projects and rng.random() < 0.05:
                project, group = rng.choice(projects), None
                pool = self.project_group[project]
            else:
                project = None
                group = rng.choices(groups, weights=activity)[0]
                pool = self.parent_of[group] or group
            rows.append(
                {
                    "id": pk,
                    "study_group_id": group,
                    "project_id": project,
                    "kind": kind,
                    "title": f"ベンチ会議{pk} {MeetingKind(kind).label}",
                    "date": day,
                    "starts_at": starts,
                    "ends_at": starts + dt.timedelta(hours=2),
                    "fiscal_year": year,
                    "venue": "ベンチ市産業会館",
                    "visibility": "public" if rng.random() < 0.1 else "members",
                    "unnamed_headcount": rng.choice([0, 0, 0, 1, 2, 5]),
                    "created_at": starts - dt.timedelta(days=30),
                    **_status_of(pk - first, day, kind, today),
                }
            )
            self.meeting_plan.append((pk, pool, year, starts))
            pk += 1
        self._count("meetings", write_model(Meeting, rows))

    def attendance(self) -> None:
        """Each meeting draws distinct people from its group's pool, regulars far more often."""
        rng = self.rng
        sizes = [len(core) + len(others) for core, others in map(self.pool.get, self._pools())]
        wanted = [rng.randint(5, 35) for _ in self.meeting_plan]
        scale = self.sizes.attendance / sum(wanted)
        wanted = [
            min(size, max(1, round(w * scale))) for w, size in zip(wanted, sizes, strict=True)
        ]
        # Rounding and small pools leave a few rows over or under the asked-for total.
        shortfall = self.sizes.attendance - sum(wanted)
        while shortfall:
            n = rng.randrange(len(wanted))
            step = 1 if shortfall > 0 else -1
            if 1 <= wanted[n] + step <= sizes[n]:
                wanted[n] += step
                shortfall -= step
        first_attendance, first_registration = _next_id(Attendance), _next_id(Registration)
        statuses = [s for s, _ in STATUS_SHARES]
        weights = [w for _, w in STATUS_SHARES]
        latest = self.years[-1]
        attendance_rows: list[tuple] = []
        registration_rows: list[tuple] = []
        pk, reg_pk = first_attendance, first_registration
        prep = Attendance._meta.get_field("recorded_at")
        for (meeting, pool_group, year, starts), want in zip(
            self.meeting_plan, wanted, strict=True
        ):
            core, others = self.pool[pool_group]
            k = want
            from_core = min(len(core), max(k - len(others), round(k * CORE_ATTENDANCE)))
            from_others = k - from_core
            people = rng.sample(core, from_core) + rng.sample(others, from_others)
            at = prep.get_db_prep_save(starts, connection)
            chosen = rng.choices(statuses, weights=weights, k=len(people))
            for person, status in zip(people, chosen, strict=True):
                attendance_rows.append(
                    (pk, meeting, person, self.org_of_person[person], status, None, at)
                )
                pk += 1
                if year == latest:
                    registration_rows.append(
                        (
                            reg_pk,
                            meeting,
                            person,
                            "registered",
                            reg_pk,
                            None,
                            at,
                            None,
                            secrets.token_urlsafe(24),  # not from rng: the data stays the same
                        )
                    )
                    reg_pk += 1
        columns = ["id", "meeting_id", "person_id", "organisation_id", "status"]
        columns += ["recorded_by_id", "recorded_at"]
        self._count("attendance", write_rows(Attendance._meta.db_table, columns, attendance_rows))
        reg_columns = ["id", "meeting_id", "person_id", "status", "position", "registered_by_id"]
        reg_columns += ["created_at", "cancelled_at", "ticket_token"]
        self._count(
            "registrations", write_rows(Registration._meta.db_table, reg_columns, registration_rows)
        )

    def _pools(self) -> list[int]:
        return [pool for _meeting, pool, _year, _at in self.meeting_plan]

    def users(self) -> None:
        """Accounts the page measures sign in as (no password: the bench makes sessions)."""
        member_org = self.members_of[self.top_groups[0]][0]
        for username, group_name in BENCH_USERS.items():
            user, _created = User.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@bench.example.jp", "is_staff": bool(group_name)},
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
                ensure_second_factor(user)
            else:
                Person.objects.filter(user=user).update(user=None)
                Person.objects.filter(pk=self.people_of[member_org][0]).update(user=user)


def ensure_second_factor(user: User) -> None:
    """Staff accounts have an authenticator app, as production requires (``consortium.mfa``):
    the bench's pages then pay the same check a real administrator's do, instead of being sent
    to the set-up page."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "bench"}}
    )


def generate(
    *,
    attendance: int,
    seed: int = 1,
    force: bool = False,
    last_fiscal_year: int | None = None,
    log: Callable[[str], None] = print,
) -> Report:
    """Replace the bench data set with a fresh one of ``attendance`` rows (deterministic per seed).

    Raises BenchDataError when the database holds other data and ``force`` is not given; with
    ``force`` the other data stays and only earlier bench rows are replaced.
    """
    others = non_bench_data()
    if others and not force:
        raise BenchDataError(
            "this database holds data that is not benchmark data ("
            + ", ".join(others)
            + "); use a scratch database or pass --force to add bench data beside it"
        )
    sizes = Sizes.for_attendance(attendance)
    with transaction.atomic():
        log("removing earlier bench data")
        delete_bench_data()
        log(f"writing bench data (seed {seed})")
        report = Generator(
            sizes=sizes,
            seed=seed,
            last_fiscal_year=last_fiscal_year or current_fiscal_year(),
            log=log,
        ).run()
        RollupState.objects.filter(fiscal_year__in=report.fiscal_years).delete()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Statistics and the visibility map of a settled database (autovacuum would get there):
        # without them PostgreSQL plans the first queries over a million fresh rows badly.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return report
