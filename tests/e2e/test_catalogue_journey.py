"""Journey 5: a member firm registers a product in the catalogue with a picture and submits it,
staff publish it (after a send-back without a reason is refused), and a visitor finds it by a
katakana word typed in hiragana."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from members.models import Sector
from projects.catalogue.forms import EntryReturnForm
from projects.catalogue.models import Category, Entry, EntryImage
from tests.e2e.helpers import LANGUAGES, exact, field_error, log_in, log_out, open_site, shown, ui
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    StudyGroupFactory,
    person_with_account,
    staff_user,
)
from tests.projects.catalogue.factories import EntryFactory, image_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COMPANY = "湘南マリンテック株式会社"
GROUP = "平塚海洋エネルギー研究会"
TITLE = "スマートブイ観測システム"
KANA = "スマートブイカンソクシステム"
SUMMARY = "波浪・水温・潮流を測るブイの観測値を、携帯回線で10分ごとに送るシステム。"
ALT = "海に浮かぶ黄色い観測ブイと、陸上の受信局を結ぶ図"
MEMBER_EMAIL = "kato@shonan-marinetech.example.jp"
STAFF_EMAIL = "sangyo@city.example.jp"
SEARCH = "すまーとぶい"  # the long vowel mark ー is the same in hiragana and katakana


def _category(lang: str) -> str:
    energy = Category.objects.get(name="エネルギー")  # one of the migration's defaults
    return energy.name_en if lang == "en" else energy.name


def _register(page: Page, base: str, lang: str, shot) -> Entry:
    """The company person opens their organisation's catalogue, writes a draft, adds a picture
    and asks for review."""
    log_in(page, base, lang, MEMBER_EMAIL)
    page.locator("header").get_by_role("link", name=ui(lang, "自団体"), exact=True).click()
    expect(page.get_by_role("heading", name=COMPANY)).to_be_visible()
    page.locator("main").get_by_role("link", name=ui(lang, "自団体の技術・製品")).click()
    expect(page.get_by_role("heading", name=ui(lang, "自団体の技術・製品"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("潮流発電タービン")  # the firm's earlier entry
    shot(page, "my-entries")
    page.locator("main").get_by_role("link", name=ui(lang, "技術・製品を登録")).click()
    expect(page.get_by_role("heading", name=ui(lang, "技術・製品を登録"))).to_be_visible()

    page.get_by_label(shown(lang, Entry.Kind.PRODUCT.label), exact=True).check()
    page.get_by_label(exact(lang, "名称")).fill(TITLE)
    page.get_by_label(exact(lang, "名称カナ")).fill(KANA)
    page.get_by_label(exact(lang, "分野")).select_option(label=_category(lang))
    page.get_by_label(exact(lang, "概要")).fill(SUMMARY)
    page.get_by_label(exact(lang, "詳細")).fill(
        "平塚沖での実証で、荒天時も欠測なく観測できることを確かめた。漁協の操業情報にも使える。"
    )
    page.get_by_label(exact(lang, "キーワード")).fill("観測ブイ、IoT、海洋観測")
    page.get_by_label(exact(lang, "問い合わせ先")).fill("技術開発部 加藤")
    page.get_by_label(exact(lang, "リンク")).fill("https://www.shonan-marinetech.example.jp/buoy/")
    page.get_by_label(GROUP, exact=True).check()
    shot(page, "entry-form")
    page.locator("main").get_by_role("button", name=ui(lang, "下書きを保存")).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    saved = "下書きを保存しました。画像を追加し、内容を確認して「審査を依頼する」を押してください。"
    expect(page.locator(".messages")).to_contain_text(ui(lang, saved))
    entry = Entry.objects.get(title=TITLE)
    assert (entry.status, entry.organisation.name, entry.kind) == ("draft", COMPANY, "product")
    assert [g.name for g in entry.study_groups.all()] == [GROUP]

    # A 2000×1200 PNG: stored as a JPEG at most 1600 pixels wide, with its alt text.
    picture = image_bytes(2000, 1200, format="PNG")
    page.get_by_label(exact(lang, "画像")).set_input_files(
        {"name": "buoy.png", "mimeType": "image/png", "buffer": picture}
    )
    page.get_by_label(exact(lang, "代替テキスト")).fill(ALT)
    page.locator("main").get_by_role("button", name=ui(lang, "画像を追加")).click()
    expect(page.locator(".messages")).to_contain_text(ui(lang, "画像を追加しました。"))
    expect(page.locator("main .attachment-list img")).to_have_attribute("alt", ALT)
    image = EntryImage.objects.get(entry=entry)
    assert (image.width, image.height, image.image.name[-4:]) == (1600, 960, ".jpg")
    shot(page, "draft-with-picture")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("main").get_by_role("button", name=ui(lang, "審査を依頼する")).click()
    expect(page.locator(".messages")).to_contain_text(
        ui(lang, "審査を依頼しました。事務局が確認して公開します。")
    )
    expect(page.locator("main")).to_contain_text(shown(lang, Entry.Status.SUBMITTED.label))
    shot(page, "submitted")
    entry.refresh_from_db()
    assert entry.status == "submitted" and entry.submitted_at is not None
    log_out(page, lang)
    return entry


def _publish(page: Page, base: str, lang: str, entry: Entry, shot) -> None:
    """Staff open the review queue; a send-back without a reason is refused; they publish."""
    log_in(page, base, lang, STAFF_EMAIL)
    page.locator("header").get_by_role("link", name=ui(lang, "技術・製品の審査")).click()
    expect(page.get_by_role("heading", name=ui(lang, "技術・製品の審査"))).to_be_visible()
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text(COMPANY)
    shot(page, "review-queue")
    row.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.locator("main")).to_contain_text(SUMMARY)

    page.locator("main").get_by_role("button", name=ui(lang, "理由を添えて差し戻す")).click()
    required = shown(lang, EntryReturnForm().fields["reason"].error_messages["required"])
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(field_error(lang, ui(lang, "差し戻しの理由"), required))
    shot(page, "return-without-reason")
    entry.refresh_from_db()
    assert (entry.status, entry.returned_reason) == ("submitted", "")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("main").get_by_role("button", name=ui(lang, "公開する")).click()
    published = ui(lang, "「%(title)s」を公開しました。") % {"title": TITLE}
    expect(page.locator(".messages")).to_contain_text(published)
    expect(page.get_by_role("row").filter(has_text=TITLE)).to_have_count(0)
    shot(page, "published")
    entry.refresh_from_db()
    assert entry.status == "published" and entry.reviewed_by.email == STAFF_EMAIL
    log_out(page, lang)


def _find(page: Page, base: str, lang: str, shot) -> None:
    """A visitor goes from the home page to the catalogue, types the word in hiragana, finds
    the entry and reads its picture's description and organisation."""
    open_site(page, base, lang)
    page.locator("header").get_by_role("link", name=ui(lang, "技術・製品"), exact=True).click()
    expect(page.get_by_role("heading", name=ui(lang, "技術・製品・サービス一覧"))).to_be_visible()
    page.get_by_role("searchbox", name=ui(lang, "キーワード")).fill(SEARCH)
    page.get_by_role("search").get_by_role("button", name=ui(lang, "検索")).click()
    results = page.locator("main .catalogue-results")
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    expect(results).not_to_contain_text("潮流発電タービン")  # published, but not a match
    expect(results).not_to_contain_text("スマートブイ充電ステーション")  # a match, not published
    shot(page, "search-results")
    results.get_by_role("link", name=TITLE).click()

    expect(page.get_by_role("heading", name=TITLE, exact=True)).to_be_visible()
    picture = page.locator("main figure")
    expect(picture.locator("img")).to_have_attribute("alt", ALT)
    expect(picture.locator("figcaption")).to_have_text(ALT)
    organisation = page.locator("dt", has_text=exact(lang, "団体")).locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(organisation).to_have_text(COMPANY)
    expect(page.locator("main")).to_contain_text(SUMMARY)
    # The picture itself is served to the visitor (the entry is published).
    source = picture.locator("img").evaluate("img => img.src")
    assert page.request.get(source).headers["content-type"] == "image/jpeg"
    shot(page, "entry-page")
    organisation.get_by_role("link", name=COMPANY).click()
    expect(page.get_by_role("heading", name=COMPANY)).to_be_visible()
    expect(page.locator("main").get_by_role("link", name=TITLE)).to_be_visible()
    shot(page, "organisation-page")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_member_firm_submits_an_entry_staff_publish_it_and_a_visitor_finds_it_in_hiragana(
    live_server, tablet, shot, lang
):
    page, base = tablet, live_server.url
    if lang == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    company = OrganisationFactory(
        name=COMPANY, name_kana="ショウナンマリンテック", sector=Sector.COMPANY, is_local=True
    )
    MembershipFactory(organisation=company, study_group=StudyGroupFactory(name=GROUP))
    person_with_account(company, username="kato", email=MEMBER_EMAIL)
    staff_user(username="jimukyoku", email=STAFF_EMAIL)
    energy = Category.objects.get(name="エネルギー")
    EntryFactory(organisation=company, title="潮流発電タービン", category=energy, published=True)
    EntryFactory(title="スマートブイ充電ステーション", category=energy)  # another firm's draft

    entry = _register(page, base, lang, shot)
    _publish(page, base, lang, entry, shot)
    _find(page, base, lang, shot)
