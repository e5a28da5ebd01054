"""Every msgid of the citizens' registration (pages, forms, services, e-mails, the sheet's
section) has an English translation."""

from pathlib import Path

from django.conf import settings

from tests.projects.calls.test_i18n import _msgids_of_python, _msgids_of_template, english

BASE = Path(settings.BASE_DIR)
PYTHON_FILES = [
    "events/public_registration.py",
    "events/views/public.py",
    "events/templatetags/events_public.py",
]
TEMPLATES = sorted(
    str(path.relative_to(BASE))
    for pattern in ("templates/events/*public*", "templates/events/email/*public*")
    for path in BASE.glob(pattern)
)


def test_every_msgid_of_the_citizens_registration_has_an_english_translation():
    found = set()
    for path in PYTHON_FILES:
        found |= _msgids_of_python((BASE / path).read_text())
    for path in TEMPLATES:
        found |= _msgids_of_template((BASE / path).read_text(), path)
    assert len(TEMPLATES) >= 14 and len(found) > 80  # the collector really reads the files
    assert sorted(found - set(english())) == []
