"""The demo consortium tells seed 000's story: the Hiratsuka marine-energy study group.

The seed's participation table (平塚海洋エネルギー研究会のこれまでの実績, 知の集積 社会人育成):

| 年度       | 研究会                | 参加者数のべ        |
|------------|-----------------------|---------------------|
| H28 FY2016 | 5回（視察含む）       | 240                 |
| H29 FY2017 | 9回（第1,2部会）      | 165（第2部会）      |
| H30 FY2018 | 4回（第1,2部会）      | 26+α+48+56          |

Four meetings and four terms in FY2018: three counted by name (26, 48, 56) and one whose
headcount the seed leaves open (α), which the demo records as walk-ins (当日参加・+α).
After FY2018 the story goes on along the seed's phases and funding sources up to FY2026. From
FY2022 the city's environmental-technology fair (展示会, seed 003) is held every autumn: its
exhibitors and visitors count in the 実績指標, apart from のべ参加者数.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.test import override_settings
from django.utils import timezone

from events.models import SHOWCASE_KINDS, Attendance, Exhibitor, Meeting, Registration, Speaker
from members.models import JoinRequest, Membership, Organisation, Person, StudyGroup
from projects.catalogue.models import Award, AwardGrant, Entry, EntryImage
from projects.models import Funding, PhaseTransition, Project
from reports import services
from reports.models import FundingSummary, ParticipationSummary
from reports.rollup import COUNT_FIELDS, compute_participation

FIRST_FY, LAST_FY = 2016, 2026  # the study group's founding year (H28) … the current year
GROUP = "平塚海洋エネルギー研究会"
LOGINS = ("admin@kyoso.example.jp", "staff@kyoso.example.jp", "member@kyoso.example.jp")


@pytest.fixture(scope="module")
def _loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once for the module (about 3 s), undone at its end; each test runs in a
    savepoint inside it, so a test that loads it again leaves the next one the same data.
    The catalogue's pictures are stored in a temporary folder, not the project's."""
    media = tmp_path_factory.mktemp("demo") / "media"
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        services.rollup_all_compute()  # the nightly full roll-up, as the reports page shows it
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_loaded, db):
    parent = StudyGroup.objects.get(name=GROUP, parent=None)
    return {
        "": parent,
        "1": parent.subgroups.get(name="第1部会"),
        "2": parent.subgroups.get(name="第2部会"),
    }


def _row(fiscal_year: int, group: StudyGroup) -> ParticipationSummary:
    return ParticipationSummary.objects.get(fiscal_year=fiscal_year, study_group=group)


def _held(fiscal_year: int, family: dict[str, StudyGroup]):
    """The family's held meetings of a year in date order, with their のべ (named + walk-ins)."""
    return (
        Meeting.objects.filter(
            Q(study_group=family[""]) | Q(study_group__parent=family[""]),
            fiscal_year=fiscal_year,
            status=Meeting.Status.HELD,
        )
        .annotate(named=Count("attendances", filter=Q(attendances__status="attended")))
        .order_by("date", "pk")
    )


def test_demo_reproduces_the_seed_participation_table(demo):
    fy2016 = _row(2016, demo[""])
    assert (fy2016.meetings, fy2016.attendance_total) == (5, 240)
    assert _held(2016, demo).filter(kind=Meeting.Kind.SITE_VISIT).exists()  # 視察含む

    assert _row(2017, demo[""]).meetings == 9
    assert _row(2017, demo["2"]).attendance_total == 165
    assert _row(2017, demo["1"]).meetings + _row(2017, demo["2"]).meetings == 8  # + the 総会

    meetings = list(_held(2018, demo))
    assert len(meetings) == 4
    assert {m.study_group_id for m in meetings} == {demo["1"].pk, demo["2"].pk}  # 第1,2部会
    counted = [m.named + m.unnamed_headcount for m in meetings]
    alpha = [m for m in meetings if m.unnamed_headcount]
    assert len(alpha) == 1 and alpha[0].named + alpha[0].unnamed_headcount == counted[1]
    assert [n for i, n in enumerate(counted) if i != 1] == [26, 48, 56]
    assert _row(2018, demo[""]).attendance_total == 26 + counted[1] + 48 + 56
    # +α only where the seed has it: every other meeting of the seed's years is counted by name.
    assert sum(m.unnamed_headcount for fy in (2016, 2017) for m in _held(fy, demo)) == 0


def test_demo_attendance_follows_membership(demo):
    member_then = Membership.objects.filter(
        organisation=OuterRef("organisation"),
        study_group=OuterRef("meeting__study_group"),
        joined_on__lte=OuterRef("meeting__date"),
    ).filter(Q(left_on__isnull=True) | Q(left_on__gt=OuterRef("meeting__date")))
    attendances = Attendance.objects.filter(meeting__study_group__isnull=False)
    outside = attendances.exclude(Exists(member_then)).values_list(
        "organisation__name", "meeting__date"
    )
    assert (outside.count(), list(outside[:3])) == (0, [])
    assert attendances.count() > 1000  # the held meetings are attended by name
    # The person attended for the organisation they belong to.
    assert not attendances.exclude(organisation=F("person__organisation")).exists()
    # A former member (left 第2部会) attended it while a member and not after.
    former = Membership.objects.get(left_on__isnull=False, study_group=demo["2"])
    dates = Attendance.objects.filter(
        organisation=former.organisation, meeting__study_group=demo["2"]
    ).values_list("meeting__date", flat=True)
    assert dates and all(former.joined_on <= d < former.left_on for d in dates)


def test_every_fiscal_year_from_the_seed_to_fy2026_has_meetings_attendance_and_funding(demo):
    years = range(FIRST_FY, LAST_FY + 1)
    for fy in years:
        row = _row(fy, demo[""])
        assert row.meetings > 0 and row.attendance_total > 0 and row.organisations > 0, fy
        assert FundingSummary.objects.filter(fiscal_year=fy, amount__gt=0).exists(), fy
    assert min(Meeting.objects.values_list("fiscal_year", flat=True)) == FIRST_FY
    # The stored roll-up is the arithmetic of the records, year by year.
    for fy in years:
        fresh = compute_participation(fy)
        for group_id, counts in fresh.items():
            stored = ParticipationSummary.objects.get(fiscal_year=fy, study_group_id=group_id)
            assert {f: getattr(stored, f) for f in COUNT_FIELDS} == counts, (fy, group_id)


def test_demo_funding_and_phases_follow_the_seed(demo):
    wave = Project.objects.get(study_groups=demo[""])
    schemes = {
        fy: set(
            Funding.objects.paid()
            .filter(project=wave, fiscal_year=fy)
            .values_list("scheme", flat=True)
        )
        for fy in range(FIRST_FY, LAST_FY + 1)
    }
    assert all(schemes.values())
    assert "地方創生加速化交付金" in schemes[2016]
    assert {2017, 2018} <= {fy for fy, s in schemes.items() if "地方創生推進交付金" in s}
    assert not any("地方創生推進交付金" in s for fy, s in schemes.items() if fy > 2018)  # H30で終了
    moe = "CO2排出削減対策強化誘導型技術開発・実証事業"
    assert min(fy for fy, s in schemes.items() if moe in s) == 2018  # 二次公募で採択
    later = {fy for fy, s in schemes.items() if "地方大学・地域産業創生交付金" in s}
    assert later and min(later) > 2019
    assert any("企業版ふるさと納税" in s for s in schemes.values())
    phases = list(
        PhaseTransition.objects.filter(project=wave)
        .order_by("started_on")
        .values_list("phase__name", "started_on")
    )
    assert [name for name, _ in phases] == ["研究会", "実証", "事業化・実用化"]
    assert phases[0][1] == dt.date(2016, 6, 1)
    assert phases[1][1].year == 2019  # 協定締結後 (H31~)


def test_meetings_after_today_are_scheduled_and_have_no_attendance(demo):
    today = timezone.localdate()
    later = Meeting.objects.filter(date__gt=today)
    assert later.exists()
    assert set(later.values_list("status", flat=True)) == {Meeting.Status.SCHEDULED}
    assert not Attendance.objects.filter(meeting__in=later).exists()
    assert not later.filter(unnamed_headcount__gt=0).exists()
    earlier = Meeting.objects.filter(date__lte=today)
    assert set(earlier.values_list("status", flat=True)) == {Meeting.Status.HELD}
    # Registrations for the next meetings come from members of the meeting's groups.
    registered = Registration.objects.filter(meeting__in=later)
    assert registered.exists()
    for registration in registered.select_related("meeting", "person"):
        assert (
            Membership.objects.active()
            .filter(
                organisation=registration.person.organisation_id,
                study_group=registration.meeting.study_group_id,
            )
            .exists()
        )


def _snapshot() -> dict[str, object]:
    return {
        "organisations": sorted(Organisation.objects.values_list("name", "sector", "is_local")),
        "people": sorted(Person.objects.values_list("email", "name", "organisation__name")),
        "memberships": sorted(
            Membership.objects.values_list(
                "organisation__name", "study_group__name", "joined_on", "left_on", "role"
            )
        ),
        "meetings": sorted(
            Meeting.objects.values_list("title", "date", "status", "unnamed_headcount")
        ),
        "attendance": sorted(
            Attendance.objects.values_list("meeting__title", "meeting__date", "person__email")
        ),
        "registrations": Registration.objects.count(),
        "join_requests": JoinRequest.objects.count(),
        "funding": sorted(Funding.objects.values_list("fiscal_year", "scheme", "amount", "status")),
        "phases": PhaseTransition.objects.count(),
        "catalogue": sorted(
            Entry.objects.values_list("organisation__name", "title", "status", "published_at")
        ),
        "catalogue_images": EntryImage.objects.count(),
        "exhibitors": sorted(
            Exhibitor.objects.values_list("meeting__title", "organisation__name", "booth")
        ),
        "exhibited_entries": Exhibitor.entries.through.objects.count(),
        "speakers": sorted(Speaker.objects.values_list("meeting__title", "role", "name", "order")),
        "showcases": sorted(
            Meeting.objects.filter(kind__in=SHOWCASE_KINDS).values_list(
                "title", "visitors", "co_hosts__name"
            ),
            key=str,
        ),
        "summary": sorted(
            ParticipationSummary.objects.values_list(
                "fiscal_year", "study_group_id", "meetings", "attendance_total", "organisations"
            ),
            key=str,
        ),
    }


def test_loading_the_demo_twice_changes_nothing(demo):
    before = _snapshot()
    call_command("load_demo", stdout=StringIO())
    services.rollup_all_compute()
    assert _snapshot() == before


def test_demo_logins_work_and_the_member_belongs_to_a_member_organisation(demo):
    for email in LOGINS:
        assert authenticate(username=email, password="kyoso-demo-2024") is not None, email
    member = Person.objects.get(user__username="member@kyoso.example.jp")
    assert Membership.objects.active().filter(organisation=member.organisation).exists()
    assert not member.name.startswith("デモ")  # a believable (fictional) name


def test_demo_calls_last_year_went_through_review_and_release_and_this_year_is_open(demo):
    from collections import Counter

    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from consortium.fiscal import current_fiscal_year, fiscal_label, fiscal_year_of
    from members import roles
    from projects.calls.models import Application, Call, ReviewScore, SupportKind
    from reports.models import CallSummary

    this_year = current_fiscal_year()
    last_year = this_year - 1  # computed, never a fixed year: the demo is dated by its loading
    past = Call.objects.get(fiscal_year=last_year, status=Call.Status.DECIDED)
    assert "社会実装トライアル支援事業" in past.title and past.max_amount == 1_000_000
    assert past.support_kinds.count() == SupportKind.objects.count() > 0
    assert [(c.name, c.weight) for c in past.criteria.order_by("order")] == [
        ("新規性", 2),
        ("実現可能性", 3),
        ("市の課題への貢献", 3),
        ("事業化の見込み", 2),
    ]
    assert set(past.challenges.values_list("department", flat=True)) == {
        "交通政策課",
        "高齢福祉課",
        "環境政策課",
        "情報政策課",
    }
    submitted = past.applications.submitted()
    assert submitted.count() == 12
    assert Counter(submitted.values_list("decision", flat=True)) == {
        "adopted": 4,
        "reserve": 2,
        "rejected": 6,
    }
    assert submitted.filter(partners__sector="university").distinct().count() >= 3
    assert not submitted.filter(decision_sent_at__isnull=True).exists()
    assert {fiscal_year_of(a.decision_sent_at) for a in submitted} == {last_year}
    for application in submitted:
        total = sum(application.budget_lines.values_list("amount", flat=True))
        assert 0 < total <= past.max_amount
        reviewers = application.assignments.filter(submitted_at__isnull=False)
        assert reviewers.count() == 2
        assert ReviewScore.objects.filter(assignment__application=application).count() == 8
    reviewer_groups = {
        frozenset(u.groups.values_list("name", flat=True))
        for u in User.objects.filter(review_assignments__application__call=past).distinct()
    }
    assert reviewer_groups == {frozenset({roles.SECRETARIAT}), frozenset({roles.REVIEWERS})}
    assert authenticate(username="reviewer@kyoso.example.jp", password="kyoso-demo-2024")

    adopted = submitted.filter(decision=Application.Decision.ADOPTED)
    support = 0
    for application in adopted.select_related("project"):
        project = application.project
        assert project is not None
        phase = Project.objects.with_current_phase().get(pk=project.pk).current_phase_name
        assert phase == "実証"
        grant = Funding.objects.get(
            project=project, fiscal_year=last_year, funder=past.funder, scheme=past.title
        )
        assert grant.amount == sum(application.budget_lines.values_list("amount", flat=True))
        support += grant.amount
    assert not submitted.exclude(decision="adopted").filter(project__isnull=False).exists()

    whole = CallSummary.objects.get(fiscal_year=last_year, sector="")
    assert (whole.calls, whole.applications, whole.adoptions) == (1, 12, 4)
    assert (whole.adoption_rate, whole.support_granted) == (33.3, support)
    sectors = CallSummary.objects.filter(fiscal_year=last_year).exclude(sector="")
    assert sum(s.applications for s in sectors) == 12 and sum(s.adoptions for s in sectors) == 4
    assert FundingSummary.objects.filter(fiscal_year=last_year, scheme=past.title).count() == 4

    current = Call.objects.get(fiscal_year=this_year)
    assert current.status == Call.Status.PUBLISHED and current.is_open()
    assert current.closes_at > timezone.now()
    assert current.applications.filter(status=Application.Status.DRAFT).count() == 2
    assert not current.applications.submitted().exists()

    client = Client()
    client.force_login(User.objects.get(username="staff@kyoso.example.jp"))
    html = client.get(reverse("reports:dashboard")).content.decode()
    section = html.split('id="calls-heading"', 1)[1].split("</section>", 1)[0]
    row = section.split(fiscal_label(last_year), 1)[1].split("</tr>", 1)[0]
    assert [c.split("</td>")[0] for c in row.split('<td class="num">')[1:]] == [
        "1",
        "12",
        "4",
        "33.3%",
        f"{support:,}",
    ]


CATALOGUE_STATUSES = {"published": 33, "submitted": 3, "draft": 3, "archived": 1}


def _catalogue() -> list[tuple]:
    return sorted(
        Entry.objects.values_list(
            "organisation__name", "title", "title_kana", "kind", "status", "category__name"
        )
    )


def test_demo_catalogue_has_entries_of_many_organisations_in_every_status(demo):
    from collections import Counter

    from django.conf import settings

    from projects.catalogue.models import Category

    entries = Entry.objects.all()
    assert Counter(entries.values_list("status", flat=True)) == CATALOGUE_STATUSES
    assert entries.values("organisation").distinct().count() >= 20
    sectors = set(entries.values_list("organisation__sector", flat=True))
    assert {"company", "university", "association"} <= sectors
    published = entries.public()
    assert set(published.values_list("category__name", flat=True)) == set(
        Category.objects.values_list("name", flat=True)
    )  # every field of the taxonomy has something to show
    assert published.filter(study_groups__name=GROUP).exists()
    assert published.filter(projects__name="平塚波力発電 実証事業").exists()
    assert not entries.exclude(url__startswith="https://www.").exists()
    assert not entries.exclude(url__contains=".example.jp/").exists()
    assert not entries.filter(title_kana="").exists()

    # The services' statuses and stamps, dated in the past two years.
    now = timezone.now()
    for entry in published:
        assert entry.created_at <= entry.submitted_at <= entry.published_at < now, entry
        assert entry.reviewed_by.username == "staff@kyoso.example.jp"
        steps = list(entry.history.order_by("history_date").values_list("status", flat=True))
        assert steps[0] == "draft" and steps[-1] == "published", entry
    assert published.filter(published_at__lt=now - dt.timedelta(days=365)).exists()
    waiting = entries.submitted()
    assert waiting.count() == 3 and not waiting.filter(published_at__isnull=False).exists()
    returned = entries.exclude(returned_reason="").get()
    assert returned.status == "draft" and returned.reviewed_by is not None
    assert returned.organisation.people.filter(user__username="member@kyoso.example.jp").exists()

    # Pictures went through the image service: re-encoded, within the size, with alt text.
    images = EntryImage.objects.all()
    assert images.count() == 6
    for image in images:
        assert image.alt and image.image.name.endswith(".jpg")
        assert 0 < max(image.width, image.height) <= settings.KYOSO_CATALOGUE_IMAGE_MAX_SIDE


def test_the_public_catalogue_finds_a_demo_entry_by_a_katakana_word_typed_in_hiragana(demo):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    catalogue = reverse("projects:catalogue_public_list")
    page = client.get(catalogue)
    assert page.status_code == 200
    assert page.context["search"].total == CATALOGUE_STATUSES["published"]

    def titles(query: str) -> list[str]:
        found = client.get(catalogue, {"q": query})
        assert found.status_code == 200
        return [entry.title for entry in found.context["entries"]]

    found = client.get(catalogue, {"q": "まいくろばぶる"})  # マイクロバブル typed in hiragana
    assert [entry.title for entry in found.context["entries"]] == ["マイクロバブル洗浄装置"]
    assert "マイクロバブル洗浄装置" in found.content.decode()
    assert titles("ﾏｲｸﾛﾊﾞﾌﾞﾙ") == ["マイクロバブル洗浄装置"]  # half-width katakana alike
    assert titles("はりょくはつでんぶい") == ["波力発電ブイ"]  # by its reading (名称カナ)
    assert titles("すいちゅうどろーん") == []  # the entry sent back is not public


def test_the_demo_member_sees_their_organisations_returned_entry_and_draft(demo):
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(User.objects.get(username="member@kyoso.example.jp"))
    html = client.get(reverse("projects:catalogue_mine")).content.decode()
    assert "水中ドローン点検パッケージ" in html and "護岸点検レポート作成サービス" in html
    assert "水中カメラロボット" in html
    assert "波力発電ブイ" not in html  # another organisation's


def test_the_catalogue_demo_is_the_same_each_time_and_mails_nobody(
    demo, mailoutbox, django_capture_on_commit_callbacks
):
    from projects.catalogue import demo as catalogue_demo

    before = _catalogue()
    grants = _grants()
    AwardGrant.objects.all().delete()
    EntryImage.objects.all().delete()
    Entry.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        catalogue_demo.load(stdout=StringIO())
    assert callbacks  # the services announced their writes (and would have queued any mail)
    assert mailoutbox == []
    assert _catalogue() == before
    assert _grants() == grants
    assert EntryImage.objects.count() == 6


def _grants() -> list[tuple]:
    return sorted(
        AwardGrant.objects.values_list("award__name", "entry__title", "fiscal_year", "note")
    )


def test_demo_brands_were_granted_over_several_years_and_show_on_the_awards_page(demo):
    from django.test import Client

    by_year = Counter(AwardGrant.objects.values_list("fiscal_year", flat=True))
    assert len(by_year) >= 4 and sum(by_year.values()) >= 12
    assert Award.objects.filter(parent__isnull=False).count() == 1  # the 大賞 of a brand
    assert not AwardGrant.objects.exclude(entry__status__in=["published", "archived"]).exists()
    client = Client()
    client.force_login(User.objects.get(username="staff@kyoso.example.jp"))
    html = client.get("/projects/catalogue/awards/", secure=True).content.decode()
    assert "低CO2ひらつかブランド大賞" in html and "令和4年度" in html


def test_public_demo_meetings_carry_their_reading_english_name_address_and_position(demo):
    from reports.exports import OPEN_DATA_COLUMNS, open_data_rows

    public = Meeting.objects.filter(visibility="public")
    assert public.count() >= 6
    assert not public.filter(
        Q(title_kana="") | Q(title_en="") | Q(address="") | Q(latitude=None) | Q(longitude=None)
    ).exists()
    port = public.filter(venue="平塚新港").first()
    assert port.address.startswith("神奈川県平塚市")
    assert 35.2 < port.latitude < 35.5 and 139.2 < port.longitude < 139.5  # in Hiratsuka
    columns = ["イベント名_カナ", "イベント名_英字", "場所名称", "住所", "緯度", "経度", "URL"]
    for row in open_data_rows():
        record = dict(zip(OPEN_DATA_COLUMNS, row, strict=True))
        assert all(record[column] not in ("", None) for column in columns), record["イベント名"]
    loaded_again = list(public.values_list("pk", "sequence", "updated_at"))
    call_command("load_demo", stdout=StringIO())
    assert list(public.values_list("pk", "sequence", "updated_at")) == loaded_again


def test_demo_citizens_registered_for_the_public_open_house_and_came_to_an_earlier_one(demo):
    from events.models import PublicRegistration

    ahead = Meeting.objects.get(title="波力発電装置 見学会（平塚新港）")
    citizens = PublicRegistration.objects.filter(meeting=ahead)
    assert citizens.count() >= 5 and not citizens.filter(confirmed_at__isnull=True).exists()
    assert all(c.name and c.email.endswith("@example.jp") for c in citizens)
    summer = Meeting.objects.get(title__startswith="夏休み", date=dt.date(2025, 8, 2))
    came = PublicRegistration.objects.filter(meeting=summer, checked_in_at__isnull=False)
    # Purged long ago (counts only), and counted as 一般参加者 in FY2025.
    assert came.exists() and not came.exclude(name="", email="").exists()
    seats = sum(came.values_list("seats", flat=True))
    assert _row(2025, demo[""]).public_participants == seats


PREFECTURE = "神奈川県 産業労働局"


def test_the_demo_fair_is_held_every_year_with_member_exhibitors_and_more_visitors(demo):
    from django.test import Client

    today = timezone.localdate()
    prefecture = Organisation.objects.get(name=PREFECTURE)
    fairs = list(Meeting.objects.filter(kind=Meeting.Kind.EXHIBITION).order_by("date"))
    years = [fair.fiscal_year for fair in fairs]
    assert len(years) >= 5 and years == sorted(set(years))  # one a year, several years
    assert min(years) > 2018  # after the seed's years, whose figures stay the seed's
    for fair in fairs:
        assert fair.title.startswith("ひらつか環境・エネルギー技術展")
        assert fair.visibility == "public" and fair.study_group == demo[""]
        assert list(fair.co_hosts.all()) == [prefecture]
        exhibitors = list(fair.exhibitors.select_related("organisation"))
        assert 8 <= len(exhibitors) <= 20
        booths = [e.booth for e in exhibitors]
        assert all(booths) and len(set(booths)) == len(booths)
        for exhibitor in exhibitors:  # member firms, universities and associations on the day
            organisation = exhibitor.organisation
            assert organisation.sector in {"company", "university", "association"}
            assert Membership.objects.active(on=fair.date).filter(organisation=organisation)
        shown = Entry.objects.public().filter(exhibitions__meeting=fair)
        assert shown.values("organisation").distinct().count() >= 8  # their entries show
        if fair.date <= today:
            assert fair.status == Meeting.Status.HELD and fair.visitors > 1_000
        else:
            assert fair.status == Meeting.Status.SCHEDULED and fair.visitors is None
        # Visitors are counted apart: nobody by name, nothing added to のべ参加者数.
        assert not fair.attendances.exists() and fair.unnamed_headcount == 0
    held = [fair for fair in fairs if fair.status == Meeting.Status.HELD]
    assert len(held) >= 4
    visitors = [fair.visitors for fair in held]
    assert visitors == sorted(set(visitors))  # more visitors each year
    counts = [fair.exhibitors.count() for fair in fairs]
    assert counts == sorted(set(counts))  # and more exhibitors

    # Anyone sees a fair's booths and the exhibitors' published entries, linked to the catalogue.
    fair = held[-1]
    html = Client().get(fair.get_absolute_url()).content.decode()
    exhibitor = fair.exhibitors.select_related("organisation").order_by("booth").first()
    entry = exhibitor.entries.public().first()
    assert exhibitor.booth in html and exhibitor.organisation.name in html
    assert f"/projects/catalogue/{entry.pk}/" in html and entry.title in html
    assert f"約 {fair.visitors:,} 人" in html and PREFECTURE in html


def test_the_demo_indicator_table_shows_fairs_outcomes_and_awards_over_the_years(demo):
    from django.test import Client
    from django.urls import reverse

    from reports.querysets import indicator_table

    table = indicator_table()
    rows = {
        row.indicator.key: dict(zip(table.years, row.values, strict=True)) for row in table.rows
    }

    def years_with(*keys: str) -> set[int]:
        return {fy for key in keys for fy, value in rows[key].items() if value}

    assert len(years_with("exhibitors")) >= 4 and len(years_with("visitors")) >= 4
    assert not years_with("exhibitors", "visitors") & {2016, 2017, 2018}
    outcomes = [key for key in rows if key.startswith("outcomes_")]
    assert len(outcomes) >= 3 and len(years_with(*outcomes)) >= 4
    assert len(years_with("awards_granted")) >= 4
    # The figures are those of the records: the held fairs' and symposia's.
    for fy in table.years:
        held = Meeting.objects.filter(
            fiscal_year=fy, status=Meeting.Status.HELD, kind__in=SHOWCASE_KINDS
        )
        assert rows["exhibitors"][fy] == Exhibitor.objects.filter(meeting__in=held).count()
        assert rows["visitors"][fy] == sum(m.visitors or 0 for m in held), fy

    # The secretariat reads the same row on the dashboard.
    client = Client()
    client.force_login(User.objects.get(username="staff@kyoso.example.jp"))
    html = client.get(reverse("reports:dashboard")).content.decode()
    section = html.split('id="indicators-heading"', 1)[1].split("</section>", 1)[0]
    row = section.split('<th scope="row">来場者数', 1)[1].split("</tr>", 1)[0]
    cells = [c.split("</td>")[0] for c in row.split('<td class="num">')[1:]]
    assert cells == [f"{rows['visitors'][fy]:,}" for fy in table.years]


def test_a_held_demo_symposium_lists_its_chair_talks_and_the_prefecture_as_co_host(demo):
    from django.test import Client

    symposia = Meeting.objects.filter(kind=Meeting.Kind.SYMPOSIUM)
    held = symposia.filter(status=Meeting.Status.HELD).order_by("date").first()
    assert held is not None and held.visitors
    chair = held.speakers.get(role=Speaker.Role.CHAIR)
    assert chair.affiliation.endswith("教授")
    talks = list(held.speakers.filter(role=Speaker.Role.SPEAKER))
    assert all(talk.talk_title for talk in talks)
    by = " ".join(talk.affiliation for talk in talks)
    assert "大学" in by and "神奈川県" in by and "株式会社" in by  # 産学官
    assert held.speakers.filter(role=Speaker.Role.PANELIST).count() >= 2
    assert held.co_hosts.filter(name=PREFECTURE).exists()
    # A symposium ahead has its programme announced, and no visitors yet.
    for later in symposia.filter(status=Meeting.Status.SCHEDULED):
        assert later.speakers.filter(role=Speaker.Role.CHAIR).exists()
        assert later.visitors is None

    html = Client().get(held.get_absolute_url()).content.decode()
    assert "座長" in html and chair.name in html and chair.talk_title in html
    assert PREFECTURE in html
