"""Personal data (個人情報保護法): a person's own data to take away, deletion requests, erasure.

- ``personal_data_collect`` gathers what Kyoso holds about the signed-in person: the account,
  the profile, their organisation's memberships, their join, affiliation and deletion requests,
  and — from the higher apps, through ``signals.personal_data_requested`` — meeting registrations
  and attendance. ``personal_data_json`` / ``personal_data_csv`` write it as a file.
- ``deletion_request_submit`` / ``deletion_request_withdraw``: the person asks for deletion (staff
  are told by e-mail) and may take it back while it is pending.
- ``person_erase``: an administrator erases a person. The Person row and its attendance stay, so the
  のべ参加者数 already reported does not move; what identifies the person (name, kana, e-mail,
  department, title, the account's login and addresses, sessions, change-history rows) is replaced
  by a placeholder or deleted. An ``Erasure`` row says who erased and when, and nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Left, Replace
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalChanges

from consortium.csv_out import csv_bytes

from . import roles
from .models import (
    AffiliationRequest,
    DeletionRequest,
    Erasure,
    JoinRequest,
    Membership,
    Person,
)
from .signals import personal_data_requested

logger = logging.getLogger(__name__)

# Stored in place of the name: data, not interface text, so it stays in the source language.
ERASED_NAME = "削除済みの利用者 #{pk}"
# The Person fields that identify someone; all of them are blanked (the name gets the placeholder).
IDENTIFYING_FIELDS = ("name", "name_kana", "email", "department", "title")


# --- Download ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One table of a person's data: ``key`` names it in the JSON file, ``title`` in the CSV;
    ``columns`` are (key, label) pairs and each row maps the keys to plain values."""

    key: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, object]] = field(default_factory=list)

    @property
    def table(self) -> list[list[object]]:
        """The rows as lists of values in column order, for a page to show."""
        return [[row.get(key) for key, _label in self.columns] for row in self.rows]


@dataclass(frozen=True)
class PersonalData:
    exported_at: dt.datetime
    sections: list[Section]


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value is not None else None


def _account_section(user: User) -> Section:
    return Section(
        "account",
        _("利用者アカウント"),
        [
            ("email", _("メール")),
            ("date_joined", _("登録日時")),
            ("last_login", _("最終ログイン")),
        ],
        [
            {
                "email": user.email,
                "date_joined": _local(user.date_joined),
                "last_login": _local(user.last_login),
            }
        ],
    )


def _email_section(user: User) -> Section:
    return Section(
        "email_addresses",
        _("メールアドレス"),
        [("email", _("メール")), ("verified", _("確認済み")), ("primary", _("主なアドレス"))],
        [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
    )


def _profile_section(person: Person) -> Section:
    organisation = person.organisation
    return Section(
        "profile",
        _("登録情報"),
        [
            ("name", _("氏名")),
            ("name_kana", _("氏名カナ")),
            ("email", _("メール")),
            ("organisation", _("所属団体")),
            ("department", _("所属部署")),
            ("title", _("役職")),
            ("created_at", _("登録日時")),
        ],
        [
            {
                "name": person.name,
                "name_kana": person.name_kana,
                "email": person.email,
                "organisation": organisation.name if organisation is not None else "",
                "department": person.department,
                "title": person.title,
                "created_at": _local(person.created_at),
            }
        ],
    )


def _membership_section(person: Person) -> Section:
    memberships = (
        Membership.objects.filter(organisation_id=person.organisation_id)
        .select_related("study_group__parent")
        .order_by("joined_on", "pk")
        if person.organisation_id is not None
        else Membership.objects.none()
    )
    return Section(
        "memberships",
        _("所属団体の会員資格"),
        [
            ("study_group", _("研究会")),
            ("role", _("役割")),
            ("joined_on", _("加入日")),
            ("left_on", _("退会日")),
        ],
        [
            {
                "study_group": m.study_group.full_name,
                "role": m.get_role_display(),
                "joined_on": m.joined_on,
                "left_on": m.left_on,
            }
            for m in memberships
        ],
    )


def _join_request_section(person: Person) -> Section:
    requests = (
        JoinRequest.objects.filter(applicant=person)
        .select_related("organisation", "study_group__parent")
        .order_by("created_at", "pk")
    )
    return Section(
        "join_requests",
        _("加入申込"),
        [
            ("study_group", _("研究会")),
            ("organisation", _("団体")),
            ("status", _("状態")),
            ("message", _("申込メッセージ")),
            ("created_at", _("申込日時")),
            ("decided_at", _("審査日時")),
            ("reason", _("理由")),
        ],
        [
            {
                "study_group": r.study_group.full_name,
                "organisation": r.organisation.name,
                "status": r.get_status_display(),
                "message": r.message,
                "created_at": _local(r.created_at),
                "decided_at": _local(r.decided_at),
                "reason": r.reason,
            }
            for r in requests
        ],
    )


def _affiliation_section(person: Person) -> Section:
    requests = AffiliationRequest.objects.filter(person=person).order_by("created_at", "pk")
    return Section(
        "affiliation_requests",
        _("所属申請"),
        [
            ("organisation_name", _("団体名")),
            ("corporate_number", _("法人番号")),
            ("status", _("状態")),
            ("created_at", _("申請日時")),
            ("decided_at", _("審査日時")),
            ("reason", _("理由")),
        ],
        [
            {
                "organisation_name": r.organisation_name,
                "corporate_number": r.corporate_number,
                "status": r.get_status_display(),
                "created_at": _local(r.created_at),
                "decided_at": _local(r.decided_at),
                "reason": r.reason,
            }
            for r in requests
        ],
    )


def _deletion_section(person: Person) -> Section:
    return Section(
        "deletion_requests",
        _("削除の申出"),
        [
            ("status", _("状態")),
            ("reason", _("理由・連絡事項")),
            ("created_at", _("申出日時")),
            ("closed_at", _("完了日時")),
        ],
        [
            {
                "status": r.get_status_display(),
                "reason": r.reason,
                "created_at": _local(r.created_at),
                "closed_at": _local(r.closed_at),
            }
            for r in person.deletion_requests.order_by("created_at", "pk")
        ],
    )


def personal_data_collect(*, user: User) -> PersonalData:
    """Everything Kyoso holds about ``user`` and their Person, one section per kind of record.

    A user without a Person (staff accounts) gets the account sections only. The higher apps add
    their sections through ``personal_data_requested``.
    """
    sections = [_account_section(user), _email_section(user)]
    person = roles.person_of(user)
    if person is not None:
        sections += [
            _profile_section(person),
            _membership_section(person),
            _join_request_section(person),
            _affiliation_section(person),
            _deletion_section(person),
        ]
        for _receiver, extra in personal_data_requested.send(sender=Person, person=person):
            # Receivers answer a list of sections (the stubs type every signal's answer str).
            sections += cast("list[Section] | None", extra) or []
    return PersonalData(exported_at=timezone.localtime(), sections=sections)


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def personal_data_json(data: PersonalData) -> bytes:
    """The data as JSON: ``{"exported_at": …, "account": [rows], "profile": [rows], …}``."""
    document: dict[str, object] = {"exported_at": data.exported_at.isoformat()}
    for section in data.sections:
        document[section.key] = [
            {key: _plain(row.get(key)) for key, _label in section.columns} for row in section.rows
        ]
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def personal_data_csv(data: PersonalData) -> bytes:
    """The data as one CSV for Excel (UTF-8 with BOM): each section is its title, a header row
    and its rows, followed by an empty line. Text that Excel would run as a formula is escaped."""
    return csv_bytes([_("出力日時"), _csv_cell(data.exported_at)], _csv_sections(data))


def _csv_sections(data: PersonalData) -> Iterator[list[object]]:
    yield []
    for section in data.sections:
        yield [f"■ {section.title}"]
        yield [str(label) for _key, label in section.columns]
        for row in section.rows:
            yield [_csv_cell(row.get(key)) for key, _label in section.columns]
        yield []


# --- Deletion requests --------------------------------------------------------------------------


def _mail_on_commit(template: str, subject: str, recipients: list[str], context: dict) -> None:
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    body = render_to_string(template, {**context, "site_name": settings.KYOSO_SITE_NAME})
    transaction.on_commit(
        lambda: send_mail(
            settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    )


def _address_of(person: Person) -> str:
    return person.email or (person.user.email if person.user is not None else "")


@transaction.atomic
def deletion_request_submit(*, person: Person, reason: str = "") -> DeletionRequest:
    """Record a person's request to delete their account and data, and tell them and staff."""
    if hasattr(person, "erasure"):
        raise ValidationError(_("この利用者の情報は既に削除されています。"))
    if person.deletion_requests.filter(status=DeletionRequest.Status.PENDING).exists():
        raise ValidationError(_("削除の申出は既に受け付けています。"))
    request = DeletionRequest.objects.create(person=person, reason=reason.strip())
    context = {"deletion_request": request, "person": person}
    _mail_on_commit(
        "members/email/deletion_request_received.txt",
        _("個人情報の削除の申出を受け付けました"),
        [_address_of(person)],
        context,
    )
    _mail_on_commit(
        "members/email/deletion_request_staff.txt",
        _("個人情報の削除の申出がありました"),
        roles.secretariat_emails(),
        context,
    )
    return request


@transaction.atomic
def deletion_request_withdraw(*, request: DeletionRequest) -> DeletionRequest:
    """The person takes back a pending request; staff are told that nothing needs doing."""
    request = (
        DeletionRequest.objects.select_for_update().select_related("person").get(pk=request.pk)
    )
    if request.status != DeletionRequest.Status.PENDING:
        raise ValidationError(_("この削除の申出は既に完了しています。"))
    request.status = DeletionRequest.Status.WITHDRAWN
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at"])
    context = {"deletion_request": request, "person": request.person}
    subject = _("個人情報の削除の申出が取り下げられました")
    # Two mails: the person and the staff never see each other's addresses.
    for recipients in ([_address_of(request.person)], roles.secretariat_emails()):
        _mail_on_commit(
            "members/email/deletion_request_withdrawn.txt", subject, recipients, context
        )
    return request


# --- Erasure -------------------------------------------------------------------------------------


def _text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and f.name != "history_type"
    ]


def _scrub_history(*, person: Person, placeholder: str, strings: set[str]) -> None:
    """Anonymise the change history: the person's own rows lose every identifying field, and
    any other history row holding their name or an address of theirs gets the placeholder."""
    Person.history.model._default_manager.filter(id=person.pk).update(
        **{name: "" for name in IDENTIFYING_FIELDS if name != "name"}, name=placeholder
    )
    strings = {s for s in strings if len(s) >= 3}  # a stray initial is nobody's name
    if not strings:
        return
    for historical in apps.get_models():
        if not issubclass(historical, HistoricalChanges) or historical is Person.history.model:
            continue
        fields = _text_fields(historical)
        if not fields:
            continue
        matches = Q()
        updates = {}
        for f in fields:
            expression: Combinable = F(f.name)
            for text in strings:
                matches |= Q(**{f"{f.name}__contains": text})
                expression = Replace(expression, Value(text), Value(placeholder))
            if isinstance(f, models.CharField) and f.max_length:
                expression = Left(expression, f.max_length)
            updates[f.name] = expression
        historical._default_manager.filter(matches).update(**updates)


def _user_sessions_delete(user: User) -> int:
    """Delete the user's sessions (database sessions hold the user id only inside the data)."""
    wanted = str(user.pk)
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == wanted
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


def _user_anonymise(user: User, placeholder: str) -> None:
    user.username = f"erased-{user.pk}"
    user.email = ""
    user.first_name = user.last_name = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    _user_sessions_delete(user)
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=placeholder)


@transaction.atomic
def person_erase(
    *, person: Person, erased_by: User, deletion_request: DeletionRequest | None = None
) -> Erasure:
    """Erase a person's personal data for good; only administrators may.

    Kept: the Person row (with a placeholder name) and what points at it — attendance,
    registrations, memberships of the organisation — so the roll-ups count the same. Removed or
    anonymised: name, kana, e-mail, department and title; their change-history rows and any
    history row holding their name or e-mail; the messages they wrote in join and deletion
    requests; the account's login, addresses, second factors and sessions (it is deactivated).
    The person is told at their old address, which is forgotten once the mail is handed over.
    """
    if not roles.is_administrator(erased_by):
        raise PermissionDenied(_("個人情報の削除は管理者だけが行えます。"))
    person = Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
    if Erasure.objects.filter(person=person).exists():
        raise ValidationError(_("この利用者の情報は既に削除されています。"))
    if person.user_id is not None and person.user_id == erased_by.pk:
        raise ValidationError(_("自分自身の情報は削除できません。別の管理者に依頼してください。"))
    user = person.user
    placeholder = ERASED_NAME.format(pk=person.pk)
    address = _address_of(person)
    strings = {person.name, person.email}
    if user is not None:
        strings |= {
            user.email,
            *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
        }
    strings.discard("")

    for name in IDENTIFYING_FIELDS:
        setattr(person, name, "")
    person.name = placeholder
    person.save(update_fields=list(IDENTIFYING_FIELDS))
    _scrub_history(person=person, placeholder=placeholder, strings=strings)
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk)
    ).update(object_repr=placeholder)
    JoinRequest.objects.filter(applicant=person).update(message="")
    if user is not None:
        _user_anonymise(user, placeholder)

    now = timezone.now()
    person.deletion_requests.update(reason="")
    person.deletion_requests.filter(status=DeletionRequest.Status.PENDING).update(
        status=DeletionRequest.Status.ERASED, closed_at=now
    )
    if deletion_request is None:
        deletion_request = person.deletion_requests.order_by("-created_at").first()
    erasure = Erasure.objects.create(
        person=person, erased_by=erased_by, erased_at=now, request=deletion_request
    )
    # Who and when only: the log must not keep what was erased.
    logger.info("person #%s erased by user #%s", person.pk, erased_by.pk)
    _mail_on_commit(
        "members/email/person_erased.txt",
        _("個人情報を削除しました"),
        [address],
        {"erasure": erasure},
    )
    return erasure
