"""Rendered page fragments kept in the cache under a key made of everything they show.

``cached_render(template, context, request=…, key=…)`` is ``render_to_string`` whose result is kept
in Django's cache (Redis in production). The caller reads its data as usual and passes what the
fragment shows as ``key`` (rows as tuples, counts, the query string); the language and the
template's source are added here. Any change of data, language or template therefore makes a new
key: nothing has to be invalidated, and an old entry simply expires. What is saved is the
rendering, which on a list of 50 rows with a filter form is most of a request's work.

A cache outage (Redis down) never breaks the page: the cache backend (``consortium/cache.py``)
then answers as an empty cache, so the fragment is rendered as if it were not cached.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping

from django.core.cache import cache
from django.http import HttpRequest
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

TIMEOUT = 300


@functools.cache
def _template_digest(template_name: str) -> str:
    """The template's source, so a deployment that changes it never serves the old HTML."""
    template = get_template(template_name)
    if not isinstance(template, DjangoTemplate):  # every Kyoso template is a Django template
        raise TypeError(f"{template_name} is not a Django template")
    source = template.template.source
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def fragment_key(template_name: str, key: object) -> str:
    parts = (_template_digest(template_name), get_language(), key)
    return f"fragment:{template_name}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"


def cached_render(
    template_name: str,
    context: Mapping | Callable[[], Mapping],
    *,
    request: HttpRequest,
    key: object,
    timeout: int = TIMEOUT,
) -> SafeString:
    """``render_to_string(template_name, context, request=request)``, from the cache when a
    fragment with the same ``key`` (plus language and template source) was rendered before.

    ``key`` must hold, as plain values with a stable ``repr`` (tuples, strings, numbers), every
    piece of data the fragment shows (or a version that changes with it); anything left out
    could be shown stale. ``context`` may be a function, called only when the fragment has to
    be rendered (when reading its data is the expensive part).
    """
    cache_key = fragment_key(template_name, key)
    html = cache.get(cache_key)
    if html is not None:
        return mark_safe(html)  # our own rendering, stored as rendered
    if callable(context):
        context = context()
    html = render_to_string(template_name, context, request=request)
    cache.set(cache_key, str(html), timeout)
    return html
