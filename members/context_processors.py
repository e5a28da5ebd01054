"""``kyoso_role`` in every template: who the signed-in user is, worked out once per request.

The navigation of every app and page actions (edit buttons) read these flags instead of each
asking the database on their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import roles


@dataclass(frozen=True)
class RoleFlags:
    person: object | None
    secretariat: bool
    administrator: bool

    @property
    def has_person(self) -> bool:
        """A person of an organisation, or staff (who act for the secretariat)."""
        return self.person is not None or self.secretariat


def _flags(user) -> RoleFlags:
    if user is None or not user.is_authenticated:
        return RoleFlags(person=None, secretariat=False, administrator=False)
    return RoleFlags(
        person=roles.person_of(user),
        secretariat=roles.is_secretariat(user),
        administrator=roles.is_administrator(user),
    )


def role(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {"kyoso_role": SimpleLazyObject(lambda: _flags(user))}
