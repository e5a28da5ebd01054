"""Every reports URL × the five roles. Exports and the status panel are administrators' only;
the dashboard is for the secretariat; open data is public. Reports hold no per-organisation
objects, so there is no 404 case here."""

import pytest
from django.urls import reverse

from tests.conftest import ROLES

LOGIN = "/accounts/login/"
SECRETARIAT = {"anonymous": 302, "member_a": 403, "member_b": 403, "staff": 200, "admin": 200}
ADMIN_ONLY = {"anonymous": 302, "member_a": 403, "member_b": 403, "staff": 403, "admin": 200}
PUBLIC = dict.fromkeys(ROLES, 200)

GET_CASES = [
    ("reports:dashboard", {}, "", SECRETARIAT),
    ("reports:status", {}, "", ADMIN_ONLY),
    ("reports:exports", {}, "", ADMIN_ONLY),
    ("reports:export_log", {}, "", ADMIN_ONLY),
    ("reports:export", {"kind": "participation", "fmt": "csv"}, "", ADMIN_ONLY),
    ("reports:export", {"kind": "participation", "fmt": "xlsx"}, "", ADMIN_ONLY),
    ("reports:export", {"kind": "funding", "fmt": "csv"}, "?fiscal_year=2018", ADMIN_ONLY),
    ("reports:export", {"kind": "funding", "fmt": "xlsx"}, "", ADMIN_ONLY),
    ("reports:export", {"kind": "calls", "fmt": "csv"}, "", ADMIN_ONLY),
    ("reports:export", {"kind": "calls", "fmt": "xlsx"}, "?fiscal_year=2025", ADMIN_ONLY),
    ("reports:export", {"kind": "indicators", "fmt": "csv"}, "", ADMIN_ONLY),
    ("reports:export", {"kind": "indicators", "fmt": "xlsx"}, "?fiscal_year=2018", ADMIN_ONLY),
    ("reports:export", {"kind": "attendance", "fmt": "csv"}, "?fiscal_year=2018", ADMIN_ONLY),
    ("reports:export", {"kind": "attendance", "fmt": "xlsx"}, "?fiscal_year=2018", ADMIN_ONLY),
    ("reports:open_data", {}, "", PUBLIC),
    ("reports:open_data_csv", {}, "", PUBLIC),
    ("reports:open_data_csv", {}, "?layout=legacy", PUBLIC),
    ("reports:open_data_xlsx", {}, "", PUBLIC),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "kwargs", "query", "expected"), GET_CASES)
def test_get_permission_matrix(client_as, role, name, kwargs, query, expected):
    response = client_as(role).get(reverse(name, kwargs=kwargs) + query)
    assert response.status_code == expected[role]
    if expected[role] == 302:
        assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("role", ROLES)
def test_recompute_is_for_administrators_only(client_as, role):
    response = client_as(role).post(reverse("reports:recompute"))
    if role == "admin":
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:status")
    elif role == "anonymous":
        assert response["Location"].startswith(LOGIN)
    else:
        assert response.status_code == 403


def test_unknown_export_kind_or_format_is_404(client_as):
    client = client_as("admin")
    assert client.get("/reports/exports/people.csv").status_code == 404
    assert client.get("/reports/exports/participation.pdf").status_code == 404


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("anonymous", {"オープンデータ"}),
        ("member_a", {"オープンデータ"}),
        ("staff", {"オープンデータ", "ダッシュボード"}),
        ("admin", {"オープンデータ", "ダッシュボード", "集計状況", "年次報告出力"}),
    ],
)
def test_menu_shows_reports_pages_by_role(client_as, role, visible):
    html = client_as(role).get(reverse("reports:open_data")).content.decode()
    nav = html.split('id="site-nav"', 1)[1].split("</nav>", 1)[0]
    for label in ("オープンデータ", "ダッシュボード", "集計状況", "年次報告出力"):
        assert (f">{label}</a>" in nav) == (label in visible), label
