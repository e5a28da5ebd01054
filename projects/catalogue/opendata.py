"""The published catalogue as open data: CSV (UTF-8 with BOM, CRLF) and JSON (docs/open-data.md).

The columns and keys are stable: a program reading the files today must read them next year.
CSV headers are Japanese (the layout of the municipal open-data templates), JSON keys English;
both carry the same values. Text is published exactly as recorded, without the apostrophe that
Kyoso's other CSV exports put before a leading ``= + - @`` (see docs/open-data.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone, translation

from consortium import csv_out
from consortium.links import pk_url
from members.models import Sector

from .models import EntryKind
from .search import public_entries


@dataclass(frozen=True)
class Column:
    key: str  # the JSON key
    header: str  # the CSV header (Japanese, never translated: it is part of the format)


COLUMNS = [
    Column("id", "ID"),
    Column("title", "名称"),
    Column("title_kana", "名称カナ"),
    Column("kind", "種類"),
    Column("category", "分野"),
    Column("organisation", "団体名"),
    Column("organisation_kana", "団体名カナ"),
    Column("sector", "区分"),
    Column("local", "市内・市外"),
    Column("summary", "概要"),
    Column("keywords", "キーワード"),
    Column("contact", "問い合わせ先"),
    Column("url", "URL"),
    Column("page_url", "掲載ページ"),
    Column("published_on", "公開日"),
    Column("updated_on", "更新日"),
]
HEADER = [column.header for column in COLUMNS]
# Keywords are typed separated by 読点, commas or spaces (the field's help text).
_KEYWORD_SEPARATORS = re.compile(r"[、,，;；\s]+")
CHUNK = 2000


def split_keywords(text: str) -> list[str]:
    return [word for word in _KEYWORD_SEPARATORS.split(text or "") if word]


def _local_date(value) -> str:
    return timezone.localtime(value).date().isoformat() if value else ""


def entries(organisation_id: int | None = None) -> QuerySet:
    """What the files list: the public catalogue (of one organisation), oldest entry first so
    that rows keep their place between downloads."""
    queryset = public_entries().select_related("organisation", "category").order_by("pk")
    if organisation_id is not None:
        queryset = queryset.filter(organisation_id=organisation_id)
    return queryset.defer("details", "search_text", "returned_reason")


def records(base_url: str, organisation_id: int | None = None) -> Iterator[dict[str, object]]:
    """One dict per entry, keyed by ``Column.key``; labels in Japanese (the data's language),
    codes where a program wants them (``kind_code``, ``sector_code``, ``is_local``).
    ``base_url`` is the site's scheme and host, for the absolute ``page_url``."""
    with translation.override("ja"):
        kinds = {value: str(label) for value, label in EntryKind.choices}
        sectors = {value: str(label) for value, label in Sector.choices}
    page = pk_url("projects:catalogue_public_detail")
    for entry in entries(organisation_id).iterator(chunk_size=CHUNK):
        organisation = entry.organisation
        yield {
            "id": entry.pk,
            "title": entry.title,
            "title_kana": entry.title_kana,
            "kind": kinds.get(entry.kind, entry.kind),
            "kind_code": entry.kind,
            "category": entry.category.name,
            "category_en": entry.category.name_en,
            "organisation": organisation.name,
            "organisation_kana": organisation.name_kana,
            "sector": sectors.get(organisation.sector, organisation.sector),
            "sector_code": organisation.sector,
            "local": "市内" if organisation.is_local else "市外",
            "is_local": organisation.is_local,
            "summary": entry.summary,
            "keywords": entry.keywords,
            "keyword_list": split_keywords(entry.keywords),
            "contact": entry.contact,
            "url": entry.url,
            "page_url": base_url + page(entry.pk),
            "published_on": _local_date(entry.published_at),
            "updated_on": _local_date(entry.updated_at),
        }


def csv_bytes(base_url: str, organisation_id: int | None = None) -> bytes:
    """The CSV file: a BOM (Excel reads UTF-8 with it), the header, CRLF line ends, every
    value quoted only where CSV needs it. Built whole before the first byte is sent."""
    rows = (
        [record[column.key] for column in COLUMNS] for record in records(base_url, organisation_id)
    )
    # Open data is read by programs: published as it is, without formula escaping.
    return csv_out.csv_bytes(HEADER, rows, escape_formulas=False)


# The JSON object's keys, in this order: the CSV's columns and the codes beside them.
JSON_KEYS = [
    "id",
    "title",
    "title_kana",
    "kind",
    "kind_code",
    "category",
    "category_en",
    "organisation",
    "organisation_kana",
    "sector",
    "sector_code",
    "local",
    "is_local",
    "summary",
    "keywords",
    "keyword_list",
    "contact",
    "url",
    "page_url",
    "published_on",
    "updated_on",
]


def json_bytes(base_url: str, organisation_id: int | None = None) -> bytes:
    """The JSON file: a list of objects (``JSON_KEYS``), UTF-8 without escapes, no BOM."""
    items = [
        {key: record[key] for key in JSON_KEYS} for record in records(base_url, organisation_id)
    ]
    return json.dumps(items, ensure_ascii=False, indent=1).encode("utf-8")
