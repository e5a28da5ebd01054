import csv
import datetime as dt
import io

import openpyxl
import pytest

from reports.writers import ExportEncodingError, csv_bytes, iter_csv, xlsx_bytes

HEADER = ["名前", "値"]


def parse(data: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def test_csv_starts_with_a_bom_by_default():
    data = csv_bytes(HEADER, [["平塚", 1]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\xef\xbb\xbf") == 1
    assert parse(data) == [HEADER, ["平塚", "1"]]


def test_cp932_csv_has_no_bom_and_reads_back_in_shift_jis():
    data = csv_bytes(HEADER, [["平塚海洋エネルギー研究会", 5]], encoding="cp932")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert parse(data, "cp932") == [HEADER, ["平塚海洋エネルギー研究会", "5"]]


def test_cp932_error_names_row_column_and_character():
    rows = [["平塚", 1], ["𠮷野家", 2]]  # 𠮷 (U+20BB7) has no Shift_JIS code
    with pytest.raises(ExportEncodingError) as error:
        csv_bytes(HEADER, rows, encoding="cp932")
    message = str(error.value)
    assert "3行目" in message
    assert "名前" in message
    assert "𠮷" in message


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","x")', "+1", "-1+1", "@SUM(A1:A2)", "\tcmd", "\rcmd"],
)
def test_formula_like_text_is_escaped(text):
    [_, row] = parse(csv_bytes(HEADER, [[text, 1]]))
    assert row[0] == "'" + text


def test_numbers_stay_numbers_and_dates_are_iso():
    [_, row] = parse(csv_bytes(["a", "b"], [[-5, dt.date(2019, 4, 1)]]))
    assert row == ["-5", "2019-04-01"]


def test_streamed_csv_comes_in_chunks_of_rows():
    rows = ([f"名前{i}", i] for i in range(4500))
    chunks = list(iter_csv(HEADER, rows, chunk_rows=2000))
    assert len(chunks) == 1 + 3  # header, 2000, 2000, 500
    assert len(parse(b"".join(chunks))) == 4501


def test_streamed_cp932_error_counts_rows_across_chunks():
    rows = [[f"名前{i}", i] for i in range(5)] + [["𠮷", 0]]
    with pytest.raises(ExportEncodingError, match="7行目"):
        list(iter_csv(HEADER, iter(rows), encoding="cp932", chunk_rows=2))


def test_xlsx_keeps_formula_like_text_as_text_without_an_apostrophe():
    rows = [["=1+1", 2], ["-3+2 分科会", -3], ["@SUM(A1)", 0], ["#N/A", 1], ["+81 463", 2]]
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(HEADER, rows)))
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == HEADER
    for number, (text, value) in enumerate(rows, start=2):
        cell = sheet.cell(number, 1)
        assert (cell.value, cell.data_type) == (text, "s")
        assert (sheet.cell(number, 2).value, sheet.cell(number, 2).data_type) == (value, "n")


def test_xlsx_cells_hold_dates_as_dates_and_numbers_as_numbers():
    import decimal

    header = ["開催日", "記録日時", "年度", "金額", "割合", "空欄", "市内"]
    recorded = dt.datetime(2018, 6, 15, 4, 30, tzinfo=dt.UTC)  # 13:30 in Tokyo
    row = [dt.date(2018, 6, 15), recorded, 2018, decimal.Decimal("1000000"), 0.5, None, "市内"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(header, [row]))).active
    date, when, year, amount, share, empty, local = sheet[2]
    assert (date.value, date.number_format, date.is_date) == (
        dt.datetime(2018, 6, 15),
        "yyyy-mm-dd",
        True,
    )
    assert (when.value, when.number_format) == (
        dt.datetime(2018, 6, 15, 13, 30),
        "yyyy-mm-dd hh:mm",
    )
    assert [(c.value, c.data_type) for c in (year, amount, share)] == [
        (2018, "n"),
        (1000000, "n"),
        (0.5, "n"),
    ]
    assert empty.value is None
    assert local.value == "市内"


def test_xlsx_sheet_has_the_given_title():
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(HEADER, [], title="出欠明細")))
    assert book.sheetnames == ["出欠明細"]


def test_cp932_error_carries_the_cell_for_the_error_page():
    with pytest.raises(ExportEncodingError) as error:
        csv_bytes(HEADER, [["平塚", 1], ["x", "𠮷"]], encoding="cp932")
    assert (error.value.row, error.value.column, error.value.char) == (3, "値", "𠮷")
