"""Session lifetime: signed-in sessions end after inactivity and after an absolute lifetime.

The login time and the last-seen time are stamped when a user logs in (``user_logged_in``), so
ordinary requests do not write the session; the last-seen stamp is refreshed at most once every
few minutes.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

LOGIN_AT = "kyoso_login_at"
SEEN_AT = "kyoso_seen_at"
REFRESH_SECONDS = 300


def stamp_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            login_at = request.session.get(LOGIN_AT, now)
            seen_at = request.session.get(SEEN_AT, now)
            if (
                now - login_at > settings.KYOSO_SESSION_ABSOLUTE_SECONDS
                or now - seen_at > settings.KYOSO_SESSION_IDLE_SECONDS
            ):
                logout(request)
                messages.info(
                    request,
                    _("一定時間操作がなかったため、ログアウトしました。再度ログインしてください。"),
                )
            elif now - seen_at > REFRESH_SECONDS or LOGIN_AT not in request.session:
                request.session[LOGIN_AT] = login_at
                request.session[SEEN_AT] = now
        return self.get_response(request)
