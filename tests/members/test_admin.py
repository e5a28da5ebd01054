"""The roster through the Django admin (django-import-export): same service, all or nothing."""

import pytest
from django.contrib.auth.models import User

from members.models import Organisation
from members.resources import RosterResource
from tests.members.factories import OrganisationFactory, PersonFactory, roster_csv
from tests.members.test_importing import GOOD_ROWS

pytestmark = pytest.mark.django_db


def _dataset(rows):
    import tablib

    return tablib.Dataset().load(roster_csv(rows).decode("utf-8"), format="csv")


def test_admin_resource_imports_good_roster():
    result = RosterResource().import_data(_dataset(GOOD_ROWS), dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert Organisation.objects.count() == 3
    assert [row.import_type for row in result.rows] == ["new", "new", "update", "new"]


def test_admin_resource_dry_run_saves_nothing():
    result = RosterResource().import_data(_dataset(GOOD_ROWS), dry_run=True)

    assert not result.has_validation_errors()
    assert Organisation.objects.count() == 0


def test_admin_resource_reports_every_bad_row_and_saves_nothing():
    rows = [
        GOOD_ROWS[0],
        ["", "", "企業", "", "", "", "", "", ""],
        ["X", "", "?", "", "", "", "", "", ""],
    ]
    result = RosterResource().import_data(_dataset(rows), dry_run=False)

    assert [row.number for row in result.invalid_rows] == [3, 4]
    assert "団体名/organisation" in result.invalid_rows[0].field_specific_errors
    assert "区分/sector" in result.invalid_rows[1].field_specific_errors
    assert Organisation.objects.count() == 0


def test_admin_export_escapes_formula_looking_text():
    org = OrganisationFactory(name="=cmd|' /C calc'!A0", name_kana="+カナ")
    PersonFactory(organisation=org, name="@担当", department="-部")

    dataset = RosterResource().export(Organisation.objects.all())

    row = dataset.dict[0]
    assert row["団体名"] == "'=cmd|' /C calc'!A0"
    assert row["団体名カナ"] == "'+カナ"
    assert row["氏名"] == "'@担当"
    assert row["所属"] == "'-部"


def test_admin_import_page_and_csv_export_work(client):
    OrganisationFactory(name="=1+1")
    client.force_login(User.objects.create_superuser("root", "root@example.jp", "x"))
    assert client.get("/admin/members/organisation/import/").status_code == 200

    response = client.post(
        "/admin/members/organisation/export/",
        {"format": "0", "resource": "0", "rosterresource_name": "on"},
    )

    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("団体名,団体名カナ,区分,市内,法人番号,氏名,メール,所属,研究会")
    assert "'=1+1" in text


@pytest.mark.parametrize(
    "path",
    ["organisation", "person", "studygroup", "membership", "joinrequest"],
)
def test_every_members_model_has_an_admin_page(client, path):
    client.force_login(User.objects.create_superuser("root", "root@example.jp", "x"))
    assert client.get(f"/admin/members/{path}/").status_code == 200
