"""Middleware of the whole site: response headers Django has no setting for, and the refusal of
query strings no page can use."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` (``KYOSO_PERMISSIONS_POLICY``) to every response: browser
    features no Kyoso page uses stay off even if a script found its way in. The camera stays
    allowed for the site itself (scanning tickets at the door)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.policy = settings.KYOSO_PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class RejectNulBytesMiddleware:
    """A NUL byte in a query parameter is a 400. No name, number or date contains one, and
    PostgreSQL refuses it in a query (``ValueError`` → 500). Kyoso's own views clean their
    parameters themselves; this is the backstop for every other page (the Django admin,
    allauth) and for a view that forgets."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadRequest("NUL byte in the query string")
        return self.get_response(request)
