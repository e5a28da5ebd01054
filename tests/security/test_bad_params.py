"""Hostile query strings never answer 500: every GET page of the permission matrix, opened by
staff and by an administrator with NUL bytes, huge or negative numbers, words where numbers
belong and very long values, answers a clean page, a redirect, a 400 or a 404.

The walk runs without the middleware that refuses NUL bytes, so each view is shown to cope on
its own (on PostgreSQL a NUL byte in a query parameter is an error); the middleware is tested as
the backstop it is for pages Kyoso does not write itself (the Django admin, allauth).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from events.models import Meeting

# ``site`` (and ``everyone``, which it needs) are the matrix's fixtures, used here as they are.
from tests.test_url_matrix import MATRIX, _url, everyone, site  # noqa: F401

pytestmark = pytest.mark.django_db

BACKSTOP = "consortium.middleware.RejectNulBytesMiddleware"
HUGE = "99999999999999999999"
LONG = "x" * 2000
# Every query parameter a Kyoso page reads (filters, pagination, search, export options).
NAMES = (
    "q",
    "page",
    "fiscal_year",
    "year",
    "study_group",
    "project",
    "when",
    "kind",
    "sector",
    "is_local",
    "is_confirmed",
    "phase",
    "theme",
    "funder",
    "encoding",
    "header",
    "date",
)


def _all(value: str) -> str:
    return "&".join(f"{name}={quote(value)}" for name in NAMES)


HOSTILE_QUERIES = [
    # One value for every parameter at once …
    *(_all(value) for value in ("a\x00b", HUGE, "-1", "abc", LONG)),
    # … and, so that one refused parameter does not hide another, the ones pages read alone.
    "q=a%00b",
    "page=abc",
    f"page={HUGE}",
    f"fiscal_year={HUGE}",
    "fiscal_year=10000",
    "year=%00",
    f"study_group={HUGE}",
    f"project={HUGE}",
    "date=2024-13-45",
]

GET_CASES = [case for case in MATRIX if case.method == "get"]


def _get_urls(site) -> list[str]:  # noqa: F811 - the fixture's value
    return [_url(case, site) for case in GET_CASES]


def _walk(client: Client, urls: list[str]) -> list[str]:
    """Every (url × hostile query) that answered 500, with the error it raised."""
    failures = []
    for url in urls:
        for query in HOSTILE_QUERIES:
            target = f"{url}{'&' if '?' in url else '?'}{query}"
            # A database error must not spoil the requests after it (one test transaction).
            with transaction.atomic():
                response = client.get(target)
                transaction.set_rollback(True)
            if response.status_code >= 500:
                error = response.exc_info[1] if response.exc_info else None
                failures.append(f"{response.status_code} {target[:120]} {error!r:.200}")
    return failures


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_no_page_answers_500_to_hostile_query_strings(role, site, people, settings):  # noqa: F811
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != BACKSTOP]
    client = Client(raise_request_exception=False)
    client.force_login(people[role])
    failures = _walk(client, _get_urls(site))
    assert failures == []


def test_library_pages_do_not_answer_500_to_hostile_query_strings(people):
    client = Client(raise_request_exception=False)
    urls = [reverse(name) for name in ("account_login", "account_signup", "account_reset_password")]
    urls.append(reverse("account_login") + "?next=/")
    assert _walk(client, urls) == []
    client.force_login(people["admin"])
    assert _walk(client, ["/admin/", "/admin/members/organisation/"]) == []


@pytest.mark.parametrize(
    "query", ["q=%00", "q=a%00b", "fiscal_year=2018&q=%00", "%00=1", "page=1%00"]
)
def test_a_nul_byte_in_the_query_string_is_a_400_anywhere(client_as, query):
    response = client_as("staff").get(f"{reverse('members:organisation_list')}?{query}")
    assert response.status_code == 400
    response = client_as("admin").get(f"/admin/members/organisation/?{query}")
    assert response.status_code == 400


def test_a_query_string_without_nul_bytes_passes_the_backstop(client_as):
    response = client_as("staff").get(f"{reverse('members:organisation_list')}?q=%E6%A0%AA")
    assert response.status_code == 200


def test_attendance_sheet_search_with_a_nul_byte_is_a_clean_page(site, client_as, settings):  # noqa: F811
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != BACKSTOP]
    meeting = Meeting.objects.get(pk=site["meeting"])
    url = reverse("events:attendance_sheet", args=[meeting.pk])
    response = client_as("staff").get(url, {"q": "山\x00田"})
    assert response.status_code == 200
    assert response.context["q"] == "山田"


@pytest.mark.parametrize("value", [HUGE, "-1", "abc", "10000", "1988", "2101", "20%2018"])
def test_export_with_an_impossible_fiscal_year_says_so(client_as, value):
    url = reverse("reports:export", kwargs={"kind": "attendance", "fmt": "csv"})
    response = client_as("admin").get(f"{url}?fiscal_year={value}", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("reports:exports")
    assert "年度・文字コード・見出しの指定を確認してください。" in response.content.decode()


@pytest.mark.parametrize("value", ["1989", "2100"])
def test_export_accepts_the_first_and_last_fiscal_year(client_as, value):
    url = reverse("reports:export", kwargs={"kind": "participation", "fmt": "csv"})
    response = client_as("admin").get(f"{url}?fiscal_year={value}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_dashboard_with_an_impossible_filter_is_a_clean_page(client_as):
    response = client_as("staff").get(reverse("reports:dashboard"), {"study_group": HUGE})
    assert response.status_code == 200
