"""``{% group_meetings group user as meetings %}``: a study group's meetings for its page
(``templates/members/studygroup_detail.html``), read where the section is drawn, so that the
members app needs nothing of events. Two queries: the next meetings and the latest held ones."""

from __future__ import annotations

from django import template
from django.utils import timezone

from ..models import Meeting

register = template.Library()

SHOWN = 5  # of each: the next ones and the latest past ones; the meeting list has the rest


@register.simple_tag
def group_meetings(group, user) -> dict[str, list[Meeting]]:
    """The group's (and its 部会's) meetings the user may see: ``upcoming`` (soonest first) and
    ``past`` (latest first), ``SHOWN`` of each."""
    today = timezone.localdate()
    meetings = (
        Meeting.objects.visible_to(user)
        .of_study_group(group)
        .select_related("study_group__parent", "project")
    )
    return {
        "upcoming": list(meetings.upcoming(today)[:SHOWN]),
        "past": list(meetings.past(today)[:SHOWN]),
    }
