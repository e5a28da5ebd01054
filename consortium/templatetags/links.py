"""``{% link 'app:name' %}`` and ``{% link 'app:name' obj.pk %}``: ``{% url %}`` for the menu and
for long lists, reversed once per process (``consortium.links``). Built in to every template.

Only for URLs without arguments or with one integer (``<int:pk>``); anything else keeps
``{% url %}``.
"""

from __future__ import annotations

from django import template

from consortium.links import cached_url, pk_url

register = template.Library()


@register.simple_tag
def link(viewname: str, pk: int | None = None) -> str:
    if pk is None:
        return cached_url(viewname)
    return pk_url(viewname)(pk)
