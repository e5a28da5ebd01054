"""Authentication backends that load the user's person with the user.

Every signed-in page asks who the person is (menus, roles): reading it in the same query as the
user saves one query on each of them. The backends are otherwise Django's and allauth's.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class _PersonWithUser:
    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("person")
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class PersonModelBackend(_PersonWithUser, ModelBackend):
    pass


class PersonAuthenticationBackend(_PersonWithUser, AuthenticationBackend):
    pass
