"""Meetings: list, detail, staff create/edit/cancel, minutes, materials, registration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from consortium.links import safe_next
from members import roles
from members.access import LoginRequiredMixin, PersonRequiredMixin, SecretariatRequiredMixin

from .. import services
from ..calendar import public_feed_links
from ..forms import (
    MaterialForm,
    MeetingCancelForm,
    MeetingFilterForm,
    MeetingForm,
    RegistrationForm,
)
from ..models import Attendance, Material, Meeting, Registration
from ..querysets import registrable_people, showcase_of
from .common import AnonymousToLoginMixin, visible_meeting

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from ..querysets import PageCounts


class MeetingListView(ListView):
    template_name = "events/meeting_list.html"
    context_object_name = "meetings"
    paginate_by = 30

    def get_queryset(self) -> QuerySet[Meeting]:
        self.filter_form = MeetingFilterForm(
            self.request.GET or {"when": "upcoming"}, fiscal_years=Meeting.objects.fiscal_years()
        )
        meetings = (
            Meeting.objects.visible_to(self.request.user)
            .with_totals()
            .select_related("study_group__parent", "project")
        )
        if not self.filter_form.is_valid():
            return meetings.none()
        data = self.filter_form.cleaned_data
        return meetings.listed(
            today=timezone.localdate(),
            when=data.get("when") or "all",
            fiscal_year=data.get("fiscal_year"),
            study_group=data.get("study_group"),
            kind=data.get("kind") or "",
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["public_feed"] = public_feed_links()
        return context


def gsi_map_url(meeting: Meeting) -> str:
    """A plain link to the meeting's coordinates on the GSI map (地理院地図), zoom 16; no map is
    embedded (no third-party frame or script on the page)."""
    if meeting.latitude is None or meeting.longitude is None:
        return ""
    return f"https://maps.gsi.go.jp/#16/{meeting.latitude}/{meeting.longitude}/"


class MeetingDetailView(AnonymousToLoginMixin, TemplateView):
    template_name = "events/meeting_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        meeting = cast(
            "WithAnnotations[Meeting, PageCounts]",
            visible_meeting(
                self.request, kwargs["pk"], queryset=Meeting.objects.with_page_totals()
            ),
        )
        private = Meeting.objects.with_private_access(user).filter(pk=meeting.pk).exists()
        org_id = roles.organisation_id_of(user)
        is_staff = roles.is_secretariat(user)
        scheduled = meeting.status == Meeting.Status.SCHEDULED
        context.update(
            can_mark_held=is_staff and scheduled and meeting.can_be_held(),
            cancel_form=MeetingCancelForm() if is_staff and scheduled else None,
            meeting=meeting,
            private_access=private,
            is_staff=is_staff,
            materials=list(meeting.materials.all()) if private else [],
            own_registrations=list(
                meeting.registrations.active()
                .filter(person__organisation_id=org_id)
                .select_related("person")
            )
            if org_id
            else [],
            registration_open=meeting.registration_is_open(),
            can_register=org_id is not None and meeting.registration_is_open(),
            total=meeting.attended_count + meeting.unnamed_headcount + meeting.public_checked_in,
            material_form=MaterialForm() if roles.is_secretariat(user) else None,
            map_url=gsi_map_url(meeting),
            public_feed=public_feed_links()
            if meeting.visibility == Meeting.Visibility.PUBLIC
            else None,
            **showcase_of(meeting),
        )
        return context


class MeetingMinutesView(LoginRequiredMixin, TemplateView):
    """Minutes: the group's members and staff only; everyone else gets 404."""

    template_name = "events/meeting_minutes.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        meeting = get_object_or_404(
            Meeting.objects.with_private_access(self.request.user).select_related(
                "study_group__parent", "project"
            ),
            pk=kwargs["pk"],
        )
        context["meeting"] = meeting
        return context


class MeetingFormView(SecretariatRequiredMixin, FormView):
    """Create or edit a meeting (staff); the service saves it."""

    form_class = MeetingForm
    template_name = "events/meeting_form.html"

    def form_valid(self, form: MeetingForm) -> HttpResponse:
        meeting = services.meeting_save(meeting=form.instance)
        messages.success(self.request, _("会議を保存しました。"))
        return redirect(meeting)


class MeetingCreateView(MeetingFormView):
    def get_initial(self) -> dict[str, Any]:
        return {"study_group": self.request.GET.get("study_group")}


class MeetingUpdateView(MeetingFormView):
    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = get_object_or_404(Meeting, pk=self.kwargs["pk"])
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(meeting=self.get_form().instance, **kwargs)


class MeetingDeleteView(SecretariatRequiredMixin, View):
    def post(self, request, pk):
        meeting = get_object_or_404(Meeting, pk=pk)
        services.meeting_delete(meeting=meeting)
        messages.success(request, _("会議を削除しました。"))
        return redirect("events:meeting_list")


class MeetingCancelView(SecretariatRequiredMixin, FormView):
    """中止にする: a confirmation page with the reason (the meeting page posts here directly)."""

    form_class = MeetingCancelForm
    template_name = "events/meeting_cancel.html"

    def dispatch(self, request, *args, **kwargs):
        self.meeting = get_object_or_404(
            Meeting.objects.select_related("study_group__parent", "project"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        registrants = self.meeting.registrations.active().count()
        return super().get_context_data(meeting=self.meeting, registrants=registrants, **kwargs)

    def form_valid(self, form):
        try:
            services.meeting_cancel(
                meeting=self.meeting,
                cancelled_by=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.MeetingStatusError as exc:
            messages.error(self.request, exc.messages[0])
        else:
            messages.success(self.request, _("会議を中止にしました。申込者にお知らせしました。"))
        return redirect(self.meeting)


class MeetingMarkHeldView(SecretariatRequiredMixin, View):
    def post(self, request, pk):
        meeting = get_object_or_404(Meeting, pk=pk)
        try:
            services.meeting_mark_held(meeting=meeting)
        except services.MeetingStatusError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("会議を開催済にしました。"))
        return redirect(meeting)


class MaterialUploadView(SecretariatRequiredMixin, View):
    def post(self, request, pk):
        meeting = get_object_or_404(Meeting, pk=pk)
        form = MaterialForm(request.POST, request.FILES)
        if form.is_valid():
            services.material_add(
                meeting=meeting,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                uploaded_by=request.user,
            )
            messages.success(request, _("資料を登録しました。"))
        else:
            for error in form.errors.get("file", []) + form.errors.get("title", []):
                messages.error(request, error)
        return redirect(meeting)


class MaterialDownloadView(LoginRequiredMixin, View):
    """Serve a material only to the meeting group's members and staff (others: 404)."""

    def get(self, request, pk):
        material = get_object_or_404(
            Material.objects.filter(meeting__in=Meeting.objects.with_private_access(request.user)),
            pk=pk,
        )
        try:
            handle = material.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=material.filename)


class MaterialDeleteView(SecretariatRequiredMixin, View):
    def post(self, request, pk):
        material = get_object_or_404(Material.objects.select_related("meeting"), pk=pk)
        services.material_delete(material=material)
        messages.success(request, _("資料を削除しました。"))
        return redirect(material.meeting)


class RegisterView(FormView):
    """A member registers themselves or colleagues of their organisation."""

    form_class = RegistrationForm
    template_name = "events/register.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.person = roles.affiliated_person_of(request.user)
        if self.person is None:
            raise PermissionDenied
        self.meeting = visible_meeting(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["people"] = registrable_people(self.meeting, self.person.organisation_id)
        return kwargs

    def get_initial(self):
        return {"people": [self.person.pk]}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            meeting=self.meeting, is_open=self.meeting.registration_is_open(), **kwargs
        )

    def form_valid(self, form):
        for person in form.cleaned_data["people"]:
            try:
                registration = services.registration_create(
                    meeting=self.meeting, person=person, registered_by=self.request.user
                )
            except ValidationError as exc:
                messages.error(self.request, exc.messages[0])
                continue
            if registration.status == Registration.Status.WAITLISTED:
                message = _("%(name)s さんをキャンセル待ちに登録しました（%(n)s番目）。")
                n = Registration.objects.waiting_place(registration)
                messages.warning(self.request, message % {"name": person.name, "n": n})
            else:
                messages.success(
                    self.request, _("%(name)s さんの参加を受け付けました。") % {"name": person.name}
                )
        return redirect(self.meeting)


class RegistrationCancelView(PersonRequiredMixin, View):
    def post(self, request, pk):
        registration = get_object_or_404(
            Registration.objects.cancellable_by(request.user).select_related("meeting"), pk=pk
        )
        services.registration_cancel(registration=registration)
        messages.success(request, _("申込を取り消しました。"))
        return HttpResponseRedirect(safe_next(request, registration.meeting.get_absolute_url()))


class MyMeetingsView(PersonRequiredMixin, TemplateView):
    template_name = "events/my_meetings.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        person = roles.affiliated_person_of(self.request.user)
        org_id = person.organisation_id if person else None
        today = timezone.localdate()
        context["registrations"] = Registration.objects.upcoming_of_organisation(org_id, today)
        context["attendances"] = Attendance.objects.of_person(person)[:50] if person else []
        return context
