"""The sheet's search, its two parts (the group's own members first), and each button's name."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from events.querysets import sheet_people, sheet_search_terms
from tests.events.factories import AttendanceFactory, MeetingFactory, RegistrationFactory
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    StudyGroupFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def subcommittee(study_group):
    """第2部会 of the study group: one member of its own, two more of the parent only."""
    group = StudyGroupFactory(name="第2部会", parent=study_group)
    own = OrganisationFactory(name="株式会社湘南マリン", name_kana="ショウナンマリン")
    MembershipFactory(organisation=own, study_group=group)
    parent_only = [
        OrganisationFactory(name="平塚信用金庫", name_kana="ヒラツカシンヨウキンコ"),
        OrganisationFactory(name="横浜ゴム株式会社 平塚製造所", name_kana="ヨコハマゴム"),
    ]
    for organisation in parent_only:
        MembershipFactory(organisation=organisation, study_group=study_group)
    people = {
        "takahashi": PersonFactory(
            name="高橋 一郎", name_kana="タカハシ イチロウ", organisation=own
        ),
        "kinko": PersonFactory(
            name="金子 花子", name_kana="カネコ ハナコ", organisation=parent_only[0]
        ),
        "yamamoto": PersonFactory(
            name="山本 健二", name_kana="ヤマモト ケンジ", organisation=parent_only[1]
        ),
    }
    return group, people


def sheet_page(client, meeting, **params):
    return client.get(
        reverse("events:attendance_sheet", args=[meeting.pk]), params
    ).content.decode()


def row_html(page, person):
    start = page.index(f'id="p{person.pk}"')
    return page[page.rindex("<div", 0, start) : page.index("</form>", start)]


def test_the_groups_own_members_come_first_and_the_parents_are_folded(
    client_as, people, subcommittee
):
    group, folks = subcommittee
    meeting = MeetingFactory(study_group=group)
    page = sheet_page(client_as("staff"), meeting)
    details = page.index('<details class="sheet-parent"')
    assert page.index(f'id="p{folks["takahashi"].pk}"') < details
    assert page.index(f'id="p{folks["kinko"].pk}"') > details
    assert page.index(f'id="p{folks["yamamoto"].pk}"') > details
    assert "親の研究会（平塚海洋エネルギー研究会）の会員" in page
    assert not re.search(r'<details class="sheet-parent"[^>]*\bopen\b', page)


def test_a_parent_member_who_registered_or_was_recorded_is_in_the_first_part(
    client_as, people, subcommittee
):
    group, folks = subcommittee
    meeting = MeetingFactory(study_group=group)
    RegistrationFactory(meeting=meeting, person=folks["kinko"])
    AttendanceFactory(meeting=meeting, person=folks["yamamoto"])
    sheet = sheet_people(meeting)
    own = {row["person"] for g in sheet.own.groups for row in g["rows"]}
    folded = {row["person"] for g in sheet.parent.groups for row in g["rows"]}
    assert {folks["kinko"], folks["yamamoto"], folks["takahashi"]} <= own
    assert folded == {people["member_a"].person, people["member_b"].person}  # parent's only


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("たかはし", "takahashi"),  # hiragana finds the katakana kana
        ("ﾀｶﾊｼ", "takahashi"),  # half-width katakana
        ("高橋一郎", "takahashi"),  # without the space
        ("湘南マリン", "takahashi"),  # by organisation
        ("(株)湘南マリン", "takahashi"),  # legal form written otherwise
        ("ヤマモト 横浜ゴム", "yamamoto"),  # every word must match
        ("ＹＡＭＡ", None),  # full-width Latin folds, and matches nobody here
    ],
)
def test_search_without_javascript_shows_only_matching_rows(
    client_as, people, subcommittee, query, who
):
    group, folks = subcommittee
    meeting = MeetingFactory(study_group=group)
    page = sheet_page(client_as("staff"), meeting, q=query)
    for name, person in folks.items():
        row = row_html(page, person)
        assert (" hidden>" not in row.split("\n", 1)[0]) is (name == who), (name, query)
    if who in ("kinko", "yamamoto"):  # the folded part opens on a match inside it
        assert re.search(r'<details class="sheet-parent"[^>]*\bopen\b', page)


def test_every_row_carries_its_search_key_for_the_script(client_as, people, subcommittee):
    group, folks = subcommittee
    meeting = MeetingFactory(study_group=group)
    page = sheet_page(client_as("staff"), meeting)
    row = row_html(page, folks["takahashi"])
    assert (
        'data-search="高橋 一郎 高橋一郎 たかはし いちろう たかはしいちろう 株式会社湘南まりん'
        in row
    )


def test_search_terms_fold_like_the_script():
    assert sheet_search_terms("  （株）ショウナン　ﾏﾘﾝ ") == ["しょうなん", "まりん"]
    assert sheet_search_terms("株式会社") == []


def test_the_search_also_lists_people_not_on_the_sheet(client_as, people, subcommittee):
    group, folks = subcommittee
    meeting = MeetingFactory(study_group=group)
    stranger = PersonFactory(
        name="高橋 次郎", name_kana="タカハシ ジロウ", organisation=OrganisationFactory()
    )
    page = sheet_page(client_as("staff"), meeting, q="たかはし")
    results = page[page.index('id="walk-in-results"') :]
    results = results[: results.index("</details>")]
    assert stranger.name in results
    assert folks["takahashi"].name not in results  # on the sheet already: its row shows


def test_each_button_says_whom_it_is_for(client_as, people, subcommittee):
    group, folks = subcommittee
    meeting = MeetingFactory(study_group=group)
    row = row_html(sheet_page(client_as("staff"), meeting), folks["takahashi"])
    for label in (
        "出席：高橋 一郎",
        "欠席：高橋 一郎",
        "欠席連絡あり：高橋 一郎",
        "記録を消す：高橋 一郎",
    ):
        assert f'aria-label="{label}"' in row
    client = client_as("staff")
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        row = row_html(sheet_page(client, meeting), folks["takahashi"])
    assert 'aria-label="Attended: 高橋 一郎"' in row


def test_the_clear_button_keeps_its_place_before_anything_is_recorded(
    client_as, people, subcommittee
):
    """Always in the row (disabled and invisible while unrecorded): its appearing moves nothing."""
    group, folks = subcommittee
    meeting = MeetingFactory(study_group=group)
    AttendanceFactory(meeting=meeting, person=folks["kinko"], status="absent")
    page = sheet_page(client_as("staff"), meeting)
    unrecorded = row_html(page, folks["takahashi"])
    recorded = row_html(page, folks["kinko"])
    assert re.search(r'value="clear"[^>]*disabled>', unrecorded)
    assert 'value="clear"' in recorded and not re.search(r'value="clear"[^>]*disabled>', recorded)


def test_the_search_and_walk_in_come_before_the_rows(client_as, people, subcommittee):
    group, folks = subcommittee
    meeting = MeetingFactory(study_group=group)
    page = sheet_page(client_as("staff"), meeting)
    first_row = page.index('class="sheet-row')
    assert page.index('id="sheet-q"') < first_row
    assert page.index('id="walk-in-form"') < first_row


@pytest.mark.parametrize("n", [1, 25])
def test_sheet_with_a_parent_part_and_a_search_keeps_its_query_count(
    client_as, people, subcommittee, n, django_assert_num_queries
):
    group, _folks = subcommittee
    meeting = MeetingFactory(study_group=group)
    for i in range(n):
        organisation = OrganisationFactory()
        MembershipFactory(organisation=organisation, study_group=group.parent)
        PersonFactory(organisation=organisation, name=f"親会員 {i}")
        AttendanceFactory(meeting=meeting, person=PersonFactory(name=f"出席者 {i}"))
    client = client_as("staff")
    url = reverse("events:attendance_sheet", args=[meeting.pk])
    client.get(url, {"q": "会員"})
    # The plain sheet's 9 (tests/events/test_queries.py) + people and organisations not on it.
    with django_assert_num_queries(11):
        response = client.get(url, {"q": "会員"})
    visible = re.findall(
        r'<div class="sheet-row[^"]*" id="p\d+" data-search="[^"]*親会員[^"]*">',
        response.content.decode(),
    )
    assert len(visible) == n


@pytest.mark.parametrize("n", [1, 20])
def test_the_search_box_answer_keeps_its_query_count(
    client_as, people, meeting, n, django_assert_num_queries
):
    for i in range(n):
        PersonFactory(name=f"高橋 {i}", name_kana="タカハシ", organisation=OrganisationFactory())
    client = client_as("staff")
    url = reverse("events:attendance_search", args=[meeting.pk])
    client.get(url, {"q": "たかはし"}, HTTP_HX_REQUEST="true")
    with django_assert_num_queries(6):  # session, user, roles, meeting; people, organisations
        response = client.get(url, {"q": "たかはし"}, HTTP_HX_REQUEST="true")
    assert response.content.decode().count('name="person"') == min(n, 10)
