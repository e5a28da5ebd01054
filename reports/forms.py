"""Forms of the reports app: they validate the dashboard filter and the export options only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# The fiscal years a report can be asked for (平成元年度 to a far year). A year outside them is a
# typing error, not a request; unbounded, 99999999999999999999 overflowed the database's
# smallint column and answered 500.
FIRST_FISCAL_YEAR = 1989
LAST_FISCAL_YEAR = 2100
# Ids are 64-bit (BigAutoField); a larger number is no row, and overflowed the database driver.
MAX_ID = 2**63 - 1


class DashboardFilterForm(forms.Form):
    """Ids only: the dashboard already loads the choices, so validation costs no query."""

    study_group = forms.IntegerField(
        label=_("研究会"), required=False, min_value=1, max_value=MAX_ID
    )
    project = forms.IntegerField(label=_("事業"), required=False, min_value=1, max_value=MAX_ID)
    fiscal_year = forms.IntegerField(
        label=_("年度"),
        required=False,
        min_value=FIRST_FISCAL_YEAR,
        max_value=LAST_FISCAL_YEAR,
    )
    # The funding cliffs are many at prefecture scale: the newest are shown, all on request.
    cliffs = forms.ChoiceField(choices=[("all", "all")], required=False)


class ExportForm(forms.Form):
    fiscal_year = forms.IntegerField(
        label=_("年度"),
        required=False,
        min_value=FIRST_FISCAL_YEAR,
        max_value=LAST_FISCAL_YEAR,
    )
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
