"""Pages of the members app. Views stay thin: reads come from querysets, writes from services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import CreateView, DetailView, FormView, TemplateView, UpdateView
from django_filters.views import FilterView

from consortium.fragments import cached_render
from consortium.links import pk_url, safe_next

from .. import roles, services
from ..access import (
    LoginRequiredMixin,
    SecretariatRequiredMixin,
    _RoleRequiredMixin,
    signed_in_user,
)
from ..filters import OrganisationFilter
from ..forms import (
    JoinDecisionForm,
    JoinRequestForm,
    MembershipForm,
    OrganisationProfileForm,
    OrganisationStaffForm,
    StudyGroupForm,
)
from ..models import AffiliationRequest, JoinRequest, Membership, Organisation, StudyGroup
from ..querysets import (
    can_see_group_members,
    directory_key,
    directory_organisations,
    directory_rows,
    organisation_changes,
    organisation_count,
    organisation_detail_context,
)


class OwnPersonRequiredMixin(_RoleRequiredMixin):
    """A person of an approved organisation (applying to join is for an organisation)."""

    def has_role(self, user: User) -> bool:
        return roles.affiliated_person_of(user) is not None


class HomeView(TemplateView):
    template_name = "members/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["study_groups"] = (
            StudyGroup.objects.top_level().prefetch_related("subgroups").order_by("order", "name")
        )
        context["organisation_count"] = Organisation.objects.confirmed().count()
        return context


# --- Study groups --------------------------------------------------------------------------------


class StudyGroupListView(TemplateView):
    template_name = "members/studygroup_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["study_groups"] = StudyGroup.objects.top_level().prefetch_related("subgroups")
        context["is_secretariat"] = roles.is_secretariat(self.request.user)
        return context


class StudyGroupDetailView(DetailView):
    template_name = "members/studygroup_detail.html"
    queryset = StudyGroup.objects.with_family().prefetch_related("subgroups")
    context_object_name = "group"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["is_secretariat"] = roles.is_secretariat(user)
        context["can_see_members"] = can_see_group_members(user, self.object)
        if context["can_see_members"]:
            context["memberships"] = Membership.objects.members_of(self.object)
        person = roles.affiliated_person_of(user)
        context["person"] = person
        if person:
            context["own_requests"] = JoinRequest.objects.filter(
                organisation_id=person.organisation_id, study_group=self.object
            ).order_by("-created_at")[:5]
            # A member organisation is not offered to apply again.
            context["membership"] = (
                Membership.objects.active()
                .filter(organisation_id=person.organisation_id, study_group=self.object)
                .first()
            )
        return context


class StudyGroupCreateView(SecretariatRequiredMixin, CreateView):
    template_name = "members/studygroup_form.html"
    form_class = StudyGroupForm

    def form_valid(self, form: StudyGroupForm) -> HttpResponse:
        self.object = services.study_group_save(
            group=self.object or StudyGroup(), fields=form.cleaned_data
        )
        messages.success(self.request, _("研究会を保存しました。"))
        return redirect("members:studygroup_detail", pk=self.object.pk)


class StudyGroupUpdateView(StudyGroupCreateView, UpdateView):
    queryset = StudyGroup.objects.all()


class StudyGroupToggleApplicationsView(SecretariatRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        group = services.study_group_toggle_applications(group=get_object_or_404(StudyGroup, pk=pk))
        if group.applications_open:
            messages.success(request, _("加入申込の受付を開始しました。"))
        else:
            messages.success(request, _("加入申込の受付を停止しました。"))
        return redirect("members:studygroup_detail", pk=group.pk)


# --- Join requests -------------------------------------------------------------------------------


class JoinRequestCreateView(OwnPersonRequiredMixin, FormView):
    template_name = "members/joinrequest_form.html"
    form_class = JoinRequestForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.group = get_object_or_404(StudyGroup.objects.with_family(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(group=self.group, **kwargs)

    def form_valid(self, form: JoinRequestForm) -> HttpResponse:
        try:
            services.join_request_submit(
                applicant=roles.affiliated_person_of(self.request.user),
                study_group=self.group,
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("加入申込を送りました。事務局の審査をお待ちください。"))
        return redirect("members:my_join_requests")


class MyJoinRequestsView(OwnPersonRequiredMixin, TemplateView):
    template_name = "members/joinrequest_mine.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["join_requests"] = (
            JoinRequest.objects.visible_to(self.request.user)
            .select_related("study_group__parent", "applicant")
            .order_by("-created_at")
        )
        return context


class JoinRequestQueueView(SecretariatRequiredMixin, TemplateView):
    template_name = "members/joinrequest_queue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["pending"] = JoinRequest.objects.queue()
        context["recent"] = JoinRequest.objects.recently_decided(20)
        context["unconfirmed"] = Organisation.objects.unconfirmed()
        context["affiliations"] = AffiliationRequest.objects.queue()
        return context


class JoinRequestDecideView(SecretariatRequiredMixin, FormView):
    template_name = "members/joinrequest_decide.html"
    form_class = JoinDecisionForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.join_request = get_object_or_404(
            JoinRequest.objects.select_related(
                "applicant", "organisation", "study_group__parent", "decided_by"
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(join_request=self.join_request, **kwargs)

    def form_valid(self, form: JoinDecisionForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                services.join_request_approve(
                    request=self.join_request,
                    decided_by=signed_in_user(self.request),
                    reason=data["reason"],
                )
                messages.success(self.request, _("加入申込を承認しました。"))
            else:
                services.join_request_reject(
                    request=self.join_request,
                    decided_by=signed_in_user(self.request),
                    reason=data["reason"],
                )
                messages.success(self.request, _("加入申込を却下しました。"))
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        return redirect("members:joinrequest_queue")


class MembershipEditView(SecretariatRequiredMixin, UpdateView):
    """Staff change a membership's role or end it; the service tells the reports."""

    template_name = "members/membership_form.html"
    form_class = MembershipForm
    queryset = Membership.objects.select_related("organisation", "study_group__parent")
    context_object_name = "membership"

    def form_valid(self, form: MembershipForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            services.membership_update(
                membership=self.get_object(),
                role=data["role"],
                joined_on=data["joined_on"],
                left_on=data["left_on"],
                clear_left_on=data["left_on"] is None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("会員資格を保存しました。"))
        return redirect("members:organisation_detail", pk=self.object.organisation_id)


# --- Organisations -------------------------------------------------------------------------------


class OrganisationDirectoryView(SecretariatRequiredMixin, FilterView):
    """The body (filter form, rows, pages) is cached under a key made of all it shows: the rows
    as read, the filter's study groups, the count and the query string (``cached_render``)."""

    template_name = "members/organisation_list.html"
    body_template = "members/_organisation_list_body.html"
    filterset_class = OrganisationFilter
    paginate_by = 50
    context_object_name = "organisations"

    def get_queryset(self) -> QuerySet:
        return directory_organisations(Organisation.objects.all())

    def get_paginator(self, queryset, per_page, **kwargs):
        """Unfiltered, the count is the one PostgreSQL keeps instead of counting every
        organisation on every request (``organisation_count``)."""
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        if not queryset.query.where:
            count = organisation_count()
            if count is not None:
                paginator.count = count
        return paginator

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        names = self.filterset.study_group_names()
        rows = context["organisations"] = directory_rows(context["organisations"], names)
        detail_url = pk_url("members:organisation_detail")
        for row in rows:
            row["detail_url"] = detail_url(row["pk"])
        key = (
            self.request.GET.urlencode(),
            names.digest,
            context["paginator"].count,
            directory_key(rows),
        )
        context["body"] = cached_render(self.body_template, context, request=self.request, key=key)
        return context


class OrganisationDetailView(LoginRequiredMixin, TemplateView):
    template_name = "members/organisation_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organisation = get_object_or_404(
            Organisation.objects.visible_to(self.request.user), pk=kwargs["pk"]
        )
        context.update(organisation_detail_context(organisation))
        context["is_secretariat"] = roles.is_secretariat(self.request.user)
        if context["is_secretariat"]:
            context["changes"] = organisation_changes(organisation)
        return context


class MyOrganisationView(LoginRequiredMixin, TemplateView):
    template_name = "members/organisation_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["is_secretariat"] = roles.is_secretariat(self.request.user)
        context["is_mine"] = True
        person = roles.affiliated_person_of(self.request.user)
        context["account_person"] = roles.person_of(self.request.user)
        if person is not None:
            context.update(organisation_detail_context(person.organisation))
        return context


class OrganisationEditView(LoginRequiredMixin, UpdateView):
    """Members edit their organisation's descriptive fields; staff every field (a service
    saves it, so a change the reports read is a domain event)."""

    template_name = "members/organisation_form.html"
    context_object_name = "organisation"

    def get_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.editable_by(self.request.user)

    def get_form_class(self) -> type[OrganisationProfileForm]:
        if roles.is_secretariat(self.request.user):
            return OrganisationStaffForm
        return OrganisationProfileForm

    def form_valid(self, form: OrganisationProfileForm) -> HttpResponse:
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.organisation_update(
                organisation=self.get_object(),
                changed_by=signed_in_user(self.request),
                fields=fields,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("団体情報を保存しました。"))
        if roles.is_secretariat(self.request.user):
            return redirect("members:organisation_detail", pk=self.object.pk)
        return redirect("members:my_organisation")


class OrganisationConfirmView(SecretariatRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        organisation = get_object_or_404(Organisation, pk=pk)
        services.organisation_confirm(organisation=organisation)
        messages.success(
            request, _("団体「%(name)s」を確認済みにしました。") % {"name": organisation}
        )
        detail = reverse("members:organisation_detail", args=[organisation.pk])
        return HttpResponseRedirect(safe_next(request, detail))
