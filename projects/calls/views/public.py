"""Calls for everyone, anonymous included: open and past calls, and the adopted trials."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import DetailView, TemplateView

from ...templatetags.calls_tags import call_state
from ..models import Application, Call


class PublicCallListView(TemplateView):
    """Open calls first (soonest deadline first), then those to come, then past ones."""

    template_name = "projects/calls/public_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        calls = list(
            Call.objects.visible_to(self.request.user)
            .select_related("funder")
            .prefetch_related("support_kinds", "challenges")
            .order_by("-closes_at", "pk")
        )
        now = timezone.now()
        groups: dict[str, list[Call]] = {"open": [], "upcoming": [], "past": [], "draft": []}
        for call in calls:
            call.state = call_state(call, now)
            key = call.state if call.state in groups else "past"
            groups[key].append(call)
        groups["open"].sort(key=lambda c: c.closes_at)
        groups["upcoming"].sort(key=lambda c: c.opens_at)
        return super().get_context_data(groups=groups, **kwargs)


class PublicCallDetailView(DetailView):
    """The call's text, dates, challenges and support; after the decision, the adopted trials.
    Drafts are staff's preview (404 for everyone else)."""

    template_name = "projects/calls/public_detail.html"
    context_object_name = "call"

    def get_object(self, queryset: QuerySet[Call] | None = None) -> Call:
        return get_object_or_404(
            Call.objects.visible_to(self.request.user)
            .select_related("funder", "study_group")
            .prefetch_related("support_kinds", "challenges", "criteria"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        call = self.object
        call.state = call_state(call)
        decided = call.status == Call.Status.DECIDED
        adopted = Application.objects.filter(call=call).adopted_and_announced() if decided else []
        return super().get_context_data(adopted=adopted, **kwargs)
