"""Writes of the projects app. Every write that is more than one save() lives here, and every
write that changes funding or a project's phase announces it with the app's domain signals."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction

from consortium.fiscal import fiscal_year_of
from members.models import Organisation, StudyGroup

from .importing import FundingImport, funding_import, funding_import_upload
from .models import (
    Agreement,
    Funding,
    Outcome,
    Phase,
    PhaseTransition,
    Project,
)
from .signals import funding_changed, outcome_changed, project_changed

# The funding import lives in ``projects.importing`` (a sheet of the import pipeline).
__all__ = ["FundingImport", "funding_import", "funding_import_upload"]


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
