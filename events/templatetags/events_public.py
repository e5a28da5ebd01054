"""``{% public_sheet_registrations meeting as citizens %}``: the citizens' registrations of the
attendance sheet's 「一般参加者」 section (``templates/events/_sheet_public.html``), read where the
section is drawn so that the sheet's view needs no change for it. One query, public meetings only.
"""

from __future__ import annotations

from django import template

from consortium.text import search_key

from ..models import PublicRegistration, Visibility
from ..querysets import public_sheet_registrations as confirmed

register = template.Library()


@register.simple_tag
def public_sheet_registrations(meeting) -> list[PublicRegistration]:
    if meeting.visibility != Visibility.PUBLIC:
        return []
    return list(confirmed(meeting))


@register.filter
def citizen_search_key(registration: PublicRegistration) -> str:
    """What the sheet's search box compares a citizen's row with (static/js/sheet.js): name,
    kana and affiliation as ``search_key`` folds them, each also without spaces."""
    keys = []
    for text in (registration.name, registration.name_kana, registration.affiliation):
        key = search_key(text)
        if key:
            keys += [key, key.replace(" ", "")] if " " in key else [key]
    return " ".join(keys)
