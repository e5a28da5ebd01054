"""Events access beyond the status matrix (tests/test_url_matrix.py): what stays off public
pages, where materials are stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events import services
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
