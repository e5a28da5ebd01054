"""The catalogue search finds a word however it was typed, and its facets count what they offer.

Runs on SQLite by default and on PostgreSQL with ``DATABASE_URL`` (the ``LIKE`` of both).
"""

import pytest

from projects.catalogue.search import catalogue_search
from tests.factories import OrganisationFactory
from tests.projects.catalogue.factories import CategoryFactory, EntryFactory

pytestmark = pytest.mark.django_db


def published(title, *, title_kana="", summary="説明", keywords="", **kwargs):
    """A published entry whose searchable text is only what the test gives."""
    if "organisation" not in kwargs:
        kwargs["organisation"] = OrganisationFactory(name="株式会社サンプル", name_kana="サンプル")
    return EntryFactory(
        published=True,
        title=title,
        title_kana=title_kana,
        summary=summary,
        details="",
        keywords=keywords,
        **kwargs,
    )


def found(query, **facets):
    params = {"q": query, **facets} if query is not None else facets
    return {entry.title for entry in catalogue_search(params).entries}


def test_a_kanji_word_is_found_inside_a_longer_one():
    published("波力発電装置")
    published("風力タービン")
    assert found("波力") == {"波力発電装置"}
    assert found("発電") == {"波力発電装置"}


def test_katakana_is_found_by_the_same_word_typed_in_hiragana_and_back():
    published("ハーバーモニタリング", title_kana="ハーバーモニタリング")
    published("はまかぜ通信")
    assert found("もにたりんぐ") == {"ハーバーモニタリング"}
    assert found("ハマカゼ") == {"はまかぜ通信"}


def test_full_width_and_half_width_are_alike():
    published("Harbor Monitor")
    published("ﾓﾆﾀﾘﾝｸﾞ端末")  # half-width katakana, as some old systems type it
    published("ＩｏＴセンサー")
    assert found("ｈａｒｂｏｒ") == {"Harbor Monitor"}
    assert found("モニタリング") == {"ﾓﾆﾀﾘﾝｸﾞ端末"}
    assert found("iot") == {"ＩｏＴセンサー"}


def test_case_does_not_matter():
    published("harbor buoy")
    assert found("HARBOR") == {"harbor buoy"}
    assert found("Buoy") == {"harbor buoy"}


def test_every_word_must_occur_and_a_full_width_space_separates_words():
    published("波力発電ブイ")
    published("波力発電装置")
    published("観測ブイ")
    assert found("波力 ぶい") == {"波力発電ブイ"}
    assert found("ぶい　波力") == {"波力発電ブイ"}  # U+3000 between the words
    assert found("波力 ぶい 風車") == set()


def test_percent_and_underscore_are_literal_characters():
    published("CO2を50%削減する炉")
    published("CO2を50削減")
    published("model_x")
    published("modelax")
    assert found("50%") == {"CO2を50%削減する炉"}
    assert found("%") == {"CO2を50%削減する炉"}
    assert found("l_x") == {"model_x"}
    assert found("_") == {"model_x"}


def test_the_organisation_name_keywords_and_summary_are_searched():
    organisation = OrganisationFactory(name="湘南ウェーブエナジー株式会社", name_kana="ショウナン")
    published("装置A", organisation=organisation)
    published("装置B", keywords="潮流、再生可能エネルギー")
    published("装置C", summary="港の防波堤に付ける")
    assert found("うぇーぶ") == {"装置A"}
    assert found("潮流") == {"装置B"}
    assert found("防波堤") == {"装置C"}


def test_only_published_entries_of_confirmed_organisations_are_found():
    published("波力ブイ公開")
    EntryFactory(title="波力ブイ下書き")
    EntryFactory(title="波力ブイ審査待ち", submitted=True)
    EntryFactory(title="波力ブイ終了", archived=True)
    published("波力ブイ未確認", organisation=OrganisationFactory(is_confirmed=False))
    assert found("波力") == {"波力ブイ公開"}
    assert catalogue_search({}).total == 1


def test_an_empty_or_blank_search_lists_everything():
    published("一")
    published("二")
    assert found("") == {"一", "二"}
    assert found("　 ") == {"一", "二"}


def test_a_too_long_query_is_ignored_rather_than_refused():
    published("一")
    result = catalogue_search({"q": "波" * 201})
    assert result.terms == [] and result.total == 1


@pytest.fixture
def spread():
    """Entries over two categories, two kinds, local/outside companies and a university."""
    energy, water = CategoryFactory(name="テストエネルギー"), CategoryFactory(name="テスト水")
    local = OrganisationFactory(sector="company", is_local=True)
    outside = OrganisationFactory(sector="company", is_local=False)
    university = OrganisationFactory(sector="university", is_local=True)
    for organisation, category, kind, n in [
        (local, energy, "technology", 3),
        (local, water, "product", 1),
        (outside, energy, "product", 2),
        (university, water, "technology", 4),
    ]:
        for _ in range(n):
            published("波力", organisation=organisation, category=category, kind=kind)
    published("対象外", organisation=local, category=energy)  # not matched by the word
    EntryFactory(organisation=local, category=energy)  # a draft: never counted
    return {"energy": energy, "water": water}


def _counts(result, name):
    facet = next(f for f in result.facets if f.name == name)
    return {option.value: option.count for option in facet.options}


def test_facets_count_the_matching_entries(spread):
    result = catalogue_search({"q": "波力"})
    assert result.total == 10
    energy, water = str(spread["energy"].pk), str(spread["water"].pk)
    assert _counts(result, "category") == {energy: 5, water: 5}
    assert _counts(result, "sector") == {"company": 6, "university": 4}
    assert _counts(result, "local") == {"1": 8, "0": 2}
    assert _counts(result, "kind") == {"technology": 7, "product": 3}


def test_a_facets_counts_follow_the_other_choices_but_not_its_own(spread):
    result = catalogue_search({"q": "波力", "sector": "company", "local": "1"})
    assert result.total == 4
    assert {e.organisation.sector for e in result.entries} == {"company"}
    # The sector facet keeps offering the university (local), with its count.
    assert _counts(result, "sector") == {"company": 4, "university": 4}
    assert _counts(result, "local") == {"1": 4, "0": 2}
    assert _counts(result, "kind") == {"technology": 3, "product": 1}
    chosen = next(f for f in result.facets if f.name == "sector")
    company = next(o for o in chosen.options if o.value == "company")
    assert company.selected and "sector" not in company.url and "local=1" in company.url
    assert chosen.clear_url == "?q=%E6%B3%A2%E5%8A%9B&local=1"


def test_a_choice_keeps_the_words_and_starts_again_at_page_one(spread):
    result = catalogue_search({"q": "波力", "page": "3"})
    kind = next(f for f in result.facets if f.name == "kind")
    product = next(o for o in kind.options if o.value == "product")
    assert product.url == "?q=%E6%B3%A2%E5%8A%9B&kind=product"


def test_an_unknown_facet_value_is_left_out(spread):
    result = catalogue_search({"q": "波力", "category": "999999", "sector": "pirates"})
    assert result.chosen == {} and result.total == 10
    assert catalogue_search({"category": "abc", "local": "2", "kind": "x"}).chosen == {}
