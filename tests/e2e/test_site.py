"""The site opens in Japanese and switches to English in a real browser."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_home_opens_in_japanese_and_switches_to_english(live_server, tablet, shot):
    from tests.factories import StudyGroupFactory

    StudyGroupFactory(name="平塚海洋エネルギー研究会")
    tablet.goto(live_server.url + "/")
    assert tablet.locator("html").get_attribute("lang") == "ja"
    assert tablet.get_by_role("heading", name="平塚海洋エネルギー研究会").is_visible()
    shot(tablet, "home-ja")

    tablet.get_by_role("button", name="English").click()
    tablet.wait_for_load_state()
    assert tablet.locator("html").get_attribute("lang") == "en"
    shot(tablet, "home-en")
