"""Import of paper sign-in sheets typed into a spreadsheet (CSV or XLSX).

``import_plan(data, filename)`` reads and checks the whole file and matches it against the
database with a handful of queries (not one per row); ``import_apply(plan)`` writes it, all or
nothing. The format is documented in ``docs/attendance-import.md``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from consortium.fiscal import parse_date
from consortium.models import PendingUpload
from consortium.tabular import Column, TableError, read_table
from consortium.uploads import pending_upload_claim, pending_upload_set_result
from members.models import Organisation, Person, Sector, StudyGroup
from members.validators import normalise_corporate_number, validate_corporate_number

from .models import Attendance, AttendanceStatus, Meeting, MeetingKind
from .services import meeting_held_if_due
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


@dataclass
class RowError:
    row: int
    column: str  # Japanese header, e.g. 法人番号
    message: str


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
        if self.existing:
            name = getattr(self.existing, "organisation_name", None)
            return name if name is not None else self.existing.organisation.name
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
        return MeetingKind(self.kind).label if self.kind else ""

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
    errors: list[RowError] = field(default_factory=list)
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


def import_plan(data: bytes, filename: str, *, encoding: str | None = None) -> ImportPlan:
    """Read, check and match a sign-in sheet without writing anything."""
    plan = ImportPlan()
    try:
        table = read_table(data, filename, COLUMNS, encoding=encoding)
    except TableError as exc:
        plan.file_error = str(exc)
        return plan
    plan.encoding = table.encoding
    plan.rows = len(table.rows)

    def error(row: int, key: str, message: str) -> None:
        plan.errors.append(RowError(row=row, column=HEADERS[key], message=message))

    # Batched lookups: groups, candidate meetings, organisations, people.
    kinds = _kinds()
    groups = {g.full_name: g for g in StudyGroup.objects.select_related("parent")}
    # A sheet repeats a few dates and groups on every row: each distinct text is read once.
    days_by_text: dict[str, dt.date | str] = {}  # the date, or why it is not one
    groups_by_text: dict[str, StudyGroup | None] = {}
    parsed = []
    for row in table.rows:
        # The row's cells (stripped by read_table), to which what is read from them is added.
        v = item = row.values
        item["row"] = row.number
        text = v["date"]
        item["date"] = None
        if not text:
            error(row.number, "date", _("開催日を入れてください。"))
        else:
            day = days_by_text.get(text)
            if day is None:
                day = days_by_text[text] = _parse_date(text)
            if isinstance(day, str):
                error(row.number, "date", day)
            else:
                item["date"] = day
        if not v["meeting"]:
            error(row.number, "meeting", _("会議名を入れてください。"))
        kind = item["kind_raw"] = v.get("kind", "")
        item["kind"] = kinds.get(kind) or kinds.get(kind.lower(), "") if kind else ""
        if kind and not item["kind"]:
            error(
                row.number,
                "kind",
                _("種別「%(value)s」は使えません（%(choices)s）。")
                % {"value": kind, "choices": "、".join(str(c) for c in MeetingKind.labels)},
            )
        if v["study_group"] not in groups_by_text:
            group_name = "/".join(part.strip() for part in v["study_group"].split("/"))
            groups_by_text[v["study_group"]] = groups.get(group_name)
        item["group"] = groups_by_text[v["study_group"]]
        if item["group"] is None:
            if v["study_group"]:
                message = _("研究会「%(value)s」は登録されていません。") % {
                    "value": v["study_group"]
                }
            else:
                message = _("研究会を入れてください。")
            error(row.number, "study_group", message)
        item["corporate_number"] = normalise_corporate_number(v.get("corporate_number", ""))
        if item["corporate_number"]:
            try:
                validate_corporate_number(item["corporate_number"])
            except ValidationError as exc:
                error(row.number, "corporate_number", exc.messages[0])
                item["corporate_number"] = ""
        headcount = v.get("headcount", "")
        item["headcount"] = None
        if headcount:
            try:
                item["headcount"] = int(unicodedata.normalize("NFKC", headcount))
            except ValueError:
                error(row.number, "headcount", _("人数は整数で入れてください。"))
            else:
                if item["headcount"] < 0:
                    error(row.number, "headcount", _("人数は0以上にしてください。"))
        if v.get("person"):
            if item["headcount"] not in (None, 1):
                error(
                    row.number,
                    "headcount",
                    _("氏名のある行の人数は空欄か1にしてください（名前のない人数は別の行に）。"),
                )
            if not v.get("email") and not v.get("organisation") and not item["corporate_number"]:
                error(row.number, "organisation", _("氏名のある行には団体名かメールが必要です。"))
        elif item["headcount"] is None:
            error(row.number, "person", _("氏名か人数のどちらかを入れてください。"))
        parsed.append(item)

    dates = {i["date"] for i in parsed if i["date"]}
    titles = {i["meeting"] for i in parsed if i["meeting"]}
    meetings = {
        (m.date, m.title, m.study_group_id): m
        for m in Meeting.objects.filter(date__in=dates, title__in=titles, study_group__isnull=False)
    }
    numbers = {i["corporate_number"] for i in parsed if i["corporate_number"]}
    org_names = {i["organisation"] for i in parsed if i.get("organisation")}
    orgs = [
        MatchedOrganisation(*row)
        for row in Organisation.objects.filter(
            Q(corporate_number__in=numbers) | Q(name__in=org_names)
        ).values_list(*MATCH_ORGANISATION_FIELDS)
    ]
    orgs_by_number = {o.corporate_number: o for o in orgs if o.corporate_number}
    orgs_by_name = {o.name: o for o in orgs}
    emails = {i["email"].lower() for i in parsed if i.get("email")}
    # Tuples, not instances: a MatchedPerson is made once per person the sheet names.
    people_by_email: dict[str, object] = {
        row[0]: row[1:]
        for row in Person.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .values_list("email_lower", *MATCH_PERSON_FIELDS, "organisation__name")
    }
    # Matching by name is only needed for rows whose e-mail did not find the person.
    by_name = [i for i in parsed if _needs_name_match(i, people_by_email)]
    names_wanted = {i.get("organisation") for i in by_name}
    numbers_wanted = {i["corporate_number"] for i in by_name if i["corporate_number"]}
    by_name_orgs = [
        o.pk for o in orgs if o.name in names_wanted or o.corporate_number in numbers_wanted
    ]
    # Tuples, not instances: a MatchedPerson is made only for the rows that match one.
    people_by_name: dict[object, object] = {
        (org_id, _norm(name)): (pk, name, email, org_id)
        for pk, name, email, org_id in Person.objects.filter(
            organisation__in=by_name_orgs
        ).values_list(*MATCH_PERSON_FIELDS)
    }

    planned_orgs: dict[str, PlannedOrganisation] = {}
    planned_people: dict[object, PlannedPerson] = {}
    planned_meetings: dict[tuple, PlannedMeeting] = {}
    people_of_meeting: dict[tuple, set[int]] = {}  # id()s of meeting.people, to find repeats
    for item in parsed:
        if not item["date"] or not item["meeting"] or not item["group"]:
            continue
        key = (item["date"], item["meeting"], item["group"].pk)
        meeting = planned_meetings.get(key)
        if meeting is None:
            meeting = planned_meetings[key] = PlannedMeeting(
                date=item["date"],
                title=item["meeting"],
                study_group=item["group"],
                existing=meetings.get(key),
                first_row=item["row"],
            )
            if meeting.existing:
                meeting.kind = meeting.existing.kind
                if meeting.existing.is_cancelled:
                    error(item["row"], "meeting", _("この会議は中止になっています。"))
        meeting.kind_given = meeting.kind_given or bool(item["kind_raw"])
        if item["kind"]:
            if not meeting.existing and meeting.kind and meeting.kind != item["kind"]:
                error(item["row"], "kind", _("同じ会議の行で種別が食い違っています。"))
            meeting.kind = meeting.kind or item["kind"]
        if not item.get("person"):
            if item["headcount"] is not None:
                meeting.unnamed = (meeting.unnamed or 0) + item["headcount"]
            continue
        person = _plan_person(
            item,
            orgs_by_number,
            orgs_by_name,
            people_by_email,
            people_by_name,
            planned_orgs,
            planned_people,
        )
        if person is None:
            if item.get("email") or item.get("organisation") or item["corporate_number"]:
                error(
                    item["row"],
                    "organisation",
                    _("登録済みの人・団体が見つかりません。団体名を入れてください。"),
                )
            continue
        if person.existing:
            person = planned_people.setdefault(person.existing.pk, person)
        seen = people_of_meeting.setdefault(key, set())
        if id(person) in seen:
            error(
                item["row"],
                "person",
                _("%(name)s さんがこの会議に2回記載されています（%(first)s行目）。")
                % {"name": item["person"], "first": person.rows[0]},
            )
            continue
        person.rows.append(item["row"])
        meeting.people.append(person)
        seen.add(id(person))
    for meeting in planned_meetings.values():
        if not meeting.kind and not meeting.kind_given:
            error(meeting.first_row, "kind", _("新しい会議には種別を入れてください。"))
    plan.meetings = list(planned_meetings.values())
    _read_stored_attendance(plan.meetings)
    plan.people = list({id(p): p for m in plan.meetings for p in m.people}.values())
    plan.organisations = list(planned_orgs.values())
    plan.errors.sort(key=lambda e: (e.row, list(HEADERS.values()).index(e.column)))
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


def _needs_name_match(item: dict, people_by_email: dict) -> bool:
    email = item.get("email", "")
    return bool(item.get("person")) and not (email and email.lower() in people_by_email)


def _plan_person(
    item, orgs_by_number, orgs_by_name, people_by_email, people_by_name, planned_orgs, planned
):
    """Match by email, else by name within the organisation; else plan a new person.

    A registered person already planned (``planned``, by pk) is returned as planned.
    """
    email = item.get("email", "")
    if email and email.lower() in people_by_email:
        found = people_by_email[email.lower()]
        if isinstance(found, tuple):
            found = people_by_email[email.lower()] = MatchedPerson(*found)
        return planned.get(found.pk) or PlannedPerson(
            name=item["person"], email=email, organisation=None, existing=found
        )
    number, name = item["corporate_number"], item.get("organisation", "")
    if not number and not name:
        return None
    existing_org = orgs_by_number.get(number) if number else None
    existing_org = existing_org or orgs_by_name.get(name)
    if existing_org is None and not name:
        return None
    org_key = f"#{existing_org.pk}" if existing_org else (number or name)
    organisation = planned_orgs.get(org_key)
    if organisation is None:
        organisation = planned_orgs[org_key] = PlannedOrganisation(
            name=existing_org.name if existing_org else name,
            corporate_number=number,
            existing=existing_org,
        )
    organisation.rows.append(item["row"])
    if existing_org:
        name_key = (existing_org.pk, _norm(item["person"]))
        person = people_by_name.get(name_key)
        if isinstance(person, tuple):
            person = people_by_name[name_key] = MatchedPerson(*person, existing_org.name)
        if person:
            return planned.get(person.pk) or PlannedPerson(
                name=person.name, email=person.email, organisation=organisation, existing=person
            )
    # A new person: the same email, or the same name in the same organisation, is one person.
    key = ("email", email.lower()) if email else (org_key, _norm(item["person"]))
    planned = people_by_name.get(key)
    if planned is None:
        planned = people_by_name[key] = PlannedPerson(
            name=item["person"], email=email, organisation=organisation
        )
    return planned


@transaction.atomic
def import_apply(plan: ImportPlan, *, recorded_by: User | None) -> ImportPlan:
    """Write a checked plan: new organisations (unconfirmed), people, meetings, attendance, and
    the sheet's unnamed headcount (which replaces the meeting's). All or nothing."""
    if not plan.ok:
        raise ValidationError(_("エラーのあるファイルは取り込めません。"), code="invalid")
    for organisation in plan.new_organisations:
        organisation.existing = Organisation.objects.create(
            name=organisation.name,
            corporate_number=organisation.corporate_number or None,
            sector=Sector.OTHER,
            is_confirmed=False,
        )
    for person in plan.new_people:
        person.existing = Person.objects.create(
            name=person.name, email=person.email, organisation_id=person.organisation.existing.pk
        )
    fiscal_years = set()
    for planned in plan.meetings:
        meeting = planned.existing
        if meeting is None:
            meeting = planned.existing = Meeting.objects.create(
                date=planned.date,
                title=planned.title,
                study_group=planned.study_group,
                kind=planned.kind,
            )
        # A sheet of a meeting whose day has come says it took place (no signal of its own:
        # the import reports its years below).
        meeting_held_if_due(meeting=meeting)
        if planned.unnamed is not None and planned.unnamed != meeting.unnamed_headcount:
            meeting.unnamed_headcount = planned.unnamed
            meeting.save(update_fields=["unnamed_headcount"])
        already = {a.person_id: a for a in meeting.attendances.all()}
        for person in planned.people:
            if person.existing.pk in already:
                # save(), not update(): the change must reach the history like a sheet edit.
                record = already[person.existing.pk]
                if record.status != AttendanceStatus.ATTENDED:
                    record.status = AttendanceStatus.ATTENDED
                    record.recorded_by = recorded_by
                    record.save(update_fields=["status", "recorded_by"])
                continue
            Attendance.objects.create(
                meeting=meeting,
                person_id=person.existing.pk,
                organisation_id=person.existing.organisation_id,
                status=AttendanceStatus.ATTENDED,
                recorded_by=recorded_by,
            )
        fiscal_years.add(meeting.fiscal_year)
    if fiscal_years:
        attendance_changed.send(sender=Meeting, fiscal_years=fiscal_years)
    return plan


# The landing page after an import lists the meetings it wrote by id, in runs: "12-40,55".
RESULT_URL_LIMIT = 500  # PendingUpload.result_url
MEETING_IDS_MAX_PARTS = 200


def meeting_ids_param(ids: list[int]) -> str:
    """Ids as runs of consecutive numbers: ``[3, 4, 5, 9]`` → ``"3-5,9"``."""
    parts: list[str] = []
    ordered = sorted(set(ids))
    start = previous = None
    for pk in [*ordered, None]:
        if start is not None and (pk is None or pk != previous + 1):
            parts.append(str(start) if start == previous else f"{start}-{previous}")
            start = None
        if pk is not None and start is None:
            start = pk
        previous = pk
    return ",".join(parts)


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
        if not pending_upload_claim(upload=upload):
            return None
        import_apply(plan, recorded_by=recorded_by)
        pending_upload_set_result(upload=upload, result_url=_result_url(plan))
    return plan
