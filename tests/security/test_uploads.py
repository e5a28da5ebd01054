"""Every upload checks size and real content: an oversized or disguised file gets a clear error
and nothing is saved (meeting materials, agreement PDFs, attendance / funding / roster imports)."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consortium.storage import private_storage
from events.models import Material
from members.models import Organisation
from projects.models import Agreement, Funding
from tests.events.factories import MeetingFactory
from tests.projects.factories import AgreementFactory, FunderFactory
from tests.projects.test_pages import _agreement_post

pytestmark = pytest.mark.django_db

TOO_LARGE = "大きすぎます"
DISGUISED = "拡張子と中身が一致しません"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "not a workbook")
    return buffer.getvalue()


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


DISGUISED_SPREADSHEETS = [
    pytest.param("出席簿.csv", PDF, id="pdf-named-csv"),
    pytest.param("出席簿.xlsx", _zip_without_workbook(), id="zip-named-xlsx"),
    pytest.param("出席簿.xlsx", HTML, id="html-named-xlsx"),
]
DISGUISED_DOCUMENTS = [
    pytest.param("資料.pdf", HTML, id="html-named-pdf"),
    pytest.param("資料.pdf", _zip_without_workbook(), id="zip-named-pdf"),
    pytest.param("資料.docx", _zip_without_workbook(), id="zip-named-docx"),
]


def _private_files(folder: str) -> list[str]:
    if not private_storage.exists(folder):
        return []
    return private_storage.listdir(folder)[1]


@pytest.fixture
def small_limit(settings):
    settings.KYOSO_MAX_UPLOAD_BYTES = 4096
    return settings.KYOSO_MAX_UPLOAD_BYTES


# --- Meeting materials -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content"), DISGUISED_DOCUMENTS)
def test_disguised_material_is_refused_and_not_stored(client_as, study_group, name, content):
    meeting = MeetingFactory(study_group=study_group)
    response = client_as("staff").post(
        reverse("events:material_upload", args=[meeting.pk]),
        {"title": "配布資料", "file": _upload(name, content)},
        follow=True,
    )
    assert response.status_code == 200
    assert DISGUISED in response.content.decode()
    assert not Material.objects.exists()


def test_oversized_material_is_refused(client_as, study_group, small_limit):
    meeting = MeetingFactory(study_group=study_group)
    big = PDF + b"0" * small_limit
    response = client_as("staff").post(
        reverse("events:material_upload", args=[meeting.pk]),
        {"file": _upload("資料.pdf", big)},
        follow=True,
    )
    assert TOO_LARGE in response.content.decode()
    assert not Material.objects.exists()


# --- Agreement PDFs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(HTML, DISGUISED, id="html-named-pdf"),
        pytest.param(PDF + b"0" * 5000, TOO_LARGE, id="oversized"),
    ],
)
def test_bad_agreement_pdf_is_refused_and_nothing_changes(
    client_as, small_limit, org_a, content, message
):
    FunderFactory(name="東京大学生産技術研究所")
    agreement = AgreementFactory(parties=[org_a], title="元の協定")
    response = client_as("staff").post(
        reverse("projects:agreement_update", args=[agreement.pk]),
        {**_agreement_post(title="書き換え"), "document": _upload("協定書.pdf", content)},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.title == "元の協定"
    assert not agreement.document
    assert Agreement.objects.count() == 1


# --- Attendance import -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content"), DISGUISED_SPREADSHEETS)
def test_disguised_attendance_sheet_is_refused(client_as, people, name, content):
    response = client_as("staff").post(
        reverse("events:import_upload"), {"file": _upload(name, content), "encoding": ""}
    )
    assert response.status_code == 200
    assert DISGUISED in response.content.decode()
    assert _private_files("pending-imports") == []


def test_oversized_attendance_sheet_is_refused(client_as, people, small_limit):
    content = "日付,会議名\n".encode() + b"2019-05-01,x\n" * 1000
    response = client_as("staff").post(
        reverse("events:import_upload"), {"file": _upload("出席簿.csv", content), "encoding": ""}
    )
    assert TOO_LARGE in response.content.decode()
    assert _private_files("pending-imports") == []


# --- Funding import --------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content"), DISGUISED_SPREADSHEETS)
def test_disguised_funding_file_is_refused(client_as, people, name, content):
    client = client_as("staff")
    response = client.post(reverse("projects:funding_import"), {"file": _upload(name, content)})
    assert response.status_code == 200
    assert DISGUISED in response.content.decode()
    assert "projects_funding_import" not in client.session
    assert not Funding.objects.exists()


def test_oversized_funding_file_is_refused(client_as, people):
    content = "事業,年度\n".encode() + b"x" * (2 * 1024 * 1024)
    client = client_as("staff")
    response = client.post(
        reverse("projects:funding_import"), {"file": _upload("財源.csv", content)}
    )
    assert TOO_LARGE in response.content.decode()
    assert "projects_funding_import" not in client.session
    assert not Funding.objects.exists()


# --- Roster import in the Django admin -------------------------------------------------------

ROSTER_IMPORT = "/admin/members/organisation/import/"


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@city.example.jp", "x")


def test_admin_offers_only_csv_and_xlsx_for_the_roster(client, superuser):
    client.force_login(superuser)
    page = client.get(ROSTER_IMPORT).content.decode()
    assert "xlsx" in page and "csv" in page
    assert "json" not in page.lower().split("<select", 1)[-1].split("</select>", 1)[0]


@pytest.mark.parametrize(("name", "content"), DISGUISED_SPREADSHEETS)
def test_disguised_roster_is_refused_in_the_admin(client, superuser, name, content):
    client.force_login(superuser)
    before = Organisation.objects.count()
    response = client.post(
        ROSTER_IMPORT,
        {"format": "1" if name.endswith("xlsx") else "0", "import_file": _upload(name, content)},
    )
    assert response.status_code == 200
    assert DISGUISED in response.content.decode()
    assert Organisation.objects.count() == before


def test_oversized_roster_is_refused_in_the_admin(client, superuser):
    client.force_login(superuser)
    content = "団体名,区分\n".encode() + "株式会社テスト,企業\n".encode() * 100_000
    response = client.post(
        ROSTER_IMPORT, {"format": "0", "import_file": _upload("名簿.csv", content)}
    )
    assert response.status_code == 200
    assert TOO_LARGE in response.content.decode()
    assert not Organisation.objects.exists()


# --- Files held for a preview: deleted on apply, cancel, or by the sweep -----------------------


def _held() -> list[str]:
    return _private_files("pending-imports")


def test_the_sweep_deletes_held_files_older_than_a_day(people, settings):
    import datetime as dt

    from django.utils import timezone

    from consortium.models import PendingUpload
    from consortium.tasks import sweep_pending_uploads
    from consortium.uploads import pending_upload_create

    old = pending_upload_create(purpose="events.attendance", name="old.csv", data=b"a,b\n")
    fresh = pending_upload_create(purpose="events.attendance", name="new.csv", data=b"a,b\n")
    PendingUpload.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    # A file an earlier version left behind, with no record.
    private_storage.save("events/imports/left-over.csv", io.BytesIO(b"a,b\n"))
    stale = timezone.now().timestamp() - 25 * 3600
    os.utime(private_storage.path("events/imports/left-over.csv"), (stale, stale))
    assert len(_held()) == 2

    assert sweep_pending_uploads.apply().get() == 2  # run here, as a worker would

    assert _held() == [fresh.file.name.rsplit("/", 1)[-1]]
    assert list(PendingUpload.objects.all()) == [fresh]
    assert _private_files("events/imports") == []
    assert "consortium.sweep_pending_uploads" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


ROSTER_CSV = "団体名,区分,市内\n株式会社湘南マリン,企業,市内\n".encode()


def _admin_preview(client, data: bytes = ROSTER_CSV, name: str = "名簿.csv"):
    response = client.post(ROSTER_IMPORT, {"format": "0", "import_file": _upload(name, data)})
    assert response.status_code == 200
    return response


def test_admin_import_applies_once_and_deletes_its_file(
    client, superuser, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    preview = _admin_preview(client)
    confirm = preview.context["confirm_form"].initial
    assert len(_held()) == 1 and "取り消す" in preview.content.decode()
    data = {key: confirm[key] for key in ("import_file_name", "original_file_name", "format")}
    data["resource"] = confirm.get("resource", "0") or "0"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/members/organisation/process_import/", data)
    assert Organisation.objects.filter(name="株式会社湘南マリン").count() == 1
    assert _held() == []

    again = client.post("/admin/members/organisation/process_import/", data, follow=True)

    assert again.status_code == 200
    assert "取り込み済みです" in again.content.decode()
    assert Organisation.objects.filter(name="株式会社湘南マリン").count() == 1


def test_admin_import_can_be_cancelled_and_a_failed_preview_keeps_no_file(client, superuser):
    client.force_login(superuser)
    confirm = _admin_preview(client).context["confirm_form"].initial
    response = client.post(
        "/admin/members/organisation/process_import/",
        {
            "import_file_name": confirm["import_file_name"],
            "original_file_name": confirm["original_file_name"],
            "format": confirm["format"],
            "resource": confirm.get("resource", "0") or "0",
            "cancel": "1",
        },
        follow=True,
    )
    assert "取り消しました" in response.content.decode()
    assert _held() == [] and not Organisation.objects.filter(name="株式会社湘南マリン").exists()

    _admin_preview(client, "団体名\n平塚市\n".encode())  # a missing column: nothing to confirm
    assert _held() == []


def test_admin_funding_import_accepts_csv_and_xlsx_only(client, superuser):
    client.force_login(superuser)
    page = client.get("/admin/projects/funding/import/").content.decode()
    assert ">csv<" in page and ">xlsx<" in page
    for other in ("json", "yaml", "tsv", "ods", "html", ">xls<"):
        assert other not in page.split('name="format"')[1].split("</select>")[0]
