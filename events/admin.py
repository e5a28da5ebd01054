from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from .models import Attendance, CalendarToken, Material, Meeting, Registration


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ("date", "title", "kind", "study_group", "project", "fiscal_year", "visibility")
    list_filter = ("fiscal_year", "kind", "visibility")
    search_fields = ("title", "venue")
    list_select_related = ("study_group__parent", "project")
    inlines = [MaterialInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    # Through the events services, so that a date, group or status changed here reaches the
    # reports as it does from the site.
    def save_model(self, request, obj, form, change):
        from .services import meeting_save

        meeting_save(meeting=obj)

    def delete_model(self, request, obj):
        from .services import meeting_delete

        meeting_delete(meeting=obj)

    def delete_queryset(self, request, queryset):
        for meeting in queryset:
            self.delete_model(request, meeting)


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    """Read-only: attendance is recorded on the meeting's sheet (or imported), where every
    change is in the history and reaches the reports."""

    list_display = ("meeting", "person", "organisation", "status", "recorded_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    list_filter = ("status",)
    list_select_related = ("meeting", "person", "organisation")
    raw_id_fields = ("meeting", "person", "organisation")


@admin.register(Registration)
class RegistrationAdmin(SimpleHistoryAdmin):
    list_display = ("meeting", "person", "status", "position", "created_at")
    list_filter = ("status",)
    list_select_related = ("meeting", "person")
    raw_id_fields = ("meeting", "person")


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at")
    readonly_fields = ("token",)
