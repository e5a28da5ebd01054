"""Walk-ins: people and organisations found before new ones are made (issue 16)."""

import pytest
from django.urls import reverse

from events.models import Attendance
from events.querysets import walk_in_matches, walk_in_organisation_candidates
from members.models import Organisation, Person
from tests.events.factories import AttendanceFactory
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def walk_in(client, meeting, **data):
    return client.post(reverse("events:attendance_walk_in", args=[meeting.pk]), data, follow=True)


@pytest.fixture
def yokohama(db):
    return OrganisationFactory(name="横浜ゴム株式会社", name_kana="ヨコハマゴム")


@pytest.fixture
def hiratsuka_plant(db):
    return OrganisationFactory(name="横浜ゴム株式会社 平塚製造所", name_kana="ヨコハマゴムヒラツカ")


def test_adding_the_same_walk_in_twice_records_one_person(client_as, people, meeting, yokohama):
    client = client_as("staff")
    first = walk_in(client, meeting, name="山本 健二", organisation_name="横浜ゴム株式会社")
    assert "山本 健二 さんを当日参加で記録しました。" in first.content.decode()
    second = walk_in(client, meeting, name="山本　健二", organisation_name="(株)横浜ゴム")
    page = second.content.decode()
    assert "既に出席" in page and "当日参加で記録しました" not in page
    assert Person.objects.filter(name__startswith="山本").count() == 1
    assert Person.objects.get(name__startswith="山本").organisation == yokohama
    assert Attendance.objects.filter(meeting=meeting).count() == 1
    assert Organisation.objects.filter(name_key="横浜ゴム").count() == 1  # no second 横浜ゴム


@pytest.mark.parametrize("spelling", ["山本健二", "山本 健二", "山本　健二", " 山本  健二 "])
def test_a_person_of_the_organisation_is_found_however_the_name_is_spaced(
    client_as, people, meeting, yokohama, spelling
):
    registered = PersonFactory(name="山本 健二", organisation=yokohama)
    walk_in(client_as("staff"), meeting, name=spelling, organisation=yokohama.pk)
    assert meeting.attendances.get().person == registered
    assert Person.objects.filter(organisation=yokohama).count() == 1


def test_someone_already_marked_attended_is_told_not_recorded_again(client_as, people, meeting):
    person = people["member_a"].person
    AttendanceFactory(
        meeting=meeting, person=person, status="attended", recorded_by=people["admin"]
    )
    response = walk_in(client_as("staff"), meeting, person=person.pk)
    page = response.content.decode()
    assert f"{person.name} さんは既に出席になっています。" in page
    assert "当日参加で記録しました" not in page
    stored = Attendance.objects.get(meeting=meeting, person=person)
    assert stored.recorded_by == people["admin"]
    assert Attendance.history.filter(person_id=person.pk).count() == 1


def test_someone_marked_absent_who_comes_after_all_is_recorded_attended(client_as, people, meeting):
    person = people["member_a"].person
    AttendanceFactory(meeting=meeting, person=person, status="absent")
    page = walk_in(client_as("staff"), meeting, person=person.pk).content.decode()
    assert "当日参加で記録しました" in page
    assert Attendance.objects.get(meeting=meeting, person=person).status == "attended"


def test_a_similar_organisation_is_offered_before_a_new_one_is_made(
    client_as, people, meeting, hiratsuka_plant
):
    client = client_as("staff")
    data = {"name": "海野 波子", "organisation_name": "横浜ゴム株式会社", "sector": "company"}
    response = client.post(reverse("events:attendance_walk_in", args=[meeting.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "似た名前の団体が登録されています" in page
    assert f'name="organisation" value="{hiratsuka_plant.pk}"' in page
    assert 'value="海野 波子"' in page  # what was typed is kept
    assert not Organisation.objects.filter(name="横浜ゴム株式会社").exists()
    assert not Attendance.objects.exists()

    # Staff choose the plant: the walk-in is recorded there.
    client.post(
        reverse("events:attendance_walk_in", args=[meeting.pk]),
        {**data, "organisation": hiratsuka_plant.pk},
    )
    assert Attendance.objects.get().organisation == hiratsuka_plant


def test_a_new_organisation_confirmed_at_the_door_waits_for_staff(
    client_as, people, meeting, hiratsuka_plant
):
    data = {
        "name": "海野 波子",
        "organisation_name": "横浜ゴム株式会社",
        "sector": "company",
        "new_organisation": "on",
    }
    walk_in(client_as("staff"), meeting, **data)
    created = Organisation.objects.get(name="横浜ゴム株式会社")
    assert created.is_confirmed is False
    assert created.sector == "company"
    assert meeting.attendances.get().organisation == created
    # It is listed with the other organisations staff have to confirm.
    queue = client_as("staff").get(reverse("members:joinrequest_queue"))
    assert created in queue.context["unconfirmed"]


def test_the_walk_in_form_finds_the_plant_for_either_spelling(people, meeting, hiratsuka_plant):
    for typed in ("横浜ゴム株式会社", "(株)横浜ゴム", "㈱横浜ゴム", "横浜ｺﾞﾑ"):
        found = walk_in_matches(meeting, name="", organisation_name=typed)
        assert hiratsuka_plant in found["organisations"], typed


def test_an_exact_spelling_variant_is_the_organisation_itself(people, meeting, yokohama):
    found = walk_in_matches(meeting, name="", organisation_name="（株）横浜ゴム")
    assert found["organisations"] == [yokohama]
    assert walk_in_organisation_candidates("（株）横浜ゴム") == []  # exact, not "similar"


def test_the_walk_in_form_lists_people_and_says_who_is_already_attended(
    client_as, people, meeting, yokohama
):
    here = PersonFactory(name="山本 健二", name_kana="ヤマモト ケンジ", organisation=yokohama)
    away = PersonFactory(name="山本 花子", organisation=OrganisationFactory(name="平塚信用金庫"))
    AttendanceFactory(meeting=meeting, person=here, status="attended")
    response = client_as("staff").get(
        reverse("events:attendance_search", args=[meeting.pk]),
        {"name": "山本健二", "organisation_name": "(株)横浜ゴム"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "山本 健二" in page and "既に出席" in page
    assert away.name not in page
    assert f'name="organisation" value="{yokohama.pk}"' in page


def test_walk_in_search_in_katakana_finds_hiragana_typed(client_as, people, meeting):
    PersonFactory(
        name="高橋 一郎", name_kana="タカハシ イチロウ", organisation=OrganisationFactory()
    )
    response = client_as("staff").get(
        reverse("events:attendance_search", args=[meeting.pk]),
        {"name": "たかはし"},
        HTTP_HX_REQUEST="true",
    )
    assert "高橋 一郎" in response.content.decode()


@pytest.mark.parametrize("n", [1, 20])
def test_walk_in_search_query_count_is_constant(
    client_as, people, meeting, yokohama, n, django_assert_num_queries
):
    for i in range(n):
        person = PersonFactory(name=f"山本 {i}", organisation=yokohama)
        AttendanceFactory(meeting=meeting, person=person)
    client = client_as("staff")
    url = reverse("events:attendance_search", args=[meeting.pk])
    params = {"name": "山本", "organisation_name": "横浜ゴム"}
    client.get(url, params, HTTP_HX_REQUEST="true")
    # session, user, roles, meeting; people, attended, exact and similar organisations
    with django_assert_num_queries(8):
        response = client.get(url, params, HTTP_HX_REQUEST="true")
    assert response.content.decode().count("既に出席") == min(n, 5)
