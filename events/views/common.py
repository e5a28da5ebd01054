"""Lookups shared by the events views: a meeting the user may see, or 404 (or login)."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from ..models import Meeting


class LoginInstead(Exception):
    """An anonymous visitor asked for something not public: send them to the login page."""


def visible_meeting(request, pk: int, *, queryset=None) -> Meeting:
    queryset = queryset if queryset is not None else Meeting.objects.all()
    meeting = (
        queryset.visible_to(request.user)
        .select_related("study_group__parent", "project")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        if not request.user.is_authenticated:
            raise LoginInstead
        raise Http404
    return meeting


class AnonymousToLoginMixin:
    """Anonymous visitors asking for a non-public meeting go to login (existing or not)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except LoginInstead:
            return redirect_to_login(request.get_full_path())
