from django.contrib import admin

from .models import ExportLog, FundingSummary, ParticipationSummary, RollupState


@admin.register(ParticipationSummary)
class ParticipationSummaryAdmin(admin.ModelAdmin):
    list_display = ("fiscal_year", "study_group", "meetings", "attendance_total", "computed_at")
    list_filter = ("fiscal_year",)
    list_select_related = ("study_group__parent",)


@admin.register(FundingSummary)
class FundingSummaryAdmin(admin.ModelAdmin):
    list_display = ("fiscal_year", "project", "funder", "scheme", "kind", "amount")
    list_filter = ("fiscal_year", "kind")
    list_select_related = ("project", "funder")


@admin.register(RollupState)
class RollupStateAdmin(admin.ModelAdmin):
    list_display = ("fiscal_year", "state", "last_rolled_at", "queued_at", "task_id")


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "fiscal_year", "filename", "personal_data", "via")
    list_filter = ("kind", "personal_data", "via")

    # An audit record is written by the exports only, and never edited or removed.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
