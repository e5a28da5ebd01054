# ruff: noqa: E501  (sheet rows read best as one CSV line each)
import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from events.importing import import_apply, import_plan
from events.models import Attendance, Meeting
from members.models import Organisation, Person
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    StudyGroupFactory,
    corporate_number,
)

pytestmark = pytest.mark.django_db

HEADER = "開催日,会議名,種別,研究会,氏名,メール,団体名,法人番号,人数"


@pytest.fixture
def hiratsuka(study_group):
    parent = study_group  # 平塚海洋エネルギー研究会
    StudyGroupFactory(name="第2部会", parent=parent)
    marine = OrganisationFactory(name="株式会社湘南マリン", corporate_number=corporate_number(7))
    PersonFactory(name="山田 花子", email="hanako@marine.example.jp", organisation=marine)
    PersonFactory(name="佐藤 一郎", email="", organisation=marine)
    return parent


def csv_bytes(*rows: str, encoding="utf-8") -> bytes:
    return "\n".join((HEADER, *rows)).encode(encoding)


GOOD = (
    "2017/12/12,ゴムラダー水槽実験,実験,平塚海洋エネルギー研究会/第2部会,山田 花子,hanako@marine.example.jp,,,",
    f"2017/12/12,ゴムラダー水槽実験,実験,平塚海洋エネルギー研究会/第2部会,佐藤　一郎,,株式会社湘南マリン,{corporate_number(7)},",
    "2017/12/12,ゴムラダー水槽実験,実験,平塚海洋エネルギー研究会/第2部会,新人 次郎,jiro@new.example.jp,新規電機株式会社,,",
    "2017/12/12,ゴムラダー水槽実験,実験,平塚海洋エネルギー研究会/第2部会,,,,,4",
    "平成30年2月23日,平成29年度 総会,総会,平塚海洋エネルギー研究会,山田 花子,HANAKO@marine.example.jp,,,",
)


def test_good_file_creates_meetings_people_and_attendance(hiratsuka, changed_years):
    plan = import_plan(csv_bytes(*GOOD), "sheet.csv")
    assert plan.ok, plan.errors
    assert len(plan.new_meetings) == 2
    assert [p.name for p in plan.new_people] == ["新人 次郎"]
    assert [o.name for o in plan.new_organisations] == ["新規電機株式会社"]

    import_apply(plan, recorded_by=None)

    experiment = Meeting.objects.get(title="ゴムラダー水槽実験")
    assert experiment.date == dt.date(2017, 12, 12)
    assert experiment.is_date_only and experiment.kind == "experiment"
    assert experiment.study_group.full_name == "平塚海洋エネルギー研究会/第2部会"
    assert experiment.unnamed_headcount == 4
    assert experiment.attendances.count() == 3
    assembly = Meeting.objects.get(kind="general_assembly")
    assert assembly.attendances.get().person.name == "山田 花子"  # matched by email, any case
    assert Person.objects.filter(name__contains="一郎").count() == 1  # matched by name in org
    assert Organisation.objects.get(name="新規電機株式会社").is_confirmed is False
    assert changed_years == [{2017}]


def test_importing_the_same_file_twice_changes_nothing(hiratsuka):
    for _ in range(2):
        import_apply(import_plan(csv_bytes(*GOOD), "sheet.csv"), recorded_by=None)
    assert Meeting.objects.count() == 2
    assert Attendance.objects.count() == 4
    assert Meeting.objects.get(title="ゴムラダー水槽実験").unnamed_headcount == 4


def test_lookups_are_batched_not_one_query_per_row(hiratsuka, django_assert_max_num_queries):
    rows = [
        f"2018/5/{day},部会 {day},部会,平塚海洋エネルギー研究会/第2部会,参加者{n},p{day}-{n}@x.example.jp,団体{n},,"
        for day in range(1, 11)
        for n in range(10)
    ]
    with django_assert_max_num_queries(8):
        plan = import_plan(csv_bytes(*rows), "big.csv")
    assert plan.ok and plan.attendance_count == 100


BAD_ROWS = [
    (
        "2018/13/45,部会,部会,平塚海洋エネルギー研究会,山田 花子,hanako@marine.example.jp,,,",
        "開催日",
    ),
    ("2018/5/1,部会,懇親会,平塚海洋エネルギー研究会,山田 花子,hanako@marine.example.jp,,,", "種別"),
    ("2018/5/1,部会,部会,存在しない研究会,山田 花子,hanako@marine.example.jp,,,", "研究会"),
    ("2018/5/1,部会,部会,平塚海洋エネルギー研究会,新人,,新しい会社,1234567890123,", "法人番号"),
    ("2018/5/1,部会,部会,平塚海洋エネルギー研究会,,,,,-3", "人数"),
]


@pytest.mark.parametrize(("row", "column"), BAD_ROWS, ids=[c for _, c in BAD_ROWS])
def test_a_bad_row_is_reported_with_row_and_column_and_nothing_is_saved(hiratsuka, row, column):
    data = csv_bytes(GOOD[0], row)
    plan = import_plan(data, "sheet.csv")
    assert [(e.row, e.column) for e in plan.errors] == [(3, column)]
    with pytest.raises(CommandError):
        call_command("import_attendance", _write(data))
    assert not Meeting.objects.exists()
    assert not Attendance.objects.exists()


def test_duplicate_person_in_one_meeting_is_rejected(hiratsuka):
    plan = import_plan(csv_bytes(GOOD[0], GOOD[0].replace("山田 花子", "山田花子")), "s.csv")
    assert [(e.row, e.column) for e in plan.errors] == [(3, "氏名")]
    assert "2回" in plan.errors[0].message


def test_every_bad_row_is_listed(hiratsuka):
    plan = import_plan(csv_bytes(*(row for row, _ in BAD_ROWS)), "sheet.csv")
    assert [e.row for e in plan.errors] == [2, 3, 4, 5, 6]


def test_cp932_file(hiratsuka):
    plan = import_plan(csv_bytes(*GOOD, encoding="cp932"), "shift_jis.csv")
    assert plan.ok and plan.encoding == "cp932"
    assert {m.title for m in plan.meetings} == {"ゴムラダー水槽実験", "平成29年度 総会"}


def test_utf8_file_with_bom(hiratsuka):
    plan = import_plan(csv_bytes(*GOOD, encoding="utf-8-sig"), "bom.csv")
    assert plan.ok and plan.attendance_count == 4


def test_xlsx_file_with_english_headers_and_real_dates(hiratsuka):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "date",
            "meeting",
            "kind",
            "study_group",
            "person",
            "email",
            "organisation",
            "corporate_number",
            "headcount",
        ]
    )
    sheet.append(
        [
            dt.datetime(2018, 6, 1),
            "6月 部会",
            "subcommittee",
            "平塚海洋エネルギー研究会/第2部会",
            "山田 花子",
            "hanako@marine.example.jp",
            None,
            None,
            None,
        ]
    )
    sheet.append(
        [
            dt.datetime(2018, 6, 1),
            "6月 部会",
            "subcommittee",
            "平塚海洋エネルギー研究会/第2部会",
            None,
            None,
            None,
            None,
            22,
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = import_plan(buffer.getvalue(), "sheet.xlsx")
    assert plan.ok, plan.errors
    import_apply(plan, recorded_by=None)
    meeting = Meeting.objects.get()
    assert (meeting.date, meeting.unnamed_headcount, meeting.attendances.count()) == (
        dt.date(2018, 6, 1),
        22,
        1,
    )


def _write(data: bytes, name="sheet.csv") -> str:
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / name
    path.write_bytes(data)
    return str(path)


def test_command_dry_run_saves_nothing(hiratsuka, capsys):
    call_command("import_attendance", _write(csv_bytes(*GOOD)), "--dry-run")
    assert "新規電機株式会社" in capsys.readouterr().out
    assert not Meeting.objects.exists()


def test_command_imports_with_explicit_encoding(hiratsuka):
    call_command(
        "import_attendance", _write(csv_bytes(*GOOD, encoding="cp932")), "--encoding", "cp932"
    )
    assert Meeting.objects.count() == 2


def test_browser_flow_upload_preview_confirm(client_as, people, hiratsuka):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("staff")
    upload = SimpleUploadedFile("sheet.csv", csv_bytes(*GOOD), content_type="text/csv")
    response = client.post(reverse("events:import_upload"), {"file": upload, "encoding": ""})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    page = preview.content.decode()
    assert "新規電機株式会社" in page and "要確認" in page and "ゴムラダー水槽実験" in page
    assert not Meeting.objects.exists()  # preview writes nothing
    done = client.post(response["Location"])
    assert done.status_code == 302
    assert Meeting.objects.count() == 2


def test_browser_preview_lists_errors_and_offers_no_confirm(client_as, people, hiratsuka):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("staff")
    upload = SimpleUploadedFile("sheet.csv", csv_bytes(GOOD[0], BAD_ROWS[0][0]))
    location = client.post(reverse("events:import_upload"), {"file": upload})["Location"]
    page = client.get(location).content.decode()
    assert '<td class="num">3</td><td>開催日</td>' in page
    assert "この内容で取り込む" not in page
    assert client.post(location).status_code == 400
    assert not Meeting.objects.exists()


# --- Held files and confirming once ------------------------------------------------------------


def _upload_sheet(client, data: bytes) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("sheet.csv", data, content_type="text/csv")
    response = client.post(reverse("events:import_upload"), {"file": upload, "encoding": ""})
    assert response.status_code == 302
    return response["Location"]


def _held_files() -> list[str]:
    from consortium.storage import private_storage

    if not private_storage.exists("pending-imports"):
        return []
    return private_storage.listdir("pending-imports")[1]


def test_a_second_confirm_imports_nothing_and_links_to_the_meetings(
    client_as, people, hiratsuka, django_capture_on_commit_callbacks
):
    client = client_as("staff")
    location = _upload_sheet(client, csv_bytes(*GOOD))
    assert len(_held_files()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(location)
    counts = (Meeting.objects.count(), Person.objects.count(), Attendance.objects.count())
    assert counts[0] == 2
    assert _held_files() == []  # applied: the file with attendees' names is gone

    second = client.post(location, follow=True)  # the double-click

    assert (Meeting.objects.count(), Person.objects.count(), Attendance.objects.count()) == counts
    page = second.content.decode()
    assert "取り込み済みです" in page
    assert second.redirect_chain[0][0] == first["Location"]
    assert "ゴムラダー水槽実験" in page and "平成29年度 総会" in page


def test_a_single_meeting_import_links_to_that_meeting(client_as, people, hiratsuka):
    client = client_as("staff")
    location = _upload_sheet(client, csv_bytes(GOOD[0]))
    client.post(location)
    meeting = Meeting.objects.get()
    second = client.post(location)
    assert second["Location"] == reverse("events:import_result") + f"?meetings={meeting.pk}"


def test_two_confirms_racing_for_one_upload_import_once(people, hiratsuka):
    """The claim is a conditional UPDATE: whoever comes second finds the upload applied."""
    from consortium.uploads import pending_upload_create, pending_upload_get

    held = pending_upload_create(
        purpose="events.attendance", name="s.csv", data=csv_bytes(*GOOD), user=people["staff"]
    )
    from events.importing import import_apply_upload

    plan_one, plan_two = (
        import_plan(csv_bytes(*GOOD), "s.csv"),
        import_plan(csv_bytes(*GOOD), "s.csv"),
    )
    stale = pending_upload_get(token=held.token, purpose="events.attendance")
    assert import_apply_upload(upload=held, plan=plan_one, recorded_by=None) is plan_one
    assert import_apply_upload(upload=stale, plan=plan_two, recorded_by=None) is None
    assert Meeting.objects.count() == 2 and Attendance.objects.count() == 4


def test_cancel_deletes_the_held_file_and_imports_nothing(client_as, people, hiratsuka):
    client = client_as("staff")
    location = _upload_sheet(client, csv_bytes(*GOOD))
    token = location.rstrip("/").rsplit("/", 1)[-1]
    assert "取り消す" in client.get(location).content.decode()

    response = client.post(reverse("events:import_cancel", args=[token]), follow=True)

    assert "取り消しました" in response.content.decode()
    assert _held_files() == []
    assert client.get(location).status_code == 404
    assert client.post(location).status_code == 404
    assert not Meeting.objects.exists()


def test_another_staff_member_cannot_use_someone_elses_upload(client_as, people, hiratsuka):
    location = _upload_sheet(client_as("staff"), csv_bytes(*GOOD))
    assert client_as("admin").get(location).status_code == 404
    assert client_as("admin").post(location).status_code == 404
    assert not Meeting.objects.exists()
