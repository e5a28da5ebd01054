"""The page conventions a Japanese city's site is held to (JIS X 8341-3 AA, the Digital Agency's
design system), as the server renders them: 必須/任意 on every form field, fields grouped in
fieldsets, help texts and errors linked by ids that exist, 「エラー：」 in the title after a
failed submit, the error summary ready to take focus, ``aria-current`` in the menu, ``lang="ja"``
on Japanese data in an English page and ``lang="en"`` on English data in a Japanese one, and
「すべて」 for an open filter."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from consortium.templatetags.menu import mark_current
from tests.events.factories import MeetingFactory

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    """The ids, the aria-describedby references, the labels and the title of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.described: list[str] = []
        self.labels: list[str] = []
        self.legends: list[str] = []
        self.title = ""
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if attributes.get("aria-describedby"):
            self.described += str(attributes["aria-describedby"]).split()
        if tag in {"label", "legend", "title"}:
            self._in.append(tag)
            if tag == "label":
                self.labels.append("")
            elif tag == "legend":
                self.legends.append("")

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if not self._in:
            return
        where = self._in[-1]
        if where == "title":
            self.title += data
        elif where == "label":
            self.labels[-1] += data
        elif where == "legend":
            self.legends[-1] += data


def parse(response) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    return page


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_sign_up_form_marks_each_field_required_or_optional_in_groups(client):
    page = parse(client.get(reverse("account_signup")))
    labels = [squash(label) for label in page.labels]
    assert "氏名 必須" in labels
    assert "氏名カナ 任意" in labels
    assert "メールアドレス 必須" in labels
    fields = [label for label in labels if label not in {"市内", "市外"}]  # a radio's choices
    assert all(label.endswith(("必須", "任意")) for label in fields), labels
    assert not [label for label in labels if ":" in label]  # no ASCII colons after labels
    assert [squash(legend) for legend in page.legends][:1] == ["ご本人"]
    assert {"ご本人", "所属団体", "ログイン情報"} <= {squash(legend) for legend in page.legends}
    assert "所在地の区分 必須" in [squash(legend) for legend in page.legends]  # radio buttons


def test_every_aria_describedby_points_at_an_element_that_exists(client):
    pages = [
        client.get(reverse("account_signup")),
        client.post(reverse("account_signup"), {"email": "not-an-address"}),
    ]
    for response in pages:
        page = parse(response)
        assert page.described, "help texts and errors are linked to their fields"
        assert not [ref for ref in page.described if ref not in page.ids]


def test_a_failed_submit_says_error_in_the_title_and_offers_the_summary(client):
    page = client.get(reverse("account_signup"))
    assert not parse(page).title.startswith("エラー")
    failed = client.post(reverse("account_signup"), {"email": "not-an-address"})
    html = failed.content.decode()
    assert parse(failed).title.startswith("エラー：利用登録")
    assert 'role="alert" tabindex="-1" data-error-summary' in html
    # Each error in the summary links to its field, 「名前：エラー」 with a full-width colon.
    assert re.search(r'<a href="#id_email">メールアドレス</a>：', html)
    english = client.post(reverse("account_signup"), {"email": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert parse(english).title.startswith("Error: ")


def test_a_failed_staff_form_is_titled_error_too(client_as):
    response = client_as("staff").post(reverse("events:meeting_create"), {})
    assert response.status_code == 200
    assert parse(response).title.startswith("エラー：")


def test_the_menu_marks_the_current_page_and_the_section_of_a_page_under_it(client_as):
    client = client_as("staff")
    html = client.get(reverse("events:meeting_list")).content.decode()
    assert f'<a href="{reverse("events:meeting_list")}" aria-current="page">' in html
    assert html.count("aria-current=") == 1
    meeting = MeetingFactory()
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert f'<a href="{reverse("events:meeting_list")}" aria-current="true">' in html
    # The longest matching item wins: マイ会議 (/events/mine/) over 会議 (/events/).
    html = client_as("member_a").get(reverse("events:my_meetings")).content.decode()
    assert f'<a href="{reverse("events:my_meetings")}" aria-current="page">' in html
    assert html.count("aria-current=") == 1


def test_mark_current_leaves_the_home_page_and_other_sites_alone():
    menu = '<li><a href="/">Home</a></li><li><a href="/events/">会議</a></li>'
    assert mark_current(menu, "/") == menu
    assert mark_current(menu, "/projects/") == menu
    assert 'href="/events/" aria-current="true"' in mark_current(menu, "/events/3/")


def test_japanese_data_on_an_english_page_is_marked_lang_ja(client_as, study_group):
    client = client_as("staff")
    url = reverse("members:studygroup_detail", args=[study_group.pk])
    japanese = client.get(url).content.decode()
    assert '<span lang="ja">' not in japanese
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span lang="ja">平塚海洋エネルギー研究会</span>' in english


def test_the_ja_filter_escapes_and_leaves_latin_text_unmarked():
    template = Template("{{ value|ja }}")
    with translation.override("en"):
        assert template.render(Context({"value": "<b>海</b>"})) == (
            '<span lang="ja">&lt;b&gt;海&lt;/b&gt;</span>'
        )
        assert template.render(Context({"value": "Kyoso Ltd."})) == "Kyoso Ltd."
    with translation.override("ja"):
        assert template.render(Context({"value": "海"})) == "海"


@pytest.mark.parametrize(
    "url_name", ["events:meeting_list", "projects:project_list", "members:organisation_list"]
)
def test_an_open_filter_reads_all_not_dashes(client_as, url_name):
    html = client_as("staff").get(reverse(url_name)).content.decode()
    assert "---------" not in html
    assert ">すべて</option>" in html


def test_no_page_title_says_error_for_an_unbound_form():
    client = Client()
    assert not parse(client.get(reverse("account_login"))).title.startswith("エラー")


def test_english_data_on_a_japanese_page_is_marked_lang_en(client_as):
    from projects.models import Phase

    Phase.objects.filter(name="実証").update(name_en="Demonstration")
    client = client_as("staff")
    url = reverse("projects:phase_list")
    japanese = client.get(url).content.decode()
    assert '<td><span lang="en">Demonstration</span></td>' in japanese
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span lang="en">' not in english
    # The English fields are typed and read in English on a Japanese form too.
    assert re.search(r'<input[^>]*name="name_en"[^>]*lang="en"', japanese)
    meeting_form = client.get(reverse("events:meeting_create")).content.decode()
    assert re.search(r'<input[^>]*name="title_en"[^>]*lang="en"', meeting_form)


def test_the_en_filter_escapes_and_marks_only_on_a_page_in_another_language():
    template = Template("{{ value|en }}")
    with translation.override("ja"):
        assert template.render(Context({"value": "<b>Wave</b>"})) == (
            '<span lang="en">&lt;b&gt;Wave&lt;/b&gt;</span>'
        )
        assert template.render(Context({"value": ""})) == ""
    with translation.override("en"):
        assert template.render(Context({"value": "Wave"})) == "Wave"
