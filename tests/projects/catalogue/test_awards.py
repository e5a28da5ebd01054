"""Brands and certifications (認定・ブランド): staff define them and grant them to published
entries in a fiscal year; an entry holds each once; the entry's pages show them; the awards page
counts them per award and year."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from projects.catalogue.models import Award, AwardGrant
from projects.catalogue.services import awards as services
from projects.signals import award_changed, catalogue_changed
from tests.projects.catalogue.factories import AwardFactory, AwardGrantFactory, EntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(people):
    return people["staff"]


@pytest.fixture
def brand():
    return AwardFactory(name="川崎ものづくりブランド", name_en="Kawasaki Monozukuri Brand")


@pytest.fixture
def published(org_a):
    return EntryFactory(organisation=org_a, title="小型波力発電装置", published=True)


def _review(client, entry) -> str:
    response = client.get(reverse("projects:entry_review", args=[entry.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- Services -------------------------------------------------------------------------------


def test_a_grant_is_kept_once_per_entry_and_names_the_first_year(staff, brand, published):
    services.award_grant(award=brand, entry=published, fiscal_year=2023, granted_by=staff)
    with pytest.raises(ValidationError) as error:
        services.award_grant(award=brand, entry=published, fiscal_year=2024, granted_by=staff)
    assert "（令和5年度）に付与済み" in str(error.value)
    assert AwardGrant.objects.filter(entry=published).count() == 1


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_only_published_or_archived_entries_receive_awards(staff, brand, org_a, status):
    entry = EntryFactory(organisation=org_a, **({status: True} if status != "draft" else {}))
    with pytest.raises(ValidationError, match="公開中"):
        services.award_grant(award=brand, entry=entry, fiscal_year=2024, granted_by=staff)
    archived = EntryFactory(organisation=org_a, archived=True)
    services.award_grant(award=brand, entry=archived, fiscal_year=2024, granted_by=staff)


@pytest.mark.parametrize("year", [1988, "next"])
def test_the_fiscal_year_is_between_heisei_1_and_this_year(staff, brand, published, year):
    from consortium.fiscal import current_fiscal_year

    fiscal_year = current_fiscal_year() + 1 if year == "next" else year
    with pytest.raises(ValidationError) as error:
        services.award_grant(
            award=brand, entry=published, fiscal_year=fiscal_year, granted_by=staff
        )
    assert "平成元年度" in str(error.value)


def test_a_member_cannot_grant_or_revoke(people, brand, published):
    member = people["member_a"]
    with pytest.raises(PermissionDenied):
        services.award_grant(award=brand, entry=published, fiscal_year=2024, granted_by=member)
    grant = AwardGrantFactory(award=brand, entry=published)
    with pytest.raises(PermissionDenied):
        services.award_revoke(grant=grant, revoked_by=member)


def test_grants_and_revocations_send_the_years_and_entries_on_commit(
    staff, brand, published, django_capture_on_commit_callbacks
):
    years, entries = [], []

    def on_award(sender, fiscal_years, **kwargs):
        years.append(fiscal_years)

    def on_catalogue(sender, entry_ids, **kwargs):
        entries.append(entry_ids)

    award_changed.connect(on_award)
    catalogue_changed.connect(on_catalogue)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            grant = services.award_grant(
                award=brand, entry=published, fiscal_year=2022, granted_by=staff
            )
        with django_capture_on_commit_callbacks(execute=True):
            services.award_revoke(grant=grant, revoked_by=staff)
    finally:
        award_changed.disconnect(on_award)
        catalogue_changed.disconnect(on_catalogue)
    assert years == [{2022}, {2022}]
    assert entries == [{published.pk}, {published.pk}]


def test_an_award_in_use_or_holding_a_prize_cannot_be_deleted(staff, brand, published):
    prize = AwardFactory(name="ブランド大賞", parent=brand)
    with pytest.raises(ValidationError, match="削除できません"):
        services.award_delete(award=brand, deleted_by=staff)
    AwardGrantFactory(award=prize, entry=published)
    with pytest.raises(ValidationError, match="1件"):
        services.award_delete(award=prize, deleted_by=staff)
    AwardGrant.objects.all().delete()
    services.award_delete(award=prize, deleted_by=staff)
    services.award_delete(award=brand, deleted_by=staff)
    assert not Award.objects.exists()


def test_a_prize_sits_one_level_under_a_brand(staff, brand):
    prize = AwardFactory(name="ブランド大賞", parent=brand)
    deeper = Award(name="大賞の中の賞", parent=prize)
    with pytest.raises(ValidationError, match="上位の認定"):
        services.award_save(award=deeper, saved_by=staff)
    brand.parent = AwardFactory(name="別のブランド")
    with pytest.raises(ValidationError, match="中に賞がある"):
        services.award_save(award=brand, saved_by=staff)


# --- Pages ----------------------------------------------------------------------------------


def test_staff_grant_from_the_entry_page_and_everyone_sees_it(client_as, brand, published):
    prize = AwardFactory(name="ブランド大賞", name_en="Grand Prize", parent=brand)
    staff = client_as("staff")
    page = _review(staff, published)
    assert 'id="awards"' in page and "認定・ブランドを付与" in page
    for award, year in ((brand, 2023), (prize, 2024)):
        response = staff.post(
            reverse("projects:entry_award_grant", args=[published.pk]),
            {"award": award.pk, "fiscal_year": year, "note": "第12回認定"},
            follow=True,
        )
        assert "を付与しました" in response.content.decode()
    public = client_as("anonymous").get(
        reverse("projects:catalogue_public_detail", args=[published.pk])
    )
    html = public.content.decode()
    assert "令和6年度" in html and "川崎ものづくりブランド ブランド大賞" in html
    assert "令和5年度" in html
    assert "第12回認定" not in html  # staff's note stays on staff's pages
    own = client_as("member_a").get(reverse("projects:entry_detail", args=[published.pk]))
    assert "川崎ものづくりブランド" in own.content.decode()
    assert "認定・ブランドを付与" not in own.content.decode()
    english = client_as("anonymous").get(
        reverse("projects:catalogue_public_detail", args=[published.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
        headers={"Cookie": "django_language=en"},
    )
    assert "Kawasaki Monozukuri Brand" in english.content.decode()


def test_a_second_grant_and_a_bad_form_come_back_as_messages(client_as, brand, published):
    AwardGrantFactory(award=brand, entry=published, fiscal_year=2021)
    staff = client_as("staff")
    url = reverse("projects:entry_award_grant", args=[published.pk])
    again = staff.post(url, {"award": brand.pk, "fiscal_year": 2024}, follow=True)
    assert "（令和3年度）に付与済み" in again.content.decode()
    empty = staff.post(url, {}, follow=True)
    assert "認定・ブランド：このフィールドは必須です。" in empty.content.decode()
    assert AwardGrant.objects.count() == 1


def test_revoking_removes_the_award_from_the_public_page(client_as, brand, published):
    grant = AwardGrantFactory(award=brand, entry=published)
    staff = client_as("staff")
    response = staff.post(reverse("projects:award_grant_revoke", args=[grant.pk]))
    assert response.status_code == 302
    assert not AwardGrant.objects.exists()
    public = client_as("anonymous").get(
        reverse("projects:catalogue_public_detail", args=[published.pk])
    )
    assert "川崎ものづくりブランド" not in public.content.decode()


def test_the_awards_page_counts_grants_per_award_and_year(client_as, brand, org_a):
    low_co2 = AwardFactory(name="低CO2川崎ブランド", order=50)
    for year, award in ((2022, brand), (2022, brand), (2023, brand), (2023, low_co2)):
        AwardGrantFactory(award=award, fiscal_year=year, entry=EntryFactory(published=True))
    html = client_as("staff").get(reverse("projects:award_list")).content.decode()
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert head.index("令和5年度") < head.index("令和4年度")  # newest first
    brand_row = html.split("川崎ものづくりブランド</a></th>", 1)[1].split("</tr>", 1)[0]
    assert brand_row.count("<td") == 3  # two years and the total
    assert ">1</td>" in brand_row and ">2</td>" in brand_row and "<strong>3</strong>" in brand_row
    low_row = html.split("低CO2川崎ブランド</a></th>", 1)[1].split("</tr>", 1)[0]
    assert "<strong>1</strong>" in low_row


def test_staff_add_an_award_and_a_prize_under_it(client_as, brand):
    staff = client_as("staff")
    response = staff.post(
        reverse("projects:award_list"),
        {"name": "ブランド大賞", "name_en": "Grand Prize", "parent": brand.pk, "order": 1},
    )
    assert response.status_code == 302
    prize = Award.objects.get(name="ブランド大賞")
    assert prize.parent == brand
    duplicate = staff.post(reverse("projects:award_list"), {"name": "ブランド大賞", "order": 2})
    assert duplicate.status_code == 200 and "エラー" in duplicate.content.decode()


def test_the_award_page_lists_its_holders_and_refuses_deletion(client_as, brand, published):
    AwardGrantFactory(award=brand, entry=published, fiscal_year=2020, note="第1回")
    staff = client_as("staff")
    html = staff.get(reverse("projects:award_update", args=[brand.pk])).content.decode()
    assert "小型波力発電装置" in html and "令和2年度" in html and "第1回" in html
    assert "削除できません" in html
    response = staff.post(reverse("projects:award_delete", args=[brand.pk]), follow=True)
    assert "削除できません" in response.content.decode()
    assert Award.objects.filter(pk=brand.pk).exists()


def test_history_keeps_a_revoked_grant(staff, brand, published):
    grant = services.award_grant(
        award=brand, entry=published, fiscal_year=2024, granted_by=staff, note="x"
    )
    services.award_revoke(grant=grant, revoked_by=staff)
    kinds = list(AwardGrant.history.order_by("history_date").values_list("history_type", flat=True))
    assert kinds == ["+", "-"]
    assert AwardGrant.history.first().history_user == staff
