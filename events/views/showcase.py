"""Staff pages of a 展示会 or シンポジウム: exhibitors, speakers and chairs, co-hosts, visitors.

One page shows the three forms (``action`` says which was sent); each exhibitor and speaker has
its own edit page. A meeting of another kind has no such page (404). The public sees the result on
the meeting's own page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from members.access import SecretariatRequiredMixin

from .. import exhibitions
from ..forms import ExhibitorAddForm, ExhibitorForm, ShowcaseForm, SpeakerForm
from ..models import Exhibitor, Meeting, Speaker


def _showcase_meeting(pk: int) -> Meeting:
    meeting = get_object_or_404(
        Meeting.objects.select_related("study_group__parent", "project"), pk=pk
    )
    if not meeting.is_showcase:
        raise Http404
    return meeting


def _showcase_url(meeting: Meeting, anchor: str = "") -> str:
    return reverse("events:showcase", args=[meeting.pk]) + (f"#{anchor}" if anchor else "")


def _apply(form, call) -> bool:
    """Run a service; its ValidationError lands on the form (field or whole form)."""
    try:
        call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return False
    return True


class ShowcaseView(SecretariatRequiredMixin, View):
    template_name = "events/showcase.html"

    def get(self, request, pk):
        return self.page(request, _showcase_meeting(pk))

    def page(self, request, meeting: Meeting, **forms):
        exhibitors = list(
            meeting.exhibitors.select_related("organisation").prefetch_related("entries")
        )
        context = {
            "meeting": meeting,
            "exhibitors": exhibitors,
            "speakers": list(meeting.speakers.all()),
            "showcase_form": forms.get("showcase")
            or ShowcaseForm(
                initial={
                    "visitors": meeting.visitors,
                    "co_hosts": list(meeting.co_hosts.values_list("pk", flat=True)),
                }
            ),
            "exhibitor_form": forms.get("exhibitor") or ExhibitorAddForm(),
            "speaker_form": forms.get("speaker") or SpeakerForm(),
        }
        return render(request, self.template_name, context)

    def post(self, request, pk):
        meeting = _showcase_meeting(pk)
        # action → (the bound form, the service that saves it, the message, where to go back)
        actions = {
            "showcase": (
                ShowcaseForm(request.POST),
                lambda data: exhibitions.showcase_set(
                    meeting=meeting, visitors=data["visitors"], co_hosts=data["co_hosts"]
                ),
                _("来場者数と共催・後援を保存しました。"),
                "",
            ),
            "exhibitor": (
                ExhibitorAddForm(request.POST),
                lambda data: exhibitions.exhibitor_add(
                    meeting=meeting, organisation=data["organisation"], booth=data["booth"]
                ),
                _("出展者を追加しました。"),
                "exhibitors",
            ),
            "speaker": (
                speaker_form := SpeakerForm(request.POST, instance=Speaker(meeting=meeting)),
                lambda data: exhibitions.speaker_save(speaker=speaker_form.instance),
                _("登壇者を追加しました。"),
                "speakers",
            ),
        }
        action = request.POST.get("action", "")
        if action not in actions:
            return HttpResponseBadRequest(_("送信された内容を確認してください。"))
        form, save, message, anchor = actions[action]
        if form.is_valid() and _apply(form, lambda: save(form.cleaned_data)):
            messages.success(request, message)
            return redirect(_showcase_url(meeting, anchor))
        return self.page(request, meeting, **{action: form})


class ExhibitorUpdateView(SecretariatRequiredMixin, View):
    template_name = "events/exhibitor_form.html"

    def get_object(self, pk) -> Exhibitor:
        return get_object_or_404(Exhibitor.objects.select_related("meeting", "organisation"), pk=pk)

    def get(self, request, pk):
        exhibitor = self.get_object(pk)
        return render(
            request,
            self.template_name,
            {"form": ExhibitorForm(instance=exhibitor), "exhibitor": exhibitor},
        )

    def post(self, request, pk):
        exhibitor = self.get_object(pk)
        form = ExhibitorForm(request.POST, instance=exhibitor)
        if form.is_valid() and _apply(
            form,
            lambda: exhibitions.exhibitor_update(
                exhibitor=exhibitor,
                booth=form.cleaned_data["booth"],
                entries=form.cleaned_data["entries"],
            ),
        ):
            messages.success(request, _("出展者を保存しました。"))
            return redirect(_showcase_url(exhibitor.meeting, "exhibitors"))
        return render(request, self.template_name, {"form": form, "exhibitor": exhibitor})


class ExhibitorRemoveView(SecretariatRequiredMixin, View):
    def post(self, request, pk):
        exhibitor = get_object_or_404(Exhibitor.objects.select_related("meeting"), pk=pk)
        exhibitions.exhibitor_remove(exhibitor=exhibitor)
        messages.success(request, _("出展者を外しました。"))
        return redirect(_showcase_url(exhibitor.meeting, "exhibitors"))


class SpeakerUpdateView(SecretariatRequiredMixin, View):
    template_name = "events/speaker_form.html"

    def get(self, request, pk):
        speaker = get_object_or_404(Speaker.objects.select_related("meeting"), pk=pk)
        return render(
            request, self.template_name, {"form": SpeakerForm(instance=speaker), "speaker": speaker}
        )

    def post(self, request, pk):
        speaker = get_object_or_404(Speaker.objects.select_related("meeting"), pk=pk)
        form = SpeakerForm(request.POST, instance=speaker)
        if form.is_valid() and _apply(form, lambda: exhibitions.speaker_save(speaker=speaker)):
            messages.success(request, _("登壇者を保存しました。"))
            return redirect(_showcase_url(speaker.meeting, "speakers"))
        return render(request, self.template_name, {"form": form, "speaker": speaker})


class SpeakerDeleteView(SecretariatRequiredMixin, View):
    def post(self, request, pk):
        speaker = get_object_or_404(Speaker.objects.select_related("meeting"), pk=pk)
        exhibitions.speaker_delete(speaker=speaker)
        messages.success(request, _("登壇者を削除しました。"))
        return redirect(_showcase_url(speaker.meeting, "speakers"))
