"""import-export resources of the members app.

``RosterResource`` is the roster in the admin: its import hands the whole file to
``members.importing`` (the same all-or-nothing service as ``manage.py import_roster``), and its
export writes the same columns (市内 as 市内/市外). In CSV, formula-looking text is escaped
(``excel_safe``); XLSX (``consortium.xlsx.TypedXLSX``) stores it unchanged as string cells.
"""

from __future__ import annotations

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.results import Result, RowResult

from consortium.tabular import excel_safe

from .importing import COLUMNS, roster_import
from .models import Membership, Organisation


def _sector_word(organisation: Organisation) -> str:
    return str(organisation.get_sector_display())


def roster_rows(queryset) -> list[list[object]]:
    """One row per organisation × person × current membership, as the import expects."""
    queryset = queryset.prefetch_related(
        "people",
        # Active memberships only, so the file imports back without inventing history.
        models_prefetch(),
    ).order_by("name_kana", "name")
    rows: list[list[object]] = []
    for org in queryset:
        people = list(org.people.all()) or [None]
        groups = [m.study_group.full_name for m in org.current_memberships] or [""]
        for person in people:
            for group in groups:
                rows.append(
                    [
                        org.name,
                        org.name_kana,
                        _sector_word(org),
                        "市内" if org.is_local else "市外",
                        org.corporate_number or "",
                        person.name if person else "",
                        person.email if person else "",
                        person.department if person else "",
                        group,
                    ]
                )
    return rows


def models_prefetch():
    from django.db.models import Prefetch

    return Prefetch(
        "memberships",
        queryset=Membership.objects.active().select_related("study_group__parent"),
        to_attr="current_memberships",
    )


class RosterResource(resources.ModelResource):
    """The roster file (団体名, 区分, 氏名, 研究会 …) for the admin's import and export."""

    class Meta:
        model = Organisation
        fields = ("name", "name_kana", "sector", "is_local", "corporate_number")
        name = _("名簿（団体・担当者・研究会）")

    def get_diff_headers(self) -> list[str]:
        return [column.ja for column in COLUMNS]

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs) -> Result:
        """All rows or none, through the roster service; errors name the row and column."""
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = len(dataset)
        data = dataset.export("csv").encode("utf-8")
        outcome = roster_import(data=data, filename="roster.csv", dry_run=dry_run)
        if outcome.file_error:
            # import-export's Error wants an exception (it formats a traceback from it).
            error = ValidationError(outcome.file_error, code="file")
            result.append_base_error(self.get_error_result_class()(error))
            return result
        by_row: dict[int, dict[str, list[str]]] = {}
        for error in outcome.errors:
            by_row.setdefault(error.row, {}).setdefault(error.column_label or "__all__", []).append(
                error.message
            )
        headers = list(dataset.headers or [])
        for number, values in enumerate(dataset, start=2):
            cells = dict(zip(headers, values, strict=False))
            shown = [cells.get(c.ja, cells.get(c.key, "")) for c in COLUMNS]
            if number in by_row:
                result.invalid_rows.append(
                    _invalid_row(number, ValidationError(by_row[number]), shown)
                )
                continue
            row_result = self.get_row_result_class()()
            row_result.import_type = outcome.row_actions.get(number, RowResult.IMPORT_TYPE_SKIP)
            row_result.diff = shown
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        if result.invalid_rows:
            result.totals[RowResult.IMPORT_TYPE_INVALID] = len(result.invalid_rows)
        return result

    def export(self, queryset=None, **kwargs) -> tablib.Dataset:
        """Text formats get the apostrophe; binary ones (XLSX, ``force_native_type``) the values
        as they are, which ``TypedXLSX`` writes as string cells."""
        queryset = Organisation.objects.all() if queryset is None else queryset
        dataset = tablib.Dataset(headers=[column.ja for column in COLUMNS], title=str(_("名簿")))
        native = kwargs.get("force_native_type", False)
        for row in roster_rows(queryset):
            dataset.append(row if native else [excel_safe(value) for value in row])
        return dataset


def _invalid_row(number: int, error: ValidationError, values: list[object]):
    from import_export.results import InvalidRow

    return InvalidRow(number=number, validation_error=error, values=tuple(values))
