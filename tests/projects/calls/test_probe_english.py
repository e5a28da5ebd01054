"""Every page of 公募 in English: no Japanese left but the data (here all in English)."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects.calls.models import Call, SupportKind
from projects.calls.services.decisions import application_decide
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    person_with_account,
    staff_user,
)
from tests.projects.calls.factories import (
    ApplicationAttachmentFactory,
    ApplicationFactory,
    BudgetLineFactory,
    CallFactory,
    CityChallengeFactory,
    ReviewAssignmentFactory,
    ReviewCriterionFactory,
    ReviewScoreFactory,
    SupportKindFactory,
    reviewer_user,
)
from tests.projects.factories import FunderFactory

pytestmark = pytest.mark.django_db

# Kana, CJK ideographs, Japanese punctuation and full-width forms.
JAPANESE = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
# The language switch names Japanese in Japanese, on purpose.
ALLOWED = {"日本語"}


def japanese_left(html: str) -> list[str]:
    """Japanese text of the page outside scripts, the site's name and the support kinds'
    Japanese names (data: staff keep both names, and their list shows both)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    text = text.replace(settings.KYOSO_SITE_NAME, "")
    data = set(SupportKind.objects.values_list("name", flat=True))
    found = []
    for match in JAPANESE.finditer(text):
        if match.group() in ALLOWED | data:
            continue
        found.append(text[max(match.start() - 60, 0) : match.end() + 20].replace("\n", " "))
    return found


def english(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def site():
    now = timezone.now()
    funder = FunderFactory(name="Tsukuba City", name_kana="tsukuba", sector="government")
    kind = SupportKindFactory(name="実証経費", name_en="Trial costs")
    facilities = SupportKindFactory(name="施設", name_en="Facilities")
    challenge = CityChallengeFactory(
        department="Transport Policy Division",
        title="Bus service gaps",
        description="Few buses in outlying areas.",
        contact="transport@example.jp",
    )

    def make_call(**kwargs):
        call = CallFactory(
            title=kwargs.pop("title", "Society 5.0 trial support"),
            purpose="Trials of new technology in the city.",
            funder=funder,
            support_kinds=[kind, facilities],
            challenges=[challenge],
            eligible_sectors=["company", "university"],
            theme="Mobility",
            **kwargs,
        )
        for order, name in enumerate(("Novelty", "Feasibility"), start=1):
            ReviewCriterionFactory(call=call, name=name, description="Is it new?", order=order)
        return call

    open_call = make_call()
    applicant = person_with_account(
        OrganisationFactory(name="Tsukuba Mobility Inc.", name_kana="mobility"),
        email="a@example.jp",
    )
    applicant.name = "Hanako Sato"
    applicant.save()
    partner = OrganisationFactory(
        name="Tsukuba Tech University", name_kana="tech", sector="university"
    )
    second = OrganisationFactory(name="Tsukuba Bank", name_kana="bank", sector="financial")
    draft = ApplicationFactory(
        call=open_call,
        organisation=applicant.organisation,
        created_by=applicant.user,
        title="Self-driving bus trial",
        summary="A bus without a driver.",
        place="Kenkyu-gakuen station",
        partners=[partner, second],
        requested_support=[kind, facilities],
        challenge=challenge,
    )
    BudgetLineFactory(application=draft, item="Vehicle rental", amount=400_000)
    ApplicationAttachmentFactory(application=draft, name="proposal.pdf")

    closed = make_call(
        title="Closed trial support",
        status=Call.Status.CLOSED,
        opens_at=now - dt.timedelta(days=60),
        closes_at=now - dt.timedelta(days=30),
    )
    submitted = ApplicationFactory(
        call=closed,
        organisation=applicant.organisation,
        created_by=applicant.user,
        title="Drone delivery trial",
        summary="Parcels by drone.",
        place="Tsukuba",
        partners=[partner],
        submitted=True,
    )
    BudgetLineFactory(application=submitted, item="Drones", amount=300_000)
    ApplicationAttachmentFactory(application=submitted, name="plan.pdf")
    reviewer = reviewer_user(first_name="Taro Reviewer")
    assignment = ReviewAssignmentFactory(
        application=submitted, reviewer=reviewer, comment="Good.", submitted_at=now
    )
    for criterion in closed.criteria.all():
        ReviewScoreFactory(assignment=assignment, criterion=criterion, score=4, comment="Fine.")
    ReviewAssignmentFactory(application=submitted, reviewer=reviewer_user(first_name="Jiro Second"))
    staff = staff_user(first_name="Staff")
    application_decide(
        application=submitted, decision="adopted", message="Congratulations.", decided_by=staff
    )
    decided = make_call(
        title="Decided trial support",
        status=Call.Status.DECIDED,
        opens_at=now - dt.timedelta(days=400),
        closes_at=now - dt.timedelta(days=370),
        decisions_released_at=now - dt.timedelta(days=300),
        anonymous_review=True,
    )
    adopted = ApplicationFactory(
        call=decided,
        organisation=applicant.organisation,
        title="Smart streetlights",
        summary="Lights that count people.",
        place="Tsukuba",
        partners=[partner, second],
        submitted=True,
        decision="adopted",
        decision_sent_at=now - dt.timedelta(days=300),
    )
    ReviewAssignmentFactory(application=adopted, reviewer=reviewer)
    return {
        "decided": decided,
        "adopted": adopted,
        "open": open_call,
        "closed": closed,
        "draft": draft,
        "submitted": submitted,
        "applicant": applicant.user,
        "reviewer": reviewer,
        "staff": staff,
        "challenge": challenge,
        "kind": kind,
        "no_org": PersonFactory(organisation=None, user=UserFactory(), name="Jane Doe").user,
    }


PAGES = [
    (None, "projects:call_public_list", None),
    (None, "projects:call_public_detail", "open"),
    (None, "projects:call_public_detail", "closed"),
    (None, "projects:call_public_detail", "decided"),
    ("staff", "projects:call_public_detail", "open"),
    ("applicant", "projects:application_create", "open"),
    ("no_org", "projects:application_create", "open"),
    ("applicant", "projects:my_applications", None),
    ("applicant", "projects:application_detail", "draft"),
    ("applicant", "projects:application_detail", "submitted"),
    ("applicant", "projects:application_update", "draft"),
    ("reviewer", "projects:review_list", None),
    ("reviewer", "projects:review_detail", "submitted"),
    ("reviewer", "projects:review_detail", "adopted"),
    ("staff", "projects:call_staff_list", None),
    ("staff", "projects:call_create", None),
    ("staff", "projects:call_update", "open"),
    ("staff", "projects:call_applications", "open"),
    ("staff", "projects:call_applications", "closed"),
    ("staff", "projects:challenge_list", None),
    ("staff", "projects:challenge_create", None),
    ("staff", "projects:challenge_update", "challenge"),
    ("staff", "projects:support_kind_list", None),
    ("staff", "projects:support_kind_update", "kind"),
    ("staff", "projects:reviewer_list", None),
    ("staff", "projects:reviewer_create", None),
    ("staff", "projects:call_assignments", "closed"),
    ("staff", "projects:call_ranking", "closed"),
    ("staff", "projects:call_decisions", "closed"),
    ("staff", "projects:call_release", "closed"),
    ("staff", "projects:call_release", "open"),
    ("staff", "projects:application_decide", "submitted"),
    ("staff", "projects:application_detail", "submitted"),
]


@pytest.mark.parametrize(
    "who,name,obj", PAGES, ids=[f"{name.split(':')[1]}-{obj or ''}" for _, name, obj in PAGES]
)
def test_every_calls_page_is_english_in_english(site, who, name, obj):
    url = reverse(name, args=[site[obj].pk] if obj else [])
    response = english(site[who] if who else None).get(url)
    assert response.status_code in (200, 403)
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert japanese_left(html) == []
