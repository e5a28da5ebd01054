"""Pages of the reports app. Thin: parse, ask querysets/services, render or stream."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from consortium.fiscal import current_fiscal_year, fiscal_year_choices
from consortium.fragments import cached_render
from members.access import AdministratorRequiredMixin, SecretariatRequiredMixin
from members.roles import is_administrator

from . import exports, querysets, services, writers
from .broker import broker_available, queue_length, tasks_run_in_process
from .forms import DashboardFilterForm, ExportForm
from .models import ExportLog

CSV_TYPE = "text/csv; charset=%s"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


CLIFFS_SHOWN = 30


class DashboardView(SecretariatRequiredMixin, TemplateView):
    """The numbers are rendered once per data version, language, filter and role, and served
    from the cache until the data changes (the body costs ~0.5 s at prefecture scale)."""

    template_name = "reports/dashboard.html"
    body_template = "reports/_dashboard_body.html"
    cache_seconds = 300

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = DashboardFilterForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        version, as_of = querysets.dashboard_version()
        filters_key = (
            filters.get("study_group"),
            filters.get("project"),
            filters.get("fiscal_year"),
        )
        all_cliffs = filters.get("cliffs") == "all"
        this_year = current_fiscal_year()  # its figures are "as of" the last roll-up

        def body_context() -> dict:
            data = querysets.dashboard(
                study_group_id=filters_key[0],
                project_id=filters_key[1],
                fiscal_year=filters_key[2],
            )
            # Newest years first; past a screenful, the rest on request (7,500 at 10M rows
            # made a 1.5 MB page).
            cliffs = sorted(data.cliffs, key=lambda cliff: cliff.fiscal_year, reverse=True)
            query = self.request.GET.copy()
            query["cliffs"] = "all"
            return {
                "form": form,
                "data": data,
                "cliffs": cliffs if all_cliffs else cliffs[:CLIFFS_SHOWN],
                "cliffs_total": len(cliffs),
                "all_cliffs_url": f"?{query.urlencode()}",
                "chart_data": data.chart_data(),
                "current_fiscal_year": this_year,
                "as_of": as_of,
            }

        body = cached_render(
            self.body_template,
            body_context,
            request=self.request,
            key=(version, filters_key, all_cliffs, is_administrator(self.request.user), this_year),
            timeout=self.cache_seconds,
        )
        return super().get_context_data(
            form=form,
            body=body,
            as_of=as_of,
            current_fiscal_year=this_year,
            broker_ok=broker_available(),
            **kwargs,
        )


class StatusView(AdministratorRequiredMixin, TemplateView):
    template_name = "reports/status.html"

    def get_template_names(self):  # (request.htmx: set by django-htmx, untyped here)
        if self.request.htmx:
            return ["reports/_status_panel.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        status = querysets.rollup_status()
        broker_ok = broker_available()
        return super().get_context_data(
            status=status,
            current_fiscal_year=current_fiscal_year(),
            broker_ok=broker_ok,
            heartbeats=querysets.heartbeat_status(),
            tasks_in_process=tasks_run_in_process(),
            queue_length=queue_length() if broker_ok else None,
            **kwargs,
        )


class RecomputeView(AdministratorRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            services.rollup_enqueue_all()
        except services.RollupEnqueueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("全年度の再集計を依頼しました。"))
        return redirect("reports:status")


class ExportsView(AdministratorRequiredMixin, TemplateView):
    template_name = "reports/exports.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        this_year = current_fiscal_year()
        return super().get_context_data(
            fiscal_years=fiscal_year_choices(this_year - 15, this_year),
            this_year=this_year,
            # The current year's summary is a count so far: the page says as of when.
            current_fiscal_year=this_year,
            as_of=querysets.dashboard_version()[1],
            exports=exports.ANNUAL_EXPORTS.values(),
            **kwargs,
        )


class ExportDownloadView(AdministratorRequiredMixin, View):
    """participation / funding / calls / indicators / attendance as csv or xlsx; the attendance
    detail in UTF-8 is streamed, everything else is built before the first byte (see
    ``export_response``)."""

    def get(self, request: HttpRequest, kind: str, fmt: str) -> HttpResponseBase:
        annual = exports.ANNUAL_EXPORTS.get(kind)
        if annual is None or fmt not in ("csv", "xlsx"):
            raise Http404
        form = ExportForm(request.GET)
        if not form.is_valid() or (annual.per_year and not form.cleaned_data["fiscal_year"]):
            messages.error(request, _("年度・文字コード・見出しの指定を確認してください。"))
            return redirect("reports:exports")
        options = form.cleaned_data
        export = build_export(kind, options["fiscal_year"], options["header"])
        try:
            response = export_response(export, fmt, options["encoding"], stream=annual.stream)
        except writers.ExportEncodingError as exc:
            return encoding_error_response(request, exc)
        # Logged once the file exists: a failed export is not a download.
        services.export_log_record(
            user=request.user,
            exported=services.ExportedFile(
                kind=kind,
                fiscal_year=options["fiscal_year"],
                filename=f"{export.filename}.{fmt}",
                file_format=fmt,
                personal_data=export.personal_data,
            ),
        )
        return response


def encoding_error_response(
    request: HttpRequest, error: writers.ExportEncodingError
) -> HttpResponse:
    """The page for a file Shift_JIS cannot hold: which row, column and character, and the
    same export in UTF-8 (every other query parameter kept)."""
    query = request.GET.copy()
    query["encoding"] = "utf-8-sig"
    return render(
        request,
        "reports/export_error.html",
        {"error": error, "utf8_url": f"{request.path}?{query.urlencode()}"},
        status=422,
    )


def build_export(kind: str, fiscal_year: int | None, language: str) -> exports.Export:
    """The annual-summary export ``kind`` (``exports.ANNUAL_EXPORTS``); 404 for another kind."""
    if kind not in exports.ANNUAL_EXPORTS:
        raise Http404
    return exports.annual_export(kind, fiscal_year=fiscal_year, language=language)


def export_response(
    export: exports.Export, fmt: str, encoding: str, *, stream: bool = False
) -> HttpResponseBase:
    """An HTTP response for an export, or ``ExportEncodingError`` before any byte is sent.

    Only a UTF-8 CSV, which holds every character, is streamed as it is read (``stream``: the
    attendance detail, which PostgreSQL writes with COPY, ``Export.copy_sql``; the annual
    summary's COPY is read whole first, a file bounded by years × study groups). A
    cp932 CSV is written whole first (a spooled file, flat memory): a character Shift_JIS lacks
    then fails the export, instead of cutting the download off after the header. XLSX is built
    first too."""
    filename = f"{export.filename}.{fmt}"
    if fmt == "xlsx":
        handle = writers.xlsx_file(export.header, export.rows, title=export.title or export.kind)
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    charset = "Shift_JIS" if encoding == "cp932" else "utf-8"
    rows, escape = export.rows_for_csv(), export.escape_formulas
    response: HttpResponseBase
    if encoding == "utf-8-sig" and export.copy_sql and stream:
        # Rows PostgreSQL writes itself (``copy_csv``), streamed as COPY sends them.
        response = StreamingHttpResponse(
            writers.iter_copy_csv(export.header, *export.copy_sql),
            content_type=CSV_TYPE % charset,
        )
    elif encoding == "utf-8-sig" and export.copy_sql:
        # A small file PostgreSQL writes (the annual summary): read whole, sent at once.
        body = b"".join(writers.iter_copy_csv(export.header, *export.copy_sql, stream=False))
        response = HttpResponse(body, content_type=CSV_TYPE % charset)
    elif stream and encoding == "utf-8-sig":
        response = StreamingHttpResponse(
            writers.iter_csv(export.header, rows, encoding=encoding, escape_formulas=escape),
            content_type=CSV_TYPE % charset,
        )
    elif stream:
        handle = writers.csv_file(export.header, rows, encoding=encoding, escape_formulas=escape)
        response = FileResponse(handle, content_type=CSV_TYPE % charset)
    else:
        body = writers.csv_bytes(export.header, rows, encoding=encoding, escape_formulas=escape)
        response = HttpResponse(body, content_type=CSV_TYPE % charset)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ExportLogView(AdministratorRequiredMixin, ListView):
    template_name = "reports/export_log.html"
    paginate_by = 50
    context_object_name = "logs"

    def get_queryset(self) -> QuerySet[ExportLog]:
        return ExportLog.objects.select_related("user__person").order_by("-created_at", "-pk")


def open_data(request: HttpRequest) -> HttpResponse:
    layout = exports.open_data_layout()
    return render(
        request,
        "reports/open_data.html",
        {
            "columns": exports.OPEN_DATA_LAYOUTS[layout],
            "legacy_columns": exports.OPEN_DATA_LEGACY_COLUMNS,
            "default_layout": layout,
        },
    )


def open_data_file(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """Public meetings as 自治体標準オープンデータセット「イベント一覧」 (no login needed), CSV or
    XLSX (the authority code a text cell, dates date cells): ``?layout=legacy`` the former
    推奨データセット headers, ``?encoding=cp932`` a Shift_JIS CSV."""
    export = exports.open_data_export(request.GET.get("layout"))
    if fmt == "xlsx":
        return export_response(export, "xlsx", "")
    encoding = "cp932" if request.GET.get("encoding") == "cp932" else "utf-8-sig"
    try:
        return export_response(export, "csv", encoding)
    except writers.ExportEncodingError as exc:
        return encoding_error_response(request, exc)


class OpenDataView(View):
    """The open-data page, GET only (a POST is refused, like every other page's)."""

    http_method_names = ["get", "head", "options"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return open_data(request)


class OpenDataCsvView(View):
    http_method_names = ["get", "head", "options"]
    fmt = "csv"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        return open_data_file(request, self.fmt)


class OpenDataXlsxView(OpenDataCsvView):
    fmt = "xlsx"
