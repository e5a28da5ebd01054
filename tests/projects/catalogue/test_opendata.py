"""The catalogue as open data: the bytes of the CSV and the JSON a program downloads."""

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse

from projects.catalogue import opendata
from tests.factories import OrganisationFactory
from tests.projects.catalogue.factories import CategoryFactory, EntryFactory

pytestmark = pytest.mark.django_db

CSV_URL = "projects:catalogue_open_data_csv"
JSON_URL = "projects:catalogue_open_data_json"
HEADER = (
    "ID,名称,名称カナ,種類,分野,団体名,団体名カナ,区分,市内・市外,概要,キーワード,"
    "問い合わせ先,URL,掲載ページ,公開日,更新日"
)
TOKYO = dt.timezone(dt.timedelta(hours=9))


@pytest.fixture
def entry():
    organisation = OrganisationFactory(
        name="湘南ウェーブエナジー株式会社",
        name_kana="ショウナン",
        sector="company",
        is_local=False,
    )
    return EntryFactory(
        published=True,
        organisation=organisation,
        kind="product",
        category=CategoryFactory(name="テスト海洋", name_en="Test ocean"),
        title='波力ブイ "うみかぜ", 改良型',
        title_kana="ハリョクブイ",
        summary="=1+1 で始まる概要も、そのまま載せる。",
        keywords="波力、ブイ　再生可能エネルギー,海洋",
        contact="技術営業部 044-000-0000",
        url="https://example.jp/wave",
        # 2026-03-31 23:30 in Tokyo is still the 31st there (the 31st 14:30 UTC).
        published_at=dt.datetime(2026, 3, 31, 23, 30, tzinfo=TOKYO),
        updated_at=dt.datetime(2026, 4, 1, 0, 10, tzinfo=TOKYO),
    )


def test_csv_is_utf8_with_bom_crlf_and_the_stable_header(client, entry):
    EntryFactory(title="下書きの装置")
    response = client.get(reverse(CSV_URL))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="catalogue.csv"'
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n")
    assert body.endswith(b"\r\n") and body.count(b"\r\n") == 2  # header and one entry
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADER.split(",")
    assert rows[1] == [
        str(entry.pk),
        '波力ブイ "うみかぜ", 改良型',
        "ハリョクブイ",
        "製品",
        "テスト海洋",
        "湘南ウェーブエナジー株式会社",
        "ショウナン",
        "企業",
        "市外",
        "=1+1 で始まる概要も、そのまま載せる。",  # open data: no apostrophe before a formula
        "波力、ブイ　再生可能エネルギー,海洋",
        "技術営業部 044-000-0000",
        "https://example.jp/wave",
        f"http://testserver{reverse('projects:catalogue_public_detail', args=[entry.pk])}",
        "2026-03-31",
        "2026-04-01",
    ]
    # The comma and the quotes of the title are quoted as CSV wants.
    assert '"波力ブイ ""うみかぜ"", 改良型"'.encode() in body
    assert "下書きの装置".encode() not in body


def test_csv_labels_stay_japanese_when_the_visitor_reads_english(client, entry):
    client.cookies["django_language"] = "en"
    body = client.get(reverse(CSV_URL)).content.decode("utf-8-sig")
    assert body.startswith(HEADER + "\r\n")
    assert ",製品,テスト海洋," in body and ",企業,市外," in body


def test_json_is_a_list_of_objects_with_stable_english_keys(client, entry):
    EntryFactory(archived=True)
    response = client.get(reverse(JSON_URL))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert not response.content.startswith(b"\xef\xbb\xbf")
    assert "湘南ウェーブエナジー".encode() in response.content  # UTF-8, not \\u escapes
    items = json.loads(response.content.decode("utf-8"))
    assert isinstance(items, list) and len(items) == 1
    assert list(items[0]) == opendata.JSON_KEYS
    assert items[0] | {"page_url": None} == {
        "id": entry.pk,
        "title": '波力ブイ "うみかぜ", 改良型',
        "title_kana": "ハリョクブイ",
        "kind": "製品",
        "kind_code": "product",
        "category": "テスト海洋",
        "category_en": "Test ocean",
        "organisation": "湘南ウェーブエナジー株式会社",
        "organisation_kana": "ショウナン",
        "sector": "企業",
        "sector_code": "company",
        "local": "市外",
        "is_local": False,
        "summary": "=1+1 で始まる概要も、そのまま載せる。",
        "keywords": "波力、ブイ　再生可能エネルギー,海洋",
        "keyword_list": ["波力", "ブイ", "再生可能エネルギー", "海洋"],
        "contact": "技術営業部 044-000-0000",
        "url": "https://example.jp/wave",
        "page_url": None,
        "published_on": "2026-03-31",
        "updated_on": "2026-04-01",
    }
    assert items[0]["page_url"].endswith(f"/catalogue/{entry.pk}/")


def test_every_csv_column_has_a_json_key():
    assert [c.key for c in opendata.COLUMNS] == [
        k for k in opendata.JSON_KEYS if k in {c.key for c in opendata.COLUMNS}
    ]


def test_one_organisations_entries(client, entry):
    other = EntryFactory(published=True, title="別団体の装置")
    url = reverse(JSON_URL) + f"?organisation={entry.organisation_id}"
    response = client.get(url)
    assert [item["id"] for item in json.loads(response.content)] == [entry.pk]
    assert f'filename="catalogue_{entry.organisation_id}.json"' in response["Content-Disposition"]
    body = client.get(reverse(CSV_URL), {"organisation": other.organisation_id}).content
    assert "別団体の装置".encode() in body and "うみかぜ".encode() not in body


@pytest.mark.parametrize("value", ["abc", "", "²", "999999"])
def test_an_unknown_organisation_is_a_404(client, value):
    assert client.get(reverse(CSV_URL), {"organisation": value}).status_code == 404


def test_an_unconfirmed_organisation_has_no_open_data(client):
    organisation = OrganisationFactory(is_confirmed=False)
    EntryFactory(published=True, organisation=organisation)
    response = client.get(reverse(JSON_URL), {"organisation": organisation.pk})
    assert response.status_code == 404
    assert json.loads(client.get(reverse(JSON_URL)).content) == []


def test_an_empty_catalogue_is_a_header_and_an_empty_list(client):
    assert client.get(reverse(CSV_URL)).content == b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n"
    assert client.get(reverse(JSON_URL)).content == b"[]"


@pytest.mark.parametrize("n", [1, 20])
def test_open_data_query_count_is_the_same_for_1_and_20_entries(
    client, django_assert_num_queries, n
):
    for _ in range(n):
        EntryFactory(published=True)
    for name in (CSV_URL, JSON_URL):
        with django_assert_num_queries(1):
            assert client.get(reverse(name)).status_code == 200
