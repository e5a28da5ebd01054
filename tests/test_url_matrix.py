"""One permission matrix over every URL of the site × the five roles.

The URL names are collected from the resolver, so a new URL (or a new method on a view) without
an entry here fails ``test_every_url_and_method_has_an_entry``. Each entry says how to build the
URL's arguments from ``site`` (objects of organisation A that B must not see, plus shared and
public ones), what to send, and the status each role gets:

- anonymous on a private page → 302 to the login page (``LOGIN``)
- a signed-in user without the role → 403
- another organisation's private object → 404 (its existence is not leaked)
- exports and the roll-up status → administrators only

Five more roles are checked on every entry: ``registered`` (a person whose affiliation was not
approved), ``pending_a`` (a person whose affiliation request names organisation A and waits for
staff — the stranger of a sign-up attack), ``no_person`` (signed in, no person), ``reviewer`` (an
outside reviewer of calls: no person, one application of A assigned; what ``no_person`` gets
unless the entry says otherwise) and ``inactive`` (a deactivated person of A: anonymous to the
site). Their status follows from the five unless the entry says otherwise (``unaffiliated=`` /
``extra=``): what any member gets when members A and B get the same, 404 where only one
organisation's people get in.

Methods a view does not answer (``http_method_names`` less its handlers) are refused for every
role: ``test_methods_a_view_does_not_answer_are_refused``.

The reports entries come from the reports app's own table (``tests/reports/test_permissions``),
so there is one copy of each expected status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic.edit import ProcessFormView
from django.views.static import serve

from events import services as event_services
from events.models import CalendarToken, Exhibitor, Speaker
from members.models import AffiliationRequest, Membership
from tests.conftest import ROLES
from tests.events.factories import (
    MeetingFactory,
    PublicRegistrationFactory,
    RegistrationFactory,
    tokyo,
)
from tests.factories import MembershipFactory, OrganisationFactory, StudyGroupFactory
from tests.members.factories import (
    AffiliationRequestFactory,
    JoinRequestFactory,
    PersonFactory,
    UserFactory,
    person_with_account,
)
from tests.projects.calls.factories import (
    ApplicationAttachmentFactory,
    ApplicationFactory,
    CallFactory,
    CityChallengeFactory,
    ReviewAssignmentFactory,
    SupportKindFactory,
    reviewer_user,
)
from tests.projects.catalogue.factories import (
    AwardFactory,
    AwardGrantFactory,
    CategoryFactory,
    EntryImageFactory,
)
from tests.projects.catalogue.factories import EntryFactory as CatalogueEntryFactory
from tests.projects.factories import (
    AgreementFactory,
    FundingFactory,
    OutcomeFactory,
    ProjectFactory,
)
from tests.reports.test_permissions import GET_CASES as REPORTS_GET_CASES

pytestmark = pytest.mark.django_db

# URL prefixes whose pages belong to libraries (allauth, the Django admin, the language switch);
# their protection is tested in tests/security/test_deploy.py and tests/members.
SKIPPED_PREFIXES = ("admin/", "accounts/", "i18n/")

LOGIN = "login"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def expect(anonymous, member_a, member_b, staff, admin) -> dict[str, object]:
    return dict(zip(ROLES, (anonymous, member_a, member_b, staff, admin), strict=True))


PUBLIC = expect(200, 200, 200, 200, 200)
SIGNED_IN = expect(LOGIN, 200, 200, 200, 200)
SIGNED_IN_POST = expect(LOGIN, 302, 302, 302, 302)
A_ONLY = expect(LOGIN, 200, 404, 200, 200)
SECRETARIAT = expect(LOGIN, 403, 403, 200, 200)
SECRETARIAT_POST = expect(LOGIN, 403, 403, 302, 302)
SECRETARIAT_404 = expect(LOGIN, 403, 403, 404, 404)
ADMIN_ONLY = expect(LOGIN, 403, 403, 403, 200)
ADMIN_ONLY_POST = expect(LOGIN, 403, 403, 403, 302)
# staff/admin of the fixtures have no Person: nobody to apply or register for.
PERSONS_ONLY = expect(LOGIN, 200, 200, 403, 403)


UNAFFILIATED = ("registered", "pending_a", "no_person")
EXTRA_ROLES = (*UNAFFILIATED, "reviewer", "inactive")


@dataclass(frozen=True)
class Case:
    name: str  # "namespace:url_name"
    method: str
    expected: dict[str, object]
    args: dict[str, str] = field(default_factory=dict)  # URL kwarg → key of ``site``
    literal_args: dict[str, str] = field(default_factory=dict)  # URL kwarg → value as is
    data: dict[str, object] = field(default_factory=dict)  # values may be keys of ``site``
    query: str = ""
    label: str = ""
    unaffiliated: object = None  # the status of the three unaffiliated roles, if not derived
    extra: dict[str, object] = field(default_factory=dict)  # per extra role, if not derived

    @property
    def id(self) -> str:
        return "-".join(filter(None, (self.method, self.name, self.label)))

    @property
    def expected_all(self) -> dict[str, object]:
        """The five roles' statuses and those of the extra roles."""
        a, b = self.expected["member_a"], self.expected["member_b"]
        derived = self.unaffiliated if self.unaffiliated is not None else (a if a == b else 404)
        extra = dict.fromkeys(UNAFFILIATED, derived)
        extra["reviewer"] = self.extra.get("no_person", derived)
        extra["inactive"] = self.expected["anonymous"]
        return {**self.expected, **extra, **self.extra}


# Pages only a person of an approved organisation may use (staff have no person here either).
AFFILIATED_ONLY = 403


MEMBERS = [
    Case("home", "get", PUBLIC),
    Case("health", "get", PUBLIC),  # services down: tests/security/test_health.py
    Case("members:studygroup_list", "get", PUBLIC),
    Case("members:studygroup_detail", "get", PUBLIC, {"pk": "group"}),
    Case("members:studygroup_create", "get", SECRETARIAT),
    Case("members:studygroup_create", "post", SECRETARIAT),  # empty form → errors, 200
    Case("members:studygroup_edit", "get", SECRETARIAT, {"pk": "group"}),
    Case("members:studygroup_edit", "post", SECRETARIAT, {"pk": "group"}),
    Case("members:studygroup_toggle_applications", "post", SECRETARIAT_POST, {"pk": "group"}),
    Case("members:join", "get", PERSONS_ONLY, {"pk": "group"}, unaffiliated=AFFILIATED_ONLY),
    Case("members:join", "post", PERSONS_ONLY, {"pk": "group"}, unaffiliated=AFFILIATED_ONLY),
    Case("members:my_join_requests", "get", PERSONS_ONLY, unaffiliated=AFFILIATED_ONLY),
    Case("members:my_affiliation", "get", PERSONS_ONLY, extra={"no_person": 403}),
    Case(
        "members:my_affiliation",
        "post",
        PERSONS_ONLY,  # empty form → errors, 200 (affiliated people see no form but may post)
        extra={"no_person": 403},
    ),
    Case(
        "members:affiliation_withdraw",
        "post",
        expect(LOGIN, 404, 404, 403, 403),
        {"pk": "affiliation_a"},
        extra={"pending_a": 302, "registered": 404, "no_person": 403},
    ),
    Case("members:affiliation_decide", "get", SECRETARIAT, {"pk": "affiliation_a"}),
    Case("members:affiliation_decide", "post", SECRETARIAT, {"pk": "affiliation_a"}),
    Case("members:membership_edit", "get", SECRETARIAT, {"pk": "membership_a"}),
    Case("members:membership_edit", "post", SECRETARIAT, {"pk": "membership_a"}),
    Case("members:joinrequest_queue", "get", SECRETARIAT),
    Case("members:joinrequest_decide", "get", SECRETARIAT, {"pk": "join_request"}),
    Case("members:joinrequest_decide", "post", SECRETARIAT, {"pk": "join_request"}),
    Case("members:organisation_list", "get", SECRETARIAT),
    Case("members:organisation_detail", "get", A_ONLY, {"pk": "org_a"}, label="a"),
    Case("members:organisation_edit", "get", A_ONLY, {"pk": "org_a"}, label="a"),
    Case(
        "members:organisation_edit",
        "get",
        expect(LOGIN, 404, 200, 200, 200),
        {"pk": "org_b"},
        label="b",
    ),
    Case(
        "members:organisation_edit",
        "post",
        expect(LOGIN, 404, 302, 200, 200),
        {"pk": "org_b"},
        label="b",
    ),
    Case(
        "members:organisation_edit",
        "post",
        expect(LOGIN, 302, 404, 200, 200),  # a member's empty form is valid; staff's lacks a name
        {"pk": "org_a"},
        label="a",
    ),
    Case("members:organisation_confirm", "post", SECRETARIAT_POST, {"pk": "org_b"}),
    Case("members:my_organisation", "get", SIGNED_IN),
    Case("members:my_data", "get", SIGNED_IN),
    Case("members:my_data_json", "get", SIGNED_IN),
    Case("members:my_data_csv", "get", SIGNED_IN),
    Case("members:deletion_request", "get", PERSONS_ONLY, extra={"no_person": 403}),
    # Empty form → "tick the box", 200.
    Case("members:deletion_request", "post", PERSONS_ONLY, extra={"no_person": 403}),
    Case(
        "members:deletion_request_withdraw",
        "post",
        expect(LOGIN, 404, 404, 403, 403),  # nothing pending to withdraw
        extra={"no_person": 403},
    ),
    Case("members:deletion_request_queue", "get", SECRETARIAT),
    Case("members:person_erase", "get", ADMIN_ONLY, {"pk": "person_a"}),
    Case("members:person_erase", "post", ADMIN_ONLY, {"pk": "person_a"}),  # unconfirmed → 200
]

PROJECTS = [
    Case("projects:project_list", "get", SIGNED_IN),
    # The study group's members see its pages; nobody of no organisation does.
    Case(
        "projects:project_detail",
        "get",
        SIGNED_IN,
        {"pk": "group_project"},
        label="group",
        unaffiliated=404,
    ),
    Case("projects:project_detail", "get", A_ONLY, {"pk": "private_a"}, label="private_a"),
    Case("projects:project_history", "get", SECRETARIAT, {"pk": "private_a"}),
    Case("projects:project_create", "get", SECRETARIAT),
    Case("projects:project_create", "post", SECRETARIAT),
    Case("projects:project_update", "get", SECRETARIAT, {"pk": "private_a"}),
    Case("projects:project_update", "post", SECRETARIAT, {"pk": "private_a"}),
    Case("projects:phase_record", "get", SECRETARIAT, {"pk": "private_a"}),
    Case("projects:phase_record", "post", SECRETARIAT, {"pk": "private_a"}),
    Case("projects:funding_create", "get", SECRETARIAT, {"project_pk": "private_a"}),
    Case("projects:funding_create", "post", SECRETARIAT, {"project_pk": "private_a"}),
    Case("projects:funding_update", "get", SECRETARIAT, {"pk": "funding"}),
    Case("projects:funding_update", "post", SECRETARIAT, {"pk": "funding"}),
    Case("projects:outcome_create", "get", SECRETARIAT, {"project_pk": "private_a"}),
    Case("projects:outcome_create", "post", SECRETARIAT, {"project_pk": "private_a"}),
    Case("projects:outcome_update", "get", SECRETARIAT, {"pk": "outcome"}),
    Case("projects:outcome_update", "post", SECRETARIAT, {"pk": "outcome"}),
    Case("projects:funding_import", "get", SECRETARIAT),
    Case("projects:funding_import", "post", SECRETARIAT),
    Case("projects:funding_export", "get", SECRETARIAT),
    Case("projects:phase_list", "get", SECRETARIAT),
    Case("projects:phase_list", "post", SECRETARIAT),
    Case("projects:public_list", "get", PUBLIC),
    Case("projects:public_detail", "get", PUBLIC, {"pk": "public_project"}, label="public"),
    Case(
        "projects:public_detail",
        "get",
        expect(404, 404, 404, 404, 404),
        {"pk": "private_a"},
        label="private",
    ),
    Case("projects:agreement_list", "get", SIGNED_IN),
    Case("projects:agreement_detail", "get", A_ONLY, {"pk": "agreement"}),
    Case("projects:agreement_document", "get", A_ONLY, {"pk": "agreement"}),
    Case("projects:agreement_create", "get", SECRETARIAT),
    Case("projects:agreement_create", "post", SECRETARIAT),
    Case("projects:agreement_update", "get", SECRETARIAT, {"pk": "agreement"}),
    Case("projects:agreement_update", "post", SECRETARIAT, {"pk": "agreement"}),
]

# 公募: ``call_application_a`` is a draft of A to the open call ``open_call``. Staff and
# administrators of the fixtures have no person: they cannot apply (the page says why, 403).
APPLICANT_A = expect(LOGIN, 200, 404, 403, 403)
APPLICANT_A_POST = expect(LOGIN, 302, 404, 403, 403)
CALLS = [
    Case("projects:call_public_list", "get", PUBLIC),
    Case("projects:call_public_detail", "get", PUBLIC, {"pk": "open_call"}, label="open"),
    Case(
        "projects:call_public_detail",
        "get",
        expect(404, 404, 404, 200, 200),
        {"pk": "draft_call"},
        label="draft",
    ),
    Case(
        "projects:application_create",
        "get",
        PERSONS_ONLY,
        {"pk": "open_call"},
        unaffiliated=AFFILIATED_ONLY,
    ),
    # Empty form → errors, 200.
    Case(
        "projects:application_create",
        "post",
        PERSONS_ONLY,
        {"pk": "open_call"},
        unaffiliated=AFFILIATED_ONLY,
    ),
    Case("projects:my_applications", "get", PERSONS_ONLY, unaffiliated=AFFILIATED_ONLY),
    Case("projects:application_detail", "get", A_ONLY, {"pk": "call_application_a"}),
    Case(
        "projects:application_update",
        "get",
        APPLICANT_A,
        {"pk": "call_application_a"},
        unaffiliated=AFFILIATED_ONLY,
    ),
    Case(
        "projects:application_update",
        "post",
        APPLICANT_A,  # empty form → errors, 200
        {"pk": "call_application_a"},
        unaffiliated=AFFILIATED_ONLY,
    ),
    Case(
        "projects:application_submit",
        "post",
        APPLICANT_A_POST,
        {"pk": "call_application_a"},
        unaffiliated=AFFILIATED_ONLY,
    ),
    # No file → the error as a message, back to the application.
    Case(
        "projects:attachment_upload",
        "post",
        APPLICANT_A_POST,
        {"pk": "call_application_a"},
        unaffiliated=AFFILIATED_ONLY,
    ),
    Case("projects:attachment_download", "get", A_ONLY, {"pk": "call_attachment_a"}),
    Case(
        "projects:attachment_delete",
        "post",
        APPLICANT_A_POST,
        {"pk": "call_attachment_a"},
        unaffiliated=AFFILIATED_ONLY,
    ),
    Case("projects:call_staff_list", "get", SECRETARIAT),
    Case("projects:call_create", "get", SECRETARIAT),
    Case("projects:call_create", "post", SECRETARIAT),  # empty form → errors, 200
    Case("projects:call_update", "get", SECRETARIAT, {"pk": "open_call"}),
    Case("projects:call_update", "post", SECRETARIAT, {"pk": "open_call"}),
    Case("projects:call_publish", "post", SECRETARIAT_POST, {"pk": "draft_call"}),
    Case("projects:call_close", "post", SECRETARIAT_POST, {"pk": "open_call"}),
    Case("projects:call_applications", "get", SECRETARIAT, {"pk": "open_call"}),
    Case("projects:challenge_list", "get", SECRETARIAT),
    Case("projects:challenge_create", "get", SECRETARIAT),
    Case("projects:challenge_create", "post", SECRETARIAT),
    Case("projects:challenge_update", "get", SECRETARIAT, {"pk": "challenge"}),
    Case("projects:challenge_update", "post", SECRETARIAT, {"pk": "challenge"}),
    Case("projects:support_kind_list", "get", SECRETARIAT),
    Case("projects:support_kind_list", "post", SECRETARIAT),  # empty form → errors, 200
    Case("projects:support_kind_update", "get", SECRETARIAT, {"pk": "support_kind"}),
    Case("projects:support_kind_update", "post", SECRETARIAT, {"pk": "support_kind"}),
]

# 審査: the reviewer is assigned ``review_application`` (of A); staff are not (a 404 for them on
# the reviewer's own pages, which only find the user's assignments).
ASSIGNED = expect(LOGIN, 403, 403, 404, 404)
REVIEWERS_ONLY = expect(LOGIN, 403, 403, 200, 200)
CALL_REVIEW = [
    Case("projects:review_list", "get", REVIEWERS_ONLY, extra={"reviewer": 200}),
    Case(
        "projects:review_detail",
        "get",
        ASSIGNED,
        {"pk": "review_application"},
        extra={"reviewer": 200},
    ),
    # An empty form is a valid draft: saved, back to the page.
    Case(
        "projects:review_detail",
        "post",
        ASSIGNED,
        {"pk": "review_application"},
        extra={"reviewer": 302},
    ),
    Case(
        "projects:review_attachment",
        "get",
        ASSIGNED,
        {"pk": "review_attachment"},
        extra={"reviewer": 200},
    ),
    Case("projects:reviewer_list", "get", SECRETARIAT),
    Case("projects:reviewer_create", "get", SECRETARIAT),
    Case("projects:reviewer_create", "post", SECRETARIAT),  # empty form → errors, 200
    Case("projects:call_assignments", "get", SECRETARIAT, {"pk": "review_call"}),
    Case("projects:call_assignments", "post", SECRETARIAT_POST, {"pk": "review_call"}),
    Case("projects:call_ranking", "get", SECRETARIAT, {"pk": "review_call"}),
    Case("projects:call_ranking_export", "get", SECRETARIAT, {"pk": "review_call"}),
    Case(
        "projects:call_ranking_export",
        "get",
        SECRETARIAT,
        {"pk": "review_call"},
        query="?format=xlsx",
        label="xlsx",
    ),
    Case("projects:call_decisions", "get", SECRETARIAT, {"pk": "review_call"}),
    Case("projects:call_release", "get", SECRETARIAT, {"pk": "review_call"}),
    # The call is still open: refused, back to the page; nothing is sent.
    Case("projects:call_release", "post", SECRETARIAT_POST, {"pk": "review_call"}),
    Case("projects:application_decide", "get", SECRETARIAT, {"pk": "review_application"}),
    Case("projects:application_decide", "post", SECRETARIAT, {"pk": "review_application"}),
]

# The public catalogue: published entries and confirmed organisations for everyone; an
# unpublished entry (``catalogue_draft_a``, a draft of A) and an unconfirmed organisation are 404s
# for every role, staff included (their own pages show those).
NOBODY = expect(404, 404, 404, 404, 404)
CATALOGUE_PUBLIC = [
    Case("projects:catalogue_public_list", "get", PUBLIC),
    Case(
        "projects:catalogue_public_list",
        "get",
        PUBLIC,
        query="?q=%E3%81%AF%E3%82%8A%E3%82%87%E3%81%8F&local=1",  # はりょく, 市内
        label="search",
    ),
    Case(
        "projects:catalogue_public_detail",
        "get",
        PUBLIC,
        {"pk": "catalogue_published"},
        label="published",
    ),
    Case(
        "projects:catalogue_public_detail",
        "get",
        NOBODY,
        {"pk": "catalogue_draft_a"},
        label="draft",
    ),
    Case("projects:catalogue_organisation", "get", PUBLIC, {"pk": "org_a"}, label="confirmed"),
    Case(
        "projects:catalogue_organisation",
        "get",
        NOBODY,
        {"pk": "org_unconfirmed"},
        label="unconfirmed",
    ),
    Case("projects:catalogue_open_data_csv", "get", PUBLIC),
    Case("projects:catalogue_open_data_json", "get", PUBLIC),
]

# 自団体の技術・製品 and staff's review: ``entry_a`` is a draft of A with a picture and a brochure,
# ``entry_published`` a published entry of A (its files are for everyone), ``entry_submitted``
# one of A in review. Another organisation's entry is a 404; staff act on every entry.
OWN_ENTRY = expect(LOGIN, 200, 404, 200, 200)
OWN_ENTRY_POST = expect(LOGIN, 302, 404, 302, 302)
PRIVATE_FILE = expect(404, 200, 404, 200, 200)
CATALOGUE_ENTRIES = [
    Case("projects:catalogue_mine", "get", PERSONS_ONLY, unaffiliated=AFFILIATED_ONLY),
    Case("projects:entry_create", "get", PERSONS_ONLY, unaffiliated=AFFILIATED_ONLY),
    # Empty form → errors, 200.
    Case("projects:entry_create", "post", PERSONS_ONLY, unaffiliated=AFFILIATED_ONLY),
    Case("projects:entry_detail", "get", OWN_ENTRY, {"pk": "entry_a"}),
    Case("projects:entry_update", "get", OWN_ENTRY, {"pk": "entry_a"}),
    Case("projects:entry_update", "post", OWN_ENTRY, {"pk": "entry_a"}),  # empty form → 200
    Case("projects:entry_submit", "post", OWN_ENTRY_POST, {"pk": "entry_a"}),
    Case("projects:entry_archive", "post", OWN_ENTRY_POST, {"pk": "entry_published"}),
    Case("projects:entry_history", "get", OWN_ENTRY, {"pk": "entry_a"}),
    # No file → the error as a message, back to the entry.
    Case("projects:entry_image_upload", "post", OWN_ENTRY_POST, {"pk": "entry_a"}),
    Case("projects:entry_image_delete", "post", OWN_ENTRY_POST, {"pk": "entry_image_a"}),
    Case("projects:entry_image", "get", PRIVATE_FILE, {"pk": "entry_image_a"}, label="draft"),
    Case(
        "projects:entry_image",
        "get",
        PUBLIC,
        {"pk": "entry_image_published"},
        label="published",
    ),
    Case("projects:entry_brochure", "get", PRIVATE_FILE, {"pk": "entry_a"}, label="draft"),
    Case("projects:entry_brochure", "get", PUBLIC, {"pk": "entry_published"}, label="published"),
    Case("projects:catalogue_review_queue", "get", SECRETARIAT),
    Case("projects:entry_review", "get", SECRETARIAT, {"pk": "entry_submitted"}),
    Case("projects:entry_publish", "post", SECRETARIAT_POST, {"pk": "entry_submitted"}),
    # No reason → the review page with the error, 200.
    Case("projects:entry_return", "post", SECRETARIAT, {"pk": "entry_submitted"}),
    Case("projects:catalogue_staff_list", "get", SECRETARIAT),
    Case("projects:category_list", "get", SECRETARIAT),
    Case("projects:category_list", "post", SECRETARIAT),  # empty form → errors, 200
    Case("projects:category_update", "get", SECRETARIAT, {"pk": "catalogue_category"}),
    Case("projects:category_update", "post", SECRETARIAT, {"pk": "catalogue_category"}),
    Case("projects:category_delete", "post", SECRETARIAT_POST, {"pk": "catalogue_category"}),
    Case("projects:award_list", "get", SECRETARIAT),
    Case("projects:award_list", "post", SECRETARIAT),  # empty form → errors, 200
    Case("projects:award_update", "get", SECRETARIAT, {"pk": "award"}),
    Case("projects:award_update", "post", SECRETARIAT, {"pk": "award"}),  # empty form → 200
    Case("projects:award_delete", "post", SECRETARIAT_POST, {"pk": "award"}),
    # No award chosen → the error as a message, back to the entry.
    Case("projects:entry_award_grant", "post", SECRETARIAT_POST, {"pk": "entry_published"}),
    Case("projects:award_grant_revoke", "post", SECRETARIAT_POST, {"pk": "award_grant"}),
]

EVENTS = [
    Case("events:meeting_list", "get", PUBLIC),
    Case("events:meeting_detail", "get", PUBLIC, {"pk": "public_meeting"}, label="public"),
    Case(
        "events:meeting_detail",
        "get",
        SIGNED_IN,
        {"pk": "meeting"},
        label="members",
        unaffiliated=404,
    ),
    Case("events:meeting_detail", "get", A_ONLY, {"pk": "a_only"}, label="a_only"),
    Case("events:meeting_minutes", "get", A_ONLY, {"pk": "a_only"}, label="a_only"),
    Case(
        "events:meeting_minutes",
        "get",
        SIGNED_IN,
        {"pk": "public_meeting"},
        label="public",
        unaffiliated=404,
    ),
    Case("events:material_download", "get", A_ONLY, {"pk": "material"}),
    Case("events:meeting_create", "get", SECRETARIAT),
    Case("events:meeting_create", "post", SECRETARIAT),
    Case("events:meeting_update", "get", SECRETARIAT, {"pk": "a_only"}),
    Case("events:meeting_update", "post", SECRETARIAT, {"pk": "a_only"}),
    Case("events:meeting_delete", "post", SECRETARIAT_POST, {"pk": "a_only"}),
    Case("events:meeting_cancel", "get", SECRETARIAT, {"pk": "public_meeting"}),
    Case(
        "events:meeting_cancel",
        "post",
        SECRETARIAT_POST,
        {"pk": "public_meeting"},
        data={"reason": "台風の接近のため"},
    ),
    Case("events:meeting_mark_held", "post", SECRETARIAT_POST, {"pk": "meeting"}),
    Case("events:material_upload", "post", SECRETARIAT_POST, {"pk": "a_only"}),
    Case("events:material_delete", "post", SECRETARIAT_POST, {"pk": "material"}),
    # 展示会・シンポジウム: the public page lists exhibitors; staff keep them.
    Case("events:meeting_detail", "get", PUBLIC, {"pk": "exhibition"}, label="exhibition"),
    Case("events:showcase", "get", SECRETARIAT, {"pk": "exhibition"}),
    Case("events:showcase", "get", SECRETARIAT_404, {"pk": "meeting"}, label="not_showcase"),
    # An empty speaker form → errors, 200.
    Case("events:showcase", "post", SECRETARIAT, {"pk": "exhibition"}, data={"action": "speaker"}),
    Case("events:exhibitor_update", "get", SECRETARIAT, {"pk": "exhibition_exhibitor"}),
    Case("events:exhibitor_update", "post", SECRETARIAT_POST, {"pk": "exhibition_exhibitor"}),
    Case("events:exhibitor_remove", "post", SECRETARIAT_POST, {"pk": "exhibition_exhibitor"}),
    Case("events:speaker_update", "get", SECRETARIAT, {"pk": "exhibition_speaker"}),
    Case("events:speaker_update", "post", SECRETARIAT, {"pk": "exhibition_speaker"}),  # empty → 200
    Case("events:speaker_delete", "post", SECRETARIAT_POST, {"pk": "exhibition_speaker"}),
    Case(
        "events:register",
        "get",
        PERSONS_ONLY,
        {"pk": "meeting"},
        label="members",
        unaffiliated=AFFILIATED_ONLY,
    ),
    Case(
        "events:register",
        "get",
        expect(LOGIN, 200, 404, 403, 403),
        {"pk": "a_only"},
        label="a_only",
        unaffiliated=AFFILIATED_ONLY,
    ),
    Case(
        "events:register",
        "post",
        expect(LOGIN, 200, 404, 403, 403),  # empty form → errors
        {"pk": "a_only"},
        label="a_only",
        unaffiliated=AFFILIATED_ONLY,
    ),
    Case(
        "events:registration_cancel",
        "post",
        expect(LOGIN, 302, 404, 302, 302),
        {"pk": "registration"},
        unaffiliated=AFFILIATED_ONLY,
    ),
    Case("events:my_meetings", "get", SIGNED_IN, unaffiliated=AFFILIATED_ONLY),
    Case("events:attendance_sheet", "get", SECRETARIAT, {"pk": "meeting"}),
    Case(
        "events:attendance_sheet",
        "post",
        SECRETARIAT_POST,
        {"pk": "meeting"},
        data={"person": "person_a", "status": "attended"},
    ),
    Case("events:attendance_mark_registered", "post", SECRETARIAT_POST, {"pk": "meeting"}),
    Case(
        "events:attendance_headcount",
        "post",
        SECRETARIAT_POST,
        {"pk": "meeting"},
        data={"unnamed_headcount": 3},
    ),
    Case(
        "events:attendance_walk_in",
        "post",
        SECRETARIAT_POST,
        {"pk": "meeting"},
        data={"person": "person_a"},
    ),
    # Without an htmx header the search redirects back to the sheet.
    Case("events:attendance_search", "get", SECRETARIAT_POST, {"pk": "meeting"}),
    Case("events:checkin", "get", SECRETARIAT, {"pk": "meeting"}),
    Case("events:checkin", "post", SECRETARIAT, {"pk": "meeting"}),  # no code → the page, 200
    Case(
        "events:checkin_scan",
        "post",
        SECRETARIAT,  # JSON: a guessed ticket is refused in the answer, 200
        {"pk": "meeting"},
        data={"code": "KYOSO-T:guessed-token-0000000000000"},
    ),
    Case("events:door_poster", "get", SECRETARIAT, {"pk": "meeting"}),
    # The poster's secret opens the page to anyone signed in; the page says who may check in.
    Case("events:self_checkin", "get", SIGNED_IN, {"token": "door_token"}),
    Case("events:self_checkin", "post", SIGNED_IN, {"token": "door_token"}),  # closed → 200
    Case(
        "events:self_checkin",
        "get",
        expect(LOGIN, 404, 404, 404, 404),
        literal_args={"token": "guessed-token-0000000000000"},
        label="guessed",
    ),
    Case("events:import_upload", "get", SECRETARIAT),
    Case("events:import_upload", "post", SECRETARIAT),
    Case("events:import_preview", "get", SECRETARIAT_404, literal_args={"token": "unknown"}),
    Case("events:import_preview", "post", SECRETARIAT_404, literal_args={"token": "unknown"}),
    Case("events:import_cancel", "post", SECRETARIAT_404, literal_args={"token": "unknown"}),
    # The meetings an import wrote, by id: staff only (members-only meetings among them).
    Case("events:import_result", "get", SECRETARIAT, query="?meetings=1-50,70"),
    Case("events:calendar", "get", SIGNED_IN),
    Case("events:calendar", "post", SIGNED_IN_POST),
    Case("events:feed_public", "get", PUBLIC),
    # Citizens' registrations (一般参加申込): anybody on a public meeting, nobody on another; the
    # e-mails' links are secrets — a guessed one is a 404 for everyone.
    Case("events:public_register", "get", PUBLIC, {"pk": "citizen_meeting"}, label="public"),
    Case(
        "events:public_register",
        "post",
        expect(400, 400, 400, 400, 400),  # empty form → errors
        {"pk": "citizen_meeting"},
        label="public",
    ),
    Case(
        "events:public_register",
        "get",
        expect(404, 404, 404, 404, 404),
        {"pk": "meeting"},
        label="members",
    ),
    Case(
        "events:public_register",
        "post",
        expect(404, 404, 404, 404, 404),
        {"pk": "meeting"},
        label="members",
        data={"name": "x"},
    ),
    Case("events:public_register_sent", "get", PUBLIC, {"pk": "citizen_meeting"}),
    Case("events:public_confirm", "get", PUBLIC, {"token": "citizen_confirm"}, label="own"),
    Case(
        "events:public_confirm",
        "post",
        expect(302, 302, 302, 302, 302),
        {"token": "citizen_confirm"},
        label="own",
    ),
    Case("events:public_ticket", "get", PUBLIC, {"token": "citizen_ticket"}, label="own"),
    Case("events:public_cancel", "get", PUBLIC, {"token": "citizen_cancel"}, label="own"),
    Case("events:public_cancel", "post", PUBLIC, {"token": "citizen_cancel"}, label="own"),
    *(
        Case(
            name,
            method,
            expect(404, 404, 404, 404, 404),
            literal_args={"token": "A" * 32},
            label="guessed",
        )
        for name, methods in (
            ("events:public_confirm", ("get", "post")),
            ("events:public_ticket", ("get",)),
            ("events:public_cancel", ("get", "post")),
        )
        for method in methods
    ),
    Case(
        "events:attendance_public_checkin",
        "post",
        SECRETARIAT_POST,
        {"pk": "citizen_meeting", "registration_pk": "citizen"},
        data={"checked_in": "1"},
    ),
    Case(
        "events:attendance_public_checkin",
        "post",
        SECRETARIAT_404,
        {"pk": "meeting", "registration_pk": "citizen"},
        data={"checked_in": "1"},
        label="other_meeting",
    ),
    # The feed's token is the credential (calendar apps send no cookies), whoever asks.
    Case(
        "events:feed_group",
        "get",
        PUBLIC,
        {"group_pk": "a_only_group", "token": "token_a"},
        label="own_token",
    ),
    Case(
        "events:feed_group",
        "get",
        expect(404, 404, 404, 404, 404),
        {"group_pk": "a_only_group", "token": "token_b"},
        label="outsiders_token",
    ),
]


def _reports_cases() -> list[Case]:
    cases = [
        Case(
            name,
            "get",
            {role: LOGIN if status == 302 else status for role, status in expected.items()},
            literal_args=dict(kwargs),
            query=query,
            label=".".join(kwargs.values()) + query.replace("?", "-"),
        )
        for name, kwargs, query, expected in REPORTS_GET_CASES
    ]
    cases.append(Case("reports:recompute", "post", ADMIN_ONLY_POST))
    return cases


MATRIX = (
    MEMBERS
    + PROJECTS
    + CALLS
    + CALL_REVIEW
    + CATALOGUE_PUBLIC
    + CATALOGUE_ENTRIES
    + EVENTS
    + _reports_cases()
)


@pytest.fixture
def everyone(people, org_a):
    """The five roles and the extra ones."""
    registered = PersonFactory(organisation=None, user=UserFactory(username="registered"))
    AffiliationRequestFactory(
        person=registered, organisation=org_a, status=AffiliationRequest.Status.REJECTED
    )
    pending = PersonFactory(organisation=None, user=UserFactory(username="pending_a"))
    inactive = person_with_account(org_a, username="inactive", email="gone@example.jp")
    inactive.user.is_active = False
    inactive.user.save(update_fields=["is_active"])
    return {
        **people,
        "registered": registered.user,
        "pending_a": pending.user,
        "no_person": UserFactory(username="no_person"),
        "reviewer": reviewer_user(username="reviewer"),
        "inactive": inactive.user,
        "_pending_request": AffiliationRequestFactory(person=pending, organisation=org_a),
    }


@pytest.fixture
def client_for(everyone):
    def make(role: str) -> Client:
        client = Client()
        if everyone[role] is not None:
            client.force_login(everyone[role])
        return client

    return make


@pytest.fixture
def site(everyone, people, study_group, org_a, org_b):
    """Objects of organisation A that B must not see, objects both share, and public ones."""
    a_only_group = StudyGroupFactory(name="水中ロボット研究会")
    MembershipFactory(organisation=org_a, study_group=a_only_group)
    private_a = ProjectFactory(name="A社の非公開事業", lead_organisation=org_a)
    agreement = AgreementFactory(parties=[org_a])
    agreement.projects.add(private_a)
    agreement.document.save("signed.pdf", ContentFile(PDF), save=True)
    meeting = MeetingFactory(
        study_group=study_group,
        starts_at=tokyo(2018, 7, 10, 13, 30),
        minutes="波力発電装置の設置海域について協議した。",
    )
    a_only = MeetingFactory(study_group=a_only_group, date=dt.date(2018, 9, 1))
    open_call = CallFactory(criteria=1)
    call_application_a = ApplicationFactory(call=open_call, organisation=org_a)
    review_application = ApplicationFactory(organisation=org_a, submitted=True)
    ReviewAssignmentFactory(application=review_application, reviewer=everyone["reviewer"])
    review_attachment = ApplicationAttachmentFactory(application=review_application)
    material = event_services.material_add(
        meeting=a_only,
        upload=SimpleUploadedFile("資料.pdf", PDF),
        title="配布資料",
        uploaded_by=people["staff"],
    )
    entry_a = CatalogueEntryFactory(organisation=org_a)
    entry_a.brochure.save("案内.pdf", ContentFile(PDF), save=True)
    entry_published = CatalogueEntryFactory(organisation=org_a, published=True)
    entry_published.brochure.save("公開案内.pdf", ContentFile(PDF), save=True)
    return {
        "group": study_group.pk,
        "a_only_group": a_only_group.pk,
        "org_a": org_a.pk,
        "org_b": org_b.pk,
        "join_request": JoinRequestFactory(
            applicant=people["member_b"].person, study_group=study_group
        ).pk,
        "private_a": private_a.pk,
        "group_project": ProjectFactory(study_groups=[study_group]).pk,
        "public_project": ProjectFactory(is_public=True).pk,
        "funding": FundingFactory(project=private_a).pk,
        "outcome": OutcomeFactory(project=private_a).pk,
        "agreement": agreement.pk,
        "meeting": meeting.pk,
        "door_token": meeting.door_token,
        "a_only": a_only.pk,
        **_citizens(study_group),
        "public_meeting": MeetingFactory(
            study_group=study_group, visibility="public", starts_at=tokyo(2026, 12, 5, 10, 0)
        ).pk,
        "material": material.pk,
        "registration": RegistrationFactory(meeting=meeting, person=people["member_a"].person).pk,
        "person_a": people["member_a"].person.pk,
        "token_a": CalendarToken.objects.create(user=people["member_a"]).token,
        "token_b": CalendarToken.objects.create(user=people["member_b"]).token,
        "affiliation_a": everyone["_pending_request"].pk,
        "membership_a": Membership.objects.get(organisation=org_a, study_group=study_group).pk,
        "open_call": open_call.pk,
        "draft_call": CallFactory(status="draft").pk,
        "call_application_a": call_application_a.pk,
        "call_attachment_a": ApplicationAttachmentFactory(application=call_application_a).pk,
        "challenge": CityChallengeFactory().pk,
        "support_kind": SupportKindFactory().pk,
        "review_call": review_application.call_id,
        "review_application": review_application.pk,
        "review_attachment": review_attachment.pk,
        "catalogue_published": CatalogueEntryFactory(published=True, organisation=org_b).pk,
        "catalogue_draft_a": CatalogueEntryFactory(organisation=org_a).pk,
        "org_unconfirmed": OrganisationFactory(is_confirmed=False).pk,
        "entry_a": entry_a.pk,
        "entry_image_a": EntryImageFactory(entry=entry_a).pk,
        "entry_published": entry_published.pk,
        "entry_image_published": EntryImageFactory(entry=entry_published).pk,
        "entry_submitted": CatalogueEntryFactory(organisation=org_a, submitted=True).pk,
        "catalogue_category": CategoryFactory().pk,
        "award": AwardFactory().pk,
        "award_grant": AwardGrantFactory(entry=entry_published).pk,
        **_exhibition(study_group, org_a),
    }


def _exhibition(study_group, organisation) -> dict:
    """A public 展示会 that was held, with an exhibitor and a speaker."""
    meeting = MeetingFactory(
        study_group=study_group, kind="exhibition", visibility="public", date=dt.date(2025, 11, 8)
    )
    exhibitor = Exhibitor.objects.create(meeting=meeting, organisation=organisation, booth="A-1")
    speaker = Speaker.objects.create(meeting=meeting, role="chair", name="海野 太郎")
    return {
        "exhibition": meeting.pk,
        "exhibition_exhibitor": exhibitor.pk,
        "exhibition_speaker": speaker.pk,
    }


def _citizens(study_group) -> dict:
    """A public meeting open for citizens' registrations, with a confirmed and an unconfirmed
    registration (the tokens of their e-mail links)."""
    meeting = MeetingFactory(
        study_group=study_group,
        visibility="public",
        starts_at=tokyo(2030, 6, 1, 13, 0),
        registration_opens_at=tokyo(2000, 1, 1, 0, 0),
    )
    seated = PublicRegistrationFactory(meeting=meeting)
    unconfirmed = PublicRegistrationFactory(meeting=meeting, confirmed_at=None)
    return {
        "citizen_meeting": meeting.pk,
        "citizen": seated.pk,
        "citizen_ticket": seated.ticket_token,
        "citizen_cancel": seated.cancel_token,
        "citizen_confirm": unconfirmed.confirm_token,
    }


def _url(case: Case, site: dict) -> str:
    kwargs = {key: site[name] for key, name in case.args.items()} | case.literal_args
    return reverse(case.name, kwargs=kwargs) + case.query


def _status(client: Client, method: str, url: str, data: dict) -> object:
    """The status a role sees, with a redirect to the login page as ``LOGIN``; each request
    starts from the same data (a deletion by staff must not 404 the admin)."""
    with transaction.atomic():
        response = getattr(client, method)(url, data)
        transaction.set_rollback(True)
    if response.status_code == 302 and response["Location"].startswith(reverse("account_login")):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("case", MATRIX, ids=[case.id for case in MATRIX])
def test_every_role_gets_the_expected_status(case, site, client_for):
    url = _url(case, site)
    data = {k: site.get(v, v) if isinstance(v, str) else v for k, v in case.data.items()}
    seen = {role: _status(client_for(role), case.method, url, data) for role in case.expected_all}
    assert seen == case.expected_all


def _site_urls(patterns, namespaces=()) -> list[tuple[str, object]]:
    """(qualified name, view) of every URL pattern outside the skipped prefixes."""
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern) in SKIPPED_PREFIXES:
                continue
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            found += _site_urls(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.callback is not serve:
            found.append((":".join((*namespaces, pattern.name or "<unnamed>")), pattern.callback))
    return found


# Methods every view answers the same way whatever it is (Django's View handles them).
GENERIC_METHODS = {"head", "options"}


def _allowed(view) -> set[str]:
    """The methods a view's class lets through: its ``http_method_names``."""
    view_class = getattr(view, "view_class", None)
    if view_class is None:  # see test_every_site_url_is_a_class_based_view
        return {"get"}
    return set(view_class.http_method_names) - GENERIC_METHODS


def _methods(view) -> set[str]:
    """The methods the view has a handler for: each needs an entry of its own. (Django's form
    views answer PUT with their POST handler; the POST entry covers it.)"""
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return {"get"}
    methods = {method for method in _allowed(view) if hasattr(view_class, method)}
    if getattr(view_class, "put", None) is ProcessFormView.put:
        methods.discard("put")
    return methods


def _unanswered() -> list[tuple[str, str]]:
    return sorted(
        (name, method)
        for name, view in _site_urls(get_resolver().url_patterns)
        for method in _allowed(view) - _methods(view)
        if method != "put" or getattr(view.view_class, "put", None) is not ProcessFormView.put
    )


def test_every_site_url_is_a_class_based_view():
    """Function views have no ``http_method_names``: a POST would run their GET code."""
    views = _site_urls(get_resolver().url_patterns)
    assert [name for name, view in views if getattr(view, "view_class", None) is None] == []


def test_methods_a_view_does_not_answer_are_refused(site, client_for):
    """POST to a page that only shows, PUT or DELETE anywhere: refused for every role (405 for
    those who may see the page; the login page, 403 or 404 for the others), never a change."""
    wrong = []
    clients: dict[str, Client] = {}
    for name, method in _unanswered():
        case = min((c for c in MATRIX if c.name == name), key=lambda c: c.method != "get")
        url = _url(case, site)
        for role, expected in case.expected_all.items():
            if role not in clients:
                clients[role] = client_for(role)
            status = _status(clients[role], method, url, {})
            allowed = {405, expected} if expected in (LOGIN, 403, 404) else {405}
            if status not in allowed:
                wrong.append((method, name, role, status))
    assert wrong == []


def test_every_url_and_method_has_an_entry():
    wanted = {
        (name, method)
        for name, view in _site_urls(get_resolver().url_patterns)
        for method in _methods(view)
    }
    covered = {(case.name, case.method) for case in MATRIX}
    assert wanted - covered == set(), "add these (URL, method) pairs to the matrix"
    assert covered - wanted == set(), "these matrix entries name no URL"


def test_the_url_collector_sees_every_app():
    names = {name for name, _ in _site_urls(get_resolver().url_patterns)}
    for expected in ("home", "members:organisation_detail", "projects:agreement_document"):
        assert expected in names
    assert {"events:feed_group", "reports:export"} <= names
    assert not any(name.startswith(("admin:", "account_")) for name in names)
