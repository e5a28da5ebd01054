"""What the events app holds about a person, for the person's own data download.

Connected to ``members.signals.personal_data_requested`` in ``EventsConfig.ready``: members asks,
events answers with its sections, so the lower app never imports this one.
"""

from __future__ import annotations

from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Person
from members.privacy import Section
from members.signals import personal_data_requested

from .models import Attendance, PublicRegistration, Registration


def _local(value):
    return timezone.localtime(value) if value is not None else None


@receiver(personal_data_requested, sender=Person, dispatch_uid="events-personal-data")
def personal_data(sender, *, person: Person, **kwargs) -> list[Section]:
    registrations = (
        Registration.objects.filter(person=person)
        .select_related("meeting")
        .order_by("meeting__date", "pk")
    )
    attendances = (
        Attendance.objects.filter(person=person)
        .select_related("meeting", "organisation")
        .order_by("meeting__date", "pk")
    )
    # Citizens' registrations (一般参加申込) belong to no person: they are held under the e-mail
    # address, so the person sees those their own address confirmed. (Their personal data is
    # deleted after the meeting: events.public_registration.public_registrations_purge.)
    public = (
        PublicRegistration.objects.filter(
            email=person.email.strip().lower(),
            confirmed_at__isnull=False,
            purged_at__isnull=True,
        )
        .select_related("meeting")
        .order_by("meeting__date", "pk")
        if person.email
        else PublicRegistration.objects.none()
    )
    return [
        Section(
            "registrations",
            _("会議の参加申込"),
            [
                ("meeting", _("会議名")),
                ("date", _("開催日")),
                ("status", _("状態")),
                ("created_at", _("申込日時")),
                ("cancelled_at", _("取消日時")),
            ],
            [
                {
                    "meeting": r.meeting.title,
                    "date": r.meeting.date,
                    "status": r.get_status_display(),
                    "created_at": _local(r.created_at),
                    "cancelled_at": _local(r.cancelled_at),
                }
                for r in registrations
            ],
        ),
        Section(
            "attendance",
            _("出欠の記録"),
            [
                ("meeting", _("会議名")),
                ("date", _("開催日")),
                ("status", _("出欠")),
                ("organisation", _("参加時の所属団体")),
            ],
            [
                {
                    "meeting": a.meeting.title,
                    "date": a.meeting.date,
                    "status": a.get_status_display(),
                    "organisation": a.organisation.name,
                }
                for a in attendances
            ],
        ),
        Section(
            "public_registrations",
            _("一般参加の申込"),
            [
                ("meeting", _("会議名")),
                ("date", _("開催日")),
                ("name", _("氏名")),
                ("name_kana", _("氏名（フリガナ）")),
                ("email", _("メールアドレス")),
                ("affiliation", _("所属")),
                ("seats", _("人数")),
                ("status", _("状態")),
                ("created_at", _("申込日時")),
                ("checked_in_at", _("受付日時")),
            ],
            [
                {
                    "meeting": r.meeting.title,
                    "date": r.meeting.date,
                    "name": r.name,
                    "name_kana": r.name_kana,
                    "email": r.email,
                    "affiliation": r.affiliation,
                    "seats": r.seats,
                    "status": r.get_status_display(),
                    "created_at": _local(r.created_at),
                    "checked_in_at": _local(r.checked_in_at),
                }
                for r in public
            ],
        ),
    ]
