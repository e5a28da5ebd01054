"""Who a user is to Kyoso: administrator, secretariat staff, member, or the public.

Roles are Django groups created by a data migration (``members.0002_roles``); superusers count as
administrators. A *member* is a signed-in person whose organisation belongs to a study group.

A *reviewer* (審査員, group ``reviewers`` from ``members.0005_reviewer_role``) is an outside
account that staff register to score applications to a call (公募). The role grants the reviews
assigned to them and nothing of any organisation: what else a reviewer may see comes from their
person, as for anyone. Staff who are in the group stay staff.

A person's organisation is granted, never taken: a sign-up creates the person without one and an
affiliation request (所属申請) that staff decide. Until then the person is *registered* (or a
*pending affiliate*): public pages, their own profile and their own requests, nothing of any
organisation. Every check that grants something of an organisation asks
``affiliated_person_of`` / ``organisation_id_of``, which know nothing of unapproved people.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _

ADMINISTRATORS = "administrators"
SECRETARIAT = "secretariat"
REVIEWERS = "reviewers"


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    REGISTERED = "registered"  # signed in, no organisation (no person, or not yet approved)
    PENDING_AFFILIATE = "pending_affiliate"  # an affiliation request waits for staff
    AFFILIATED = "affiliated"  # a person of an organisation that belongs to no study group
    MEMBER = "member"
    REVIEWER = "reviewer"  # an outside reviewer of calls (not staff)
    SECRETARIAT = "secretariat"
    ADMINISTRATOR = "administrator"


ROLE_LABELS = {
    Role.ANONYMOUS: _("一般"),
    Role.REGISTERED: _("登録利用者"),
    Role.PENDING_AFFILIATE: _("所属確認待ち"),
    Role.AFFILIATED: _("団体所属者"),
    Role.MEMBER: _("会員"),
    Role.REVIEWER: _("審査員"),
    Role.SECRETARIAT: _("事務局"),
    Role.ADMINISTRATOR: _("管理者"),
}


# The attribute of a user object its group names are cached in: role checks run several times
# per request. (Not a field of User, so it is set and read by name.)
_GROUPS_CACHE = "_kyoso_groups"


def _group_names(user: User) -> set[str]:
    names: set[str] | None = getattr(user, _GROUPS_CACHE, None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        setattr(user, _GROUPS_CACHE, names)
    return names


def prime_groups(users: Iterable[User]) -> None:
    """Fill the role cache of users whose ``groups`` were prefetched (lists of accounts)."""
    for user in users:
        setattr(user, _GROUPS_CACHE, {group.name for group in user.groups.all()})


def is_administrator(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or ADMINISTRATORS in _group_names(user)


def is_secretariat(user: User | AnonymousUser) -> bool:
    """Secretariat staff or administrator: may keep all records."""
    if not user.is_authenticated or not user.is_active:
        return False
    return is_administrator(user) or SECRETARIAT in _group_names(user)


def is_reviewer(user: User | AnonymousUser) -> bool:
    """In the reviewers' group (審査員). Staff review too without it: see ``may_review``."""
    if not user.is_authenticated or not user.is_active:
        return False
    return REVIEWERS in _group_names(user)


def may_review(user: User | AnonymousUser) -> bool:
    """Who can be assigned applications to score: reviewers and secretariat staff."""
    return is_reviewer(user) or is_secretariat(user)


def secretariat_emails() -> list[str]:
    """Addresses of every active secretariat member and administrator."""
    from django.db.models import Q

    return sorted(
        set(
            User.objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(groups__name__in=[SECRETARIAT, ADMINISTRATORS]))
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def person_of(user: User | AnonymousUser):
    """The Person linked to a user account, or None."""
    if not user.is_authenticated:
        return None
    try:
        return user.person
    except Exception:  # RelatedObjectDoesNotExist
        return None


def display_name(user: User | AnonymousUser) -> str:
    """How sign-in messages and account e-mails name a user (``ACCOUNT_USER_DISPLAY``): the
    person's name, else the e-mail address, never the generated username ("" for nobody: the
    mail to an address without an account)."""
    if not user.is_authenticated:
        return ""
    person = person_of(user)
    if person is not None and person.name:
        return person.name
    return user.email or user.get_username()


def affiliated_person_of(user: User | AnonymousUser):
    """The user's Person when staff have approved their organisation, else None."""
    person = person_of(user)
    return person if person is not None and person.organisation_id else None


def organisation_id_of(user: User | AnonymousUser) -> int | None:
    person = person_of(user)
    return person.organisation_id if person else None


def role_of(user: User | AnonymousUser) -> Role:
    if is_administrator(user):
        return Role.ADMINISTRATOR
    if is_secretariat(user):
        return Role.SECRETARIAT
    if not user.is_authenticated or not user.is_active:
        return Role.ANONYMOUS
    if is_reviewer(user):
        return Role.REVIEWER
    person = person_of(user)
    if person is None:
        return Role.REGISTERED
    from .models import AffiliationRequest, Membership

    if not person.organisation_id:
        if AffiliationRequest.objects.pending().filter(person=person).exists():
            return Role.PENDING_AFFILIATE
        return Role.REGISTERED
    if Membership.objects.active().filter(organisation_id=person.organisation_id).exists():
        return Role.MEMBER
    return Role.AFFILIATED
