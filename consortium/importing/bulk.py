"""Bulk writes for the imports, with the history (django-simple-history) a row-by-row save keeps.

``create`` is ``bulk_create_with_history``. ``update`` writes changed fields of many rows: on
PostgreSQL one ``UPDATE … FROM (VALUES …)`` statement (Django's ``bulk_update`` builds a CASE
expression per field whose cost grows with the rows), elsewhere Django's ``bulk_update``; then one
insert of the historical rows (``~``). Both take the importing person as the history's user.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils import timezone
from psycopg2.extras import execute_values
from simple_history.utils import bulk_create_with_history

CHUNK = 5000  # rows per VALUES statement


def _user(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def create(objs: Sequence[Any], model: Any, *, user: Any) -> None:
    if objs:
        bulk_create_with_history(
            list(objs), model, default_user=_user(user), default_date=timezone.now()
        )


def update(objs: Sequence[Any], model: Any, fields: Sequence[str], *, user: Any) -> None:
    if not objs or not fields:
        return
    if connection.vendor == "postgresql":
        _update_values(list(objs), model, list(fields))
    else:
        model._default_manager.bulk_update(list(objs), list(fields))
    model.history.bulk_history_create(
        list(objs), update=True, default_user=_user(user), default_date=timezone.now()
    )


def _update_values(objs: list[Any], model: Any, fields: list[str]) -> None:
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(c.column)} = v.{quote(c.column)}" for c in columns)
    names = ", ".join(quote(name) for name in ["id", *(c.column for c in columns)])
    casts = [meta.pk.db_type(connection), *(c.db_type(connection) for c in columns)]
    template = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "
        f"FROM (VALUES %s) AS v({names}) WHERE t.{quote(meta.pk.column)} = v.id"
    )
    rows = [
        (obj.pk, *(c.get_db_prep_save(getattr(obj, c.attname), connection) for c in columns))
        for obj in objs
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            execute_values(
                cursor, sql, rows[start : start + CHUNK], template=template, page_size=CHUNK
            )
