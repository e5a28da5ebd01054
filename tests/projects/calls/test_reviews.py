"""Review (審査): the reviewer role, assignments with conflicts of interest, scoring, anonymity."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members import roles
from projects.calls.models import ReviewAssignment, ReviewScore
from projects.calls.services.reviews import (
    CriterionInput,
    review_assign,
    review_save,
    review_unassign,
    reviewer_register,
)
from tests.factories import OrganisationFactory, person_with_account, staff_user
from tests.projects.calls.factories import (
    ApplicationAttachmentFactory,
    ApplicationFactory,
    CallFactory,
    ReviewAssignmentFactory,
    ReviewScoreFactory,
    reviewer_user,
)

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def call():
    return CallFactory(title="つくば社会実装トライアル支援事業", criteria=2)


@pytest.fixture
def applicant():
    return OrganisationFactory(name="株式会社つくばモビリティ")


@pytest.fixture
def partner():
    return OrganisationFactory(name="国立大学法人筑波テック大学", sector="university")


@pytest.fixture
def application(call, applicant, partner):
    return ApplicationFactory(call=call, organisation=applicant, partners=[partner], submitted=True)


# --- the role ---------------------------------------------------------------------------------


def test_a_reviewer_account_has_the_reviewer_role_and_staff_keep_theirs():
    reviewer = reviewer_user()
    staff = staff_user()
    staff.groups.add(*reviewer.groups.all())
    assert roles.role_of(reviewer) == roles.Role.REVIEWER
    assert str(roles.ROLE_LABELS[roles.Role.REVIEWER]) == "審査員"
    assert roles.is_reviewer(reviewer) and roles.may_review(reviewer)
    assert roles.role_of(staff) == roles.Role.SECRETARIAT
    assert roles.may_review(staff_user(username="plain_staff"))


def test_staff_register_an_outside_reviewer_who_sets_a_password_from_the_mail(
    mailoutbox, django_capture_on_commit_callbacks
):
    staff = staff_user()
    client = signed_in(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:reviewer_create"),
            {"name": "審査 花子", "email": "hanako@univ.example.jp"},
        )
    assert response.status_code == 302
    reviewer = roles.User.objects.get(email="hanako@univ.example.jp")
    assert roles.is_reviewer(reviewer) and not reviewer.has_usable_password()
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "審査 花子 様" in body
    link = re.search(r"https?://\S+", body).group(0)

    visitor = Client()
    response = visitor.get(link)
    assert response.status_code == 302  # allauth keeps the key in the session
    response = visitor.post(
        response["Location"], {"password1": "kyoso-review-2026!", "password2": "kyoso-review-2026!"}
    )
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.check_password("kyoso-review-2026!")

    listing = client.get(reverse("projects:reviewer_list"))
    assert "審査 花子" in listing.content.decode()


def test_registering_an_address_that_has_an_account_is_refused(mailoutbox):
    person_with_account(OrganisationFactory(), username="taken", email="taken@example.jp")
    with pytest.raises(ValidationError) as error:
        reviewer_register(
            name="重複", email="Taken@example.jp", registered_by=staff_user(), site_url="http://x/"
        )
    assert "既にあります" in str(error.value)
    assert mailoutbox == []


# --- assignment -------------------------------------------------------------------------------


def test_a_reviewer_of_the_applicant_organisation_cannot_be_assigned(application, applicant):
    member = person_with_account(applicant, username="own", email="own@example.jp").user
    member.groups.add(reviewer_user().groups.get())
    with pytest.raises(ValidationError) as error:
        review_assign(application=application, reviewer=member, assigned_by=staff_user())
    assert error.value.messages == ["利益相反：応募団体（株式会社つくばモビリティ）の所属です"]
    assert not ReviewAssignment.objects.exists()


def test_a_reviewer_of_a_partner_organisation_cannot_be_assigned(application, partner):
    professor = person_with_account(partner, username="prof", email="prof@example.jp").user
    professor.groups.add(reviewer_user().groups.get())
    with pytest.raises(ValidationError) as error:
        review_assign(application=application, reviewer=professor, assigned_by=staff_user())
    assert error.value.messages == ["利益相反：連携団体（国立大学法人筑波テック大学）の所属です"]


def test_the_assignment_screen_says_why_a_pair_is_impossible_and_assigns_in_bulk(
    call, application, partner
):
    staff = staff_user()
    professor = person_with_account(partner, username="prof", email="prof@example.jp").user
    professor.groups.add(reviewer_user().groups.get())
    outsider = reviewer_user(first_name="外部 一郎")
    other = ApplicationFactory(call=call, submitted=True)
    client = signed_in(staff)
    url = reverse("projects:call_assignments", args=[call.pk])
    page = client.get(url).content.decode()
    assert "利益相反：連携団体（国立大学法人筑波テック大学）の所属です" in page
    assert "外部 一郎" in page

    response = client.post(
        url,
        {
            "assign": [
                f"{application.pk}:{outsider.pk}",
                f"{other.pk}:{outsider.pk}",
                f"{application.pk}:{professor.pk}",  # refused: conflict
            ]
        },
    )
    assert response.status_code == 302
    assert set(ReviewAssignment.objects.values_list("application_id", "reviewer_id")) == {
        (application.pk, outsider.pk),
        (other.pk, outsider.pk),
    }
    shown = [str(m) for m in response.wsgi_request._messages]
    assert any("利益相反：連携団体" in m for m in shown)


def test_drafts_cannot_be_assigned_and_an_unsubmitted_review_can_be_taken_back(call):
    reviewer = reviewer_user()
    draft = ApplicationFactory(call=call)
    with pytest.raises(ValidationError):
        review_assign(application=draft, reviewer=reviewer, assigned_by=staff_user())
    assignment = ReviewAssignmentFactory(application__call=call, reviewer=reviewer)
    review_unassign(assignment=assignment)
    assert not ReviewAssignment.objects.exists()


def test_a_submitted_review_cannot_be_unassigned(application):
    assignment = ReviewAssignmentFactory(application=application, submitted_at=timezone.now())
    with pytest.raises(ValidationError):
        review_unassign(assignment=assignment)
    assert ReviewAssignment.objects.filter(pk=assignment.pk).exists()


def test_no_assignment_after_the_decisions_are_released(call, application):
    call.decisions_released_at = timezone.now()
    call.save()
    with pytest.raises(ValidationError):
        review_assign(application=application, reviewer=reviewer_user(), assigned_by=staff_user())


def test_only_reviewers_and_staff_can_be_assigned(application):
    with pytest.raises(ValidationError):
        review_assign(
            application=application,
            reviewer=person_with_account(OrganisationFactory()).user,
            assigned_by=staff_user(),
        )
    assert review_assign(application=application, reviewer=staff_user(), assigned_by=staff_user())


# --- what a reviewer sees ---------------------------------------------------------------------


def test_a_reviewer_gets_404_for_unassigned_applications_and_other_calls(call, application):
    reviewer = reviewer_user()
    ReviewAssignmentFactory(application=application, reviewer=reviewer)
    same_call = ApplicationFactory(call=call, submitted=True)
    other_call = ReviewAssignmentFactory(reviewer=reviewer_user()).application
    attachment = ApplicationAttachmentFactory(application=same_call)
    client = signed_in(reviewer)
    assert client.get(reverse("projects:review_detail", args=[application.pk])).status_code == 200
    for pk in (same_call.pk, other_call.pk):
        assert client.get(reverse("projects:review_detail", args=[pk])).status_code == 404
    assert (
        client.get(reverse("projects:review_attachment", args=[attachment.pk])).status_code == 404
    )
    listing = client.get(reverse("projects:review_list")).content.decode()
    assert application.number in listing
    assert same_call.number not in listing and other_call.number not in listing


def test_a_reviewer_never_sees_an_assigned_application_that_went_back_to_draft(application):
    reviewer = reviewer_user()
    ReviewAssignmentFactory(application=application, reviewer=reviewer)
    application.status = application.Status.WITHDRAWN
    application.save()
    client = signed_in(reviewer)
    assert client.get(reverse("projects:review_detail", args=[application.pk])).status_code == 404
    assert application.number not in client.get(reverse("projects:review_list")).content.decode()


def test_other_reviewers_scores_show_only_after_the_own_review_is_submitted(call, application):
    first, second = reviewer_user(first_name="審査員一"), reviewer_user(first_name="審査員二")
    criterion = call.criteria.first()
    theirs = ReviewAssignmentFactory(
        application=application, reviewer=second, submitted_at=timezone.now(), comment="他者総評XYZ"
    )
    ReviewScoreFactory(assignment=theirs, criterion=criterion, comment="他者コメントABC")
    mine = ReviewAssignmentFactory(application=application, reviewer=first)
    client = signed_in(first)
    url = reverse("projects:review_detail", args=[application.pk])
    page = client.get(url).content.decode()
    assert "他者総評XYZ" not in page and "他者コメントABC" not in page and "審査員二" not in page

    scores = {c.pk: CriterionInput(score=3) for c in call.criteria.all()}
    review_save(assignment=mine, scores=scores, comment="", submit=True)
    page = client.get(url).content.decode()
    assert "他者総評XYZ" in page and "他者コメントABC" in page


def test_anonymous_review_hides_the_applicant_person_and_partners_from_reviewers(
    call, application, applicant, partner
):
    call.anonymous_review = True
    call.save()
    creator = person_with_account(applicant, username="creator", email="creator@example.jp")
    creator.name = "応募 太郎"
    creator.save()
    application.created_by = creator.user
    application.save()
    reviewer = reviewer_user()
    ReviewAssignmentFactory(application=application, reviewer=reviewer)
    ApplicationAttachmentFactory(application=application, name="株式会社つくばモビリティ提案書.pdf")
    names = ("株式会社つくばモビリティ", "国立大学法人筑波テック大学", "応募 太郎")
    client = signed_in(reviewer)
    for url in (
        reverse("projects:review_detail", args=[application.pk]),
        reverse("projects:review_list"),
    ):
        page = client.get(url).content.decode()
        assert application.title in page
        assert not [name for name in names if name in page]

    staff = staff_user()
    ReviewAssignmentFactory(application=application, reviewer=staff)
    page = signed_in(staff).get(reverse("projects:review_detail", args=[application.pk]))
    assert all(name in page.content.decode() for name in names)


def test_without_anonymity_the_reviewer_sees_the_applicant(application):
    reviewer = reviewer_user()
    ReviewAssignmentFactory(application=application, reviewer=reviewer)
    page = signed_in(reviewer).get(reverse("projects:review_detail", args=[application.pk]))
    assert "株式会社つくばモビリティ" in page.content.decode()
    assert "国立大学法人筑波テック大学" in page.content.decode()


# --- scoring ----------------------------------------------------------------------------------


def test_a_reviewer_saves_a_draft_then_submits_and_the_review_becomes_read_only(call, application):
    reviewer = reviewer_user()
    ReviewAssignmentFactory(application=application, reviewer=reviewer)
    first, second = call.criteria.all()
    client = signed_in(reviewer)
    url = reverse("projects:review_detail", args=[application.pk])
    page = client.get(url).content.decode()
    assert page.count('type="radio"') == 10  # two criteria × 1–5

    response = client.post(
        url, {f"score_{first.pk}": "4", f"note_{first.pk}": "新規性あり", "save": ""}
    )
    assert response.status_code == 302
    assignment = ReviewAssignment.objects.get()
    assert assignment.submitted_at is None
    assert list(assignment.scores.values_list("score", "comment")) == [(4, "新規性あり")]

    response = client.post(url, {f"score_{first.pk}": "4", "submit": ""})
    assert response.status_code == 200  # the second criterion lacks a score
    assert "評点を選んでください。" in response.content.decode()
    assert ReviewAssignment.objects.get().submitted_at is None

    data = {
        f"score_{first.pk}": "4",
        f"score_{second.pk}": "2",
        "comment": "総評です",
        "submit": "",
    }
    assert client.post(url, data).status_code == 302
    assignment.refresh_from_db()
    assert assignment.submitted_at is not None and assignment.comment == "総評です"
    assert 'type="radio"' not in client.get(url).content.decode()

    client.post(url, {f"score_{first.pk}": "1", f"score_{second.pk}": "1", "submit": ""})
    assert sorted(ReviewScore.objects.values_list("score", flat=True)) == [2, 4]


def test_scores_outside_one_to_five_are_refused(call, application):
    reviewer = reviewer_user()
    ReviewAssignmentFactory(application=application, reviewer=reviewer)
    criterion = call.criteria.first()
    response = signed_in(reviewer).post(
        reverse("projects:review_detail", args=[application.pk]),
        {f"score_{criterion.pk}": "6", "save": ""},
    )
    assert response.status_code == 200
    assert not ReviewScore.objects.exists()


def test_no_review_after_the_decisions_are_released(call, application):
    assignment = ReviewAssignmentFactory(application=application)
    call.decisions_released_at = timezone.now()
    call.save()
    with pytest.raises(ValidationError):
        review_save(assignment=assignment, scores={}, comment="遅れて", submit=False)
    page = signed_in(assignment.reviewer).get(
        reverse("projects:review_detail", args=[application.pk])
    )
    assert 'type="radio"' not in page.content.decode()


def test_every_review_write_announces_the_calls_year(
    application, django_capture_on_commit_callbacks
):
    from projects.signals import call_changed

    seen = []

    def receiver(sender, fiscal_years, **kwargs):
        seen.append(fiscal_years)

    call_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assignment = review_assign(
                application=application, reviewer=reviewer_user(), assigned_by=staff_user()
            )
            review_save(assignment=assignment, scores={}, comment="", submit=False)
            review_unassign(assignment=assignment)
    finally:
        call_changed.disconnect(receiver)
    assert seen == [{2026}, {2026}, {2026}]


def test_the_review_list_query_count_does_not_grow(call, django_assert_num_queries):
    reviewer = reviewer_user()
    client = signed_in(reviewer)
    ReviewAssignmentFactory(application__call=call, reviewer=reviewer)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("projects:review_list")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(19):
        ReviewAssignmentFactory(application__call=call, reviewer=reviewer)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("/calls/reviews/applications/") == 20
