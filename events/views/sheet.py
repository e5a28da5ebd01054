"""The attendance sheet: one screen per meeting, one tap per person.

Every action works as a plain form POST (redirect back to the sheet). The sheet's script
(``static/js/sheet.js``) sends the marks itself, each with an id the server de-duplicates, queues
them while the tablet is offline, and swaps in the row the server answers with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from members.access import SecretariatRequiredMixin
from members.models import Person

from .. import services
from ..forms import AttendanceMarkForm, HeadcountForm, WalkInForm
from ..models import Meeting
from ..querysets import (
    sheet_history,
    sheet_people,
    sheet_row,
    sheet_search_others,
    sheet_totals,
    walk_in_matches,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from ..querysets import SheetCounts

    SheetMeeting = WithAnnotations[Meeting, SheetCounts]

HISTORY_LIMIT = 30
SEARCH_MAX_LENGTH = 100


def _meeting(pk: int) -> SheetMeeting:
    # with_sheet_totals annotates the counts (the type says so; the queryset's type cannot).
    return cast("SheetMeeting", get_object_or_404(Meeting.objects.with_sheet_totals(), pk=pk))


def _text(request, name: str) -> str:
    """What staff typed in a search box. NUL bytes are dropped (no name holds one, and
    PostgreSQL refuses them in a query: a 500), and the text is cut to a long name's length."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]


def sheet_context(meeting: SheetMeeting, query: str = "", **extra: object) -> dict:
    return {
        **sheet_search_others(meeting, query),
        "meeting": meeting,
        "sheet": sheet_people(meeting, query),
        "totals": sheet_totals(meeting),
        "headcount_form": HeadcountForm(initial={"unnamed_headcount": meeting.unnamed_headcount}),
        "walk_in_form": WalkInForm(),
        "history": sheet_history(meeting, HISTORY_LIMIT),
        **extra,
    }


class AttendanceSheetView(SecretariatRequiredMixin, View):
    def get(self, request, pk):
        context = sheet_context(_meeting(pk), _text(request, "q"))
        return render(request, "events/attendance_sheet.html", context)

    def post(self, request, pk):
        meeting = _meeting(pk)
        form = AttendanceMarkForm(request.POST)
        person = None
        if form.is_valid():
            person = Person.objects.filter(pk=form.cleaned_data["person"]).first()
        if person is None:
            if request.htmx:
                return render(request, "events/_sheet_error.html", status=400)
            messages.error(request, _("出欠を記録できませんでした。もう一度お試しください。"))
            return redirect("events:attendance_sheet", pk=meeting.pk)
        notice = _record(request, meeting, person, form.cleaned_data)
        if not request.htmx:
            return redirect(f"{reverse('events:attendance_sheet', args=[meeting.pk])}#p{person.pk}")
        meeting = _meeting(pk)
        return render(
            request,
            "events/_sheet_row_update.html",
            {
                "meeting": meeting,
                "row": sheet_row(meeting, person, notice),
                "totals": sheet_totals(meeting),
            },
        )


def _record(request, meeting: Meeting, person: Person, data: dict) -> str:
    """Write one mark; the notice to show when another staffer changed the row first."""
    status, seen, client_id = data["status"], data["seen"], data["client_id"] or None
    try:
        if status == "clear":
            services.attendance_clear(
                meeting=meeting,
                person=person,
                seen=seen,
                client_id=client_id,
                recorded_by=request.user,
            )
        else:
            services.attendance_set(
                meeting=meeting,
                person=person,
                status=status,
                recorded_by=request.user,
                seen=seen,
                client_id=client_id,
            )
    except services.AttendanceConflict as conflict:
        # The row changed since this sheet was drawn: show what is stored, say so.
        if not request.htmx:
            messages.warning(
                request, _("%(name)s さん: %(notice)s") % {"name": person.name, "notice": conflict}
            )
        return str(conflict)
    return ""


class MarkRegisteredView(SecretariatRequiredMixin, View):
    def post(self, request, pk):
        meeting = get_object_or_404(Meeting, pk=pk)
        count = services.attendance_mark_registered(meeting=meeting, recorded_by=request.user)
        messages.success(request, _("申込者 %(n)s 人を出席にしました。") % {"n": count})
        return redirect("events:attendance_sheet", pk=meeting.pk)


class HeadcountView(SecretariatRequiredMixin, View):
    def post(self, request, pk):
        meeting = get_object_or_404(Meeting, pk=pk)
        form = HeadcountForm(request.POST)
        if form.is_valid():
            services.headcount_set(
                meeting=meeting, headcount=form.cleaned_data["unnamed_headcount"]
            )
            if request.htmx:
                meeting = _meeting(pk)
                return render(
                    request, "events/_sheet_totals.html", {"totals": sheet_totals(meeting)}
                )
            messages.success(request, _("当日参加・+αの人数を保存しました。"))
        else:
            messages.error(request, _("人数は0以上の整数で入れてください。"))
        return redirect("events:attendance_sheet", pk=meeting.pk)


class WalkInView(SecretariatRequiredMixin, View):
    def post(self, request, pk):
        meeting = get_object_or_404(Meeting, pk=pk)
        form = WalkInForm(request.POST)
        if not form.is_valid():
            return _walk_in_again(request, pk, form, status=400)
        data = form.cleaned_data
        try:
            walk_in = services.walk_in_add(
                meeting=meeting,
                recorded_by=request.user,
                person=data["person"],
                named=services.WalkInNamed(
                    name=data["name"],
                    email=data["email"],
                    organisation=data["organisation"],
                    organisation_name=data["organisation_name"],
                    sector=data["sector"],
                    new_organisation=data["new_organisation"],
                ),
            )
        except services.WalkInOrganisationUnclear as unclear:
            return _walk_in_again(request, pk, form, unclear=unclear)
        name = walk_in.attendance.person.name
        if walk_in.already:
            messages.info(request, _("%(name)s さんは既に出席になっています。") % {"name": name})
        else:
            messages.success(request, _("%(name)s さんを当日参加で記録しました。") % {"name": name})
        url = reverse("events:attendance_sheet", args=[meeting.pk])
        return redirect(f"{url}#p{walk_in.attendance.person_id}")


def _walk_in_again(request, pk: int, form: WalkInForm, *, unclear=None, status: int = 200):
    """The sheet with the walk-in form as sent: its errors, or the similar organisations to
    choose from (nothing was written)."""
    context = sheet_context(_meeting(pk), walk_in_form=form, walk_in_unclear=unclear)
    if unclear is not None:
        context["walk_in"] = {"people": [], "organisations": unclear.candidates}
    return render(request, "events/attendance_sheet.html", context, status=status)


class PeopleSearchView(SecretariatRequiredMixin, View):
    """htmx: what the sheet's search box (``q``: people not on the sheet, organisations) or the
    walk-in form (``name``, ``organisation_name``) finds. Without JavaScript the sheet's own
    search (``?q=``) shows the same."""

    def get(self, request, pk):
        meeting = get_object_or_404(Meeting.objects.select_related("study_group", "project"), pk=pk)
        if "q" not in request.GET and request.htmx:
            found = walk_in_matches(
                meeting,
                name=_text(request, "name"),
                organisation_name=_text(request, "organisation_name"),
            )
            context = {"meeting": meeting, "walk_in": found}
            return render(request, "events/_walk_in_candidates.html", context)
        query = _text(request, "q")
        if not request.htmx:
            url = reverse("events:attendance_sheet", args=[meeting.pk])
            return redirect(f"{url}?{urlencode({'q': query})}#walk-in")
        context = {"meeting": meeting, **sheet_search_others(meeting, query)}
        return render(request, "events/_people_search.html", context)
