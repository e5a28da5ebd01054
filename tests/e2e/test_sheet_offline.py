"""The attendance sheet on a tablet that loses its connection: no tap is lost or applied twice;
the buttons keep their place and the focus; each button says whom it is for; a phone shows the
sheet without sideways scrolling."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from playwright.sync_api import expect

from events.models import Attendance, AttendanceMark, Meeting
from tests.e2e.helpers import LANGUAGES, log_in, ui
from tests.events.factories import MeetingFactory
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    StudyGroupFactory,
    staff_user,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NAMES = ("高橋 一郎", "鈴木 花子", "田中 次郎", "伊藤 三郎", "渡辺 四郎", "山本 健二")
STAFF_EMAIL = "sangyo@city.example.jp"


def _pending(lang: str, n: int) -> str:
    with translation.override(lang):
        return translation.ngettext("未送信 {n}件", "未送信 {n}件", n).replace("{n}", str(n))


def _label(lang: str, status_msgid: str, name: str) -> str:
    return ui(lang, f"{status_msgid}：%(name)s") % {"name": name}


@pytest.fixture
def sheet_meeting():
    group = StudyGroupFactory(name="平塚海洋エネルギー研究会")
    organisation = OrganisationFactory(name="株式会社湘南マリン", name_kana="ショウナンマリン")
    MembershipFactory(organisation=organisation, study_group=group)
    people = [
        PersonFactory(organisation=organisation, name=name, name_kana=f"カナ{n}")
        for n, name in enumerate(NAMES)
    ]
    meeting = MeetingFactory(
        study_group=group, title="第5回 波力発電部会", date=dt.date(2025, 7, 10)
    )
    staff_user(username="jimukyoku", email=STAFF_EMAIL)
    return meeting, people


def _open_sheet(page, base: str, lang: str, meeting: Meeting) -> None:
    if lang == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    log_in(page, base, lang, STAFF_EMAIL)
    page.goto(f"{base}/events/{meeting.pk}/attendance/")
    expect(
        page.get_by_role("heading", name=f"{ui(lang, '出席簿')}: {meeting.title}")
    ).to_be_visible()


def _boxes(row) -> list[list[float]]:
    """Where the row's buttons are on the page (not in the viewport, which a click may scroll),
    the kept place of 「記録を消す」 included."""
    return row.evaluate(
        """row => [...row.querySelectorAll("form, button")].map(element => {
            const box = element.getBoundingClientRect();
            return [box.left + window.scrollX, box.top + window.scrollY, box.width, box.height];
        })"""
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_marks_made_offline_are_sent_once_when_the_tablet_is_back(
    live_server, tablet, shot, lang, sheet_meeting
):
    page, base = tablet, live_server.url
    meeting, people = sheet_meeting
    _open_sheet(page, base, lang, meeting)
    assert page.viewport_size == {"width": 1024, "height": 768}

    # Each button names its person; 48 identical 「出席」 were useless to a screen reader.
    first = page.locator(f"#p{people[0].pk}")
    attended = page.get_by_role("button", name=_label(lang, "出席", people[0].name), exact=True)
    expect(attended).to_be_visible()
    for msgid in ("欠席", "欠席連絡あり"):
        expect(page.get_by_role("button", name=_label(lang, msgid, people[0].name))).to_be_visible()

    # Online: a tap moves nothing (「記録を消す」 appears in a place kept for it) and the focus
    # stays on the same button of the redrawn row.
    before = _boxes(first)
    attended.click()
    expect(first.locator("button[value=attended]")).to_have_attribute("aria-pressed", "true")
    expect(
        first.get_by_role("button", name=_label(lang, "記録を消す", people[0].name))
    ).to_be_visible()
    expect(page.locator("#sheet-sync")).to_be_hidden()
    assert _boxes(first) == before
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == _label(
        lang, "出席", people[0].name
    )
    shot(page, "online-mark")

    # The keyboard: Enter on a focused button marks, and the focus is still there afterwards.
    second = page.locator(f"#p{people[1].pk}")
    second.locator("button[value=excused]").focus()
    page.keyboard.press("Enter")
    expect(second.locator("button[value=excused]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#sheet-sync")).to_be_hidden()
    page.wait_for_function("() => !document.querySelector('.sheet-row--pending')")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == _label(
        lang, "欠席連絡あり", people[1].name
    )

    # Offline: three taps show at once as pending, and the sheet says how many wait.
    page.context.set_offline(True)
    offline_people = people[2:5]
    for person in offline_people:
        page.locator(f"#p{person.pk} button[value=attended]").click()
        expect(page.locator(f"#p{person.pk} button[value=attended]")).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(page.locator(f"#p{person.pk} [data-row-state]")).to_have_text(ui(lang, "未送信"))
    expect(page.locator("#sheet-sync")).to_contain_text(_pending(lang, 3))
    expect(page.locator("[data-sync-error]")).to_be_hidden()  # offline is no error
    shot(page, "offline-three-pending")
    assert not Attendance.objects.filter(person__in=offline_people).exists()
    staff = User.objects.get(email=STAFF_EMAIL)
    queue_key = f"kyoso.sheet.{meeting.pk}.{staff.pk}.queue"
    queued = page.evaluate(f"localStorage.getItem('{queue_key}')")

    # Back online: the queue goes out in order, by itself.
    page.context.set_offline(False)
    expect(page.locator("#sheet-sync")).to_be_hidden(timeout=20_000)
    page.reload()
    for person in offline_people:
        expect(page.locator(f"#p{person.pk} button[value=attended]")).to_have_attribute(
            "aria-pressed", "true"
        )
    assert Attendance.objects.filter(person__in=offline_people, status="attended").count() == 3
    assert AttendanceMark.objects.filter(meeting=meeting).count() == 5  # 2 online, 3 queued

    # The same queue sent again (a lost answer, a second tab): nothing is applied twice.
    page.evaluate(f"localStorage.setItem('{queue_key}', {queued!r})")
    page.reload()
    expect(page.locator("#sheet-sync")).to_be_hidden(timeout=20_000)
    page.wait_for_function(f"() => !localStorage.getItem('{queue_key}')")
    for person in offline_people:
        assert Attendance.objects.filter(meeting=meeting, person=person).count() == 1
        assert Attendance.history.filter(person_id=person.pk).count() == 1
    assert AttendanceMark.objects.filter(meeting=meeting).count() == 5
    shot(page, "back-online-stored-once")


def test_a_failed_save_shows_a_red_banner_and_retry_stores_it(
    live_server, tablet, shot, sheet_meeting
):
    page, base = tablet, live_server.url
    meeting, people = sheet_meeting
    _open_sheet(page, base, "ja", meeting)
    url = f"{base}/events/{meeting.pk}/attendance/"

    def server_down(route):
        if route.request.method == "POST":
            route.fulfill(status=503, body="down")
        else:
            route.continue_()

    page.route(url, server_down)
    person = people[5]
    page.locator(f"#p{person.pk} button[value=absent]").click()
    error = page.locator("[data-sync-error]")
    expect(error).to_be_visible()
    expect(error).to_have_text("保存できませんでした・再試行")
    expect(page.locator("#sheet-sync")).to_contain_text(_pending("ja", 1))
    shot(page, "save-failed")
    assert not Attendance.objects.filter(person=person).exists()
    page.unroute(url)
    error.get_by_role("button", name="再試行").click()
    expect(page.locator("#sheet-sync")).to_be_hidden(timeout=20_000)
    assert Attendance.objects.get(person=person).status == "absent"


def test_the_search_filters_rows_as_staff_type(live_server, tablet, sheet_meeting):
    page, base = tablet, live_server.url
    meeting, people = sheet_meeting
    _open_sheet(page, base, "ja", meeting)
    page.get_by_label("氏名・カナ・団体名で検索").fill("山本健二")  # no space: finds 「山本 健二」
    expect(page.locator(f"#p{people[5].pk}")).to_be_visible()
    expect(page.locator(f"#p{people[0].pk}")).to_be_hidden()
    expect(page.locator("#sheet-matches")).to_have_text("名簿で 1 人が一致")
    page.get_by_label("氏名・カナ・団体名で検索").fill("しょうなんまりん")  # organisation, hiragana
    expect(page.locator(f"#p{people[0].pk}")).to_be_visible()
    expect(page.locator("#sheet-matches")).to_have_text(f"名簿で {len(people)} 人が一致")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_sheet_fits_a_phone(live_server, browser, shot, lang, sheet_meeting):
    meeting, _people = sheet_meeting
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    page = context.new_page()
    try:
        _open_sheet(page, live_server.url, lang, meeting)
        page.locator("details.walk-in > summary").click()  # the walk-in form open, too
        page.get_by_label(ui(lang, "氏名・カナ・団体名で検索")).fill("高橋")
        shot(page, "phone-search-and-walk-in")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the sheet is {width}px wide on a 390px phone"
        page.get_by_label(ui(lang, "氏名・カナ・団体名で検索")).fill("")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
