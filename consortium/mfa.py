"""A second factor for the people who keep the records.

With ``KYOSO_REQUIRE_MFA`` on (the default when DEBUG is off), a signed-in user who can open the
Django admin, or whom ``KYOSO_MFA_REQUIRED_FOR`` names (administrators and secretariat staff), and
who has no TOTP authenticator yet is sent from every page to allauth's TOTP activation page. Only
allauth's MFA pages, re-authentication, sign-out, the language switch and static files stay open,
so the person can set the factor up. Under ``make run`` (DEBUG on) the demo accounts are not asked.

The role check is named in the settings (a dotted path) so that this project package imports no
app; allauth's login asks for the code once a TOTP authenticator exists.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

OPEN_URL_NAMES = frozenset({"account_logout", "account_reauthenticate", "set_language"})


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.required_for = import_string(settings.KYOSO_MFA_REQUIRED_FOR)

    def __call__(self, request):
        if settings.KYOSO_REQUIRE_MFA and self._must_activate(request):
            messages.warning(
                request,
                _(
                    "管理者・事務局の方は2段階認証が必要です。"
                    "認証アプリを登録してから続けてください。"
                ),
            )
            url = reverse("mfa_activate_totp")
            if request.headers.get("HX-Request") == "true":  # before django-htmx's middleware
                return HttpResponseClientRedirect(url)
            return redirect(url)
        return self.get_response(request)

    def _must_activate(self, request) -> bool:
        user = request.user
        if not user.is_authenticated or not (user.is_staff or self.required_for(user)):
            return False
        if _is_open(request.path_info):
            return False
        return not is_mfa_enabled(user, [Authenticator.Type.TOTP])


def _is_open(path: str) -> bool:
    static = "/" + settings.STATIC_URL.lstrip("/")
    if path.startswith(static):
        return True
    try:
        name = resolve(path).url_name or ""
    except Resolver404:
        return False
    return name.startswith("mfa_") or name in OPEN_URL_NAMES
