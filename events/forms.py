"""Forms of the events app: they validate input only; services write."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from consortium import tabular
from consortium.fiscal import fiscal_year_choices
from consortium.text import katakana
from consortium.uploads import validate_upload
from consortium.widgets import DateTimeLocalInput, EnglishTextInput
from members.models import Organisation, Person, Sector, StudyGroup

from .models import MATERIAL_KINDS, AttendanceStatus, Exhibitor, Meeting, MeetingKind, Speaker

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _formfield(model_field, **kwargs):
    # Links typed without a scheme are https (Django 6's default; silences the 5.x warning).
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


def _has_kanji(text: str) -> bool:
    return any(unicodedata.name(c, "").startswith("CJK UNIFIED IDEOGRAPH") for c in text)


# Read into the open data (イベント一覧) and the calendars; shown together on the form.
OPEN_DATA_FIELDS = ("title_kana", "title_en", "venue", "address", "latitude", "longitude")
COORDINATE_PLACES = Decimal("0.000001")  # the model keeps 6 decimal places (about 10 cm)


class MeetingForm(forms.ModelForm):
    latitude = forms.DecimalField(
        label=_("緯度"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("世界測地系の10進数（例：35.335530）。地理院地図などで確認できます。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    longitude = forms.DecimalField(
        label=_("経度"),
        required=False,
        min_value=-180,
        max_value=180,
        help_text=_("例：139.349440。緯度と経度は両方入れるか、両方とも空欄にします。"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    class Meta:
        model = Meeting
        formfield_callback = _formfield
        fields = [
            "study_group",
            "project",
            "kind",
            "title",
            "title_kana",
            "title_en",
            "date",
            "starts_at",
            "ends_at",
            "venue",
            "address",
            "latitude",
            "longitude",
            "online_url",
            "description",
            "capacity",
            "registration_opens_at",
            "registration_closes_at",
            "visibility",
            "minutes",
        ]
        help_texts = {
            "title_kana": _(
                "全角カタカナで（例：ハツデンショケンガクカイ）。ひらがなはカタカナにします。"
                "オープンデータの「イベント名_カナ」になります。"
            ),
            "title_en": _(
                "オープンデータの「イベント名_英字」になります（例：Wave Power Plant Tour）。"
            ),
            "venue": _(
                "場所の名称（例：平塚市役所 本館 会議室）。オープンデータの「場所名称」です。"
            ),
            "address": _(
                "都道府県から番地まで（例：神奈川県平塚市浅間町9-1）。建物名・部屋は会場名へ。"
                "オープンデータの「住所」と会議ページの地図に使います。"
            ),
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "title_en": EnglishTextInput(),
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "registration_opens_at": DateTimeLocalInput(),
            "registration_closes_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        study_group = cast(forms.ModelChoiceField, self.fields["study_group"])
        study_group.queryset = StudyGroup.objects.with_family()
        self.fields["date"].required = False

    @property
    def main_fields(self) -> list:
        return [field for field in self if field.name not in OPEN_DATA_FIELDS]

    @property
    def open_data_fields(self) -> list:
        return [self[name] for name in OPEN_DATA_FIELDS]

    def clean_title_kana(self) -> str:
        value = katakana(self.cleaned_data.get("title_kana", ""))
        if _has_kanji(value):
            raise forms.ValidationError(_("読みはカタカナで入れてください（漢字は使えません）。"))
        return value

    def _coordinate(self, name: str) -> Decimal | None:
        value = self.cleaned_data.get(name)
        return None if value is None else value.quantize(COORDINATE_PLACES, ROUND_HALF_UP)

    def clean_latitude(self) -> Decimal | None:
        return self._coordinate("latitude")

    def clean_longitude(self) -> Decimal | None:
        return self._coordinate("longitude")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("date") and not cleaned.get("starts_at"):
            self.add_error("date", _("開催日か開始日時を入れてください。"))
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if "latitude" not in self.errors and "longitude" not in self.errors:
            if latitude is None and longitude is not None:
                self.add_error("latitude", _("経度を入れる場合は緯度も入れてください。"))
            elif longitude is None and latitude is not None:
                self.add_error("longitude", _("緯度を入れる場合は経度も入れてください。"))
        return cleaned

    def _post_clean(self) -> None:
        # The model derives date from starts_at; do it before the model's own checks run.
        if self.cleaned_data.get("starts_at") and not self.cleaned_data.get("date"):
            self.cleaned_data["date"] = self.cleaned_data["starts_at"].date()
        super()._post_clean()  # type: ignore[misc]  # not in django-stubs


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
        label=_("研究会"),
        queryset=StudyGroup.objects.none(),
        required=False,
        empty_label=_("すべて"),
    )
    kind = forms.ChoiceField(
        label=_("種別"), choices=[("", _("すべて")), *MeetingKind.choices], required=False
    )

    def __init__(self, *args: Any, fiscal_years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[int | str, StrOrPromise]] = [("", _("すべて"))]
        if fiscal_years:
            choices += list(reversed(fiscal_year_choices(min(fiscal_years), max(fiscal_years))))
        cast(forms.TypedChoiceField, self.fields["fiscal_year"]).choices = choices
        study_group = cast(forms.ModelChoiceField, self.fields["study_group"])
        study_group.queryset = StudyGroup.objects.with_family()


class RegistrationForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("参加者"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("ご自身と同じ団体の方をまとめて申し込めます。"),
    )

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["people"]).queryset = people


class AttendanceMarkForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=[*AttendanceStatus.choices, ("clear", _("未記録に戻す"))])
    # The status the row showed when the staffer clicked ("": not recorded). Absent from older
    # pages: then the mark is written without the check.
    seen = forms.ChoiceField(choices=[("", ""), *AttendanceStatus.choices], required=False)

    # The mark's id, made by the sheet's script (crypto.randomUUID): a mark sent again is applied
    # once. Absent without JavaScript (a plain form post is sent once).
    client_id = forms.RegexField(
        regex=r"^[A-Za-z0-9_-]{16,64}$", required=False, widget=forms.HiddenInput
    )

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
    # Sent by the button that confirms a new organisation although similar ones are registered.
    new_organisation = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
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


# How the encodings a CSV may be read in (``consortium.tabular.ENCODINGS``) are offered.
ENCODING_LABELS = {"utf-8-sig": _("UTF-8"), "cp932": _("Shift_JIS（cp932）")}


class ImportUploadForm(forms.Form):
    ENCODINGS = [
        ("", _("自動判定")),
        *((encoding, ENCODING_LABELS[encoding]) for encoding in tabular.ENCODINGS),
    ]
    file = forms.FileField(label=_("出席簿ファイル"), help_text=_("CSV または Excel（.xlsx）"))
    encoding = forms.ChoiceField(label=_("文字コード（CSV）"), choices=ENCODINGS, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload, kinds=("csv", "xlsx"))
        return upload


# Kana as written on forms: katakana or hiragana (full width after NFKC), the long-vowel mark,
# the middle dot and spaces.
KANA_PATTERN = re.compile(r"[\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fc-\u30fe・ 　]+")


class PublicRegistrationForm(forms.Form):
    """A citizen's registration for a public meeting (no account). ``website`` is a honeypot:
    hidden from people, filled in by form-filling robots."""

    name = forms.CharField(label=_("氏名"), max_length=100)
    name_kana = forms.CharField(
        label=_("氏名（フリガナ）"), max_length=100, help_text=_("例：ヒラツカ ハナコ")
    )
    email = forms.EmailField(
        label=_("メールアドレス"),
        max_length=254,
        help_text=_("確認のメールと、受付票（QRコード）のメールをお送りします。"),
    )
    affiliation = forms.CharField(
        label=_("所属（任意）"),
        max_length=200,
        required=False,
        help_text=_("会社・学校・団体名など。なければ空欄で構いません。"),
    )
    consent = forms.BooleanField(
        label=_("上記の「個人情報の取扱い」に同意します"),
        error_messages={"required": _("申し込むには、個人情報の取扱いへの同意が必要です。")},
    )
    website = forms.CharField(
        label=_("この欄は空欄のままにしてください"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        most = settings.KYOSO_PUBLIC_MAX_SEATS
        self.fields["seats"] = forms.IntegerField(
            label=_("人数"),
            min_value=1,
            max_value=most,
            initial=1,
            help_text=_("ご本人を含めた人数です（%(max)s人まで）。") % {"max": most},
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )
        self.order_fields(["name", "name_kana", "email", "affiliation", "seats"])
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    def clean_name_kana(self) -> str:
        kana = unicodedata.normalize("NFKC", self.cleaned_data["name_kana"]).strip()
        if not KANA_PATTERN.fullmatch(kana):
            raise forms.ValidationError(
                _("フリガナはカタカナ（またはひらがな）で入れてください。"), code="kana"
            )
        return kana

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


# --- the showcase of a 展示会 or シンポジウム (events.exhibitions) ------------------------------


class ExhibitorAddForm(forms.Form):
    # Confirmed organisations only: the exhibitors are listed on a public page, and a name
    # typed at sign-up is nobody's until staff confirm it.
    organisation = forms.ModelChoiceField(
        label=_("出展団体"),
        queryset=Organisation.objects.confirmed().order_by("name_kana", "name"),
        help_text=_(
            "事務局が確認した団体から選びます。公開中の技術・製品は、すべて出展品として載ります"
            "（あとで選び直せます）。"
        ),
    )
    booth = forms.CharField(
        label=_("ブース"),
        max_length=50,
        required=False,
        help_text=_("小間番号など（例：A-12）。"),
    )


class ExhibitorForm(forms.ModelForm):
    """The booth and which of the organisation's published entries it shows."""

    class Meta:
        model = Exhibitor
        fields = ["booth", "entries"]
        widgets = {"entries": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from projects.catalogue.models import Entry, EntryStatus

        entries = cast(forms.ModelMultipleChoiceField, self.fields["entries"])
        entries.queryset = Entry.objects.filter(
            organisation_id=self.instance.organisation_id, status=EntryStatus.PUBLISHED
        ).order_by("title_kana", "title", "pk")
        self.fields["entries"].help_text = _("出展団体の公開中の技術・製品から選びます。")


class SpeakerForm(forms.ModelForm):
    class Meta:
        model = Speaker
        fields = ["role", "name", "affiliation", "talk_title", "order"]
        widgets = {"order": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})}


class ShowcaseForm(forms.Form):
    visitors = forms.IntegerField(
        label=_("来場者数"),
        required=False,
        min_value=0,
        max_value=10_000_000,
        help_text=_(
            "受付で数えた来場者の人数。出欠の記録とは別に数え、のべ参加者数には含めません。"
            "空欄は未集計です。"
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    co_hosts = forms.ModelMultipleChoiceField(
        label=_("共催・後援"),
        queryset=Organisation.objects.confirmed().order_by("name_kana", "name"),
        required=False,
        help_text=_("共に主催・後援する団体（例：県）。Ctrl キー（Mac は ⌘）で複数選べます。"),
    )
