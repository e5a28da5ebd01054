"""Journey 4: a company applies to a 公募, two reviewers score it, staff adopt it, and the
adopted trial becomes a project with its funding."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from consortium.fiscal import current_fiscal_year, fiscal_label
from members.models import Sector
from projects.calls.models import Application, ApplicationAttachment, BudgetLine, Call
from projects.models import Funding
from tests.e2e.helpers import LANGUAGES, exact, field_error, log_in, log_out, shown, ui
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    StudyGroupFactory,
    person_with_account,
    staff_user,
)
from tests.projects.calls.factories import (
    PDF_BYTES,
    CallFactory,
    CityChallengeFactory,
    ReviewCriterionFactory,
    SupportKindFactory,
    reviewer_user,
)
from tests.projects.factories import FunderFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CALL_TITLE = "Society 5.0 社会実装トライアル支援事業"
PROPOSAL = "AIオンデマンド交通の実証"
COMPANY = "つくばモビリティ株式会社"
UNIVERSITY = "筑波大学"
FUNDER = "つくば市"
MAXIMUM = 1_000_000
# (criterion, weight, the secretariat reviewer's score, the outside reviewer's score)
CRITERIA = (
    ("新規性・先進性", 2, 4, 5),
    ("実現可能性", 1, 5, 4),
    ("市の課題への貢献", 1, 4, 3),
)
# Both reviewers' weighted totals are 17 (no spread); Σ(weight × mean) / Σ weight = 4.25.
WEIGHTED_AVERAGE = "4.25"


def _open_call():
    """A published call open for ten more days (three criteria, funding of the trial as its
    support, one challenge), and a call of last year that has closed."""
    fiscal_year = current_fiscal_year()
    # Kyoso's migrations add this kind (with its English name); the factory finds it.
    funding = SupportKindFactory(name="実証経費の支援")
    challenge = CityChallengeFactory(department="交通政策課", title="公共交通の空白地域の解消")
    call = CallFactory(
        title=CALL_TITLE,
        max_amount=MAXIMUM,
        fiscal_year=fiscal_year,
        funder=FunderFactory(name=FUNDER, sector=Sector.GOVERNMENT),
        number_code="T",
        theme="モビリティ",
        study_group=StudyGroupFactory(name="スマートシティ研究会"),
        support_kinds=[funding],
        challenges=[challenge],
    )
    for order, (name, weight, _staff, _outside) in enumerate(CRITERIA, start=1):
        ReviewCriterionFactory(call=call, name=name, weight=weight, order=order)
    now = timezone.now()
    CallFactory(
        title="前年度のトライアル支援事業",
        fiscal_year=fiscal_year - 1,
        opens_at=now - dt.timedelta(days=400),
        closes_at=now - dt.timedelta(days=350),
        status=Call.Status.CLOSED,
        funder=call.funder,
    )
    return call, challenge, funding


def _section(page: Page, lang: str, heading: str):
    """The cards under one heading of the public list of calls."""
    return page.locator("main h2", has_text=ui(lang, heading)).locator(
        "xpath=following-sibling::div[1]"
    )


def _fill_application(page: Page, lang: str, challenge, support, amounts: tuple[int, int]) -> None:
    page.get_by_label(exact(lang, "提案名")).fill(PROPOSAL)
    page.get_by_label(exact(lang, "提案の概要")).fill(
        "予約に応じてAIが経路を決める乗合タクシーを、路線バスの便が少ない地域で運行する。"
    )
    page.get_by_label(exact(lang, "対応する市の課題")).select_option(label=shown(lang, challenge))
    page.get_by_label(exact(lang, "実証の場所")).fill("つくば市北部地域")
    page.get_by_label(exact(lang, "実証期間（開始）")).fill("2026-07-01")
    page.get_by_label(exact(lang, "実証期間（終了）")).fill("2027-02-28")
    page.get_by_label(UNIVERSITY, exact=True).check()
    page.get_by_label(shown(lang, support), exact=True).check()
    items = page.get_by_label(exact(lang, "費目"))
    money = page.get_by_label(exact(lang, "金額（円）"))
    lines = zip(("車両借料", "運行管理システム利用料"), amounts, strict=True)
    # Amount before item: headless Chromium drops the first click after a full-page screenshot
    # taken while a number input has the focus.
    for row, (item, amount) in enumerate(lines):
        money.nth(row).fill(str(amount))
        items.nth(row).fill(item)
    page.get_by_label(exact(lang, "添付資料（PDF）")).set_input_files(
        {"name": "提案書.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )


def _yen(lang: str, amount: int) -> str:
    return ui(lang, "%(amount)s円") % {"amount": f"{amount:,}"}


def _apply_and_submit(
    page: Page, base: str, lang: str, call, challenge, support, shot
) -> Application:
    """The company person finds the open call, is refused an over-budget draft, then saves
    and submits the application."""
    log_in(page, base, lang, "sato@tsukuba-mobility.example.jp")
    page.locator("header").get_by_role("link", name=ui(lang, "公募"), exact=True).click()
    expect(page.get_by_role("heading", name=ui(lang, "公募"), exact=True)).to_be_visible()
    expect(_section(page, lang, "受付中の公募")).to_contain_text(CALL_TITLE)
    expect(_section(page, lang, "受付中の公募")).not_to_contain_text("前年度のトライアル支援事業")
    expect(_section(page, lang, "過去の公募")).to_contain_text("前年度のトライアル支援事業")
    shot(page, "calls-list")
    _section(page, lang, "受付中の公募").get_by_role("link", name=CALL_TITLE).click()
    expect(page.get_by_role("heading", name=CALL_TITLE)).to_be_visible()
    shot(page, "call-detail")
    page.get_by_role("link", name=ui(lang, "この公募に応募する")).click()
    expect(page.get_by_role("heading", name=ui(lang, "応募する"))).to_be_visible()

    # Over the maximum: the total is refused with the amounts, and nothing is saved.
    _fill_application(page, lang, challenge, support, (700_000, 400_000))
    shot(page, "application-over-budget")
    page.locator("main").get_by_role("button", name=ui(lang, "下書きを保存")).click()
    over = ui(lang, "経費の合計 %(total)s が支援上限額 %(maximum)s を超えています。") % {
        "total": _yen(lang, 1_100_000),
        "maximum": _yen(lang, MAXIMUM),
    }
    expect(page.get_by_role("alert")).to_contain_text(
        field_error(lang, ui(lang, "経費の内訳"), over)
    )
    shot(page, "over-budget-refused")
    assert not Application.objects.exists()
    assert not BudgetLine.objects.exists() and not ApplicationAttachment.objects.exists()

    # Within the maximum (the file input is empty again after the refusal: attach it again).
    _fill_application(page, lang, challenge, support, (600_000, 250_000))
    page.locator("main").get_by_role("button", name=ui(lang, "下書きを保存")).click()
    expect(page.get_by_role("heading", name=PROPOSAL)).to_be_visible()
    expect(page.locator(".messages")).to_contain_text(
        ui(lang, "応募を下書きとして保存しました。内容を確認して「提出する」を押してください。")
    )
    budget = page.locator("main table").filter(has_text=ui(lang, "費目"))
    expect(budget.locator("tfoot")).to_contain_text("850,000")
    expect(page.locator("main .attachment-list")).to_contain_text("提案書.pdf")
    shot(page, "draft-saved")

    # Submit (the page asks first) and read the number.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("main").get_by_role("button", name=ui(lang, "提出する")).click()
    number = f"{call.fiscal_year}-T-001"
    done = ui(lang, "応募を提出しました。受付番号は %(number)s です。受付メールを送りました。")
    expect(page.locator(".messages")).to_contain_text(done % {"number": number})
    expect(page.locator("main")).to_contain_text(f"{ui(lang, '受付番号')}: {number}")
    shot(page, "submitted")
    application = Application.objects.get()
    assert (application.number, application.status) == (number, Application.Status.SUBMITTED)
    assert re.fullmatch(r"\d{4}-T-\d{3}", application.number)
    assert [line.amount for line in application.budget_lines.all()] == [600_000, 250_000]
    assert [a.name for a in application.attachments.all()] == ["提案書.pdf"]
    assert [p.name for p in application.partners.all()] == [UNIVERSITY]
    log_out(page, lang)
    return application


def _manage_calls(page: Page, lang: str) -> None:
    page.locator("header").get_by_role("link", name=ui(lang, "公募"), exact=True).click()
    page.locator("main").get_by_role("link", name=ui(lang, "公募の管理")).click()
    expect(page.get_by_role("heading", name=ui(lang, "公募の管理"))).to_be_visible()


def _close_and_assign(page: Page, base: str, lang: str, application, reviewers, shot) -> None:
    """Staff close the call and assign the two reviewers to the application."""
    log_in(page, base, lang, "sangyo@city.example.jp")
    _manage_calls(page, lang)
    row = page.get_by_role("row").filter(has_text=CALL_TITLE)
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=ui(lang, "締め切る")).click()
    closed = ui(lang, "「%(title)s」の受付を締め切りました。") % {"title": CALL_TITLE}
    expect(page.locator(".messages")).to_contain_text(closed)
    shot(page, "call-closed")
    assert Call.objects.get(pk=application.call_id).status == Call.Status.CLOSED

    row = page.get_by_role("row").filter(has_text=CALL_TITLE)
    row.get_by_role("link", name=ui(lang, "応募一覧")).click()
    expect(page.get_by_role("row").filter(has_text=application.number)).to_contain_text(COMPANY)
    page.get_by_role("navigation", name=ui(lang, "審査の手続き")).get_by_role(
        "link", name=ui(lang, "審査員の割当")
    ).click()
    expect(page.get_by_role("heading", name=ui(lang, "審査員の割当"))).to_be_visible()
    row = page.get_by_role("row").filter(has_text=application.number)
    boxes = row.get_by_role("checkbox", name=ui(lang, "割り当てる"))
    expect(boxes).to_have_count(2)
    boxes.nth(0).check()
    boxes.nth(1).check()
    shot(page, "assignments")
    page.get_by_role("button", name=ui(lang, "選んだ組み合わせを割り当てる")).click()
    expect(page.locator(".messages")).to_contain_text(
        ui(lang, "%(n)s件の割当を保存しました。") % {"n": 2}
    )
    expect(page.get_by_role("row").filter(has_text=application.number)).to_contain_text(
        ui(lang, "割当済み")
    )
    shot(page, "assigned")
    assigned = set(application.assignments.values_list("reviewer_id", flat=True))
    assert assigned == {reviewer.pk for reviewer in reviewers}


def _review(page: Page, lang: str, application, column: int, shot, name: str) -> None:
    """The signed-in reviewer scores every criterion with a comment and submits."""
    page.locator("header").get_by_role("link", name=ui(lang, "審査"), exact=True).click()
    row = page.get_by_role("row").filter(has_text=application.number)
    expect(row).to_contain_text(PROPOSAL)
    expect(row).to_contain_text(ui(lang, "未着手"))
    row.get_by_role("link", name=ui(lang, "審査する")).click()
    expect(page.get_by_role("heading", name=f"{application.number} {PROPOSAL}")).to_be_visible()
    for criterion, _weight, *scores in CRITERIA:
        group = page.get_by_role("group", name=re.compile(rf"^{re.escape(criterion)}"))
        group.get_by_label(str(scores[column]), exact=True).check()
        group.get_by_label(ui(lang, "%(name)sのコメント") % {"name": criterion}).fill(
            f"{criterion}について: 地域の移動手段として期待できる。"
        )
    page.get_by_label(exact(lang, "総評")).fill("実証の計画が具体的で、市の課題に合っている。")
    shot(page, f"review-{name}")
    page.locator("main").get_by_role("button", name=ui(lang, "提出"), exact=True).click()
    expect(page.locator(".messages")).to_contain_text(ui(lang, "審査を提出しました。"))
    expect(page.get_by_role("button", name=ui(lang, "提出"), exact=True)).to_have_count(0)
    shot(page, f"review-{name}-submitted")


def _rank_decide_release(page: Page, base: str, lang: str, application, shot) -> None:
    """Staff read the ranking, record 採択 and release the decisions."""
    log_in(page, base, lang, "sangyo@city.example.jp")
    _manage_calls(page, lang)
    page.get_by_role("row").filter(has_text=CALL_TITLE).get_by_role(
        "link", name=ui(lang, "応募一覧")
    ).click()
    nav = page.get_by_role("navigation", name=ui(lang, "審査の手続き"))
    nav.get_by_role("link", name=ui(lang, "審査結果一覧")).click()
    expect(page.get_by_role("heading", name=ui(lang, "審査結果一覧"))).to_be_visible()
    row = page.get_by_role("row").filter(has_text=application.number)
    cells = row.get_by_role("cell")
    # 順位, 受付番号, 提案名, 加重平均点, ばらつき, 提出／割当, one mean per criterion, comments.
    expect(cells.nth(0)).to_have_text("1")
    expect(cells.nth(3)).to_have_text(WEIGHTED_AVERAGE)
    expect(cells.nth(4)).to_have_text("0")
    expect(cells.nth(5)).to_have_text(ui(lang, "%(done)s／%(of)s") % {"done": 2, "of": 2})
    expect(cells.nth(6)).to_have_text("4.50")
    shot(page, "ranking")

    nav.get_by_role("link", name=ui(lang, "採否の決定")).click()
    row = page.get_by_role("row").filter(has_text=application.number)
    expect(row).to_contain_text(ui(lang, "未入力"))
    row.get_by_role("link", name=ui(lang, "決定")).click()
    expect(page.get_by_role("heading", name=ui(lang, "審査結果の入力"))).to_be_visible()
    page.get_by_label(shown(lang, Application.Decision.ADOPTED.label), exact=True).check()
    page.get_by_label(exact(lang, "結果の通知文")).fill(
        "審査の結果、採択となりました。実証の準備について事務局からご連絡します。"
    )
    shot(page, "decide")
    page.locator("main").get_by_role("button", name=ui(lang, "保存")).click()
    expect(page.locator(".messages")).to_contain_text(
        ui(lang, "審査結果を保存しました（まだ通知していません）。")
    )
    row = page.get_by_role("row").filter(has_text=application.number)
    expect(row).to_contain_text(shown(lang, Application.Decision.ADOPTED.label))
    shot(page, "decided")

    page.locator("main").get_by_role("link", name=ui(lang, "結果を通知")).click()
    expect(page.get_by_role("heading", name=ui(lang, "結果の通知"))).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        ui(lang, "採択: %(n)s件（事業として登録し、財源を記録します）") % {"n": 1}
    )
    shot(page, "release-confirm")
    page.locator("main").get_by_role("button", name=ui(lang, "通知する")).click()
    released = ui(
        lang, "審査結果を%(n)s件通知しました（採択%(a)s件・不採択%(r)s件・補欠%(s)s件）。"
    ) % {"n": 1, "a": 1, "r": 0, "s": 0}
    expect(page.locator(".messages")).to_contain_text(released)
    shot(page, "released")


def _see_the_project(page: Page, lang: str, application, shot) -> None:
    """The decisions page links the adopted trial's project: origin, 実証, funding."""
    row = page.get_by_role("row").filter(has_text=application.number)
    row.get_by_role("link", name=ui(lang, "事業"), exact=True).click()
    expect(page.get_by_role("heading", name=PROPOSAL, exact=True)).to_be_visible()
    origin = ui(lang, "公募「%(call)s」の採択事業（%(number)s）") % {
        "call": CALL_TITLE,
        "number": application.number,
    }
    expect(page.locator("main .project-origin")).to_have_text(origin)
    lead = page.locator("dt", has_text=exact(lang, "代表団体")).locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(lead).to_have_text(COMPANY)
    funding = page.locator("main table.funding-table")
    expect(funding.locator("thead")).to_contain_text(
        fiscal_label(application.call.fiscal_year, lang)
    )
    grant = funding.get_by_role("row").filter(has_text=CALL_TITLE)
    expect(grant).to_contain_text(FUNDER)
    expect(grant).to_contain_text("850,000")
    expect(grant).to_contain_text(shown(lang, Funding.Status.ADOPTED.label))
    shot(page, "project")
    application.refresh_from_db()
    funding_row = Funding.objects.get(project=application.project)
    assert (funding_row.fiscal_year, funding_row.amount, funding_row.funder.name) == (
        application.call.fiscal_year,
        850_000,
        FUNDER,
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_company_applies_reviewers_score_and_the_adopted_trial_becomes_a_project(
    live_server, tablet, shot, mailoutbox, lang
):
    page, base = tablet, live_server.url
    if lang == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    call, challenge, support = _open_call()
    company = OrganisationFactory(name=COMPANY, sector=Sector.COMPANY)
    MembershipFactory(organisation=company, study_group=call.study_group)
    OrganisationFactory(name=UNIVERSITY, sector=Sector.UNIVERSITY)
    person_with_account(company, username="sato", email="sato@tsukuba-mobility.example.jp")
    staff = staff_user(
        username="jimukyoku", email="sangyo@city.example.jp", first_name="事務局 審査"
    )
    outside = reviewer_user(
        username="shinsa", email="suzuki@univ-review.example.jp", first_name="鈴木 外部審査員"
    )

    application = _apply_and_submit(page, base, lang, call, challenge, support, shot)
    receipts = [m for m in mailoutbox if m.to == ["sato@tsukuba-mobility.example.jp"]]
    assert len(receipts) == 1
    assert application.number in receipts[0].subject and application.number in receipts[0].body

    # Staff close the call, assign themselves and the outside reviewer, and review.
    _close_and_assign(page, base, lang, application, [staff, outside], shot)
    _review(page, lang, application, 0, shot, "secretariat")
    log_out(page, lang)

    # The outside reviewer reviews and then sees the other review.
    log_in(page, base, lang, "suzuki@univ-review.example.jp")
    _review(page, lang, application, 1, shot, "outside")
    expect(page.locator("main")).to_contain_text("事務局 審査")
    log_out(page, lang)
    assert application.assignments.filter(submitted_at__isnull=False).count() == 2

    _rank_decide_release(page, base, lang, application, shot)
    decisions = [m for m in mailoutbox if m.to == ["sato@tsukuba-mobility.example.jp"]]
    assert len(decisions) == 2 and application.number in decisions[1].body
    _see_the_project(page, lang, application, shot)
