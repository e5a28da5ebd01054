"""Forms of the projects app: they validate input, services write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from consortium.fiscal import current_fiscal_year, fiscal_year_choices
from consortium.uploads import validate_upload
from consortium.widgets import EnglishTextInput
from members.models import Organisation, StudyGroup

from .models import (
    FIRST_FISCAL_YEAR,
    FISCAL_YEARS_AHEAD,
    Agreement,
    Funding,
    Outcome,
    Phase,
    Project,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "name",
            "theme",
            "description",
            "lead_organisation",
            "partners",
            "study_groups",
            "is_public",
        ]
        widgets = {"partners": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["study_groups"].queryset = StudyGroup.objects.with_family()


class PhaseTransitionForm(forms.Form):
    phase = forms.ModelChoiceField(label=_("段階"), queryset=Phase.objects.all())
    started_on = forms.DateField(label=_("開始日"), widget=DATE)
    note = forms.CharField(label=_("メモ"), required=False, widget=forms.Textarea)


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["name", "name_en", "order"]
        widgets = {"name_en": EnglishTextInput()}


class FundingForm(forms.ModelForm):
    fiscal_year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    amount = forms.IntegerField(
        label=_("金額（円）"),
        required=False,
        help_text=_("不明な場合は空欄にします。"),
    )

    class Meta:
        model = Funding
        fields = ["fiscal_year", "funder", "scheme", "kind", "amount", "status", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        last = current_fiscal_year() + FISCAL_YEARS_AHEAD
        self.fields["fiscal_year"].choices = fiscal_year_choices(FIRST_FISCAL_YEAR, last)
        self.fields["fiscal_year"].error_messages["invalid_choice"] = _(
            "年度は%(first)s〜%(last)sの範囲で選んでください。"
        ) % {"first": FIRST_FISCAL_YEAR, "last": last}

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount < 0:
            raise ValidationError(_("金額は0以上にしてください。"), code="negative_amount")
        return amount


class OutcomeForm(forms.ModelForm):
    url = forms.URLField(label=_("リンク"), required=False, assume_scheme="https")

    class Meta:
        model = Outcome
        fields = ["kind", "date", "title", "organisations", "note", "url"]
        widgets = {"date": DATE, "organisations": forms.CheckboxSelectMultiple}


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "title",
            "kind",
            "status",
            "signed_on",
            "term_start",
            "term_end",
            "auto_renew",
            "summary",
            "document",
            "projects",
        ]
        widgets = {
            "signed_on": DATE,
            "term_start": DATE,
            "term_end": DATE,
            "document": forms.FileInput(attrs={"accept": "application/pdf"}),
            "projects": forms.CheckboxSelectMultiple,
        }

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document and hasattr(document, "content_type"):  # a new upload, not the stored file
            validate_upload(document, kinds=("pdf",))
        return document


class PartyForm(forms.Form):
    organisation = forms.CharField(
        label=_("団体"),
        required=False,
        help_text=_("登録済みの団体名を選ぶか入力します。"),
        widget=forms.TextInput(attrs={"list": "organisation-names"}),
    )
    role = forms.CharField(label=_("立場"), required=False, max_length=30)

    def clean_organisation(self):
        name = self.cleaned_data.get("organisation", "").strip()
        if not name:
            return None
        organisation = Organisation.objects.filter(name=name).first()
        if organisation is None:
            raise ValidationError(
                _("「%(name)s」は登録された団体ではありません。先に団体を登録してください。"),
                code="not_an_organisation",
                params={"name": name},
            )
        return organisation


class ArticleForm(forms.Form):
    number = forms.IntegerField(label=_("条番号"), min_value=1, required=False)
    title = forms.CharField(label=_("見出し"), required=False, max_length=200)
    text = forms.CharField(
        label=_("本文"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("text") and not data.get("number"):
            self.add_error("number", _("条番号を入れてください。"))
        if data.get("number") and not data.get("text"):
            self.add_error("text", _("本文を入れてください。"))
        return data


class _PartyFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        parties = [f.cleaned_data.get("organisation") for f in self.forms if f.cleaned_data]
        parties = [p for p in parties if p]
        for organisation in parties:
            if organisation.pk in seen:
                raise ValidationError(
                    _("「%(name)s」が当事者に2回入っています。"), params={"name": organisation}
                )
            seen.add(organisation.pk)
        if not parties:
            raise ValidationError(_("当事者の団体を1つ以上入れてください。"))

    def parties(self) -> list[tuple[Organisation, str]]:
        return [
            (f.cleaned_data["organisation"], f.cleaned_data.get("role", ""))
            for f in self.forms
            if f.cleaned_data.get("organisation")
        ]


class _ArticleFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        numbers = [f.cleaned_data.get("number") for f in self.forms if f.cleaned_data]
        numbers = [n for n in numbers if n]
        if len(numbers) != len(set(numbers)):
            raise ValidationError(_("同じ条番号が複数あります。"))

    def articles(self) -> list[tuple[int, str, str]]:
        rows = [
            (f.cleaned_data["number"], f.cleaned_data.get("title", ""), f.cleaned_data["text"])
            for f in self.forms
            if f.cleaned_data.get("number")
        ]
        return sorted(rows)


PartyFormSet = formset_factory(PartyForm, formset=_PartyFormSet, extra=2)
ArticleFormSet = formset_factory(ArticleForm, formset=_ArticleFormSet, extra=2)


class FundingImportForm(forms.Form):
    file = forms.FileField(
        label=_("ファイル（CSV または Excel）"),
        help_text=_(
            "1行目に見出し（事業、年度、資金提供者、制度・事業名、財源の種類、金額（円）、状態、メモ）が必要です。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload, kinds=("csv", "xlsx"), max_bytes=2 * 1024 * 1024)
        return upload
