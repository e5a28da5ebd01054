"""The 変更履歴 (change history) staff see on an object's page, read from django-simple-history.

``recent_changes`` takes historical querysets (e.g. ``Funding.history.filter(project_id=…)``) and
returns the newest changes first: when, who, what happened and which fields changed from what to
what. Each queryset is read in one query (all its history rows, so each change can be compared
with the row before it without a query per row); the page shows the newest ``limit``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

# A page never needs more than this many rows of one history to show its newest changes.
MAX_ROWS = 1000

ACTIONS = {"+": _("作成"), "~": _("変更"), "-": _("削除")}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class Change:
    when: dt.datetime
    who: str
    action: str
    subject: str
    fields: list[FieldChange] = field(default_factory=list)


def _display(record, model_field: models.Field) -> str:
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("はい") if value else _("いいえ"))
    if isinstance(value, int) and not isinstance(model_field, models.ForeignKey):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    return str(value)


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return "—"
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def _field_changes(record, previous) -> list[FieldChange]:
    changes = []
    for model_field in record.tracked_fields:
        if not model_field.editable or model_field.primary_key:
            continue
        if getattr(record, model_field.attname) == getattr(previous, model_field.attname):
            continue
        if isinstance(model_field, models.ForeignKey):
            old = new = ""  # which row it points to is shown by the subject
        else:
            old, new = _display(previous, model_field), _display(record, model_field)
        changes.append(FieldChange(str(model_field.verbose_name), old, new))
    return changes


def recent_changes(
    *histories: tuple[models.QuerySet, Callable[[Any], str]], limit: int = 30
) -> list[Change]:
    """Newest changes first over ``(historical queryset, describe)`` pairs.

    ``describe(record)`` names the changed record for a reader (select the related rows it uses
    on the queryset). Changes recorded by an import without a user show "—" as who.
    """
    changes: list[Change] = []
    for queryset, describe in histories:
        records = list(
            queryset.select_related("history_user__person").order_by("-history_date")[:MAX_ROWS]
        )
        records.reverse()
        last_of: dict[object, object] = {}
        for record in records:
            object_id = record.instance_type._meta.pk.attname
            key = getattr(record, object_id)
            previous = last_of.get(key)
            fields = (
                _field_changes(record, previous)
                if record.history_type == "~" and previous is not None
                else []
            )
            last_of[key] = record
            if record.history_type == "~" and previous is not None and not fields:
                continue  # saved without a change: nothing for a reader
            changes.append(
                Change(
                    when=record.history_date,
                    who=_who(record),
                    action=str(ACTIONS.get(record.history_type, record.history_type)),
                    subject=describe(record),
                    fields=fields,
                )
            )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]
