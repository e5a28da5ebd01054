"""Staff import of sign-in sheets: upload → preview (created / matched / rejected) → confirm."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.files.base import ContentFile
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from consortium.storage import private_storage
from members.access import SecretariatRequiredMixin

from ..forms import ImportUploadForm
from ..importing import COLUMNS, import_apply, import_plan

SESSION_KEY = "events_imports"


def _stored(request, token: str) -> dict:
    upload = request.session.get(SESSION_KEY, {}).get(token)
    if upload is None or not private_storage.exists(upload["path"]):
        raise Http404
    return upload


class ImportUploadView(SecretariatRequiredMixin, FormView):
    form_class = ImportUploadForm
    template_name = "events/import_upload.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(columns=COLUMNS, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        token = secrets.token_urlsafe(16)
        extension = upload.name.rsplit(".", 1)[-1].lower()
        path = private_storage.save(
            f"events/imports/{token}.{extension}", ContentFile(upload.read())
        )
        uploads = self.request.session.get(SESSION_KEY, {})
        uploads[token] = {
            "path": path,
            "name": upload.name,
            "encoding": form.cleaned_data["encoding"] or None,
        }
        self.request.session[SESSION_KEY] = uploads
        return redirect("events:import_preview", token=token)


class ImportPreviewView(SecretariatRequiredMixin, View):
    """Show what the file would do; POST writes it (re-checked against the database first)."""

    def _plan(self, upload: dict):
        with private_storage.open(upload["path"], "rb") as handle:
            data = handle.read()
        return import_plan(data, upload["name"], encoding=upload["encoding"])

    def get(self, request, token):
        upload = _stored(request, token)
        plan = self._plan(upload)
        context = {"plan": plan, "upload": upload, "token": token}
        return render(request, "events/import_preview.html", context)

    def post(self, request, token):
        upload = _stored(request, token)
        plan = self._plan(upload)
        if not plan.ok:
            context = {"plan": plan, "upload": upload, "token": token}
            return render(request, "events/import_preview.html", context, status=400)
        import_apply(plan, recorded_by=request.user)
        private_storage.delete(upload["path"])
        uploads = request.session.get(SESSION_KEY, {})
        uploads.pop(token, None)
        request.session[SESSION_KEY] = uploads
        messages.success(
            request,
            _(
                "取り込みました: 会議 %(meetings)s 件、出席 %(attendances)s 人、"
                "当日参加 %(unnamed)s 人。"
            )
            % {
                "meetings": len(plan.meetings),
                "attendances": plan.attendance_count,
                "unnamed": plan.unnamed_count,
            },
        )
        return redirect("events:meeting_list")
