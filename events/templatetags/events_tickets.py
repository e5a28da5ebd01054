"""``{% ticket_qr registration %}`` and ``{% qr_code data label %}``: QR codes as inline SVG with
``role="img"`` and an accessible label.

The SVG comes from segno (``events.tickets.qr_svg``), which escapes its ``<title>``.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ..models import PublicRegistration, Registration
from ..tickets import qr_svg, ticket_payload

register = template.Library()


def _figure(css_class: str, label: str, svg: str) -> SafeString:
    # The <svg> itself is the image (one element for screen readers, named by the label).
    named = svg.replace("<svg ", format_html('<svg role="img" aria-label="{}" ', label), 1)
    return format_html('<div class="{}">{}</div>', css_class, mark_safe(named))


@register.simple_tag
def ticket_qr(registration: Registration | PublicRegistration) -> SafeString:
    """The ticket (受付票) of a member's or a citizen's registration."""
    name = (
        registration.name
        if isinstance(registration, PublicRegistration)
        else registration.person.name
    )
    label = _("受付票：%(name)s（%(title)s）") % {
        "name": name,
        "title": registration.meeting.title,
    }
    svg = qr_svg(ticket_payload(registration.ticket_token), scale=4, title=label)
    return _figure("ticket__qr", label, svg)


@register.simple_tag
def qr_code(data: str, label: str) -> SafeString:
    return _figure("qr", label, qr_svg(data, scale=8, title=label))
