"""Forms of 公募: they validate input, the services in ``projects.calls.services`` write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consortium.fiscal import current_fiscal_year, fiscal_year_choices
from consortium.widgets import DateTimeLocalInput, EnglishTextInput
from members.models import Organisation, Sector, StudyGroup

from ..models import FIRST_FISCAL_YEAR, FISCAL_YEARS_AHEAD
from .models import Application, BudgetLine, Call, CityChallenge, ReviewCriterion, SupportKind
from .services.applications import check_budget_total, validate_attachment

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
JST_HELP = _("日本時間（JST）で入力します。")


class CallForm(forms.ModelForm):
    eligible_sectors = forms.MultipleChoiceField(
        label=_("応募できる区分"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("どれも選ばない場合は、すべての区分が応募できます。"),
    )
    fiscal_year = forms.TypedChoiceField(label=_("予算年度"), coerce=int)

    class Meta:
        model = Call
        fields = [
            "title",
            "purpose",
            "eligible_sectors",
            "support_kinds",
            "max_amount",
            "opens_at",
            "closes_at",
            "review_starts_at",
            "review_ends_at",
            "adoptions_planned",
            "study_group",
            "theme",
            "fiscal_year",
            "funder",
            "number_code",
            "challenges",
            "anonymous_review",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 6}),
            "support_kinds": forms.CheckboxSelectMultiple,
            "challenges": forms.CheckboxSelectMultiple,
            "opens_at": DateTimeLocalInput(),
            "closes_at": DateTimeLocalInput(),
            "review_starts_at": DateTimeLocalInput(),
            "review_ends_at": DateTimeLocalInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        last = current_fiscal_year() + FISCAL_YEARS_AHEAD
        self.fields["fiscal_year"].choices = fiscal_year_choices(FIRST_FISCAL_YEAR, last)
        if not self.instance.pk:
            self.initial.setdefault("fiscal_year", current_fiscal_year())
        for name in ("opens_at", "closes_at", "review_starts_at", "review_ends_at"):
            self.fields[name].help_text = JST_HELP
        self.fields["study_group"].queryset = StudyGroup.objects.with_family()
        self.fields["funder"].queryset = Organisation.objects.filter(is_confirmed=True)
        self.fields["support_kinds"].queryset = SupportKind.objects.all()
        self.fields["challenges"].queryset = CityChallenge.objects.all()

    def clean_max_amount(self):
        amount = self.cleaned_data.get("max_amount")
        if amount is not None and amount <= 0:
            raise ValidationError(_("支援上限額は1円以上にしてください。"), code="amount")
        return amount

    def clean_number_code(self):
        code = (self.cleaned_data.get("number_code") or "").strip()
        if not code.isascii() or not code.isalnum():
            raise ValidationError(
                _("受付番号の記号は半角英数字で入れてください（例: T）。"), code="number_code"
            )
        return code.upper()

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        review_start = cleaned.get("review_starts_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("募集締切は募集開始より後にしてください。"))
        if closes and review_start and review_start < closes:
            self.add_error("review_starts_at", _("審査開始は募集締切以降にしてください。"))
        return cleaned


def _blank_new_row(form: forms.ModelForm, names: tuple[str, ...]) -> bool:
    """An added formset row whose main fields were left empty: ignored, not an error (its
    order and weight keep their defaults, whatever the browser sends)."""
    if form.instance.pk is not None:
        return False
    return not any((form.data.get(form.add_prefix(name)) or "").strip() for name in names)


class ReviewCriterionForm(forms.ModelForm):
    class Meta:
        model = ReviewCriterion
        fields = ["order", "name", "weight", "description"]
        widgets = {"description": forms.TextInput}

    def has_changed(self):
        return not _blank_new_row(self, ("name", "description")) and super().has_changed()


class _CriterionFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, require_one: bool = False, **kwargs):
        self.require_one = require_one
        super().__init__(*args, **kwargs)

    def clean(self):
        super().clean()
        if any(self.errors) or not self.require_one:
            return
        kept = [
            f
            for f in self.forms
            if f.cleaned_data and f.cleaned_data.get("name") and not f.cleaned_data.get("DELETE")
        ]
        if not kept:
            raise ValidationError(
                _("公開中の公募には審査項目が1つ以上必要です。"), code="no_criteria"
            )


CriterionFormSet = inlineformset_factory(
    Call,
    ReviewCriterion,
    form=ReviewCriterionForm,
    formset=_CriterionFormSet,
    extra=3,
    can_delete=True,
)


class CityChallengeForm(forms.ModelForm):
    class Meta:
        model = CityChallenge
        fields = ["department", "title", "description", "contact"]


class SupportKindForm(forms.ModelForm):
    class Meta:
        model = SupportKind
        fields = ["name", "name_en", "order"]
        widgets = {"name_en": EnglishTextInput()}


class MultiplePDFInput(forms.FileInput):
    allow_multiple_selected = True


class MultiplePDFField(forms.FileField):
    """Several PDFs in one input; each is checked as ``validate_attachment`` does."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultiplePDFInput(attrs={"accept": "application/pdf,.pdf"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        uploads = data if isinstance(data, (list, tuple)) else [data]
        cleaned = [single(upload, initial) for upload in uploads if upload]
        if self.required and not cleaned:
            raise ValidationError(self.error_messages["required"], code="required")
        errors = []
        for upload in cleaned:
            try:
                validate_attachment(upload)
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned


class ApplicationForm(forms.ModelForm):
    """The applicant's proposal; choices are limited to what the call offers."""

    attachments = MultiplePDFField(
        label=_("添付資料（PDF）"),
        required=False,
    )

    class Meta:
        model = Application
        fields = [
            "title",
            "summary",
            "challenge",
            "place",
            "period_start",
            "period_end",
            "partners",
            "requested_support",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 8}),
            "period_start": DATE,
            "period_end": DATE,
            "partners": forms.CheckboxSelectMultiple,
            "requested_support": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, call: Call, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.call = call
        self.fields["attachments"].help_text = "{} {}".format(
            gettext("提案書などを添付します。複数選べます。"), attachment_help()
        )
        challenge = cast(forms.ModelChoiceField, self.fields["challenge"])
        challenge.queryset = call.challenges.all()
        challenge.empty_label = _("（選ばない）")
        requested_support = cast(forms.ModelMultipleChoiceField, self.fields["requested_support"])
        requested_support.queryset = call.support_kinds.all()
        partners = cast(forms.ModelMultipleChoiceField, self.fields["partners"])
        partners.queryset = Organisation.objects.filter(is_confirmed=True).exclude(
            pk=organisation.pk
        )
        if not call.challenges.exists():
            del self.fields["challenge"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("実証期間の終了日は開始日以降にしてください。"))
        return cleaned


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["item", "amount"]
        widgets = {"amount": forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"})}

    def has_changed(self):
        return not _blank_new_row(self, ("item", "amount")) and super().has_changed()


class _BudgetFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, maximum: int, **kwargs):
        self.maximum = maximum
        super().__init__(*args, **kwargs)

    def total(self) -> int:
        return sum(
            f.cleaned_data.get("amount") or 0
            for f in self.forms
            if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")
        )

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        check_budget_total(self.total(), self.maximum)


BudgetFormSet = inlineformset_factory(
    Application,
    BudgetLine,
    form=BudgetLineForm,
    formset=_BudgetFormSet,
    extra=3,
    can_delete=True,
)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("添付資料（PDF）"),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = attachment_help()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_attachment(upload)
        return upload


def attachment_help() -> str:
    return _("PDFのみ、1ファイル%(size)sまで。") % {
        "size": filesizeformat(settings.KYOSO_CALL_ATTACHMENT_MAX_BYTES)
    }
