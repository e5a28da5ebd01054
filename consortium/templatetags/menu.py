"""``{% menu %}…{% endmenu %}``: the site menu, with ``aria-current`` on the item for this page.

The item whose address is the longest prefix of the request's path is the current one:
``aria-current="page"`` when it is this very page, ``"true"`` when this page lies under it (a
meeting's page under 会議). Only the menu's own ``<a href="/…">`` are looked at.
"""

from __future__ import annotations

import re

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_LINK = re.compile(r'<a href="(/[^"]*)"')


def mark_current(html: str, path: str) -> str:
    hrefs = [href for href in _LINK.findall(html) if href != "/" and path.startswith(href)]
    if not hrefs:
        return html
    current = max(hrefs, key=len)
    value = "page" if current == path else "true"
    return html.replace(f'<a href="{current}"', f'<a href="{current}" aria-current="{value}"', 1)


class MenuNode(template.Node):
    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        html = self.nodelist.render(context)
        request = context.get("request")
        return mark_safe(mark_current(html, request.path) if request is not None else html)  # noqa: S308 - our own template's output


@register.tag
def menu(parser: template.base.Parser, token: template.base.Token) -> MenuNode:
    nodelist = parser.parse(("endmenu",))
    parser.delete_first_token()
    return MenuNode(nodelist)
