"""iCalendar feeds: public meetings for anyone; a study group's meetings via a private token."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from consortium.links import site_url, webcal_url
from members import roles
from members.access import LoginRequiredMixin, signed_in_user
from members.models import StudyGroup

from .. import services
from ..calendar import build_calendar, public_feed_links
from ..models import CalendarToken, Meeting

FEED_MEETINGS = 500  # newest first; older meetings drop out of subscribed calendars
UPCOMING_MEETINGS = 10  # listed on the calendar page


def _ics(meetings, name: str, *, private: bool = False) -> HttpResponse:
    # Links and UIDs on the site's own address (KYOSO_SITE_URL), whatever host was asked.
    body = build_calendar(meetings, name=name, private=private)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kyoso.ics"'
    return response


def _feed_meetings(queryset):
    return queryset.select_related("study_group__parent", "project").order_by("-date")[
        :FEED_MEETINGS
    ]


class PublicFeedView(View):
    def get(self, request):
        return _ics(_feed_meetings(Meeting.objects.public()), _("公開の会議"))


class GroupFeedView(View):
    """The meetings of a study group (and its subcommittees) for a member, by secret token."""

    def get(self, request, group_pk, token):
        owner = get_object_or_404(
            CalendarToken.objects.select_related("user__person"), token=token
        ).user
        if not owner.is_active:
            raise Http404
        groups = StudyGroup.objects.all()
        if not roles.is_secretariat(owner):
            groups = groups.member_of(roles.organisation_id_of(owner))
        group = get_object_or_404(groups, pk=group_pk)
        meetings = Meeting.objects.filter(study_group__in=[group, *group.subgroups.all()])
        return _ics(_feed_meetings(meetings), group.full_name, private=True)


class CalendarView(LoginRequiredMixin, TemplateView):
    """Where a user finds their feed URLs (and can reset the token)."""

    template_name = "events/calendar.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = signed_in_user(self.request)
        groups = StudyGroup.objects.with_family()
        if not roles.is_secretariat(user):
            groups = groups.member_of(roles.organisation_id_of(user))
        context["groups"] = groups
        context["token"] = services.calendar_token_for(user=user).token
        # The feed URLs on the site's own address, as the feeds' links and UIDs are.
        context["public_feed"] = public_feed_links()
        context["site_url"] = site_url()
        context["webcal_base"] = webcal_url("")
        # What the feeds hold next, cancelled meetings included (struck through).
        context["upcoming"] = (
            Meeting.objects.visible_to(user)
            .filter(date__gte=timezone.localdate())
            .select_related("study_group__parent", "project")
            .order_by("date", "starts_at", "pk")[:UPCOMING_MEETINGS]
        )
        return context

    def post(self, request):
        services.calendar_token_reset(user=request.user)
        return redirect("events:calendar")
