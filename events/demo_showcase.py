"""Demo 展示会 and シンポジウム programmes (run by ``events.demo`` after the meetings). Idempotent.

- The fair: seed 003's 川崎国際環境技術展 (exhibitors and visitors per year, business matching)
  told in the demo city. 「ひらつか環境・エネルギー技術展」 is held every autumn from FY2022 to
  FY2026 at ひらつかアリーナ, by the study group with 神奈川県 as co-host (seed 003: the
  prefecture co-hosts テクノトランスファー). Its exhibitors are the consortium's member firms,
  universities and associations on the day, those with published catalogue entries first, so
  that their entries show at the booth; both exhibitors and visitors grow year by year.
- The symposia (海洋エネルギー シンポジウム) get the programme seed 002 describes: held with the
  prefecture (県と連携してシンポジウム), the professor who chairs the study group as 座長, talks by
  universities, the prefecture and member firms, and a panel.

Both are showcases (``events.exhibitions``), written only through its services. A fair has no
named attendance: it counts in the study group's 開催回数 (FY2022 on, after the seed's years), its
figures are exhibitors and visitors, not のべ参加者数. A fair or symposium dated after today stays
scheduled without visitors; its exhibitors and speakers are announced ahead.

Exhibitors are drawn from a fixed seed. Visitor counts, talk titles and all persons are
ILLUSTRATIVE (fictional names at the real organisations, as in the rest of the demo).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Exists, OuterRef, Sum

from members.models import Membership, Organisation, Sector, StudyGroup
from projects.catalogue.models import Entry

from .demo import Roster, _attend, _moment, _open_data
from .exhibitions import exhibitor_add, showcase_set, speaker_save
from .models import Exhibitor, Meeting, MeetingKind, Speaker, SpeakerRole, Visibility

PREFECTURE = "神奈川県 産業労働局"
FAIR = "ひらつか環境・エネルギー技術展"
FAIR_KANA = "ヒラツカカンキョウ・エネルギーギジュツテン"
FAIR_EN = "Hiratsuka Environment and Energy Technology Fair"
ARENA = "ひらつかアリーナ"
# (address, latitude, longitude): approximate, read off the GSI map (地理院地図) for the demo.
FAIR_PLACES = {ARENA: ("神奈川県平塚市大原1-1", "35.342000", "139.336000")}
FAIR_DESCRIPTION = (
    "平塚市と平塚海洋エネルギー研究会が主催し、神奈川県が共催する環境・エネルギー技術の展示会です。"
    "会員の企業・大学・団体が技術・製品一覧に掲載した技術や製品を出展し、商談の場を設けます。"
    "入場無料・事前申込不要。"
)

# One fair a year, on a Thursday and Friday in November:
# (first day, number of exhibitors, visitors counted at the reception over both days).
FAIRS = [
    ("2022-11-17", 10, 1_820),
    ("2023-11-16", 12, 2_240),
    ("2024-11-14", 14, 2_610),
    ("2025-11-13", 16, 2_950),
    ("2026-11-12", 18, 3_230),
]

# Booth zones of the hall: firms, universities and research institutes, associations.
ZONES: dict[str, str] = {Sector.COMPANY: "A", Sector.UNIVERSITY: "B", Sector.ASSOCIATION: "C"}

CHAIR, SPEAKER = SpeakerRole.CHAIR, SpeakerRole.SPEAKER
PANELIST, MODERATOR = SpeakerRole.PANELIST, SpeakerRole.MODERATOR
PROFESSOR = ("岡野 隆史", "東京大学生産技術研究所 教授")
PREFECTURE_SPEAKER = ("杉山 典子", "神奈川県 産業労働局 エネルギー課長")
CITY_MODERATOR = ("高野 恵美", "平塚市 産業振興課長")
RUBBER = ("大西 健一", "横浜ゴム株式会社 平塚製造所 技術開発部")
WAVE = ("村田 浩", "湘南ウェーブエナジー株式会社 代表取締役")

# The symposia's programmes: title → (visitors once held, [(role, (name, affiliation), talk)]).
PROGRAMMES: dict[str, tuple[int, list[tuple[str, tuple[str, str], str]]]] = {
    "海洋エネルギー シンポジウム 2024": (
        120,
        [
            (CHAIR, PROFESSOR, "趣旨説明「波力発電の実証から実用化へ」"),
            (SPEAKER, ("宮本 和彦", "東海大学 海洋学部 教授"),
             "基調講演「海洋再生可能エネルギーの動向と地域への期待」"),
            (SPEAKER, PREFECTURE_SPEAKER, "神奈川県のエネルギー施策と海洋エネルギー"),
            (SPEAKER, RUBBER, "波力発電用ゴム製品の開発"),
            (SPEAKER, WAVE, "平塚波力発電所 実証運転の成果"),
            (MODERATOR, CITY_MODERATOR, "パネルディスカッション「波力発電を平塚の産業に」"),
            (PANELIST, ("小川 智之", "渋谷潜水工業株式会社 技術部長"), ""),
            (PANELIST, ("原 誠一", "平塚市漁業協同組合 組合長"), ""),
            (PANELIST, ("西田 亮", "株式会社平塚マリンサービス 代表取締役"), ""),
        ],
    ),
    "海洋エネルギー シンポジウム 2027": (
        140,
        [
            (CHAIR, PROFESSOR, "趣旨説明「海洋エネルギーと地域の脱炭素」"),
            (SPEAKER, ("安田 真理子", "東海大学 政治経済学部 教授"),
             "基調講演「中小企業の脱炭素経営とその意義」"),
            (SPEAKER, PREFECTURE_SPEAKER, "県の脱炭素支援策と市町村との連携"),
            (SPEAKER, ("千葉 大介", "株式会社日立製作所 主任技師"),
             "CO2排出量の見える化から始める中小企業の脱炭素"),
            (SPEAKER, ("松井 翼", "湘南EVモビリティ株式会社 取締役"),
             "波力発電の電気で走るEV 実用化への歩み"),
            (MODERATOR, CITY_MODERATOR,
             "パネルディスカッション「地域でつくり、地域で使うエネルギー」"),
            (PANELIST, RUBBER, ""),
            (PANELIST, WAVE, ""),
            (PANELIST, ("内田 雅人", "平塚商工会議所 事務局長"), ""),
        ],
    ),
}  # fmt: skip


def _fair(group: StudyGroup, roster: Roster, today: dt.date, first_day: str) -> Meeting:
    """The year's fair, 10:00 on its first day to 16:30 on the second; held up to today."""
    year = first_day[:4]
    starts_at = _moment(first_day, "10:00")
    meeting, _ = Meeting.objects.get_or_create(
        study_group=group,
        title=f"{FAIR} {year}",
        date=dt.date.fromisoformat(first_day),
        defaults={
            "kind": MeetingKind.EXHIBITION,
            "venue": ARENA,
            "starts_at": starts_at,
            "ends_at": starts_at + dt.timedelta(days=1, hours=6, minutes=30),
            "visibility": Visibility.PUBLIC,
            "description": FAIR_DESCRIPTION,
        },
    )
    _open_data(
        meeting,
        titles={meeting.title: (f"{FAIR_KANA} {year}", f"{FAIR_EN} {year}")},
        places=FAIR_PLACES,
    )
    _attend(meeting, roster, today, named=0, walk_ins=0)  # the status only: nobody by name
    return meeting


def _could_exhibit(on: dt.date) -> tuple[list[Organisation], list[Organisation]]:
    """Firms, universities and associations that are members of a study group on the day, in a
    stable order: those with published catalogue entries, and the others."""
    organisations = (
        Organisation.objects.filter(
            pk__in=Membership.objects.active(on=on).values("organisation"),
            sector__in=list(ZONES),
        )
        .annotate(shows=Exists(Entry.objects.public().filter(organisation=OuterRef("pk"))))
        .order_by("name_kana", "name", "pk")
    )
    showing = [o for o in organisations if o.shows]
    return showing, [o for o in organisations if not o.shows]


def _exhibitors(meeting: Meeting, wanted: int) -> None:
    """``wanted`` exhibitors, once (a second load finds them): drawn from those with entries to
    show, then the others; booths numbered per zone in the order of their names' reading."""
    if meeting.exhibitors.exists():
        return
    rng = random.Random(f"kyoso-demo-fair-{meeting.fiscal_year}")
    showing, others = _could_exhibit(meeting.date)
    chosen = rng.sample(showing, min(wanted, len(showing)))
    chosen += rng.sample(others, min(wanted - len(chosen), len(others)))
    numbers: dict[str, int] = {}
    for organisation in sorted(chosen, key=lambda o: (ZONES[o.sector], o.name_kana, o.pk)):
        zone = ZONES[organisation.sector]
        numbers[zone] = numbers.get(zone, 0) + 1
        exhibitor_add(
            meeting=meeting, organisation=organisation, booth=f"{zone}-{numbers[zone]:02d}"
        )


def _programme(meeting: Meeting, speakers: list[tuple[str, tuple[str, str], str]]) -> None:
    """The symposium's chair, talks and panel, once (a second load finds them)."""
    if meeting.speakers.exists():
        return
    for order, (role, (name, affiliation), talk_title) in enumerate(speakers, start=1):
        speaker_save(
            speaker=Speaker(
                meeting=meeting,
                role=role,
                name=name,
                affiliation=affiliation,
                talk_title=talk_title,
                order=order * 10,
            )
        )


def load(*, group: StudyGroup, roster: Roster, today: dt.date) -> list[Meeting]:
    """The fairs with their exhibitors, visitors and co-host, and the symposia's programmes;
    returns the fairs. Visitors only where the meeting was held (``showcase_set`` refuses them
    ahead of the day)."""
    prefecture = Organisation.objects.filter(name=PREFECTURE).first()
    co_hosts = [prefecture] if prefecture else []
    fairs = []
    for first_day, exhibitors, visitors in FAIRS:
        fair = _fair(group, roster, today, first_day)
        _exhibitors(fair, exhibitors)
        showcase_set(meeting=fair, visitors=visitors if fair.is_held else None, co_hosts=co_hosts)
        fairs.append(fair)
    for title, (visitors, speakers) in PROGRAMMES.items():
        symposium = Meeting.objects.filter(
            kind=MeetingKind.SYMPOSIUM, title=title, study_group=group
        ).first()
        if symposium is None:
            continue
        _programme(symposium, speakers)
        showcase_set(
            meeting=symposium, visitors=visitors if symposium.is_held else None, co_hosts=co_hosts
        )
    return fairs


def summary(fairs: list[Meeting]) -> str:
    """For the demo's output line: 「5 fairs (70 exhibitors, 12,850 visitors)」."""
    exhibitors = Exhibitor.objects.filter(meeting__in=fairs).count()
    visitors = Meeting.objects.filter(pk__in=[f.pk for f in fairs]).aggregate(n=Sum("visitors"))
    return f"{len(fairs)} fairs ({exhibitors} exhibitors, {visitors['n'] or 0:,} visitors)"
