"""Roster import: the secretariat's existing list of organisations, people and study groups.

A ``Sheet`` of the import pipeline (``consortium.importing``), used by ``manage.py import_roster``
and the Django admin alike. Every row is parsed and validated first, and a file with any bad row
saves nothing: the result lists every problem with its row number and column. Matching reads the
organisations, people, study groups and memberships the file names in four queries whatever its
length; the plan then goes through the rows in order as one person typing them in would (the
second row of an organisation updates what the first created), and the writes are bulk inserts
and updates, with history, in one transaction.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortium.importing import Problem, Problems, Sheet, apply_plan, bulk, prepare
from consortium.tabular import Column, Row

from .models import Membership, Organisation, Person, Sector, StudyGroup
from .services import (
    ORGANISATION_REPORT_FIELDS,
    membership_fiscal_years,
    notify_membership_changed,
)
from .signals import organisation_changed
from .validators import normalise_corporate_number, validate_corporate_number

COLUMNS = [
    Column("organisation", "団体名", required=True),
    Column("organisation_kana", "団体名カナ"),
    Column("sector", "区分", required=True),
    Column("local", "市内"),
    Column("corporate_number", "法人番号"),
    Column("person", "氏名"),
    Column("email", "メール"),
    Column("department", "所属"),
    Column("study_group", "研究会"),
]
COLUMN_LABELS = {column.key: f"{column.ja}/{column.key}" for column in COLUMNS}

SECTOR_WORDS: dict[str, str] = {
    "行政": Sector.GOVERNMENT,
    "官": Sector.GOVERNMENT,
    "大学": Sector.UNIVERSITY,
    "学": Sector.UNIVERSITY,
    "企業": Sector.COMPANY,
    "産": Sector.COMPANY,
    "金融機関": Sector.FINANCIAL,
    "金": Sector.FINANCIAL,
    "団体": Sector.ASSOCIATION,
    "その他": Sector.OTHER,
}
# The English codes and the labels the site shows (so an export can be imported again).
SECTOR_WORDS.update({value: value for value in Sector.values})
SECTOR_WORDS.update({str(label): value for value, label in Sector.choices})

TRUE_WORDS = {"1", "はい", "市内", "true", "yes", "y", "○", "〇"}
FALSE_WORDS = {"0", "いいえ", "市外", "false", "no", "n", "×"}


@dataclass(slots=True)
class RosterRow:
    number: int
    organisation: str
    organisation_kana: str
    sector: str
    is_local: bool | None
    corporate_number: str
    person: str
    email: str
    department: str
    study_group_path: tuple[str, ...]


@dataclass
class RosterResult:
    dry_run: bool = False
    rows: int = 0
    errors: list[Problem] = field(default_factory=list)
    file_error: str = ""
    organisations_created: int = 0
    organisations_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    study_groups_created: int = 0
    memberships_created: int = 0
    row_actions: dict[int, str] = field(default_factory=dict)  # row number → "new"/"update"

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error

    def summary(self) -> str:
        return _(
            "%(rows)s行: 団体 新規%(oc)s・更新%(ou)s、担当者 新規%(pc)s・更新%(pu)s、"
            "研究会 新規%(gc)s、会員資格 新規%(mc)s"
        ) % {
            "rows": self.rows,
            "oc": self.organisations_created,
            "ou": self.organisations_updated,
            "pc": self.people_created,
            "pu": self.people_updated,
            "gc": self.study_groups_created,
            "mc": self.memberships_created,
        }


def _clean(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def parse_local(value: str) -> bool | None:
    word = _clean(value).lower()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(word)


def split_group_path(value: str) -> tuple[str, ...]:
    """`親/子` (also full-width ／) → ("親", "子"); empty → ()."""
    text = (value or "").strip()
    if not text:
        return ()
    return tuple(part.strip() for part in re.split(r"[/／]", text))


# --- What matching found and what the plan will write ---------------------------------------


@dataclass
class RosterMatch:
    """The organisations, people, study groups and current memberships the file names."""

    organisations: list[Organisation]
    people: list[Person]
    groups: list[StudyGroup]
    memberships: set[tuple[int, int]]  # (organisation id, study group id), current ones


@dataclass
class RosterPlan:
    result: RosterResult
    new_groups: list[StudyGroup] = field(default_factory=list)  # parents before children
    new_organisations: list[Organisation] = field(default_factory=list)
    changed_organisations: dict[int, set[str]] = field(default_factory=dict)  # pk → fields
    new_people: list[Person] = field(default_factory=list)
    changed_people: dict[int, set[str]] = field(default_factory=dict)
    new_memberships: list[Membership] = field(default_factory=list)
    reclassified: set[int] = field(default_factory=set)  # organisations whose 区分, 市内 … changed
    # The instances changed, by pk (for the bulk updates).
    organisations_by_pk: dict[int, Organisation] = field(default_factory=dict)
    people_by_pk: dict[int, Person] = field(default_factory=dict)


def _order(instance: Organisation | Person) -> tuple[str, str, int]:
    """``.first()`` of the model's ordering (カナ, name), the oldest first among equals and the
    rows this file creates after every stored one."""
    return (instance.name_kana, instance.name, instance.pk or 2**62)


class _Index:
    """Instances by a key, the first by ``_order`` winning, kept current as the plan renames."""

    def __init__(self) -> None:
        self.by_key: dict[Any, list[Any]] = defaultdict(list)

    def add(self, key: Any, instance: Any) -> None:
        self.by_key[key].append(instance)
        self.by_key[key].sort(key=_order)

    def move(self, old: Any, new: Any, instance: Any) -> None:
        if old == new:
            return
        entries = self.by_key.get(old, [])
        if instance in entries:
            entries.remove(instance)
        self.add(new, instance)

    def first(self, key: Any) -> Any:
        entries = self.by_key.get(key)
        return entries[0] if entries else None


def _changed(instance: Any, values: dict[str, Any]) -> set[str]:
    """Set ``values`` on ``instance``; the names of the fields that really changed."""
    fields = {key for key, value in values.items() if getattr(instance, key) != value}
    for key in fields:
        setattr(instance, key, values[key])
    return fields


class _Planner:
    """The rows in order, against the matched rows in memory: what each creates or changes."""

    def __init__(self, matched: RosterMatch, result: RosterResult) -> None:
        self.plan = RosterPlan(result=result)
        self.by_number = {
            o.corporate_number: o for o in matched.organisations if o.corporate_number
        }
        self.by_name = _Index()
        for organisation in matched.organisations:
            self.by_name.add(organisation.name, organisation)
        self.by_email, self.by_person_name = _Index(), _Index()
        for person in matched.people:
            self.by_email.add((person.organisation_id, person.email.lower()), person)
            self.by_person_name.add((person.organisation_id, person.name), person)
        self.groups = {self._group_path(g): g for g in matched.groups}
        self.memberships: set[tuple[Any, Any]] = set(matched.memberships)
        self.seen_orgs: set[int] = set()  # id() of the organisations counted
        self.seen_people: set[int] = set()

    @staticmethod
    def _group_path(group: StudyGroup) -> tuple[str, ...]:
        return (group.parent.name, group.name) if group.parent is not None else (group.name,)

    @staticmethod
    def _key(instance: Organisation) -> Any:
        return instance.pk if instance.pk else ("new", id(instance))

    def organisation(self, row: RosterRow) -> tuple[Organisation, str]:
        found = self.by_number.get(row.corporate_number) if row.corporate_number else None
        found = found or self.by_name.first(row.organisation)
        if found is None:
            created = Organisation(
                name=row.organisation,
                name_kana=row.organisation_kana,
                sector=row.sector,
                is_local=bool(row.is_local),
                corporate_number=row.corporate_number or None,
            )
            self.plan.new_organisations.append(created)
            self.plan.result.organisations_created += 1
            self.seen_orgs.add(id(created))
            self._index_organisation(created)
            return created, "new"
        self._update_organisation(found, row)
        if id(found) not in self.seen_orgs:
            self.seen_orgs.add(id(found))
            self.plan.result.organisations_updated += 1
        return found, "update"

    def _index_organisation(self, organisation: Organisation) -> None:
        if organisation.corporate_number:
            self.by_number[organisation.corporate_number] = organisation
        self.by_name.add(organisation.name, organisation)

    def _update_organisation(self, organisation: Organisation, row: RosterRow) -> None:
        changed: dict[str, Any] = {"name": row.organisation, "sector": row.sector}
        if row.organisation_kana:
            changed["name_kana"] = row.organisation_kana
        if row.is_local is not None:
            changed["is_local"] = row.is_local
        if row.corporate_number:
            changed["corporate_number"] = row.corporate_number
        old_name = organisation.name
        fields = _changed(organisation, changed)
        if not fields:
            return
        self.by_name.move(old_name, organisation.name, organisation)
        if "corporate_number" in fields and organisation.corporate_number:
            self.by_number[organisation.corporate_number] = organisation
        if organisation.pk:
            self.plan.changed_organisations.setdefault(organisation.pk, set()).update(fields)
            self.plan.organisations_by_pk[organisation.pk] = organisation
            if fields & set(ORGANISATION_REPORT_FIELDS):
                self.plan.reclassified.add(organisation.pk)

    def person(self, row: RosterRow, organisation: Organisation) -> None:
        if not row.person:
            return
        owner = self._key(organisation)
        if row.email:
            person = self.by_email.first((owner, row.email.lower()))
        else:
            person = self.by_person_name.first((owner, row.person))
        if person is None:
            person = Person(
                organisation=organisation,
                name=row.person,
                email=row.email,
                department=row.department,
            )
            self.plan.new_people.append(person)
            self.plan.result.people_created += 1
            self.seen_people.add(id(person))
            self.by_email.add((owner, person.email.lower()), person)
            self.by_person_name.add((owner, person.name), person)
            return
        self._update_person(person, row, owner)
        if id(person) not in self.seen_people:
            self.seen_people.add(id(person))
            self.plan.result.people_updated += 1

    def _update_person(self, person: Person, row: RosterRow, owner: Any) -> None:
        changed = {"name": row.person, **({"department": row.department} if row.department else {})}
        old_name = person.name
        fields = _changed(person, changed)
        if not fields:
            return
        self.by_person_name.move((owner, old_name), (owner, person.name), person)
        if person.pk:
            self.plan.changed_people.setdefault(person.pk, set()).update(fields)
            self.plan.people_by_pk[person.pk] = person

    def study_group(self, path: tuple[str, ...]) -> StudyGroup:
        group = self.groups.get(path)
        if group is None:
            parent = self.study_group(path[:-1]) if len(path) > 1 else None
            group = self.groups[path] = StudyGroup(parent=parent, name=path[-1])
            self.plan.new_groups.append(group)
            self.plan.result.study_groups_created += 1
        return group

    def membership(self, organisation: Organisation, path: tuple[str, ...]) -> None:
        if not path:
            return
        group = self.study_group(path)
        key = (self._key(organisation), group.pk or ("new", id(group)))
        if key in self.memberships:
            return
        self.memberships.add(key)
        self.plan.new_memberships.append(
            Membership(organisation=organisation, study_group=group, joined_on=timezone.localdate())
        )
        self.plan.result.memberships_created += 1

    def run(self, rows: list[RosterRow]) -> RosterPlan:
        for row in rows:
            organisation, action = self.organisation(row)
            self.person(row, organisation)
            self.membership(organisation, row.study_group_path)
            self.plan.result.row_actions[row.number] = action
        return self.plan


class RosterSheet(Sheet[RosterRow, RosterMatch, RosterPlan]):
    columns = COLUMNS
    column_naming = "key"
    label_naming = "ja/key"

    def parse(self, row: Row, problems: Problems) -> RosterRow | None:
        v = row.values
        before = len(problems)
        name = (v.get("organisation") or "").strip()
        if not name:
            problems.add(row.number, "organisation", _("団体名がありません。"))
        sector = self._sector(row, problems)
        is_local = self._local(row, problems)
        number = normalise_corporate_number(v.get("corporate_number", ""))
        try:
            validate_corporate_number(number)
        except ValidationError as exc:
            problems.add(row.number, "corporate_number", " ".join(exc.messages))
        person = (v.get("person") or "").strip()
        email = self._email(row, person, problems)
        path = split_group_path(v.get("study_group", ""))
        if path and (len(path) > 2 or not all(path)):
            problems.add(
                row.number,
                "study_group",
                _("研究会「%(value)s」は「研究会名」または「親/子」の形で書いてください。")
                % {"value": v.get("study_group", "")},
            )
        if len(problems) > before:
            return None
        return RosterRow(
            number=row.number,
            organisation=name,
            organisation_kana=(v.get("organisation_kana") or "").strip(),
            sector=sector,
            is_local=is_local,
            corporate_number=number,
            person=person,
            email=email,
            department=(v.get("department") or "").strip(),
            study_group_path=path,
        )

    @staticmethod
    def _sector(row: Row, problems: Problems) -> str:
        word = _clean(row.values.get("sector", ""))
        sector = SECTOR_WORDS.get(word) or SECTOR_WORDS.get(word.lower(), "")
        if not word:
            problems.add(row.number, "sector", _("区分がありません。"))
        elif not sector:
            problems.add(
                row.number,
                "sector",
                _("区分「%(value)s」は使えません（行政・大学・企業・金融機関・団体・その他）。")
                % {"value": word},
            )
        return sector

    @staticmethod
    def _local(row: Row, problems: Problems) -> bool | None:
        try:
            return parse_local(row.values.get("local", ""))
        except ValueError:
            problems.add(
                row.number,
                "local",
                _("市内「%(value)s」は使えません（1/0、はい/いいえ、市内/市外、true/false）。")
                % {"value": row.values.get("local", "")},
            )
            return None

    @staticmethod
    def _email(row: Row, person: str, problems: Problems) -> str:
        email = _clean(row.values.get("email", ""))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.add(
                    row.number,
                    "email",
                    _("メールアドレス「%(value)s」が正しくありません。") % {"value": email},
                )
            if not person:
                problems.add(row.number, "person", _("メールがある行には氏名が必要です。"))
        return email

    def check(self, rows: list[RosterRow], problems: Problems) -> None:
        """One 法人番号 must name one organisation throughout the file."""
        names_by_number: dict[str, str] = {}
        for row in rows:
            if not row.corporate_number:
                continue
            first = names_by_number.setdefault(row.corporate_number, row.organisation)
            if first != row.organisation:
                problems.add(
                    row.number,
                    "corporate_number",
                    _("法人番号 %(number)s は別の行で「%(name)s」に使われています。")
                    % {"number": row.corporate_number, "name": first},
                )

    def match(self, rows: list[RosterRow]) -> RosterMatch:
        numbers = {row.corporate_number for row in rows if row.corporate_number}
        names = {row.organisation for row in rows}
        organisations = list(
            Organisation.objects.filter(Q(corporate_number__in=numbers) | Q(name__in=names))
        )
        ids = [organisation.pk for organisation in organisations]
        # Only the people a row can match: by e-mail (any case) or, without one, by name.
        emails = {row.email.lower() for row in rows if row.email}
        people_names = {row.person for row in rows if row.person and not row.email}
        people = (
            list(
                Person.objects.annotate(email_lower=Lower("email")).filter(
                    Q(email_lower__in=emails) | Q(name__in=people_names), organisation_id__in=ids
                )
            )
            if ids
            else []
        )
        groups = list(StudyGroup.objects.select_related("parent"))
        memberships = (
            set(
                Membership.objects.active()
                .filter(organisation_id__in=ids)
                .values_list("organisation_id", "study_group_id")
            )
            if ids
            else set()
        )
        return RosterMatch(organisations, people, groups, memberships)

    def plan(self, rows: list[RosterRow], matched: RosterMatch, problems: Problems) -> RosterPlan:
        return _Planner(matched, RosterResult()).run(rows if not problems else [])

    def apply(self, plan: RosterPlan, *, user: Any) -> None:
        for depth in (1, 2):  # parents first: a child needs its parent's id
            groups = [g for g in plan.new_groups if (g.parent is None) == (depth == 1)]
            StudyGroup.objects.bulk_create(groups)
        for organisation in [*plan.new_organisations, *plan.organisations_by_pk.values()]:
            organisation.normalise()
        bulk.create(plan.new_organisations, Organisation, user=user)
        bulk.update(
            list(plan.organisations_by_pk.values()),
            Organisation,
            _fields(plan.changed_organisations, also={"name": "name_key"}),
            user=user,
        )
        bulk.create(plan.new_people, Person, user=user)
        bulk.update(
            list(plan.people_by_pk.values()), Person, _fields(plan.changed_people), user=user
        )
        bulk.create(plan.new_memberships, Membership, user=user)
        notify_membership_changed(membership_fiscal_years(plan.new_memberships))
        if plan.reclassified:
            # One signal for the file: ``organisation_id`` names the organisation when it is one.
            only = next(iter(plan.reclassified)) if len(plan.reclassified) == 1 else None
            organisation_changed.send(
                sender=Organisation, organisation_id=only, organisation_ids=set(plan.reclassified)
            )


def _fields(changed: dict[int, set[str]], also: dict[str, str] | None = None) -> list[str]:
    """Every field any of the rows changed (and what a changed field brings along)."""
    fields: set[str] = set().union(*changed.values()) if changed else set()
    for field_name, extra in (also or {}).items():
        if field_name in fields:
            fields.add(extra)
    return sorted(fields)


def _result(prepared: Any, *, dry_run: bool) -> RosterResult:
    plan: RosterPlan | None = prepared.plan
    result = plan.result if plan is not None and prepared.ok else RosterResult()
    result.dry_run, result.rows = dry_run, prepared.rows
    result.file_error = prepared.file_error
    result.errors = [p for p in prepared.problems if p.row is not None]
    return result


def roster_import(
    *,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    encoding: str | None = None,
    user: Any = None,
) -> RosterResult:
    """Import a roster file (CSV in UTF-8/cp932 or XLSX, Japanese or English headers).

    Validates every row, then saves all of them in one transaction, or nothing at all. With
    ``dry_run`` nothing is written and the counts are what a real run would do. Memberships
    created send ``membership_changed`` with their fiscal years; organisations whose 区分, 市内,
    法人番号 or name changed send ``organisation_changed``.
    """
    sheet = RosterSheet()
    prepared = prepare(sheet, data, filename, encoding=encoding)
    if prepared.ok and not dry_run:
        apply_plan(sheet, prepared, user=user)
    return _result(prepared, dry_run=dry_run)


IMPORT_HELP = gettext_lazy(
    "列: 団体名/organisation, 団体名カナ/organisation_kana, 区分/sector, 市内/local, "
    "法人番号/corporate_number, 氏名/person, メール/email, 所属/department, 研究会/study_group"
)
