from django.contrib import admin
from django.db import models
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV
from simple_history.admin import SimpleHistoryAdmin

from consortium.importing.admin import BoundedImportAdminMixin
from consortium.xlsx import TypedExportAdminMixin, TypedXLSX
from members.admin import PersonalDataExportMixin

from .models import (
    Agreement,
    AgreementArticle,
    AgreementParty,
    Funding,
    Outcome,
    Phase,
    PhaseTransition,
    Project,
)
from .resources import FundingResource


class PhaseTransitionInline(admin.TabularInline):
    model = PhaseTransition
    extra = 0
    fields = ("phase", "started_on", "note", "recorded_by", "recorded_at")
    readonly_fields = ("recorded_at",)


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ("name", "theme", "lead_organisation", "is_public")
    list_filter = ("is_public", "theme")
    search_fields = ("name", "theme")
    filter_horizontal = ("partners", "study_groups")
    inlines = [PhaseTransitionInline]


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "order", "is_default")
    list_editable = ("order",)


@admin.register(Funding)
class FundingAdmin(
    TypedExportAdminMixin,
    PersonalDataExportMixin,
    BoundedImportAdminMixin,
    ImportExportModelAdmin,
    SimpleHistoryAdmin,
):
    # Imports go through FundingResource: one save() per row, rolled back on any error; CSV and
    # XLSX only, read by the bounded reader (consortium.uploads).
    resource_classes = [FundingResource]
    export_personal_data = False  # projects, organisations and amounts: nobody's name
    # XLSX with typed cells: amounts and years as numbers, text without a visible apostrophe.
    export_formats = [CSV, TypedXLSX]
    list_display = ("project", "fiscal_year", "funder", "scheme", "kind", "amount", "status")
    list_filter = ("fiscal_year", "kind", "status")
    search_fields = ("project__name", "funder__name", "scheme")
    list_select_related = ("project", "funder")


@admin.register(Outcome)
class OutcomeAdmin(SimpleHistoryAdmin):
    list_display = ("title", "project", "kind", "date")
    list_filter = ("kind",)
    filter_horizontal = ("organisations",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    # Through the services, so that an outcome recorded here reaches the 実績指標 as from the site.
    def save_model(self, request, obj, form, change):
        from .services import outcome_save

        outcome_save(outcome=obj, organisations=form.cleaned_data.get("organisations", ()))

    def save_related(self, request, form, formsets, change):
        """The organisations were set by ``outcome_save``; only the formsets are left."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        from .services import outcome_delete

        outcome_delete(outcome=obj)

    def delete_queryset(self, request, queryset):
        for outcome in queryset:
            self.delete_model(request, outcome)


class AgreementPartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0


class AgreementArticleInline(admin.StackedInline):
    model = AgreementArticle
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ("title", "kind", "status", "signed_on", "term_end")
    # The signed document has no URL (private storage); it is managed on the staff pages.
    exclude = ("document",)
    list_filter = ("kind", "status")
    filter_horizontal = ("projects",)
    inlines = [AgreementPartyInline, AgreementArticleInline]
