"""Text as letters really arrive: tabs, newline runs, HTML entities, full-width forms, mixed scripts.

Cleaning happens once, at ingestion, so every later stage sees the same text. NFKC folds
full-width letters, digits and punctuation to their ASCII forms (，→, ！→! （→( ), so later stages
must treat `,` and `，` alike; 。、 are not changed by NFKC.
"""
from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_TAG = re.compile(r"<\s*/?\s*(?:br|p|div|span|font|b|strong|img)\b[^>]*>", re.IGNORECASE)
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_NEWLINES = re.compile(r"\s*\n\s*")
# a line break that a spreadsheet export wrote out as its XML escape (_x000D_, and _x005F_x000D_ once
# escaped again): TipDM's workbooks hold it literally in 217 letters, and every sheet showed it
_EXCEL_BREAK = re.compile(r"(?:_x(?:005[Ff]_x)?000[DdAa9]_)+")


def clean_text(value: object) -> str:
    """Return the letter text with markup, invisible characters and whitespace runs removed.

    Line breaks inside a letter become a single space: paragraphing carries no meaning
    for the analyses, and real exports scatter `\\n\\t\\t\\t` through every cell.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        if value != value:  # NaN
            return ""
        value = str(value)
    text = value
    for _ in range(2):  # `&amp;nbsp;` is double-escaped in some exports
        if "&" not in text:
            break
        text = html.unescape(text)
    text = _TAG.sub(" ", text)
    if "_x0" in text:
        text = _EXCEL_BREAK.sub("\n", text)
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _NEWLINES.sub(" ", text)
    text = _SPACES.sub(" ", text)
    return text.strip()


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC  # opencc-python-reimplemented: pure Python, no binary needed

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Fold Traditional characters to Simplified (陳建國 → 陈建国) for matching and tokenizing."""
    if not text:
        return text
    return _t2s().convert(text)
