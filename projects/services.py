"""Writes of the projects app. Every write that is more than one save() lives here, and every
write that changes funding or a project's phase announces it with the app's domain signals."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

import tablib
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext

from consortium.fiscal import fiscal_year_of
from consortium.models import PendingUpload
from consortium.tabular import TableError, read_table
from consortium.uploads import pending_upload_claim
from members.models import Organisation, StudyGroup

from .models import (
    Agreement,
    Funding,
    Outcome,
    Phase,
    PhaseTransition,
    Project,
)
from .signals import funding_changed, outcome_changed, project_changed


@transaction.atomic
def project_save(
    *,
    project: Project,
    partners: Iterable[Organisation],
    study_groups: Iterable[StudyGroup],
) -> Project:
    """Create or update a project with its partners and study groups; announce the change."""
    project.full_clean()
    project.save()
    project.partners.set(partners)
    project.study_groups.set(study_groups)
    project_changed.send(sender=Project, project_ids={project.pk})
    return project


@transaction.atomic
def phase_transition_record(
    *,
    project: Project,
    phase: Phase,
    started_on: dt.date,
    note: str = "",
    recorded_by: User | None = None,
) -> PhaseTransition:
    """Add a dated phase transition. Earlier transitions stay as they are: the history of a
    project is the list of its transitions, and the current phase is the latest by date."""
    transition = PhaseTransition(
        project=project, phase=phase, started_on=started_on, note=note, recorded_by=recorded_by
    )
    transition.full_clean()
    transition.save()
    project_changed.send(sender=Project, project_ids={project.pk})
    return transition


@transaction.atomic
def phase_save(*, phase: Phase) -> Phase:
    phase.full_clean()
    phase.save()
    return phase


@transaction.atomic
def phase_move(*, phase: Phase, up: bool) -> None:
    """Swap a phase with its neighbour in the display order (renumbering 10, 20, 30 …)."""
    phases = list(Phase.objects.order_by("order", "pk"))
    index = next(i for i, p in enumerate(phases) if p.pk == phase.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(phases):
        phases[index], phases[other] = phases[other], phases[index]
    for position, item in enumerate(phases, start=1):
        if item.order != position * 10:
            item.order = position * 10
            item.save(update_fields=["order"])


@transaction.atomic
def funding_save(*, funding: Funding) -> Funding:
    """Create or update a funding record (history kept). Announces both fiscal years when the
    record moves from one year to another."""
    years = {funding.fiscal_year}
    if funding.pk:
        previous = Funding.objects.filter(pk=funding.pk).values_list("fiscal_year", flat=True)
        years.update(previous)
    funding.full_clean()
    funding.save()
    funding_changed.send(sender=Funding, fiscal_years=years)
    return funding


@transaction.atomic
def funding_delete(*, funding: Funding) -> None:
    year = funding.fiscal_year
    funding.delete()
    funding_changed.send(sender=Funding, fiscal_years={year})


@transaction.atomic
def outcome_save(*, outcome: Outcome, organisations: Iterable[Organisation]) -> Outcome:
    """Create or update an outcome with the organisations involved. The 実績指標 count it in the
    fiscal year of its date: a new date moves it from one year to another."""
    outcome.full_clean()
    before = (
        Outcome.objects.filter(pk=outcome.pk).values_list("date", flat=True).first()
        if outcome.pk
        else None
    )
    outcome.save()
    outcome.organisations.set(organisations)
    project_changed.send(sender=Project, project_ids={outcome.project_id})
    years = {outcome.fiscal_year} | ({fiscal_year_of(before)} if before else set())
    outcome_changed.send(sender=Outcome, fiscal_years=years)
    return outcome


@transaction.atomic
def outcome_delete(*, outcome: Outcome) -> None:
    year, project_id = outcome.fiscal_year, outcome.project_id
    outcome.delete()
    project_changed.send(sender=Project, project_ids={project_id})
    outcome_changed.send(sender=Outcome, fiscal_years={year})


@transaction.atomic
def agreement_save(
    *,
    agreement: Agreement,
    projects: Iterable[Project],
    parties: Iterable[tuple[Organisation, str]],
    articles: Iterable[tuple[int, str, str]],
) -> Agreement:
    """Create or update an agreement with its parties (organisation, role) and its articles
    (number, title, text), replacing the previous parties and articles as a whole."""
    agreement.full_clean()
    agreement.save()
    agreement.projects.set(projects)
    agreement.parties.all().delete()
    for order, (organisation, role) in enumerate(parties, start=1):
        agreement.parties.create(organisation=organisation, role=role, order=order)
    agreement.articles.all().delete()
    for number, title, text in articles:
        agreement.articles.create(number=number, title=title, text=text)
    return agreement


@dataclass
class ImportProblem:
    row: int | None  # spreadsheet row (header = 1); None for the file as a whole
    column: str  # the column's header as people see it, "" for the whole row
    message: str


@dataclass
class FundingImport:
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool
    rows: list[dict] = field(default_factory=list)  # {"row", "action", "values"}
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run


def funding_import(*, data: bytes, filename: str, dry_run: bool) -> FundingImport:
    """Import funding records from a CSV or XLSX file, all or nothing.

    Headers may be Japanese or English (see ``projects.resources.COLUMNS``). Rows go through
    ``FundingResource`` one ``save()`` at a time, so history is kept; on any problem, or in a dry
    run, the transaction is rolled back and nothing is saved. ``funding_changed`` is sent once with
    every fiscal year touched, only when rows were really saved. Problems name the spreadsheet row
    and the column.
    """
    from .resources import COLUMN_LABELS, COLUMNS, FundingResource

    outcome = FundingImport(dry_run=dry_run)
    try:
        table = read_table(data, filename, COLUMNS)
    except TableError as exc:
        outcome.problems.append(ImportProblem(row=None, column="", message=str(exc)))
        return outcome
    if not table.rows:
        outcome.problems.append(
            ImportProblem(row=None, column="", message=gettext("データの行がありません。"))
        )
        return outcome
    headers = [column.key for column in COLUMNS]
    dataset = tablib.Dataset(headers=headers)
    for row in table.rows:
        dataset.append([row.values.get(key, "") for key in headers])
    numbers = [row.number for row in table.rows]  # dataset row i (1-based) → spreadsheet row

    result = FundingResource().import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
    )
    for index, errors in result.row_errors():
        for error in errors:
            outcome.problems.append(
                ImportProblem(row=_row_number(numbers, index), column="", message=str(error.error))
            )
    for invalid in result.invalid_rows:
        for name, messages in invalid.error_dict.items():
            column = COLUMN_LABELS.get(name, "") if name != "__all__" else ""
            for message in messages:
                outcome.problems.append(
                    ImportProblem(
                        row=_row_number(numbers, invalid.number),
                        column=column,
                        message=str(message),
                    )
                )
    outcome.problems.sort(key=lambda p: (p.row or 0, p.column))
    for index, row_result in enumerate(result.rows, start=1):
        outcome.rows.append(
            {
                "row": _row_number(numbers, index),
                "action": row_result.import_type,
                "values": dict(zip(headers, dataset[index - 1], strict=True)),
            }
        )
    return outcome


def funding_import_upload(*, upload: PendingUpload, data: bytes) -> FundingImport | None:
    """Import a held funding file once: None when another request already imported it.

    The upload is claimed in the import's transaction: of two confirms exactly one imports.
    If the import finds problems after all, the claim is undone with it and the file kept.
    """
    from django.urls import reverse

    with transaction.atomic():
        if not pending_upload_claim(upload=upload, result_url=reverse("projects:project_list")):
            return None
        outcome = funding_import(data=data, filename=upload.name, dry_run=False)
        if not outcome.saved:
            transaction.set_rollback(True)
    return outcome


def _row_number(numbers: list[int], index: int | None) -> int | None:
    if index is None or not 1 <= index <= len(numbers):
        return None
    return numbers[index - 1]


def funding_export(*, fundings, language: str = "ja") -> bytes:
    """Funding records as CSV for Excel (UTF-8 with BOM), formula-like cells escaped."""
    from .resources import COLUMN_LABELS, COLUMNS, FundingResource

    dataset = FundingResource().export(queryset=fundings)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([COLUMN_LABELS[c.key] if language == "ja" else c.key for c in COLUMNS])
    for values in dataset:
        writer.writerow(["" if value is None else value for value in values])
    return buffer.getvalue().encode("utf-8-sig")
