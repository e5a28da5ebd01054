from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

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
class FundingAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    # Imports go through FundingResource: one save() per row, rolled back on any error.
    resource_classes = [FundingResource]
    list_display = ("project", "fiscal_year", "funder", "scheme", "kind", "amount", "status")
    list_filter = ("fiscal_year", "kind", "status")
    search_fields = ("project__name", "funder__name", "scheme")
    list_select_related = ("project", "funder")


@admin.register(Outcome)
class OutcomeAdmin(SimpleHistoryAdmin):
    list_display = ("title", "project", "kind", "date")
    list_filter = ("kind",)
    filter_horizontal = ("organisations",)


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
