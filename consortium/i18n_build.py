"""Compile every ``locale/*/LC_MESSAGES/django.po`` below the project into ``django.mo``.

Uses polib instead of GNU gettext's msgfmt, so a fresh machine needs nothing beyond the venv.
Run with ``python -m consortium.i18n_build`` (``make messages`` does).
"""

from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent
SKIP = {".venv", "node_modules", ".git"}


def po_files() -> list[Path]:
    return [
        path
        for path in BASE_DIR.glob("**/locale/*/LC_MESSAGES/*.po")
        if not SKIP.intersection(path.relative_to(BASE_DIR).parts)
    ]


def main() -> None:
    for po_path in po_files():
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        print(f"compiled {mo_path.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
