"""Finding an organisation however its name was typed: 全角/半角, spaces, 株式会社/(株)/㈱.

Used on the server only: the candidates are shown to secretariat staff, never to the visitor
who typed the name (the sign-up page must not reveal which organisations are registered).
"""

from __future__ import annotations

import re
import unicodedata

# After NFKC, ㈱ is "(株)"; full-width brackets are ASCII ones. Legal-form words are dropped, so
# 「株式会社日立製作所」「(株)日立製作所」「日立製作所 株式会社」 share one key.
_LEGAL_FORMS = re.compile(
    r"\((?:株|有|合|名|資|社|財|特非|医|学|福)\)"
    r"|株式会社|有限会社|合同会社|合名会社|合資会社"
    r"|一般社団法人|公益社団法人|一般財団法人|公益財団法人|特定非営利活動法人"
)
_SPACES = re.compile(r"\s+")


def organisation_name_key(name: str | None) -> str:
    """The key two spellings of one organisation's name share."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _SPACES.sub("", text)
    text = _LEGAL_FORMS.sub("", text)
    return text.casefold()
