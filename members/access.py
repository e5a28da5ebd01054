"""View mixins for Kyoso's roles. Anonymous users go to the login page; signed-in users without
the role get 403. Objects of another organisation are hidden by querysets (``visible_to``), so they
are a 404, never a 403.
"""

from django.contrib.auth.mixins import AccessMixin, LoginRequiredMixin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from . import roles


def signed_in_user(request: HttpRequest) -> User:
    """The user of a request that a mixin below (or ``LoginRequiredMixin``) let in: signed in,
    so a ``User`` and never ``AnonymousUser`` (what the services' ``User`` arguments need)."""
    user = request.user
    if not isinstance(user, User):  # (a view without such a mixin)
        raise PermissionDenied
    return user


class _RoleRequiredMixin(AccessMixin):
    def has_role(self, user: User) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.has_role(request.user):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class SecretariatRequiredMixin(_RoleRequiredMixin):
    """Secretariat staff (事務局) and administrators."""

    def has_role(self, user: User) -> bool:
        return roles.is_secretariat(user)


class AdministratorRequiredMixin(_RoleRequiredMixin):
    """Administrators (管理者) only, e.g. exports of personal data."""

    def has_role(self, user: User) -> bool:
        return roles.is_administrator(user)


class ReviewerRequiredMixin(_RoleRequiredMixin):
    """Reviewers (審査員) and secretariat staff: the pages of the reviews assigned to them."""

    def has_role(self, user: User) -> bool:
        return roles.may_review(user)


class PersonRequiredMixin(_RoleRequiredMixin):
    """A person of an approved organisation, or secretariat staff (who act for anyone)."""

    def has_role(self, user: User) -> bool:
        return roles.affiliated_person_of(user) is not None or roles.is_secretariat(user)


class AffiliatedPersonRequiredMixin(_RoleRequiredMixin):
    """A person whose organisation staff have approved: acting for that organisation needs it."""

    def has_role(self, user: User) -> bool:
        return roles.affiliated_person_of(user) is not None


class AccountPersonRequiredMixin(_RoleRequiredMixin):
    """A signed-in user with a Person of their own, approved or not (their profile, requests)."""

    def has_role(self, user: User) -> bool:
        return roles.person_of(user) is not None


__all__ = [
    "AccountPersonRequiredMixin",
    "AdministratorRequiredMixin",
    "AffiliatedPersonRequiredMixin",
    "LoginRequiredMixin",
    "PersonRequiredMixin",
    "ReviewerRequiredMixin",
    "SecretariatRequiredMixin",
    "signed_in_user",
]
