import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects import services
from projects.models import Funding
from projects.signals import funding_changed
from tests.projects.factories import FunderFactory, FundingFactory, ProjectFactory

pytestmark = pytest.mark.django_db

HEADER = "事業,年度,資金提供者,制度・事業名,財源の種類,金額（円）,状態,メモ\n"


@pytest.fixture
def names():
    ProjectFactory(name="平塚波力発電 実証事業")
    FunderFactory(name="内閣府")
    FunderFactory(name="環境省")


def _csv(*lines: str, encoding="utf-8-sig") -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode(encoding)


GOOD = (
    '平塚波力発電 実証事業,2017,内閣府,地方創生推進交付金,交付金・補助金,"15,000,000",受領,',
    "平塚波力発電 実証事業,2018年度,内閣府,地方創生推進交付金,grant,15000000,ended,最終年度",
    "平塚波力発電 実証事業,2019,環境省,CO2排出削減対策強化誘導型技術開発・実証事業,委託,,,",
)


def test_good_file_imports_with_history_and_one_signal(names):
    years = []

    def listen(sender, fiscal_years, **kwargs):
        years.append(fiscal_years)

    funding_changed.connect(listen)
    try:
        result = services.funding_import(data=_csv(*GOOD), filename="f.csv", dry_run=False)
    finally:
        funding_changed.disconnect(listen)
    assert result.saved, result.problems
    assert Funding.objects.count() == 3
    unknown = Funding.objects.get(fiscal_year=2019)
    assert (unknown.amount, unknown.status, unknown.kind) == (None, "adopted", "commissioned")
    assert all(f.history.count() == 1 for f in Funding.objects.all())
    assert years == [{2017, 2018, 2019}]


def test_dry_run_saves_nothing_and_sends_nothing(names):
    years = []

    def listen(sender, fiscal_years, **kwargs):
        years.append(fiscal_years)

    funding_changed.connect(listen)
    try:
        result = services.funding_import(data=_csv(*GOOD), filename="f.csv", dry_run=True)
    finally:
        funding_changed.disconnect(listen)
    assert result.ok and not result.saved
    assert years == []
    assert [row["action"] for row in result.rows] == ["new", "new", "new"]
    assert not Funding.objects.exists()


def test_reimport_updates_instead_of_duplicating(names):
    services.funding_import(data=_csv(*GOOD), filename="f.csv", dry_run=False)
    changed = GOOD[0].replace('"15,000,000"', "16000000")
    result = services.funding_import(data=_csv(changed), filename="f.csv", dry_run=False)
    assert result.rows[0]["action"] == "update"
    assert Funding.objects.count() == 3
    assert Funding.objects.get(fiscal_year=2017).amount == 16_000_000


def test_bad_rows_save_nothing_and_name_row_and_column(names):
    data = _csv(
        GOOD[0],
        "平塚波力発電 実証事業,2018,内閣府,地方創生推進交付金,交付金・補助金,-5,受領,",
        "存在しない事業,1988,内閣府,地方創生推進交付金,寄附,100,受領,",
    )
    result = services.funding_import(data=data, filename="f.csv", dry_run=False)
    assert not result.saved
    assert not Funding.objects.exists()
    found = {(p.row, p.column) for p in result.problems}
    assert (3, "金額（円）") in found
    assert (4, "事業") in found
    assert (4, "年度") in found
    assert any("0以上" in p.message for p in result.problems if p.row == 3)


def test_cp932_file_and_missing_column_are_handled(names):
    data = _csv(GOOD[0], encoding="cp932")
    assert services.funding_import(data=data, filename="f.csv", dry_run=True).ok
    result = services.funding_import(
        data="事業,年度\nx,2018\n".encode(), filename="f.csv", dry_run=True
    )
    assert not result.ok and result.problems[0].row is None
    assert "資金提供者" in result.problems[0].message


def test_export_escapes_formula_cells_and_round_trips(names):
    FundingFactory(
        project=ProjectFactory(name='=HYPERLINK("x")'),
        funder=FunderFactory(name="+環境省"),
        scheme="@委託",
        note="-メモ",
    )
    body = services.funding_export(fundings=Funding.objects.all())
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "事業",
        "年度",
        "資金提供者",
        "制度・事業名",
        "財源の種類",
        "金額（円）",
        "状態",
        "メモ",
    ]
    assert rows[1][0] == '\'=HYPERLINK("x")'
    assert rows[1][2] == "'+環境省"
    assert rows[1][3] == "'@委託"
    assert rows[1][7] == "'-メモ"
    assert rows[1][1] == "2018" and rows[1][5] == "10000000"


def test_staff_page_previews_then_confirms(client_as, names):
    client = client_as("staff")
    url = reverse("projects:funding_import")
    upload = SimpleUploadedFile("fundings.csv", _csv(*GOOD), content_type="text/csv")
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    assert "まだ保存されていません" in response.content.decode()
    assert not Funding.objects.exists()
    token = response.context["token"]
    response = client.post(url, {"confirm": "1", "token": token})
    assert response.status_code == 302
    assert Funding.objects.count() == 3


def test_staff_page_shows_errors_and_offers_no_confirm(client_as, names):
    client = client_as("staff")
    upload = SimpleUploadedFile("fundings.csv", _csv("x,2018,内閣府,s,grant,1,,"))
    response = client.post(reverse("projects:funding_import"), {"file": upload})
    body = response.content.decode()
    assert "2行目" in body and "何も保存されていません" in body
    assert 'name="confirm"' not in body
    response = client.post(reverse("projects:funding_import"), {"confirm": "1", "token": "x"})
    assert response.status_code == 302
    assert not Funding.objects.exists()


def _held_files() -> list[str]:
    from consortium.storage import private_storage

    if not private_storage.exists("pending-imports"):
        return []
    return private_storage.listdir("pending-imports")[1]


def test_a_second_confirm_of_a_funding_file_imports_nothing(
    client_as, names, django_capture_on_commit_callbacks
):
    client = client_as("staff")
    url = reverse("projects:funding_import")
    response = client.post(url, {"file": SimpleUploadedFile("fundings.csv", _csv(*GOOD))})
    token = response.context["token"]
    assert len(_held_files()) == 1 and "取り消す" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"confirm": "1", "token": token}).status_code == 302
    assert Funding.objects.count() == 3 and _held_files() == []

    again = client.post(url, {"confirm": "1", "token": token}, follow=True)

    assert Funding.objects.count() == 3
    assert "取り込み済みです" in again.content.decode()
    assert again.redirect_chain[-1][0] == reverse("projects:project_list")


def test_cancelling_a_funding_preview_deletes_the_file(client_as, names):
    client = client_as("staff")
    url = reverse("projects:funding_import")
    response = client.post(url, {"file": SimpleUploadedFile("fundings.csv", _csv(*GOOD))})
    token = response.context["token"]

    response = client.post(url, {"cancel": "1", "token": token}, follow=True)

    assert "取り消しました" in response.content.decode()
    assert _held_files() == []
    client.post(url, {"confirm": "1", "token": token})
    assert not Funding.objects.exists()


def test_a_funding_file_with_errors_is_not_kept(client_as, names):
    client = client_as("staff")
    upload = SimpleUploadedFile("fundings.csv", _csv("x,2018,内閣府,s,grant,1,,"))
    client.post(reverse("projects:funding_import"), {"file": upload})
    assert _held_files() == []


def test_the_funding_export_imports_back_with_nothing_duplicated(names):
    FundingFactory(
        project=ProjectFactory(name='=HYPERLINK("x")'),
        funder=FunderFactory(name="+環境省"),
        scheme="@委託",
        note="-メモ",
        amount=0,
    )
    FundingFactory(scheme="地方創生推進交付金", note="")
    before = list(Funding.objects.values_list("pk", "scheme", "note", "amount").order_by("pk"))
    body = services.funding_export(fundings=Funding.objects.all())

    result = services.funding_import(data=body, filename="財源.csv", dry_run=False)

    assert result.saved, result.problems
    assert {row["action"] for row in result.rows} == {"update"}
    after = list(Funding.objects.values_list("pk", "scheme", "note", "amount").order_by("pk"))
    assert after == before
