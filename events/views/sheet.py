"""The attendance sheet: one screen per meeting, one click per person.

Every action works as a plain form POST (redirect back to the sheet) and, when sent by htmx,
answers with just the changed part of the page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from members.access import SecretariatRequiredMixin
from members.models import Organisation, Person

from .. import services
from ..forms import AttendanceMarkForm, HeadcountForm, WalkInForm
from ..models import Attendance, Meeting
from ..querysets import sheet_people

HISTORY_LIMIT = 30


def _meeting(pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("study_group__parent", "project").annotate(
            attended_count=Count("attendances", filter=Q(attendances__status="attended")),
            absent_count=Count("attendances", filter=Q(attendances__status="absent")),
            excused_count=Count("attendances", filter=Q(attendances__status="excused")),
        ),
        pk=pk,
    )


def _totals(meeting: Meeting) -> dict:
    return {
        "attended": meeting.attended_count,
        "absent": meeting.absent_count,
        "excused": meeting.excused_count,
        "unnamed": meeting.unnamed_headcount,
        "total": meeting.attended_count + meeting.unnamed_headcount,
    }


SEARCH_MAX_LENGTH = 100


def _search_query(request) -> str:
    """What staff typed in the sheet's search box. NUL bytes are dropped (no name holds one, and
    PostgreSQL refuses them in a query: a 500), and the text is cut to a long name's length."""
    return request.GET.get("q", "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]


def _search(query: str, limit: int = 10) -> dict:
    people, organisations = [], []
    if query:
        people = (
            Person.objects.filter(
                Q(name__icontains=query)
                | Q(name_kana__icontains=query)
                | Q(email__icontains=query)
                | Q(organisation__name__icontains=query)
            )
            .select_related("organisation")
            .order_by("name_kana", "name")[:limit]
        )
        organisations = Organisation.objects.filter(
            Q(name__icontains=query) | Q(name_kana__icontains=query)
        )[:limit]
    return {"q": query, "people": people, "organisations": organisations}


def sheet_context(meeting: Meeting, query: str = "") -> dict:
    return {
        **_search(query),
        "meeting": meeting,
        "groups": sheet_people(meeting),
        "totals": _totals(meeting),
        "headcount_form": HeadcountForm(initial={"unnamed_headcount": meeting.unnamed_headcount}),
        "walk_in_form": WalkInForm(),
        "history": Attendance.history.filter(meeting_id=meeting.pk)
        .select_related("history_user__person", "person")
        .order_by("-history_date")[:HISTORY_LIMIT],
    }


class AttendanceSheetView(SecretariatRequiredMixin, View):
    def get(self, request, pk):
        context = sheet_context(_meeting(pk), _search_query(request))
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
        status, seen = form.cleaned_data["status"], form.cleaned_data["seen"]
        notice = ""
        try:
            if status == "clear":
                services.attendance_clear(meeting=meeting, person=person, seen=seen)
            else:
                services.attendance_set(
                    meeting=meeting,
                    person=person,
                    status=status,
                    recorded_by=request.user,
                    seen=seen,
                )
        except services.AttendanceConflict as conflict:
            # The row changed since this sheet was drawn: show what is stored, say so.
            notice = str(conflict)
            if not request.htmx:
                messages.warning(
                    request,
                    _("%(name)s さん: %(notice)s") % {"name": person.name, "notice": notice},
                )
        if not request.htmx:
            return redirect(f"{reverse('events:attendance_sheet', args=[meeting.pk])}#p{person.pk}")
        return _row_update(request, _meeting(pk), person, notice)


def _row_update(request, meeting: Meeting, person: Person, notice: str = ""):
    """htmx: the person's row as stored (with ``notice`` when another staffer changed it
    first) and the totals."""
    row = {
        "person": person,
        "attendance": meeting.attendances.filter(person=person).first(),
        "registration": meeting.registrations.active().filter(person=person).first(),
        "notice": notice,
    }
    return render(
        request,
        "events/_sheet_row_update.html",
        {"meeting": meeting, "row": row, "totals": _totals(meeting)},
    )


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
                return render(request, "events/_sheet_totals.html", {"totals": _totals(meeting)})
            messages.success(request, _("当日参加・+αの人数を保存しました。"))
        else:
            messages.error(request, _("人数は0以上の整数で入れてください。"))
        return redirect("events:attendance_sheet", pk=meeting.pk)


class WalkInView(SecretariatRequiredMixin, View):
    def post(self, request, pk):
        meeting = get_object_or_404(Meeting, pk=pk)
        form = WalkInForm(request.POST)
        if not form.is_valid():
            context = sheet_context(_meeting(pk))
            context["walk_in_form"] = form
            return render(request, "events/attendance_sheet.html", context, status=400)
        data = form.cleaned_data
        attendance = services.walk_in_add(
            meeting=meeting,
            recorded_by=request.user,
            person=data["person"],
            name=data["name"],
            email=data["email"],
            organisation=data["organisation"],
            organisation_name=data["organisation_name"],
            sector=data["sector"],
        )
        messages.success(
            request, _("%(name)s さんを当日参加で記録しました。") % {"name": attendance.person.name}
        )
        return redirect(
            f"{reverse('events:attendance_sheet', args=[meeting.pk])}#p{attendance.person_id}"
        )


class PeopleSearchView(SecretariatRequiredMixin, View):
    """htmx: people and organisations matching what staff type in the walk-in box. Without
    JavaScript the same search shows on the sheet itself."""

    def get(self, request, pk):
        meeting = get_object_or_404(Meeting, pk=pk)
        query = _search_query(request)
        if not request.htmx:
            url = reverse("events:attendance_sheet", args=[meeting.pk])
            return redirect(f"{url}?{urlencode({'q': query})}#walk-in")
        return render(request, "events/_people_search.html", {"meeting": meeting, **_search(query)})
