"""Funding records in and out of spreadsheets (django-import-export), for the admin.

The import is the funding sheet of the import pipeline (``projects.importing``, the same as the
staff page's); the export writes the same columns: project/事業, fiscal_year/年度,
funder/資金提供者, scheme/制度・事業名, kind/財源の種類, amount/金額（円）, status/状態, note/メモ.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from consortium.importing import Prepared
from consortium.importing.admin import SheetResource
from consortium.tabular import excel_safe

from .importing import COLUMN_LABELS, COLUMNS, FundingPlan, FundingSheet
from .models import Funding, FundingKind, FundingStatus

__all__ = ["COLUMNS", "COLUMN_LABELS", "FundingResource"]


class ChoiceWidget(widgets.Widget):
    """A choice written as its label (交付金・補助金)."""

    def __init__(self, choices: Any, **kwargs: Any) -> None:
        self.choices = choices
        super().__init__(**kwargs)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return str(dict(self.choices.choices).get(value, value or ""))


class ValueWidget(widgets.Widget):
    """A number as it is (a year, an amount in yen), typed in XLSX."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return value


class FundingResource(SheetResource, resources.ModelResource):
    project = fields.Field("project", "project")
    fiscal_year = fields.Field("fiscal_year", "fiscal_year", ValueWidget())
    funder = fields.Field("funder", "funder")
    scheme = fields.Field("scheme", "scheme")
    kind = fields.Field("kind", "kind", ChoiceWidget(FundingKind))
    amount = fields.Field("amount", "amount", ValueWidget())
    status = fields.Field("status", "status", ChoiceWidget(FundingStatus))
    note = fields.Field("note", "note")

    class Meta:
        model = Funding
        fields = ("project", "fiscal_year", "funder", "scheme", "kind", "amount", "status", "note")
        import_id_fields = ("project", "fiscal_year", "funder", "scheme")

    sheet_class = FundingSheet

    def row_actions(self, prepared: Prepared[Any]) -> dict[int, str]:
        plan: FundingPlan | None = prepared.plan
        return {row["row"]: row["action"] for row in plan.rows} if plan is not None else {}

    def get_queryset(self) -> Any:
        return Funding.objects.select_related("project", "funder")

    def export_field(self, field, instance, **kwargs):
        """Names for project and funder. Text formats escape formula-looking text; binary ones
        (XLSX, ``force_native_type``) keep numbers and text as they are (typed cells)."""
        value = super().export_field(field, instance, **kwargs)
        if field.attribute in ("project", "funder"):
            value = getattr(getattr(instance, field.attribute), "name", "")
        return value if kwargs.get("force_native_type") else excel_safe(value)

    def after_export(self, queryset, dataset, **kwargs):
        dataset.title = _("資金")
