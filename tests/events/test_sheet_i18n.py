"""Every msgid of the attendance sheet, walk-ins and the import pages has an English translation."""

from pathlib import Path

from django.conf import settings

from tests.projects.calls.test_i18n import _msgids_of_python, _msgids_of_template, english

BASE = Path(settings.BASE_DIR)
PYTHON_FILES = ["events/views/sheet.py", "events/views/imports.py", "events/querysets.py"]
TEMPLATES = [
    "templates/events/attendance_sheet.html",
    "templates/events/_sheet_row.html",
    "templates/events/_sheet_group.html",
    "templates/events/_sheet_sync.html",
    "templates/events/_sheet_totals.html",
    "templates/events/_people_search.html",
    "templates/events/_walk_in_candidates.html",
    "templates/events/import_preview.html",
    "templates/events/import_result.html",
]
# The services' messages shown on the sheet (services.py is shared with other features).
SERVICE_MSGIDS = {
    "似た名前の団体が登録されています。どれかを選ぶか、新しい団体として登録してください。",
    "他の担当者が先に記録しました。保存されている記録を表示しています。",
}


def test_every_sheet_msgid_has_an_english_translation():
    found = set(SERVICE_MSGIDS)
    for path in PYTHON_FILES:
        found |= _msgids_of_python((BASE / path).read_text())
    for path in TEMPLATES:
        found |= _msgids_of_template((BASE / path).read_text(), path)
    translated = english()
    assert sorted(m for m in found if m not in translated) == []
