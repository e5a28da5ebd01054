from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from members import roles

from .models import Attendance, CalendarToken, Material, Meeting, PublicRegistration, Registration


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


@admin.register(PublicRegistration)
class PublicRegistrationAdmin(admin.ModelAdmin):
    """Citizens' registrations (一般参加申込), read-only for secretariat staff: they are made,
    confirmed and cancelled by the citizens' own links, checked in on the sheet or at the door,
    and their personal data is deleted by the beat task — or at once, on a citizen's request, with
    the action (the counts stay). The tokens of the links are never shown."""

    list_display = (
        "meeting",
        "name",
        "seats",
        "status",
        "confirmed_at",
        "checked_in_at",
        "purged_at",
        "created_at",
    )
    list_filter = ("status", ("confirmed_at", admin.EmptyFieldListFilter), "meeting__fiscal_year")
    search_fields = ("name", "name_kana", "email", "meeting__title")
    list_select_related = ("meeting",)
    fields = (
        "meeting",
        "name",
        "name_kana",
        "email",
        "affiliation",
        "seats",
        "status",
        "position",
        "consented_at",
        "created_at",
        "confirmed_at",
        "checked_in_at",
        "cancelled_at",
        "purged_at",
    )
    readonly_fields = fields
    actions = ["erase_personal_data"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the seats and check-ins count in the reports

    @admin.action(
        description=gettext_lazy("選択した申込の個人情報を削除する（人数・受付は残ります）")
    )
    def erase_personal_data(self, request, queryset):
        from .public_registration import public_registrations_erase

        if not roles.is_secretariat(request.user):
            raise PermissionDenied
        erased = public_registrations_erase(registrations=queryset)
        self.message_user(request, _("%(n)s 件の個人情報を削除しました。") % {"n": erased})
