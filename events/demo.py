"""Demo meetings of the Hiratsuka marine-energy study group (seed 000), idempotent.

Reproduces the seed's participation table: FY2016 (H28) 5 meetings incl. a site visit, のべ 240;
FY2017 (H29) 9 meetings of 第1部会/第2部会 (第2部会 のべ 165) plus the 総会 of 2018-02-23;
FY2018 (H30) 4 meetings with 26+α, 48 and 56. Named attendance comes from the members' people,
the rest is unnamed headcount. Also a few FY2026 meetings open for registration.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from members.models import Membership, Organisation, Person, Sector, StudyGroup
from projects.models import Project

from .models import Attendance, Meeting, MeetingKind, Registration
from .signals import attendance_changed

GROUP = "平塚海洋エネルギー研究会"
CITY_HALL = "平塚市役所 304会議室"
K = MeetingKind

# (group: "" parent / "1" 第1部会 / "2" 第2部会, kind, title, date, time, venue, のべ, +α)
HISTORY = [
    ("", K.GENERAL_ASSEMBLY, "平成28年度 第1回 総会", "2016-06-10", "14:00", CITY_HALL, 60, 0),
    ("", K.SITE_VISIT, "波力発電 先進地視察（岩手県久慈市）", "2016-08-25", "", "久慈市", 30, 0),
    ("", K.SEMINAR, "海洋エネルギー 勉強会", "2016-10-14", "14:00", CITY_HALL, 50, 0),
    ("", K.SUBCOMMITTEE, "第3回 研究会", "2016-12-16", "14:00", CITY_HALL, 45, 0),
    ("", K.GENERAL_ASSEMBLY, "平成28年度 第2回 総会", "2017-02-24", "14:00", CITY_HALL, 55, 0),
    ("2", K.SUBCOMMITTEE, "第2部会 第1回", "2017-05-19", "14:00", CITY_HALL, 30, 0),
    ("1", K.SUBCOMMITTEE, "第1部会 第1回", "2017-06-16", "14:00", CITY_HALL, 25, 0),
    ("2", K.SUBCOMMITTEE, "第2部会 第2回", "2017-07-21", "14:00", CITY_HALL, 35, 0),
    ("1", K.SUBCOMMITTEE, "第1部会 第2回", "2017-08-25", "14:00", CITY_HALL, 20, 0),
    ("2", K.SUBCOMMITTEE, "第2部会 第3回", "2017-09-22", "14:00", CITY_HALL, 30, 0),
    ("1", K.SUBCOMMITTEE, "第1部会 第3回", "2017-11-17", "14:00", CITY_HALL, 22, 0),
    (
        "2",
        K.EXPERIMENT,
        "ゴムラダーの水槽実験",
        "2017-12-12",
        "13:00",
        "中部電力（名古屋市）",
        25,
        0,
    ),
    ("2", K.SUBCOMMITTEE, "第2部会 第4回", "2018-01-26", "14:00", CITY_HALL, 45, 0),
    ("1", K.SUBCOMMITTEE, "第1部会 第4回", "2018-02-09", "14:00", CITY_HALL, 20, 0),
    ("", K.GENERAL_ASSEMBLY, "平成29年度 総会", "2018-02-23", "13:30", CITY_HALL, 50, 0),
    ("1", K.SUBCOMMITTEE, "第1部会 平成30年度 第1回", "2018-06-15", "14:00", CITY_HALL, 26, 4),
    ("2", K.SUBCOMMITTEE, "第2部会 平成30年度 第1回", "2018-09-21", "14:00", CITY_HALL, 48, 0),
    ("1", K.SUBCOMMITTEE, "第1部会 平成30年度 第2回", "2018-11-16", "14:00", CITY_HALL, 56, 0),
    ("2", K.SUBCOMMITTEE, "第2部会 平成30年度 第2回", "2019-02-15", "14:00", CITY_HALL, 0, 0),
]


def _aware(date: str, time: str) -> dt.datetime | None:
    if not time:
        return None
    return timezone.make_aware(dt.datetime.fromisoformat(f"{date}T{time}"))


def _groups() -> dict[str, StudyGroup]:
    parent, _ = StudyGroup.objects.get_or_create(name=GROUP, parent=None)
    first, _ = StudyGroup.objects.get_or_create(name="第1部会", parent=parent)
    second, _ = StudyGroup.objects.get_or_create(name="第2部会", parent=parent)
    return {"": parent, "1": first, "2": second}


def _people(parent: StudyGroup) -> list[Person]:
    orgs = Membership.objects.filter(study_group__in=[parent, *parent.subgroups.all()]).values(
        "organisation_id"
    )
    people = list(Person.objects.filter(organisation_id__in=orgs).order_by("pk"))
    if not people:
        # The members demo did not run: bring a minimal cast so the sheet is not empty.
        city, _ = Organisation.objects.get_or_create(
            name="平塚市 産業振興課", defaults={"sector": Sector.GOVERNMENT, "is_local": True}
        )
        Membership.objects.get_or_create(organisation=city, study_group=parent, left_on=None)
        for name in ("平塚 太郎", "湘南 花子", "海野 一郎"):
            people.append(Person.objects.get_or_create(name=name, organisation=city)[0])
    return people


def _attend(meeting: Meeting, people: list[Person], named: int, offset: int) -> None:
    chosen = [people[(offset + i) % len(people)] for i in range(min(named, len(people)))]
    existing = set(meeting.attendances.values_list("person_id", flat=True))
    Attendance.objects.bulk_create(
        Attendance(
            meeting=meeting,
            person=person,
            organisation_id=person.organisation_id,
            status=Attendance.Status.ATTENDED,
        )
        for person in chosen
        if person.pk not in existing
    )


def load(*, stdout) -> None:
    groups = _groups()
    people = _people(groups[""])
    years: set[int] = set()
    for index, (key, kind, title, date, time, venue, total, alpha) in enumerate(HISTORY):
        meeting, _ = Meeting.objects.get_or_create(
            study_group=groups[key],
            title=title,
            date=dt.date.fromisoformat(date),
            defaults={"kind": kind, "venue": venue, "starts_at": _aware(date, time)},
        )
        named = min(total, len(people), 40)
        _attend(meeting, people, named, offset=index * 7)
        unnamed = total - meeting.attendances.filter(status="attended").count() + alpha
        if meeting.unnamed_headcount != max(unnamed, 0):
            meeting.unnamed_headcount = max(unnamed, 0)
            meeting.save(update_fields=["unnamed_headcount"])
        years.add(meeting.fiscal_year)

    project = Project.objects.filter(name__contains="波力").first()
    opens = timezone.make_aware(dt.datetime(2026, 11, 1, 9, 0))
    upcoming = [
        (groups["2"], None, K.SUBCOMMITTEE, "第2部会 令和8年度 第3回", "2026-12-11", "14:00",
         CITY_HALL, "members", 30),
        (groups[""], project, K.OPEN_HOUSE, "波力発電装置 見学会（平塚新港）", "2027-01-23",
         "10:00", "平塚新港", "public", 40),
        (groups[""], None, K.SYMPOSIUM, "海洋エネルギー シンポジウム 2027", "2027-02-05", "13:00",
         "平塚市中央公民館 大ホール", "public", None),
        (groups[""], None, K.GENERAL_ASSEMBLY, "令和8年度 総会", "2027-02-26", "13:30",
         CITY_HALL, "members", None),
    ]  # fmt: skip
    for group, proj, kind, title, date, time, venue, visibility, capacity in upcoming:
        starts_at = _aware(date, time)
        meeting, _ = Meeting.objects.get_or_create(
            study_group=group,
            title=title,
            date=dt.date.fromisoformat(date),
            defaults={
                "project": proj,
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
        years.add(meeting.fiscal_year)
    december = Meeting.objects.get(title="第2部会 令和8年度 第3回")
    for position, person in enumerate(people[:5], start=1):
        Registration.objects.get_or_create(
            meeting=december,
            person=person,
            status=Registration.Status.REGISTERED,
            defaults={"position": position},
        )
    attendance_changed.send(sender=Meeting, fiscal_years=years)
    stdout.write(f"events: {Meeting.objects.count()} meetings")
