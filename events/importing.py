"""Import of paper sign-in sheets typed into a spreadsheet (CSV or XLSX).

``import_plan(data, filename)`` reads and checks the whole file and matches it against the
database with a handful of queries (not one per row); ``import_apply(plan)`` writes it, all or
nothing. The format is documented in ``docs/attendance-import.md``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from consortium.fiscal import parse_date
from consortium.importing import Problem, Problems, Sheet, bulk, prepare, store
from consortium.models import PendingUpload
from consortium.tabular import Column, Row
from members.models import Organisation, Person, Sector, StudyGroup
from members.validators import normalise_corporate_number, validate_corporate_number

from .models import Attendance, AttendanceStatus, Meeting, MeetingKind
from .services import meetings_held_if_due
from .signals import attendance_changed

COLUMNS = [
    Column("date", "開催日", required=True),
    Column("meeting", "会議名", required=True, aliases=("title",)),
    Column("kind", "種別", required=True),
    Column("study_group", "研究会", required=True),
    Column("person", "氏名", aliases=("name",)),
    Column("email", "メール", aliases=("メールアドレス", "e-mail")),
    Column("organisation", "団体名", aliases=("organization", "所属")),
    Column("corporate_number", "法人番号"),
    Column("headcount", "人数"),
]
HEADERS = {c.key: c.ja for c in COLUMNS}
# What matching reads of registered organisations and people, in the order of the fields of
# MatchedOrganisation and MatchedPerson (whole rows cost several times more).
MATCH_ORGANISATION_FIELDS = ("pk", "name", "corporate_number")
MATCH_PERSON_FIELDS = ("pk", "name", "email", "organisation_id")


def _kinds() -> dict[str, str]:
    """種別 as written on a sheet (Japanese, whatever the UI language) or as the English code."""
    with translation.override("ja"):
        return {str(label): value for value, label in MeetingKind.choices} | {
            value: value for value in MeetingKind.values
        }


def _norm(text: str) -> str:
    """Compare names the way people type them: NFKC, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())


# Registered organisations and people the sheet names are read as the few fields matching,
# the preview and the import use (``Matched…``), not as model instances: a sheet names
# thousands, and an instance costs many times more to build.


@dataclass(slots=True)
class MatchedOrganisation:
    pk: int
    name: str
    corporate_number: str | None


@dataclass
class PlannedOrganisation:
    name: str
    corporate_number: str
    existing: MatchedOrganisation | Organisation | None = None  # created by import_apply
    rows: list[int] = field(default_factory=list)


@dataclass(slots=True)
class MatchedPerson:
    pk: int
    name: str
    email: str
    organisation_id: int
    organisation_name: str


@dataclass
class PlannedPerson:
    name: str
    email: str
    organisation: PlannedOrganisation | None
    existing: MatchedPerson | Person | None = None  # a Person: created by import_apply
    rows: list[int] = field(default_factory=list)

    @property
    def organisation_name(self) -> str:
        if isinstance(self.existing, MatchedPerson):
            return self.existing.organisation_name
        if self.existing is not None:
            return self.existing.organisation.name if self.existing.organisation else ""
        return self.organisation.name if self.organisation else ""


@dataclass
class PlannedMeeting:
    date: dt.date
    title: str
    study_group: StudyGroup
    kind: str = ""
    existing: Meeting | None = None
    people: list[PlannedPerson] = field(default_factory=list)
    unnamed: int | None = None  # None: the sheet says nothing about unnamed attendees
    first_row: int = 0
    kind_given: bool = False  # some row named a kind (maybe a wrong one, reported there)

    # What the database holds of an existing meeting (filled by import_plan): person id → status.
    stored: dict[int, str] = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        return str(MeetingKind(self.kind).label) if self.kind else ""

    @property
    def total(self) -> int:
        return len(self.people) + (self.unnamed or 0)

    # --- what the import changes of an existing meeting (the preview says it) ------------------

    @property
    def unnamed_before(self) -> int:
        return self.existing.unnamed_headcount if self.existing else 0

    @property
    def unnamed_after(self) -> int:
        """The sheet's unnamed headcount replaces the meeting's; a sheet without one keeps it."""
        return self.unnamed if self.unnamed is not None else self.unnamed_before

    @property
    def unnamed_overwritten(self) -> bool:
        return self.existing is not None and self.unnamed_after != self.unnamed_before

    @property
    def attended_before(self) -> int:
        return sum(1 for status in self.stored.values() if status == AttendanceStatus.ATTENDED)

    @property
    def replaced(self) -> list[tuple[PlannedPerson, str]]:
        """People recorded otherwise (欠席, 欠席連絡あり) whom the sheet marks 出席, with the
        status they had."""
        return [
            (person, self.stored[person.existing.pk])
            for person in self.people
            if person.existing
            and self.stored.get(person.existing.pk, AttendanceStatus.ATTENDED)
            != AttendanceStatus.ATTENDED
        ]

    @property
    def attended_after(self) -> int:
        """Named attendees once imported: the stored ones, and everyone the sheet lists who was
        not recorded 出席 yet (nobody is removed)."""
        added = sum(
            1
            for person in self.people
            if not person.existing
            or self.stored.get(person.existing.pk) != AttendanceStatus.ATTENDED
        )
        return self.attended_before + added

    @property
    def total_before(self) -> int:
        return self.attended_before + self.unnamed_before

    @property
    def total_after(self) -> int:
        return self.attended_after + self.unnamed_after

    @property
    def replaced_labels(self) -> list[dict]:
        return [
            {"name": person.name, "before": AttendanceStatus(status).label}
            for person, status in self.replaced
        ]


@dataclass
class ImportPlan:
    encoding: str | None = None
    rows: int = 0
    meetings: list[PlannedMeeting] = field(default_factory=list)
    people: list[PlannedPerson] = field(default_factory=list)
    organisations: list[PlannedOrganisation] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error

    @property
    def new_meetings(self) -> list[PlannedMeeting]:
        return [m for m in self.meetings if m.existing is None]

    @property
    def new_people(self) -> list[PlannedPerson]:
        return [p for p in self.people if p.existing is None]

    @property
    def new_organisations(self) -> list[PlannedOrganisation]:
        return [o for o in self.organisations if o.existing is None]

    @property
    def overwritten_meetings(self) -> list[PlannedMeeting]:
        """Existing meetings whose stored counts the import changes (the preview lists them)."""
        return [
            m
            for m in self.meetings
            if m.existing
            and (m.total_after != m.total_before or m.unnamed_overwritten or m.replaced)
        ]

    @property
    def attendance_count(self) -> int:
        return sum(len(m.people) for m in self.meetings)

    @property
    def unnamed_count(self) -> int:
        return sum(m.unnamed or 0 for m in self.meetings)


# --- The sheet kind of the import pipeline ----------------------------------------------------


@dataclass(slots=True)
class SheetRow:
    """One row of a sign-in sheet, read once: its date, meeting, kind and group resolved."""

    number: int
    date: dt.date | None
    meeting: str
    kind_raw: str  # as written ("" when the row names no kind)
    kind: str  # the MeetingKind value, "" when none or unknown
    group: StudyGroup | None
    person: str
    email: str
    organisation: str
    corporate_number: str
    headcount: int | None


@dataclass
class SheetMatch:
    """What the database holds of the meetings, organisations and people the sheet names."""

    meetings: dict[tuple[dt.date, str, int], Meeting]
    orgs: list[MatchedOrganisation]
    orgs_by_number: dict[str, MatchedOrganisation]
    orgs_by_name: dict[str, MatchedOrganisation]
    # Tuples until a row matches one (a MatchedPerson is made once per person the sheet names).
    people_by_email: dict[str, Any]
    people_by_name: dict[Any, Any]


class AttendanceSheet(Sheet[SheetRow, SheetMatch, "ImportPlan"]):
    columns = COLUMNS
    column_naming = "ja"
    label_naming = "ja"

    def __init__(self) -> None:
        self.kinds = _kinds()
        self._groups: dict[str, StudyGroup] | None = None
        # A sheet repeats a few dates and groups on every row: each distinct text is read once.
        self.days_by_text: dict[str, dt.date | str] = {}  # the date, or why it is not one
        self.groups_by_text: dict[str, StudyGroup | None] = {}

    def group(self, text: str) -> StudyGroup | None:
        if text not in self.groups_by_text:
            if self._groups is None:
                self._groups = {g.full_name: g for g in StudyGroup.objects.select_related("parent")}
            name = "/".join(part.strip() for part in text.split("/"))
            self.groups_by_text[text] = self._groups.get(name)
        return self.groups_by_text[text]

    def day(self, text: str) -> dt.date | str:
        day = self.days_by_text.get(text)
        if day is None:
            day = self.days_by_text[text] = _parse_date(text)
        return day

    def parse(self, row: Row, problems: Problems) -> SheetRow:
        v = row.values
        number = row.number
        item = SheetRow(
            number=number,
            date=self._date(number, v["date"], problems),
            meeting=v["meeting"],
            kind_raw=v.get("kind", ""),
            kind="",
            group=self._group(number, v["study_group"], problems),
            person=v.get("person", ""),
            email=v.get("email", ""),
            organisation=v.get("organisation", ""),
            corporate_number=self._corporate_number(
                number, v.get("corporate_number", ""), problems
            ),
            headcount=self._headcount(number, v.get("headcount", ""), problems),
        )
        if not item.meeting:
            problems.add(number, "meeting", _("会議名を入れてください。"))
        if item.kind_raw:
            item.kind = self._kind(number, item.kind_raw, problems)
        self._who(item, problems)
        return item

    def _date(self, number: int, text: str, problems: Problems) -> dt.date | None:
        if not text:
            problems.add(number, "date", _("開催日を入れてください。"))
            return None
        day = self.day(text)
        if isinstance(day, str):
            problems.add(number, "date", day)
            return None
        return day

    def _kind(self, number: int, text: str, problems: Problems) -> str:
        kind = self.kinds.get(text) or self.kinds.get(text.lower(), "")
        if not kind:
            problems.add(
                number,
                "kind",
                _("種別「%(value)s」は使えません（%(choices)s）。")
                % {"value": text, "choices": "、".join(str(c) for c in MeetingKind.labels)},
            )
        return kind

    def _group(self, number: int, text: str, problems: Problems) -> StudyGroup | None:
        group = self.group(text)
        if group is None:
            if text:
                message = _("研究会「%(value)s」は登録されていません。") % {"value": text}
            else:
                message = _("研究会を入れてください。")
            problems.add(number, "study_group", message)
        return group

    @staticmethod
    def _corporate_number(number: int, text: str, problems: Problems) -> str:
        value = normalise_corporate_number(text)
        if value:
            try:
                validate_corporate_number(value)
            except ValidationError as exc:
                problems.add(number, "corporate_number", exc.messages[0])
                return ""
        return value

    @staticmethod
    def _headcount(number: int, text: str, problems: Problems) -> int | None:
        if not text:
            return None
        try:
            headcount = int(unicodedata.normalize("NFKC", text))
        except ValueError:
            problems.add(number, "headcount", _("人数は整数で入れてください。"))
            return None
        if headcount < 0:
            problems.add(number, "headcount", _("人数は0以上にしてください。"))
        return headcount

    @staticmethod
    def _who(item: SheetRow, problems: Problems) -> None:
        """A named row needs a way to find the person; an unnamed one, a headcount."""
        if item.person:
            if item.headcount not in (None, 1):
                problems.add(
                    item.number,
                    "headcount",
                    _("氏名のある行の人数は空欄か1にしてください（名前のない人数は別の行に）。"),
                )
            if not item.email and not item.organisation and not item.corporate_number:
                problems.add(
                    item.number, "organisation", _("氏名のある行には団体名かメールが必要です。")
                )
        elif item.headcount is None:
            problems.add(item.number, "person", _("氏名か人数のどちらかを入れてください。"))

    def match(self, rows: list[SheetRow]) -> SheetMatch:
        dates = {i.date for i in rows if i.date}
        titles = {i.meeting for i in rows if i.meeting}
        meetings = {
            (m.date, m.title, m.study_group_id): m
            for m in Meeting.objects.filter(
                date__in=dates, title__in=titles, study_group__isnull=False
            )
        }
        numbers = {i.corporate_number for i in rows if i.corporate_number}
        org_names = {i.organisation for i in rows if i.organisation}
        orgs = [
            MatchedOrganisation(*row)
            for row in Organisation.objects.filter(
                Q(corporate_number__in=numbers) | Q(name__in=org_names)
            ).values_list(*MATCH_ORGANISATION_FIELDS)
        ]
        emails = {i.email.lower() for i in rows if i.email}
        people_by_email: dict[str, Any] = {
            row[0]: row[1:]
            for row in Person.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails)
            .values_list("email_lower", *MATCH_PERSON_FIELDS, "organisation__name")
        }
        return SheetMatch(
            meetings=meetings,
            orgs=orgs,
            orgs_by_number={o.corporate_number: o for o in orgs if o.corporate_number},
            orgs_by_name={o.name: o for o in orgs},
            people_by_email=people_by_email,
            people_by_name=_people_by_name(rows, orgs, people_by_email),
        )

    def plan(self, rows: list[SheetRow], matched: SheetMatch, problems: Problems) -> ImportPlan:
        return _Planner(matched, problems).run(rows)

    def apply(self, plan: ImportPlan, *, user: Any) -> None:
        _apply(plan, recorded_by=user if getattr(user, "pk", None) else None)


def _people_by_name(
    rows: list[SheetRow], orgs: list[MatchedOrganisation], people_by_email: dict[str, Any]
) -> dict[Any, Any]:
    """Registered people by (organisation, name), read only for the organisations of rows whose
    e-mail did not find the person (tuples, not instances)."""
    by_name = [i for i in rows if i.person and not (i.email and i.email.lower() in people_by_email)]
    names_wanted = {i.organisation for i in by_name}
    numbers_wanted = {i.corporate_number for i in by_name if i.corporate_number}
    wanted = [o.pk for o in orgs if o.name in names_wanted or o.corporate_number in numbers_wanted]
    if not wanted:
        return {}
    return {
        (org_id, _norm(name)): (pk, name, email, org_id)
        for pk, name, email, org_id in Person.objects.filter(organisation__in=wanted).values_list(
            *MATCH_PERSON_FIELDS
        )
    }


class _Planner:
    """The rows grouped into meetings, their people matched or planned, in file order."""

    def __init__(self, matched: SheetMatch, problems: Problems) -> None:
        self.matched = matched
        self.problems = problems
        self.orgs: dict[str, PlannedOrganisation] = {}
        self.people: dict[Any, PlannedPerson] = {}
        self.meetings: dict[tuple[dt.date, str, int], PlannedMeeting] = {}
        self.people_of_meeting: dict[tuple[dt.date, str, int], set[int]] = {}

    def run(self, rows: list[SheetRow]) -> ImportPlan:
        for item in rows:
            if item.date and item.meeting and item.group:
                self.row(item, (item.date, item.meeting, item.group.pk))
        for meeting in self.meetings.values():
            if not meeting.kind and not meeting.kind_given:
                self.problems.add(
                    meeting.first_row, "kind", _("新しい会議には種別を入れてください。")
                )
        plan = ImportPlan(meetings=list(self.meetings.values()))
        _read_stored_attendance(plan.meetings)
        plan.people = list({id(p): p for m in plan.meetings for p in m.people}.values())
        plan.organisations = list(self.orgs.values())
        return plan

    def meeting(self, item: SheetRow, key: tuple[dt.date, str, int]) -> PlannedMeeting:
        meeting = self.meetings.get(key)
        if meeting is None:
            assert item.date is not None and item.group is not None
            meeting = self.meetings[key] = PlannedMeeting(
                date=item.date,
                title=item.meeting,
                study_group=item.group,
                existing=self.matched.meetings.get(key),
                first_row=item.number,
            )
            if meeting.existing:
                meeting.kind = meeting.existing.kind
                if meeting.existing.is_cancelled:
                    self.problems.add(item.number, "meeting", _("この会議は中止になっています。"))
        meeting.kind_given = meeting.kind_given or bool(item.kind_raw)
        if item.kind:
            if not meeting.existing and meeting.kind and meeting.kind != item.kind:
                self.problems.add(item.number, "kind", _("同じ会議の行で種別が食い違っています。"))
            meeting.kind = meeting.kind or item.kind
        return meeting

    def row(self, item: SheetRow, key: tuple[dt.date, str, int]) -> None:
        meeting = self.meeting(item, key)
        if not item.person:
            if item.headcount is not None:
                meeting.unnamed = (meeting.unnamed or 0) + item.headcount
            return
        person = _plan_person(item, self.matched, self.orgs, self.people)
        if person is None:
            if item.email or item.organisation or item.corporate_number:
                self.problems.add(
                    item.number,
                    "organisation",
                    _("登録済みの人・団体が見つかりません。団体名を入れてください。"),
                )
            return
        if person.existing:
            person = self.people.setdefault(person.existing.pk, person)
        seen = self.people_of_meeting.setdefault(key, set())
        if id(person) in seen:
            self.problems.add(
                item.number,
                "person",
                _("%(name)s さんがこの会議に2回記載されています（%(first)s行目）。")
                % {"name": item.person, "first": person.rows[0]},
            )
            return
        person.rows.append(item.number)
        meeting.people.append(person)
        seen.add(id(person))


def import_plan(data: bytes, filename: str, *, encoding: str | None = None) -> ImportPlan:
    """Read, check and match a sign-in sheet without writing anything."""
    prepared = prepare(AttendanceSheet(), data, filename, encoding=encoding)
    plan = prepared.plan or ImportPlan()
    plan.encoding, plan.rows = prepared.encoding, prepared.rows
    plan.file_error = prepared.file_error
    plan.errors = [p for p in prepared.problems if p.row is not None]
    return plan


def _read_stored_attendance(meetings: list[PlannedMeeting]) -> None:
    """What the existing meetings hold, for the preview to say what the import overwrites. One
    query, none when every meeting is new."""
    existing = {m.existing.pk: m for m in meetings if m.existing}
    if not existing:
        return
    for meeting_id, person_id, status in Attendance.objects.filter(
        meeting_id__in=list(existing)
    ).values_list("meeting_id", "person_id", "status"):
        existing[meeting_id].stored[person_id] = status


def _parse_date(text: str) -> dt.date | str:
    """The date of a 開催日 cell, or the message saying why it is not one."""
    try:
        return parse_date(text)
    except ValueError as exc:
        return str(exc)


def _matched_person(matched: SheetMatch, email: str) -> MatchedPerson | None:
    found = matched.people_by_email.get(email.lower()) if email else None
    if isinstance(found, tuple):
        found = matched.people_by_email[email.lower()] = MatchedPerson(*found)
    return found


def _plan_organisation(
    item: SheetRow, matched: SheetMatch, planned_orgs: dict[str, PlannedOrganisation]
) -> tuple[PlannedOrganisation, MatchedOrganisation | None, str] | None:
    number, name = item.corporate_number, item.organisation
    if not number and not name:
        return None
    existing = matched.orgs_by_number.get(number) if number else None
    existing = existing or matched.orgs_by_name.get(name)
    if existing is None and not name:
        return None
    org_key = f"#{existing.pk}" if existing else (number or name)
    organisation = planned_orgs.get(org_key)
    if organisation is None:
        organisation = planned_orgs[org_key] = PlannedOrganisation(
            name=existing.name if existing else name, corporate_number=number, existing=existing
        )
    organisation.rows.append(item.number)
    return organisation, existing, org_key


def _plan_person(
    item: SheetRow,
    matched: SheetMatch,
    planned_orgs: dict[str, PlannedOrganisation],
    planned: dict[Any, PlannedPerson],
) -> PlannedPerson | None:
    """Match by email, else by name within the organisation; else plan a new person.

    A registered person already planned (``planned``, by pk) is returned as planned.
    """
    found = _matched_person(matched, item.email)
    if found is not None:
        return planned.get(found.pk) or PlannedPerson(
            name=item.person, email=item.email, organisation=None, existing=found
        )
    org = _plan_organisation(item, matched, planned_orgs)
    if org is None:
        return None
    organisation, existing_org, org_key = org
    people_by_name = matched.people_by_name
    if existing_org:
        name_key = (existing_org.pk, _norm(item.person))
        person = people_by_name.get(name_key)
        if isinstance(person, tuple):
            pk, name, email, org_id = person
            person = MatchedPerson(pk, name, email, org_id, existing_org.name)
            people_by_name[name_key] = person
        if person:
            return planned.get(person.pk) or PlannedPerson(
                name=person.name, email=person.email, organisation=organisation, existing=person
            )
    # A new person: the same email, or the same name in the same organisation, is one person.
    email = item.email
    key = ("email", email.lower()) if email else (org_key, _norm(item.person))
    new = people_by_name.get(key)
    if new is None:
        new = people_by_name[key] = PlannedPerson(
            name=item.person, email=email, organisation=organisation
        )
    return new


def _apply(plan: ImportPlan, *, recorded_by: User | None) -> None:
    """New organisations (unconfirmed), people, meetings, attendance, and the sheet's unnamed
    headcount (which replaces the meeting's), in bulk with their history."""
    organisations = [
        Organisation(
            name=o.name,
            corporate_number=o.corporate_number or None,
            sector=Sector.OTHER,
            is_confirmed=False,
        )
        for o in plan.new_organisations
    ]
    for organisation in organisations:
        organisation.normalise()
    bulk.create(organisations, Organisation, user=recorded_by)
    for planned_org, organisation in zip(plan.new_organisations, organisations, strict=True):
        planned_org.existing = organisation
    people = [
        Person(name=p.name, email=p.email, organisation_id=p.organisation.existing.pk)
        for p in plan.new_people
        if p.organisation is not None and p.organisation.existing is not None
    ]
    bulk.create(people, Person, user=recorded_by)
    for planned_person, person in zip(plan.new_people, people, strict=True):
        planned_person.existing = person
    meetings = _apply_meetings(plan, recorded_by=recorded_by)
    _apply_attendance(plan, recorded_by=recorded_by)
    fiscal_years = {meeting.fiscal_year for meeting in meetings}
    if fiscal_years:
        attendance_changed.send(sender=Meeting, fiscal_years=fiscal_years)


def _apply_meetings(plan: ImportPlan, *, recorded_by: User | None) -> list[Meeting]:
    """Create the new meetings; a meeting whose day has come is held (a sheet says it took
    place: no signal of its own, the import reports its years); the unnamed headcounts."""
    created = []
    for planned in plan.new_meetings:
        new = Meeting(
            date=planned.date,
            title=planned.title,
            study_group=planned.study_group,
            kind=planned.kind,
        )
        new.sync_dates()
        created.append(new)
        planned.existing = new
    bulk.create(created, Meeting, user=recorded_by)
    meetings = [planned.existing for planned in plan.meetings if planned.existing]
    meetings_held_if_due(meetings=meetings)
    headcounts = []
    for planned in plan.meetings:
        meeting = planned.existing
        if meeting and planned.unnamed is not None and planned.unnamed != meeting.unnamed_headcount:
            meeting.unnamed_headcount = planned.unnamed
            headcounts.append(meeting)
    if headcounts:
        bulk.update(headcounts, Meeting, ["unnamed_headcount"], user=recorded_by)
    return meetings


def _apply_attendance(plan: ImportPlan, *, recorded_by: User | None) -> None:
    """出席 for everyone the sheet names: new records, and records of another status changed
    (with history, like a sheet edit). Nobody is removed."""
    meetings = [planned.existing for planned in plan.meetings if planned.existing]
    stored = {
        (a.meeting_id, a.person_id): a
        for a in Attendance.objects.filter(meeting__in=meetings, person__in=_person_ids(plan))
    }
    created, changed = [], []
    for planned in plan.meetings:
        meeting = planned.existing
        assert meeting is not None
        for person in planned.people:
            assert person.existing is not None
            record = stored.get((meeting.pk, person.existing.pk))
            if record is None:
                organisation_id = person.existing.organisation_id
                assert organisation_id is not None  # matched or planned within an organisation
                created.append(
                    Attendance(
                        meeting=meeting,
                        person_id=person.existing.pk,
                        organisation_id=organisation_id,
                        status=AttendanceStatus.ATTENDED,
                        recorded_by=recorded_by,
                    )
                )
            elif record.status != AttendanceStatus.ATTENDED:
                record.status, record.recorded_by = AttendanceStatus.ATTENDED, recorded_by
                changed.append(record)
    bulk.create(created, Attendance, user=recorded_by)
    if changed:
        bulk.update(changed, Attendance, ["status", "recorded_by"], user=recorded_by)


def _person_ids(plan: ImportPlan) -> list[int]:
    return [p.existing.pk for p in plan.people if p.existing is not None]


def import_apply(plan: ImportPlan, *, recorded_by: User | None) -> ImportPlan:
    """Write a checked plan, all or nothing."""
    if not plan.ok:
        raise ValidationError(_("エラーのあるファイルは取り込めません。"), code="invalid")
    with transaction.atomic():
        _apply(plan, recorded_by=recorded_by)
    return plan


# The landing page after an import lists the meetings it wrote by id, in runs: "12-40,55".
RESULT_URL_LIMIT = 500  # PendingUpload.result_url
MEETING_IDS_MAX_PARTS = 200


def meeting_ids_param(ids: list[int]) -> str:
    """Ids as runs of consecutive numbers: ``[3, 4, 5, 9]`` → ``"3-5,9"``."""
    runs: list[list[int]] = []
    for pk in sorted(set(ids)):
        if runs and pk == runs[-1][1] + 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return ",".join(str(low) if low == high else f"{low}-{high}" for low, high in runs)


def parse_meeting_ids(text: str) -> list[tuple[int, int]]:
    """The runs of ``meeting_ids_param`` (bounded; what is not a run is left out)."""
    runs = []
    for part in text.split(",")[:MEETING_IDS_MAX_PARTS]:
        first, dash, last = part.strip().partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            continue
        low, high = int(first), int(last or first)
        if low <= high < 2**31:
            runs.append((low, high))
    return runs


def _result_url(plan: ImportPlan) -> str:
    """The page listing exactly the meetings an import wrote (past ones included); for an import
    of so many scattered meetings that their ids do not fit, the list of all meetings of their
    fiscal year(s)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    meetings = [planned.existing for planned in plan.meetings if planned.existing]
    url = (
        reverse("events:import_result")
        + "?"
        + urlencode({"meetings": meeting_ids_param([m.pk for m in meetings])})
    )
    if len(url) <= RESULT_URL_LIMIT:
        return url
    years = {meeting.fiscal_year for meeting in meetings}
    query = f"?when=all&fiscal_year={years.pop()}" if len(years) == 1 else "?when=all"
    return reverse("events:meeting_list") + query


def import_apply_upload(
    *, upload: PendingUpload, plan: ImportPlan, recorded_by: User | None
) -> ImportPlan | None:
    """Apply a held sign-in sheet once: None when another request already applied it.

    The upload is claimed in the same transaction as the writes, so of two confirms (a
    double-click on 確定) exactly one imports; the other finds the claim and is sent to the
    meetings the first one wrote. The held file is deleted when the transaction commits.
    """
    with transaction.atomic():
        if not store.claim(upload=upload):
            return None
        import_apply(plan, recorded_by=recorded_by)
        store.set_result(upload=upload, result_url=_result_url(plan))
    return plan
