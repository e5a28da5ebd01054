"""自分の情報 (a person's own data, its download, the deletion request) and the administrators'
erasure page. Writes go through ``members.privacy``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import privacy, roles
from ..access import (
    AccountPersonRequiredMixin,
    AdministratorRequiredMixin,
    LoginRequiredMixin,
    SecretariatRequiredMixin,
    signed_in_user,
)
from ..forms import DeletionRequestForm, ErasureForm
from ..models import DeletionRequest, Erasure, Person
from ..signals import personal_data_exported

DOWNLOADS = {
    "json": ("application/json; charset=utf-8", privacy.personal_data_json),
    "csv": ("text/csv; charset=utf-8", privacy.personal_data_csv),
}


class MyDataView(LoginRequiredMixin, TemplateView):
    template_name = "members/my_data.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        person = roles.person_of(self.request.user)
        context["person"] = person
        context["data"] = privacy.personal_data_collect(user=signed_in_user(self.request))
        context["pending_deletion"] = (
            person.deletion_requests.filter(status=DeletionRequest.Status.PENDING).first()
            if person is not None
            else None
        )
        return context


class MyDataDownloadView(LoginRequiredMixin, View):
    fmt = "json"

    def get(self, request: HttpRequest) -> HttpResponse:
        content_type, write = DOWNLOADS[self.fmt]
        body = write(privacy.personal_data_collect(user=signed_in_user(request)))
        response = HttpResponse(body, content_type=content_type)
        filename = f"kyoso-my-data-{timezone.localdate():%Y%m%d}.{self.fmt}"
        # Every file of personal data that leaves Kyoso is in the export log, one's own too.
        personal_data_exported.send(
            sender=type(self),
            user=request.user,
            kind="own_data",
            filename=filename,
            file_format=self.fmt,
            rows=1,
            via="web",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


class DeletionRequestCreateView(AccountPersonRequiredMixin, FormView):
    template_name = "members/deletion_request_form.html"
    form_class = DeletionRequestForm

    def form_valid(self, form: DeletionRequestForm) -> HttpResponse:
        try:
            privacy.deletion_request_submit(
                person=roles.person_of(self.request.user), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("削除の申出を受け付けました。事務局から連絡します。"))
        return redirect("members:my_data")


class DeletionRequestWithdrawView(AccountPersonRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        pending = get_object_or_404(
            DeletionRequest,
            person=roles.person_of(request.user),
            status=DeletionRequest.Status.PENDING,
        )
        privacy.deletion_request_withdraw(request=pending)
        messages.success(request, _("削除の申出を取り下げました。"))
        return redirect("members:my_data")


class DeletionRequestQueueView(SecretariatRequiredMixin, TemplateView):
    """Staff see the requests; only administrators get the button that erases."""

    template_name = "members/deletion_request_queue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["pending"] = (
            DeletionRequest.objects.filter(status=DeletionRequest.Status.PENDING)
            .select_related("person__organisation")
            .order_by("created_at")
        )
        context["erasures"] = Erasure.objects.select_related("erased_by__person").order_by(
            "-erased_at"
        )[:50]
        context["can_erase"] = roles.is_administrator(self.request.user)
        return context


class PersonEraseView(AdministratorRequiredMixin, FormView):
    template_name = "members/person_erase.html"
    form_class = ErasureForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.person = get_object_or_404(
            Person.objects.select_related("organisation", "user"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            person=self.person,
            erased=Erasure.objects.filter(person=self.person).first(),
            pending=self.person.deletion_requests.filter(
                status=DeletionRequest.Status.PENDING
            ).first(),
            **kwargs,
        )

    def form_valid(self, form: ErasureForm) -> HttpResponse:
        try:
            privacy.person_erase(person=self.person, erased_by=signed_in_user(self.request))
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("個人情報を削除しました（利用者 #%(pk)s）。") % {"pk": self.person.pk}
        )
        return redirect("members:deletion_request_queue")
