"""Forms of the members app: they validate input only; writes happen in services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from consortium.importing.admin import BoundedImportForm

from .models import Membership, Organisation, Sector, StudyGroup
from .services import OrganisationProposal
from .validators import normalise_corporate_number, validate_corporate_number

LOCAL_CHOICES = [("1", _("市内")), ("0", _("市外"))]


class OrganisationFieldsMixin(forms.Form):
    """What a person types of their organisation: matched on the server, never listed."""

    organisation_name = forms.CharField(
        label=_("所属団体名"),
        max_length=200,
        help_text=_("正式名称を入力してください（例: 株式会社日立製作所）。"),
    )
    corporate_number = forms.CharField(
        label=_("法人番号"),
        max_length=20,
        required=False,
        help_text=_("13桁。法人番号のない団体は空欄にします。"),
    )
    sector = forms.ChoiceField(
        label=_("区分"), choices=[("", _("選んでください")), *Sector.choices]
    )
    is_local = forms.TypedChoiceField(
        label=_("所在地の区分"),
        choices=LOCAL_CHOICES,
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    address = forms.CharField(label=_("所在地"), max_length=300)

    def clean_corporate_number(self) -> str:
        value = normalise_corporate_number(self.cleaned_data.get("corporate_number"))
        validate_corporate_number(value)
        return value

    def organisation_proposal(self) -> OrganisationProposal:
        data = self.cleaned_data
        return OrganisationProposal(
            organisation_name=data["organisation_name"].strip(),
            corporate_number=data.get("corporate_number", ""),
            sector=data["sector"],
            is_local=data["is_local"],
            address=data.get("address", ""),
        )


class SignupForm(OrganisationFieldsMixin):
    """Extra sign-up fields (allauth ``ACCOUNT_SIGNUP_FORM_CLASS``): who you are and for whom.

    The organisation is typed, not picked from a list: the sign-up page reveals nothing of who is
    registered, and the person belongs to no organisation until staff approve the request."""

    name = forms.CharField(label=_("氏名"), max_length=100)
    name_kana = forms.CharField(label=_("氏名カナ"), max_length=100, required=False)
    department = forms.CharField(label=_("所属部署"), max_length=200, required=False)

    # Drawn as <fieldset>s by templates/includes/_fields.html (allauth adds email and passwords).
    fieldsets = (
        (_("ご本人"), ("name", "name_kana")),
        (
            _("所属団体"),
            (
                "organisation_name",
                "corporate_number",
                "sector",
                "is_local",
                "address",
                "department",
            ),
        ),
        (_("ログイン情報"), ("email", "password1", "password2")),
    )
    # The fields in the groups' order (names a form lacks, such as allauth's, are ignored).
    field_order = [name for _legend, names in fieldsets for name in names]

    def signup(self, request: HttpRequest, user: User) -> None:
        from .services import person_register

        data = self.cleaned_data
        person_register(
            user=user,
            name=data["name"],
            name_kana=data.get("name_kana", ""),
            department=data.get("department", ""),
            organisation=self.organisation_proposal(),
        )


class AffiliationRequestForm(OrganisationFieldsMixin):
    """A registered person (e.g. after a rejection) asks again to belong to an organisation."""


class AffiliationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("判断"),
        choices=[("approve", _("承認する")), ("reject", _("却下する"))],
        widget=forms.RadioSelect,
    )
    organisation = forms.ModelChoiceField(
        label=_("所属させる団体"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("（入力された内容で新しい団体として登録する）"),
        help_text=_("候補から選びます。該当がなければ新しい団体として登録されます。"),
    )
    reason = forms.CharField(
        label=_("理由・連絡事項"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("却下する場合は必須です。申請者にメールで送られます。"),
    )

    def __init__(self, *args: Any, candidates: Iterable[Organisation] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the candidates shown on the page can be chosen: never a list of every organisation.
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[c.pk for c in candidates])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("却下の理由を入力してください。"))
        return data


class OrganisationProfileForm(forms.ModelForm):
    """A member edits their own organisation's descriptive fields only."""

    website = forms.URLField(label=_("ウェブサイト"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["address", "website", "description", "contact"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}


class OrganisationStaffForm(OrganisationProfileForm):
    """Staff edit every field, including those the reports read (区分, 市内, 法人番号)."""

    class Meta(OrganisationProfileForm.Meta):
        fields = [
            "name",
            "name_kana",
            "sector",
            "is_local",
            "corporate_number",
            "address",
            "website",
            "description",
            "contact",
        ]

    def clean_corporate_number(self) -> str | None:
        value = normalise_corporate_number(self.cleaned_data.get("corporate_number"))
        validate_corporate_number(value)
        return value or None


class MembershipForm(forms.ModelForm):
    """Staff change a membership's role, or end it (退会日)."""

    class Meta:
        model = Membership
        fields = ["role", "joined_on", "left_on"]
        widgets = {
            "joined_on": forms.DateInput(attrs={"type": "date"}),
            "left_on": forms.DateInput(attrs={"type": "date"}),
        }


class StudyGroupForm(forms.ModelForm):
    class Meta:
        model = StudyGroup
        fields = ["name", "parent", "description", "founded_on", "applications_open", "order"]
        widgets = {"founded_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = StudyGroup.objects.top_level()
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        field = self.fields["parent"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = parents


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

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("却下の理由を入力してください。"))
        return data


ROSTER_MAX_BYTES = 2 * 1024 * 1024  # a few thousand rows; anything bigger is not a roster


class RosterImportForm(BoundedImportForm):
    """The admin's roster upload: CSV or XLSX by content, not only by name, and small."""

    max_bytes = ROSTER_MAX_BYTES


class DeletionRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("理由・連絡事項"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("任意。事務局への連絡があれば書いてください。"),
    )
    confirm = forms.BooleanField(
        label=_("削除すると元に戻せないことを理解したうえで、削除を申し出ます。"),
        error_messages={"required": _("確認のチェックを入れてください。")},
    )


class ErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("この利用者の個人情報を削除します。元に戻せません。"),
        error_messages={"required": _("確認のチェックを入れてください。")},
    )
