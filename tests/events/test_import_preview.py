"""The import preview says what it overwrites; the import lands on the meetings it wrote."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from events.importing import meeting_ids_param, parse_meeting_ids
from events.models import Meeting
from members.models import Person, StudyGroup
from tests.events.factories import AttendanceFactory, MeetingFactory
from tests.events.test_import import GOOD, _upload_sheet, csv_bytes, hiratsuka  # noqa: F401
from tests.factories import StudyGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def experiment(hiratsuka):  # noqa: F811
    """The meeting of GOOD's first four rows, already on record: 3 at the door, 山田 花子 欠席."""
    meeting = MeetingFactory(
        title="ゴムラダー水槽実験",
        date=dt.date(2017, 12, 12),
        kind="experiment",
        study_group=StudyGroup.objects.get(name="第2部会", parent=hiratsuka),
        unnamed_headcount=3,
    )
    hanako = Person.objects.get(name="山田 花子")
    AttendanceFactory(meeting=meeting, person=hanako, status="absent")
    return meeting


def preview(client, data: bytes) -> str:
    return client.get(_upload_sheet(client, data)).content.decode()


def test_the_preview_says_the_headcount_is_overwritten_and_the_resulting_total(
    client_as, people, experiment
):
    page = preview(client_as("staff"), csv_bytes(*GOOD[:4]))
    # The sheet counts 4 at the door where 3 are stored, and three named attendees (山田 花子,
    # recorded absent, now attended): のべ 3 → 7.
    assert "当日参加 3 → 4（上書き）" in page
    assert "出席 0 → 3" in page
    assert "のべ参加者数 3 → 7" in page
    assert "山田 花子: 欠席 → 出席（上書き）" in page
    assert "3 → 4（上書き）" in page[page.index("<tbody>") :]  # in the table too
    assert not Meeting.objects.filter(unnamed_headcount=4).exists()  # the preview writes nothing


def test_a_sheet_without_a_headcount_keeps_the_stored_one(client_as, people, experiment):
    page = preview(client_as("staff"), csv_bytes(*GOOD[:3]))
    assert "上書き）" not in page.replace("欠席 → 出席（上書き）", "")
    assert "のべ参加者数 3 → 6" in page


def test_new_meetings_show_no_overwrite_section(client_as, people, hiratsuka):  # noqa: F811
    page = preview(client_as("staff"), csv_bytes(*GOOD))
    assert "既存の会議で上書きされる内容" not in page


def test_the_import_lands_on_exactly_the_meetings_it_wrote(client_as, people, hiratsuka):  # noqa: F811
    other = MeetingFactory(
        study_group=hiratsuka, title="関係のない会議", date=dt.date(2017, 12, 20)
    )
    client = client_as("staff")
    response = client.post(_upload_sheet(client, csv_bytes(*GOOD)))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("events:import_result")
    written = set(Meeting.objects.exclude(pk=other.pk).values_list("pk", flat=True))
    runs = parse_meeting_ids(parse_qs(location.query)["meetings"][0])
    assert {pk for low, high in runs for pk in range(low, high + 1)} == written
    page = client.get(response["Location"]).content.decode()
    assert "ゴムラダー水槽実験" in page and "平成29年度 総会" in page  # both past meetings
    assert "関係のない会議" not in page
    assert "取り込んだ会議" in page


def test_the_landing_page_shows_the_totals_as_stored(client_as, people, experiment):
    client = client_as("staff")
    response = client.post(_upload_sheet(client, csv_bytes(*GOOD[:4])), follow=True)
    page = response.content.decode()
    row = page[page.index("ゴムラダー水槽実験") :]
    row = row[: row.index("</tr>")]
    assert '<td class="num">3</td>' in row and '<td class="num">4</td>' in row
    assert '<td class="num">7</td>' in row


def test_id_runs_round_trip_and_crafted_input_is_bounded():
    assert meeting_ids_param([9, 3, 4, 5, 5, 12, 11]) == "3-5,9,11-12"
    assert parse_meeting_ids("3-5,9,11-12") == [(3, 5), (9, 9), (11, 12)]
    assert parse_meeting_ids("x,5-3,-1,1-,99999999999,7") == [(7, 7)]
    assert len(parse_meeting_ids(",".join(str(n) for n in range(1000)))) == 200


@pytest.mark.parametrize("n", [1, 20])
def test_landing_page_query_count_is_constant(client_as, people, n, django_assert_num_queries):
    group = StudyGroupFactory(name="取込研究会")
    meetings = [MeetingFactory(study_group=group, title=f"取込会議{i}") for i in range(n)]
    for meeting in meetings:
        AttendanceFactory(meeting=meeting)
    url = (
        reverse("events:import_result") + "?meetings=" + meeting_ids_param([m.pk for m in meetings])
    )
    client = client_as("staff")
    client.get(url)
    with django_assert_num_queries(5):  # session, user, roles, the menu's count; the meetings
        response = client.get(url)
    assert response.content.decode().count("取込会議") == n
