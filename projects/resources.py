"""Funding records in and out of spreadsheets (django-import-export), for staff and the admin.

Columns (Japanese or English headers on the staff page; English keys in the admin):
project/事業, fiscal_year/年度, funder/資金提供者, scheme/制度・事業名, kind/財源の種類,
amount/金額（円）, status/状態, note/メモ. A row is identified by (project, fiscal year, funder,
scheme): importing the same row again updates it. Rows are saved one by one with ``save()`` (no
``use_bulk``) so history is recorded, inside one transaction rolled back on any error.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from consortium.tabular import Column, excel_safe
from members.models import Organisation

from .models import Funding, FundingKind, FundingStatus, Project
from .signals import funding_changed

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


def _normalise(value) -> str:
    return unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()


class NamedWidget(widgets.ForeignKeyWidget):
    """An organisation or project by its exact name; a clear message when there is none."""

    def clean(self, value, row=None, **kwargs):
        name = _normalise(value)
        if not name:
            return None
        matches = list(self.model.objects.filter(name=name)[:2])
        if not matches:
            raise ValueError(_("「%(name)s」は登録されていません。") % {"name": name})
        if len(matches) > 1:
            raise ValueError(_("「%(name)s」という名前が複数あります。") % {"name": name})
        return matches[0]


class ChoiceWidget(widgets.Widget):
    """A choice by its code (``grant``) or its Japanese/English label (交付金・補助金)."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _normalise(value)
        if not text:
            return None
        for code, label in self.choices.choices:
            if text.lower() in {code, _normalise(label).lower(), _normalise(_(label)).lower()}:
                return code
        allowed = "、".join(str(label) for _code, label in self.choices.choices)
        raise ValueError(
            _("「%(value)s」は選べません（%(allowed)s）。") % {"value": text, "allowed": allowed}
        )

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices.choices).get(value, value or ""))


class FiscalYearWidget(widgets.Widget):
    """2018, 2018年度 or FY2018."""

    def clean(self, value, row=None, **kwargs):
        text = _normalise(value)
        match = re.fullmatch(r"(?:fy)?\s*(\d{4})\s*(?:年度)?", text.lower())
        if not match:
            raise ValueError(
                _("「%(value)s」は年度として読めません（例: 2018）。") % {"value": text}
            )
        return int(match[1])

    def render(self, value, obj=None, **kwargs):
        return value


class AmountWidget(widgets.Widget):
    """Yen as a whole number: 1000000, 1,000,000 or ¥1,000,000; empty means unknown."""

    def clean(self, value, row=None, **kwargs):
        text = _normalise(value).replace(",", "").replace("¥", "").replace("円", "")
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

    def render(self, value, obj=None, **kwargs):
        return value


class FundingResource(resources.ModelResource):
    project = fields.Field("project", "project", NamedWidget(Project, "name"))
    fiscal_year = fields.Field("fiscal_year", "fiscal_year", FiscalYearWidget())
    funder = fields.Field("funder", "funder", NamedWidget(Organisation, "name"))
    scheme = fields.Field("scheme", "scheme")
    kind = fields.Field("kind", "kind", ChoiceWidget(FundingKind))
    amount = fields.Field("amount", "amount", AmountWidget())
    status = fields.Field("status", "status", ChoiceWidget(FundingStatus))
    note = fields.Field("note", "note")

    class Meta:
        model = Funding
        fields = ("project", "fiscal_year", "funder", "scheme", "kind", "amount", "status", "note")
        import_id_fields = ("project", "fiscal_year", "funder", "scheme")
        clean_model_instances = True
        use_transactions = True
        use_bulk = False  # save() per row: history and all-or-nothing
        skip_unchanged = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fiscal_years: set[int] = set()

    def get_queryset(self):
        return Funding.objects.select_related("project", "funder")

    def get_instance(self, instance_loader, row):
        # A bad project or funder name is reported per column by import_instance, not here.
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def before_import_row(self, row, **kwargs):
        # An empty status means the common case, money granted.
        if not _normalise(row.get("status")):
            row["status"] = FundingStatus.ADOPTED

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            self.fiscal_years.add(instance.fiscal_year)

    def after_import(self, dataset, result, **kwargs):
        failed = result.has_errors() or result.has_validation_errors()
        if not kwargs.get("dry_run") and not failed and self.fiscal_years:
            funding_changed.send(sender=Funding, fiscal_years=set(self.fiscal_years))

    def export_field(self, field, instance, **kwargs):
        """Names for project and funder. Text formats escape formula-looking text; binary ones
        (XLSX, ``force_native_type``) keep numbers and text as they are (typed cells)."""
        value = super().export_field(field, instance, **kwargs)
        if field.attribute in ("project", "funder"):
            value = getattr(getattr(instance, field.attribute), "name", "")
        return value if kwargs.get("force_native_type") else excel_safe(value)

    def after_export(self, queryset, dataset, **kwargs):
        dataset.title = _("資金")
