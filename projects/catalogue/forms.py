"""Forms of the catalogue: they validate input, ``projects.catalogue.services`` writes."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from consortium.fiscal import current_fiscal_year, fiscal_year_choices
from consortium.widgets import EnglishTextInput

from .models import Award, Category, Entry, EntryImage, EntryKind
from .services.awards import FIRST_AWARD_YEAR
from .services.entries import project_choices, study_group_choices
from .services.images import validate_brochure


class EntryForm(forms.ModelForm):
    """An entry's fields. Study groups: those the organisation belongs to; projects: those the
    user may see. The brochure is a separate field, written by the service."""

    brochure_file = forms.FileField(
        label=_("パンフレット（PDF）"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    url = forms.URLField(label=_("リンク"), required=False, assume_scheme="https")
    remove_brochure = forms.BooleanField(
        label=_("登録済みのパンフレットを削除する"), required=False
    )

    class Meta:
        model = Entry
        fields = [
            "kind",
            "title",
            "title_kana",
            "category",
            "summary",
            "details",
            "keywords",
            "contact",
            "url",
            "study_groups",
            "projects",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "details": forms.Textarea(attrs={"rows": 8}),
            "study_groups": forms.CheckboxSelectMultiple,
            "projects": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "title_kana": _("カタカナで入力します。一覧はこの順に並びます。"),
            "summary": _("一覧に表示される短い説明です（300字まで）。"),
            "study_groups": _("所属団体が加入している研究会から選べます。"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = EntryKind.choices  # radio buttons without a blank one
        self.fields["category"].queryset = Category.objects.all()
        self.fields["study_groups"].queryset = study_group_choices(self.instance)
        self.fields["projects"].queryset = project_choices(self.instance, user).order_by("name")
        self.fields["brochure_file"].help_text = _(
            "PDFのみ、%(size)sまで。公開後は誰でもダウンロードできます。"
        ) % {"size": filesizeformat(settings.KYOSO_CATALOGUE_BROCHURE_MAX_BYTES)}
        if not self.instance.brochure:
            del self.fields["remove_brochure"]

    def clean_brochure_file(self):
        upload = self.cleaned_data.get("brochure_file")
        if upload:
            validate_brochure(upload)
        return upload


class EntryImageForm(forms.Form):
    image = forms.FileField(
        label=_("画像"),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt = forms.CharField(
        label=EntryImage._meta.get_field("alt").verbose_name,
        max_length=200,
        help_text=EntryImage._meta.get_field("alt").help_text,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image"].help_text = _(
            "JPEG、PNG、WebP。1枚%(size)sまで、%(n)s枚まで登録できます。"
            "長辺%(side)spxに縮小し、撮影情報（位置情報など）は削除して保存します。"
        ) % {
            "size": filesizeformat(settings.KYOSO_CATALOGUE_IMAGE_MAX_BYTES),
            "n": settings.KYOSO_CATALOGUE_IMAGE_MAX_FILES,
            "side": settings.KYOSO_CATALOGUE_IMAGE_MAX_SIDE,
        }


class EntryReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("差し戻しの理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("作成者にメールで伝わり、下書きの画面に表示されます。"),
    )


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "name_en", "order"]
        widgets = {"name_en": EnglishTextInput()}


class AwardForm(forms.ModelForm):
    class Meta:
        model = Award
        fields = ["name", "name_en", "parent", "description", "order"]
        widgets = {"name_en": EnglishTextInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Award.objects.filter(parent__isnull=True).order_by("order", "pk")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("なし（ブランド・認定そのもの）")


class AwardGrantForm(forms.Form):
    """Grant an award to the entry whose page this is, in a fiscal year up to this one."""

    award = forms.ModelChoiceField(
        label=_("認定・ブランド"), queryset=Award.objects.none(), empty_label=_("選んでください")
    )
    fiscal_year = forms.TypedChoiceField(label=_("認定年度"), coerce=int)
    note = forms.CharField(label=_("備考"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        awards = Award.objects.select_related("parent").order_by("order", "pk")
        self.fields["award"].queryset = awards
        self.fields["award"].label_from_instance = lambda award: (
            f"{award.parent.label} › {award.label}" if award.parent_id else award.label
        )
        self.fields["fiscal_year"].choices = fiscal_year_choices(
            FIRST_AWARD_YEAR, current_fiscal_year()
        )
        self.fields["fiscal_year"].initial = current_fiscal_year()
