"""Reads of the public catalogue: the search box, the facets and their counts.

Every word of the search box must occur in ``Entry.search_text``, which holds the entry's text as
``consortium.text.search_key`` makes it; the words are made the same way, so one ``LIKE '%…%'``
per word (Django's ``contains``, which escapes ``%`` and ``_``) finds 「波力」 in 「波力発電」,
「はりょく」 in 「ハリョク」 and ｈａｒｂｏｒ in "Harbor" on SQLite and PostgreSQL.

The facets (分野, 団体の区分, 市内・市外, 種類) are counted in one grouped query over the entries
the words match. Each facet's counts apply the other facets' choices but not its own, so a visitor
sees how many entries each alternative would give; the number of results is the sum of the groups
that match every choice, so the page needs no separate ``COUNT``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from consortium.text import search_terms
from members.models import SECTOR_LABELS, Sector

from .models import Category, Entry, EntryImage, EntryKind
from .querysets import EntryQuerySet

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 20
QUERY_MAX_LENGTH = 200
# Facet → the value of the grouped row it reads.
FACET_FIELDS = {
    "category": "category_id",
    "sector": "organisation__sector",
    "local": "organisation__is_local",
    "kind": "kind",
}
LOCAL_CHOICES = [("1", _("市内")), ("0", _("市外"))]


class CatalogueSearchForm(forms.Form):
    """The search box and the facet choices as the query string carries them. A value that is
    not valid (an unknown category, a made-up sector) is left out rather than refused."""

    q = forms.CharField(
        label=_("キーワード"),
        required=False,
        max_length=QUERY_MAX_LENGTH,
        widget=forms.SearchInput,
        help_text=_(
            "スペースで区切った言葉をすべて含むものを探します。"
            "ひらがなとカタカナ、全角と半角は区別しません。"
        ),
    )
    category = forms.TypedChoiceField(label=_("分野"), required=False, coerce=int)
    sector = forms.ChoiceField(label=_("団体の区分"), required=False, choices=Sector.choices)
    local = forms.ChoiceField(label=_("市内・市外"), required=False, choices=LOCAL_CHOICES)
    kind = forms.ChoiceField(label=_("種類"), required=False, choices=EntryKind.choices)

    def __init__(self, *args: Any, categories: list[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = cast(forms.TypedChoiceField, self.fields["category"])
        category.choices = [(c.pk, c.label) for c in categories]

    def choices(self) -> dict[str, object]:
        """The valid, non-empty values: what the entries are filtered by."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        chosen: dict[str, object] = {}
        for name in FACET_FIELDS:
            if name in self.errors or data.get(name) in (None, ""):
                continue
            chosen[name] = data[name] if name != "local" else data[name] == "1"
        return chosen


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    url: str  # the query string that chooses this option (or, when chosen, drops it)


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption]
    clear_url: str = ""  # the query string without this facet, when one of its options is chosen


@dataclass
class CatalogueSearch:
    """One search: the words, the facet choices, the facet counts and the matching entries."""

    form: CatalogueSearchForm
    query: str
    terms: list[str]
    chosen: dict[str, object]
    total: int
    entries: QuerySet[Entry]  # ordered, not yet evaluated: the view pages it
    facets: list[Facet] = field(default_factory=list)

    @property
    def filtered(self) -> bool:
        return bool(self.terms or self.chosen)

    @property
    def chosen_params(self) -> list[tuple[str, str]]:
        """The facet choices as query-string pairs (kept as hidden fields by the search box)."""
        return [(name, _raw(name, value)) for name, value in self.chosen.items()]


class KnownCountPaginator(Paginator):
    """A paginator told the number of objects (the facet query summed it), so it runs no
    ``COUNT`` of its own."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def public_entries() -> EntryQuerySet:
    """Published entries of confirmed organisations: what the public catalogue shows."""
    return Entry.objects.public().filter(organisation__is_confirmed=True)


def matching(terms: list[str], queryset: QuerySet | None = None) -> QuerySet:
    """The entries whose search text holds every term (the terms as ``search_terms`` gives)."""
    queryset = public_entries() if queryset is None else queryset
    for term in terms:
        queryset = queryset.filter(search_text__contains=term)
    return queryset


def _raw(name: str, value: object) -> str:
    """A facet value as the query string writes it."""
    if name == "local":
        return "1" if value else "0"
    return str(value)


def _condition(chosen: Mapping[str, object]) -> Q:
    return Q(**{FACET_FIELDS[name]: value for name, value in chosen.items()})


def listed(queryset: QuerySet) -> QuerySet:
    """What a result list shows of each entry: organisation, category and the images in order
    (the first is the thumbnail), without the long text it does not show."""
    return (
        queryset.select_related("organisation", "category")
        .defer("details", "search_text", "returned_reason")
        .prefetch_related(
            Prefetch("images", queryset=EntryImage.objects.order_by("entry", "order", "pk"))
        )
    )


def _query_string(current: Mapping[str, str], **changes: str | None) -> str:
    """The query string of the current search (its valid values) with ``changes`` (None removes
    a key), always without the page number: choosing a facet starts again at page 1."""
    kept = dict(current)
    for key, value in changes.items():
        if value is None:
            kept.pop(key, None)
        else:
            kept[key] = value
    return "?" + urlencode(kept) if kept else "?"


def _facet_options(
    current: Mapping[str, str],
    name: str,
    counts: dict[object, int],
    options: list[tuple[object, StrOrPromise]],
    chosen: Mapping[str, object],
) -> list[FacetOption]:
    result = []
    for value, label in options:
        selected = name in chosen and chosen[name] == value
        count = counts.get(value, 0)
        if not count and not selected:
            continue
        raw = _raw(name, value)
        url = _query_string(current, **{name: None if selected else raw})
        result.append(FacetOption(raw, str(label), count, selected, url))
    return result


def catalogue_search(
    params: Mapping[str, str], *, categories: list[Category] | None = None
) -> CatalogueSearch:
    """The public catalogue for the query string ``params`` (``q``, ``category``, ``sector``,
    ``local``, ``kind``): facet counts and the total in one grouped query; ``entries`` is the
    ordered queryset of the results, for the caller to page (``KnownCountPaginator``)."""
    if categories is None:
        categories = list(Category.objects.all())
    form = CatalogueSearchForm(params, categories=categories)
    chosen = form.choices()
    query = form.cleaned_data.get("q", "") if "q" not in form.errors else ""
    terms = search_terms(query)
    matched = matching(terms)
    current = {"q": query} if terms else {}
    current |= {name: _raw(name, value) for name, value in chosen.items()}

    groups = list(
        matched.order_by().values(*FACET_FIELDS.values()).annotate(n=Count("pk")).order_by()
    )
    facet_counts: dict[str, dict[object, int]] = {name: {} for name in FACET_FIELDS}
    total = 0
    for row in groups:
        misses = [n for n, value in chosen.items() if row[FACET_FIELDS[n]] != value]
        if not misses:
            total += row["n"]
        for name in FACET_FIELDS:
            # Counted for a facet when every *other* facet's choice matches.
            if not misses or misses == [name]:
                key = row[FACET_FIELDS[name]]
                facet_counts[name][key] = facet_counts[name].get(key, 0) + row["n"]

    option_lists: dict[str, list[tuple[object, StrOrPromise]]] = {
        "category": [(c.pk, c.label) for c in categories],
        "sector": [(value, SECTOR_LABELS[value]) for value in Sector.values],
        "local": [(True, LOCAL_CHOICES[0][1]), (False, LOCAL_CHOICES[1][1])],
        "kind": list(EntryKind.choices),
    }
    facets = [
        Facet(
            name,
            str(form.fields[name].label),
            _facet_options(current, name, facet_counts[name], option_lists[name], chosen),
            _query_string(current, **{name: None}) if name in chosen else "",
        )
        for name in FACET_FIELDS
    ]
    entries = listed(matched.filter(_condition(chosen))) if total else Entry.objects.none()
    return CatalogueSearch(
        form=form,
        query=query,
        terms=terms,
        chosen=chosen,
        total=total,
        facets=facets,
        entries=entries,
    )
