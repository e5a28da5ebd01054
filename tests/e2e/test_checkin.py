"""受付 at the door in Chromium: a ticket read by the tablet's camera (Chromium's fake camera,
fed a Y4M video of the ticket's QR code made here) and by a keyboard-wedge scanner (types the
ticket into the focused field and presses Enter)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import segno
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Attendance
from events.tickets import ticket_payload
from tests.e2e.conftest import LAUNCH_ARGS, chromium_path
from tests.e2e.helpers import LANGUAGES, log_in, ui
from tests.events.factories import MeetingFactory, RegistrationFactory
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    StudyGroupFactory,
    person_with_account,
    staff_user,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTH, HEIGHT, FRAMES = 640, 480, 15
WAIT = 15_000  # ms: a scan's answer on a machine busy with other tests (as the pages' timeout)


def qr_video(data: str, path: Path) -> Path:
    """A grey Y4M video (4:2:0) of ``data``'s QR code, centred, light background: the Y plane is
    the picture, U and V are 128 (no colour)."""
    matrix = segno.make(data, error="m").matrix  # rows of 0/1, without the quiet zone
    modules = len(matrix)
    scale = (min(WIDTH, HEIGHT) - 80) // (modules + 8)
    size = (modules + 8) * scale  # with a quiet zone of four modules each side
    left, top = (WIDTH - size) // 2, (HEIGHT - size) // 2
    luma = bytearray([235]) * (WIDTH * HEIGHT)
    for y in range(size):
        row = y // scale - 4
        if not 0 <= row < modules:
            continue
        line = (top + y) * WIDTH + left
        for x in range(size):
            column = x // scale - 4
            if 0 <= column < modules and matrix[row][column]:
                luma[line + x] = 16
    chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F15:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * FRAMES)
    return path


@pytest.fixture
def door(db):
    """A 部会 meeting that started ten minutes ago, one registered member, a staffer."""
    group = StudyGroupFactory(name="平塚海洋エネルギー研究会")
    organisation = OrganisationFactory(name="株式会社湘南マリン", name_kana="ショウナンマリン")
    MembershipFactory(organisation=organisation, study_group=group)
    person = person_with_account(organisation, username="takahashi", email="t@example.jp")
    person.name = "高橋 一郎"
    person.save(update_fields=["name"])
    starts = timezone.now() - dt.timedelta(minutes=10)
    meeting = MeetingFactory(study_group=group, title="第6回 波力発電部会", starts_at=starts)
    registration = RegistrationFactory(meeting=meeting, person=person)
    staff_user(username="uketsuke", email="uketsuke@city.example.jp")
    return meeting, registration, person


@pytest.fixture
def camera_tablet(browser, door, tmp_path):
    """A tablet whose camera shows the ticket: a Chromium of its own, launched with the fake
    camera fed a video of the ticket's QR code (the flags apply to a whole browser)."""
    if chromium_path() is None:
        pytest.skip("no Chromium")
    _meeting, registration, _person = door
    video = qr_video(ticket_payload(registration.ticket_token), tmp_path / "ticket.y4m")
    camera = browser.browser_type.launch(
        executable_path=chromium_path(),
        headless=True,
        args=[
            *LAUNCH_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    context = camera.new_context(viewport={"width": 1024, "height": 768}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(20_000)
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page
    context.close()
    camera.close()
    assert not violations, f"CSP violations: {violations}"


def _open_checkin(page, base: str, lang: str, meeting) -> None:
    if lang == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    log_in(page, base, lang, "uketsuke@city.example.jp")
    page.goto(f"{base}/events/{meeting.pk}/")
    page.locator("main").get_by_role("link", name=ui(lang, "受付（QRコード）")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(meeting.title)


def test_the_camera_reads_a_ticket_and_the_panel_turns_green(
    live_server, camera_tablet, door, shot
):
    page, base = camera_tablet, live_server.url
    meeting, registration, person = door
    _open_checkin(page, base, "ja", meeting)
    shot(page, "checkin-mode")
    expect(page.get_by_role("button", name=ui("ja", "カメラを止める"))).to_be_hidden()
    page.get_by_role("button", name=ui("ja", "カメラで読み取る")).click()
    panel = page.locator("#checkin-panel")
    expect(panel).to_have_class("checkin-panel checkin-panel--ok", timeout=WAIT)
    expect(panel).to_contain_text("高橋 一郎")
    expect(panel).to_contain_text("株式会社湘南マリン")
    expect(page.locator("[data-count=checked_in]")).to_have_text("1")
    shot(page, "camera-green")
    # The ticket stays in front of the camera: it is not checked in again.
    page.wait_for_timeout(1500)
    page.get_by_role("button", name=ui("ja", "カメラを止める")).click()
    assert Attendance.objects.filter(meeting=meeting, person=person, status="attended").count() == 1
    registration.refresh_from_db()
    assert registration.checked_in_at is not None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_keyboard_wedge_scanner_checks_in_then_says_already(
    live_server, tablet, door, shot, lang
):
    page, base = tablet, live_server.url
    meeting, registration, person = door
    _open_checkin(page, base, lang, meeting)
    field = page.get_by_label(
        ui(lang, "受付票（バーコードスキャナーで読み取るか、入力して Enter）")
    )
    expect(field).to_be_focused()
    panel = page.locator("#checkin-panel")

    # The scanner types the ticket and Enter, as fast as a keyboard can.
    page.keyboard.type(ticket_payload(registration.ticket_token), delay=0)
    page.keyboard.press("Enter")
    expect(panel).to_have_class("checkin-panel checkin-panel--ok", timeout=WAIT)
    expect(panel).to_contain_text("高橋 一郎")
    expect(field).to_be_focused()
    expect(field).to_have_value("")
    shot(page, "wedge-green")

    page.keyboard.type(ticket_payload(registration.ticket_token), delay=0)
    page.keyboard.press("Enter")
    expect(panel).to_have_class("checkin-panel checkin-panel--already", timeout=WAIT)
    registration.refresh_from_db()
    at = f"{timezone.localtime(registration.checked_in_at):%H:%M}"
    expect(panel).to_contain_text(ui(lang, "受付済み %(time)s") % {"time": at})
    shot(page, "wedge-amber")
    assert Attendance.objects.filter(meeting=meeting, person=person).count() == 1

    # A ticket of nothing: red, with the reason.
    page.keyboard.type("KYOSO-T:guessed-token-000000000000", delay=0)
    page.keyboard.press("Enter")
    expect(panel).to_have_class("checkin-panel checkin-panel--rejected", timeout=WAIT)
    expect(panel).to_contain_text(ui(lang, "登録されていない受付票です"))

    # On a 390 px phone the page has no horizontal overflow.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shot(page, "phone")


def test_the_door_poster_prints_and_a_members_phone_checks_in_with_it(
    live_server, browser, tablet, door, shot, settings
):
    page, base = tablet, live_server.url
    meeting, registration, person = door
    _open_checkin(page, base, "ja", meeting)
    page.get_by_role("link", name=ui("ja", "ドア掲示用の受付QRコード（A4）")).click()
    poster = page.locator(".poster")
    expect(poster.get_by_role("img", name=ui("ja", "自分で受付するためのQRコード"))).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name=ui("ja", "印刷する"))).to_be_hidden()
    shot(page, "poster-print")
    address = poster.locator(".poster__url").inner_text().strip()
    path = address.removeprefix(settings.KYOSO_SITE_URL)
    assert path == f"/events/door/{meeting.door_token}/"

    # The member's phone opens the poster's address, signs in and checks in.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    mobile = phone.new_page()
    mobile.set_default_timeout(15_000)
    mobile.goto(base + path)
    mobile.locator("input[name=login]").fill("t@example.jp")
    mobile.locator("input[name=password]").fill("pass-kyoso-2024")
    mobile.locator("main").get_by_role("button", name=ui("ja", "ログイン")).click()
    expect(mobile.get_by_role("heading", level=1)).to_have_text(ui("ja", "受付"), timeout=WAIT)
    mobile.get_by_role("button", name=ui("ja", "出席を記録する")).click()
    result = mobile.locator("#checkin-panel")
    expect(result).to_have_class("checkin-panel checkin-panel--ok", timeout=WAIT)
    expect(result).to_contain_text("高橋 一郎")
    assert mobile.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(mobile, "self-checkin-phone")
    phone.close()
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    assert Attendance.objects.filter(meeting=meeting, person=person).count() == 1
