"""``kyoso_role`` in every template: who the signed-in user is, worked out once per request.

The navigation of every app and page actions (edit buttons) read these flags instead of each
asking the database on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import roles


@dataclass(frozen=True)
class RoleFlags:
    person: object | None  # the user's person when their organisation is approved
    account_person: object | None  # the user's person, approved or not
    secretariat: bool
    administrator: bool
    reviewer: bool = False  # in the reviewers' group (審査員)

    @property
    def has_person(self) -> bool:
        """A person of an organisation, or staff (who act for the secretariat)."""
        return self.person is not None or self.secretariat

    @cached_property
    def pending_requests(self) -> int:
        """Join and affiliation requests waiting for staff, for the menu's badge (one query)."""
        if not self.secretariat:
            return 0
        from .querysets import pending_request_count

        return pending_request_count()


def _flags(user) -> RoleFlags:
    if user is None or not user.is_authenticated:
        return RoleFlags(person=None, account_person=None, secretariat=False, administrator=False)
    return RoleFlags(
        person=roles.affiliated_person_of(user),
        account_person=roles.person_of(user),
        secretariat=roles.is_secretariat(user),
        administrator=roles.is_administrator(user),
        reviewer=roles.is_reviewer(user),
    )


def role(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {"kyoso_role": SimpleLazyObject(lambda: _flags(user))}
