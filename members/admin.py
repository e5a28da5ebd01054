"""Django admin of the members app, with the roster import/export (django-import-export).

``PersonalDataExportMixin`` keeps the site's export rules in every admin that exports: a file
with people's names or contact details is for administrators only, and each one is logged.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV
from simple_history.admin import SimpleHistoryAdmin

from consortium.importing.admin import BOUNDED_IMPORT_FORMATS, BoundedImportAdminMixin
from consortium.xlsx import TypedExportAdminMixin, TypedXLSX

from . import roles
from .forms import RosterImportForm
from .models import JoinRequest, Membership, Organisation, Person, StudyGroup
from .privacy import person_erase
from .resources import RosterResource
from .signals import personal_data_exported


class ThroughServicesAdminMixin:
    """Saves and deletions in the admin go through the members services, so that a change the
    reports read (区分, 市内, a subcommittee's parent, a membership, a person's organisation) is a
    domain event wherever it is made. Inline memberships are saved the same way."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        from . import services

        for membership in formset.save(commit=False):
            if membership.pk is None:
                services.membership_start(
                    organisation=membership.organisation,
                    study_group=membership.study_group,
                    joined_on=membership.joined_on,
                    role=membership.role,
                )
            else:
                services.membership_update(
                    membership=membership,
                    clear_left_on=membership.left_on is None,
                    left_on=membership.left_on,
                )
        for membership in formset.deleted_objects:
            services.membership_delete(membership=membership)
        formset.save_m2m()
        return None


class PersonalDataExportMixin:
    """For an import-export ModelAdmin: who may export, and the record of what left.

    Every admin with an export says whether its resources hold personal data
    (``export_personal_data``). Such exports open to administrators only: secretariat staff
    get 403 and no export button. Each file sent announces ``personal_data_exported`` (who,
    which kind, file name, number of rows); the reports app writes it to the export log.
    """

    export_personal_data: bool
    export_log_kind = ""  # ExportLog.Kind value of a personal-data export

    def has_export_permission(self, request) -> bool:
        if self.export_personal_data and not roles.is_administrator(request.user):
            return False
        parent: Any = super()
        return bool(parent.has_export_permission(request))

    def get_data_for_export(self, request, queryset, **kwargs):
        dataset = super().get_data_for_export(request, queryset, **kwargs)
        request.kyoso_export_rows = len(dataset)
        return dataset

    def get_export_filename(self, request, queryset, file_format) -> str:
        parent: Any = super()
        filename: str = parent.get_export_filename(request, queryset, file_format)
        request.kyoso_export_filename = filename
        return filename

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        response = super()._do_file_export(file_format, request, queryset, export_form=export_form)
        if self.export_personal_data:
            personal_data_exported.send(
                sender=self.model,
                user=request.user,
                kind=self.export_log_kind,
                filename=request.kyoso_export_filename,
                file_format=file_format.get_extension(),
                rows=request.kyoso_export_rows,
                via="admin",
            )
        return response


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
class OrganisationAdmin(
    ThroughServicesAdminMixin,
    TypedExportAdminMixin,
    PersonalDataExportMixin,
    BoundedImportAdminMixin,
    ImportExportModelAdmin,
    SimpleHistoryAdmin,
):
    resource_classes = [RosterResource]
    export_personal_data = True  # names and e-mail addresses of the organisations' people
    export_log_kind = "roster"
    import_form_class = RosterImportForm
    # CSV and XLSX only, read by the bounded reader; the file is held until confirmed or cancelled.
    import_formats = BOUNDED_IMPORT_FORMATS
    # XLSX with typed cells: formula-looking names stay text, without a visible apostrophe.
    export_formats = [CSV, TypedXLSX]
    # The roster service records history (simple-history); per-row admin log entries would need
    # the row instances, which the all-or-nothing service does not hand back.
    skip_admin_log = True
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "name_kana", "sector", "is_local", "corporate_number", "is_confirmed")
    list_filter = ("sector", "is_local", "is_confirmed")
    search_fields = ("name", "name_kana", "corporate_number")
    inlines = [PersonInline, MembershipInline]
    actions = ["confirm_selected"]

    def save_model(self, request, obj, form, change):
        from . import services

        if not change:
            super().save_model(request, obj, form, change)
            services.organisation_announce(organisation=obj)
            return
        names = {f.name for f in Organisation._meta.concrete_fields}
        services.organisation_update(
            organisation=obj,
            changed_by=request.user,
            fields={name: getattr(obj, name) for name in form.changed_data if name in names},
        )

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
    actions = ["erase_selected"]

    def save_model(self, request, obj, form, change):
        from . import services

        organisation = obj.organisation
        if change and "organisation" in form.changed_data:
            obj.organisation_id = Person.objects.values_list("organisation_id", flat=True).get(
                pk=obj.pk
            )
            super().save_model(request, obj, form, change)
            services.person_set_organisation(person=obj, organisation=organisation)
        else:
            super().save_model(request, obj, form, change)

    def has_erase_permission(self, request) -> bool:
        """Erasing personal data is for administrators only, not secretariat staff."""
        return roles.is_administrator(request.user)

    @admin.action(description=_("選択した利用者の個人情報を削除する"), permissions=["erase"])
    def erase_selected(self, request, queryset):
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/members/person/erase_selected_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("個人情報の削除"),
                    "opts": self.model._meta,
                    "people": queryset.select_related("organisation"),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        erased = 0
        for person in queryset:
            try:
                person_erase(person=person, erased_by=request.user)
            except ValidationError as exc:
                self.message_user(
                    request, f"#{person.pk}: {' '.join(exc.messages)}", level=messages.WARNING
                )
            else:
                erased += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d 人の個人情報を削除しました。",
                "%(count)d 人の個人情報を削除しました。",
                erased,
            )
            % {"count": erased},
        )
        return None


@admin.register(StudyGroup)
class StudyGroupAdmin(admin.ModelAdmin):
    list_display = ("full_name", "founded_on", "applications_open", "order")
    list_select_related = ("parent",)
    list_filter = ("applications_open",)
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        from . import services

        services.study_group_save(group=obj)


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("organisation", "study_group", "role", "joined_on", "left_on")
    list_filter = ("study_group", "role")
    list_select_related = ("organisation", "study_group__parent")
    search_fields = ("organisation__name",)
    autocomplete_fields = ("organisation",)

    def save_model(self, request, obj, form, change):
        from . import services

        if change:
            services.membership_update(
                membership=obj, left_on=obj.left_on, clear_left_on=obj.left_on is None
            )
        else:
            obj.pk = services.membership_start(
                organisation=obj.organisation,
                study_group=obj.study_group,
                joined_on=obj.joined_on,
                role=obj.role,
            ).pk

    def delete_model(self, request, obj):
        from . import services

        services.membership_delete(membership=obj)

    def delete_queryset(self, request, queryset):
        from . import services

        for membership in queryset:
            services.membership_delete(membership=membership)


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ("organisation", "study_group", "applicant", "status", "created_at")
    list_filter = ("status", "study_group")
    list_select_related = ("organisation", "study_group__parent", "applicant")
    raw_id_fields = ("applicant", "organisation", "membership", "decided_by")
