"""Forms of the members app: they validate input only; writes happen in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm

from consortium.uploads import validate_upload

from .models import Organisation, Sector, StudyGroup
from .validators import normalise_corporate_number, validate_corporate_number


class SignupForm(forms.Form):
    """Extra sign-up fields (allauth ``ACCOUNT_SIGNUP_FORM_CLASS``): who you are and for whom."""

    name = forms.CharField(label=_("氏名"), max_length=100)
    name_kana = forms.CharField(label=_("氏名カナ"), max_length=100, required=False)
    organisation = forms.ModelChoiceField(
        label=_("所属団体"),
        queryset=Organisation.objects.confirmed(),
        required=False,
        empty_label=_("（一覧にない場合は下に新しい団体を入力）"),
    )
    new_organisation_name = forms.CharField(label=_("新しい団体名"), max_length=200, required=False)
    new_organisation_kana = forms.CharField(label=_("団体名カナ"), max_length=200, required=False)
    new_organisation_sector = forms.ChoiceField(
        label=_("区分"), choices=[("", "---------"), *Sector.choices], required=False
    )
    new_organisation_corporate_number = forms.CharField(
        label=_("法人番号"),
        max_length=20,
        required=False,
        help_text=_("13桁。法人番号のない団体は空欄にします。"),
    )
    department = forms.CharField(label=_("所属部署"), max_length=200, required=False)

    def clean_new_organisation_corporate_number(self) -> str:
        value = normalise_corporate_number(
            self.cleaned_data.get("new_organisation_corporate_number")
        )
        validate_corporate_number(value)
        if value and Organisation.objects.filter(corporate_number=value).exists():
            raise forms.ValidationError(
                _("この法人番号の団体は既に登録されています。一覧から選んでください。")
            )
        return value

    def clean(self):
        data = super().clean()
        if data.get("organisation") and data.get("new_organisation_name"):
            raise forms.ValidationError(
                _(
                    "所属団体は一覧から選ぶか、新しい団体名を入力するか、どちらか一方にしてください。"
                )
            )
        if not data.get("organisation"):
            if not data.get("new_organisation_name"):
                self.add_error(
                    "organisation", _("所属団体を選ぶか、新しい団体名を入力してください。")
                )
            elif not data.get("new_organisation_sector"):
                self.add_error("new_organisation_sector", _("新しい団体の区分を選んでください。"))
        return data

    def signup(self, request, user) -> None:
        from .services import person_register

        data = self.cleaned_data
        person_register(
            user=user,
            name=data["name"],
            name_kana=data.get("name_kana", ""),
            department=data.get("department", ""),
            organisation=data.get("organisation"),
            new_organisation_name=data.get("new_organisation_name", ""),
            new_organisation_kana=data.get("new_organisation_kana", ""),
            new_organisation_sector=data.get("new_organisation_sector", ""),
            new_organisation_corporate_number=data.get("new_organisation_corporate_number", ""),
        )


class OrganisationProfileForm(forms.ModelForm):
    """A member edits their own organisation's public profile; staff may edit any."""

    website = forms.URLField(label=_("ウェブサイト"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "name",
            "name_kana",
            "sector",
            "is_local",
            "corporate_number",
            "address",
            "website",
        ]

    def clean_corporate_number(self) -> str | None:
        value = normalise_corporate_number(self.cleaned_data.get("corporate_number"))
        validate_corporate_number(value)
        return value or None


class StudyGroupForm(forms.ModelForm):
    class Meta:
        model = StudyGroup
        fields = ["name", "parent", "description", "founded_on", "applications_open", "order"]
        widgets = {"founded_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = StudyGroup.objects.top_level()
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("申込メッセージ"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=2000,
        help_text=_("加入の目的や関心のあるテーマを事務局にお知らせください。"),
    )


class JoinDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("判断"),
        choices=[("approve", _("承認する")), ("reject", _("却下する"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("理由・連絡事項"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("却下する場合は必須です。申込者にメールで送られます。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("却下の理由を入力してください。"))
        return data


ROSTER_MAX_BYTES = 2 * 1024 * 1024  # a few thousand rows; anything bigger is not a roster


class RosterImportForm(ImportForm):
    """The admin's roster upload: CSV or XLSX by content, not only by name, and small."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        validate_upload(upload, kinds=("csv", "xlsx"), max_bytes=ROSTER_MAX_BYTES)
        return upload
