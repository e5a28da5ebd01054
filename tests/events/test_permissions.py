"""Every events URL × the five roles → expected status."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events import services
from tests.conftest import ROLES
from tests.events.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def objects(people, meeting, a_only_meeting, public_meeting):
    material = services.material_add(
        meeting=a_only_meeting,
        upload=SimpleUploadedFile("資料.pdf", PDF),
        title="配布資料",
        uploaded_by=people["staff"],
    )
    registration = RegistrationFactory(meeting=meeting, person=people["member_a"].person)
    return {
        "meeting": meeting.pk,
        "a_only": a_only_meeting.pk,
        "public": public_meeting.pk,
        "material": material.pk,
        "registration": registration.pk,
        "person_a": people["member_a"].person.pk,
    }


STAFF_ONLY_GET = {"anonymous": 302, "member_a": 403, "member_b": 403, "staff": 200, "admin": 200}
STAFF_ONLY_POST = {"anonymous": 302, "member_a": 403, "member_b": 403, "staff": 302, "admin": 302}
LOGGED_IN = {"anonymous": 302, "member_a": 200, "member_b": 200, "staff": 200, "admin": 200}
EVERYONE = dict.fromkeys(ROLES, 200)
A_ONLY = {"anonymous": 302, "member_a": 200, "member_b": 404, "staff": 200, "admin": 200}

MATRIX = [
    # (method, url name, kwargs keys, data, expected)
    ("get", "meeting_list", {}, None, EVERYONE),
    ("get", "meeting_detail", {"pk": "public"}, None, EVERYONE),
    ("get", "meeting_detail", {"pk": "meeting"}, None, LOGGED_IN),
    ("get", "meeting_detail", {"pk": "a_only"}, None, A_ONLY),
    ("get", "meeting_minutes", {"pk": "a_only"}, None, A_ONLY),
    ("get", "meeting_minutes", {"pk": "public"}, None, LOGGED_IN),
    ("get", "material_download", {"pk": "material"}, None, A_ONLY),
    ("get", "meeting_create", {}, None, STAFF_ONLY_GET),
    ("get", "meeting_update", {"pk": "a_only"}, None, STAFF_ONLY_GET),
    ("post", "meeting_delete", {"pk": "a_only"}, {}, STAFF_ONLY_POST),
    ("post", "material_upload", {"pk": "a_only"}, {}, STAFF_ONLY_POST),
    ("post", "material_delete", {"pk": "material"}, {}, STAFF_ONLY_POST),
    (
        "get",
        "register",
        {"pk": "meeting"},
        None,
        {"anonymous": 302, "member_a": 200, "member_b": 200, "staff": 403, "admin": 403},
    ),
    (
        "get",
        "register",
        {"pk": "a_only"},
        None,
        {"anonymous": 302, "member_a": 200, "member_b": 404, "staff": 403, "admin": 403},
    ),
    (
        "post",
        "registration_cancel",
        {"pk": "registration"},
        {},
        {"anonymous": 302, "member_a": 302, "member_b": 404, "staff": 302, "admin": 302},
    ),
    ("get", "my_meetings", {}, None, LOGGED_IN),
    ("get", "attendance_sheet", {"pk": "meeting"}, None, STAFF_ONLY_GET),
    (
        "post",
        "attendance_sheet",
        {"pk": "meeting"},
        {"person": "person_a", "status": "attended"},
        STAFF_ONLY_POST,
    ),
    ("post", "attendance_mark_registered", {"pk": "meeting"}, {}, STAFF_ONLY_POST),
    ("post", "attendance_headcount", {"pk": "meeting"}, {"unnamed_headcount": 3}, STAFF_ONLY_POST),
    ("post", "attendance_walk_in", {"pk": "meeting"}, {"person": "person_a"}, STAFF_ONLY_POST),
    (
        "get",
        "attendance_search",
        {"pk": "meeting"},
        None,
        {**STAFF_ONLY_GET, "staff": 302, "admin": 302},
    ),
    ("get", "import_upload", {}, None, STAFF_ONLY_GET),
    (
        "get",
        "import_preview",
        {"token": "unknown"},
        None,
        {**STAFF_ONLY_GET, "staff": 404, "admin": 404},
    ),
    ("get", "calendar", {}, None, LOGGED_IN),
    ("get", "feed_public", {}, None, EVERYONE),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "name", "kwargs", "data", "expected"),
    MATRIX,
    ids=[f"{m}-{n}-{'-'.join(k.values())}" for m, n, k, _, _ in MATRIX],
)
def test_permission_matrix(client_as, objects, role, method, name, kwargs, data, expected):
    url = reverse(
        f"events:{name}",
        kwargs={k: objects.get(v, v) for k, v in kwargs.items()},
    )
    if data is not None:
        data = {k: objects.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
    response = (
        getattr(client_as(role), method)(url, data)
        if data is not None
        else getattr(client_as(role), method)(url)
    )
    assert response.status_code == expected[role]
    if expected[role] == 302 and role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


def test_minutes_and_materials_stay_off_the_detail_page_for_the_public(client, public_meeting):
    public_meeting.minutes = "非公開の議事内容"
    public_meeting.save()
    page = client.get(reverse("events:meeting_detail", args=[public_meeting.pk])).content.decode()
    assert "非公開の議事内容" not in page
    assert "資料" not in page


def test_materials_are_not_under_media_root(objects, settings):
    from pathlib import Path

    from events.models import Material

    material = Material.objects.get(pk=objects["material"])
    assert not Path(material.file.path).is_relative_to(Path(settings.MEDIA_ROOT))
    assert material.file.storage.base_url is None
