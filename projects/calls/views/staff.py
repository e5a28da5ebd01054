"""Staff pages of 公募: calls (create, edit, publish, close), a call's applications, city
challenges and the list of support kinds."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from members.access import SecretariatRequiredMixin

from ..forms import CallForm, CityChallengeForm, CriterionFormSet, SupportKindForm
from ..models import Application, Call, CityChallenge, SupportKind
from ..querysets import challenges_with_calls, support_kinds_with_calls
from ..services import calls as services


class CallStaffListView(SecretariatRequiredMixin, ListView):
    template_name = "projects/calls/staff_list.html"
    context_object_name = "calls"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Call]:
        return Call.objects.with_application_counts().order_by("-fiscal_year", "-opens_at", "pk")


class CallFormView(SecretariatRequiredMixin, View):
    """Create or edit a call with its review criteria (a call must have one to be published)."""

    template_name = "projects/calls/call_form.html"

    def get_object(self, pk) -> Call:
        return get_object_or_404(Call, pk=pk) if pk else Call()

    def render_form(self, request, call, form, criteria):
        context = {"call": call, "form": form, "criteria": criteria}
        return render(request, self.template_name, context)

    def get(self, request, pk=None):
        call = self.get_object(pk)
        form = CallForm(instance=call)
        criteria = CriterionFormSet(instance=call, prefix="criteria")
        return self.render_form(request, call, form, criteria)

    def post(self, request, pk=None):
        call = self.get_object(pk)
        form = CallForm(request.POST, instance=call)
        criteria = CriterionFormSet(
            request.POST,
            instance=call,
            prefix="criteria",
            require_one=bool(call.pk) and call.status != Call.Status.DRAFT,
        )
        if form.is_valid() and criteria.is_valid():
            changed = criteria.save(commit=False)
            arguments = {
                "call": form.save(commit=False),
                "support_kinds": form.cleaned_data["support_kinds"],
                "challenges": form.cleaned_data["challenges"],
                "criteria": changed,
            }
            try:
                if pk:
                    call = services.call_update(
                        criteria_deleted=criteria.deleted_objects, **arguments
                    )
                else:
                    call = services.call_create(**arguments)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("公募を保存しました。"))
                return redirect("projects:call_staff_list")
        return self.render_form(request, call, form, criteria)


class _CallTransitionView(SecretariatRequiredMixin, View):
    service = staticmethod(services.call_publish)
    done = gettext_lazy("「%(title)s」を公開しました。")

    def post(self, request, pk):
        call = get_object_or_404(Call, pk=pk)
        try:
            self.service(call=call)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.done % {"title": call.title})
        return redirect("projects:call_staff_list")


class CallPublishView(_CallTransitionView):
    pass


class CallCloseView(_CallTransitionView):
    service = staticmethod(services.call_close)
    done = gettext_lazy("「%(title)s」の受付を締め切りました。")


class CallApplicationListView(SecretariatRequiredMixin, TemplateView):
    """Every application of a call (drafts included), numbered ones first."""

    template_name = "projects/calls/staff_applications.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        call = get_object_or_404(Call, pk=kwargs["pk"])
        applications = (
            Application.objects.filter(call=call)
            .select_related("organisation")
            .with_totals()
            .order_by("sequence", "created_at", "pk")
        )
        return super().get_context_data(call=call, applications=applications, **kwargs)


class ChallengeListView(SecretariatRequiredMixin, ListView):
    template_name = "projects/calls/challenge_list.html"
    context_object_name = "challenges"
    paginate_by = 100

    def get_queryset(self) -> QuerySet[CityChallenge]:
        return challenges_with_calls()


class ChallengeFormView(SecretariatRequiredMixin, View):
    template_name = "projects/calls/challenge_form.html"

    def get_object(self, pk) -> CityChallenge:
        return get_object_or_404(CityChallenge, pk=pk) if pk else CityChallenge()

    def get(self, request, pk=None):
        challenge = self.get_object(pk)
        form = CityChallengeForm(instance=challenge)
        return render(request, self.template_name, {"form": form, "challenge": challenge})

    def post(self, request, pk=None):
        challenge = self.get_object(pk)
        form = CityChallengeForm(request.POST, instance=challenge)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "challenge": challenge})
        services.challenge_save(challenge=form.save(commit=False))
        messages.success(request, _("市の課題を保存しました。"))
        return redirect("projects:challenge_list")


class SupportKindListView(SecretariatRequiredMixin, View):
    """The support kinds calls can offer, and a form to add one."""

    template_name = "projects/calls/support_kind_list.html"

    def get(self, request, form=None):
        kinds = support_kinds_with_calls()
        return render(
            request, self.template_name, {"kinds": kinds, "form": form or SupportKindForm()}
        )

    def post(self, request):
        form = SupportKindForm(request.POST)
        if not form.is_valid():
            return self.get(request, form=form)
        services.support_kind_save(support_kind=form.save(commit=False))
        messages.success(request, _("支援の種類を追加しました。"))
        return redirect("projects:support_kind_list")


class SupportKindFormView(SecretariatRequiredMixin, View):
    template_name = "projects/calls/support_kind_form.html"

    def get(self, request, pk):
        kind = get_object_or_404(SupportKind, pk=pk)
        return render(
            request, self.template_name, {"form": SupportKindForm(instance=kind), "kind": kind}
        )

    def post(self, request, pk):
        kind = get_object_or_404(SupportKind, pk=pk)
        form = SupportKindForm(request.POST, instance=kind)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "kind": kind})
        services.support_kind_save(support_kind=form.save(commit=False))
        messages.success(request, _("支援の種類を保存しました。"))
        return redirect("projects:support_kind_list")
