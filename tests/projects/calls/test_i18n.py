"""Every msgid of the calls pages, forms, services and e-mails has an English translation."""

import ast
import re
from pathlib import Path

import polib
from django.conf import settings
from django.utils.translation.template import templatize

from consortium.i18n_build import po_files

BASE = Path(settings.BASE_DIR)
# Every module and template of 公募, so that a new page is checked the day it exists.
PYTHON_FILES = sorted(
    str(path.relative_to(BASE)) for path in (BASE / "projects/calls").rglob("*.py")
) + ["projects/templatetags/calls_tags.py"]
TEMPLATES = sorted(
    str(path.relative_to(BASE))
    for path in (BASE / "templates/projects/calls").rglob("*")
    if path.is_file()
) + ["templates/projects/_nav.html", "templates/projects/project_detail.html"]
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}


def _msgids_of_python(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT:
            continue
        position = 1 if name.startswith("pgettext") else 0
        for arg in node.args[position : position + (2 if "ngettext" in name else 1)]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    return found


# What ``templatize`` turns {% translate %} and {% blocktranslate %} into (for xgettext).
_LITERAL = r"u?'(?:[^'\\\n]|\\.)*'"
_TEMPLATE_CALL = re.compile(
    rf"\b(?P<name>n?gettext|pgettext)\((?P<first>{_LITERAL})(?:\s*,\s*(?P<second>{_LITERAL}))?"
)


def _msgids_of_template(source: str, origin: str) -> set[str]:
    found = set()
    for match in _TEMPLATE_CALL.finditer(templatize(source, origin=origin)):
        first = ast.literal_eval(match["first"])
        second = ast.literal_eval(match["second"]) if match["second"] else None
        if match["name"] == "pgettext":
            found.add(second)
        else:
            found.update(filter(None, (first, second if match["name"] == "ngettext" else None)))
    return found


def msgids() -> set[str]:
    found = set()
    for path in PYTHON_FILES:
        found |= _msgids_of_python((BASE / path).read_text())
    for path in TEMPLATES:
        found |= _msgids_of_template((BASE / path).read_text(), path)
    return found


def english() -> dict[str, str]:
    translated = {}
    for path in po_files():
        if path.parent.parent.name != "en":
            continue
        for entry in polib.pofile(str(path)):
            if entry.msgstr or entry.msgstr_plural:
                translated[entry.msgid] = entry.msgstr or entry.msgstr_plural.get(0, "")
                if entry.msgid_plural:
                    translated[entry.msgid_plural] = entry.msgstr_plural.get(1, "")
    return translated


def test_every_calls_msgid_has_an_english_translation():
    found = msgids()
    assert len(found) > 300  # the collector really reads the files
    missing = sorted(found - set(english()))
    assert missing == []
