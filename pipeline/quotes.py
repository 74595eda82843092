"""The letter's own clauses behind an urgency verdict, for the people who check it.

The grader's evidence (`urgency_evidence`) is the list of phrases its cues matched: right for a
script, hard for an office to read. Two cues often match overlapping stretches of one clause
(`已经商量好,下周一全组` beside `商量好,下周一全组老老少少去市政府门口`), and a match may stop mid-word
(`补偿款一分钱没`) or begin in the clause before. So the sheets and the report show, instead, the
clauses those phrases sit in: each clause once, whole, in the letter's order, with the readings the
grader gave them ([往事], [条件/假设], (缺:有人经过)) after it. letters.csv keeps the phrases.
Nothing is shown twice: a clause of the title reads (见标题), since the sheets show the title beside
it, and a review reason about a clause the cues quoted already reads (同上).

A phrase not found in the text (a model's note, or a label such as 半数紧急线索) is shown as it is, so
nothing the evidence says is lost. The text is the one the grader read (`UrgencyGrader.letter_texts`:
title, then body, a pre-segmented letter's spaces taken out), so its phrases are found where they were.
"""
from __future__ import annotations

import re

# where a clause ends; a space does not (operators write 挡土墙鼓包开裂 楼下住着 as one clause)
_CLAUSE_END = re.compile(r"[，,。！？!?；;：:\n]")
_SPACED_MARK = re.compile(r"[ \t]*([，,。！？!?；;：:、])[ \t]*")
# a clause longer than this on either side of its phrase is cut there, with …
REACH = 30
REVIEW = "待复核:"
# readings ([往事/条件]) and notes ((缺:有人经过), (冬季来信)) at the end of a phrase
_NOTES = re.compile(r"((?:\[[^\[\]]*\]|\([^()]*\))+)$")
# a label before a phrase (排除的紧急线索:煤气泄漏[解除])
_LABEL = re.compile(r"^(排除的紧急线索:)")
_OPENERS, _CLOSERS = "[(「（", "])」）"
_CLOSER = re.compile("[" + re.escape(_CLOSERS) + "]")
# the quoted clauses of a cell, about: past it, the least urgent cues' clauses are counted, not shown
BUDGET = 160


def _split_outside(text: str, separator: str) -> list[str]:
    """`text` split at `separator` where it stands outside a closed pair of brackets, parentheses or
    「」 quotes. A phrase may hold an opening bracket the letter never closed (电梯经常出事(经常故障停车):
    that one groups nothing."""
    pairs, open_at = [], []
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            open_at.append(i)
        elif ch in _CLOSERS and open_at:
            pairs.append((open_at.pop(), i))
    inside = [False] * len(text)
    for start, end in pairs:
        inside[start:end] = [True] * (end - start)
    cuts = [i for i, ch in enumerate(text) if ch == separator and not inside[i]]
    return [p for p in (text[i + 1:j] for i, j in zip([-1] + cuts, cuts + [len(text)])) if p]


def _locate(text: str, phrase: str) -> list[tuple[int, int]] | None:
    """Where each of the phrase's pieces (a frame's parts are joined by …) stands in the text, or None
    when one is missing. Each piece is looked for after the one before, then anywhere (a frame may
    name a later part first)."""
    spans, at = [], 0
    for piece in (p for p in phrase.split("…") if p):
        found = text.find(piece, at)
        found = text.find(piece) if found < 0 else found
        if found < 0:
            return None
        spans.append((found, found + len(piece)))
        at = found + len(piece)
    return spans or None


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause(s) around text[start:end], at most `REACH` characters past it on either side. A
    clause that opens a bracket and ends inside it (联名村民(共27人：…) runs on to the bracket's close
    when that is within reach, so no quote shows half a pair."""
    left = max(start - REACH, 0)
    before = [m.end() for m in _CLAUSE_END.finditer(text, left, start)]
    after = _CLAUSE_END.search(text, end, min(end + REACH, len(text)))
    first, last = (before[-1] if before else left, after.start() if after else min(end + REACH, len(text)))
    if _unclosed(text[first:last]):
        close = _CLOSER.search(text, last, min(last + REACH, len(text)))
        if close:
            last = close.end()
    return first, last


def _unclosed(clause: str) -> bool:
    """Whether `clause` opens more brackets than it closes."""
    return sum(clause.count(c) for c in _OPENERS) > sum(clause.count(c) for c in _CLOSERS)


def _quote(text: str, span: tuple[int, int]) -> str:
    start, end = span
    body = _SPACED_MARK.sub(r"\1", text[start:end].strip())  # 手上了 ， 他们 (a pre-segmented letter)
    cut_left = start > 0 and not _CLAUSE_END.match(text[start - 1])
    # a bracket closed further on than the reach: the clause is cut inside it (one the letter never
    # closes is shown as written)
    cut_right = end < len(text) and (not _CLAUSE_END.match(text[end]) or _unclosed(body) and _CLOSER.search(text, end))
    return "「" + ("…" if cut_left else "") + body + ("…" if cut_right else "") + "」"


def _notes(found: list[str]) -> str:
    """An item's readings and notes after its clause: bracketed readings as one ([即时/条件]), then the rest."""
    readings = [t for note in found for t in re.findall(r"\[([^\[\]]*)\]", note) for t in t.split("/")]
    others = [n for note in found for n in re.findall(r"\([^()]*\)", note)]
    tags = "/".join(dict.fromkeys(readings))
    return ("[" + tags + "]" if tags else "") + "".join(dict.fromkeys(others))


def _quoted(text: str, items: list[str], title_end: int = 0, earlier: frozenset = frozenset()) -> tuple[str, set]:
    """Each item's clause, overlapping clauses merged, in the letter's order, up to `BUDGET` characters
    (the first items' first: the evidence's order is most urgent first); unlocated items as they are.
    A clause of the title (the text's first `title_end` characters) is shown as (见标题): the sheets
    show the title beside it. One already quoted in `earlier` (the cues', for a review reason) is
    shown as (同上). Returns the quotes and the clauses they show."""
    spans: list[list] = []  # [start, end, notes, head, rank]
    loose: list[str] = []
    for rank, item in enumerate(items):
        label = _LABEL.match(item)
        head = label.group(1) if label else ""
        body = item[len(head):]
        notes = _NOTES.search(body)
        phrase = body[:notes.start()] if notes else body
        pieces = _locate(text, phrase) if phrase and not phrase.startswith("模型") else None
        if pieces is None:
            loose.append(item)
            continue
        # each piece's own clause: a frame's parts (今天…马上派人) often stand sentences apart; the
        # readings go after the last
        spans += [[*_clause(text, *piece), [], "", rank] for piece in pieces]
        spans[-1][2:4] = [[notes.group(1)] if notes else [], head]
    merged: list[list] = []  # [start, end, notes, head, first item]
    for start, end, notes, head, rank in sorted(spans, key=lambda s: s[:2]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2] += notes
            merged[-1][3] = merged[-1][3] or head
            merged[-1][4] = min(merged[-1][4], rank)
        else:
            merged.append([start, end, list(notes), head, rank])
    # the evidence lists the most urgent cues first: their clauses are shown, up to the budget
    shown, used = [], 0
    for clause in sorted(merged, key=lambda m: m[4]):
        if shown and used + clause[1] - clause[0] > BUDGET:
            break
        shown.append(clause)
        used += clause[1] - clause[0]
    more = len(merged) - len(shown)

    def quote(start: int, end: int) -> str:
        if end <= title_end:
            return "(见标题)"
        return "(同上)" if (start, end) in earlier else _quote(text, (start, end))

    parts = [(head, quote(s, e), n) for s, e, n, head, _ in sorted(shown)]
    while len(parts) > 1 and parts[1][1] == parts[0][1] == "(见标题)":  # a title of two clauses is one title
        parts[:2] = [(parts[0][0] or parts[1][0], "(见标题)", parts[0][2] + parts[1][2])]
    quotes = "".join(head + shown_as + _notes(n) for head, shown_as, n in parts)
    quotes += f"(另{more}句)" if more else ""
    return ";".join([quotes] + loose if quotes else loose), {(s, e) for s, e, *_ in shown}


def quote_evidence(text: str, evidence: str, title_end: int = 0) -> str:
    """The clauses of `text` the evidence's phrases sit in (see the module's docstring): the cues'
    clauses, the notes no clause holds (a model's), then the review reasons after `待复核:`, quoted
    the same way (a clause the cues showed already as (同上)). `title_end`: how many of the text's
    first characters are the letter's title (`title_length`), whose clauses read (见标题)."""
    if not evidence or not text:
        return evidence or ""
    items = _split_outside(evidence, ";")
    review = [doubt for item in items if item.startswith(REVIEW) for doubt in _split_outside(item[len(REVIEW):], "/")]
    cues, spans = _quoted(text, [item for item in items if not item.startswith(REVIEW)], title_end)
    shown = [cues]
    if review:
        shown.append(REVIEW + _quoted(text, review, title_end, frozenset(spans))[0])
    return ";".join(part for part in shown if part)


def title_length(text: str, title: str) -> int:
    """How many of `text`'s first characters are `title` (the grader reads title。body), 0 if none."""
    return len(title) if title and text.startswith(title) and text[len(title):len(title) + 1] in ("", "。") else 0

