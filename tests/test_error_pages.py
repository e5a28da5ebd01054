"""The pages for requests that cannot be served: Kyoso's layout, menu and language, never
Django's bare English defaults (a staff member following a link to /reports/exports/ saw a bare
"403 Forbidden"). Checked with ``DEBUG=false``, as production runs."""

import pytest
from django.test import Client
from django.urls import path

import consortium.urls
from consortium import errors


def _fails(request):
    raise RuntimeError("a view that fails")


urlpatterns = [path("fails/", _fails), *consortium.urls.urlpatterns]
handler500 = consortium.urls.handler500


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def _page(response) -> str:
    return response.content.decode()


def _in_the_layout(page: str) -> bool:
    return 'class="site-nav"' in page and 'class="error-page"' in page


def test_a_missing_page_is_404_in_the_sites_layout(client, db):
    response = client.get("/no-such-page/")
    page = _page(response)
    assert response.status_code == 404
    assert "ページが見つかりません" in page and "404" in page
    assert _in_the_layout(page) and 'href="/"' in page
    assert "<title>ページが見つかりません |" in page


def test_the_404_page_in_english(client, db):
    client.cookies["django_language"] = "en"
    page = _page(client.get("/no-such-page/"))
    assert "Page not found" in page and "ページが見つかりません" not in page
    assert '<html lang="en">' in page


def test_a_member_refused_a_staff_page_is_told_why(client_as):
    response = client_as("member_a").get("/reports/exports/")
    page = _page(response)
    assert response.status_code == 403
    assert "このページを表示する権限がありません" in page and "事務局にお問い合わせください" in page
    assert _in_the_layout(page)
    assert "ログインする" not in page  # signed in already


def test_the_403_page_in_english(client_as):
    client = client_as("member_a")
    client.cookies["django_language"] = "en"
    page = _page(client.get("/reports/exports/"))
    assert "You do not have permission to view this page" in page


def test_a_bad_request_is_400_in_the_sites_layout(client, db):
    response = client.get("/", HTTP_HOST="not-this-site.example")
    page = _page(response)
    assert response.status_code == 400
    assert "リクエストを処理できませんでした" in page


def test_a_failed_csrf_check_explains_what_to_do(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@example.jp", "password": "x"})
    page = _page(response)
    assert response.status_code == 403
    assert "送信を受け付けられませんでした" in page and "読み込み直して" in page
    assert _in_the_layout(page)
    assert "CSRF verification failed" not in page


def test_the_csrf_page_in_english(db):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    page = _page(client.post("/accounts/login/", {}))
    assert "The form could not be accepted" in page and "Reload the page" in page


def test_a_failing_view_answers_kyosos_500_page(settings, db):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/fails/")
    page = _page(response)
    assert response.status_code == 500
    assert "システムエラーが発生しました" in page and _in_the_layout(page)


def test_the_500_page_answers_when_the_page_with_the_menu_cannot_be_drawn(
    settings, db, monkeypatch
):
    settings.ROOT_URLCONF = __name__

    def broken(*args, **kwargs):
        raise RuntimeError("the database is down")

    monkeypatch.setattr(errors, "render", broken)
    response = Client(raise_request_exception=False).get("/fails/")
    page = _page(response)
    assert response.status_code == 500
    assert "システムエラーが発生しました" in page and 'class="error-page"' in page
