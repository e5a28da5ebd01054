"""The organisation directory: what a row shows, and its cached body never showing stale data.

The body (filter form, rows, pages) is cached under a key made of everything it shows, so each
change below must be on the very next request, with no invalidation step in between.
"""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from members import services
from members.models import Organisation, StudyGroup
from members.querysets import study_group_names
from tests.members.factories import MembershipFactory, OrganisationFactory, StudyGroupFactory

pytestmark = pytest.mark.django_db

URL = reverse("members:organisation_list")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _row(page: str, name: str) -> str:
    """The <tr> of the organisation called ``name``."""
    for row in re.findall(r"<tr>.*?</tr>", page, flags=re.S):
        if f">{name}</a>" in row:
            return row
    raise AssertionError(f"no row for {name}")


def _get(client, url=URL, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_row_shows_the_organisation_and_its_current_groups_in_group_order(
    client_as, study_group, org_a
):
    second = StudyGroupFactory(name="第2部会", parent=study_group, order=2)
    first = StudyGroupFactory(name="第1部会", parent=study_group, order=1)
    MembershipFactory(organisation=org_a, study_group=second)
    MembershipFactory(organisation=org_a, study_group=first)
    ended = StudyGroupFactory(name="解散した研究会")
    MembershipFactory(
        organisation=org_a,
        study_group=ended,
        joined_on=dt.date(2020, 4, 1),
        left_on=dt.date(2021, 3, 31),
    )
    row = _row(_get(client_as("staff")), "株式会社Aマリン")
    assert f'href="{reverse("members:organisation_detail", args=[org_a.pk])}"' in row
    assert "エーマリン" in row and "企業" in row and "市内" in row
    # Membership order (group order, then name); the ended membership is not shown.
    assert (
        "平塚海洋エネルギー研究会<br>平塚海洋エネルギー研究会/第1部会<br>平塚海洋エネルギー研究会/第2部会"
        in row
    )
    assert "解散した研究会" not in row


def test_the_filter_lists_groups_in_the_order_the_database_sorts_them(db):
    """Parents' order first (top-level groups have none: the database decides where those go),
    then order and name; the names and both orders come from one read without joins."""
    wind = StudyGroupFactory(name="洋上風力研究会", order=2)
    tide = StudyGroupFactory(name="潮流研究会", order=1)
    wave = StudyGroupFactory(name="Wave研究会", order=2)
    StudyGroupFactory(name="第2部会", parent=wind, order=1)
    StudyGroupFactory(name="第1部会", parent=wind, order=1)
    StudyGroupFactory(name="第3部会", parent=tide, order=0)
    StudyGroupFactory(name="第1部会", parent=wave, order=5)
    expected = [
        (group.pk, group.full_name)
        for group in StudyGroup.objects.with_family().order_by("parent__order", "order", "name")
    ]
    names = study_group_names()
    assert names.choices == expected
    assert sorted(names.full_names.values()) == sorted(label for _pk, label in expected)


def test_an_organisation_without_groups_shows_a_dash_and_the_unconfirmed_badge(client_as):
    OrganisationFactory(name="新設団体", is_confirmed=False, is_local=False, corporate_number="")
    row = _row(_get(client_as("staff")), "新設団体")
    assert "未確認" in row and "市外" in row
    assert row.count("<td>—</td>") == 2  # no 法人番号, no groups


def test_a_confirmed_organisation_shows_at_once(client_as, org_a):
    org_a.is_confirmed = False
    org_a.save()
    client = client_as("staff")
    assert "未確認" in _row(_get(client), "株式会社Aマリン")
    services.organisation_confirm(organisation=org_a)
    assert "未確認" not in _row(_get(client), "株式会社Aマリン")


def test_a_change_made_without_signals_shows_at_once(client_as, org_a):
    client = client_as("staff")
    _get(client)
    # A bulk update sends no signal: only a key made of the data itself can notice it.
    Organisation.objects.filter(pk=org_a.pk).update(name="株式会社Aマリン改", sector="university")
    row = _row(_get(client), "株式会社Aマリン改")
    assert "大学・研究機関" in row


def test_a_renamed_study_group_shows_at_once_in_rows_and_filter(client_as, study_group):
    empty = StudyGroupFactory(name="新しい研究会")  # in the filter only: nobody belongs yet
    client = client_as("staff")
    assert "平塚海洋エネルギー研究会" in _get(client)
    StudyGroup.objects.filter(pk=empty.pk).update(name="洋上風力研究会")
    page = _get(client)
    assert f'<option value="{empty.pk}">洋上風力研究会</option>' in page
    StudyGroup.objects.filter(pk=study_group.pk).update(name="湘南海洋エネルギー研究会")
    page = _get(client)
    assert "平塚海洋エネルギー研究会" not in page
    assert f'<option value="{study_group.pk}">湘南海洋エネルギー研究会</option>' in page
    assert "湘南海洋エネルギー研究会</td>" in _row(page, "株式会社Aマリン")


def test_an_ended_membership_leaves_the_row_at_once(client_as, study_group, org_a):
    client = client_as("staff")
    assert "平塚海洋エネルギー研究会" in _row(_get(client), "株式会社Aマリン")
    membership = org_a.memberships.get(study_group=study_group)
    services.membership_end(membership=membership, left_on=dt.date.today())
    assert "平塚海洋エネルギー研究会" not in _row(_get(client), "株式会社Aマリン")


def test_a_new_organisation_changes_the_count_at_once(client_as):
    client = client_as("staff")
    assert "2 件" in _get(client)
    OrganisationFactory(name="C商事")
    assert "3 件" in _get(client)


def test_filters_pages_and_languages_are_cached_apart(client_as, study_group, org_a, org_b):
    client = client_as("staff")
    assert "B電機株式会社" not in _get(client, URL + "?is_local=1")
    assert "B電機株式会社" in _get(client, URL + "?is_local=0")
    english = _get(client, HTTP_ACCEPT_LANGUAGE="en")
    assert "Directory" in english and "団体名簿" not in english
    assert "団体名簿" in _get(client)


def test_an_unknown_study_group_is_an_error_not_an_empty_list(client_as):
    page = _get(client_as("staff"), URL + "?study_group=999999")
    assert 'aria-invalid="true"' in page
    assert "0 件" in page


def test_the_page_works_when_the_cache_is_down(client_as, org_a, settings):
    """Redis gone (a closed port): the cache answers as an empty one (consortium/cache.py)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "consortium.cache.TolerantRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    assert "株式会社Aマリン" in _get(client_as("staff"))


def test_a_warm_page_costs_the_same_queries_as_a_cold_one(
    client_as, study_group, org_a, django_assert_num_queries
):
    client = client_as("staff")
    client.get(URL)  # warm the session
    cache.clear()
    # session, user with person, groups, pending requests (menu), count, page, memberships,
    # study groups
    with django_assert_num_queries(8):
        cold = _get(client)
    with django_assert_num_queries(8):
        warm = _get(client)
    assert _main(warm) == _main(cold)


def _main(page: str) -> str:
    return page.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def test_the_body_is_rendered_once_for_the_same_data(client_as, org_a):
    client = client_as("staff")
    body = "members/_organisation_list_body.html"
    assert body in [t.name for t in client.get(URL).templates]
    assert body not in [t.name for t in client.get(URL).templates]  # served from the cache
    org_a.name_kana = "エーマリンカイ"
    org_a.save()
    assert body in [t.name for t in client.get(URL).templates]


def test_groups_changed_back_and_forth_show_as_they_are_each_time(client_as, study_group):
    """The groups are known to a process by a digest of their rows: a rename, a reorder or a
    move made by ``update()`` and then undone shows each state, and names that differ only in
    commas or quotes do not share a digest."""
    wind = StudyGroupFactory(name='風力,"研究会"', order=3)
    tide = StudyGroupFactory(name="潮流研究会", order=4)
    client = client_as("staff")

    def options(page: str) -> list[str]:
        select = page.split('name="study_group"', 1)[1].split("</select>", 1)[0]
        return re.findall(r'<option value="\d+">([^<]*)</option>', select)

    start = options(_get(client))
    assert start.index("潮流研究会") > start.index("風力,&quot;研究会&quot;")
    for change, undo in (
        ({"name": "潮汐研究会"}, {"name": "潮流研究会"}),
        ({"order": 0}, {"order": 4}),
        ({"parent": wind}, {"parent": None}),
    ):
        StudyGroup.objects.filter(pk=tide.pk).update(**change)
        changed = options(_get(client))
        assert changed != start
        StudyGroup.objects.filter(pk=tide.pk).update(**undo)
        assert options(_get(client)) == start
    StudyGroup.objects.filter(pk=wind.pk).update(
        name='風力,"研究会',
    )
    StudyGroup.objects.filter(pk=tide.pk).update(name='"潮流研究会')
    assert options(_get(client)) != start
