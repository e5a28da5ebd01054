"""The public catalogue: what anyone sees of published entries and of organisations, the 404s
for everything else, and query counts that do not grow with the entries."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.factories import OrganisationFactory, StudyGroupFactory
from tests.projects.catalogue.factories import (
    PDF_BYTES,
    AwardFactory,
    AwardGrantFactory,
    CategoryFactory,
    EntryFactory,
    EntryImageFactory,
)
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

LIST = "projects:catalogue_public_list"
DETAIL = "projects:catalogue_public_detail"
ORGANISATION = "projects:catalogue_organisation"


def _page(client, name, *args, **params):
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_see_published_entries_only(client):
    EntryFactory(published=True, title="波力発電ブイ")
    EntryFactory(title="下書きの装置")
    EntryFactory(submitted=True, title="審査待ちの装置")
    EntryFactory(archived=True, title="公開終了の装置")
    page = _page(client, LIST)
    assert "波力発電ブイ" in page
    for hidden in ("下書きの装置", "審査待ちの装置", "公開終了の装置"):
        assert hidden not in page


def test_a_visitor_finds_a_katakana_word_typed_in_hiragana(client):
    EntryFactory(published=True, title="ハーバーモニタリングシステム", summary="港の監視")
    EntryFactory(published=True, title="風力タービン", summary="陸上の風車", keywords="")
    page = _page(client, LIST, q="もにたりんぐ")
    assert "ハーバーモニタリングシステム" in page and "風力タービン" not in page
    assert "「もにたりんぐ」の検索結果: 1 件" in page
    assert 'value="もにたりんぐ"' in page  # the box keeps what was typed


def test_results_show_kind_category_organisation_summary_and_thumbnail(client):
    organisation = OrganisationFactory(name="湘南ウェーブエナジー株式会社")
    entry = EntryFactory(
        published=True,
        organisation=organisation,
        kind="product",
        category=CategoryFactory(name="テスト海洋"),
        summary="防波堤に付ける小型の発電機。",
    )
    first = EntryImageFactory(entry=entry, order=0, alt="ブイの写真")
    EntryImageFactory(entry=entry, order=1, alt="二枚目の写真")
    page = _page(client, LIST)
    assert "製品" in page and "テスト海洋" in page and "防波堤に付ける小型の発電機。" in page
    assert reverse(ORGANISATION, args=[organisation.pk]) in page
    assert f'src="{reverse("projects:entry_image", args=[first.pk])}" alt="ブイの写真"' in page
    assert "二枚目の写真" not in page  # only the first picture, as the thumbnail


def test_facet_links_narrow_the_results_and_show_counts(client):
    water = CategoryFactory(name="テスト水処理")
    EntryFactory(published=True, title="膜ろ過装置", category=water)
    EntryFactory(published=True, title="波力ブイ")
    page = _page(client, LIST)
    assert f'href="?category={water.pk}">テスト水処理</a> <span class="muted">(1)</span>' in page
    page = _page(client, LIST, category=str(water.pk))
    assert "膜ろ過装置" in page and "波力ブイ" not in page
    assert 'aria-current="true"' in page
    # The search box keeps the chosen facet.
    assert f'<input type="hidden" name="category" value="{water.pk}">' in page


def test_results_are_paged_and_page_links_keep_the_search(client):
    for n in range(25):
        EntryFactory(published=True, title=f"波力装置{n:02d}", title_kana=f"ハリョク{n:02d}")
    first = _page(client, LIST, q="波力")
    assert first.count('class="catalogue-card__title"') == 20
    assert "page=2" in first and "q=%E6%B3%A2%E5%8A%9B" in first
    second = _page(client, LIST, q="波力", page="2")
    assert second.count('class="catalogue-card__title"') == 5
    assert "波力装置24" in second
    assert client.get(reverse(LIST), {"page": "9"}).status_code == 404


def test_nothing_found_says_so(client):
    EntryFactory(published=True)
    page = _page(client, LIST, q="存在しない言葉")
    assert "条件に合う技術・製品・サービスはありません。" in page


def test_entry_page_shows_public_fields_images_brochure_and_related_activities(client):
    group = StudyGroupFactory(name="平塚海洋エネルギー研究会")
    public_project = ProjectFactory(name="波力発電の実証事業", is_public=True)
    private_project = ProjectFactory(name="非公開の事業", is_public=False)
    entry = EntryFactory(
        published=True,
        title="波力発電ブイ",
        title_kana="ハリョクハツデンブイ",
        details="港湾の防波堤に後付けできる。",
        keywords="波力、再生可能エネルギー",
        contact="技術営業部 044-000-0000",
        url="https://example.jp/wave",
        study_groups=[group],
        projects=[public_project, private_project],
    )
    entry.brochure.save("brochure.pdf", ContentFile(PDF_BYTES), save=True)
    image = EntryImageFactory(entry=entry, alt="防波堤に設置したブイ")
    page = _page(client, DETAIL, entry.pk)
    for text in (
        "波力発電ブイ",
        "ハリョクハツデンブイ",
        "港湾の防波堤に後付けできる。",
        "波力、再生可能エネルギー",
        "技術営業部 044-000-0000",
        'href="https://example.jp/wave"',
        f'alt="{image.alt}"',
        reverse("projects:entry_brochure", args=[entry.pk]),
        reverse("members:studygroup_detail", args=[group.pk]),
        reverse(ORGANISATION, args=[entry.organisation_id]),
    ):
        assert text in page
    assert f'href="{reverse("projects:public_detail", args=[public_project.pk])}"' in page
    assert "非公開の事業" in page
    assert reverse("projects:public_detail", args=[private_project.pk]) not in page
    assert "returned_reason" not in page and entry.search_text not in page


def test_the_brochure_and_pictures_of_a_published_entry_are_public(client):
    entry = EntryFactory(published=True)
    entry.brochure.save("brochure.pdf", ContentFile(PDF_BYTES), save=True)
    image = EntryImageFactory(entry=entry)
    assert client.get(reverse("projects:entry_brochure", args=[entry.pk])).status_code == 200
    assert client.get(reverse("projects:entry_image", args=[image.pk])).status_code == 200


@pytest.mark.parametrize("state", [{}, {"submitted": True}, {"archived": True}])
def test_an_unpublished_entry_is_a_404_for_everyone(client_as, state):
    entry = EntryFactory(**state)
    for role in ("anonymous", "member_a", "staff"):
        assert client_as(role).get(reverse(DETAIL, args=[entry.pk])).status_code == 404


def test_a_published_entry_of_an_unconfirmed_organisation_is_a_404(client):
    entry = EntryFactory(published=True, organisation=OrganisationFactory(is_confirmed=False))
    assert client.get(reverse(DETAIL, args=[entry.pk])).status_code == 404


def test_organisation_page_shows_public_fields_and_published_entries(client):
    organisation = OrganisationFactory(
        name="湘南ウェーブエナジー株式会社",
        name_kana="ショウナンウェーブエナジー",
        sector="company",
        is_local=False,
        address="神奈川県藤沢市",
        website="https://wave.example.jp/",
        description="波力発電の装置をつくる会社です。",
        contact="広報部 0466-00-0000",
    )
    EntryFactory(published=True, organisation=organisation, title="波力発電ブイ")
    EntryFactory(organisation=organisation, title="下書きの装置")
    page = _page(client, ORGANISATION, organisation.pk)
    for text in (
        "湘南ウェーブエナジー株式会社",
        "ショウナンウェーブエナジー",
        "企業",
        "市外",
        "神奈川県藤沢市",
        'href="https://wave.example.jp/"',
        "波力発電の装置をつくる会社です。",
        "広報部 0466-00-0000",
        "波力発電ブイ",
        f"?organisation={organisation.pk}",
    ):
        assert text in page
    assert "下書きの装置" not in page
    assert organisation.corporate_number not in page


def test_an_unconfirmed_organisation_has_no_public_page(client):
    organisation = OrganisationFactory(is_confirmed=False)
    assert client.get(reverse(ORGANISATION, args=[organisation.pk])).status_code == 404


def test_home_and_navigation_link_the_catalogue(client):
    page = _page(client, "home")
    assert page.count(f'href="{reverse(LIST)}"') >= 2


def test_the_catalogue_links_its_open_data(client):
    page = _page(client, LIST)
    assert reverse("projects:catalogue_open_data_csv") in page
    assert reverse("projects:catalogue_open_data_json") in page


def test_the_catalogue_in_english(client):
    EntryFactory(published=True, category=CategoryFactory(name="テスト大気", name_en="Test air"))
    client.cookies["django_language"] = "en"
    page = _page(client, LIST)
    assert "Test air" in page
    assert "Technologies, products and services" in page


# --- query counts --------------------------------------------------------------------------------

# Session-less anonymous: the categories, the facet groups (with the total), the page of
# entries with organisation and category, their pictures.
LIST_QUERIES = 4
# The entry with organisation and category, its pictures, study groups, projects, awards.
DETAIL_QUERIES = 5
# The organisation, its entries with category, their pictures.
ORGANISATION_QUERIES = 3


def _entries(n, organisation=None):
    categories = [CategoryFactory(name=f"テスト分野{i}") for i in range(3)]
    organisations = (
        [organisation]
        if organisation
        else [
            OrganisationFactory(sector=sector, is_local=local)
            for sector, local in [("company", True), ("company", False), ("university", True)]
        ]
    )
    for i in range(n):
        entry = EntryFactory(
            published=True,
            organisation=organisations[i % len(organisations)],
            category=categories[i % 3],
            kind=["technology", "product", "service"][i % 3],
            title=f"波力ブイ{i}",
        )
        EntryImageFactory(entry=entry)
        EntryImageFactory(entry=entry)


@pytest.mark.parametrize("n", [5, 50])
@pytest.mark.parametrize(
    "params", [{}, {"q": "はりょく ぶい"}, {"q": "波力", "sector": "company", "local": "1"}]
)
def test_catalogue_page_query_count_is_the_same_for_5_and_50_entries(
    client, django_assert_num_queries, n, params
):
    _entries(n)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse(LIST), params)
    assert response.status_code == 200
    # Every third entry is of the local company.
    matching = len(range(0, n, 3)) if "sector" in params else n
    assert response.content.decode().count('class="catalogue-card__title"') == min(matching, 20)


@pytest.mark.parametrize("n", [5, 50])
def test_organisation_page_query_count_is_the_same_for_5_and_50_entries(
    client, django_assert_num_queries, n
):
    organisation = OrganisationFactory()
    _entries(n, organisation)
    with django_assert_num_queries(ORGANISATION_QUERIES):
        response = client.get(reverse(ORGANISATION, args=[organisation.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('class="catalogue-card__title"') == n


@pytest.mark.parametrize("n", [1, 5])
def test_entry_page_query_count_is_the_same_for_1_and_5_images_and_links(
    client, django_assert_num_queries, n
):
    entry = EntryFactory(
        published=True,
        study_groups=[StudyGroupFactory() for _ in range(n)],
        projects=[ProjectFactory(is_public=bool(i % 2)) for i in range(n)],
    )
    for _ in range(n):
        EntryImageFactory(entry=entry)
        AwardGrantFactory(entry=entry, award=AwardFactory(parent=AwardFactory()))
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(reverse(DETAIL, args=[entry.pk]))
    assert response.status_code == 200
