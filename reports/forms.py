"""Forms of the reports app: they validate the dashboard filter and the export options only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DashboardFilterForm(forms.Form):
    """Ids only: the dashboard already loads the choices, so validation costs no query."""

    study_group = forms.IntegerField(label=_("研究会"), required=False, min_value=1)
    project = forms.IntegerField(label=_("事業"), required=False, min_value=1)


class ExportForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("年度"), required=False, min_value=1989)
    encoding = forms.ChoiceField(
        label=_("文字コード"),
        choices=[("utf-8-sig", _("UTF-8（BOM付き）")), ("cp932", _("Shift_JIS（cp932）"))],
        required=False,
    )
    header = forms.ChoiceField(
        label=_("見出し"), choices=[("ja", _("日本語")), ("en", _("英語"))], required=False
    )

    def clean_encoding(self) -> str:
        return self.cleaned_data.get("encoding") or "utf-8-sig"

    def clean_header(self) -> str:
        return self.cleaned_data.get("header") or "ja"
