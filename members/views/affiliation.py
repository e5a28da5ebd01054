"""Affiliation requests (所属申請): a person asks to belong to an organisation, staff decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView

from .. import roles, services
from ..access import AccountPersonRequiredMixin, SecretariatRequiredMixin, signed_in_user
from ..forms import AffiliationDecisionForm, AffiliationRequestForm
from ..models import AffiliationRequest, Organisation


class MyAffiliationView(AccountPersonRequiredMixin, FormView):
    """The person's own affiliation requests, and a new one while none waits and they belong to
    no organisation (e.g. after a rejection)."""

    template_name = "members/affiliation_mine.html"
    form_class = AffiliationRequestForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.person = roles.person_of(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        requests = (
            AffiliationRequest.objects.visible_to(self.request.user)
            .filter(person=self.person)
            .select_related("organisation")
            .order_by("-created_at")
        )
        pending = any(r.status == AffiliationRequest.Status.PENDING for r in requests)
        return super().get_context_data(
            person=self.person,
            affiliation_requests=requests,
            can_apply=not pending and not self.person.organisation_id,
            **kwargs,
        )

    def form_valid(self, form: AffiliationRequestForm) -> HttpResponse:
        try:
            services.affiliation_request_submit(
                person=self.person, organisation=form.organisation_proposal()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("所属申請を送りました。事務局の確認をお待ちください。"))
        return redirect("members:my_affiliation")


class AffiliationWithdrawView(AccountPersonRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = roles.person_of(request.user)
        affiliation = get_object_or_404(
            AffiliationRequest.objects.visible_to(request.user).filter(person=person), pk=pk
        )
        try:
            services.affiliation_request_withdraw(request=affiliation, person=person)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("所属申請を取り下げました。"))
        return redirect("members:my_affiliation")


class AffiliationDecideView(SecretariatRequiredMixin, FormView):
    """Staff see what the applicant typed, the candidates the server matched (never shown to
    the applicant) and the applicant's e-mail domain next to each candidate's website."""

    template_name = "members/affiliation_decide.html"
    form_class = AffiliationDecisionForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.affiliation = get_object_or_404(
            AffiliationRequest.objects.select_related("person", "organisation", "decided_by"),
            pk=kwargs["pk"],
        )
        a = self.affiliation
        self.candidates = Organisation.objects.candidates(
            name=a.organisation_name, corporate_number=a.corporate_number
        )
        if a.organisation is not None and a.organisation not in self.candidates:
            self.candidates.insert(0, a.organisation)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "candidates": self.candidates}

    def get_initial(self) -> dict[str, Any]:
        return {"organisation": self.affiliation.organisation_id}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            affiliation=self.affiliation, candidates=self.candidates, **kwargs
        )

    def form_valid(self, form: AffiliationDecisionForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                services.affiliation_request_approve(
                    request=self.affiliation,
                    decided_by=signed_in_user(self.request),
                    organisation=data["organisation"],
                    new_organisation=data["organisation"] is None,
                    reason=data["reason"],
                )
                messages.success(self.request, _("所属申請を承認しました。"))
            else:
                services.affiliation_request_reject(
                    request=self.affiliation,
                    decided_by=signed_in_user(self.request),
                    reason=data["reason"],
                )
                messages.success(self.request, _("所属申請を却下しました。"))
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        return redirect("members:joinrequest_queue")
