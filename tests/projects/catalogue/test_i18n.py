"""Every msgid of the catalogue's modules, pages and e-mails has an English translation."""

from pathlib import Path

from django.conf import settings

from tests.projects.calls.test_i18n import _msgids_of_python, _msgids_of_template, english

BASE = Path(settings.BASE_DIR)
# Every module and template of the catalogue, so that a new page is checked the day it exists.
PYTHON_FILES = sorted(
    str(path.relative_to(BASE)) for path in (BASE / "projects/catalogue").rglob("*.py")
) + ["projects/receivers.py"]
TEMPLATES = sorted(
    str(path.relative_to(BASE))
    for path in (BASE / "templates/projects/catalogue").rglob("*")
    if path.is_file()
) + ["templates/projects/_nav.html", "templates/members/organisation_detail.html"]


def msgids() -> set[str]:
    found = set()
    for path in PYTHON_FILES:
        found |= _msgids_of_python((BASE / path).read_text())
    for path in TEMPLATES:
        found |= _msgids_of_template((BASE / path).read_text(), path)
    return found


def test_every_catalogue_msgid_has_an_english_translation():
    found = msgids()
    assert len(found) > 100  # the collector really reads the files
    missing = sorted(found - set(english()))
    assert missing == []
