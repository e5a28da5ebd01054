"""Every msgid of the public catalogue's pages, search and open data has an English translation."""

from pathlib import Path

from django.conf import settings

from tests.projects.calls.test_i18n import _msgids_of_python, _msgids_of_template, english

BASE = Path(settings.BASE_DIR)
PYTHON_FILES = [
    "projects/catalogue/search.py",
    "projects/catalogue/opendata.py",
    "projects/catalogue/views/public.py",
]
TEMPLATES = sorted(
    str(path.relative_to(BASE)) for path in (BASE / "templates/projects/catalogue").glob("public_*")
) + ["templates/projects/_nav.html", "templates/members/home.html"]


def test_every_public_catalogue_msgid_has_an_english_translation():
    found = set()
    for path in PYTHON_FILES:
        found |= _msgids_of_python((BASE / path).read_text())
    for path in TEMPLATES:
        found |= _msgids_of_template((BASE / path).read_text(), path)
    assert len(found) > 40  # the collector really reads the files
    assert sorted(found - set(english())) == []
