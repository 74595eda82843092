"""Label names as offices write them: the same class spelled several ways.

An office's own taxonomy is typed by hand: 其他/其它, 公安政法/公安政法类, full- and half-width
brackets. `label_variants` finds the names that differ only in writing, so training can report
them (or merge them, when asked) instead of learning two classes for one.
"""
from __future__ import annotations

import re
import unicodedata

import pandas as pd

_VARIANTS = str.maketrans({"它": "他", "（": "(", "）": ")", "、": ",", "，": ","})


def _label_key(label: str) -> str:
    key = unicodedata.normalize("NFKC", str(label)).translate(_VARIANTS)
    key = re.sub(r"[\s·,.;:/\-_]+", "", key).lower()
    return re.sub(r"(类|问题|事项)$", "", key) or key


def label_variants(labels) -> list[dict[str, int]]:
    """Groups of label names that differ only in writing (其他/其它, 公安政法/公安政法类, brackets,
    spaces), each as {spelling: letters}, most frequent spelling first."""
    counts = pd.Series(list(labels)).astype(str).value_counts()
    by_key: dict[str, dict[str, int]] = {}
    for label, count in counts.items():
        by_key.setdefault(_label_key(label), {})[label] = int(count)
    return [group for group in by_key.values() if len(group) > 1]
