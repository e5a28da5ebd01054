"""The one way a spreadsheet gets into Kyoso: read → typed rows → validate → match → plan → apply.

A kind of sheet (the roster, a sign-in sheet, funding records) is a ``Sheet``: its columns (a
declarative list of ``consortium.tabular.Column``) and four small methods of its own:

- ``parse(row, problems)``: one row's cells (text) into the kind's typed row (a dataclass), parsed
  once; what cannot be read is reported with its row and column, and the row left out;
- ``check(rows, problems)``: what only the whole file can tell (the same 法人番号 for two names);
- ``match(rows)``: the database look-ups the rows need, batched, so that the number of queries is
  the same for ten rows as for ten thousand;
- ``plan(rows, matched, problems)``: what will be created, updated and overwritten, for the
  preview; ``apply(plan, user=…)`` writes it, in bulk, inside one transaction.

``prepare`` runs the first five steps and writes nothing; ``apply_plan`` writes a plan without
problems, all or nothing; ``apply_held`` does it once per held upload (``store``), so a
double-submitted 確定 imports once. Staff pages, the Django admin and the management commands all go
through these three functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from consortium.tabular import Column, Row, Table, TableError, read_table

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.utils.functional import _StrOrPromise as StrOrPromise

    from consortium.models import PendingUpload

    User = AbstractBaseUser | AnonymousUser

RowT = TypeVar("RowT")
MatchT = TypeVar("MatchT")
PlanT = TypeVar("PlanT")


@dataclass
class Problem:
    """One thing wrong with a file: its spreadsheet row (header = 1; None for the whole file),
    the column as the sheet kind names it (its key or its header, "" for the whole row), the
    message, and the column's label as people read it ("法人番号/corporate_number")."""

    row: int | None
    column: str
    message: str
    label: str = ""

    @property
    def column_label(self) -> str:
        return self.label

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.label:
            return _("%(row)s行目 %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.label,
                "message": self.message,
            }
        return _("%(row)s行目: %(message)s") % {"row": self.row, "message": self.message}


class Problems:
    """The problems found so far, named the way the sheet kind names its columns."""

    def __init__(self, sheet: Sheet[Any, Any, Any]) -> None:
        self.sheet = sheet
        self.items: list[Problem] = []

    def add(self, row: int | None, key: str, message: str) -> None:
        self.items.append(
            Problem(
                row=row,
                column=self.sheet.problem_column(key),
                message=message,
                label=self.sheet.problem_label(key),
            )
        )

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[Problem]:
        """In file order: by row, then by the sheet's column order."""
        order = {column.key: index for index, column in enumerate(self.sheet.columns)}
        by_column = {self.sheet.problem_column(key): index for key, index in order.items()}
        return sorted(
            self.items, key=lambda p: (p.row or 0, by_column.get(p.column, len(by_column)))
        )


class Sheet(Generic[RowT, MatchT, PlanT]):
    """A kind of spreadsheet: its columns and its own parsing, matching, planning and writing."""

    columns: ClassVar[list[Column]]
    # How a problem names its column: "key" (organisation) or "ja" (団体名).
    column_naming: ClassVar[str] = "key"
    # Whether a problem's label (in its text) is "団体名/organisation" or just "団体名".
    label_naming: ClassVar[str] = "ja/key"
    # A file with a header but no data rows: refused with this message ("" accepts it).
    empty_message: ClassVar[StrOrPromise] = ""

    def problem_column(self, key: str) -> str:
        column = self._column(key)
        if column is None:
            return ""
        return column.ja if self.column_naming == "ja" else column.key

    def problem_label(self, key: str) -> str:
        column = self._column(key)
        if column is None:
            return ""
        return f"{column.ja}/{column.key}" if self.label_naming == "ja/key" else column.ja

    def _column(self, key: str) -> Column | None:
        return next((column for column in self.columns if column.key == key), None)

    # The steps a sheet kind defines -----------------------------------------------------------

    def parse(self, row: Row, problems: Problems) -> RowT | None:
        raise NotImplementedError

    def check(self, rows: list[RowT], problems: Problems) -> None:
        """Checks across rows; none by default."""

    def match(self, rows: list[RowT]) -> MatchT:
        raise NotImplementedError

    def plan(self, rows: list[RowT], matched: MatchT, problems: Problems) -> PlanT:
        raise NotImplementedError

    def apply(self, plan: PlanT, *, user: User | None) -> None:
        raise NotImplementedError


@dataclass
class Prepared(Generic[PlanT]):
    """A file read, validated, matched and planned; nothing written."""

    rows: int = 0  # data rows in the file
    encoding: str | None = None
    problems: list[Problem] = field(default_factory=list)
    plan: PlanT | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.plan is not None

    @property
    def file_error(self) -> str:
        """Why the file as a whole was refused ("" when it was read)."""
        return next((p.message for p in self.problems if p.row is None), "")


def read(sheet: Sheet[Any, Any, Any], data: bytes, filename: str, encoding: str | None) -> Table:
    """The file through the bounded reader (``consortium.tabular``); raises TableError."""
    table = read_table(data, filename, sheet.columns, encoding=encoding)
    if not table.rows and sheet.empty_message:
        raise TableError(str(sheet.empty_message))
    return table


def parse_rows(sheet: Sheet[RowT, Any, Any], rows: Iterable[Row], problems: Problems) -> list[RowT]:
    parsed = []
    for row in rows:
        typed = sheet.parse(row, problems)
        if typed is not None:
            parsed.append(typed)
    return parsed


def prepare(
    sheet: Sheet[RowT, MatchT, PlanT],
    data: bytes,
    filename: str,
    *,
    encoding: str | None = None,
) -> Prepared[PlanT]:
    """Read, validate, match and plan ``data``; write nothing.

    A file that cannot be read at all gives one problem without a row; otherwise every row's
    problems are listed, in file order, and the plan says what applying would do.
    """
    prepared: Prepared[PlanT] = Prepared()
    try:
        table = read(sheet, data, filename, encoding)
    except TableError as exc:
        prepared.problems.append(Problem(row=None, column="", message=str(exc)))
        return prepared
    prepared.rows, prepared.encoding = len(table.rows), table.encoding
    problems = Problems(sheet)
    rows = parse_rows(sheet, table.rows, problems)
    sheet.check(rows, problems)
    prepared.plan = sheet.plan(rows, sheet.match(rows), problems)
    prepared.problems = problems.sorted()
    return prepared


class ImportRefused(ValueError):
    """A plan with problems was asked to be applied."""


@transaction.atomic
def apply_plan(
    sheet: Sheet[Any, Any, PlanT], prepared: Prepared[PlanT], *, user: User | None
) -> PlanT:
    """Write a prepared file without problems, all or nothing."""
    if not prepared.ok or prepared.plan is None:
        raise ImportRefused(_("エラーのあるファイルは取り込めません。"))
    sheet.apply(prepared.plan, user=user)
    return prepared.plan


def apply_held(
    sheet: Sheet[Any, Any, PlanT],
    prepared: Prepared[PlanT],
    *,
    upload: PendingUpload,
    user: User | None,
    result_url: str = "",
) -> PlanT | None:
    """Apply a held upload once: None when another request already applied it.

    The upload is claimed in the transaction of the writes, so of two confirms (a double-click
    on 確定) exactly one imports; if the writes fail, the claim is rolled back with them.
    """
    from .store import claim

    with transaction.atomic():
        if not claim(upload=upload, result_url=result_url):
            return None
        return apply_plan(sheet, prepared, user=user)
