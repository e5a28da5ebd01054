"""Citizens' registrations for public meetings (一般参加申込), without an account.

A citizen registers with name, kana, e-mail, an optional affiliation and the number of people
(``seats``) after agreeing to the stated use of their data. The registration holds no seat until
the link in the confirmation e-mail is followed (``public_registration_confirm``): it then takes
its seats or a place on the waiting list — both shared with the members' registrations
(``querysets.seat_state``, ``querysets.waiting_list``, ``services.waitlist_promote``) — and the
e-mail with the ticket (受付票) and the cancellation link goes out. Links are secrets
(``new_token``), never ids; a purged registration's links no longer work.

Unconfirmed registrations expire after ``KYOSO_PUBLIC_CONFIRM_HOURS``; the personal fields are
blanked ``KYOSO_PUBLIC_RETENTION_DAYS`` after the meeting (``public_registrations_purge``, a beat
task), while status, seats and check-in stay: 一般参加者 in the reports does not change.

Bulk fake registrations are held back by attempt limits per client address and per e-mail
address (Django's cache; let through, with a warning, while the cache cannot count) and by a limit
of unconfirmed registrations per meeting an hour (counted in the database).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consortium.links import site_url

from . import services
from .checkin import TOKEN_PATTERN
from .models import Meeting, MeetingStatus, PublicRegistration, Visibility
from .tickets import TICKET_CONTENT_ID, ticket_email

logger = logging.getLogger(__name__)

Status = PublicRegistration.Status
PERSONAL_FIELDS = ("name", "name_kana", "email", "affiliation")


class PublicRegistrationError(ValidationError):
    """A registration, confirmation or cancellation that cannot be done; the message is for the
    citizen. ``code``: closed, consent, seats, duplicate, pending, rate_limited, expired,
    cancelled, checked_in."""


@dataclass(frozen=True)
class Citizen:
    """Who registers, as typed on the form: ``seats`` is the number of people, the citizen
    included."""

    name: str
    name_kana: str
    email: str
    affiliation: str
    seats: int


# --- links and lookups ------------------------------------------------------------------------


def confirm_url(registration: PublicRegistration) -> str:
    return site_url(reverse("events:public_confirm", args=[registration.confirm_token]))


def ticket_url(registration: PublicRegistration) -> str:
    return site_url(reverse("events:public_ticket", args=[registration.ticket_token]))


def cancel_url(registration: PublicRegistration) -> str:
    return site_url(reverse("events:public_cancel", args=[registration.cancel_token]))


def public_registration_by_token(kind: str, token: str) -> PublicRegistration:
    """The registration whose ``kind`` link (confirm, ticket, cancel) holds ``token``, with its
    meeting. ``PublicRegistration.DoesNotExist`` for anything else — a malformed or guessed token,
    or a registration whose personal data was deleted."""
    field = {"confirm": "confirm_token", "ticket": "ticket_token", "cancel": "cancel_token"}[kind]
    if not TOKEN_PATTERN.fullmatch(token or ""):
        raise PublicRegistration.DoesNotExist
    return (
        PublicRegistration.objects.select_related(
            "meeting__study_group__parent", "meeting__project"
        )
        .filter(purged_at__isnull=True)
        .get(**{field: token})
    )


def confirm_expires_at(registration: PublicRegistration) -> dt.datetime:
    return registration.created_at + dt.timedelta(hours=settings.KYOSO_PUBLIC_CONFIRM_HOURS)


def is_expired(registration: PublicRegistration, now: dt.datetime | None = None) -> bool:
    """An unconfirmed registration whose confirmation link no longer works."""
    return not registration.is_confirmed and (now or timezone.now()) >= confirm_expires_at(
        registration
    )


# --- rate limits --------------------------------------------------------------------------------


def _client_key(ip: str) -> str:
    """An IPv6 client owns its whole /64: counted as one address."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _attempt(kind: str, identity: str, *, limit: int, seconds: int) -> bool:
    """Count one attempt of ``identity`` in a fixed window; False once over ``limit`` (0: no
    limit). The cache holds a hash, never the address itself. A cache that cannot count
    (Redis down: ``consortium.cache`` answers as an empty cache) lets the attempt through."""
    if limit <= 0:
        return True
    digest = hashlib.sha256(f"{kind}:{identity}".encode()).hexdigest()[:32]
    key = f"kyoso:public-registration:{kind}:{digest}"
    try:
        cache.add(key, 0, timeout=seconds)
        count = cache.incr(key)
    except Exception:  # ValueError from a cache that forgot the key, or the backend's own error
        logger.warning("public registration rate limit (%s) not counted: cache unavailable", kind)
        return True
    return count <= limit


def _rate_limited() -> PublicRegistrationError:
    return PublicRegistrationError(
        _(
            "短時間に多くの申込があったため、受け付けられませんでした。"
            "しばらく時間をおいてから、もう一度お申し込みください。"
        ),
        code="rate_limited",
    )


def _check_rate_limits(*, meeting: Meeting, ip: str, email: str, now: dt.datetime) -> None:
    """Per client address an hour and per e-mail address a day (the cache), and unconfirmed
    registrations per meeting an hour (the database)."""
    by_ip = _attempt(
        "ip", _client_key(ip), limit=settings.KYOSO_PUBLIC_RATE_IP_PER_HOUR, seconds=3600
    )
    by_email = _attempt(
        "email", email, limit=settings.KYOSO_PUBLIC_RATE_EMAIL_PER_DAY, seconds=86400
    )
    if not (by_ip and by_email):
        raise _rate_limited()
    per_meeting = settings.KYOSO_PUBLIC_RATE_MEETING_PER_HOUR
    if per_meeting > 0:
        recent = PublicRegistration.objects.filter(
            meeting=meeting,
            confirmed_at__isnull=True,
            created_at__gte=now - dt.timedelta(hours=1),
        ).count()
        if recent >= per_meeting:
            raise _rate_limited()


# --- e-mails ----------------------------------------------------------------------------------


def _context(registration: PublicRegistration, **extra) -> dict:
    return {
        "registration": registration,
        "meeting": registration.meeting,
        "confirm_url": confirm_url(registration),
        "ticket_url": ticket_url(registration),
        "cancel_url": cancel_url(registration),
        "confirm_hours": settings.KYOSO_PUBLIC_CONFIRM_HOURS,
        "retention_days": settings.KYOSO_PUBLIC_RETENTION_DAYS,
        "site_name": settings.KYOSO_SITE_NAME,
        **extra,
    }


def _send_text(registration: PublicRegistration, template: str, context: dict) -> None:
    subject = render_to_string(f"events/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"events/email/{template}_body.txt", context)
    to = [registration.email]
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to))


def _send_confirmation_mail(registration: PublicRegistration) -> None:
    _send_text(registration, "public_confirm", _context(registration))


def public_ticket_mail(registration: PublicRegistration, *, promoted: bool = False) -> None:
    """After confirmation, or when moved up from the waiting list (``promoted``): with a seat,
    the ticket as an inline QR code and an SVG attachment; waiting, a plain mail. Both carry the
    cancellation link. Sent once the transaction commits."""
    context = _context(registration, promoted=promoted)
    if registration.status != Status.REGISTERED:
        _send_text(registration, "public_ticket", context)
        return
    context["ticket_cid"] = TICKET_CONTENT_ID
    message = ticket_email(
        subject=render_to_string("events/email/public_ticket_subject.txt", context).strip(),
        body=render_to_string("events/email/public_ticket_body.txt", context),
        html=render_to_string("events/email/public_ticket_body.html", context),
        to=[registration.email],
        token=registration.ticket_token,
        label=_("受付票：%(name)s（%(title)s）")
        % {"name": registration.name, "title": registration.meeting.title},
    )
    transaction.on_commit(message.send)


def public_promoted_mail(registration: PublicRegistration) -> None:
    """Moved up because somebody else cancelled: in Japanese, as the other mails about changes
    nobody asked for in their own language (``services._send_cancellation_mail``)."""
    with translation.override("ja"):
        public_ticket_mail(registration, promoted=True)


# --- register, confirm, cancel ------------------------------------------------------------------


def _closed() -> PublicRegistrationError:
    return PublicRegistrationError(
        _("この会議は現在、一般の方の申込を受け付けていません。"), code="closed"
    )


def _duplicate(existing: PublicRegistration | None) -> PublicRegistrationError:
    if existing is not None and not existing.is_confirmed:
        return PublicRegistrationError(
            _(
                "このメールアドレスでの申込は、メールアドレスの確認待ちです。"
                "お送りした確認メールのリンクを開いてください。"
            ),
            code="pending",
        )
    return PublicRegistrationError(
        _(
            "このメールアドレスで、この会議にはすでに申し込まれています。"
            "人数を変える場合は、お送りしたメールのリンクから取り消して、申し込み直してください。"
        ),
        code="duplicate",
    )


def public_registration_create(
    *,
    meeting: Meeting,
    citizen: Citizen,
    consented: bool,
    ip: str,
    now: dt.datetime | None = None,
) -> PublicRegistration:
    """Register a citizen for a public meeting whose registration is open, unconfirmed: no seat
    is held until the link of the confirmation e-mail (sent once the transaction commits) is
    followed. One active registration per e-mail address and meeting (an expired unconfirmed one
    gives way); 1 to ``KYOSO_PUBLIC_MAX_SEATS`` people; the consent is required. Raises
    ``PublicRegistrationError``."""
    now = now or timezone.now()
    email = citizen.email.strip().lower()
    seats = citizen.seats
    if not consented:
        raise PublicRegistrationError(
            _("個人情報の取扱いに同意いただくと申し込めます。"), code="consent"
        )
    if not 1 <= seats <= settings.KYOSO_PUBLIC_MAX_SEATS:
        raise PublicRegistrationError(
            _("人数は1人から%(max)s人までです。") % {"max": settings.KYOSO_PUBLIC_MAX_SEATS},
            code="seats",
        )
    if meeting.visibility != Visibility.PUBLIC or not meeting.registration_is_open(now):
        raise _closed()
    _check_rate_limits(meeting=meeting, ip=ip, email=email, now=now)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.visibility != Visibility.PUBLIC or not meeting.registration_is_open(now):
            raise _closed()  # changed while we waited for the lock
        active = PublicRegistration.objects.filter(
            meeting=meeting, email=email, purged_at__isnull=True
        ).exclude(status=Status.CANCELLED)
        existing = active.first()
        if existing is not None and is_expired(existing, now):
            existing.delete()  # never confirmed: it held nothing
            existing = None
        if existing is not None:
            raise _duplicate(existing)
        try:
            with transaction.atomic():  # a savepoint: the constraint may still refuse
                registration = PublicRegistration.objects.create(
                    meeting=meeting,
                    name=citizen.name.strip(),
                    name_kana=citizen.name_kana.strip(),
                    email=email,
                    affiliation=citizen.affiliation.strip(),
                    seats=seats,
                    status=Status.REGISTERED,
                    position=0,
                    consented_at=now,
                    created_at=now,
                )
        except IntegrityError:  # the same address at the same moment from another request
            raise _duplicate(None) from None
        _send_confirmation_mail(registration)
    return registration


@transaction.atomic
def public_registration_confirm(*, token: str, now: dt.datetime | None = None) -> bool:
    """Follow the confirmation link: the registration takes its seats, or its place on the
    waiting list when the seats left (members' and citizens' alike) are fewer or others wait
    ahead (``services.seat_for``), and the e-mail with the ticket and the cancellation link goes
    out. Returns whether this call confirmed it
    (False: confirmed before; nothing is sent again).

    ``PublicRegistration.DoesNotExist`` for an unknown token; ``PublicRegistrationError`` when
    the link expired, the registration was cancelled or the meeting no longer takes
    registrations (cancelled, held)."""
    now = now or timezone.now()
    found = public_registration_by_token("confirm", token)
    # The meeting's lock first (as registration_create): two confirmations cannot both take
    # the last seat.
    meeting = Meeting.objects.select_for_update().get(pk=found.meeting_id)
    registration = PublicRegistration.objects.select_for_update().get(pk=found.pk)
    registration.meeting = meeting
    if registration.is_confirmed:
        return False
    if registration.status == Status.CANCELLED:
        raise PublicRegistrationError(_("この申込は取り消されています。"), code="cancelled")
    if is_expired(registration, now):
        raise PublicRegistrationError(
            _(
                "確認の期限（%(hours)s時間）が過ぎたため、この申込は無効になりました。"
                "お手数ですが、もう一度お申し込みください。"
            )
            % {"hours": settings.KYOSO_PUBLIC_CONFIRM_HOURS},
            code="expired",
        )
    if meeting.status != MeetingStatus.SCHEDULED:
        raise _closed()
    fits, position = services.seat_for(meeting=meeting, seats=registration.seats)
    registration.status = Status.REGISTERED if fits else Status.WAITLISTED
    registration.position = position
    registration.confirmed_at = now
    registration.save(update_fields=["status", "position", "confirmed_at"])
    public_ticket_mail(registration)
    return True


@transaction.atomic
def public_registration_cancel(*, token: str, now: dt.datetime | None = None) -> bool:
    """Follow the cancellation link: the registration is cancelled and, if it held seats, the
    waiting list (members' and citizens' registrations, in position order) moves up, each
    promoted person told by e-mail. Returns whether this call cancelled it (False: cancelled
    before). A registration already checked in at the door, or of a held meeting, stays
    (``PublicRegistrationError``); ``PublicRegistration.DoesNotExist`` for an unknown token."""
    now = now or timezone.now()
    found = public_registration_by_token("cancel", token)
    meeting = Meeting.objects.select_for_update().get(pk=found.meeting_id)
    registration = PublicRegistration.objects.select_for_update().get(pk=found.pk)
    registration.meeting = meeting
    if registration.status == Status.CANCELLED:
        return False
    if registration.checked_in_at is not None:
        raise PublicRegistrationError(_("受付済みの申込は取り消せません。"), code="checked_in")
    if meeting.is_held:
        raise PublicRegistrationError(_("開催済の会議の申込は取り消せません。"), code="held")
    held_seats = registration.is_confirmed and registration.status == Status.REGISTERED
    registration.status = Status.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    if registration.is_confirmed:
        _send_text(registration, "public_cancelled", _context(registration))
    if held_seats and not meeting.is_cancelled:
        services.waitlist_promote(meeting=meeting)
    return True


# --- deleting personal data -------------------------------------------------------------------


def public_registrations_purge(now: dt.datetime | None = None) -> tuple[int, int]:
    """Delete what citizens' registrations hold about people once it is no longer needed:

    - unconfirmed registrations whose confirmation link expired are deleted (they never held a
      seat nor counted anywhere);
    - registrations of meetings that ended more than ``KYOSO_PUBLIC_RETENTION_DAYS`` ago lose
      name, kana, e-mail and affiliation, and their links stop working (``purged_at``). Status,
      seats and check-in stay, so 一般参加者 and のべ参加者数 do not change.

    A meeting ended at ``ends_at``, else at the end of its day. Returns ``(purged, deleted)``.
    Idempotent (the beat task runs it hourly)."""
    now = now or timezone.now()
    expired_before = now - dt.timedelta(hours=settings.KYOSO_PUBLIC_CONFIRM_HOURS)
    deleted, _rows = PublicRegistration.objects.filter(
        confirmed_at__isnull=True, purged_at__isnull=True, created_at__lt=expired_before
    ).delete()
    cutoff = now - dt.timedelta(days=settings.KYOSO_PUBLIC_RETENTION_DAYS)
    ended = Q(meeting__ends_at__lt=cutoff) | Q(
        meeting__ends_at__isnull=True, meeting__date__lt=timezone.localdate(cutoff)
    )
    purged = PublicRegistration.objects.filter(ended, purged_at__isnull=True).update(
        **dict.fromkeys(PERSONAL_FIELDS, ""), purged_at=now
    )
    return purged, deleted


def public_registrations_erase(*, registrations, now: dt.datetime | None = None) -> int:
    """Delete the personal data of these registrations now (a citizen asked staff to): as the
    purge does, the counts stay. Returns how many were erased (already purged ones are not)."""
    return registrations.filter(purged_at__isnull=True).update(
        **dict.fromkeys(PERSONAL_FIELDS, ""), purged_at=now or timezone.now()
    )
