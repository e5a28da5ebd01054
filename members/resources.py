"""import-export resources of the members app.

``RosterResource`` is the roster in the admin: its import is the roster sheet of the import
pipeline (``members.importing``, the same all-or-nothing import as ``manage.py import_roster``); its
export writes the same columns (市内 as 市内/市外). In CSV, formula-looking text is escaped
(``excel_safe``); XLSX (``consortium.xlsx.TypedXLSX``) stores it unchanged as string cells.
"""

from __future__ import annotations

from typing import Any

import tablib
from django.utils.translation import gettext_lazy as _
from import_export import resources

from consortium.importing import Prepared
from consortium.importing.admin import SheetResource
from consortium.tabular import excel_safe

from .importing import COLUMNS, RosterPlan, RosterSheet
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


class RosterResource(SheetResource, resources.ModelResource):
    """The roster file (団体名, 区分, 氏名, 研究会 …) for the admin's import and export."""

    class Meta:
        model = Organisation
        fields = ("name", "name_kana", "sector", "is_local", "corporate_number")
        name = _("名簿（団体・担当者・研究会）")

    sheet_class = RosterSheet

    def row_actions(self, prepared: Prepared[Any]) -> dict[int, str]:
        plan: RosterPlan | None = prepared.plan
        return plan.result.row_actions if plan is not None else {}

    def export(self, queryset=None, **kwargs) -> tablib.Dataset:
        """Text formats get the apostrophe; binary ones (XLSX, ``force_native_type``) the values
        as they are, which ``TypedXLSX`` writes as string cells."""
        queryset = Organisation.objects.all() if queryset is None else queryset
        dataset = tablib.Dataset(headers=[column.ja for column in COLUMNS], title=str(_("名簿")))
        native = kwargs.get("force_native_type", False)
        for row in roster_rows(queryset):
            dataset.append(row if native else [excel_safe(value) for value in row])
        return dataset
