"""The pages for requests that cannot be served, in the site's layout and language.

400, 403 and 404 are Django's own handlers with Kyoso's templates (``templates/400.html`` …,
drawn with the request, so the menu and the language switch are there). The 500 page and the
CSRF failure page need views of their own: Django draws its 500 page without the request (no
menu, no language) and its CSRF page in English.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the page with the menu; if that fails too (the database may be what
    failed: the menu asks it who is signed in), a page that needs nothing but the templates."""
    try:
        return render(request, "500.html", status=500)
    except Exception:  # the error page must answer whatever broke
        logger.exception("the 500 page with the menu could not be drawn")
        page = render_to_string("errors/500_plain.html", {"site_name": settings.KYOSO_SITE_NAME})
        return HttpResponseServerError(page)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: why the form was refused (an old page, a changed session, no
    cookie) and what to do, instead of Django's English technical page."""
    logger.warning("CSRF check failed: %s", reason)
    return HttpResponseForbidden(render_to_string("403_csrf.html", request=request))
