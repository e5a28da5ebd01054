"""The organisation's and staff's catalogue pages in English: no Japanese left but the data
(here all in English, except the Japanese names of the categories staff keep beside the English)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from projects.catalogue.models import Category
from projects.catalogue.services import entries as services
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    StudyGroupFactory,
    person_with_account,
    staff_user,
)
from tests.projects.calls.test_probe_english import JAPANESE, english
from tests.projects.catalogue.factories import CategoryFactory, EntryFactory, EntryImageFactory

pytestmark = pytest.mark.django_db


def japanese_left(html: str) -> list[str]:
    text = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    text = text.replace(settings.KYOSO_SITE_NAME, "")
    data = set(Category.objects.values_list("name", flat=True)) | {"日本語"}
    return [
        text[max(match.start() - 60, 0) : match.end() + 20].replace("\n", " ")
        for match in JAPANESE.finditer(text)
        if match.group() not in data
    ]


@pytest.fixture
def site(db):
    organisation = OrganisationFactory(name="Shonan Marine Tech", name_kana="")
    group = StudyGroupFactory(name="Ocean Energy Study Group", description="Wave power")
    MembershipFactory(organisation=organisation, study_group=group)
    member = person_with_account(organisation, username="en_member", email="en@example.jp").user
    member.person.name = "Kato Ken"
    member.person.name_kana = ""
    member.person.save()
    category = CategoryFactory(name="海洋", name_en="Ocean")
    common = {
        "organisation": organisation,
        "category": category,
        "title_kana": "",
        "summary": "A buoy that measures waves.",
        "details": "Solar powered.",
        "keywords": "buoy, IoT",
        "contact": "R&D",
        "created_by": member,
    }
    returned = EntryFactory(title="Wave buoy", returned_reason="Add a photo.", **common)
    EntryImageFactory(entry=returned, alt="The buoy at sea")
    submitted = EntryFactory(title="Tide gauge", submitted=True, **common)
    services.entry_update(entry=returned, changed_by=member)
    return {
        "member": member,
        "staff": staff_user(username="en_staff"),
        "returned": returned,
        "submitted": submitted,
        "category": category,
    }


PAGES = [
    ("member", "projects:catalogue_mine", None),
    ("member", "projects:entry_create", None),
    ("member", "projects:entry_detail", "returned"),
    ("member", "projects:entry_update", "returned"),
    ("member", "projects:entry_history", "returned"),
    ("member", "projects:entry_detail", "submitted"),
    ("staff", "projects:catalogue_review_queue", None),
    ("staff", "projects:entry_review", "submitted"),
    ("staff", "projects:catalogue_staff_list", None),
    ("staff", "projects:category_list", None),
    ("staff", "projects:category_update", "category"),
]


@pytest.mark.parametrize(
    "who,name,obj", PAGES, ids=[f"{name.split(':')[1]}-{obj or ''}" for _, name, obj in PAGES]
)
def test_every_entry_page_is_english_in_english(site, who, name, obj):
    url = reverse(name, args=[site[obj].pk] if obj else [])
    response = english(site[who]).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert japanese_left(html) == []
