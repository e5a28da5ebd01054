"""Django admin of the members app, with the roster import/export (django-import-export)."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from .forms import RosterImportForm
from .models import JoinRequest, Membership, Organisation, Person, StudyGroup
from .resources import RosterResource


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    fields = ("name", "name_kana", "email", "department", "title", "user")
    raw_id_fields = ("user",)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("study_group", "role", "joined_on", "left_on")


@admin.register(Organisation)
class OrganisationAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [RosterResource]
    import_form_class = RosterImportForm
    import_formats = [CSV, XLSX]  # what the roster service reads; checked by content
    # The roster service records history (simple-history); per-row admin log entries would need
    # the row instances, which the all-or-nothing service does not hand back.
    skip_admin_log = True
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "name_kana", "sector", "is_local", "corporate_number", "is_confirmed")
    list_filter = ("sector", "is_local", "is_confirmed")
    search_fields = ("name", "name_kana", "corporate_number")
    inlines = [PersonInline, MembershipInline]
    actions = ["confirm_selected"]

    @admin.action(description=_("選択した団体を確認済みにする"))
    def confirm_selected(self, request, queryset):
        from .services import organisation_confirm

        for organisation in queryset.filter(is_confirmed=False):
            organisation_confirm(organisation=organisation)


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("name", "name_kana", "organisation", "email", "department", "user")
    search_fields = ("name", "name_kana", "email", "organisation__name")
    list_select_related = ("organisation", "user")
    raw_id_fields = ("user",)
    autocomplete_fields = ("organisation",)


@admin.register(StudyGroup)
class StudyGroupAdmin(admin.ModelAdmin):
    list_display = ("full_name", "founded_on", "applications_open", "order")
    list_select_related = ("parent",)
    list_filter = ("applications_open",)
    search_fields = ("name",)


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("organisation", "study_group", "role", "joined_on", "left_on")
    list_filter = ("study_group", "role")
    list_select_related = ("organisation", "study_group__parent")
    search_fields = ("organisation__name",)
    autocomplete_fields = ("organisation",)


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ("organisation", "study_group", "applicant", "status", "created_at")
    list_filter = ("status", "study_group")
    list_select_related = ("organisation", "study_group__parent", "applicant")
    raw_id_fields = ("applicant", "organisation", "membership", "decided_by")
