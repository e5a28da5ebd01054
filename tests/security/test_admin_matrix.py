"""One permission matrix over every URL of the Django admin × anonymous, member, secretariat staff,
administrator and superuser.

The URL names are collected from ``admin.site.get_urls()`` (model pages, history, the
import-export pages), so an admin page without an entry here fails
``test_every_admin_url_has_an_entry``. What each role gets follows its Django permissions (the
data migrations ``*/migrations/000*_role_permissions.py`` and ``members/migrations/0002_roles.py``
give staff and administrators every permission of the Kyoso apps and none of ``auth``, allauth's
``account`` and ``mfa``) and the admin's own rules:

- anonymous, and a member (no ``is_staff``) → 302 to the admin's login (``LOGIN``)
- staff → the Kyoso records, but not the export of personal data, nor the export log
- the roll-up tables and the export log → read-only for everybody (add, change by POST and
  delete are 403 even for a superuser)
- user accounts, e-mail addresses and authenticators → superusers only

The MFA rule is off in the test settings; ``tests/security/test_mfa.py`` covers it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from import_export.admin import ExportMixin

from events.models import Attendance, CalendarToken
from members.admin import PersonalDataExportMixin
from members.models import Membership
from projects.models import Phase
from reports.models import (
    CallSummary,
    ExportLog,
    FundingSummary,
    IndicatorSummary,
    ParticipationSummary,
    RollupState,
)
from tests.events.factories import MeetingFactory, PublicRegistrationFactory, RegistrationFactory
from tests.members.factories import JoinRequestFactory, PersonFactory
from tests.projects.factories import (
    AgreementFactory,
    FundingFactory,
    OutcomeFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "staff", "admin", "superuser")
LOGIN = "login"


def expect(staff, admin, superuser, *, anonymous=LOGIN, member=LOGIN) -> dict[str, object]:
    return dict(zip(ROLES, (anonymous, member, staff, admin, superuser), strict=True))


KEPT = expect(200, 200, 200)  # the Kyoso records staff and administrators keep
SUPERUSER = expect(403, 403, 200)  # accounts, e-mail addresses, authenticators
ADMINISTRATORS = expect(403, 200, 200)
NOBODY = expect(403, 403, 403)
APP_HIDDEN = expect(404, 404, 200)  # an app index the user has no model of


@dataclass(frozen=True)
class Case:
    name: str  # admin URL name, without the "admin:" namespace
    expected: dict[str, object]
    args: Callable[[dict], tuple] = lambda site: ()
    method: str = "get"
    data: dict = field(default_factory=dict)
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.name}{' ' + self.label if self.label else ''}"


def _object(key: str) -> Callable[[dict], tuple]:
    return lambda site: (site[key].pk,)


def _history(key: str) -> Callable[[dict], tuple]:
    return lambda site: (site[key].pk, site[key].history.latest().history_id)


def model_cases(
    prefix: str,
    key: str,
    *,
    pages=KEPT,
    add=None,
    delete=None,
    change_post=None,
    simple_history: bool = False,
) -> list[Case]:
    """The changelist, add, change, delete and history pages of one model admin."""
    cases = [
        Case(f"{prefix}_changelist", pages),
        Case(f"{prefix}_add", add or pages),
        Case(f"{prefix}_change", pages, _object(key)),
        Case(f"{prefix}_delete", delete or pages, _object(key)),
        Case(f"{prefix}_history", pages, _object(key)),
    ]
    if simple_history:
        cases.append(Case(f"{prefix}_simple_history", pages, _history(key)))
    if change_post is not None:
        cases.append(Case(f"{prefix}_change", change_post, _object(key), method="post"))
    return cases


ROSTER_EXPORT_FORM = {"format": "0", "resource": "0", "rosterresource_name": "on"}
FUNDING_EXPORT_FORM = {"format": "0", "resource": "0", "fundingresource_project": "on"}
# The import pages: the form opens for whoever keeps the records; a POST without a file shows
# the form again; the confirmation step only answers POST, and without a held file goes back to
# the list (with a message).
BACK_TO_LIST = expect(302, 302, 302)
IMPORTS = [
    Case("members_organisation_import", KEPT),
    Case("members_organisation_import", KEPT, method="post"),
    Case("members_organisation_process_import", expect(405, 405, 405)),
    Case("members_organisation_process_import", BACK_TO_LIST, method="post"),
    Case("projects_funding_import", KEPT),
    Case("projects_funding_import", KEPT, method="post"),
    Case("projects_funding_process_import", expect(405, 405, 405)),
    Case("projects_funding_process_import", BACK_TO_LIST, method="post"),
]
EXPORTS = [
    # The roster names people and their e-mail addresses: administrators only.
    Case("members_organisation_export", ADMINISTRATORS),
    Case("members_organisation_export", ADMINISTRATORS, method="post", data=ROSTER_EXPORT_FORM),
    # Funding names projects, organisations and amounts, no person.
    Case("projects_funding_export", KEPT),
    Case("projects_funding_export", KEPT, method="post", data=FUNDING_EXPORT_FORM),
]
DERIVED = {"pages": KEPT, "add": NOBODY, "delete": NOBODY, "change_post": NOBODY}

MATRIX: list[Case] = [
    Case("index", KEPT),
    # The admin's login is allauth's: anonymous visitors are sent there, staff to the index; a
    # member signed in without admin access is refused. Signing out of nothing goes to the index.
    Case("login", expect(302, 302, 302, anonymous=302, member=403)),
    Case("logout", expect(405, 405, 405, anonymous=302, member=302)),
    Case("logout", expect(200, 200, 200, anonymous=302, member=302), method="post"),
    Case("password_change", KEPT),
    Case("password_change_done", KEPT),
    Case("jsi18n", KEPT),
    Case("autocomplete", expect(403, 403, 403), label="without a field"),
    Case(
        "autocomplete",
        KEPT,
        data={"app_label": "members", "model_name": "person", "field_name": "organisation"},
        label="organisation of a person",
    ),
    Case(
        "view_on_site",
        expect(302, 302, 302),
        lambda site: (ContentType.objects.get_for_model(site["meeting"]).pk, site["meeting"].pk),
    ),
    *[
        Case("app_list", KEPT, lambda site, app=app: (app,), label=app)
        for app in ("members", "projects", "events")
    ],
    Case("app_list", KEPT, lambda site: ("reports",), label="reports"),
    *[
        Case("app_list", APP_HIDDEN, lambda site, app=app: (app,), label=app)
        for app in ("auth", "account", "mfa")
    ],
    # --- auth, allauth: superusers only -----------------------------------------------------
    *model_cases("auth_group", "group", pages=SUPERUSER),
    *model_cases("auth_user", "user", pages=SUPERUSER),
    Case("auth_user_password_change", SUPERUSER, _object("user")),
    *model_cases("account_emailaddress", "email_address", pages=SUPERUSER),
    *model_cases("mfa_authenticator", "authenticator", pages=SUPERUSER),
    # --- members ------------------------------------------------------------------------------
    *model_cases("members_organisation", "organisation", simple_history=True),
    *IMPORTS[:4],
    *EXPORTS[:2],
    *model_cases("members_person", "person", simple_history=True),
    *model_cases("members_studygroup", "study_group"),
    *model_cases("members_membership", "membership", simple_history=True),
    *model_cases("members_joinrequest", "join_request"),
    # --- projects -----------------------------------------------------------------------------
    *model_cases("projects_project", "project", simple_history=True),
    *model_cases("projects_phase", "phase"),
    *model_cases("projects_funding", "funding", simple_history=True),
    *IMPORTS[4:],
    *EXPORTS[2:],
    *model_cases("projects_outcome", "outcome", simple_history=True),
    *model_cases("projects_agreement", "agreement", simple_history=True),
    # --- events -------------------------------------------------------------------------------
    *model_cases("events_meeting", "meeting", simple_history=True),
    # Attendance is recorded on the sheet; the admin only shows it.
    *model_cases("events_attendance", "attendance", simple_history=True, **DERIVED),
    *model_cases("events_registration", "registration", simple_history=True),
    *model_cases("events_calendartoken", "calendar_token"),
    # Citizens' registrations are made by the citizens; staff only see them (and may erase one).
    *model_cases("events_publicregistration", "public_registration", **DERIVED),
    # --- reports: roll-ups are read-only for everybody; the export log for administrators ----
    *model_cases("reports_participationsummary", "participation", **DERIVED),
    *model_cases("reports_fundingsummary", "funding_summary", **DERIVED),
    *model_cases("reports_callsummary", "call_summary", **DERIVED),
    *model_cases("reports_indicatorsummary", "indicator_summary", **DERIVED),
    *model_cases("reports_rollupstate", "rollup_state", **DERIVED),
    *model_cases(
        "reports_exportlog",
        "export_log",
        pages=ADMINISTRATORS,
        add=NOBODY,
        delete=NOBODY,
        change_post=NOBODY,
    ),
]


@pytest.fixture
def users(people):
    return {
        "anonymous": None,
        "member": people["member_a"],
        "staff": people["staff"],
        "admin": people["admin"],
        "superuser": User.objects.create_superuser("root", "root@city.example.jp", "x"),
    }


@pytest.fixture
def site(people, study_group, org_a):
    """One object of every model the admin shows, each with its history."""
    person = people["member_a"].person
    meeting = MeetingFactory(study_group=study_group)
    project = ProjectFactory(lead_organisation=org_a)
    funding = FundingFactory(project=project)
    ExportLog.objects.create(
        user=people["admin"], kind="roster", filename="roster.csv", file_format="csv", rows=2
    )
    TOTP.activate(people["member_b"], generate_totp_secret())
    return {
        "group": Group.objects.get(name="secretariat"),
        "user": people["member_a"],
        "email_address": EmailAddress.objects.get(user=people["member_a"]),
        "authenticator": Authenticator.objects.get(user=people["member_b"]),
        "organisation": org_a,
        "person": person,
        "study_group": study_group,
        "membership": Membership.objects.get(organisation=org_a),
        "join_request": JoinRequestFactory(applicant=PersonFactory(organisation=org_a)),
        "project": project,
        "phase": Phase.objects.first(),
        "funding": funding,
        "outcome": OutcomeFactory(project=project),
        "agreement": AgreementFactory(parties=[org_a]),
        "meeting": meeting,
        "attendance": Attendance.objects.create(meeting=meeting, person=person, organisation=org_a),
        "registration": RegistrationFactory(meeting=meeting, person=person),
        "calendar_token": CalendarToken.objects.create(user=people["member_a"]),
        "public_registration": PublicRegistrationFactory(meeting=meeting),
        "participation": ParticipationSummary.objects.create(fiscal_year=2018, meetings=3),
        "funding_summary": FundingSummary.objects.create(
            fiscal_year=2018, project=project, funder=funding.funder, kind="grant", amount=10
        ),
        "call_summary": CallSummary.objects.create(fiscal_year=2025, applications=3),
        "indicator_summary": IndicatorSummary.objects.create(
            fiscal_year=2025, indicator="visitors", value=3200
        ),
        "rollup_state": RollupState.objects.create(fiscal_year=2018),
        "export_log": ExportLog.objects.get(),
    }


def _status(response) -> object:
    if response.status_code == 302 and response["Location"].startswith(reverse("admin:login")):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("case", MATRIX, ids=[case.id for case in MATRIX])
def test_every_role_gets_the_expected_status(case, site, users):
    url = reverse(f"admin:{case.name}", args=case.args(site))
    seen = {}
    for role in ROLES:
        client = Client()
        if users[role] is not None:
            client.force_login(users[role])
        # Each role starts from the same data: a POST by one must not change what the next sees.
        with transaction.atomic():
            response = getattr(client, case.method)(url, case.data)
            transaction.set_rollback(True)
        seen[role] = _status(response)
    assert seen == case.expected


def _admin_urls(patterns, prefix: str = "") -> list[tuple[str, str | None]]:
    """(route, name) of every pattern under ``admin.site.get_urls()``."""
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _admin_urls(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append((prefix + str(pattern.pattern), pattern.name))
    return found


def test_every_admin_url_has_an_entry():
    wanted = {name for _route, name in _admin_urls(admin.site.get_urls()) if name}
    covered = {case.name for case in MATRIX}
    assert wanted - covered == set(), "add these admin URL names to the matrix"
    assert covered - wanted == set(), "these matrix entries name no admin URL"


def test_the_admin_url_collector_sees_the_import_export_pages():
    names = {name for _route, name in _admin_urls(admin.site.get_urls())}
    assert {
        "members_organisation_export",
        "members_organisation_process_import",
        "projects_funding_import",
        "events_attendance_simple_history",
    } <= names
    # The only unnamed routes: an object's short URL (redirects to its change page) and the
    # catch-all; both are behind the same login (test below).
    unnamed = {route for route, name in _admin_urls(admin.site.get_urls()) if not name}
    assert unnamed == {"(?P<url>.*)$"} | {
        f"{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"
        for model in admin.site._registry
    }


def test_the_unnamed_admin_urls_are_behind_the_admin_login(site, users):
    for path in (f"/admin/members/person/{site['person'].pk}/", "/admin/no-such-page/"):
        for role in ("anonymous", "member"):
            client = Client()
            if users[role] is not None:
                client.force_login(users[role])
            assert _status(client.get(path)) == LOGIN, (path, role)
    staff = Client()
    staff.force_login(users["staff"])
    assert staff.get(f"/admin/members/person/{site['person'].pk}/").status_code == 302
    assert staff.get("/admin/no-such-page/").status_code == 404


# --- Personal data leaves the admin only with an administrator, and is logged ---------------


def _exporting_admins():
    return [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, ExportMixin)
    ]


def test_every_admin_that_exports_says_whether_it_holds_personal_data():
    assert _exporting_admins(), "the collector found no export"
    for model_admin in _exporting_admins():
        assert isinstance(model_admin, PersonalDataExportMixin), model_admin
        assert isinstance(model_admin.export_personal_data, bool), model_admin
        if model_admin.export_personal_data:
            assert model_admin.export_log_kind in ExportLog.Kind.values, model_admin


PERSONAL_EXPORTS = {"members.organisation": ROSTER_EXPORT_FORM}


def test_the_personal_data_exports_are_the_ones_in_this_file():
    personal = {
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, PersonalDataExportMixin) and model_admin.export_personal_data
    }
    assert personal == set(PERSONAL_EXPORTS)


@pytest.mark.parametrize("label", sorted(PERSONAL_EXPORTS))
def test_staff_get_403_and_administrators_a_logged_file(label, site, users):
    app_label, model_name = label.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_export")
    ExportLog.objects.all().delete()
    staff = Client()
    staff.force_login(users["staff"])
    assert staff.get(url).status_code == 403
    assert staff.post(url, PERSONAL_EXPORTS[label]).status_code == 403
    assert not ExportLog.objects.exists()

    administrator = Client()
    administrator.force_login(users["admin"])
    response = administrator.post(url, PERSONAL_EXPORTS[label])

    assert response.status_code == 200
    log = ExportLog.objects.get()
    assert (log.user, log.personal_data, log.via) == (users["admin"], True, "admin")
    assert log.filename in response["Content-Disposition"]
    # Header line plus one line per row counted.
    assert log.rows == len(response.content.decode("utf-8-sig").splitlines()) - 1


def test_nobody_can_overwrite_a_roll_up_figure_in_the_admin(site, users):
    summary = site["participation"]
    client = Client()
    client.force_login(users["superuser"])
    url = reverse("admin:reports_participationsummary_change", args=[summary.pk])

    page = client.get(url)
    response = client.post(url, {"fiscal_year": 2018, "meetings": 99})

    assert page.status_code == 200
    assert b'name="meetings"' not in page.content  # shown, not an input
    assert response.status_code == 403
    summary.refresh_from_db()
    assert summary.meetings == 3
