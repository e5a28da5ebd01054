"""Demo meetings of the Hiratsuka marine-energy study group (seed 000), FY2016 to FY2026.

The seed's participation table (平塚海洋エネルギー研究会のこれまでの実績) is reproduced exactly:

- FY2016 (H28): 5 meetings including a site visit (視察含む), のべ 240;
- FY2017 (H29): 9 meetings, of 第1部会 and 第2部会 plus the 総会 of 2018-02-23, 第2部会 のべ 165
  (with the ゴムラダーの水槽実験 of 2017-12-12 at 中部電力);
- FY2018 (H30): 4 meetings of the 部会, のべ 26+α+48+56: three counted by name and one, a site
  visit of the future power station, whose count the seed leaves open (α) and which carries the
  demo's only walk-ins (当日参加・+α) of those years.

After the agreement (H31~ 協定締結後) the story goes on along the seed's phases: the wave power
station is built and demonstrated, the meetings go online in FY2020, outreach (見学会 for citizens
and pupils, walk-ins counted as a headcount) and 社会人育成 courses follow, then commercialisation.
Figures after FY2018 are illustrative.

The city's yearly environmental-technology fair (展示会, FY2022 on) and the symposia's programmes
(speakers, co-host, visitors) are in ``events.demo_showcase``.

Attendance follows membership: a meeting's named attendees are drawn (deterministically) from the
people of organisations that are members of the meeting's study group on its date. Meetings up
to today are held; later ones are scheduled, without attendance, some open for registration.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from members.models import Membership, Person, StudyGroup
from projects.models import Project

from .models import (
    Attendance,
    Meeting,
    MeetingKind,
    MeetingStatus,
    PublicRegistration,
    Registration,
    Visibility,
)
from .services import CALENDAR_FIELDS, meeting_revised
from .signals import attendance_changed

GROUP = "平塚海洋エネルギー研究会"
CITY_HALL = "平塚市役所 304会議室"
PORT = "平塚新港"
ONLINE = "オンライン"
K = MeetingKind
ASSEMBLY, SUB, VISIT, EXPERIMENT = K.GENERAL_ASSEMBLY, K.SUBCOMMITTEE, K.SITE_VISIT, K.EXPERIMENT
SEMINAR, SYMPOSIUM, OPEN_HOUSE = K.SEMINAR, K.SYMPOSIUM, K.OPEN_HOUSE
HALL = "平塚市中央公民館 大ホール"

# (group: "" parent / "1" 第1部会 / "2" 第2部会, kind, date and time, venue, named, walk-ins,
#  title)
HISTORY = [
    # FY2016 (H28): 5回（視察含む）, のべ 240
    ("", ASSEMBLY, "2016-06-10 14:00", CITY_HALL, 48, 0, "平成28年度 第1回 総会（研究会発足）"),
    ("", VISIT, "2016-08-25", "岩手県久慈市", 24, 0, "波力発電 先進地視察（岩手県久慈市）"),
    ("", SEMINAR, "2016-10-14 14:00", CITY_HALL, 52, 0, "海洋エネルギー 勉強会（波力発電の基礎）"),
    ("", SEMINAR, "2016-12-16 14:00", CITY_HALL, 54, 0,
     "海洋エネルギー 勉強会（波浪データの活用）"),
    ("", ASSEMBLY, "2017-02-24 14:00", CITY_HALL, 62, 0, "平成28年度 第2回 総会"),
    # FY2017 (H29): 9回（第1,2部会）, 第2部会 のべ 165
    ("2", SUB, "2017-05-19 14:00", CITY_HALL, 30, 0, "第2部会 平成29年度 第1回"),
    ("1", SUB, "2017-06-16 14:00", CITY_HALL, 24, 0, "第1部会 平成29年度 第1回"),
    ("2", SUB, "2017-07-21 14:00", CITY_HALL, 35, 0, "第2部会 平成29年度 第2回"),
    ("1", SUB, "2017-09-08 14:00", CITY_HALL, 22, 0, "第1部会 平成29年度 第2回"),
    ("2", SUB, "2017-10-20 14:00", CITY_HALL, 30, 0, "第2部会 平成29年度 第3回"),
    ("1", SUB, "2017-11-17 14:00", CITY_HALL, 20, 0, "第1部会 平成29年度 第3回"),
    ("2", EXPERIMENT, "2017-12-12 13:00", "中部電力（名古屋市）", 25, 0, "ゴムラダーの水槽実験"),
    ("2", SUB, "2018-01-26 14:00", CITY_HALL, 45, 0, "第2部会 平成29年度 第4回"),
    ("", ASSEMBLY, "2018-02-23 13:30", CITY_HALL, 50, 0, "平成29年度 総会"),
    # FY2018 (H30): 4回（第1,2部会）, のべ 26+α+48+56
    ("1", SUB, "2018-06-15 14:00", CITY_HALL, 26, 0, "第1部会 平成30年度 第1回"),
    ("2", VISIT, "2018-07-20 10:00", PORT, 12, 9,
     "第2部会 平成30年度 第1回（波力発電所 建設予定地の見学）"),
    ("2", SUB, "2018-09-21 14:00", CITY_HALL, 48, 0, "第2部会 平成30年度 第2回"),
    ("1", SUB, "2018-11-16 14:00", CITY_HALL, 56, 0,
     "第1部会 平成30年度 第2回（環境省 実証事業の採択報告）"),
    # FY2019 (令和元年度): the agreement; the wave power station is built (環境省)
    ("", ASSEMBLY, "2019-05-24 13:30", CITY_HALL, 54, 0,
     "令和元年度 総会（連携協力協定の締結報告）"),
    ("1", SUB, "2019-07-19 14:00", CITY_HALL, 34, 0,
     "第1部会 令和元年度 第1回（波力発電所の工事計画）"),
    ("2", SUB, "2019-09-13 14:00", CITY_HALL, 31, 0,
     "第2部会 令和元年度 第1回（海中観測工学の実験計画）"),
    ("", OPEN_HOUSE, "2019-11-09 10:00", PORT, 22, 38, "平塚波力発電所 工事見学会"),
    ("1", SUB, "2020-02-14 14:00", CITY_HALL, 29, 0, "第1部会 令和元年度 第2回"),
    # FY2020: demonstration runs; the meetings go online
    ("1", SUB, "2020-07-17 14:00", ONLINE, 27, 0, "第1部会 令和2年度 第1回（実証運転の開始）"),
    ("2", SUB, "2020-10-16 14:00", ONLINE, 25, 0, "第2部会 令和2年度 第1回（流砂対策）"),
    ("", ASSEMBLY, "2021-02-26 13:30", ONLINE, 46, 0, "令和2年度 総会"),
    # FY2021: results of the demonstration, outreach
    ("", ASSEMBLY, "2021-06-18 13:30", CITY_HALL, 50, 0, "令和3年度 総会"),
    ("1", SUB, "2021-09-17 14:00", CITY_HALL, 33, 0,
     "第1部会 令和3年度 第1回（実証運転の結果報告）"),
    ("2", SUB, "2021-11-19 14:00", CITY_HALL, 30, 0, "第2部会 令和3年度 第1回（維持管理の手順）"),
    ("", OPEN_HOUSE, "2022-03-19 10:00", PORT, 18, 42, "平塚波力発電所 見学会"),
    # FY2022 on: commercialisation (実証事業以降), 社会人育成, 児童・生徒の海洋教育
    ("", ASSEMBLY, "2022-05-27 13:30", CITY_HALL, 52, 0, "令和4年度 総会"),
    ("1", SUB, "2022-07-15 14:00", CITY_HALL, 35, 0, "第1部会 令和4年度 第1回（波力発電の実用化）"),
    ("2", SUB, "2022-09-16 14:00", CITY_HALL, 31, 0,
     "第2部会 令和4年度 第1回（水中カメラロボットの実用化）"),
    ("", SEMINAR, "2022-11-25 13:30", CITY_HALL, 40, 0, "海洋人材育成講座（社会人技術者向け）"),
    ("1", SUB, "2023-02-17 14:00", CITY_HALL, 30, 0, "第1部会 令和4年度 第2回"),
    ("", ASSEMBLY, "2023-05-26 13:30", CITY_HALL, 55, 0, "令和5年度 総会"),
    ("1", SUB, "2023-07-21 14:00", CITY_HALL, 34, 0,
     "第1部会 令和5年度 第1回（波力発電と電気自動車）"),
    ("", OPEN_HOUSE, "2023-08-05 10:00", PORT, 15, 64,
     "夏休み 波力発電所 見学会（児童・生徒向け）"),
    ("2", SUB, "2023-10-20 14:00", CITY_HALL, 32, 0, "第2部会 令和5年度 第1回"),
    ("", SYMPOSIUM, "2024-02-09 13:00", HALL, 45, 30,
     "海洋エネルギー シンポジウム 2024"),
    ("", ASSEMBLY, "2024-05-24 13:30", CITY_HALL, 53, 0, "令和6年度 総会"),
    ("1", SUB, "2024-07-19 14:00", CITY_HALL, 36, 0, "第1部会 令和6年度 第1回"),
    ("2", SUB, "2024-09-20 14:00", CITY_HALL, 33, 0, "第2部会 令和6年度 第1回（AUVの実用化）"),
    ("", SEMINAR, "2024-11-22 13:30", CITY_HALL, 38, 0, "海洋人材育成講座（社会人技術者向け）"),
    ("2", SUB, "2025-01-24 14:00", CITY_HALL, 29, 0, "第2部会 令和6年度 第2回"),
    ("", ASSEMBLY, "2025-05-23 13:30", CITY_HALL, 56, 0, "令和7年度 総会"),
    ("1", SUB, "2025-07-18 14:00", CITY_HALL, 35, 0, "第1部会 令和7年度 第1回"),
    ("", OPEN_HOUSE, "2025-08-02 10:00", PORT, 16, 46,
     "夏休み 波力発電所 見学会（児童・生徒向け）"),
    ("2", SUB, "2025-10-17 14:00", CITY_HALL, 31, 0, "第2部会 令和7年度 第1回"),
    ("1", SUB, "2026-02-13 14:00", CITY_HALL, 30, 0, "第1部会 令和7年度 第2回"),
    ("", ASSEMBLY, "2026-05-22 13:30", CITY_HALL, 57, 0, "令和8年度 総会"),
    ("1", SUB, "2026-07-17 14:00", CITY_HALL, 36, 0, "第1部会 令和8年度 第1回"),
    ("2", SUB, "2026-08-21 14:00", CITY_HALL, 32, 0, "第2部会 令和8年度 第1回"),
    ("1", SUB, "2026-10-16 14:00", CITY_HALL, 33, 0, "第1部会 令和8年度 第2回"),
    ("2", SUB, "2026-11-13 14:00", CITY_HALL, 30, 0, "第2部会 令和8年度 第2回"),
]  # fmt: skip

PUBLIC_KINDS = {K.OPEN_HOUSE, K.SYMPOSIUM}

# Where the public meetings take place, for the open data and the map link: (address, latitude,
# longitude). Positions are approximate, read off the GSI map (地理院地図) for the demo.
PLACES = {
    PORT: ("神奈川県平塚市千石河岸", "35.316700", "139.363900"),
    HALL: ("神奈川県平塚市追分1-20", "35.337000", "139.344000"),
}

# The public meetings' titles in kana and English (イベント名_カナ, イベント名_英字), as the
# meeting form stores them (full-width katakana, half-width brackets).
TITLES = {
    "平塚波力発電所 工事見学会": (
        "ヒラツカハリョクハツデンショ コウジケンガクカイ",
        "Hiratsuka Wave Power Plant: Construction Site Tour",
    ),
    "平塚波力発電所 見学会": (
        "ヒラツカハリョクハツデンショ ケンガクカイ",
        "Hiratsuka Wave Power Plant Tour",
    ),
    "夏休み 波力発電所 見学会（児童・生徒向け）": (
        "ナツヤスミ ハリョクハツデンショ ケンガクカイ(ジドウ・セイトムケ)",
        "Summer Holiday Wave Power Plant Tour (for Pupils and Students)",
    ),
    "海洋エネルギー シンポジウム 2024": (
        "カイヨウエネルギー シンポジウム 2024",
        "Marine Energy Symposium 2024",
    ),
    "波力発電装置 見学会（平塚新港）": (
        "ハリョクハツデンソウチ ケンガクカイ(ヒラツカシンコウ)",
        "Wave Power Device Tour (Hiratsuka New Port)",
    ),
    "海洋エネルギー シンポジウム 2027": (
        "カイヨウエネルギー シンポジウム 2027",
        "Marine Energy Symposium 2027",
    ),
}

# Announced meetings of FY2026, open for registration:
# (group, with the project, kind, title, date, time, venue, visibility, capacity)
UPCOMING = [
    ("2", False, K.SUBCOMMITTEE, "第2部会 令和8年度 第3回", "2026-12-11", "14:00", CITY_HALL,
     "members", 30),
    ("", True, K.OPEN_HOUSE, "波力発電装置 見学会（平塚新港）", "2027-01-23", "10:00", PORT,
     "public", 40),
    ("", False, K.SYMPOSIUM, "海洋エネルギー シンポジウム 2027", "2027-02-05", "13:00",
     HALL, "public", None),
    ("", False, K.GENERAL_ASSEMBLY, "令和8年度 総会", "2027-02-26", "13:30", CITY_HALL, "members",
     None),
]  # fmt: skip


# Citizens' registrations (一般参加申込) of the 見学会 at 平塚新港 ahead: (name, kana, e-mail,
# affiliation, people). Loaded after its day, the first four were checked in at the door.
CITIZENS = [
    ("小林 美咲", "コバヤシ ミサキ", "misaki.kobayashi@example.jp", "", 3),
    ("佐々木 大輔", "ササキ ダイスケ", "d.sasaki@example.jp", "湘南ものづくり研究所", 1),
    ("高田 直美", "タカダ ナオミ", "naomi.takada@example.jp", "", 2),
    ("井上 翔太", "イノウエ ショウタ", "inoue.shota@example.jp", "市民エネルギーの会", 1),
    ("森本 さくら", "モリモト サクラ", "sakura.morimoto@example.jp", "", 4),
    ("長谷川 健", "ハセガワ ケン", "ken.hasegawa@example.jp", "", 1),
]
# The summer 見学会 of FY2025: families registered online, checked in at the door; their personal
# data was deleted 30 days after (KYOSO_PUBLIC_RETENTION_DAYS), the people they brought remain.
SUMMER_OPEN_HOUSE = ("夏休み 波力発電所 見学会（児童・生徒向け）", dt.date(2025, 8, 2))
SUMMER_SEATS = [3, 2, 4, 1, 2]  # 12 一般参加者 (+ 46 counted at the door, + 16 by name)


def _citizens(meeting: Meeting) -> None:
    """Confirmed citizens' registrations of a public meeting ahead, once (a second load finds
    them): in the order they confirmed, after the members' registrations."""
    if meeting.public_registrations.exists():
        return
    last = meeting.registrations.order_by("-position").values_list("position", flat=True).first()
    held = meeting.status == MeetingStatus.HELD
    created = meeting.registration_opens_at or timezone.now()
    PublicRegistration.objects.bulk_create(
        PublicRegistration(
            meeting=meeting,
            name=name,
            name_kana=kana,
            email=email,
            affiliation=affiliation,
            seats=seats,
            status=PublicRegistration.Status.REGISTERED,
            position=(last or 0) + n,
            consented_at=created + dt.timedelta(days=n),
            created_at=created + dt.timedelta(days=n),
            confirmed_at=created + dt.timedelta(days=n, minutes=7),
            checked_in_at=meeting.starts_at if held and n <= 4 else None,
        )
        for n, (name, kana, email, affiliation, seats) in enumerate(CITIZENS, start=1)
    )


def _citizens_long_ago(meeting: Meeting) -> None:
    """Checked-in citizens' registrations of a held meeting, already purged: counts only."""
    if meeting.public_registrations.exists():
        return
    starts = meeting.starts_at  # 10:00
    if starts is None:
        raise ValueError(f"{meeting}: the demo's citizens come to a meeting with a start time")
    PublicRegistration.objects.bulk_create(
        PublicRegistration(
            meeting=meeting,
            seats=seats,
            status=PublicRegistration.Status.REGISTERED,
            position=n,
            consented_at=starts - dt.timedelta(days=20 - n),
            created_at=starts - dt.timedelta(days=20 - n),
            confirmed_at=starts - dt.timedelta(days=20 - n),
            checked_in_at=starts + dt.timedelta(minutes=n),
            purged_at=starts + dt.timedelta(days=31),
        )
        for n, seats in enumerate(SUMMER_SEATS, start=1)
    )


def status_on(date: dt.date, today: dt.date) -> str:
    """The one place the demo decides a meeting's status: held up to today, scheduled after."""
    return MeetingStatus.HELD if date <= today else MeetingStatus.SCHEDULED


def _moment(date: str, time: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(f"{date}T{time}"))


def _aware(date: str, time: str) -> dt.datetime | None:
    return _moment(date, time) if time else None


def _groups() -> dict[str, StudyGroup]:
    parent, _ = StudyGroup.objects.get_or_create(name=GROUP, parent=None)
    first, _ = StudyGroup.objects.get_or_create(name="第1部会", parent=parent)
    second, _ = StudyGroup.objects.get_or_create(name="第2部会", parent=parent)
    return {"": parent, "1": first, "2": second}


class Roster:
    """Who could attend a group's meeting on a day: people of the organisations that are members
    of that group then (joined on or before, not yet left). Read once, answered in memory."""

    def __init__(self, groups: list[StudyGroup]) -> None:
        self.spans: dict[int, list[tuple[int, dt.date, dt.date | None]]] = {}
        for group_id, org_id, joined_on, left_on in Membership.objects.filter(
            study_group__in=groups
        ).values_list("study_group_id", "organisation_id", "joined_on", "left_on"):
            self.spans.setdefault(group_id, []).append((org_id, joined_on, left_on))
        self.people: dict[int, list[tuple[str, int]]] = {}
        for email, pk, org_id in (
            Person.objects.filter(organisation__memberships__study_group__in=groups)
            .distinct()
            .values_list("email", "pk", "organisation_id")
        ):
            self.people.setdefault(org_id, []).append((email, pk))

    def on(self, group: StudyGroup | None, date: dt.date) -> list[tuple[str, int, int]]:
        """(email, person, organisation) of the eligible people, in a stable order (nobody
        for a meeting without a group)."""
        if group is None:
            return []
        orgs = {
            org_id
            for org_id, joined_on, left_on in self.spans.get(group.pk, [])
            if joined_on <= date and (left_on is None or date < left_on)
        }
        return sorted(
            (email, pk, org_id) for org_id in orgs for email, pk in self.people.get(org_id, [])
        )


def _attendance_sync(meeting: Meeting, chosen: list[tuple[str, int, int]]) -> None:
    """Make the meeting's attendance exactly ``chosen`` (a second load finds nothing to do)."""
    wanted = {pk: org_id for _email, pk, org_id in chosen}
    stored = dict(meeting.attendances.values_list("person_id", "organisation_id"))
    stale = [pk for pk, org_id in stored.items() if wanted.get(pk) != org_id]
    if stale:
        meeting.attendances.filter(person_id__in=stale).delete()
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            person_id=pk,
            organisation_id=org_id,
            status=Attendance.Status.ATTENDED,
        )
        for pk, org_id in wanted.items()
        if pk not in stored or pk in stale
    )


def _update(meeting: Meeting, **values) -> None:
    changed = [name for name, value in values.items() if getattr(meeting, name) != value]
    for name in changed:
        setattr(meeting, name, values[name])
    if set(changed) & set(CALENDAR_FIELDS):  # a calendar that has the meeting must see it
        changed += meeting_revised(meeting)
    if changed:
        meeting.save(update_fields=changed)


def _open_data(
    meeting: Meeting,
    *,
    titles: dict[str, tuple[str, str]] = TITLES,
    places: dict[str, tuple[str, str, str]] = PLACES,
) -> None:
    """A public meeting's reading, English title, address and position (a second load finds
    them set)."""
    if meeting.visibility != Visibility.PUBLIC:
        return
    kana, english = titles.get(meeting.title, ("", ""))
    address, latitude, longitude = places.get(meeting.venue, ("", None, None))
    _update(
        meeting,
        title_kana=kana,
        title_en=english,
        address=address,
        latitude=Decimal(latitude) if latitude else None,
        longitude=Decimal(longitude) if longitude else None,
    )


def _attend(meeting: Meeting, roster: Roster, today: dt.date, named: int, walk_ins: int) -> None:
    """Held: ``named`` people of the member organisations, and the walk-ins. Scheduled: none."""
    status = status_on(meeting.date, today)
    chosen: list[tuple[str, int, int]] = []
    if status == MeetingStatus.HELD:
        eligible = roster.on(meeting.study_group, meeting.date)
        if len(eligible) < named:
            raise ValueError(
                f"{meeting}: {named} attendees wanted, only {len(eligible)} people in the "
                "member organisations of the group on that day"
            )
        chosen = random.Random(f"{meeting.date} {meeting.title}").sample(eligible, named)
    else:
        walk_ins = 0
    _attendance_sync(meeting, chosen)
    _update(meeting, status=status, unnamed_headcount=walk_ins)


def load(*, stdout) -> None:
    today = timezone.localdate()
    groups = _groups()
    roster = Roster(list(groups.values()))
    project = Project.objects.filter(name__contains="波力").first()
    years: set[int] = set()
    for key, kind, when, venue, named, walk_ins, title in HISTORY:
        date, _space, time = when.partition(" ")
        meeting, _ = Meeting.objects.get_or_create(
            study_group=groups[key],
            title=title,
            date=dt.date.fromisoformat(date),
            defaults={
                "kind": kind,
                "venue": venue,
                "starts_at": _aware(date, time),
                "visibility": Visibility.PUBLIC if kind in PUBLIC_KINDS else Visibility.MEMBERS,
                "project": project if kind == K.OPEN_HOUSE else None,
            },
        )
        _open_data(meeting)
        _attend(meeting, roster, today, named, walk_ins)
        years.add(meeting.fiscal_year)

    opens = timezone.make_aware(dt.datetime(2026, 11, 1, 9, 0))
    upcoming = []
    for key, with_project, kind, title, date, time, venue, visibility, capacity in UPCOMING:
        starts_at = _moment(date, time)
        meeting, _ = Meeting.objects.get_or_create(
            study_group=groups[key],
            title=title,
            date=dt.date.fromisoformat(date),
            defaults={
                "project": project if with_project else None,
                "kind": kind,
                "venue": venue,
                "starts_at": starts_at,
                "ends_at": starts_at + dt.timedelta(hours=2),
                "visibility": visibility,
                "capacity": capacity,
                "registration_opens_at": opens,
                "registration_closes_at": starts_at - dt.timedelta(days=2),
                "description": "会員の皆さまのご参加をお待ちしています。",
            },
        )
        _open_data(meeting)
        # Loaded after its day, an announced meeting counts as held, with 30 members there.
        _attend(meeting, roster, today, named=30, walk_ins=0)
        upcoming.append(meeting)
        years.add(meeting.fiscal_year)

    december = upcoming[0]
    registrants = roster.on(december.study_group, min(today, december.date))[:5]
    for position, (_email, person_id, _org) in enumerate(registrants, start=1):
        Registration.objects.get_or_create(
            meeting=december,
            person_id=person_id,
            status=Registration.Status.REGISTERED,
            defaults={"position": position},
        )
    _citizens(upcoming[1])  # 波力発電装置 見学会（平塚新港）
    summer = Meeting.objects.get(title=SUMMER_OPEN_HOUSE[0], date=SUMMER_OPEN_HOUSE[1])
    _citizens_long_ago(summer)
    # The fairs, and the programmes of the symposia above (built on this module's helpers).
    from . import demo_showcase

    fairs = demo_showcase.load(group=groups[""], roster=roster, today=today)
    years |= {fair.fiscal_year for fair in fairs}
    attendance_changed.send(sender=Meeting, fiscal_years=years)
    stdout.write(f"events: {Meeting.objects.count()} meetings, {demo_showcase.summary(fairs)}")
