"""Organisations are found however their name was typed, on the server only."""

import pytest

from members.matching import organisation_name_key
from members.models import Organisation
from tests.members.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed",
    [
        "株式会社日立製作所",
        "（株）日立製作所",
        "(株)日立製作所",
        "㈱日立製作所",
        "日立製作所 株式会社",
        "株式会社　日立製作所",
        " 日立製作所 ",
    ],
)
def test_legal_forms_spaces_and_widths_share_one_key(typed):
    assert organisation_name_key(typed) == organisation_name_key("株式会社日立製作所")


def test_full_and_half_width_letters_and_digits_match():
    assert organisation_name_key("ＮＥＣソリューション２１") == organisation_name_key(
        "NECソリューション21"
    )
    assert organisation_name_key("東京大学") != organisation_name_key("東京工業大学")


def test_a_corporate_number_matches_exactly_whatever_the_name():
    org = OrganisationFactory(name="株式会社日立製作所")
    found = Organisation.objects.matching(name="ヒタチ", corporate_number=org.corporate_number)
    assert list(found) == [org]


def test_the_key_follows_a_rename():
    org = OrganisationFactory(name="旧社名株式会社")
    org.name = "新社名株式会社"
    org.save(update_fields=["name"])
    assert list(Organisation.objects.matching(name="（株）新社名")) == [org]


def test_candidates_add_similar_names_after_exact_matches():
    exact = OrganisationFactory(name="横浜ゴム株式会社")
    plant = OrganisationFactory(name="横浜ゴム株式会社 平塚製造所")
    OrganisationFactory(name="平塚信用金庫")
    assert Organisation.objects.candidates(name="(株)横浜ゴム") == [exact, plant]
