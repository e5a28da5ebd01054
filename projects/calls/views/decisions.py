"""Staff pages of decisions: the call's decisions, one application's decision, and the release
(a confirmation page that shows what will be sent, then one POST that sends it all)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from members.access import SecretariatRequiredMixin

from ..models import Application, Call
from ..ranking import call_ranking
from ..review_forms import DecisionForm
from ..services import decisions as services


class CallDecisionListView(SecretariatRequiredMixin, View):
    """The ranking with each application's decision, and what a release would send."""

    template_name = "projects/calls/call_decisions.html"

    def get(self, request, pk):
        call = get_object_or_404(Call, pk=pk)
        context = {
            "call": call,
            "ranking": call_ranking(call=call),
            "summary": services.release_summary(call=call),
            "problems": services.release_problems(call=call),
        }
        return render(request, self.template_name, context)


class ApplicationDecideView(SecretariatRequiredMixin, View):
    template_name = "projects/calls/application_decide.html"

    def load(self, pk) -> Application:
        return get_object_or_404(
            Application.objects.submitted().select_related("call", "organisation", "project"),
            pk=pk,
        )

    def render_form(self, request, application, form):
        context = {"application": application, "call": application.call, "form": form}
        return render(request, self.template_name, context)

    def get(self, request, pk):
        application = self.load(pk)
        initial = {
            "decision": application.decision,
            "message": application.decision_message,
            "project": application.project_id,
        }
        form = DecisionForm(initial=initial, application=application)
        return self.render_form(request, application, form)

    def post(self, request, pk):
        application = self.load(pk)
        form = DecisionForm(request.POST, application=application)
        if application.call.decisions_released_at:
            messages.error(request, _("結果を通知した後は審査結果を変更できません。"))
            return redirect("projects:call_decisions", pk=application.call_id)
        if not form.is_valid():
            return self.render_form(request, application, form)
        try:
            services.application_decide(
                application=application, decided_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_form(request, application, form)
        messages.success(request, _("審査結果を保存しました（まだ通知していません）。"))
        return redirect("projects:call_decisions", pk=application.call_id)


class CallReleaseView(SecretariatRequiredMixin, View):
    """GET: how many of each decision will be sent (or why not yet). POST: send them, once."""

    template_name = "projects/calls/call_release.html"

    def get(self, request, pk):
        call = get_object_or_404(Call, pk=pk)
        context = {
            "call": call,
            "summary": services.release_summary(call=call),
            "problems": services.release_problems(call=call),
        }
        return render(request, self.template_name, context)

    def post(self, request, pk):
        call = get_object_or_404(Call, pk=pk)
        try:
            summary = services.call_release_decisions(call=call, released_by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("projects:call_release", pk=call.pk)
        if summary is None:
            messages.info(request, _("この公募の結果は既に通知しています。"))
        else:
            messages.success(
                request,
                _("審査結果を%(n)s件通知しました（採択%(a)s件・不採択%(r)s件・補欠%(s)s件）。")
                % {
                    "n": summary.total,
                    "a": summary.adopted,
                    "r": summary.rejected,
                    "s": summary.reserve,
                },
            )
        return redirect("projects:call_decisions", pk=call.pk)
