"""Citizens' registrations (一般参加申込) for public meetings: the form for visitors without an
account, the pages their e-mail links open (confirm, ticket, cancel), and the 受付 toggle of the
attendance sheet's 「一般参加者」 section.

The links hold secrets (``events.public_registration``); an unknown, malformed or purged one is a
404. Confirming and cancelling change something, so a GET only shows a button and the POST does
it: mail scanners that open every link of an e-mail must not confirm or cancel anybody. The pages
of a token are neither cached nor indexed.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from members.access import SecretariatRequiredMixin

from .. import checkin
from .. import public_registration as public
from ..forms import PublicRegistrationForm
from ..models import Meeting, PublicRegistration

# Which form field a refusal of the service belongs to (the others are about the whole form).
ERROR_FIELDS = {"consent": "consent", "seats": "seats", "duplicate": "email", "pending": "email"}


def _public_meeting(pk: int) -> Meeting:
    """A public meeting, or 404 (a members-only meeting's existence is not leaked)."""
    return get_object_or_404(
        Meeting.objects.public().select_related("study_group__parent", "project"), pk=pk
    )


def _client_ip(request) -> str:
    """The address allauth's rate limits count (honours ``ALLAUTH_TRUSTED_PROXY_COUNT``)."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return ""


def _by_token(kind: str, token: str) -> PublicRegistration:
    try:
        return public.public_registration_by_token(kind, token)
    except PublicRegistration.DoesNotExist:
        raise Http404 from None


def _private(response: HttpResponse) -> HttpResponse:
    """A page of a secret link: not for search engines (see also ``never_cache``)."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class PublicRegisterView(View):
    """The registration form of a public meeting, for anybody (members register through the
    meeting page as before)."""

    template_name = "events/public_register.html"

    def get(self, request, pk):
        meeting = _public_meeting(pk)
        return self._page(request, meeting, PublicRegistrationForm())

    def post(self, request, pk):
        meeting = _public_meeting(pk)
        form = PublicRegistrationForm(request.POST)
        if not form.is_valid():
            return self._page(request, meeting, form, status=400)
        data = form.cleaned_data
        sent = redirect("events:public_register_sent", pk=meeting.pk)
        if data["website"]:  # a robot filled in the hidden field: it is told what people are
            return sent
        try:
            public.public_registration_create(
                meeting=meeting,
                citizen=public.Citizen(
                    name=data["name"],
                    name_kana=data["name_kana"],
                    email=data["email"],
                    affiliation=data["affiliation"],
                    seats=data["seats"],
                ),
                consented=data["consent"],
                ip=_client_ip(request),
            )
        except public.PublicRegistrationError as exc:
            form.add_error(ERROR_FIELDS.get(exc.code), exc.messages[0])
            status = 429 if exc.code == "rate_limited" else 400
            return self._page(request, meeting, form, status=status)
        return sent

    def _page(self, request, meeting: Meeting, form, status: int = 200):
        context = {
            "meeting": meeting,
            "form": form,
            "is_open": meeting.registration_is_open(),
            "confirm_hours": settings.KYOSO_PUBLIC_CONFIRM_HOURS,
            "retention_days": settings.KYOSO_PUBLIC_RETENTION_DAYS,
        }
        return render(request, self.template_name, context, status=status)


class PublicRegisterSentView(View):
    """「メールをご確認ください」: says nothing about the address, which the page does not know."""

    def get(self, request, pk):
        meeting = _public_meeting(pk)
        context = {"meeting": meeting, "confirm_hours": settings.KYOSO_PUBLIC_CONFIRM_HOURS}
        return render(request, "events/public_sent.html", context)


@method_decorator(never_cache, name="dispatch")
class PublicConfirmView(View):
    """The confirmation link: a button (GET), the confirmation (POST), then the ticket page."""

    def get(self, request, token):
        registration = _by_token("confirm", token)
        if registration.is_confirmed:
            return redirect("events:public_ticket", token=registration.ticket_token)
        error = ""
        if registration.status == PublicRegistration.Status.CANCELLED:
            error = _("この申込は取り消されています。")
        elif public.is_expired(registration):
            error = _(
                "確認の期限が過ぎたため、この申込は無効になりました。"
                "お手数ですが、もう一度お申し込みください。"
            )
        return self._page(request, registration, error)

    def post(self, request, token):
        registration = _by_token("confirm", token)
        try:
            confirmed = public.public_registration_confirm(token=token)
        except PublicRegistration.DoesNotExist:
            raise Http404 from None
        except public.PublicRegistrationError as exc:
            return self._page(request, registration, exc.messages[0], status=409)
        if confirmed:
            registration.refresh_from_db(fields=["status"])
            if registration.status == PublicRegistration.Status.REGISTERED:
                message = _("お申し込みが確定しました。受付票をメールでもお送りしました。")
            else:
                message = _("定員に達しているため、キャンセル待ちで受け付けました。")
            messages.success(request, message)
        return redirect("events:public_ticket", token=registration.ticket_token)

    def _page(self, request, registration: PublicRegistration, error: str, status: int = 200):
        context = {"registration": registration, "meeting": registration.meeting, "error": error}
        return _private(render(request, "events/public_confirm.html", context, status=status))


@method_decorator(never_cache, name="dispatch")
class PublicTicketView(View):
    """The citizen's ticket (受付票) on their phone: the QR code to show at the door, the status
    and the way to cancel. Only for a confirmed registration."""

    def get(self, request, token):
        registration = _by_token("ticket", token)
        if not registration.is_confirmed:
            raise Http404
        context = {"registration": registration, "meeting": registration.meeting}
        return _private(render(request, "events/public_ticket.html", context))


@method_decorator(never_cache, name="dispatch")
class PublicCancelView(View):
    """The cancellation link: a confirmation button (GET), the cancellation (POST)."""

    def get(self, request, token):
        registration = _by_token("cancel", token)
        return self._page(request, registration, "")

    def post(self, request, token):
        registration = _by_token("cancel", token)
        try:
            cancelled = public.public_registration_cancel(token=token)
        except PublicRegistration.DoesNotExist:
            raise Http404 from None
        except public.PublicRegistrationError as exc:
            return self._page(request, registration, exc.messages[0], status=409)
        registration.refresh_from_db()
        if cancelled:
            messages.success(request, _("お申し込みを取り消しました。"))
        return self._page(request, registration, "")

    def _page(self, request, registration: PublicRegistration, error: str, status: int = 200):
        context = {"registration": registration, "meeting": registration.meeting, "error": error}
        return _private(render(request, "events/public_cancel.html", context, status=status))


class PublicCheckinToggleView(SecretariatRequiredMixin, View):
    """The attendance sheet's 「一般参加者」: mark or unmark a citizen's registration as checked
    in (受付), through ``checkin.public_checkin_set``. htmx gets the row back."""

    def post(self, request, pk, registration_pk):
        registration = get_object_or_404(
            PublicRegistration.objects.select_related("meeting").filter(
                meeting_id=pk, confirmed_at__isnull=False
            ),
            pk=registration_pk,
        )
        notice = ""
        try:
            checkin.public_checkin_set(
                registration=registration, checked_in=request.POST.get("checked_in") == "1"
            )
        except checkin.CheckinRefused as exc:  # a cancelled meeting: the sheet's wrapper
            notice = exc.messages[0]
        if not request.htmx:
            if notice:
                messages.error(request, notice)
            url = reverse("events:attendance_sheet", args=[pk])
            return redirect(f"{url}#c{registration.pk}")
        registration.refresh_from_db()
        context = {"meeting": registration.meeting, "citizen": registration, "notice": notice}
        return render(request, "events/_sheet_public_row.html", context)
