"""A cheap test that a regular expression cannot match a text: none of its required words is there.

The urgency grader runs some sixty cue patterns over every letter, most of them long alternations
of phrases (自杀|轻生|寻死|...) with groups and gaps between them. Python's regex engine tries every
alternative at every position, so each pattern costs a full pass even on the many letters that
hold none of its words. Every match of such a pattern contains one of a few literal words (one per
alternative: 自杀, 轻生 ... ; for `(扛着|拿着)(猎枪|枪).{0,10}威胁`, 威胁), and a text that contains
none of them cannot match: `required_words` finds such a set from the parsed pattern, and
`Prefilter.may_match` tests it with one search for any of the words (a scan the engine does in C,
skipping to the words' first characters). When it says no, skipping the pattern changes nothing;
when it says yes, the pattern runs as before.
"""
from __future__ import annotations

import re
from re import _constants as sre  # noqa: PLC2701 - the parsed form of a pattern, read-only
from re import _parser as sre_parse  # noqa: PLC2701

_SOUND_FLAGS = re.IGNORECASE | re.VERBOSE  # ignore-case: words would need case folding; verbose: parsed the same


def required_words(pattern: re.Pattern) -> frozenset[str] | None:
    """Literal words, one of which every match of `pattern` contains; None when no such set is
    found (the pattern may match without any fixed word, or uses a feature not read here)."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - a pattern this reading does not handle is simply not filtered
        return None
    words = _sequence(list(parsed))
    if not words or any(not w for w in words):
        return None
    return frozenset(words)


def _sequence(items: list) -> set[str] | None:
    """A sequence matches all its items, so any one item's required words will do: the most
    selective (longest shortest word, then fewest words)."""
    candidates: list[set[str]] = []
    run = ""
    for op, av in items:
        if op is sre.LITERAL:
            run += chr(av)
            continue
        if run:
            candidates.append({run})
            run = ""
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # anchors and lookarounds consume nothing: no word of the match
        words = _item(op, av)
        if words:
            candidates.append(words)
    if run:
        candidates.append({run})
    if not candidates:
        return None
    return max(candidates, key=lambda ws: (min(map(len, ws)), -len(ws)))


def _item(op, av) -> set[str] | None:
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        if add_flags & re.IGNORECASE:
            return None
        return _sequence(list(sub))
    if op is sre.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            words = _sequence(list(branch))
            if not words:
                return None  # an alternative without a required word: the branch requires none
            union |= words
        return union
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
        low, _high, sub = av
        return _sequence(list(sub)) if low >= 1 else None
    if op is sre.IN and all(kind is sre.LITERAL for kind, _ in av):
        return {chr(code) for _, code in av}  # a class of plain characters: one of them
    return None


_ONE_CHAR = (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN, sre.CATEGORY)
_EDGE_ANCHORS = (sre.AT_BOUNDARY, sre.AT_NON_BOUNDARY, sre.AT_UNI_BOUNDARY, sre.AT_UNI_NON_BOUNDARY,
                 sre.AT_LOC_BOUNDARY, sre.AT_LOC_NON_BOUNDARY)


def reach(pattern: re.Pattern) -> int | None:
    """An upper bound on how many characters a match of `pattern` and its lookarounds read: the
    match's longest width plus every lookaround's and word boundary's. None when there is no bound
    (an unbounded repeat, a back-reference) or the pattern anchors to the ends of the text, which a
    search inside a window would move."""
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - as for required_words: not read, so no bound
        return None
    return _reach(list(parsed))


def _reach(items: list) -> int | None:
    total = 0
    for op, av in items:
        if op in _ONE_CHAR:
            width = 1
        elif op is sre.SUBPATTERN:
            width = _reach(list(av[3]))
        elif op is sre.ATOMIC_GROUP:
            width = _reach(list(av))
        elif op is sre.BRANCH:
            widths = [_reach(list(branch)) for branch in av[1]]
            width = None if None in widths else max(widths)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            _low, high, sub = av
            inner = _reach(list(sub))
            width = None if inner is None or high == sre.MAXREPEAT else high * inner
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            width = _reach(list(av[1]))  # read beside the match, not in it: counted all the same
        elif op is sre.AT:
            width = 1 if av in _EDGE_ANCHORS else None  # a boundary reads one neighbour; ^ $ \A \Z: no
        else:
            width = None
        if width is None:
            return None
        total += width
    return total


def near_windows(text: str, words: frozenset[str], where: dict, span: int) -> list[tuple[int, int]]:
    """The stretches of `text` a pattern can match in: `span` characters either side of each place
    one of its required `words` occurs (`where`: word -> end offsets, from `WordScan.positions`),
    overlapping stretches merged, in order.

    Every match holds one of the words and reads at most `span` characters with its lookarounds
    (`reach`), so it lies, lookarounds and all, inside the stretch around that occurrence; and a
    match found inside a stretch holds such an occurrence, whose own stretch holds what it reads,
    so the stretch's end (a search's `endpos`) hides nothing from it. Searched stretch by stretch
    (lookbehinds and word boundaries still see the text before a stretch), a pattern finds the same
    matches as on the whole letter, reading a few dozen characters around its words instead of a
    letter of several hundred."""
    stretches = sorted((max(0, end + 1 - len(word) - span), min(len(text), end + 1 + span))
                       for word in words if word in where for end in where[word])
    merged: list[tuple[int, int]] = []
    for low, high in stretches:
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def search_near(pattern: re.Pattern, text: str, words: frozenset[str] | None, where: dict | None,
                span: int | None) -> bool:
    """Whether `pattern` matches anywhere in `text`, searched only in `near_windows`. Without a
    bound, words or positions, the whole text is searched."""
    if span is None or words is None or where is None:
        return pattern.search(text) is not None
    return any(pattern.search(text, low, high) is not None for low, high in near_windows(text, words, where, span))


def finditer_near(pattern: re.Pattern, text: str, words: frozenset[str] | None, where: dict | None,
                  span: int | None):
    """`pattern.finditer(text)`'s matches, in order, searched only in `near_windows`: the stretches
    are apart, so no match of one could have overlapped a match of another. Without a bound, words
    or positions, the whole text is searched."""
    if span is None or words is None or where is None:
        yield from pattern.finditer(text)
        return
    for low, high in near_windows(text, words, where, span):
        yield from pattern.finditer(text, low, high)


class Prefilter:
    """`may_match(text)`: False only when `pattern` cannot match `text`. A pattern without a
    required word set always may."""

    def __init__(self, pattern: re.Pattern):
        words = required_words(pattern)
        self.words = words
        self._any = None
        if words:
            self._any = re.compile("|".join(map(re.escape, sorted(words, key=lambda w: (-len(w), w)))))

    def may_match(self, text: str) -> bool:
        return self._any is None or self._any.search(text) is not None


class WordScan:
    """Every required word of many patterns found in one pass over a text (Aho-Corasick).

    `Prefilter.may_match` costs one regex search per pattern, and the urgency grader asks it for a
    hundred-odd cues and word classes on every letter. With all their words in one automaton
    (pyahocorasick), a letter is read once and each pattern's question becomes a set test:
    `may_match_found`. Without pyahocorasick, `found` returns None and callers search as before.
    """

    def __init__(self, word_sets):
        words = sorted({w for ws in word_sets if ws for w in ws})
        self.automaton = None
        try:
            import ahocorasick
        except ImportError:  # the plain per-pattern search still works, only slower
            return
        if words:
            self.automaton = ahocorasick.Automaton()
            for word in words:
                self.automaton.add_word(word, word)
            self.automaton.make_automaton()

    def found(self, text: str) -> set[str] | None:
        """The words present in `text` (overlapping ones too), or None when no automaton was built."""
        where = self.positions(text)
        return None if where is None else set(where)

    def positions(self, text: str) -> dict[str, list[int]] | None:
        """`found` with where: each word present -> the offsets of its last character, in order.
        Its keys answer every question `found` does (`in`, iteration, `may_match_found`)."""
        if self.automaton is None:
            return None
        where: dict[str, list[int]] = {}
        for end, word in self.automaton.iter(text):
            where.setdefault(word, []).append(end)
        return where


def may_match_found(words: frozenset[str] | None, found: set[str] | None) -> bool:
    """False only when `found` (a `WordScan.found` result) holds none of a pattern's required `words`."""
    return words is None or found is None or not words.isdisjoint(found)


def alternatives(pattern: re.Pattern) -> list[re.Pattern]:
    """The top-level alternatives of `pattern` (`a|(b|c)d|e` -> a, (b|c)d, e), each compiled alone
    with the pattern's flags; [pattern] itself when it has one, or when its parts may not mean alone
    what they mean together (a back-reference or conditional by number or name, a comment group,
    verbose mode)."""
    source = pattern.pattern
    if (not isinstance(source, str) or pattern.flags & re.VERBOSE
            or re.search(r"\(\?(#|P=|\()|\\[1-9]", source)):
        return [pattern]
    pieces, start, depth, in_class, i = [], 0, 0, False, 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 1
            i += source.startswith("^", i)
            i += source.startswith("]", i)  # []…] and [^]…]: a leading ] is a member
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            pieces.append(source[start:i])
            start = i + 1
        i += 1
    pieces.append(source[start:])
    if len(pieces) == 1:
        return [pattern]
    try:
        return [re.compile(piece, pattern.flags) for piece in pieces]
    except re.error:
        return [pattern]


class AnyOf:
    """Whether a long alternation (the rows of a word class or a modifier category, `(?:row)|…`)
    matches anywhere in a text, asked of its alternatives one by one.

    The regex engine tries every alternative at every character of the text, so a class of a
    hundred-odd rows costs that many attempts a character even where none of their words is. An
    alternation matches somewhere exactly when one of its alternatives does, and an alternative
    only near one of its own required words (`required_words`, `reach`): so only the alternatives
    whose words the text holds are searched, each only around them (`search_near`), and an
    alternative without required words on the whole text. The answer is `pattern.search(text) is
    not None`, found at a fraction of the cost (a quarter of the urgency grader's time went into
    such searches)."""

    def __init__(self, pattern: re.Pattern):
        self.pattern = pattern
        self.parts = [(part, required_words(part), reach(part)) for part in alternatives(pattern)]
        self.words = frozenset(w for _, words, _ in self.parts for w in words or ())
        self._scan = None

    def search_in(self, text: str, where: dict | None = None) -> bool:
        """`pattern.search(text) is not None`. `where`: the text's `WordScan.positions` over a scan
        holding `words` (every alternative's); without it, the text is scanned for them here."""
        if not text:
            return self.pattern.search(text) is not None
        if where is None:
            if self._scan is None:
                self._scan = WordScan([self.words])
            where = self._scan.positions(text)
        return any(may_match_found(words, where) and search_near(part, text, words, where, span)
                   for part, words, span in self.parts)
