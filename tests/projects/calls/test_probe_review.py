"""Probes of review and decisions: conflicts that arise later, released decisions, criteria."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects.calls.models import Call, ReviewCriterion
from projects.calls.services.decisions import application_decide, call_release_decisions
from projects.calls.services.reviews import CriterionInput, review_assign, review_save
from projects.models import Project
from tests.factories import OrganisationFactory, PersonFactory, staff_user
from tests.projects.calls.factories import (
    ApplicationFactory,
    BudgetLineFactory,
    CallFactory,
    ReviewScoreFactory,
    reviewer_user,
)
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff():
    return staff_user()


def test_a_reviewer_gets_404_or_403_outside_their_assignments(staff):
    call = CallFactory(criteria=1)
    mine = ApplicationFactory(call=call, submitted=True)
    other = ApplicationFactory(call=call, submitted=True)
    reviewer = reviewer_user()
    review_assign(application=mine, reviewer=reviewer, assigned_by=staff)
    client = signed_in(reviewer)
    assert client.get(reverse("projects:review_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("projects:review_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("projects:application_detail", args=[mine.pk])).status_code == 404
    for name in ("call_ranking", "call_assignments", "call_decisions", "call_applications"):
        assert client.get(reverse(f"projects:{name}", args=[call.pk])).status_code == 403
    assert client.get(reverse("projects:call_ranking", args=[CallFactory().pk])).status_code == 403


def test_a_reviewer_who_joins_a_partner_after_assignment_cannot_score(staff):
    call = CallFactory(criteria=1)
    partner = OrganisationFactory(name="筑波テック大学", sector="university")
    application = ApplicationFactory(call=call, submitted=True)
    reviewer = reviewer_user()
    assignment = review_assign(application=application, reviewer=reviewer, assigned_by=staff)
    # Later the applicant adds the reviewer's organisation as a partner (still before the deadline).
    PersonFactory(organisation=partner, user=reviewer)
    application.partners.add(partner)
    criterion = call.criteria.get()
    with pytest.raises(ValidationError, match="利益相反"):
        review_save(
            assignment=assignment,
            scores={criterion.pk: CriterionInput(5)},
            comment="",
            submit=True,
        )
    assignment.refresh_from_db()
    assert assignment.submitted_at is None
    page = signed_in(staff).get(reverse("projects:call_assignments", args=[call.pk]))
    assert "利益相反：連携団体（筑波テック大学）の所属です" in page.content.decode()


def test_a_decision_cannot_be_edited_after_release(staff):
    call = CallFactory(criteria=1, status=Call.Status.CLOSED)
    application = ApplicationFactory(call=call, submitted=True)
    application_decide(application=application, decision="rejected", message="", decided_by=staff)
    call_release_decisions(call=call, released_by=staff)
    with pytest.raises(ValidationError):
        application_decide(
            application=application, decision="adopted", message="", decided_by=staff
        )
    response = signed_in(staff).post(
        reverse("projects:application_decide", args=[application.pk]),
        {"decision": "adopted", "message": "やはり採択"},
        follow=True,
    )
    assert "変更できません" in response.content.decode()
    application.refresh_from_db()
    assert application.decision == "rejected" and not Project.objects.exists()


def test_a_scored_criterion_cannot_be_deleted_through_the_call_form(staff):
    call = CallFactory(criteria=2)
    first, second = call.criteria.all()
    ReviewScoreFactory(criterion=first, assignment__application__call=call)
    data = {
        "title": call.title,
        "purpose": call.purpose,
        "max_amount": call.max_amount,
        "opens_at": timezone.localtime(call.opens_at).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": timezone.localtime(call.closes_at).strftime("%Y-%m-%dT%H:%M"),
        "adoptions_planned": 3,
        "fiscal_year": call.fiscal_year,
        "funder": call.funder_id,
        "number_code": "T",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "2",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    for i, criterion in enumerate((first, second)):
        data |= {
            f"criteria-{i}-id": criterion.pk,
            f"criteria-{i}-order": criterion.order,
            f"criteria-{i}-name": criterion.name,
            f"criteria-{i}-weight": criterion.weight,
        }
    data["criteria-0-DELETE"] = "on"
    response = signed_in(staff).post(reverse("projects:call_update", args=[call.pk]), data)
    assert response.status_code == 200
    assert "評点があるため削除できません" in response.content.decode()
    assert ReviewCriterion.objects.filter(pk=first.pk).exists()


def test_linking_an_existing_project_adds_the_applicant_and_partners(staff):
    call = CallFactory(criteria=1, status=Call.Status.CLOSED)
    lead = OrganisationFactory(name="株式会社つくばモビリティ")
    partner = OrganisationFactory(name="筑波テック大学", sector="university")
    existing = ProjectFactory(name="既存の自動運転事業")
    application = ApplicationFactory(
        call=call, organisation=lead, partners=[partner], submitted=True
    )
    BudgetLineFactory(application=application, amount=100_000)
    application_decide(
        application=application, decision="adopted", message="", decided_by=staff, project=existing
    )
    call_release_decisions(call=call, released_by=staff)
    existing.refresh_from_db()
    organisations = {existing.lead_organisation_id, *existing.partners.values_list("pk", flat=True)}
    assert {lead.pk, partner.pk} <= organisations
