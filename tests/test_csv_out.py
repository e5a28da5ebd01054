"""``consortium.csv_out``: the one CSV writer every app's downloads use."""

import datetime as dt

from consortium.csv_out import csv_bytes


def test_a_csv_for_excel_has_a_bom_crlf_lines_and_escaped_formulas():
    data = csv_bytes(["名前", "金額"], [["=1+1", -5], ["平塚", None]])
    assert data == "\ufeff名前,金額\r\n'=1+1,-5\r\n平塚,\r\n".encode()


def test_a_file_for_programs_keeps_its_text_as_it_is():
    data = csv_bytes(["id", "date"], [["@x", dt.date(2025, 4, 1)]], escape_formulas=False)
    assert data == "\ufeffid,date\r\n@x,2025-04-01\r\n".encode()


def test_other_encodings_write_no_bom():
    assert csv_bytes(["平塚"], [], encoding="cp932") == "平塚\r\n".encode("cp932")
