"""Calls (公募) kept by staff: the form, its criteria, publish and close; challenges and support."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.calls.models import Call, CityChallenge, ReviewCriterion, SupportKind
from projects.calls.services import calls as services
from projects.signals import call_changed
from tests.projects.calls.factories import (
    ApplicationFactory,
    CallFactory,
    CityChallengeFactory,
    ReviewCriterionFactory,
    ReviewScoreFactory,
    SupportKindFactory,
)
from tests.projects.factories import FunderFactory

pytestmark = pytest.mark.django_db


def _management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _call_data(**overrides):
    funder = FunderFactory(name="つくば市", sector="government")
    data = {
        "title": "令和8年度 Society 5.0 社会実装トライアル支援事業",
        "purpose": "最先端技術を活用したトライアルのアイデアを募集します。",
        "eligible_sectors": ["university", "company"],
        "support_kinds": [SupportKind.objects.get(name="実証経費の支援").pk],
        "max_amount": "1000000",
        "opens_at": "2026-05-01T09:00",
        "closes_at": "2026-06-30T17:00",
        "review_starts_at": "2026-07-01T09:00",
        "review_ends_at": "2026-07-31T17:00",
        "adoptions_planned": "5",
        "theme": "Society 5.0",
        "fiscal_year": "2026",
        "funder": str(funder.pk),
        "number_code": "t",
        **_management("criteria", 3),
        "criteria-0-order": "1",
        "criteria-0-name": "新規性・先進性",
        "criteria-0-weight": "3",
        "criteria-1-order": "2",
        "criteria-1-name": "実現可能性",
        "criteria-1-weight": "2",
    }
    data.update(overrides)
    return data


def test_staff_create_a_call_as_a_draft_with_criteria_in_jst(client_as):
    response = client_as("staff").post(reverse("projects:call_create"), _call_data())
    assert response.status_code == 302, response.context["form"].errors
    call = Call.objects.get()
    assert call.status == "draft"
    assert call.number_code == "T"
    assert call.eligible_sectors == ["university", "company"]
    assert [(c.name, c.weight) for c in call.criteria.all()] == [
        ("新規性・先進性", 3),
        ("実現可能性", 2),
    ]
    # 17:00 in Tokyo is 08:00 UTC.
    assert call.closes_at == dt.datetime(2026, 6, 30, 8, 0, tzinfo=dt.UTC)
    assert call.support_kinds.get().name == "実証経費の支援"


def test_closing_before_opening_is_a_clear_form_error(client_as):
    data = _call_data(closes_at="2026-04-30T17:00")
    response = client_as("staff").post(reverse("projects:call_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["closes_at"] == [
        "募集締切は募集開始より後にしてください。"
    ]
    assert not Call.objects.exists()


def test_review_before_the_deadline_is_a_form_error(client_as):
    data = _call_data(review_starts_at="2026-06-01T09:00")
    response = client_as("staff").post(reverse("projects:call_create"), data)
    assert "審査開始は募集締切以降にしてください。" in response.content.decode()


def test_a_call_without_criteria_cannot_be_published(client_as):
    call = CallFactory(status="draft")
    client = client_as("staff")
    response = client.post(reverse("projects:call_publish", args=[call.pk]), follow=True)
    assert "審査項目が登録されていないため公開できません" in response.content.decode()
    call.refresh_from_db()
    assert call.status == "draft"


def test_draft_to_published_to_closed(client_as):
    call = CallFactory(status="draft", criteria=2)
    client = client_as("staff")
    client.post(reverse("projects:call_publish", args=[call.pk]))
    call.refresh_from_db()
    assert call.status == "published"
    response = client.post(reverse("projects:call_publish", args=[call.pk]), follow=True)
    assert "下書きの公募だけを公開できます" in response.content.decode()
    client.post(reverse("projects:call_close", args=[call.pk]))
    call.refresh_from_db()
    assert call.status == "closed"
    assert not call.is_open()


def test_a_published_call_keeps_at_least_one_criterion(client_as):
    call = CallFactory(criteria=1)
    criterion = call.criteria.get()
    data = _call_data(
        **_management("criteria", 1, initial=1),
        **{
            "criteria-0-id": str(criterion.pk),
            "criteria-0-call": str(call.pk),
            "criteria-0-order": "1",
            "criteria-0-name": criterion.name,
            "criteria-0-weight": "1",
            "criteria-0-DELETE": "on",
        },
    )
    data = {k: v for k, v in data.items() if not k.startswith("criteria-1")}
    response = client_as("staff").post(reverse("projects:call_update", args=[call.pk]), data)
    assert response.status_code == 200
    assert "審査項目が1つ以上必要です" in response.content.decode()
    assert call.criteria.count() == 1


def test_a_scored_criterion_cannot_be_deleted():
    score = ReviewScoreFactory()
    call = score.criterion.call
    with pytest.raises(services.ValidationError, match="評点があるため削除できません"):
        services.call_update(
            call=call,
            support_kinds=[],
            challenges=[],
            criteria=[ReviewCriterionFactory.build(call=call)],
            criteria_deleted=[score.criterion],
        )
    assert ReviewCriterion.objects.filter(pk=score.criterion.pk).exists()


def test_budget_year_and_code_are_fixed_once_numbers_are_given():
    call = CallFactory(criteria=1)
    ApplicationFactory(call=call, submitted=True)
    call.number_code = "X"
    with pytest.raises(services.ValidationError, match="受付番号を付けた応募"):
        services.call_update(call=call, support_kinds=[], challenges=[])
    call.refresh_from_db()
    assert call.number_code == "T"


def test_call_services_announce_the_budget_years(django_capture_on_commit_callbacks):
    seen = []

    def receiver(sender, fiscal_years, **kwargs):
        seen.append(fiscal_years)

    call_changed.connect(receiver)
    try:
        call = CallFactory.build(status="draft", funder=FunderFactory(), fiscal_year=2025)
        criteria = [ReviewCriterion(name="新規性", weight=2)]
        with django_capture_on_commit_callbacks(execute=True):
            call = services.call_create(
                call=call, support_kinds=[], challenges=[], criteria=criteria
            )
        call.fiscal_year = 2026
        with django_capture_on_commit_callbacks(execute=True):
            services.call_update(call=call, support_kinds=[], challenges=[])
        with django_capture_on_commit_callbacks(execute=True):
            services.call_publish(call=call)
        with django_capture_on_commit_callbacks(execute=True):
            services.call_close(call=call)
    finally:
        call_changed.disconnect(receiver)
    assert seen == [{2025}, {2025, 2026}, {2026}, {2026}]


def test_staff_call_list_shows_counts_and_actions(client_as):
    call = CallFactory(criteria=1, title="公開中の公募")
    ApplicationFactory(call=call, submitted=True)
    ApplicationFactory(call=call)
    CallFactory(status="draft", title="準備中の公募")
    response = client_as("staff").get(reverse("projects:call_staff_list"))
    rows = {c.title: (c.n_submitted, c.n_drafts) for c in response.context["calls"]}
    assert rows == {"公開中の公募": (1, 1), "準備中の公募": (0, 0)}
    page = response.content.decode()
    assert "公開する" in page and "締め切る" in page


def test_staff_list_a_calls_applications_with_budget_totals(client_as):
    from tests.projects.calls.factories import BudgetLineFactory

    call = CallFactory(criteria=1)
    application = ApplicationFactory(call=call, submitted=True)
    BudgetLineFactory(application=application, amount=250_000)
    BudgetLineFactory(application=application, amount=50_000)
    ApplicationFactory()  # another call's
    response = client_as("staff").get(reverse("projects:call_applications", args=[call.pk]))
    applications = list(response.context["applications"])
    assert applications == [application]
    assert applications[0].budget_total == 300_000
    assert "300,000円" in response.content.decode()


def test_staff_keep_city_challenges(client_as):
    client = client_as("staff")
    data = {
        "department": "政策イノベーション部",
        "title": "投票率の向上",
        "description": "若い世代の投票率が低い。",
        "contact": "選挙管理委員会",
    }
    assert client.post(reverse("projects:challenge_create"), data).status_code == 302
    challenge = CityChallenge.objects.get()
    data["title"] = "投票の利便性の向上"
    client.post(reverse("projects:challenge_update", args=[challenge.pk]), data)
    challenge.refresh_from_db()
    assert challenge.title == "投票の利便性の向上"
    page = client.get(reverse("projects:challenge_list")).content.decode()
    assert "投票の利便性の向上" in page and "政策イノベーション部" in page


def test_staff_add_and_rename_support_kinds(client_as):
    client = client_as("staff")
    page = client.get(reverse("projects:support_kind_list")).content.decode()
    assert "モニターのあっせん" in page  # the defaults of the data migration
    client.post(
        reverse("projects:support_kind_list"),
        {"name": "市のイベントでのPR", "name_en": "PR at city events", "order": "60"},
    )
    kind = SupportKind.objects.get(name="市のイベントでのPR")
    client.post(
        reverse("projects:support_kind_update", args=[kind.pk]),
        {"name": "市のイベント等におけるPRの場の提供", "name_en": "PR", "order": "60"},
    )
    kind.refresh_from_db()
    assert kind.name == "市のイベント等におけるPRの場の提供"


def test_the_call_form_offers_only_confirmed_funders_and_every_challenge(client_as):
    from tests.factories import OrganisationFactory

    OrganisationFactory(name="未確認の市", is_confirmed=False)
    challenge = CityChallengeFactory()
    SupportKindFactory(name="独自の支援")
    form = client_as("staff").get(reverse("projects:call_create")).context["form"]
    assert "未確認の市" not in [str(o) for o in form.fields["funder"].queryset]
    assert challenge in form.fields["challenges"].queryset
    assert "独自の支援" in [k.name for k in form.fields["support_kinds"].queryset]


def test_a_call_is_open_only_between_its_times():
    now = timezone.now()
    call = CallFactory(opens_at=now + dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=3))
    assert not call.is_open()
    assert call.is_open(now + dt.timedelta(hours=2))
