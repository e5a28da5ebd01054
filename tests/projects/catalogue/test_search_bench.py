"""The catalogue bench row on a small data set: it writes, searches and removes only its rows."""

import pytest

from bench import catalogue
from projects.catalogue.models import Entry
from tests.projects.catalogue.factories import EntryFactory

pytestmark = pytest.mark.django_db


def test_bench_entries_are_found_by_every_search_and_removed_afterwards():
    kept = EntryFactory(published=True, title="本物の波力ブイ")
    created = catalogue.write_entries(300, seed=3)
    assert created  # the test database has too few organisations: the bench made its own
    assert Entry.objects.public().count() == 301
    counts = set()
    for query, facets in catalogue.SEARCHES:
        _elapsed, queries, total = catalogue.search_once(catalogue._params(query, facets))
        if total:
            counts.add(queries)
    assert len(counts) == 1  # the same queries for every search that finds something
    _elapsed, _queries, total = catalogue.search_once({"q": "もにたりんぐ"})
    assert 0 < total < 301
    catalogue.delete_entries(created)
    assert list(Entry.objects.all()) == [kept]
    assert kept.organisation.__class__.objects.filter(pk__in=created).count() == 0
