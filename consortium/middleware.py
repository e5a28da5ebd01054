"""Middleware of the whole site: response headers Django has no setting for, and the refusal of
query strings no page can use."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

# The attribute a response carries its allowed features in (read by the middleware below).
ALLOWED_FEATURES = "kyoso_allowed_features"


def allow_features(response: HttpResponse, *features: str) -> HttpResponse:
    """Let the page of this response use these browser features, for the site itself only
    (``feature=(self)``), e.g. the camera of the 受付 page; every other page keeps them off."""
    setattr(response, ALLOWED_FEATURES, frozenset(features))
    return response


def _allowing(policy: str, features: frozenset[str]) -> str:
    items = [item.strip() for item in policy.split(",") if item.strip()]
    kept = [item for item in items if item.split("=", 1)[0].strip() not in features]
    return ", ".join([*(f"{name}=(self)" for name in sorted(features)), *kept])


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` (``KYOSO_PERMISSIONS_POLICY``) to every response: browser
    features no Kyoso page uses stay off even if a script found its way in. A view that needs
    one (the camera for scanning tickets at the door) says so with ``allow_features``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.policy = settings.KYOSO_PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            allowed = getattr(response, ALLOWED_FEATURES, None)
            policy = _allowing(self.policy, allowed) if allowed else self.policy
            response.headers.setdefault("Permissions-Policy", policy)
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
