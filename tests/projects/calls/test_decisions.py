"""Decisions (採択 / 不採択 / 補欠), their release in one batch, and adoption into a project."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import reverse

from projects.calls.models import Application, Call
from projects.calls.services.decisions import application_decide, call_release_decisions
from projects.models import Funding, PhaseTransition, Project
from projects.signals import call_changed, funding_changed, project_changed
from tests.events.factories import now_is
from tests.factories import OrganisationFactory, StudyGroupFactory, person_with_account, staff_user
from tests.projects.calls.factories import ApplicationFactory, BudgetLineFactory, CallFactory
from tests.projects.factories import FundingFactory, ProjectFactory

pytestmark = pytest.mark.django_db


class BatchBackend(EmailBackend):
    """locmem, remembering how many messages each ``send_messages`` call carried."""

    batches: list[int] = []

    def send_messages(self, messages):
        BatchBackend.batches.append(len(messages))
        return super().send_messages(messages)


@pytest.fixture
def batches(settings):
    settings.EMAIL_BACKEND = "tests.projects.calls.test_decisions.BatchBackend"
    BatchBackend.batches = []
    return BatchBackend.batches


@pytest.fixture
def staff():
    return staff_user()


@pytest.fixture
def call():
    """A call whose application period is over (closed)."""
    return CallFactory(
        title="Society 5.0 社会実装トライアル支援事業",
        status=Call.Status.CLOSED,
        max_amount=1_000_000,
        fiscal_year=2026,
        study_group=StudyGroupFactory(name="スマートシティ研究会"),
        theme="モビリティ",
    )


def submitted(call, *, email=True, **kwargs) -> Application:
    organisation = kwargs.pop("organisation", None) or OrganisationFactory()
    creator = person_with_account(organisation).user
    if not email:
        creator.email = ""
        creator.save()
    return ApplicationFactory(
        call=call, organisation=organisation, created_by=creator, submitted=True, **kwargs
    )


def decide(application, decision, staff, **kwargs):
    return application_decide(
        application=application,
        decision=decision,
        message=kwargs.pop("message", "審査の結果をお知らせします。"),
        decided_by=staff,
        **kwargs,
    )


def test_a_decision_is_saved_without_sending_anything_and_can_change_until_release(
    call, staff, mailoutbox, django_capture_on_commit_callbacks
):
    application = submitted(call)
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, "reserve", staff)
        decide(application, "adopted", staff, message="おめでとうございます。")
    application.refresh_from_db()
    assert (application.decision, application.decision_message) == (
        "adopted",
        "おめでとうございます。",
    )
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        call_release_decisions(call=call, released_by=staff)
    with pytest.raises(ValidationError):
        decide(application, "rejected", staff)


def test_release_is_refused_while_a_submitted_application_lacks_a_decision(call, staff, mailoutbox):
    decide(submitted(call), "adopted", staff)
    undecided = submitted(call)
    ApplicationFactory(call=call)  # a draft needs no decision
    with pytest.raises(ValidationError) as error:
        call_release_decisions(call=call, released_by=staff)
    assert "審査結果が未入力の応募が1件あります" in error.value.messages[0]
    assert undecided.number in error.value.messages[0]
    call.refresh_from_db()
    assert call.decisions_released_at is None and call.status == Call.Status.CLOSED
    assert mailoutbox == []


def test_release_is_refused_during_the_application_period(staff):
    open_call = CallFactory()
    decide(submitted(open_call), "rejected", staff)
    with pytest.raises(ValidationError) as error:
        call_release_decisions(call=open_call, released_by=staff)
    assert "募集期間中" in error.value.messages[0]


def test_release_sends_every_decision_once_in_one_batch_even_when_called_twice(
    call, staff, batches, django_capture_on_commit_callbacks
):
    applications = [submitted(call) for _ in range(4)]
    without_address = submitted(call, email=False)
    for application, decision in zip(
        [*applications, without_address],
        ["adopted", "rejected", "rejected", "reserve", "rejected"],
        strict=True,
    ):
        decide(application, decision, staff)

    with django_capture_on_commit_callbacks(execute=True):
        summary = call_release_decisions(call=call, released_by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        again = call_release_decisions(call=call, released_by=staff)

    assert again is None
    assert (summary.adopted, summary.rejected, summary.reserve) == (1, 3, 1)
    assert summary.without_address == 1
    assert batches == [4]
    assert len(mail.outbox) == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.created_by.email for a in applications)
    adopted_mail = next(m for m in mail.outbox if m.to == [applications[0].created_by.email])
    assert applications[0].number in adopted_mail.subject
    assert "審査結果: 採択" in adopted_mail.body
    call.refresh_from_db()
    assert call.status == Call.Status.DECIDED and call.decisions_released_at
    sent = set(Application.objects.filter(call=call).values_list("decision_sent_at", flat=True))
    assert sent == {call.decisions_released_at}


def test_a_double_submitted_release_page_sends_once(
    call, staff, batches, django_capture_on_commit_callbacks
):
    for decision in ("adopted", "rejected", "reserve"):
        decide(submitted(call), decision, staff)
    client = Client()
    client.force_login(staff)
    url = reverse("projects:call_release", args=[call.pk])
    page = client.get(url).content.decode()
    assert "採択: 1件" in page and "不採択: 1件" in page and "補欠: 1件" in page
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url)
    assert first.status_code == second.status_code == 302
    assert batches == [3]
    assert "既に通知しています" in [str(m) for m in second.wsgi_request._messages][-1]


def test_the_release_page_says_why_it_cannot_send_yet(call, staff):
    submitted(call)
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("projects:call_release", args=[call.pk])).content.decode()
    assert "審査結果が未入力の応募が1件あります" in page
    assert "通知する</button>" not in page


def test_an_adopted_application_becomes_a_project_in_the_demonstration_phase_with_funding(
    call, staff, django_capture_on_commit_callbacks
):
    lead = OrganisationFactory(name="株式会社つくばモビリティ")
    partner = OrganisationFactory(name="筑波テック大学", sector="university")
    application = submitted(
        call,
        organisation=lead,
        partners=[partner],
        title="自動運転バスの実証",
        summary="研究学園駅周辺で自動運転バスを走らせる。",
    )
    BudgetLineFactory(application=application, amount=700_000)
    BudgetLineFactory(application=application, amount=600_000)  # total 1.3M > max 1M
    decide(application, "adopted", staff)
    signals = []

    def receiver(signal, sender, **kwargs):
        signals.append((signal, kwargs))

    watched = (funding_changed, project_changed, call_changed)
    for signal in watched:
        signal.connect(receiver, dispatch_uid="test-adoption")
    try:
        # 2026-04-01 00:30 in Tokyo is still March 31 in UTC: the phase starts on the Tokyo date.
        with now_is(2026, 4, 1, 0, 30), django_capture_on_commit_callbacks(execute=True):
            call_release_decisions(call=call, released_by=staff)
    finally:
        for signal in watched:
            signal.disconnect(dispatch_uid="test-adoption")

    application.refresh_from_db()
    project = application.project
    assert project.name == "自動運転バスの実証"
    assert project.description == "研究学園駅周辺で自動運転バスを走らせる。"
    assert project.lead_organisation == lead
    assert list(project.partners.all()) == [partner]
    assert [g.name for g in project.study_groups.all()] == ["スマートシティ研究会"]
    transition = PhaseTransition.objects.get(project=project)
    assert transition.phase.name == "実証"
    assert transition.started_on == dt.date(2026, 4, 1)
    funding = Funding.objects.get(project=project)
    assert (funding.fiscal_year, funding.funder, funding.scheme) == (2026, call.funder, call.title)
    assert (funding.kind, funding.status, funding.amount) == ("grant", "adopted", 1_000_000)
    assert project.call_application == application

    sent = {s for s, _ in signals}
    assert {funding_changed, project_changed, call_changed} <= sent
    assert {"fiscal_years": {2026}} in [kw for s, kw in signals if s is funding_changed]
    assert {"project_ids": {project.pk}} in [kw for s, kw in signals if s is project_changed]

    client = Client()
    client.force_login(staff)
    page = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    assert f"公募「{call.title}」の採択事業（{application.number}）" in page


def test_adoption_links_the_existing_project_staff_chose(call, staff):
    existing = ProjectFactory(name="既存の自動運転事業")
    FundingFactory(
        project=existing,
        fiscal_year=2026,
        funder=call.funder,
        scheme=call.title,
        kind="grant",
        status="applied",
        amount=None,
    )
    application = submitted(call)
    BudgetLineFactory(application=application, amount=400_000)
    other = submitted(call)
    decide(application, "adopted", staff, project=existing)
    decide(other, "rejected", staff)
    call_release_decisions(call=call, released_by=staff)

    application.refresh_from_db()
    assert application.project == existing
    assert Project.objects.count() == 1
    funding = Funding.objects.get(project=existing)  # the same row, now adopted
    assert (funding.status, funding.amount) == ("adopted", 400_000)
    assert PhaseTransition.objects.get(project=existing).phase.name == "実証"
    other.refresh_from_db()
    assert other.project is None


def test_an_existing_project_can_only_be_chosen_for_an_adoption_and_only_once(call, staff):
    existing = ProjectFactory()
    with pytest.raises(ValidationError):
        decide(submitted(call), "rejected", staff, project=existing)
    decide(submitted(call), "adopted", staff, project=existing)
    with pytest.raises(ValidationError):
        decide(submitted(call), "adopted", staff, project=existing)


def test_the_decision_form_records_a_decision_with_an_existing_project(call, staff):
    application = submitted(call)
    existing = ProjectFactory(name="選ばれる事業")
    client = Client()
    client.force_login(staff)
    url = reverse("projects:application_decide", args=[application.pk])
    assert "選ばれる事業" in client.get(url).content.decode()
    response = client.post(
        url, {"decision": "adopted", "message": "採択です。", "project": existing.pk}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.decision, application.project) == ("adopted", existing)
    decisions = client.get(reverse("projects:call_decisions", args=[call.pk])).content.decode()
    assert "採択 1件" in decisions


def test_decisions_of_drafts_are_refused(call, staff):
    with pytest.raises(ValidationError):
        decide(ApplicationFactory(call=call), "adopted", staff)
