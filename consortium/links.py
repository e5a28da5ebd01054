"""Links: ``reverse()`` once per process instead of once per link for menus and long lists, the
site's absolute URLs (``KYOSO_SITE_URL``), and the one decision on where a ``next=`` parameter may
send somebody."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import url_has_allowed_host_and_scheme

# An id no row has; the reversed URL is split around it.
_MARKER = 987_654_321_012_345


@functools.lru_cache(maxsize=512)
def _reversed(viewname: str, urlconf: str, prefix: str, with_pk: bool) -> tuple[str, str]:
    # Keyed by the URLconf and script prefix too, so that a request served under another one
    # (tests overriding ROOT_URLCONF, a sub-path deployment) never gets another's URLs.
    if not with_pk:
        return reverse(viewname, urlconf=urlconf), ""
    before, after = reverse(viewname, args=[_MARKER], urlconf=urlconf).split(str(_MARKER))
    return before, after


def _key() -> tuple[str, str]:
    return get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()


def cached_url(viewname: str) -> str:
    """``reverse(viewname)`` of a URL without arguments, worked out once per process.

    The menu of every page has some twenty links; reversing them on each request was a fixed
    cost every signed-in page paid (bench/changes.md)."""
    return _reversed(viewname, *_key(), False)[0]


def pk_url(viewname: str) -> Callable[[int], str]:
    """``lambda pk: reverse(viewname, args=[pk])`` without a ``reverse()`` per call: the URL is
    reversed once per process and split around a marker id.

    ``{% url %}`` costs tens of microseconds a call; on a page of 300 rows that was a good part of
    its rendering. The URL must take one integer argument (``<int:pk>``), which ``reverse()``
    would write as its decimal digits too.
    """
    before, after = _reversed(viewname, *_key(), True)
    return lambda pk: f"{before}{int(pk)}{after}"


def site_url(path: str = "") -> str:
    """``path`` (from ``reverse()``) as an absolute URL on the site's public address
    (``KYOSO_SITE_URL``), for links read outside a request of this site: calendar feeds, open
    data, e-mails. The request's ``Host`` is not used: it changes with the proxy or name a feed
    was fetched through, and a client can send any."""
    return f"{settings.KYOSO_SITE_URL}{path}"


def site_host() -> str:
    """The host name of ``KYOSO_SITE_URL`` (without port), e.g. for iCalendar UIDs."""
    return urlsplit(settings.KYOSO_SITE_URL).hostname or "localhost"


def webcal_url(path: str) -> str:
    """``site_url(path)`` with the ``webcal://`` scheme calendar apps subscribe to."""
    return "webcal://" + site_url(path).split("://", 1)[1]


def safe_next(request: HttpRequest, fallback: str, *, field: str = "next") -> str:
    r"""Where to go after a form: the request's ``next`` (POST first, then the query string) when
    it is a page of this site, else ``fallback``.

    Every view that honours ``next`` asks here, so that a link or form made by somebody else
    cannot send a signed-in person on to another site (an open redirect: ``//evil.example``,
    ``/\evil.example`` and ``https:evil.example`` are all read by browsers as another host).
    Django's ``url_has_allowed_host_and_scheme`` decides, with HTTPS required when the request
    came over HTTPS, for the value and for its percent-decoded reading (``%2F%2Fevil.example``
    is harmless to a browser, but not to a page that passes it on and decodes it again). A value
    with control characters (a header injection, or a ``/\t/evil`` that browsers read as
    ``//evil``) is refused first.
    """
    candidate = request.POST.get(field) or request.GET.get(field) or ""
    readings = (candidate, unquote(candidate))
    if not candidate or any(unicodedata.category(c)[0] == "C" for c in readings[1]):
        return fallback
    hosts = {request.get_host()}
    secure = request.is_secure()
    if all(url_has_allowed_host_and_scheme(url, hosts, require_https=secure) for url in readings):
        return candidate
    return fallback
