"""The roster through the Django admin (django-import-export): same service, all or nothing."""

import pytest
from django.contrib.auth.models import User

from members.models import Organisation
from members.resources import RosterResource
from reports.models import ExportLog
from tests.members.factories import OrganisationFactory, PersonFactory, roster_csv
from tests.members.test_importing import GOOD_ROWS
from tests.projects.factories import FundingFactory

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


# --- Personal data leaves the admin only with an administrator, and never unrecorded ---------

ROSTER_EXPORT = "/admin/members/organisation/export/"
ROSTER_EXPORT_FORM = {"format": "0", "resource": "0", "rosterresource_name": "on"}


def _roster_with_emails():
    for n in range(3):
        PersonFactory(
            organisation=OrganisationFactory(name=f"株式会社名簿{n}"), email=f"p{n}@example.jp"
        )


def test_staff_cannot_export_the_roster_from_the_admin(client_as):
    _roster_with_emails()
    staff = client_as("staff")

    assert staff.get(ROSTER_EXPORT).status_code == 403
    response = staff.post(ROSTER_EXPORT, ROSTER_EXPORT_FORM)

    assert response.status_code == 403
    assert b"@example.jp" not in response.content
    assert not ExportLog.objects.exists()


def test_staff_see_no_export_button_on_the_organisation_list(client_as):
    page = client_as("staff").get("/admin/members/organisation/")

    assert page.status_code == 200
    assert ROSTER_EXPORT not in page.content.decode()
    assert ROSTER_EXPORT in client_as("admin").get("/admin/members/organisation/").content.decode()


def test_administrator_export_of_the_roster_is_logged(client_as, people):
    _roster_with_emails()

    response = client_as("admin").post(ROSTER_EXPORT, ROSTER_EXPORT_FORM)

    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert all(f"p{n}@example.jp" in text for n in range(3))
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.personal_data, log.via) == (
        people["admin"],
        ExportLog.Kind.ROSTER,
        True,
        "admin",
    )
    # One row per person of the two fixture organisations and the three above.
    assert log.rows == 5
    assert log.file_format == "csv"
    assert log.filename.endswith(".csv")
    assert log.filename in response["Content-Disposition"]


def test_staff_may_still_export_funding_which_names_no_person(client_as):
    FundingFactory()

    response = client_as("staff").post(
        "/admin/projects/funding/export/",
        {"format": "0", "resource": "0", "fundingresource_project": "on"},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert not ExportLog.objects.exists()


def _admin_form(organisation, **changes) -> dict:
    data = {
        "name": organisation.name,
        "name_kana": organisation.name_kana,
        "sector": organisation.sector,
        "is_local": "on" if organisation.is_local else "",
        "corporate_number": organisation.corporate_number or "",
        "address": organisation.address,
        "website": organisation.website,
        "description": "",
        "contact": "",
        "is_confirmed": "on",
    }
    for prefix in ("people", "memberships"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return {key: value for key, value in {**data, **changes}.items() if value != ""}


def test_an_admin_edit_of_what_the_reports_read_is_a_domain_event(client_as, people, org_a):
    """Reclassifying in the Django admin tells the reports, as the site's edit does."""
    from members.models import Sector
    from members.signals import organisation_changed

    received = []

    def receiver(sender, organisation_id, **kwargs):
        received.append(organisation_id)

    organisation_changed.connect(receiver)
    try:
        response = client_as("staff").post(
            f"/admin/members/organisation/{org_a.pk}/change/",
            _admin_form(org_a, sector=Sector.UNIVERSITY),
        )
    finally:
        organisation_changed.disconnect(receiver)
    assert response.status_code == 302, response.context["adminform"].form.errors
    org_a.refresh_from_db()
    assert org_a.sector == Sector.UNIVERSITY
    assert received == [org_a.pk]


def test_ending_a_membership_in_the_admin_is_a_domain_event(client_as, people, org_a):
    import datetime as dt

    from members.models import Membership
    from members.signals import membership_changed

    membership = Membership.objects.get(organisation=org_a)
    received = []

    def receiver(sender, fiscal_years, **kwargs):
        received.append(fiscal_years)

    membership_changed.connect(receiver)
    try:
        response = client_as("staff").post(
            f"/admin/members/membership/{membership.pk}/change/",
            {
                "organisation": org_a.pk,
                "study_group": membership.study_group_id,
                "role": Membership.Role.MEMBER,
                "joined_on": membership.joined_on.isoformat(),
                "left_on": "2026-03-31",
            },
        )
    finally:
        membership_changed.disconnect(receiver)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == dt.date(2026, 3, 31)
    assert received and 2025 in received[-1]
