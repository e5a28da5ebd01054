"""Forms of the events app: they validate input only; services write."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from consortium.fiscal import fiscal_year_choices
from consortium.uploads import validate_upload
from consortium.widgets import DateTimeLocalInput
from members.models import Organisation, Person, Sector, StudyGroup

from .models import MATERIAL_KINDS, AttendanceStatus, Meeting, MeetingKind


def _formfield(model_field, **kwargs):
    # Links typed without a scheme are https (Django 6's default; silences the 5.x warning).
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        formfield_callback = _formfield
        fields = [
            "study_group",
            "project",
            "kind",
            "title",
            "date",
            "starts_at",
            "ends_at",
            "venue",
            "online_url",
            "description",
            "capacity",
            "registration_opens_at",
            "registration_closes_at",
            "visibility",
            "minutes",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "registration_opens_at": DateTimeLocalInput(),
            "registration_closes_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["study_group"].queryset = StudyGroup.objects.with_family()
        self.fields["date"].required = False

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("date") and not cleaned.get("starts_at"):
            self.add_error("date", _("開催日か開始日時を入れてください。"))
        return cleaned

    def _post_clean(self):
        # The model derives date from starts_at; do it before the model's own checks run.
        if self.cleaned_data.get("starts_at") and not self.cleaned_data.get("date"):
            self.cleaned_data["date"] = self.cleaned_data["starts_at"].date()
        super()._post_clean()


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("中止の理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("申込者へのお知らせメールに載ります。"),
    )


class MeetingFilterForm(forms.Form):
    WHEN_CHOICES = [("upcoming", _("今後の会議")), ("past", _("過去の会議")), ("all", _("すべて"))]

    when = forms.ChoiceField(label=_("時期"), choices=WHEN_CHOICES, required=False)
    fiscal_year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False)
    study_group = forms.ModelChoiceField(
        label=_("研究会"), queryset=StudyGroup.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_("種別"), choices=[("", "---------"), *MeetingKind.choices], required=False
    )

    def __init__(self, *args, fiscal_years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "---------")]
        if fiscal_years:
            choices += list(reversed(fiscal_year_choices(min(fiscal_years), max(fiscal_years))))
        self.fields["fiscal_year"].choices = choices
        self.fields["study_group"].queryset = StudyGroup.objects.with_family()


class RegistrationForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("参加者"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("ご自身と同じ団体の方をまとめて申し込めます。"),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people


class AttendanceMarkForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=[*AttendanceStatus.choices, ("clear", _("未記録に戻す"))])
    # The status the row showed when the staffer clicked ("": not recorded). Absent from older
    # pages: then the mark is written without the check.
    seen = forms.ChoiceField(choices=[("", ""), *AttendanceStatus.choices], required=False)

    def clean_seen(self) -> str | None:
        return self.cleaned_data["seen"] if "seen" in self.data else None


class WalkInForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("登録済みの人"),
        queryset=Person.objects.filter(organisation__isnull=False),
        required=False,
    )
    name = forms.CharField(label=_("氏名"), max_length=100, required=False)
    email = forms.EmailField(label=_("メール"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("登録済みの団体"), queryset=Organisation.objects.all(), required=False
    )
    organisation_name = forms.CharField(label=_("新しい団体名"), max_length=200, required=False)
    sector = forms.ChoiceField(
        label=_("区分"), choices=Sector.choices, initial=Sector.OTHER, required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("person"):
            return cleaned
        if not cleaned.get("name"):
            self.add_error("name", _("登録済みの人を選ぶか、氏名を入れてください。"))
        if not cleaned.get("organisation") and not cleaned.get("organisation_name"):
            self.add_error(
                "organisation_name", _("登録済みの団体を選ぶか、新しい団体名を入れてください。")
            )
        return cleaned


class HeadcountForm(forms.Form):
    unnamed_headcount = forms.IntegerField(label=_("当日参加・+α"), min_value=0)


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("資料名"), max_length=200, required=False)
    file = forms.FileField(label=_("ファイル"), help_text=_("PDF、Excel、Word、PowerPoint、画像"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload, kinds=MATERIAL_KINDS)
        return upload


class ImportUploadForm(forms.Form):
    ENCODINGS = [
        ("", _("自動判定")),
        ("utf-8-sig", _("UTF-8")),
        ("cp932", _("Shift_JIS（cp932）")),
    ]
    file = forms.FileField(label=_("出席簿ファイル"), help_text=_("CSV または Excel（.xlsx）"))
    encoding = forms.ChoiceField(label=_("文字コード（CSV）"), choices=ENCODINGS, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload, kinds=("csv", "xlsx"))
        return upload
