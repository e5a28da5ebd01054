"""The reports tables in the Django admin: to look at, never to edit.

Summaries and the roll-up state are computed from the domain records; a figure typed in here would
be reported until the next run silently replaced it, so nobody may add, change or delete them.
The export log is an audit record, shown to administrators only (as on the site).
"""

from django.contrib import admin

from members import roles

from .models import (
    CallSummary,
    ExportLog,
    FundingSummary,
    IndicatorSummary,
    ParticipationSummary,
    RollupState,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ParticipationSummary)
class ParticipationSummaryAdmin(ReadOnlyAdmin):
    list_display = ("fiscal_year", "study_group", "meetings", "attendance_total", "computed_at")
    list_filter = ("fiscal_year",)
    list_select_related = ("study_group__parent",)


@admin.register(FundingSummary)
class FundingSummaryAdmin(ReadOnlyAdmin):
    list_display = ("fiscal_year", "project", "funder", "scheme", "kind", "amount")
    list_filter = ("fiscal_year", "kind")
    list_select_related = ("project", "funder")


@admin.register(IndicatorSummary)
class IndicatorSummaryAdmin(ReadOnlyAdmin):
    list_display = ("fiscal_year", "indicator", "value", "computed_at")
    list_filter = ("fiscal_year", "indicator")


@admin.register(CallSummary)
class CallSummaryAdmin(ReadOnlyAdmin):
    list_display = (
        "fiscal_year",
        "sector",
        "calls",
        "applications",
        "adoptions",
        "support_granted",
    )
    list_filter = ("fiscal_year", "sector")


@admin.register(RollupState)
class RollupStateAdmin(ReadOnlyAdmin):
    list_display = ("fiscal_year", "state", "last_rolled_at", "queued_at", "task_id")


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "user",
        "kind",
        "fiscal_year",
        "filename",
        "rows",
        "personal_data",
        "via",
    )
    list_filter = ("kind", "personal_data", "via")
    list_select_related = ("user",)

    def has_view_permission(self, request, obj=None):
        return roles.is_administrator(request.user) and super().has_view_permission(request, obj)
