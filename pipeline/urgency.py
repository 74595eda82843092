"""Urgency grading (紧急 / 较急 / 一般) from a cue lexicon, read in context, that says why.

A letter threatening self-harm, announcing a group action or a trip to Beijing, or reporting
a danger to people now must be acted on the same day: missing one is the worst failure, so
the rules lean to recall. Keywords alone fail on real letters, so every cue match is read at
clause level with a short look back (and a few characters ahead) for what changes its
meaning: a negator (不会自杀), prevention (以免发生事故), a risk rather than an event (极易引发
群体性事件, 火灾隐患), reported history (去年曾经上访), a suggestion, or an official's quoted words.

The cues and the modifier phrases are data (`corpora/urgency/lexicon.csv`, columns pattern,
category, weight, level, note) so an office can extend them; this module only knows what each
modifier category *does*. Patterns are Python regexes; `{NUM:a-b}` matches a number written
in digits or Chinese (300, 三百, 几十, 上百) and keeps the cue only when a <= value <= b.
"""
from __future__ import annotations

import bisect
import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import PetitionError
from pipeline.paths import CORPORA_DIR

LEXICON_PATH = CORPORA_DIR / "urgency" / "lexicon.csv"
LEVELS = ("紧急", "较急", "一般")
OUTPUT_COLUMNS = ("urgency", "urgency_score", "urgency_cues", "urgency_evidence")

# What each modifier category does, by the kind of cue it meets. The phrases live in the lexicon.
THREAT = frozenset({"自伤威胁", "暴力威胁", "越级上访", "群体行动"})
EVENT = frozenset({"安全险情", "群体事件"})
ESCALATION = frozenset({"越级上访", "群体行动", "上访", "群体事件"})
MODIFIER_EFFECTS = {
    # modifier: (cue categories it applies to, "drop" or "demote")
    "否定": (THREAT | EVENT, "drop"),
    "防范": (THREAT | EVENT, "drop"),
    "建议": (THREAT | EVENT, "drop"),
    "引述": (ESCALATION, "drop"),
    "条件": (EVENT, "demote"),
    "风险": (EVENT, "demote"),
    "既往": (EVENT | {"越级上访", "群体行动"}, "demote"),
    "已然": ({"越级上访", "群体行动", "群体事件"}, "demote"),
    "他人": ({"自伤威胁"}, "demote"),
    "远期": ({"自伤威胁"}, "demote"),
    "反问": (THREAT, "demote"),
    # required context: self-harm of nobody in particular (可能引起自杀, 彩民服毒自杀) is not a threat
    "亲身": (frozenset({"自伤威胁"}), "require"),
    "法条": (THREAT | EVENT, "drop"),
    # letter-level: the letter says it is happening now; undemoted events and violence become 紧急
    "即时": (frozenset({"安全险情", "暴力威胁"}), "promote"),
}
# How far back (characters, inside the clause) each modifier is looked for.
LOOKBACK = {"否定": 6, "防范": 14, "建议": 30, "条件": 14, "既往": 14, "已然": 8, "引述": 30, "他人": 12, "远期": 14, "反问": 14, "法条": 20}
LOOKAHEAD = 12
# A negator followed by one of these before the cue is a condition, not a negation: 不给钱就跳楼.
CONSEQUENCE = re.compile(r"就|才|便|则|的话|否则|只能|只好|只有|得|逼")
# Words that contain 不/没/无 but negate nothing.
NOT_NEGATORS = re.compile(r"不得不|不能不|不如|不了|不已|不断|不停|不堪|不满|不法|不良|不安|不顾|不公|不作为|无奈|无法|无辜|没办法|无论|不管")
CLAUSE_SPLIT = re.compile(r"[，。！？；,;!?\n\u3000 ]+|…{1,}|\.{3,}")
QUOTE_SPAN = re.compile(r"[“\"「『]([^”\"」』]{1,200})[”\"」』]")

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "几": 3, "数": 3, "上": 1, "成": 1}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUM_RE = r"(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万几数上成]+)"
_NUM_MACRO = re.compile(r"\{NUM:(\d*)-(\d*)\}")


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


@dataclass(frozen=True)
class Cue:
    pattern: re.Pattern
    category: str
    weight: float
    level: str
    note: str
    ranges: tuple  # ((group_name, low, high), ...) from {NUM:a-b}


def _compile(pattern: str, row: int) -> tuple[re.Pattern, tuple]:
    ranges = []

    def expand(match: re.Match) -> str:
        name = f"num{len(ranges)}"
        low = float(match.group(1)) if match.group(1) else -math.inf
        high = float(match.group(2)) if match.group(2) else math.inf
        ranges.append((name, low, high))
        return f"(?P<{name}>{_NUM_RE})"

    try:
        return re.compile(_NUM_MACRO.sub(expand, pattern)), tuple(ranges)
    except re.error as error:
        raise PetitionError(f"{LEXICON_PATH.name} row {row}: column pattern is not a valid regex ({error})") from error


def load_lexicon(path: str | Path = LEXICON_PATH) -> tuple[list[Cue], dict[str, re.Pattern]]:
    """Read the cue lexicon: cue rows (level 紧急/较急/一般) and modifier rows (level 修饰)."""
    path = Path(path)
    if not path.exists():
        raise PetitionError(f"urgency lexicon not found: {path}")
    cues: list[Cue] = []
    modifier_parts: dict[str, list[str]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"pattern", "category", "weight", "level"} - set(reader.fieldnames or [])
        if missing:
            raise PetitionError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for row_number, row in enumerate(reader, start=2):
            pattern, category, level = (row["pattern"] or "").strip(), (row["category"] or "").strip(), (row["level"] or "").strip()
            if not pattern or row["pattern"].startswith("#"):
                continue
            if level == "修饰":
                if category not in MODIFIER_EFFECTS and category != "风险":
                    raise PetitionError(f"{path} row {row_number}: unknown modifier category {category!r}; known: {', '.join(MODIFIER_EFFECTS)}")
                _compile(pattern, row_number)
                modifier_parts.setdefault(category, []).append(f"(?:{pattern})")
                continue
            if level not in LEVELS:
                raise PetitionError(f"{path} row {row_number}: column level must be one of {', '.join(LEVELS)} or 修饰, got {level!r}")
            try:
                weight = float(row["weight"])
            except (TypeError, ValueError) as error:
                raise PetitionError(f"{path} row {row_number}: column weight must be a number, got {row['weight']!r}") from error
            compiled, ranges = _compile(pattern, row_number)
            cues.append(Cue(compiled, category, weight, level, (row.get("note") or "").strip(), ranges))
    modifiers = {name: re.compile("|".join(parts)) for name, parts in modifier_parts.items()}
    return cues, modifiers


def _clause_bounds(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for sep in CLAUSE_SPLIT.finditer(text):
        bounds.append((start, sep.start()))
        start = sep.end()
    bounds.append((start, len(text)))
    return bounds


class UrgencyGrader:
    """Grade letters 紧急 / 较急 / 一般 from lexicon cues read in context.

    Parameters
    ----------
    lexicon : path of the cue lexicon CSV (default: corpora/urgency/lexicon.csv).
    urgent_threshold : summed weight of 紧急 cues (each category capped at 1) needed for 紧急.
    pressing_threshold : summed weight of all surviving cues needed for 较急.
    text_columns : columns read from the letters table (title first, then body).
    """

    def __init__(self, lexicon: str | Path | None = None, urgent_threshold: float = 1.0,
                 pressing_threshold: float = 1.0, text_columns: tuple[str, ...] = ("title", "text")):
        self.lexicon = lexicon
        self.urgent_threshold = urgent_threshold
        self.pressing_threshold = pressing_threshold
        self.text_columns = text_columns

    # rules need no training; fit only loads the lexicon so errors surface early
    def fit(self, letters_df: pd.DataFrame | None = None, y=None) -> "UrgencyGrader":
        self.cues_, self.modifiers_ = load_lexicon(self.lexicon or LEXICON_PATH)
        return self

    def _ensure_fitted(self) -> None:
        if not hasattr(self, "cues_"):
            self.fit()

    # ---- one letter ---------------------------------------------------------------------
    def _modifier(self, name: str, text: str) -> re.Match | None:
        pattern = self.modifiers_.get(name)
        return pattern.search(text) if pattern is not None and text else None

    def _negated(self, before: str) -> bool:
        window = NOT_NEGATORS.sub(lambda m: "＿" * len(m.group()), before[-LOOKBACK["否定"]:])
        last = None
        pattern = self.modifiers_.get("否定")
        if pattern is None:
            return False
        for last in pattern.finditer(window):
            pass
        return last is not None and not CONSEQUENCE.search(window[last.end():])

    def _context(self, text: str, start: int, end: int, clause: tuple[int, int], quotes: list[tuple[int, int]]) -> list[str]:
        """Modifier categories that apply to the cue at text[start:end]."""
        found = []
        before = text[clause[0]:start]
        after = text[end:min(clause[1], end + LOOKAHEAD)]
        if self._negated(before):
            found.append("否定")
        for name in ("防范", "建议", "条件", "既往", "已然", "他人", "远期", "反问", "法条"):
            if self._modifier(name, before[-LOOKBACK[name]:]):
                found.append(name)
        if self._modifier("风险", after):
            found.append("风险")
        sentence = text[max(text.rfind(mark, 0, start) for mark in "。！？!?\n") + 1:end + 8]
        if "亲身" in self.modifiers_ and not self._modifier("亲身", sentence):
            found.append("非亲身")

        if text[end:end + 1] == "过" or text[end:end + 2] in ("了过", "一次", "多次", "几次"):
            found.append("既往")
        quoted = any(q0 <= start and end <= q1 for q0, q1 in quotes)
        if quoted:
            q0 = max(q0 for q0, q1 in quotes if q0 <= start and end <= q1)
            if self._modifier("引述", text[max(0, q0 - LOOKBACK["引述"]):q0]):
                found.append("引述")
        elif self._modifier("引述", before[-LOOKBACK["引述"]:]):
            found.append("引述")
        return found

    def grade(self, text: str) -> dict:
        """Grade one letter's text (title and body joined): level, score, cue categories, evidence."""
        self._ensure_fitted()
        text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
        bounds = _clause_bounds(text)
        starts = [b[0] for b in bounds]
        quotes = [(m.start(1), m.end(1) + 1) for m in QUOTE_SPAN.finditer(text)]
        happening_now = self._modifier("即时", text) is not None
        # per category: {phrase: (weight, level)}; repeated phrases count once
        hits: dict[str, dict[str, tuple[float, str]]] = {}
        for cue in self.cues_:
            for match in cue.pattern.finditer(text):
                if match.end() == match.start():
                    continue
                if cue.ranges and not self._in_ranges(match, cue.ranges):
                    continue
                clause = bounds[bisect.bisect_right(starts, match.start()) - 1]
                level, weight, tags = cue.level, cue.weight, []
                for modifier in self._context(text, match.start(), match.end(), clause, quotes):
                    if modifier == "非亲身":
                        scope, effect = MODIFIER_EFFECTS["亲身"][0], "demote"
                    else:
                        scope, effect = MODIFIER_EFFECTS.get(modifier, (EVENT, "demote"))
                    if cue.category not in scope or effect in ("promote", "require"):
                        continue
                    tags.append(modifier)
                    if effect == "drop":
                        level = None
                        break
                    if level == "紧急":
                        level = "较急"
                if level is None:
                    continue
                if happening_now and level == "较急" and not tags and cue.category in MODIFIER_EFFECTS["即时"][0]:
                    level, weight, tags = "紧急", max(weight, 1.0), ["即时"]
                phrase = match.group() + (f"[{'/'.join(tags)}]" if tags else "")
                previous = hits.setdefault(cue.category, {}).get(match.group())
                if previous is None or (LEVELS.index(level), -weight) < (LEVELS.index(previous[1]), -previous[0]):
                    hits[cue.category].pop(match.group(), None)
                    hits[cue.category][phrase] = (weight, level)
        return self._decide(hits)

    @staticmethod
    def _in_ranges(match: re.Match, ranges: tuple) -> bool:
        for name, low, high in ranges:
            value = parse_number(match.group(name) or "")
            if value is None or not (low <= value <= high):
                return False
        return True

    def _decide(self, hits: dict) -> dict:
        urgent = sum(min(1.0, sum(w for w, lv in cat.values() if lv == "紧急")) for cat in hits.values())
        pressing = sum(min(1.0, sum(w for w, lv in cat.values() if lv in ("紧急", "较急"))) for cat in hits.values())
        if urgent >= self.urgent_threshold:
            level, low, extra = "紧急", 0.7, urgent - self.urgent_threshold + 0.25 * (pressing - urgent)
        elif pressing >= self.pressing_threshold:
            level, low, extra = "较急", 0.35, pressing - self.pressing_threshold + urgent
        else:
            level, low, extra = "一般", 0.0, pressing
            extra = pressing / self.pressing_threshold * 2
        score = low + 0.3 * (1 - 1 / (1 + extra)) if level != "一般" else 0.34 * (1 - 1 / (1 + extra))
        # cues shown most urgent first
        order = sorted(hits, key=lambda c: (min(LEVELS.index(lv) for _, lv in hits[c].values()),
                                            -sum(w for w, _ in hits[c].values())))
        order = [c for c in order if hits[c]]
        return {
            "urgency": level,
            "urgency_score": round(float(min(1.0, score)), 4),
            "urgency_cues": ";".join(order),
            "urgency_evidence": ";".join(p for c in order for p in hits[c]),
        }

    # ---- a table ------------------------------------------------------------------------
    def letter_texts(self, letters_df: pd.DataFrame) -> list[str]:
        columns = [c for c in self.text_columns if c in letters_df.columns]
        if not columns:
            raise PetitionError(f"letters table has none of the columns {', '.join(self.text_columns)} to grade")
        parts = letters_df[columns].astype("object").where(letters_df[columns].notna(), "")
        return ["。".join(str(v) for v in row if str(v)) for row in parts.itertuples(index=False, name=None)]

    def transform(self, letters_df: pd.DataFrame, progress: bool = False) -> pd.DataFrame:
        """Copy of the letters table with urgency, urgency_score, urgency_cues, urgency_evidence."""
        self._ensure_fitted()
        texts = self.letter_texts(letters_df)
        if progress:
            from tqdm import tqdm
            texts = tqdm(texts, desc="grading", unit="letter", file=__import__("sys").stderr)
        graded = [self.grade(t) for t in texts]
        out = letters_df.copy()
        for column in OUTPUT_COLUMNS:
            values = [g[column] for g in graded]
            out[column] = pd.array(values, dtype="float64" if column == "urgency_score" else "string")
        return out

    def predict(self, letters_df: pd.DataFrame) -> pd.Series:
        return self.transform(letters_df)["urgency"]
