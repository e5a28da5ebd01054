import pytest
from django.core.management import CommandError, call_command

from members.importing import roster_import
from members.models import Membership, Organisation, Person, Sector, StudyGroup
from members.signals import membership_changed
from tests.members.factories import (
    EN_HEADER,
    OrganisationFactory,
    roster_csv,
    roster_xlsx,
)

pytestmark = pytest.mark.django_db

GOOD_ROWS = [
    [
        "平塚市 産業振興課",
        "ヒラツカシ",
        "行政",
        "市内",
        "",
        "佐藤 一郎",
        "sato@city.example.jp",
        "産業振興課",
        "平塚海洋エネルギー研究会",
    ],
    [
        "渋谷潜水工業株式会社",
        "シブヤセンスイ",
        "企業",
        "1",
        "7000012050002",
        "鈴木 花子",
        "suzuki@example.jp",
        "技術部",
        "平塚海洋エネルギー研究会/第2部会",
    ],
    [
        "渋谷潜水工業株式会社",
        "シブヤセンスイ",
        "企業",
        "1",
        "7000012050002",
        "鈴木 花子",
        "suzuki@example.jp",
        "技術部",
        "平塚海洋エネルギー研究会",
    ],
    ["東京大学生産技術研究所", "", "university", "false", "", "", "", "", ""],
]


def test_good_roster_creates_organisations_people_groups_and_memberships():
    result = roster_import(data=roster_csv(GOOD_ROWS), filename="roster.csv")

    assert result.ok, result.errors
    assert Organisation.objects.count() == 3
    diver = Organisation.objects.get(corporate_number="7000012050002")
    assert diver.sector == Sector.COMPANY and diver.is_local
    assert not Organisation.objects.get(name="東京大学生産技術研究所").is_local
    assert Person.objects.filter(organisation=diver).count() == 1
    sub = StudyGroup.objects.get(name="第2部会")
    assert sub.parent.name == "平塚海洋エネルギー研究会"
    assert StudyGroup.objects.count() == 2
    assert set(
        Membership.objects.filter(organisation=diver).values_list("study_group__name", flat=True)
    ) == {"第2部会", "平塚海洋エネルギー研究会"}
    assert result.memberships_created == 3


def test_reimporting_the_same_roster_creates_nothing_new():
    roster_import(data=roster_csv(GOOD_ROWS), filename="roster.csv")
    result = roster_import(data=roster_csv(GOOD_ROWS), filename="roster.csv")

    assert result.ok
    assert result.organisations_created == 0 and result.memberships_created == 0
    assert Organisation.objects.count() == 3 and Membership.objects.count() == 3


def test_existing_organisation_is_matched_by_corporate_number_before_name():
    existing = OrganisationFactory(name="旧社名", corporate_number="7000012050002")
    roster_import(data=roster_csv(GOOD_ROWS[1:2]), filename="roster.csv")

    existing.refresh_from_db()
    assert existing.name == "渋谷潜水工業株式会社"
    assert Organisation.objects.count() == 1


def test_existing_organisation_without_number_is_matched_by_exact_name():
    existing = OrganisationFactory(name="東京大学生産技術研究所", corporate_number=None)
    roster_import(data=roster_csv(GOOD_ROWS[3:]), filename="roster.csv")

    assert Organisation.objects.get().pk == existing.pk


def test_bad_rows_save_nothing_and_every_bad_row_is_reported_with_row_and_column():
    rows = [
        GOOD_ROWS[0],
        ["", "", "企業", "1", "", "", "", "", ""],  # row 3: missing name
        ["悪い番号株式会社", "", "企業", "1", "7000012050001", "", "", "", ""],  # row 4
        ["謎の団体", "", "宇宙", "はい", "", "", "", "", ""],  # row 5: unknown sector
        ["市内不明", "", "団体", "たぶん", "", "", "", "", ""],  # row 6: bad 市内
    ]
    result = roster_import(data=roster_csv(rows), filename="roster.csv")

    assert not result.ok
    assert {(e.row, e.column) for e in result.errors} == {
        (3, "organisation"),
        (4, "corporate_number"),
        (5, "sector"),
        (6, "local"),
    }
    assert "4行目 法人番号/corporate_number" in str(next(e for e in result.errors if e.row == 4))
    assert Organisation.objects.count() == 0
    assert StudyGroup.objects.count() == 0


def test_cp932_csv_is_read():
    result = roster_import(data=roster_csv(GOOD_ROWS, encoding="cp932"), filename="meibo.csv")

    assert result.ok
    assert Organisation.objects.filter(name="平塚市 産業振興課").exists()


def test_utf8_csv_with_bom_and_english_headers_is_read():
    data = roster_csv(GOOD_ROWS, header=EN_HEADER, encoding="utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")

    result = roster_import(data=data, filename="roster.csv")

    assert result.ok
    assert Organisation.objects.count() == 3


def test_xlsx_roster_is_read():
    rows = [list(row) for row in GOOD_ROWS]
    rows[1][3] = 1  # a number cell for 市内
    result = roster_import(data=roster_xlsx(rows), filename="roster.xlsx")

    assert result.ok, result.errors
    assert Organisation.objects.get(corporate_number="7000012050002").is_local


def test_dry_run_counts_but_saves_nothing():
    result = roster_import(data=roster_csv(GOOD_ROWS), filename="roster.csv", dry_run=True)

    assert result.ok and result.organisations_created == 3
    assert Organisation.objects.count() == 0


def test_formula_looking_text_is_stored_as_text():
    rows = [['=HYPERLINK("http://x")', "", "企業", "0", "", "", "", "", ""]]
    roster_import(data=roster_csv(rows), filename="roster.csv")

    assert Organisation.objects.get().name == '=HYPERLINK("http://x")'


def test_import_announces_membership_fiscal_years():
    received = []

    def receiver(sender, fiscal_years, **kwargs):
        received.append(fiscal_years)

    membership_changed.connect(receiver)
    try:
        roster_import(data=roster_csv(GOOD_ROWS[:1]), filename="roster.csv")
    finally:
        membership_changed.disconnect(receiver)

    assert len(received) == 1 and len(received[0]) == 1


def test_command_imports_and_dry_run_saves_nothing(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(GOOD_ROWS))

    call_command("import_roster", str(path), "--dry-run")
    assert Organisation.objects.count() == 0

    call_command("import_roster", str(path))
    assert Organisation.objects.count() == 3


def test_command_reports_bad_rows_and_fails(tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv([["X社", "", "企業", "1", "7000012050001", "", "", "", ""]]))

    with pytest.raises(CommandError):
        call_command("import_roster", str(path))

    assert "2行目 法人番号/corporate_number" in capsys.readouterr().err
    assert Organisation.objects.count() == 0


# --- Kyoso's own export imports back unchanged ---------------------------------------------------


def _roster_with_formula_like_text():
    from tests.factories import MembershipFactory, PersonFactory, StudyGroupFactory

    parent = StudyGroupFactory(name="平塚海洋エネルギー研究会")
    odd_group = StudyGroupFactory(name="-3+2 分科会")
    plain = OrganisationFactory(name="平塚市 産業振興課", is_local=True, corporate_number=None)
    formula = OrganisationFactory(name="=HYPERLINK(1) 株式会社", is_local=False)
    at = OrganisationFactory(name="@湘南ラボ", is_local=True, corporate_number=None)
    PersonFactory(organisation=plain, name="佐藤 一郎", email="", department="+産業振興課")
    PersonFactory(organisation=formula, name="-鈴木 花子", email="suzuki@example.jp")
    PersonFactory(organisation=formula, name="田中 次郎", email="tanaka@example.jp")
    for organisation in (plain, formula):
        MembershipFactory(organisation=organisation, study_group=parent)
    MembershipFactory(organisation=formula, study_group=odd_group)
    MembershipFactory(organisation=at, study_group=odd_group)


def _counts():
    return (
        Organisation.objects.count(),
        Person.objects.count(),
        Membership.objects.count(),
        StudyGroup.objects.count(),
    )


def test_the_roster_export_imports_back_with_nothing_duplicated():
    from members.resources import RosterResource

    _roster_with_formula_like_text()
    before = _counts()
    exported = RosterResource().export(queryset=Organisation.objects.all()).export("csv")
    assert "'=HYPERLINK(1) 株式会社" in exported and "'-3+2 分科会" in exported  # OWASP

    result = roster_import(data=exported.encode("utf-8-sig"), filename="名簿.csv")

    assert result.ok, result.errors or result.file_error
    assert _counts() == before
    assert (result.organisations_created, result.people_created) == (0, 0)
    assert result.memberships_created == result.study_groups_created == 0
    assert Organisation.objects.filter(name="=HYPERLINK(1) 株式会社", is_local=False).exists()
    assert Person.objects.get(name="佐藤 一郎").department == "+産業振興課"


def test_a_typed_xlsx_roster_imports_back_with_nothing_duplicated(tmp_path):
    """The XLSX form: formula-like text as plain string cells (no apostrophe), 市内 as text,
    TRUE or 1; and the earlier form with a visible apostrophe."""
    import io

    import openpyxl

    from members.resources import roster_rows

    _roster_with_formula_like_text()
    before = _counts()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        ["団体名", "団体名カナ", "区分", "市内", "法人番号", "氏名", "メール", "所属", "研究会"]
    )
    local_forms = {"市内": [True, 1, "市内"], "市外": [False, 0, "市外"]}
    for index, row in enumerate(roster_rows(Organisation.objects.all()), start=2):
        row[3] = local_forms[row[3]][index % 3]
        if index % 2:
            row = [f"'{v}" if isinstance(v, str) and v and v[0] in "=+-@" else v for v in row]
        sheet.append(row)
        for cell in sheet[index]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = roster_import(data=buffer.getvalue(), filename="名簿.xlsx")

    assert result.ok, result.errors or result.file_error
    assert _counts() == before


def test_an_apostrophe_before_ordinary_text_is_kept():
    data = "団体名,区分\n'湘南,企業\n".encode()
    assert roster_import(data=data, filename="名簿.csv").ok
    assert Organisation.objects.filter(name="'湘南").exists()


def test_a_roster_that_reclassifies_an_organisation_tells_the_reports():
    """区分 and 市内 feed the roll-up: an import that changes them is a domain event too."""
    from members.models import Sector
    from members.signals import organisation_changed

    existing = OrganisationFactory(
        name="渋谷潜水工業株式会社", corporate_number="7000012050002", sector=Sector.UNIVERSITY
    )
    received = []

    def receiver(sender, organisation_id, **kwargs):
        received.append(organisation_id)

    organisation_changed.connect(receiver)
    try:
        roster_import(data=roster_csv(GOOD_ROWS[1:2]), filename="roster.csv")
        roster_import(data=roster_csv(GOOD_ROWS[1:2]), filename="roster.csv")  # nothing changes
    finally:
        organisation_changed.disconnect(receiver)
    existing.refresh_from_db()
    assert existing.sector == Sector.COMPANY
    assert received == [existing.pk]
