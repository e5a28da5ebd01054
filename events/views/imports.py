"""Staff import of sign-in sheets: upload → preview (created / matched / rejected) → confirm.

The file waits as a ``PendingUpload`` of the person who sent it: deleted when the import is
applied or cancelled (取り消す), or by the beat sweep when abandoned. A second confirm of the same
file does not import again; it says so and links to the meetings imported.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from consortium.importing import store
from members.access import SecretariatRequiredMixin

from ..forms import ImportUploadForm
from ..importing import COLUMNS, import_apply_upload, import_plan, parse_meeting_ids
from ..models import Meeting

PURPOSE = "events.attendance"


def _upload(request, token: str):
    upload = store.find(token=token, purpose=PURPOSE, user=request.user)
    if upload is None:
        raise Http404
    return upload


class ImportUploadView(SecretariatRequiredMixin, FormView):
    form_class = ImportUploadForm
    template_name = "events/import_upload.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(columns=COLUMNS, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        held = store.hold(
            purpose=PURPOSE,
            name=upload.name,
            data=upload.read(),
            user=self.request.user,
            encoding=form.cleaned_data["encoding"] or "",
        )
        return redirect("events:import_preview", token=held.token)


class ImportPreviewView(SecretariatRequiredMixin, View):
    """Show what the file would do; POST writes it (re-checked against the database first)."""

    def _plan(self, upload):
        data = store.read(upload)
        if data is None:
            raise Http404  # swept: the file is gone
        return import_plan(data, upload.name, encoding=upload.encoding or None)

    def _page(self, request, upload, plan, status=200):
        context = {"plan": plan, "upload": upload, "token": upload.token}
        return render(request, "events/import_preview.html", context, status=status)

    def get(self, request, token):
        upload = _upload(request, token)
        if upload.applied_at:
            return store.already_imported(request, upload)
        return self._page(request, upload, self._plan(upload))

    def post(self, request, token):
        upload = _upload(request, token)
        if upload.applied_at:
            return store.already_imported(request, upload)
        plan = self._plan(upload)
        if not plan.ok:
            return self._page(request, upload, plan, status=400)
        if import_apply_upload(upload=upload, plan=plan, recorded_by=request.user) is None:
            upload.refresh_from_db()
            return store.already_imported(request, upload)
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
        return redirect(upload.result_url)


class ImportCancelView(SecretariatRequiredMixin, View):
    """取り消す: the held file is deleted now, nothing is imported."""

    http_method_names = ["post"]

    def post(self, request, token):
        upload = _upload(request, token)
        if upload.applied_at:
            return store.already_imported(request, upload)
        store.discard(upload=upload)
        messages.info(request, _("取込を取り消しました。ファイルは削除しました。"))
        return redirect("events:import_upload")


class ImportResultView(SecretariatRequiredMixin, TemplateView):
    """Where an import lands: exactly the meetings it wrote (``?meetings=12-40,55``), past ones
    included, with their totals as stored now."""

    template_name = "events/import_result.html"

    def get_context_data(self, **kwargs):
        runs = parse_meeting_ids(self.request.GET.get("meetings", ""))
        meetings = (
            Meeting.objects.in_id_runs(runs).with_sheet_totals().order_by("date", "starts_at", "pk")
        )
        return super().get_context_data(meetings=meetings, **kwargs)
