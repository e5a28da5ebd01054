"""Data in the other language than the page's, marked with ``lang`` for screen readers.

``{{ value|ja }}``: names, titles and places are kept in the language they were entered in. On an
English page a screen reader would read 平塚海洋エネルギー研究会 with an English voice unless the
text carries ``lang="ja"``; this filter wraps it in ``<span lang="ja">`` when the page is not in
Japanese and the text contains kana or kanji. On a Japanese page, and for text without them, it
only escapes.

``{{ value|en }}``: the English fields (段階名（英語）, 分野（英語）, …) on a Japanese page,
wrapped in ``<span lang="en">`` so that "Demonstration" is not read out in a Japanese voice.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, SafeString
from django.utils.translation import get_language

register = template.Library()

# Hiragana, katakana, CJK ideographs (and extension A), full-width forms and CJK punctuation.
_JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _marked(value: object, lang: str, *, foreign: bool, autoescape: bool) -> SafeString | str:
    """The value escaped, in ``<span lang=…>`` when it is ``foreign`` to the page."""
    if value is None or value == "":
        return ""
    # (Anything but safe text is escaped as its str(), as conditional_escape would.)
    text = (
        conditional_escape(value if isinstance(value, SafeData) else str(value))
        if autoescape
        else str(value)
    )
    return format_html('<span lang="{}">{}</span>', lang, text) if foreign else text


def _page_is(lang: str) -> bool:
    return (get_language() or "ja").startswith(lang)


@register.filter(needs_autoescape=True)
def ja(value: object, autoescape: bool = True) -> SafeString | str:
    foreign = not _page_is("ja") and bool(_JAPANESE.search(str(value)))
    return _marked(value, "ja", foreign=foreign, autoescape=autoescape)


@register.filter(needs_autoescape=True)
def en(value: object, autoescape: bool = True) -> SafeString | str:
    return _marked(value, "en", foreign=not _page_is("en"), autoescape=autoescape)
