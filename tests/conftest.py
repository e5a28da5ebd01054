"""Shared fixtures: the five roles every permission matrix checks.

- ``anonymous``: nobody signed in
- ``member_a`` / ``member_b``: a person of organisation A / B, each a member of the study group
- ``staff``: secretariat staff (事務局)
- ``admin``: administrator (管理者)

``client_as(role)`` gives a Django test client signed in as that role.
"""

import pytest
from django.test import Client
from pytest_django.plugin import pytest_collection_modifyitems as _django_test_order

from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    StudyGroupFactory,
    administrator_user,
    person_with_account,
    staff_user,
)

ROLES = ("anonymous", "member_a", "member_b", "staff", "admin")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Random order (pytest-randomly) within pytest-django's classes: tests in a transaction
    first, then those that commit (``transaction=True``, live servers), whose flush at the end
    removes what the data migrations made (role groups, phases) for any test after them."""
    _django_test_order(items)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in Japanese: a request in English must not leave English active for
    the tests after it (the locale middleware activates the request's language on this thread)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def study_group(db):
    return StudyGroupFactory(name="平塚海洋エネルギー研究会")


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="株式会社Aマリン", name_kana="エーマリン")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(name="B電機株式会社", name_kana="ビーデンキ", is_local=False)


@pytest.fixture
def people(db, study_group, org_a, org_b):
    """One signed-up user per role; A and B are members of ``study_group``."""
    MembershipFactory(organisation=org_a, study_group=study_group)
    MembershipFactory(organisation=org_b, study_group=study_group)
    return {
        "anonymous": None,
        "member_a": person_with_account(org_a, username="member_a", email="a@example.jp").user,
        "member_b": person_with_account(org_b, username="member_b", email="b@example.jp").user,
        "staff": staff_user(username="staff", email="staff@city.example.jp"),
        "admin": administrator_user(username="admin", email="admin@city.example.jp"),
    }


@pytest.fixture
def client_as(people):
    def make(role: str) -> Client:
        client = Client()
        if people[role] is not None:
            client.force_login(people[role])
        return client

    return make
