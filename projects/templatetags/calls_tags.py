"""Template helpers of 公募: dates with 和暦 and JST time, the call's state, the count-down."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import get_language, gettext, gettext_lazy

from consortium import fiscal

from ..calls.models import CallStatus

register = template.Library()


@register.filter
def jst(value: dt.datetime | None) -> str:
    """令和8年5月1日（金）17:00 in Japanese, Fri 1 May 2026, 17:00 JST in English."""
    if value is None or value == "":
        return ""
    local = timezone.localtime(value)
    if (get_language() or "ja").startswith("ja"):
        return f"{fiscal.date_ja(local)}{local:%H:%M}"
    return f"{fiscal.date_en(local)}, {local:%H:%M} JST"


def call_state(call, now: dt.datetime | None = None) -> str:
    """What a visitor sees of a call: draft, upcoming, open, closed or decided."""
    now = now or timezone.now()
    if call.status in (CallStatus.DRAFT, CallStatus.DECIDED, CallStatus.CLOSED):
        return call.status
    if now < call.opens_at:
        return "upcoming"
    return "open" if now < call.closes_at else "closed"


@register.filter(name="call_state")
def call_state_filter(call) -> str:
    return call_state(call)


def time_left(deadline: dt.datetime, now: dt.datetime | None = None) -> str:
    """締切まであと3日 4時間 (or あと4時間 12分 on the last day); empty once it has passed."""
    now = now or timezone.now()
    seconds = int((deadline - now).total_seconds())
    if seconds <= 0:
        return ""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = max(rest // 60, 0)
    if days:
        return gettext("締切まであと%(days)s日 %(hours)s時間") % {"days": days, "hours": hours}
    if hours:
        return gettext("締切まであと%(hours)s時間 %(minutes)s分") % {
            "hours": hours,
            "minutes": minutes,
        }
    return gettext("締切まであと%(minutes)s分") % {"minutes": max(minutes, 1)}


@register.filter
def countdown(deadline: dt.datetime | None) -> str:
    return "" if deadline is None else time_left(deadline)


@register.filter
def yen_ja(amount) -> str:
    """1,000,000円 (an unknown amount is empty)."""
    if amount is None or amount == "":
        return ""
    return gettext("%(amount)s円") % {"amount": f"{int(amount):,}"}


@register.simple_tag
def countdown_attrs(deadline: dt.datetime) -> str:
    """Data attributes for ``static/js/calls.js``, which keeps the count-down current in the
    browser: the deadline and the same sentences as ``time_left`` with {d} {h} {m} slots."""
    formats = {
        "data-deadline": deadline.astimezone(dt.UTC).isoformat(),
        "data-days": gettext("締切まであと%(days)s日 %(hours)s時間")
        % {"days": "{d}", "hours": "{h}"},
        "data-hours": gettext("締切まであと%(hours)s時間 %(minutes)s分")
        % {"hours": "{h}", "minutes": "{m}"},
        "data-minutes": gettext("締切まであと%(minutes)s分") % {"minutes": "{m}"},
        "data-closed": gettext("締切を過ぎました"),
    }
    return format_html_join(" ", '{}="{}"', formats.items())


@register.simple_tag
def list_separator() -> str:
    """Between the items of a list in running text: 、 in Japanese, a comma in English."""
    return gettext("、")


@register.filter
def joined_names(objects) -> str:
    """The ``name`` of each object, joined as a list in running text (A、B / A, B)."""
    return gettext("、").join(str(obj.name) for obj in objects)


@register.simple_tag
def range_text(start, end) -> str:
    """A period, 「start 〜 end」 in Japanese (either end may be empty)."""
    return gettext("%(start)s 〜 %(end)s") % {"start": start, "end": end}


@register.simple_tag
def parenthesised(text) -> str:
    """A note after a word, in full-width brackets in Japanese and half-width in English."""
    return gettext("（%(text)s）") % {"text": text} if text else ""


@register.filter
def sector_labels(values) -> list[str]:
    """The labels of a call's ``eligible_sectors`` in the order of ``Sector``."""
    from members.models import Sector

    chosen = set(values or [])
    return [str(label) for value, label in Sector.choices if value in chosen]


STATE_LABELS = {
    "draft": gettext_lazy("下書き"),
    "upcoming": gettext_lazy("募集開始前"),
    "open": gettext_lazy("受付中"),
    "closed": gettext_lazy("締切"),
    "decided": gettext_lazy("結果公表"),
}
STATE_BADGES = {"open": "badge--ok", "upcoming": "badge--warn", "draft": "badge--warn"}


@register.inclusion_tag("projects/calls/_state_badge.html")
def state_badge(state: str) -> dict:
    return {"label": STATE_LABELS.get(state, state), "modifier": STATE_BADGES.get(state, "")}
