"""``{% page_url n %}``: the current page's query string with ``page=n`` (filters kept)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    request = context.get("request")
    query = request.GET.copy() if request is not None else None
    if query is None:
        return f"?page={int(number)}"
    query["page"] = str(int(number))
    return "?" + query.urlencode()
