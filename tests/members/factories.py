"""Factories for the members tests: the shared ones (tests/factories.py) plus roster files."""

import csv
import io

import openpyxl

from members.importing import COLUMNS
from tests.factories import (  # noqa: F401 - re-exported for the members tests
    AffiliationRequestFactory,
    JoinRequestFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    StudyGroupFactory,
    UserFactory,
    corporate_number,
    person_with_account,
    staff_user,
)

JA_HEADER = [column.ja for column in COLUMNS]
EN_HEADER = [column.key for column in COLUMNS]


def roster_csv(rows: list[list[str]], *, header=None, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or JA_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def roster_xlsx(rows: list[list[object]], *, header=None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header or JA_HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
