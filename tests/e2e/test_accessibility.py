"""Accessibility gate: axe-core finds no WCAG 2.0/2.1 A or AA violation on any page a role reaches.

For each role — anonymous (a citizen), a member (a person of an organisation in a study group),
an outside reviewer of 公募, secretariat staff and an administrator — and each language (Japanese
and English), headless Chromium signs in with a session cookie and crawls the site breadth-first
from ``/`` (whose header holds the menu): every same-origin ``<a href>`` and the default state of
every GET form (filters, searches), GET only. Not followed: the Django admin, logout, the language
switch, media files, and anything that is not an HTML page (CSV, Excel, iCalendar, JSON, PDF,
pictures: by suffix, by a download starting, or by the response's content type). Each URL
pattern — the view's name, and whether the query chooses anything (a filter, a page) — is checked
at most twice per role and language, so the crawl stays bounded whatever the data. Also checked
on purpose: the 404 page (every role), the sign-up and login pages after a failed submit
(anonymous), and a form with errors (the empty meeting form, staff and administrator).

Every checked page is loaded once and run through axe (``wcag2a``, ``wcag2aa``, ``wcag21a``,
``wcag21aa``) at 1366 px and at 390 px wide, the viewport resized in between; at 390 px and at
320 px it must not need scrolling sideways (WCAG 2.1 SC 1.4.10 Reflow, which axe does not
test: a wide table scrolls inside its own container). The test fails with
the list of every violation (``role lang width url rule: selectors``) and if a role's crawl
reached fewer distinct pages than expected or missed a page only that role sees (a broken
sign-in must not pass by seeing nothing).
``KYOSO_AXE_REPORT=<file>`` writes the full report (axe's message for each element, grouped by
rule) to that file.

axe-core is a test-only npm package (tests/e2e/package.json); without
tests/e2e/node_modules/axe-core/axe.min.js the test is skipped, or fails when
KYOSO_REQUIRE_BROWSER is set (CI).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from consortium.fiscal import current_fiscal_year
from events import exhibitions
from events import services as event_services
from events.models import AttendanceStatus, MeetingKind, MeetingStatus, Speaker, Visibility
from members.models import DeletionRequest, Organisation, Person, Sector, StudyGroup
from projects.models import Project
from tests.e2e import axe
from tests.e2e.axe import Violation
from tests.e2e.helpers import LANGUAGES
from tests.e2e.rollups import roll_up
from tests.events.factories import (
    AttendanceFactory,
    MeetingFactory,
    PublicRegistrationFactory,
    RegistrationFactory,
)
from tests.factories import (
    AffiliationRequestFactory,
    JoinRequestFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    StudyGroupFactory,
    UserFactory,
    administrator_user,
    person_with_account,
    staff_user,
)
from tests.projects.calls.factories import (
    PDF_BYTES,
    ApplicationAttachmentFactory,
    ApplicationFactory,
    BudgetLineFactory,
    CallFactory,
    CityChallengeFactory,
    ReviewAssignmentFactory,
    ReviewCriterionFactory,
    ReviewScoreFactory,
    SupportKindFactory,
    reviewer_user,
)
from tests.projects.catalogue.factories import (
    AwardFactory,
    AwardGrantFactory,
    EntryFactory,
    EntryImageFactory,
)
from tests.projects.factories import (
    AgreementArticleFactory,
    AgreementFactory,
    FunderFactory,
    FundingFactory,
    OutcomeFactory,
    PhaseTransitionFactory,
    ProjectFactory,
    phase,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = {1366: 768, 390: 844}  # width → height: a common laptop and a phone
# Reflow (WCAG 2.1 SC 1.4.10) is checked at the phone's width and at 320 px, the width the
# criterion names (a small phone, or 1280 px zoomed to 400 %).
REFLOW_WIDTHS = {390: 844, 320: 640}
VISITS_PER_PATTERN = 2
ROLES = ("anonymous", "member", "reviewer", "staff", "admin")
# What each role's crawl must reach (per language), so that a broken sign-in, menu or crawl
# cannot pass by checking little: a number of distinct pages well below what the world below
# gives (and above what the public pages alone give), and pages only that role sees.
MIN_PAGES = {"anonymous": 20, "member": 40, "reviewer": 25, "staff": 90, "admin": 90}
MUST_REACH = {
    "anonymous": {"home", "account_login", "account_signup", "projects:public_list"},
    "member": {
        "members:my_organisation",
        "events:my_meetings",
        "projects:my_applications",
        "projects:catalogue_mine",
        "projects:project_detail",
    },
    "reviewer": {"projects:review_list", "projects:review_detail"},
    "staff": {
        "members:joinrequest_queue",
        "members:affiliation_decide",
        "reports:dashboard",
        "projects:call_ranking",
        "events:attendance_sheet",
        "projects:award_list",
        "projects:award_update",
        "events:showcase",
        "events:exhibitor_update",
        "events:speaker_update",
    },
    "admin": {"reports:status", "reports:exports", "members:person_erase"},
}
DOWNLOAD_SUFFIXES = {
    ".csv",
    ".xlsx",
    ".xls",
    ".ics",
    ".json",
    ".pdf",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
    ".svg",
    ".zip",
    ".txt",
}
# Scripts that change the page after ``load``: htmx swaps and the dashboard's Chart.js charts.
READY = """
() => document.readyState === 'complete'
  && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')
  && Array.from(document.querySelectorAll('canvas[data-chart]'))
       .every((canvas) => window.Chart && window.Chart.getChart(canvas))
"""
# A resize is handled (resize listeners, media queries, layout) before the second frame after it.
NEXT_FRAMES = """
() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
"""
# Where a page leads: its links, and each GET form submitted as it is (the default filters).
OUTGOING = """
() => {
  const links = Array.from(document.querySelectorAll('a[href]'), (a) => a.href);
  const forms = Array.from(document.querySelectorAll('form'))
    .filter((form) => (form.getAttribute('method') || 'get').toLowerCase() === 'get')
    .map((form) => {
      const url = new URL(form.getAttribute('action') || location.href, document.baseURI);
      const fields = Array.from(new FormData(form))
        .filter(([, value]) => typeof value === 'string');
      url.search = new URLSearchParams(fields).toString();
      return url.href;
    });
  return links.concat(forms);
}
"""


# -- The world: a small consortium with something on every kind of page ------------------------


def _world() -> dict[str, User | None]:
    """A study group with a 部会, meetings held, scheduled and cancelled with registrations and
    attendance, projects with phases, funding and outcomes, an agreement, an open 公募 with
    applications and reviews, published catalogue entries, pending join, affiliation and deletion
    requests, and the roll-ups of this fiscal year and the last; one account per role."""
    now = timezone.now()
    fiscal_year = current_fiscal_year()
    group = StudyGroupFactory(name="平塚海洋エネルギー研究会", order=1)
    subcommittee = StudyGroupFactory(name="波力発電部会", parent=group, order=1)
    marine = OrganisationFactory(name="株式会社湘南マリン", name_kana="ショウナンマリン")
    seiko = OrganisationFactory(name="平塚精工株式会社", name_kana="ヒラツカセイコウ")
    university = OrganisationFactory(
        name="東海大学 海洋研究所", name_kana="トウカイダイガク", sector=Sector.UNIVERSITY
    )
    city = OrganisationFactory(name="平塚市", name_kana="ヒラツカシ", sector=Sector.GOVERNMENT)
    for organisation in (marine, seiko, university):
        MembershipFactory(organisation=organisation, study_group=group)
    MembershipFactory(organisation=marine, study_group=subcommittee)

    member = person_with_account(marine, username="member", email="kato@shonan-marine.example.jp")
    member.name, member.name_kana = "加藤 海斗", "カトウ カイト"
    member.save()
    colleagues = [PersonFactory(organisation=marine), PersonFactory(organisation=seiko)]
    researcher = PersonFactory(organisation=university, name="鈴木 波子")
    staff = staff_user(username="staff", email="sangyo@city.example.jp", first_name="事務局")
    admin = administrator_user(username="admin", email="kikaku@city.example.jp")
    reviewer = reviewer_user(
        username="reviewer", email="tanaka@review.example.jp", first_name="田中 審査員"
    )

    _meetings(group, subcommittee, now, staff, [member, *colleagues, researcher])
    project = _projects(group, marine, seiko, university, city, fiscal_year)
    _calls(group, marine, seiko, staff, reviewer, fiscal_year)
    _catalogue(group, marine, seiko, project)
    _exhibition(group, now, [marine, seiko], city)

    JoinRequestFactory(applicant=researcher, study_group=subcommittee)
    newcomer = PersonFactory(organisation=None, user=UserFactory(username="newcomer"))
    AffiliationRequestFactory(person=newcomer, organisation_name="湘南ウェーブパワー株式会社")
    DeletionRequest.objects.create(person=colleagues[1], reason="退職のため。")

    for year in (fiscal_year - 1, fiscal_year):
        roll_up(year)
    return {
        "anonymous": None,
        "member": member.user,
        "reviewer": reviewer,
        "staff": staff,
        "admin": admin,
    }


def _meetings(
    group: StudyGroup,
    subcommittee: StudyGroup,
    now: dt.datetime,
    staff: User,
    people: list[Person],
) -> None:
    member, *others = people
    held = MeetingFactory(
        study_group=group,
        kind=MeetingKind.GENERAL_ASSEMBLY,
        title="年次総会",
        date=(now - dt.timedelta(days=40)).date(),
        starts_at=now - dt.timedelta(days=40),
        minutes="波力発電装置の設置海域について協議した。",
        unnamed_headcount=2,
    )
    for person in people:
        RegistrationFactory(meeting=held, person=person)
        AttendanceFactory(meeting=held, person=person)
    last_year = MeetingFactory(
        study_group=subcommittee,
        title="第1回 波力発電部会",
        date=(now - dt.timedelta(days=400)).date(),
        starts_at=now - dt.timedelta(days=400),
    )
    AttendanceFactory(meeting=last_year, person=member)
    AttendanceFactory(meeting=last_year, person=others[0], status=AttendanceStatus.ABSENT)
    event_services.material_add(
        meeting=held,
        upload=SimpleUploadedFile("配布資料.pdf", PDF_BYTES),
        title="配布資料",
        uploaded_by=staff,
    )
    upcoming = MeetingFactory(
        study_group=subcommittee,
        title="第2回 波力発電部会",
        date=(now + dt.timedelta(days=14)).date(),
        starts_at=now + dt.timedelta(days=14),
        registration_opens_at=now - dt.timedelta(days=1),
        capacity=30,
    )
    RegistrationFactory(meeting=upcoming, person=member)
    public = MeetingFactory(
        study_group=group,
        kind=MeetingKind.SEMINAR,
        title="海洋エネルギー市民セミナー",
        date=(now + dt.timedelta(days=30)).date(),
        starts_at=now + dt.timedelta(days=30),
        registration_opens_at=now - dt.timedelta(days=1),
        visibility=Visibility.PUBLIC,
        description="波の力で発電する仕組みを紹介します。",
    )
    PublicRegistrationFactory(meeting=public)
    RegistrationFactory(meeting=public, person=others[0])
    MeetingFactory(
        study_group=group,
        title="第3回 研究会（中止）",
        date=(now + dt.timedelta(days=7)).date(),
        starts_at=now + dt.timedelta(days=7),
        status=MeetingStatus.CANCELLED,
        cancelled_at=now - dt.timedelta(days=2),
        cancelled_by=staff,
        cancel_reason="台風の接近のため",
    )


def _projects(
    group: StudyGroup,
    marine: Organisation,
    seiko: Organisation,
    university: Organisation,
    city: Organisation,
    fiscal_year: int,
) -> Project:
    project = ProjectFactory(
        name="平塚港 波力発電 実証事業",
        lead_organisation=marine,
        partners=[seiko, university],
        study_groups=[group],
        is_public=True,
        description="平塚港の防波堤に波力発電装置を設置して実証する。",
    )
    for name, started in (("研究会", dt.date(2022, 6, 1)), ("実証", dt.date(2024, 4, 1))):
        PhaseTransitionFactory(project=project, phase=phase(name), started_on=started)
    funder = FunderFactory(name="国立研究開発法人 新エネルギー機構")
    FundingFactory(project=project, fiscal_year=fiscal_year, funder=funder, status="adopted")
    FundingFactory(project=project, fiscal_year=fiscal_year - 1, funder=city, kind="commissioned")
    OutcomeFactory(project=project, organisations=[marine], title="波力発電装置の特許出願")
    OutcomeFactory(project=project, kind="media", title="地元紙で紹介", date=dt.date(2024, 8, 1))
    private = ProjectFactory(name="水中ドローン点検事業", lead_organisation=seiko)
    PhaseTransitionFactory(project=private, phase=phase("研究会"), started_on=dt.date(2023, 5, 1))
    agreement = AgreementFactory(
        title="海洋エネルギー連携協力協定", parties=[city, marine, university]
    )
    agreement.projects.add(project)
    AgreementArticleFactory(agreement=agreement)
    agreement.document.save("協定書.pdf", ContentFile(PDF_BYTES), save=True)
    return project


def _calls(
    group: StudyGroup,
    marine: Organisation,
    seiko: Organisation,
    staff: User,
    reviewer: User,
    fiscal_year: int,
) -> None:
    call = CallFactory(
        title="Society 5.0 社会実装トライアル支援事業",
        fiscal_year=fiscal_year,
        study_group=group,
        support_kinds=[SupportKindFactory(name="実証経費の支援")],
        challenges=[CityChallengeFactory(title="公共交通の空白地域の解消")],
    )
    criteria = [ReviewCriterionFactory(call=call, order=n, name=f"評価項目{n}") for n in (1, 2)]
    draft = ApplicationFactory(call=call, organisation=marine, title="AI 乗合交通の実証")
    BudgetLineFactory(application=draft)
    submitted = ApplicationFactory(
        call=call, organisation=seiko, submitted=True, title="防波堤点検ロボットの実証"
    )
    BudgetLineFactory(application=submitted)
    ApplicationAttachmentFactory(application=submitted)
    done = ReviewAssignmentFactory(
        application=submitted, reviewer=reviewer, submitted_at=timezone.now(), comment="具体的。"
    )
    for criterion in criteria:
        ReviewScoreFactory(assignment=done, criterion=criterion)
    ReviewAssignmentFactory(application=submitted, reviewer=staff)
    mine = ApplicationFactory(
        call=call, organisation=marine, submitted=True, title="波力で動く観測ブイの実証"
    )
    ReviewAssignmentFactory(application=mine, reviewer=reviewer)
    CallFactory(
        title="前年度のトライアル支援事業",
        fiscal_year=fiscal_year - 1,
        opens_at=timezone.now() - dt.timedelta(days=400),
        closes_at=timezone.now() - dt.timedelta(days=350),
        status="closed",
    )
    CallFactory(title="来年度のトライアル支援事業（案）", status="draft")


def _catalogue(
    group: StudyGroup, marine: Organisation, seiko: Organisation, project: Project
) -> None:
    published = EntryFactory(
        organisation=marine,
        title="小型波力発電装置",
        published=True,
        study_groups=[group],
        projects=[project],
    )
    EntryImageFactory(entry=published)
    published.brochure.save("案内.pdf", ContentFile(PDF_BYTES), save=True)
    brand = AwardFactory(name="ひらつかものづくりブランド", name_en="Hiratsuka Monozukuri Brand")
    prize = AwardFactory(name="ブランド大賞", name_en="Grand Prize", parent=brand)
    AwardGrantFactory(award=brand, entry=published, fiscal_year=2024, note="第10回認定")
    AwardGrantFactory(award=prize, entry=published, fiscal_year=2025)
    EntryFactory(organisation=seiko, title="水中点検ドローン", published=True)
    EntryFactory(organisation=marine, title="潮流センサー（下書き）")
    EntryFactory(organisation=seiko, title="防錆コーティング", submitted=True)


def _exhibition(
    group: StudyGroup, now: dt.datetime, exhibitors: list[Organisation], co_host: Organisation
) -> None:
    """A public 展示会 held a month ago, with its exhibitors' entries, a chair and visitors."""
    fair = MeetingFactory(
        study_group=group,
        kind=MeetingKind.EXHIBITION,
        title="ひらつか環境・エネルギー技術展",
        visibility="public",
        date=(now - dt.timedelta(days=30)).date(),
    )
    for booth, organisation in enumerate(exhibitors, start=1):
        exhibitions.exhibitor_add(meeting=fair, organisation=organisation, booth=f"A-{booth}")
    exhibitions.speaker_save(
        speaker=Speaker(
            meeting=fair, role="chair", name="海野 教授", affiliation="東海大学 海洋研究所"
        )
    )
    exhibitions.showcase_set(meeting=fair, visitors=2800, co_hosts=[co_host])


# -- The crawl ----------------------------------------------------------------------------------


def _is_download(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in DOWNLOAD_SUFFIXES


def _skipped(path: str) -> bool:
    """Pages that are not the site's own, or that would sign out or switch the language."""
    prefixes = (
        reverse("admin:index"),  # Django's own admin
        "/i18n/",  # the language switch
        "/" + settings.MEDIA_URL.strip("/") + "/",
        reverse("account_logout"),
    )
    return path.startswith(prefixes) or _is_download(path)


def _pattern(path: str, query: str) -> tuple[str, bool]:
    """The URL pattern of a page: its view's name, and whether a query chooses anything (a filter,
    a search, a page number); a form's default state (every field empty) chooses nothing. So a
    list is checked as it opens and as filtered, not once for every combination of filters."""
    try:
        name = resolve(path).view_name
    except Resolver404:
        name = "<no such page>"
    return name, any(value for _key, value in parse_qsl(query))


@dataclass
class Crawl:
    """One role in one language: one browser context and page, and what axe found in it."""

    role: str
    lang: str
    base: str
    page: Page
    width: int  # of the viewport now
    violations: list[Violation] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # every checked page (path and query)
    checks: int = 0  # pages × widths
    _seen: set[str] = field(default_factory=set)
    _patterns: Counter[tuple[str, bool]] = field(default_factory=Counter)

    def relative(self, url: str) -> str | None:
        """Path and query of a same-origin URL (no fragment), else None."""
        parts, base = urlsplit(url), urlsplit(self.base)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def load(self, url: str) -> bool:
        """Load a page; False if it is no HTML page (a download, a file shown as it is)."""
        try:
            response = self.page.goto(self.base + url, wait_until="load")
        except PlaywrightError as error:
            if "Download is starting" in error.message:
                return False
            raise
        content_type = response.headers.get("content-type", "") if response else ""
        return content_type.startswith("text/html")

    def crawl(self, start: str = "/") -> None:
        """Breadth first over links and GET forms, each URL pattern at most twice."""
        queue = deque([start])
        while queue:
            url = queue.popleft()
            if url in self._seen:
                continue
            self._seen.add(url)
            path, _, query = url.partition("?")
            pattern = _pattern(path, query)
            if _skipped(path) or self._patterns[pattern] >= VISITS_PER_PATTERN:
                continue
            if not self.load(url):
                continue
            landed = self.relative(self.page.url)
            if landed is None:
                continue
            if landed != url:  # redirected (to the login page, to a list after a filter …)
                path, _, query = landed.partition("?")
                pattern = _pattern(path, query)
                if landed in self._seen or self._patterns[pattern] >= VISITS_PER_PATTERN:
                    continue
                self._seen.add(landed)
            self._patterns[pattern] += 1
            for href in self.page.evaluate(OUTGOING):
                found = self.relative(href)
                if found is not None and found not in self._seen:
                    queue.append(found)
            self.check(landed)

    def check(self, url: str) -> None:
        """axe on the page as it is at both widths, and reflow at the narrow ones: from the
        viewport's width to the other end (1366 → 390 → 320, or back), so that the next page
        starts where this one ended and there are two resizes per page."""
        self.page.wait_for_function(READY)
        stops = sorted({*WIDTHS, *REFLOW_WIDTHS}, reverse=True)
        if self.width != stops[0]:
            stops.reverse()
        for width in stops:
            if width != self.width:
                height = WIDTHS.get(width) or REFLOW_WIDTHS[width]
                self.page.set_viewport_size({"width": width, "height": height})
                self.page.evaluate(NEXT_FRAMES)
                self.page.wait_for_function(READY)
                self.width = width
            where = {"role": self.role, "lang": self.lang, "width": width, "url": url}
            if width in WIDTHS:
                self.violations += axe.run(self.page, **where)
                self.checks += 1
            if width in REFLOW_WIDTHS:
                self.violations += axe.overflow(self.page, **where)
        self.checked.append(url)

    def views(self) -> set[str]:
        """The view names of the checked pages."""
        return {_pattern(url.split()[0].partition("?")[0], "")[0] for url in self.checked}

    def failed_submit(self, url: str) -> None:
        """The page after its (first) POST form is sent empty: the errors it shows."""
        assert self.load(url), url
        form = self.page.locator("main form[method=post]").first
        for field_ in form.locator("input:not([type=hidden]), textarea").all():
            if field_.get_attribute("type") not in {"checkbox", "radio", "file"}:
                field_.fill("")
        with self.page.expect_navigation(wait_until="load"):
            form.locator("button[type=submit]").first.click()
        errors = self.page.locator("[data-error-summary], .errorlist")
        assert errors.count(), f"no errors on {url} after an empty submit"
        self.check(f"{url} (failed POST)")


def _sign_in(browser: Browser, base: str, role: str, lang: str, user: User | None) -> Crawl:
    """A context of its own, with the language's cookie and the user's session cookie (made by
    the test client: quicker than the login form, whose failed submit is checked anyway)."""
    width = next(iter(WIDTHS))
    context = browser.new_context(
        viewport={"width": width, "height": WIDTHS[width]},
        locale="ja-JP" if lang == "ja" else "en-US",
        bypass_csp=True,  # for axe only; see tests/e2e/axe.py
    )
    # axe is in every document before the page's own scripts (quicker than a script tag per page).
    context.add_init_script(path=str(axe.axe_script()))
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": base}]
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base})
    context.add_cookies(cookies)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return Crawl(role=role, lang=lang, base=base, page=page, width=width)


def _explore(crawl: Crawl) -> None:
    """The crawl from the home page, then the pages no link leads to."""
    assert crawl.load("/")
    assert crawl.page.locator("html").get_attribute("lang") == crawl.lang
    signed_in = crawl.page.locator("header form[action$='/logout/']").count() == 1
    assert signed_in == (crawl.role != "anonymous"), f"{crawl.role}: not signed in as expected"
    crawl.crawl("/")
    missing = "/accessibility-check/no-such-page/"
    assert crawl.load(missing)
    crawl.check(f"{missing} (404)")
    if crawl.role == "anonymous":
        crawl.failed_submit(reverse("account_signup"))
        crawl.failed_submit(reverse("account_login"))
    if crawl.role in {"staff", "admin"}:
        crawl.failed_submit(reverse("events:meeting_create"))


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the pages are the same on either database: the gate runs in the embedded-default "
    "suite, which has the time to spare in CI (the PostgreSQL suite is the critical path)",
)
def test_every_page_of_every_role_passes_axe_at_both_widths(
    live_server, browser, capsys: pytest.CaptureFixture[str]
):
    axe.axe_script()  # skipped (or failing in CI) before anything is built without axe-core
    users = _world()
    started = time.monotonic()
    crawls: list[Crawl] = []
    for role in ROLES:
        for lang in LANGUAGES:
            crawl = _sign_in(browser, live_server.url, role, lang, users[role])
            try:
                _explore(crawl)
            finally:
                crawl.page.context.close()
            crawls.append(crawl)

    violations = [violation for crawl in crawls for violation in crawl.violations]
    checks = sum(crawl.checks for crawl in crawls)
    pages = ", ".join(f"{crawl.role} {crawl.lang} {len(crawl.checked)}" for crawl in crawls)
    with capsys.disabled():  # the summary shows in every run, not only when the test fails
        print(
            f"\naxe-core: {checks} page checks ({len(WIDTHS)} widths) in "
            f"{time.monotonic() - started:.0f} s, {len(violations)} violations; pages: {pages}"
        )
    if os.environ.get("KYOSO_AXE_REPORT"):
        listing = "\n".join(f"-- {c.role} {c.lang}: {' '.join(c.checked)}" for c in crawls)
        Path(os.environ["KYOSO_AXE_REPORT"]).write_text(
            f"{axe.report(violations, checks)}\n== pages checked\n{listing}\n"
        )

    too_few = {
        f"{crawl.role} {crawl.lang}": len(set(crawl.checked))
        for crawl in crawls
        if len(set(crawl.checked)) < MIN_PAGES[crawl.role]
    }
    assert not too_few, f"the crawl reached too few pages (fewest: {MIN_PAGES}): {too_few}"
    unreached = {
        f"{crawl.role} {crawl.lang}": sorted(MUST_REACH[crawl.role] - crawl.views())
        for crawl in crawls
        if MUST_REACH[crawl.role] - crawl.views()
    }
    assert not unreached, f"the crawl did not reach these pages: {unreached}"
    if violations:  # the list itself, not pytest's repr of the objects
        pytest.fail(
            f"axe-core found {len(violations)} WCAG 2.0/2.1 A/AA violations "
            "(role lang width url rule: elements):\n"
            + "\n".join(sorted({violation.line() for violation in violations})),
            pytrace=False,
        )
