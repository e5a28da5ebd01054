"""Funding through the admin's XLSX export: numbers as numbers, text as plain string cells."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import User

from tests.projects.factories import FunderFactory, FundingFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_funding_xlsx_holds_numbers_and_text_without_apostrophes(client):
    FundingFactory(
        project=ProjectFactory(name='=HYPERLINK("x")'),
        funder=FunderFactory(name="+環境省"),
        fiscal_year=2018,
        amount=15_000_000,
        scheme="-3+2 分科会",
    )
    client.force_login(User.objects.create_superuser("root", "root@example.jp", "x"))
    response = client.post(
        "/admin/projects/funding/export/",
        {"format": "1", "resource": "0", **{f"fundingresource_{f}": "on" for f in FIELDS}},
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["資金"]
    header = [c.value for c in book.active[1]]
    row = dict(zip(header, book.active[2], strict=True))
    assert (row["fiscal_year"].value, row["fiscal_year"].data_type) == (2018, "n")
    assert (row["amount"].value, row["amount"].data_type) == (15_000_000, "n")
    assert (row["project"].value, row["project"].data_type) == ('=HYPERLINK("x")', "s")
    assert row["funder"].value == "+環境省"
    assert row["scheme"].value == "-3+2 分科会"


FIELDS = ("project", "fiscal_year", "funder", "scheme", "kind", "amount", "status", "note")
