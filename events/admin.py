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


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    list_display = ("meeting", "person", "organisation", "status", "recorded_at")
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
