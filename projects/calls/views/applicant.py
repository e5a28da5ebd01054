"""An organisation's applications (応募): apply, edit, attach PDFs, submit, マイ応募.

Only a person of an approved, confirmed organisation acts for it; another organisation's
application is a 404. Whether the call is open is the services' decision (server time).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from members import roles
from members.access import AffiliatedPersonRequiredMixin, LoginRequiredMixin

from ...templatetags.calls_tags import call_state
from ..forms import ApplicationForm, AttachmentForm, BudgetFormSet
from ..models import Application, ApplicationAttachment, BudgetLine, Call
from ..services import applications as services

FORM_TEMPLATE = "projects/calls/application_form.html"


def _organisation_id(user) -> int | None:
    person = roles.affiliated_person_of(user)
    return person.organisation_id if person else None


def _own_applications(user):
    return Application.objects.of_organisation(_organisation_id(user))


def _flash(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _parts(form: ApplicationForm, budget_lines: Sequence[BudgetLine]) -> services.ApplicationParts:
    """What the form sends besides the application's own fields."""
    return services.ApplicationParts(
        partners=form.cleaned_data["partners"],
        requested_support=form.cleaned_data["requested_support"],
        budget_lines=budget_lines,
        attachments=form.cleaned_data["attachments"],
    )


def _render_form(request, *, call, application, form, budget, status=200):
    context = {"call": call, "application": application, "form": form, "budget": budget}
    return render(request, FORM_TEMPLATE, context, status=status)


def _save_form(request, *, call, application, form, budget, save):
    """Validate the form and its budget, then call ``save``; on any error show the form again.
    The service runs in one transaction: a bad line or file saves nothing."""
    if form.is_valid() and budget.is_valid():
        try:
            return save(form, budget)
        except ValidationError as error:
            form.add_error(None, error)
    return _render_form(
        request, call=call, application=application, form=form, budget=budget, status=200
    )


class ApplicationCreateView(LoginRequiredMixin, View):
    """Apply to a call. Anonymous people go to the login page; a signed-in user without an
    approved, confirmed organisation of an admitted sector sees why (and where to ask)."""

    def get_call(self, pk) -> Call:
        return get_object_or_404(
            Call.objects.visible_to(self.request.user).prefetch_related(
                "support_kinds", "challenges"
            ),
            pk=pk,
        )

    def refusal(self, request, call):
        person = roles.affiliated_person_of(request.user)
        organisation = person.organisation if person else None
        try:
            services.check_applicant(call, organisation)
        except services.ApplicationError as error:
            context = {
                "call": call,
                "reason": error.code,
                "message": error.messages[0],
                "account_person": roles.person_of(request.user),
            }
            return render(request, "projects/calls/apply_blocked.html", context, status=403)
        try:
            services.check_open(call)
        except services.ApplicationError as error:
            _flash(request, error)
            return redirect("projects:call_public_detail", pk=call.pk)
        return None

    def forms(self, request, call, data=None, files=None):
        organisation = roles.affiliated_person_of(request.user).organisation
        application = Application(call=call, organisation=organisation)
        form = ApplicationForm(
            data, files, instance=application, call=call, organisation=organisation
        )
        budget = BudgetFormSet(data, prefix="budget", instance=application, maximum=call.max_amount)
        return application, form, budget

    def get(self, request, pk):
        call = self.get_call(pk)
        refused = self.refusal(request, call)
        if refused:
            return refused
        application, form, budget = self.forms(request, call)
        return _render_form(request, call=call, application=application, form=form, budget=budget)

    def post(self, request, pk):
        call = self.get_call(pk)
        refused = self.refusal(request, call)
        if refused:
            return refused
        application, form, budget = self.forms(request, call, request.POST, request.FILES)

        def save(form, budget):
            saved = services.application_create(
                application=form.save(commit=False),
                created_by=request.user,
                parts=_parts(form, budget.save(commit=False)),
            )
            messages.success(
                request,
                _("応募を下書きとして保存しました。内容を確認して「提出する」を押してください。"),
            )
            return redirect("projects:application_detail", pk=saved.pk)

        return _save_form(
            request, call=call, application=application, form=form, budget=budget, save=save
        )


class ApplicationUpdateView(AffiliatedPersonRequiredMixin, View):
    """Change an application of one's own organisation while the call is open."""

    def get_application(self, pk) -> Application:
        return get_object_or_404(
            _own_applications(self.request.user).select_related("call", "organisation"), pk=pk
        )

    def forms(self, application, data=None, files=None):
        call = application.call
        form = ApplicationForm(
            data, files, instance=application, call=call, organisation=application.organisation
        )
        budget = BudgetFormSet(data, prefix="budget", instance=application, maximum=call.max_amount)
        return form, budget

    def closed(self, request, application):
        try:
            services.check_open(application.call)
        except services.ApplicationError as error:
            _flash(request, error)
            return redirect("projects:application_detail", pk=application.pk)
        return None

    def get(self, request, pk):
        application = self.get_application(pk)
        refused = self.closed(request, application)
        if refused:
            return refused
        form, budget = self.forms(application)
        return _render_form(
            request, call=application.call, application=application, form=form, budget=budget
        )

    def post(self, request, pk):
        application = self.get_application(pk)
        refused = self.closed(request, application)
        if refused:
            return refused
        form, budget = self.forms(application, request.POST, request.FILES)

        def save(form, budget):
            lines = budget.save(commit=False)
            services.application_update(
                application=form.save(commit=False),
                parts=_parts(form, lines),
                budget_lines_deleted=budget.deleted_objects,
            )
            messages.success(request, _("応募を保存しました。"))
            return redirect("projects:application_detail", pk=application.pk)

        return _save_form(
            request,
            call=application.call,
            application=application,
            form=form,
            budget=budget,
            save=save,
        )


class ApplicationSubmitView(AffiliatedPersonRequiredMixin, View):
    def post(self, request, pk):
        application = get_object_or_404(_own_applications(request.user), pk=pk)
        was_submitted = bool(application.number)
        try:
            application = services.application_submit(
                application=application, submitted_by=request.user
            )
        except ValidationError as error:
            _flash(request, error)
        else:
            if was_submitted:
                messages.info(
                    request,
                    _("この応募は提出済みです（受付番号 %(number)s）。")
                    % {"number": application.number},
                )
            else:
                messages.success(
                    request,
                    _("応募を提出しました。受付番号は %(number)s です。受付メールを送りました。")
                    % {"number": application.number},
                )
        return redirect("projects:application_detail", pk=application.pk)


class MyApplicationListView(AffiliatedPersonRequiredMixin, ListView):
    """マイ応募: the applications of the user's organisation, drafts included."""

    template_name = "projects/calls/my_applications.html"
    context_object_name = "applications"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Application]:
        return (
            _own_applications(self.request.user)
            .select_related("call")
            .with_totals()
            .order_by("-created_at", "-pk")
        )


class ApplicationDetailView(LoginRequiredMixin, DetailView):
    """Staff see every application; a person their own organisation's (others: 404)."""

    template_name = "projects/calls/application_detail.html"
    context_object_name = "application"

    def get_queryset(self) -> QuerySet[Application]:
        return (
            Application.objects.visible_to(self.request.user)
            .select_related("call", "organisation", "challenge", "created_by")
            .prefetch_related("partners", "requested_support", "budget_lines", "attachments")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        application = self.object
        own = application.organisation_id == _organisation_id(self.request.user)
        is_open = application.call.is_open()
        lines = list(application.budget_lines.all())
        return super().get_context_data(
            call_state=call_state(application.call),
            can_change=own and is_open and application.status != Application.Status.WITHDRAWN,
            budget_lines=lines,
            total=sum(line.amount for line in lines),
            attachment_form=AttachmentForm(),
            **kwargs,
        )


class AttachmentUploadView(AffiliatedPersonRequiredMixin, View):
    def post(self, request, pk):
        application = get_object_or_404(_own_applications(request.user), pk=pk)
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            for error in form.errors.get("file", []):
                messages.error(request, error)
            return redirect("projects:application_detail", pk=application.pk)
        try:
            attachment = services.attachment_add(
                application=application, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(request, _("「%(name)s」を添付しました。") % {"name": attachment.name})
        return redirect("projects:application_detail", pk=application.pk)


class AttachmentDeleteView(AffiliatedPersonRequiredMixin, View):
    def post(self, request, pk):
        attachment = get_object_or_404(
            ApplicationAttachment.objects.select_related("application").filter(
                application__in=_own_applications(request.user)
            ),
            pk=pk,
        )
        application_pk = attachment.application_id
        try:
            services.attachment_remove(attachment=attachment)
        except ValidationError as error:
            _flash(request, error)
        else:
            messages.success(request, _("「%(name)s」を削除しました。") % {"name": attachment.name})
        return redirect("projects:application_detail", pk=application_pk)


class AttachmentDownloadView(LoginRequiredMixin, View):
    """A PDF of an application, for those who may see the application (staff, its
    organisation); anyone else gets a 404. Reviewers have their own page (``review_attachment``)."""

    def get(self, request, pk):
        attachment = get_object_or_404(
            ApplicationAttachment.objects.filter(
                application__in=Application.objects.visible_to(request.user).values("pk")
            ),
            pk=pk,
        )
        if not attachment.file or not attachment.file.storage.exists(attachment.file.name):
            raise Http404
        return FileResponse(
            attachment.file.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=attachment.name,
        )
