"""Hostile spreadsheets are refused fast and in bounded memory, by every way in.

Each file is read in a child process (a fresh Python with Django set up, as a gunicorn worker or
``manage.py`` would be) that reports its wall time and peak RSS (``ru_maxrss``): a dimension bomb
(a few KB declaring ``A1:XFD1048576``), a sparse sheet with a value in the last cell, a zip bomb
(a few MB unpacking to more than 1 GB of sheet XML) and a 50 MB CSV given to ``import_roster``.
The files are made in ``tmp_path``; the zip bomb is written as one deflate block repeated after
full flushes, so making it costs a CRC, not compressing a gigabyte.
"""

from __future__ import annotations

import io
import json
import os
import re
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consortium.tabular import Limits, TableError, read_rows

REPO = Path(__file__).resolve().parents[2]
MAX_RSS_MB = 200
MAX_SECONDS = 10  # the target is 2 s; the bound leaves room for a loaded CI machine
ONE_GB = 1 << 30

CHILD = textwrap.dedent(
    """
    import json, os, resource, sys, time
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consortium.test_settings")
    import django
    django.setup()
    mode, path = sys.argv[1], sys.argv[2]
    started = time.monotonic()
    outcome = {"error": "", "rows": None}
    if mode == "read":
        from consortium.tabular import TableError, read_table
        from members.importing import COLUMNS
        try:
            table = read_table(open(path, "rb").read(), os.path.basename(path), COLUMNS)
            outcome["rows"] = len(table.rows)
        except TableError as exc:
            outcome["error"] = str(exc)
    else:
        from django.core.management import call_command
        from django.core.management.base import CommandError
        try:
            call_command(mode, path)
        except CommandError as exc:
            outcome["error"] = str(exc)
    outcome["seconds"] = time.monotonic() - started
    # VmHWM is this process's own peak; ru_maxrss would include the parent's before exec.
    try:
        status = open("/proc/self/status").read()
        peak_kb = int(status.split("VmHWM:")[1].split()[0])
    except (OSError, IndexError):
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcome["rss_mb"] = peak_kb / 1024
    print(json.dumps(outcome, ensure_ascii=False))
    """
)


def _run(tmp_path: Path, mode: str, path: Path) -> dict:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "consortium.test_settings",
        # Should the refusal fail, the command finds an empty database, never a real one.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "PYTHONPATH": str(REPO),
    }
    done = subprocess.run(
        [sys.executable, str(script), mode, str(path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{path.name}: {outcome['seconds']:.2f} s, peak RSS {outcome['rss_mb']:.0f} MB")
    return outcome


def _bounded(outcome: dict) -> None:
    assert outcome["seconds"] < MAX_SECONDS
    assert outcome["rss_mb"] < MAX_RSS_MB


def _workbook(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite_sheet(xlsx: bytes, change) -> bytes:
    """The same workbook with its first sheet's XML passed through ``change``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


DIMENSION_BOMB = '<dimension ref="A1:XFD1048576"/>'
ROSTER = [["団体名", "区分", "市内"], ["株式会社湘南マリン", "企業", "市内"]]


def dimension_bomb() -> bytes:
    """A roster declaring every cell of the sheet, with one more value in the last row.

    Trusting the declared ``<dimension>``, openpyxl pads the million rows between to 16,384
    cells each (the 2.8 GB MemoryError of a 4.7 KB file)."""

    def declare_all(xml: str) -> str:
        declared, count = re.subn(r'<dimension ref="A1:C2"\s*/>', DIMENSION_BOMB, xml)
        assert count == 1
        return declared.replace("</sheetData>", _far_cell("A") + "</sheetData>")

    return _rewrite_sheet(_workbook(ROSTER), declare_all)


def last_cell_sheet() -> bytes:
    """The roster and one more value in the sheet's very last cell XFD1048576, undeclared
    (a reader trusting the dimension A1:C2 would drop it without a word)."""
    return _rewrite_sheet(
        _workbook(ROSTER),
        lambda xml: xml.replace("</sheetData>", _far_cell("XFD") + "</sheetData>"),
    )


def _far_cell(column: str) -> str:
    return f'<row r="1048576"><c r="{column}1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already deflated members: (name, raw deflate data, crc32, unpacked size)."""
    body, directory = io.BytesIO(), io.BytesIO()
    for name, packed, crc, size in members:
        offset = body.tell()
        encoded = name.encode()
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(packed), size, len(encoded), 0
        )
        body.write(header + encoded + packed)
        directory.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(packed),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    count = len(members)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, directory.tell(), body.tell(), 0)
    return body.getvalue() + directory.getvalue() + end


def _deflated(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)


def zip_bomb(unpacked: int = ONE_GB + (64 << 20)) -> bytes:
    """A real workbook whose sheet XML unpacks to more than 1 GB (a few MB packed)."""
    small = _zip_members(_workbook(ROSTER))
    block = b'<row><c t="inlineStr"><is><t>bomb</t></is></c></row>' * 20_000  # ~1 MB, whole rows
    head = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    tail = b"</sheetData></worksheet>"
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed_head = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    packed_block = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    # After a full flush the compressor starts afresh: the same block packs to the same bytes.
    assert packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH) == packed_block
    blocks = unpacked // len(block)
    crc = zlib.crc32(head)
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    packed = packed_head + packed_block * blocks + packer.compress(tail) + packer.flush()
    size = len(head) + blocks * len(block) + len(tail)
    return _zip(_with_sheet(small, (SHEET, packed, crc, size)))


SHEET = "xl/worksheets/sheet1.xml"


def _zip_members(xlsx: bytes) -> list[tuple[str, bytes, int, int]]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return [
            _deflated(info.filename, archive.read(info.filename)) for info in archive.infolist()
        ]


def _with_sheet(members, sheet) -> list[tuple[str, bytes, int, int]]:
    return [sheet if member[0] == SHEET else member for member in members]


# --- The files themselves ------------------------------------------------------------------------


def test_the_hostile_files_are_what_they_claim():
    bomb = dimension_bomb()
    assert len(bomb) < 8 * 1024
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert DIMENSION_BOMB.encode() in archive.read(SHEET)
    big = zip_bomb()
    assert len(big) < 8 << 20
    with zipfile.ZipFile(io.BytesIO(big)) as archive:
        assert sum(info.file_size for info in archive.infolist()) > ONE_GB


# --- In a child process, with a memory bound -----------------------------------------------------


def test_a_dimension_bomb_is_refused_at_the_row_limit_in_bounded_memory(tmp_path):
    path = tmp_path / "名簿.xlsx"
    path.write_bytes(dimension_bomb())
    outcome = _run(tmp_path, "read", path)
    assert "行が多すぎます" in outcome["error"] and "20000 行まで" in outcome["error"]
    _bounded(outcome)


def test_a_declared_dimension_is_ignored():
    """Only the cells really there are read: no padding to the declared 16,384 columns."""
    bomb = _rewrite_sheet(
        _workbook(ROSTER),
        lambda xml: re.sub(r'<dimension ref="A1:C2"\s*/>', DIMENSION_BOMB, xml),
    )
    rows, _encoding = read_rows(bomb, "名簿.xlsx")
    assert rows == ROSTER


def test_a_value_in_the_last_cell_is_refused_at_the_column_limit(tmp_path):
    path = tmp_path / "名簿.xlsx"
    path.write_bytes(last_cell_sheet())
    outcome = _run(tmp_path, "read", path)
    assert "列が多すぎます" in outcome["error"] or "行が多すぎます" in outcome["error"]
    _bounded(outcome)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = tmp_path / "名簿.xlsx"
    path.write_bytes(zip_bomb())
    outcome = _run(tmp_path, "read", path)
    assert "展開後の大きさ" in outcome["error"] and "上限" in outcome["error"]
    _bounded(outcome)


def test_a_50_mb_csv_is_refused_by_import_roster_before_it_is_read(tmp_path):
    path = tmp_path / "名簿.csv"
    line = "株式会社湘南マリン,企業,市内," + "x" * 60 + "\n"
    block = line * 10_000
    with path.open("w", encoding="utf-8") as handle:
        handle.write("団体名,区分,市内,備考\n")
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(block)
    assert path.stat().st_size > 49 * 1024 * 1024
    outcome = _run(tmp_path, "import_roster", path)
    assert "ファイルが大きすぎます" in outcome["error"]
    _bounded(outcome)
    # Far less than the file: it was never read whole.
    assert outcome["rss_mb"] < 150


def test_import_attendance_refuses_an_oversized_file_too(tmp_path, settings):
    path = tmp_path / "出席簿.csv"
    path.write_bytes(b"a" * 2048)
    settings.KYOSO_IMPORT_MAX_BYTES = 1024
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ファイルが大きすぎます"):
        call_command("import_attendance", str(path))


# --- The limits, one by one ----------------------------------------------------------------------

SMALL = Limits(
    file_bytes=1 << 20, rows=5, columns=4, uncompressed_bytes=1 << 20, compression_ratio=100
)


def test_rows_past_the_limit_are_refused_with_the_limit_named():
    data = ("a,b\n" + "1,2\n" * 6).encode()
    with pytest.raises(TableError, match="5 行まで"):
        read_rows(data, "f.csv", limits=SMALL)
    rows, _ = read_rows(("a,b\n" + "1,2\n" * 5 + "\n" * 50).encode(), "f.csv", limits=SMALL)
    assert len([r for r in rows if r]) == 6  # trailing empty lines are no rows


def test_columns_past_the_limit_are_refused_with_row_and_column():
    data = b"a,b\n1,2,,,,x\n"
    with pytest.raises(TableError, match="4 列まで.*2行目の 6列目"):
        read_rows(data, "f.csv", limits=SMALL)
    rows, _ = read_rows(b"a,b,,,,,,\n1,2,,,,,,\n", "f.csv", limits=SMALL)
    assert rows == [["a", "b"], ["1", "2"]]  # empty cells past the data do not count


def test_xlsx_rows_and_columns_past_the_limit_are_refused():
    with pytest.raises(TableError, match="5 行まで"):
        read_rows(_workbook([["a"]] * 7), "f.xlsx", limits=SMALL)
    with pytest.raises(TableError, match="4 列まで"):
        read_rows(_workbook([["a", "b", "c", "d", "e"]]), "f.xlsx", limits=SMALL)


def test_an_xlsx_that_unpacks_past_the_limit_or_packs_too_well_is_refused():
    packed = _workbook([["x" * 1000]] + [["y" * 1000]] * 3)
    with pytest.raises(TableError, match="展開後の大きさ"):
        read_rows(packed, "f.xlsx", limits=Limits(1 << 20, 5, 4, 4096, 1000))
    sparse = _zip(_with_sheet(_zip_members(packed), _deflated(SHEET, b" " * 900_000)))
    with pytest.raises(TableError, match="圧縮率が異常です"):
        read_rows(sparse, "f.xlsx", limits=SMALL)


def test_a_file_past_the_size_limit_is_refused_before_parsing():
    with pytest.raises(TableError, match="ファイルが大きすぎます"):
        read_rows(b"a,b\n" * 1000, "f.csv", limits=Limits(100, 5, 4, 1 << 20, 100))


@pytest.mark.django_db
def test_staff_upload_of_a_zip_bomb_gets_a_clear_message(client_as, settings):
    settings.KYOSO_IMPORT_MAX_UNCOMPRESSED_BYTES = 1 << 20
    data = _zip(_with_sheet(_zip_members(_workbook(ROSTER)), _deflated(SHEET, b"<x/>" * 1_000_000)))
    response = client_as("staff").post(
        reverse("events:import_upload"),
        {"file": SimpleUploadedFile("出席簿.xlsx", data), "encoding": ""},
        follow=True,
    )
    assert "展開後の大きさ" in response.content.decode()


@pytest.mark.django_db
def test_admin_import_reads_through_the_bounded_reader(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@city.example.jp", "x")
    client.force_login(root)
    response = client.post(
        "/admin/members/organisation/import/",
        {"format": "1", "import_file": SimpleUploadedFile("名簿.xlsx", last_cell_sheet())},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "行が多すぎます" in body or "列が多すぎます" in body
