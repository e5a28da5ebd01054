"""Funding import: one source's money for one project in one fiscal year, from a spreadsheet.

A ``Sheet`` of the import pipeline (``consortium.importing``), used by the staff page and the
Django admin. Columns (Japanese or English headers): project/事業, fiscal_year/年度,
funder/資金提供者, scheme/制度・事業名, kind/財源の種類, amount/金額（円）, status/状態,
note/メモ. A row is identified by (project, fiscal year, funder, scheme): importing the same
row again updates it. Projects, funders and the existing records are matched in three queries
whatever the file's length; the writes are bulk inserts and updates with history, in one
transaction, and ``funding_changed`` is sent once with every fiscal year the file touched.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortium.importing import Problem, Problems, Sheet, apply_held, apply_plan, bulk, prepare
from consortium.tabular import Column, Row
from members.models import Organisation

from .models import Funding, FundingKind, FundingStatus, Project
from .signals import funding_changed

if TYPE_CHECKING:
    from consortium.models import PendingUpload

COLUMNS = [
    Column("project", "事業", required=True, aliases=("事業名",)),
    Column("fiscal_year", "年度", required=True, aliases=("fy",)),
    Column("funder", "資金提供者", required=True, aliases=("財源提供者", "交付元")),
    Column("scheme", "制度・事業名", required=True, aliases=("制度", "制度名")),
    Column("kind", "財源の種類", required=True, aliases=("種類",)),
    Column("amount", "金額（円）", aliases=("金額", "amount_yen")),
    Column("status", "状態", aliases=()),
    Column("note", "メモ", aliases=("備考",)),
]
COLUMN_LABELS = {column.key: column.ja for column in COLUMNS}
KEYS = [column.key for column in COLUMNS]
WRITTEN_FIELDS = ["kind", "amount", "status", "note"]  # the rest identify the record


def normalise(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()


def parse_choice(choices: type[TextChoices], value: object) -> str | None:
    """A choice by its code (``grant``) or its Japanese/English label (交付金・補助金); None when
    empty. Raises ValueError saying what is allowed."""
    text = normalise(value)
    if not text:
        return None
    for code, label in choices.choices:
        if text.lower() in {code, normalise(label).lower(), normalise(_(label)).lower()}:
            return str(code)
    allowed = "、".join(str(label) for _code, label in choices.choices)
    raise ValueError(
        _("「%(value)s」は選べません（%(allowed)s）。") % {"value": text, "allowed": allowed}
    )


def parse_fiscal_year(value: object) -> int:
    """2018, 2018年度 or FY2018."""
    text = normalise(value)
    match = re.fullmatch(r"(?:fy)?\s*(\d{4})\s*(?:年度)?", text.lower())
    if not match:
        raise ValueError(_("「%(value)s」は年度として読めません（例: 2018）。") % {"value": text})
    return int(match[1])


def parse_amount(value: object) -> int | None:
    """Yen as a whole number: 1000000, 1,000,000 or ¥1,000,000; empty means unknown."""
    text = normalise(value).replace(",", "").replace("¥", "").replace("円", "")
    if not text:
        return None
    if text.endswith(".0"):
        text = text[:-2]
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(_("「%(value)s」は金額として読めません。") % {"value": value})
    amount = int(text)
    if amount < 0:
        raise ValueError(_("金額は0以上にしてください。"))
    return amount


@dataclass(slots=True)
class FundingRow:
    number: int
    cells: dict[str, str]  # as written, for the preview
    project: str
    fiscal_year: int | None
    funder: str
    scheme: str
    kind: str | None
    amount: int | None
    status: str
    note: str
    failed: frozenset[str] = frozenset()  # the columns that could not be read


@dataclass
class FundingMatch:
    projects: dict[str, list[Project]]
    funders: dict[str, list[Organisation]]
    existing: dict[tuple[int, int, int, str], Funding]


@dataclass
class FundingPlan:
    rows: list[dict[str, Any]] = field(default_factory=list)  # {"row", "action", "values"}
    new: list[Funding] = field(default_factory=list)
    changed: dict[int, Funding] = field(default_factory=dict)
    fiscal_years: set[int] = field(default_factory=set)


@dataclass
class FundingImport:
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool
    rows: list[dict[str, Any]] = field(default_factory=list)  # {"row", "action", "values"}
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run


class FundingSheet(Sheet[FundingRow, FundingMatch, FundingPlan]):
    columns = COLUMNS
    column_naming = "ja"
    label_naming = "ja"

    empty_message = gettext_lazy("データの行がありません。")

    def parse(self, row: Row, problems: Problems) -> FundingRow:
        """Every cell read; one that cannot be is reported and left out of the model's checks
        (as the plan still checks the others, every problem of the row is listed)."""
        failed: set[str] = set()
        v = row.values

        def read(key: str, parse: Any) -> Any:
            try:
                return parse(v.get(key, ""))
            except ValueError as exc:
                problems.add(row.number, key, str(exc))
                failed.add(key)
                return None

        return FundingRow(
            number=row.number,
            cells={key: v.get(key, "") for key in KEYS},
            project=normalise(v.get("project")),
            fiscal_year=read("fiscal_year", parse_fiscal_year),
            funder=normalise(v.get("funder")),
            scheme=v.get("scheme", ""),
            kind=read("kind", lambda text: parse_choice(FundingKind, text)),
            amount=read("amount", parse_amount),
            # An empty status means the common case, money granted.
            status=read("status", lambda text: parse_choice(FundingStatus, text))
            or FundingStatus.ADOPTED,
            note=v.get("note", ""),
            failed=frozenset(failed),
        )

    def match(self, rows: list[FundingRow]) -> FundingMatch:
        projects: dict[str, list[Project]] = defaultdict(list)
        for project in Project.objects.filter(name__in={r.project for r in rows if r.project}):
            projects[project.name].append(project)
        funders: dict[str, list[Organisation]] = defaultdict(list)
        for funder in Organisation.objects.filter(name__in={r.funder for r in rows if r.funder}):
            funders[funder.name].append(funder)
        existing = {
            (f.project_id, f.fiscal_year, f.funder_id, f.scheme): f
            for f in Funding.objects.filter(
                project__in=[p for found in projects.values() for p in found],
                funder__in=[o for found in funders.values() for o in found],
                fiscal_year__in={r.fiscal_year for r in rows},
                scheme__in={r.scheme for r in rows},
            )
        }
        return FundingMatch(projects=projects, funders=funders, existing=existing)

    def plan(
        self, rows: list[FundingRow], matched: FundingMatch, problems: Problems
    ) -> FundingPlan:
        plan = FundingPlan()
        planned: dict[tuple[int, int, int, str], Funding] = dict(matched.existing)
        for row in rows:
            project = _named(row.number, "project", row.project, matched.projects, problems)
            funder = _named(row.number, "funder", row.funder, matched.funders, problems)
            key = None
            if project is not None and funder is not None and row.fiscal_year is not None:
                key = (project.pk, row.fiscal_year, funder.pk, row.scheme)
            funding = planned.get(key) if key else None
            action = "update" if funding is not None else "new"
            if funding is None:
                funding = Funding(project=project, funder=funder, scheme=row.scheme)
                if row.fiscal_year is not None:  # else the row's problem is reported
                    funding.fiscal_year = row.fiscal_year
            funding.kind, funding.amount = row.kind or "", row.amount
            funding.status, funding.note = row.status, row.note
            if not _valid(row.number, funding, row.failed, problems) or key is None or row.failed:
                continue
            if funding.pk:
                plan.changed[funding.pk] = funding
            elif action == "new":
                planned[key] = funding
                plan.new.append(funding)
            plan.fiscal_years.add(key[1])
            plan.rows.append({"row": row.number, "action": action, "values": row.cells})
        return plan

    def apply(self, plan: FundingPlan, *, user: Any) -> None:
        bulk.create(plan.new, Funding, user=user)
        bulk.update(list(plan.changed.values()), Funding, WRITTEN_FIELDS, user=user)
        if plan.fiscal_years:
            funding_changed.send(sender=Funding, fiscal_years=set(plan.fiscal_years))


def _named(
    number: int, key: str, name: str, found: dict[str, list[Any]], problems: Problems
) -> Any:
    """The one project or organisation of exactly this name, else a problem and None."""
    if not name:
        problems.add(number, key, _("入力してください。"))
        return None
    matches = found.get(name, [])
    if not matches:
        problems.add(number, key, _("「%(name)s」は登録されていません。") % {"name": name})
        return None
    if len(matches) > 1:
        problems.add(number, key, _("「%(name)s」という名前が複数あります。") % {"name": name})
        return None
    return matches[0]


def _valid(number: int, funding: Funding, failed: frozenset[str], problems: Problems) -> bool:
    """The model's own checks (年度 range, lengths, choices) of the columns that were read,
    without a query per row: the project and funder were matched, the identity was planned."""
    try:
        funding.full_clean(
            exclude=["project", "funder", *failed],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                problems.add(number, name if name in COLUMN_LABELS else "", message)
        return False
    return True


def funding_import(*, data: bytes, filename: str, dry_run: bool, user: Any = None) -> FundingImport:
    """Import funding records from a CSV or XLSX file, all or nothing.

    On any problem, or in a dry run, nothing is saved. Problems name the spreadsheet row and
    the column.
    """
    sheet = FundingSheet()
    prepared = prepare(sheet, data, filename)
    outcome = FundingImport(dry_run=dry_run, problems=prepared.problems)
    if prepared.plan is not None and prepared.ok:
        outcome.rows = prepared.plan.rows
        if not dry_run:
            apply_plan(sheet, prepared, user=user)
    return outcome


def funding_import_upload(
    *, upload: PendingUpload, data: bytes, user: Any = None
) -> FundingImport | None:
    """Import a held funding file once: None when another request already imported it.

    The upload is claimed in the import's transaction: of two confirms exactly one imports.
    A file that shows problems after all (the database changed meanwhile) is not claimed and
    stays held.
    """
    from django.urls import reverse

    sheet = FundingSheet()
    prepared = prepare(sheet, data, upload.name)
    outcome = FundingImport(dry_run=False, problems=prepared.problems)
    if prepared.plan is None or not prepared.ok:
        return outcome
    outcome.rows = prepared.plan.rows
    applied = apply_held(
        sheet, prepared, upload=upload, user=user, result_url=reverse("projects:project_list")
    )
    return outcome if applied is not None else None
