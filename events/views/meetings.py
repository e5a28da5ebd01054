"""Meetings: list, detail, staff create/edit/cancel, minutes, materials, registration."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from consortium.links import safe_next
from members import roles
from members.access import LoginRequiredMixin, PersonRequiredMixin, SecretariatRequiredMixin
from members.models import Person

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
from ..querysets import public_seat_annotations, showcase_of
from .common import AnonymousToLoginMixin, visible_meeting


class MeetingListView(ListView):
    template_name = "events/meeting_list.html"
    context_object_name = "meetings"
    paginate_by = 30

    def get_queryset(self):
        self.filter_form = MeetingFilterForm(
            self.request.GET or {"when": "upcoming"},
            fiscal_years=list(
                Meeting.objects.values_list("fiscal_year", flat=True).distinct().order_by()
            ),
        )
        meetings = (
            Meeting.objects.visible_to(self.request.user)
            .with_totals()
            .select_related("study_group__parent", "project")
        )
        if not self.filter_form.is_valid():
            return meetings.none()
        data = self.filter_form.cleaned_data
        today = timezone.localdate()
        when = data.get("when") or "all"
        if when == "upcoming":
            meetings = meetings.upcoming(today)
        elif when == "past":
            meetings = meetings.past(today)
        else:
            meetings = meetings.order_by("-date", "-starts_at", "-pk")
        if data.get("fiscal_year"):
            meetings = meetings.filter(fiscal_year=data["fiscal_year"])
        if data.get("study_group"):
            meetings = meetings.of_study_group(data["study_group"])
        if data.get("kind"):
            meetings = meetings.filter(kind=data["kind"])
        return meetings

    def get_context_data(self, **kwargs):
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        meeting = visible_meeting(
            self.request,
            kwargs["pk"],
            queryset=Meeting.objects.annotate(
                attended_count=Count(
                    "attendances", filter=Q(attendances__status="attended"), distinct=True
                ),
                registered_count=Count(
                    "registrations", filter=Q(registrations__status="registered"), distinct=True
                ),
                waitlisted_count=Count(
                    "registrations", filter=Q(registrations__status="waitlisted"), distinct=True
                ),
                **public_seat_annotations(),  # citizens' seats (一般参加申込)
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = get_object_or_404(
            Meeting.objects.with_private_access(self.request.user).select_related(
                "study_group__parent", "project"
            ),
            pk=kwargs["pk"],
        )
        context["meeting"] = meeting
        return context


class MeetingFormMixin(SecretariatRequiredMixin):
    form_class = MeetingForm
    template_name = "events/meeting_form.html"

    def form_valid(self, form):
        meeting = services.meeting_save(meeting=form.instance)
        messages.success(self.request, _("会議を保存しました。"))
        return redirect(meeting)


class MeetingCreateView(MeetingFormMixin, FormView):
    def get_initial(self):
        return {"study_group": self.request.GET.get("study_group")}


class MeetingUpdateView(MeetingFormMixin, FormView):
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = get_object_or_404(Meeting, pk=self.kwargs["pk"])
        return kwargs

    def get_context_data(self, **kwargs):
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

    def get_context_data(self, **kwargs):
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

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        taken = self.meeting.registrations.active().values("person_id")
        kwargs["people"] = Person.objects.filter(
            organisation_id=self.person.organisation_id
        ).exclude(pk__in=taken)
        return kwargs

    def get_initial(self):
        return {"people": [self.person.pk]}

    def get_context_data(self, **kwargs):
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
                waiting = self.meeting.registrations.waitlisted()
                n = waiting.filter(position__lte=registration.position).count()
                messages.warning(self.request, message % {"name": person.name, "n": n})
            else:
                messages.success(
                    self.request, _("%(name)s さんの参加を受け付けました。") % {"name": person.name}
                )
        return redirect(self.meeting)


class RegistrationCancelView(PersonRequiredMixin, View):
    def post(self, request, pk):
        registrations = Registration.objects.active()
        if not roles.is_secretariat(request.user):
            registrations = registrations.filter(
                person__organisation_id=roles.organisation_id_of(request.user)
            )
        registration = get_object_or_404(registrations.select_related("meeting"), pk=pk)
        services.registration_cancel(registration=registration)
        messages.success(request, _("申込を取り消しました。"))
        return HttpResponseRedirect(safe_next(request, registration.meeting.get_absolute_url()))


class MyMeetingsView(PersonRequiredMixin, TemplateView):
    template_name = "events/my_meetings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = roles.affiliated_person_of(self.request.user)
        org_id = person.organisation_id if person else None
        today = timezone.localdate()
        context["registrations"] = (
            Registration.objects.active()
            .filter(person__organisation_id=org_id, meeting__date__gte=today)
            .select_related("person", "meeting__study_group__parent", "meeting__project")
            .order_by("meeting__date", "meeting__starts_at", "person__name_kana")
        )
        context["attendances"] = (
            Attendance.objects.filter(person=person)
            .select_related("meeting__study_group__parent", "meeting__project")
            .order_by("-meeting__date")[:50]
            if person
            else []
        )
        return context
