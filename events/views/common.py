"""Lookups shared by the events views: a meeting the user may see, or 404 (or login)."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.html import escape

from ..models import Meeting
from ..services import MeetingStatusError


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


def meeting_status_errors_to_sheet(view):
    """Wrap an attendance-sheet view: a write the meeting's status forbids (a cancelled meeting
    takes no attendance) goes back to the sheet with the message, not a server error. The view
    has checked permissions before any service runs."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except MeetingStatusError as exc:
            message = exc.messages[0]
            if request.htmx:
                body = f'<p class="notice notice--danger" role="alert">{escape(message)}</p>'
                return HttpResponse(body, status=409)
            messages.error(request, message)
            return redirect("events:attendance_sheet", pk=kwargs["pk"])

    return wrapped
