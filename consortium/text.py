"""Text as people search it: full-width and half-width alike, hiragana and katakana alike.

``search_key`` is stored beside what is searched (a column filled on save) and applied to the
query, so one ``LIKE '%…%'`` finds 「波力」 in 「波力発電」, ｈａｒｂｏｒ in "Harbor" and
「はりょく」 in 「ハリョク」 on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
import unicodedata

# Katakana ァ (U+30A1) … ヶ (U+30F6) map to hiragana ぁ (U+3041) … ゖ (U+3096); ヽヾ to ゝゞ.
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)} | {
    0x30FD: 0x309D,
    0x30FE: 0x309E,
}
_HIRAGANA_TO_KATAKANA = {hiragana: katakana for katakana, hiragana in _KATAKANA_TO_HIRAGANA.items()}
_SPACES = re.compile(r"\s+")


def search_key(text: str | None) -> str:
    """NFKC, case folded, katakana as hiragana, runs of spaces as one space, trimmed."""
    value = unicodedata.normalize("NFKC", text or "").casefold()
    value = value.translate(_KATAKANA_TO_HIRAGANA)
    return _SPACES.sub(" ", value).strip()


def search_terms(query: str | None) -> list[str]:
    """The words of a search box, each as ``search_key`` makes it (all must match)."""
    return [term for term in search_key(query).split(" ") if term]


def katakana(text: str) -> str:
    """A reading as the open data wants it: full-width katakana (NFKC turns half-width kana
    full-width), hiragana turned into katakana, spaces collapsed."""
    value = unicodedata.normalize("NFKC", text).translate(_HIRAGANA_TO_KATAKANA)
    return " ".join(value.split())
