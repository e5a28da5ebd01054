"""The public pages of 公募: open and past calls, dates in 和暦 + JST, the count-down, results."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.templatetags.calls_tags import time_left
from tests.projects.calls.factories import (
    ApplicationFactory,
    CallFactory,
    CityChallengeFactory,
    SupportKindFactory,
)
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

TOKYO = dt.timezone(dt.timedelta(hours=9))


def test_anonymous_see_open_and_past_calls_but_no_drafts(client):
    now = timezone.now()
    CallFactory(title="受付中の公募", criteria=1)
    CallFactory(
        title="過去の公募",
        opens_at=now - dt.timedelta(days=400),
        closes_at=now - dt.timedelta(days=340),
        status="closed",
    )
    CallFactory(title="下書きの公募", status="draft")
    response = client.get(reverse("projects:call_public_list"))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [c.title for c in groups["open"]] == ["受付中の公募"]
    assert [c.title for c in groups["past"]] == ["過去の公募"]
    assert "下書きの公募" not in response.content.decode()


def test_staff_preview_drafts(client_as):
    call = CallFactory(title="下書きの公募", status="draft")
    assert (
        "下書きの公募"
        in client_as("staff").get(reverse("projects:call_public_list")).content.decode()
    )
    url = reverse("projects:call_public_detail", args=[call.pk])
    assert client_as("staff").get(url).status_code == 200
    assert client_as("member_a").get(url).status_code == 404


def test_call_page_shows_dates_in_wareki_and_jst_the_countdown_and_the_challenges(client):
    call = CallFactory(
        opens_at=dt.datetime(2026, 5, 1, 9, 0, tzinfo=TOKYO),
        closes_at=timezone.now() + dt.timedelta(days=3, hours=4, minutes=30),
        support_kinds=[SupportKindFactory(name="モニターのあっせん（試験）")],
        challenges=[CityChallengeFactory(title="公共交通の空白地域", department="交通政策課")],
        criteria=2,
    )
    page = client.get(reverse("projects:call_public_detail", args=[call.pk])).content.decode()
    assert "令和8年5月1日（金）09:00" in page
    assert "締切まであと3日 4時間" in page
    assert "公共交通の空白地域" in page and "交通政策課" in page
    assert "モニターのあっせん（試験）" in page
    assert "1,000,000円" in page
    assert 'data-deadline="' in page and "js/calls.js" in page
    assert reverse("projects:application_create", args=[call.pk]) in page


def test_count_down_words():
    now = timezone.now()
    assert time_left(now + dt.timedelta(days=3, hours=4, minutes=5), now) == "締切まであと3日 4時間"
    assert time_left(now + dt.timedelta(hours=4, minutes=12), now) == "締切まであと4時間 12分"
    assert time_left(now + dt.timedelta(seconds=20), now) == "締切まであと1分"
    assert time_left(now - dt.timedelta(seconds=1), now) == ""


def test_count_down_in_english(client):
    call = CallFactory(closes_at=timezone.now() + dt.timedelta(days=2, hours=1, minutes=30))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("projects:call_public_detail", args=[call.pk])).content.decode()
    assert "2 d 1 h left until the deadline" in page
    assert "Apply to this call" in page


def test_after_the_decision_the_adopted_trials_are_listed(client):
    now = timezone.now()
    call = CallFactory(
        opens_at=now - dt.timedelta(days=90),
        closes_at=now - dt.timedelta(days=60),
        status="decided",
    )
    public = ProjectFactory(name="インターネット投票の実証", is_public=True)
    ApplicationFactory(
        call=call,
        submitted=True,
        title="ブロックチェーン投票",
        decision="adopted",
        decision_sent_at=now,
        project=public,
    )
    ApplicationFactory(
        call=call,
        submitted=True,
        title="非公開事業の提案",
        decision="adopted",
        decision_sent_at=now,
        project=ProjectFactory(is_public=False),
    )
    ApplicationFactory(call=call, submitted=True, title="未通知の採択", decision="adopted")
    ApplicationFactory(
        call=call, submitted=True, title="不採択の提案", decision="rejected", decision_sent_at=now
    )
    response = client.get(reverse("projects:call_public_detail", args=[call.pk]))
    page = response.content.decode()
    assert [a.title for a in response.context["adopted"]] == [
        "ブロックチェーン投票",
        "非公開事業の提案",
    ]
    assert reverse("projects:public_detail", args=[public.pk]) in page
    assert "未通知の採択" not in page and "不採択の提案" not in page
    assert len(re.findall(r'href="/projects/public/\d+/"', page)) == 1


def test_home_and_navigation_link_the_calls(client):
    page = client.get(reverse("home")).content.decode()
    assert page.count(reverse("projects:call_public_list")) >= 2
