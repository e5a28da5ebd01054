"""Roster import: the secretariat's existing list of organisations, people and study groups.

One service serves both ``manage.py import_roster`` and the Django admin (import-export). The file
is read with ``consortium.tabular.read_table``; every row is validated first, and a file with any
bad row saves nothing: the result lists every problem with its row number and column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consortium.tabular import Column, Row, TableError, read_table

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


@dataclass
class RosterError:
    row: int
    column: str  # canonical key, "" for the row as a whole
    message: str

    @property
    def column_label(self) -> str:
        return COLUMN_LABELS.get(self.column, "")

    def __str__(self) -> str:
        if self.column:
            return _("%(row)s行目 %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column_label,
                "message": self.message,
            }
        return _("%(row)s行目: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
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
    errors: list[RosterError] = field(default_factory=list)
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


class RosterRollback(Exception):
    """Raised inside the transaction to undo a dry run."""


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


def validate_rows(rows: Iterable[Row]) -> tuple[list[RosterRow], list[RosterError]]:
    """Check every row; return the parsed rows and every problem found (no writes)."""
    parsed: list[RosterRow] = []
    errors: list[RosterError] = []
    for row in rows:
        v = row.values
        row_errors: list[RosterError] = []

        def bad(
            column: str,
            message: str,
            _errors: list[RosterError] = row_errors,
            _number: int = row.number,
        ) -> None:
            _errors.append(RosterError(_number, column, message))

        name = (v.get("organisation") or "").strip()
        if not name:
            bad("organisation", _("団体名がありません。"))
        sector_word = _clean(v.get("sector", ""))
        sector = SECTOR_WORDS.get(sector_word) or SECTOR_WORDS.get(sector_word.lower(), "")
        if not sector_word:
            bad("sector", _("区分がありません。"))
        elif not sector:
            bad(
                "sector",
                _("区分「%(value)s」は使えません（行政・大学・企業・金融機関・団体・その他）。")
                % {"value": sector_word},
            )
        try:
            is_local = parse_local(v.get("local", ""))
        except ValueError:
            is_local = None
            bad(
                "local",
                _("市内「%(value)s」は使えません（1/0、はい/いいえ、市内/市外、true/false）。")
                % {"value": v.get("local", "")},
            )
        number = normalise_corporate_number(v.get("corporate_number", ""))
        try:
            validate_corporate_number(number)
        except ValidationError as exc:
            bad("corporate_number", " ".join(exc.messages))
        person = (v.get("person") or "").strip()
        email = _clean(v.get("email", ""))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                bad(
                    "email", _("メールアドレス「%(value)s」が正しくありません。") % {"value": email}
                )
            if not person:
                bad("person", _("メールがある行には氏名が必要です。"))
        path = split_group_path(v.get("study_group", ""))
        if path and (len(path) > 2 or not all(path)):
            bad(
                "study_group",
                _("研究会「%(value)s」は「研究会名」または「親/子」の形で書いてください。")
                % {"value": v.get("study_group", "")},
            )
        if row_errors:
            errors.extend(row_errors)
            continue
        parsed.append(
            RosterRow(
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
        )
    errors.extend(_conflicts(parsed))
    return parsed, errors


def _conflicts(rows: list[RosterRow]) -> list[RosterError]:
    """One 法人番号 must name one organisation throughout the file (and in the database)."""
    errors: list[RosterError] = []
    names_by_number: dict[str, str] = {}
    for row in rows:
        if not row.corporate_number:
            continue
        first = names_by_number.setdefault(row.corporate_number, row.organisation)
        if first != row.organisation:
            errors.append(
                RosterError(
                    row.number,
                    "corporate_number",
                    _("法人番号 %(number)s は別の行で「%(name)s」に使われています。")
                    % {"number": row.corporate_number, "name": first},
                )
            )
    return errors


class _Importer:
    def __init__(self, result: RosterResult) -> None:
        self.result = result
        self.groups: dict[tuple[str, ...], StudyGroup] = {}
        self.seen_orgs: set[int] = set()
        self.seen_people: set[int] = set()
        self.memberships: list[Membership] = []
        self.reclassified: set[int] = set()  # organisations whose 区分, 市内 … changed

    def organisation(self, row: RosterRow) -> tuple[Organisation, str]:
        org = None
        if row.corporate_number:
            org = Organisation.objects.filter(corporate_number=row.corporate_number).first()
        if org is None:
            org = Organisation.objects.filter(name=row.organisation).first()
        if org is None:
            org = Organisation.objects.create(
                name=row.organisation,
                name_kana=row.organisation_kana,
                sector=row.sector,
                is_local=bool(row.is_local),
                corporate_number=row.corporate_number or None,
            )
            self.result.organisations_created += 1
            self.seen_orgs.add(org.pk)
            return org, "new"
        changed = {
            "name": row.organisation,
            "sector": row.sector,
            **({"name_kana": row.organisation_kana} if row.organisation_kana else {}),
            **({"is_local": row.is_local} if row.is_local is not None else {}),
            **({"corporate_number": row.corporate_number} if row.corporate_number else {}),
        }
        fields = [key for key, value in changed.items() if getattr(org, key) != value]
        if fields:
            for key in fields:
                setattr(org, key, changed[key])
            org.save(update_fields=fields)
            if set(fields) & set(ORGANISATION_REPORT_FIELDS):
                self.reclassified.add(org.pk)
        if org.pk not in self.seen_orgs:
            self.seen_orgs.add(org.pk)
            self.result.organisations_updated += 1
        return org, "update"

    def person(self, row: RosterRow, org: Organisation) -> None:
        if not row.person:
            return
        people = Person.objects.filter(organisation=org)
        match = Q(email__iexact=row.email) if row.email else Q(name=row.person)
        person = people.filter(match).first()
        if person is None:
            person = Person.objects.create(
                organisation=org, name=row.person, email=row.email, department=row.department
            )
            self.result.people_created += 1
            self.seen_people.add(person.pk)
            return
        changed = {"name": row.person, **({"department": row.department} if row.department else {})}
        fields = [key for key, value in changed.items() if getattr(person, key) != value]
        if fields:
            for key in fields:
                setattr(person, key, changed[key])
            person.save(update_fields=fields)
        if person.pk not in self.seen_people:
            self.seen_people.add(person.pk)
            self.result.people_updated += 1

    def study_group(self, path: tuple[str, ...]) -> StudyGroup:
        if path in self.groups:
            return self.groups[path]
        parent = self.study_group(path[:-1]) if len(path) > 1 else None
        group, created = StudyGroup.objects.get_or_create(parent=parent, name=path[-1])
        if created:
            self.result.study_groups_created += 1
        self.groups[path] = group
        return group

    def membership(self, org: Organisation, path: tuple[str, ...]) -> None:
        if not path:
            return
        group = self.study_group(path)
        if Membership.objects.filter(
            organisation=org, study_group=group, left_on__isnull=True
        ).exists():
            return
        self.memberships.append(
            Membership.objects.create(
                organisation=org, study_group=group, joined_on=timezone.localdate()
            )
        )
        self.result.memberships_created += 1

    def run(self, rows: list[RosterRow]) -> None:
        for row in rows:
            org, action = self.organisation(row)
            self.person(row, org)
            self.membership(org, row.study_group_path)
            self.result.row_actions[row.number] = action


def roster_import_rows(*, rows: list[Row], dry_run: bool = False) -> RosterResult:
    """Validate every row, then save all of them in one transaction, or nothing at all.

    With ``dry_run`` the writes run and are rolled back, so the counts are what a real run
    would do. Memberships created send ``membership_changed`` with their fiscal years.
    """
    result = RosterResult(dry_run=dry_run, rows=len(rows))
    parsed, result.errors = validate_rows(rows)
    if result.errors:
        return result
    importer = _Importer(result)
    try:
        with transaction.atomic():
            importer.run(parsed)
            if dry_run:
                raise RosterRollback
            notify_membership_changed(membership_fiscal_years(importer.memberships))
            for organisation_id in sorted(importer.reclassified):
                organisation_changed.send(sender=Organisation, organisation_id=organisation_id)
    except RosterRollback:
        pass
    return result


def roster_import(
    *, data: bytes, filename: str, dry_run: bool = False, encoding: str | None = None
) -> RosterResult:
    """Import a roster file (CSV in UTF-8/cp932 or XLSX, Japanese or English headers)."""
    try:
        table = read_table(data, filename, COLUMNS, encoding=encoding)
    except TableError as exc:
        return RosterResult(dry_run=dry_run, file_error=str(exc))
    return roster_import_rows(rows=table.rows, dry_run=dry_run)


IMPORT_HELP = gettext_lazy(
    "列: 団体名/organisation, 団体名カナ/organisation_kana, 区分/sector, 市内/local, "
    "法人番号/corporate_number, 氏名/person, メール/email, 所属/department, 研究会/study_group"
)
