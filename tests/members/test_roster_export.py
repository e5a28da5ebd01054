"""The roster's XLSX export (admin): typed text cells, 市内/市外, no visible apostrophe. The CSV
export keeps the apostrophe that stops a spreadsheet from running formula-looking text."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import User

from tests.members.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

ROSTER_EXPORT = "/admin/members/organisation/export/"


def _export(client, fmt: str):
    return client.post(ROSTER_EXPORT, {"format": fmt, "resource": "0", "rosterresource_name": "on"})


@pytest.fixture
def root(client):
    client.force_login(User.objects.create_superuser("root", "root@example.jp", "x"))
    return client


@pytest.fixture
def risky():
    org = OrganisationFactory(name="=cmd|' /C calc'!A0", name_kana="-3+2カナ", is_local=False)
    PersonFactory(organisation=org, name="@担当", department="+部")
    return org


def test_roster_xlsx_holds_formula_looking_text_as_plain_string_cells(root, risky):
    response = _export(root, "1")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["名簿"]
    header = [c.value for c in book.active[1]]
    row = dict(zip(header, book.active[2], strict=True))
    for column, text in {
        "団体名": "=cmd|' /C calc'!A0",
        "団体名カナ": "-3+2カナ",
        "氏名": "@担当",
        "所属": "+部",
        "市内": "市外",
    }.items():
        assert (row[column].value, row[column].data_type) == (text, "s")


def test_roster_csv_keeps_the_apostrophe(root, risky):
    text = _export(root, "0").content.decode("utf-8")
    assert "'=cmd|' /C calc'!A0" in text and "'@担当" in text and ",市外," in text
