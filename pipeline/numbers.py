"""Numbers as letters write them: 300, 三百, 二十多, 几十, 上百.

One reader for every stage that counts in Chinese numerals: urgency reads how many people a letter
names (三十多户), the place extractor a bus route written out (十六路 is 16路).
"""
from __future__ import annotations

import re

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "几": 3, "数": 3, "上": 1, "成": 1}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def parse_number(token: str) -> float | None:
    """Value of 300 / 三百 / 二十多 / 几十 / 上百 / 十几 (几 and 数 count as 3, 上/成 as 1)."""
    token = token.strip()
    if not token:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return float(token)
    total, section, digit = 0, 0, None
    for ch in token:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            value = (1 if digit is None else digit) * unit
            if unit == 10000:
                total = (total + section + (digit or 0)) * unit if digit is None else (total + section + value)
                section = 0
            else:
                section += value
            digit = None
        else:
            return None
    return float(total + section + (digit or 0))
