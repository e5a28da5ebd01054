"""受付 at the door: the tablet's check-in page and its JSON endpoint, the door poster, and the
page a member's phone opens from the poster (self check-in)."""

from __future__ import annotations

from django import forms
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from consortium.links import site_url
from consortium.middleware import allow_features
from members import roles
from members.access import LoginRequiredMixin, SecretariatRequiredMixin

from .. import checkin
from ..models import Meeting
from ..querysets import checkin_counts

SCAN_MAX_LENGTH = 200  # a ticket is some 40 characters; a scanner typing more is no ticket


class ScanForm(forms.Form):
    code = forms.CharField(max_length=SCAN_MAX_LENGTH, strip=True)


def _meeting(pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("study_group", "project"), pk=pk)


def _scan(request, meeting: Meeting) -> checkin.CheckinResult | None:
    form = ScanForm(request.POST)
    if not form.is_valid():
        return None
    return checkin.checkin_by_scan(
        meeting=meeting, scanned=form.cleaned_data["code"], recorded_by=request.user
    )


class CheckinView(SecretariatRequiredMixin, View):
    """受付 mode on the tablet. Scanning works without JavaScript too: the form posts here and
    the page shows the result; with it (static/js/checkin.js) scans go to ``CheckinScanView``
    and the camera can read tickets."""

    def get(self, request, pk):
        return self._page(request, _meeting(pk), None)

    def post(self, request, pk):
        meeting = _meeting(pk)
        return self._page(request, meeting, _scan(request, meeting))

    def _page(self, request, meeting: Meeting, result):
        context = {"meeting": meeting, "counts": checkin_counts(meeting), "result": result}
        return allow_features(render(request, "events/checkin.html", context), "camera")


class CheckinScanView(SecretariatRequiredMixin, View):
    """JSON: the result of one scan and the page's counts."""

    def post(self, request, pk):
        meeting = _meeting(pk)
        result = _scan(request, meeting)
        if result is None:
            return JsonResponse({"error": "code"}, status=400)
        return JsonResponse({**result.as_dict(), "counts": checkin_counts(meeting)})


class DoorPosterView(SecretariatRequiredMixin, View):
    """The A4 poster for the meeting-room door: its QR code opens the self check-in page."""

    def get(self, request, pk):
        meeting = get_object_or_404(
            Meeting.objects.select_related("study_group__parent", "project"), pk=pk
        )
        # The site's public address, not this request's Host: the poster is read by phones.
        url = site_url(reverse("events:self_checkin", args=[meeting.door_token]))
        opens, closes = checkin.self_checkin_window(meeting)
        context = {"meeting": meeting, "url": url, "opens": opens, "closes": closes}
        return render(request, "events/door_poster.html", context)


class SelfCheckinView(LoginRequiredMixin, View):
    """A member's phone, from the door poster: the meeting and one button (POST checks in)."""

    def _meeting(self, token: str) -> Meeting:
        meeting = checkin.meeting_for_door(token)
        if meeting is None:
            raise Http404
        return meeting

    def get(self, request, token):
        meeting = self._meeting(token)
        return self._page(request, meeting, None)

    def post(self, request, token):
        meeting = self._meeting(token)
        result = checkin.self_checkin(
            meeting_door_token=token, person=roles.affiliated_person_of(request.user)
        )
        return self._page(request, meeting, result)

    def _page(self, request, meeting: Meeting, result):
        opens, closes = checkin.self_checkin_window(meeting)
        context = {
            "meeting": meeting,
            "result": result,
            "refusal": "" if result else checkin.self_checkin_refusal(meeting),
            "opens": opens,
            "closes": closes,
        }
        return render(request, "events/self_checkin.html", context)
