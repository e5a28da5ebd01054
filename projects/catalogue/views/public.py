"""The catalogue for everyone, anonymous included: the search with its facets, an entry's page,
an organisation's page, and the catalogue as open data (CSV and JSON)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import DetailView, ListView

from members.models import Organisation

from .. import opendata
from ..models import Entry
from ..querysets import organisations_publishing
from ..search import PAGE_SIZE, KnownCountPaginator, catalogue_search, listed, public_entries


class PublicCatalogueView(ListView):
    """Published entries, searched by the words of ``q`` and narrowed by the facets."""

    template_name = "projects/catalogue/public_list.html"
    context_object_name = "entries"
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> QuerySet[Entry]:
        self.search = catalogue_search(self.request.GET)
        return self.search.entries

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        return KnownCountPaginator(
            queryset,
            per_page,
            count=self.search.total,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            **kwargs,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(search=self.search, **kwargs)


class PublicEntryDetailView(DetailView):
    """A published entry: its text, pictures, brochure, organisation and related activities.
    Anything not published is a 404, for staff too (they have their own pages)."""

    template_name = "projects/catalogue/public_detail.html"
    context_object_name = "entry"

    def get_queryset(self) -> QuerySet[Entry]:
        return public_entries().for_public_detail()


class PublicOrganisationView(DetailView):
    """A confirmed organisation's public profile and its published entries. Only organisations
    that publish something have one: the member list itself is not public."""

    template_name = "projects/catalogue/public_organisation.html"
    context_object_name = "organisation"

    def get_queryset(self) -> QuerySet[Organisation]:
        return organisations_publishing()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        entries = list(listed(public_entries().filter(organisation=self.object)))
        return super().get_context_data(entries=entries, **kwargs)


class _OpenDataView(View):
    content_type = ""
    extension = ""
    build: Callable[[str, int | None], bytes]  # (site's base URL, organisation id) -> the file

    def get(self, request):
        organisation_id = None
        if "organisation" in request.GET:
            organisation = get_object_or_404(
                Organisation.objects.confirmed(), pk=_int_or_404(request.GET["organisation"])
            )
            organisation_id = organisation.pk
        base_url = f"{request.scheme}://{request.get_host()}"
        response = HttpResponse(
            self.build(base_url, organisation_id), content_type=self.content_type
        )
        name = "catalogue" if organisation_id is None else f"catalogue_{organisation_id}"
        response["Content-Disposition"] = f'attachment; filename="{name}.{self.extension}"'
        return response


def _int_or_404(value: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise Http404
    return int(value)


class OpenDataCsvView(_OpenDataView):
    """The published catalogue as CSV (UTF-8 with BOM, CRLF); ``?organisation=<id>`` for one
    organisation's entries."""

    content_type = "text/csv; charset=utf-8"
    extension = "csv"
    build = staticmethod(opendata.csv_bytes)


class OpenDataJsonView(_OpenDataView):
    """The published catalogue as JSON (a list of objects); ``?organisation=<id>`` likewise."""

    content_type = "application/json; charset=utf-8"
    extension = "json"
    build = staticmethod(opendata.json_bytes)
