"""The required-word test that lets the grader skip cue patterns a letter cannot match."""
import re

from pipeline.prefilter import Prefilter, WordScan, may_match_found, required_words


def test_required_words_of_alternations_groups_and_gaps():
    assert required_words(re.compile("(?<!慢性)自杀|寻短见|跳楼(?!机|价)")) == {"自杀", "寻短见", "跳楼"}
    assert required_words(re.compile("(扛着|拿着)(猎枪|砍刀).{0,10}(威胁|晃)")) == {"扛着", "拿着"}
    assert required_words(re.compile("(我|我们)?.{0,8}活不下去")) == {"活不下去"}
    assert required_words(re.compile("[零一二三]+户")) == {"户"}


def test_no_required_words_where_a_match_needs_none():
    for pattern in (r"\d+", "(自杀)?", "自杀|.{2}", "(?i)abc", r"[^。]+"):
        assert required_words(re.compile(pattern)) is None, pattern
        assert Prefilter(re.compile(pattern)).may_match("") is True


def test_the_filter_never_hides_a_match_of_any_cue(sample_dir):
    """On every bundled letter: wherever a cue pattern matches, its filter lets it through, and
    the filter does skip most cues on most letters (else it would be no use)."""
    from pipeline.read import read_letters
    from pipeline.urgency import UrgencyGrader

    grader = UrgencyGrader().fit()
    texts = grader.letter_texts(read_letters([sample_dir]).letters)
    pairs = [(c.pattern, f) for c, f in zip(grader.cues_, grader._cue_filters()) if f is not None]
    assert sum(f.words is not None for _, f in pairs) >= 40
    skipped = matched = 0
    for text in texts:
        for pattern, prefilter in pairs:
            if pattern.search(text):
                matched += 1
                assert prefilter.may_match(text), (pattern.pattern[:40], text[:40])
            skipped += not prefilter.may_match(text)
    assert matched > 100 and skipped > 0.5 * len(texts) * len(pairs)


def test_the_word_scan_finds_overlapping_and_nested_words():
    scan = WordScan([{"老人", "人"}, {"家里有"}, None])
    assert scan.found("家里有老人") == {"老人", "人", "家里有"}
    assert scan.found("今天停水") == set()
    assert may_match_found(frozenset({"老人"}), {"老人"})
    assert not may_match_found(frozenset({"小孩"}), {"老人"})
    assert may_match_found(None, set()) and may_match_found(frozenset({"小孩"}), None)


def test_the_word_scan_agrees_with_each_filter_and_grades_the_same(sample_dir, monkeypatch):
    """On every bundled letter: the one-pass scan says yes wherever a cue's own filter does, for
    every cue and every frame word class, and grading with the scan equals grading without it."""
    from pipeline.read import read_letters
    from pipeline.urgency import FramePattern, UrgencyGrader, slot_words

    grader = UrgencyGrader().fit()
    texts = grader.letter_texts(read_letters([sample_dir]).letters)
    scan = grader._word_scan()
    assert scan.automaton is not None
    filters = [f for f in grader._cue_filters() if f is not None and f.words is not None]
    slots = {s for c in grader.cues_ if isinstance(c.pattern, FramePattern) for s in [c.pattern.anchor]}
    assert len(filters) >= 40 and len(slots) >= 20
    for text in texts:
        found = scan.found(text)
        for f in filters:
            assert may_match_found(f.words, found) == f.may_match(text)
        for slot in slots:
            if slot.search(text):
                assert may_match_found(slot_words(slot), found)
    with_scan = [grader.grade_rules(t) for t in texts]
    monkeypatch.setattr(WordScan, "found", lambda self, text: None)  # as without pyahocorasick
    monkeypatch.setattr(WordScan, "positions", lambda self, text: None)
    without = [grader.grade_rules(t) for t in texts]
    assert with_scan == without
    assert sum(g["urgency"] == "紧急" for g in with_scan) > 0


def test_a_letter_visits_only_the_cues_its_words_can_wake(sample_dir):
    """`_cues_for`: every cue that matches a bundled letter (pattern or frame) is among those its word
    scan wakes, in lexicon order, and most letters wake under half of the cues."""
    from pipeline.read import read_letters
    from pipeline.urgency import FramePattern, UrgencyGrader

    grader = UrgencyGrader().fit()
    texts = grader.letter_texts(read_letters([sample_dir]).letters)
    scan, cues = grader._word_scan(), grader.cues_
    few = matched = 0
    for text in texts:
        woken = grader._cues_for(scan.found(text))
        assert woken == sorted(set(woken))
        for index, cue in enumerate(cues):
            hit = (cue.pattern.search(text) if isinstance(cue.pattern, FramePattern) else cue.pattern.search(text))
            if hit is not None:
                matched += 1
                assert index in woken, (index, text[:40])
        few += len(woken) < len(cues) / 2
    assert matched > 100 and few > 0.8 * len(texts)
    assert grader._cues_for(None) == list(range(len(cues)))


def test_reach_bounds_a_match_with_its_lookarounds_or_gives_none():
    from pipeline.prefilter import reach

    assert reach(re.compile("自杀|跳楼")) == 2
    assert reach(re.compile("(房屋|墙体)[^，。]{0,10}(开裂|倒塌)")) == 14
    assert reach(re.compile("聚集(?!的|[^，。]{0,4}摊贩)")) == 2 + 6
    assert reach(re.compile(r"(?<![节减反])省[\u4e00-\u9fff]{1,5}厅\b")) == 1 + 7 + 1
    for unbounded in ("跳楼.*", "跳楼.+了", "^跳楼", "跳楼$", r"(跳)楼\1"):
        assert reach(re.compile(unbounded)) is None, unbounded


def test_searching_near_the_words_agrees_with_searching_the_whole_letter(sample_dir):
    """On every bundled letter and every frame word class of the grader: the windowed search gives
    the whole-text answer, including classes whose lookaheads read past a window's end."""
    from pipeline.prefilter import search_near
    from pipeline.read import read_letters
    from pipeline.urgency import FramePattern, UrgencyGrader, slot_reach, slot_words

    grader = UrgencyGrader().fit()
    texts = grader.letter_texts(read_letters([sample_dir]).letters)
    scan = grader._word_scan()
    slots = {s for c in grader.cues_ if isinstance(c.pattern, FramePattern)
             for s in [c.pattern.anchor] + [slot for _, slot, _, _ in c.pattern.need]}
    assert sum(slot_reach(s) is not None for s in slots) >= 20
    windowed = positives = 0
    for text in texts:
        where = scan.positions(text)
        for slot in slots:
            whole = slot.search(text) is not None
            assert search_near(slot, text, slot_words(slot), where, slot_reach(slot)) == whole, (slot.pattern[:30], text[:30])
            positives += whole
            windowed += slot_reach(slot) is not None and bool(slot_words(slot))
    assert positives > 100 and windowed > 0.5 * len(texts) * len(slots)
    # a negative lookahead read past the word: the window spans it (reach counts lookarounds), so
    # 聚集 followed by 摊贩 within eight characters is no match near the word either
    from pipeline.prefilter import reach
    gathered = re.compile("聚集(?![^，。]{0,8}摊贩)")
    text = "门口每天聚集" + "许多流动摊贩" + "。" * 3
    assert reach(gathered) == 12 and gathered.search(text) is None
    assert search_near(gathered, text, frozenset({"聚集"}), {"聚集": [5]}, reach(gathered)) is False
    assert search_near(gathered, "门口每天聚集许多人。", frozenset({"聚集"}), {"聚集": [5]}, reach(gathered)) is True


def test_matches_near_the_words_are_the_whole_letters_matches(sample_dir):
    """On every bundled letter, every lexicon cue and frame anchor of the grader: the matches found
    only around the pattern's words are the whole letter's, in the same order, same spans."""
    from pipeline.prefilter import finditer_near, reach
    from pipeline.read import read_letters
    from pipeline.urgency import FramePattern, UrgencyGrader, slot_reach, slot_words

    grader = UrgencyGrader().fit()
    texts = grader.letter_texts(read_letters([sample_dir]).letters)
    scan, filters = grader._word_scan(), grader._cue_filters()
    searched = [(c.pattern, f.words, reach(c.pattern)) for c, f in zip(grader.cues_, filters) if f is not None]
    searched += [(c.pattern.anchor, slot_words(c.pattern.anchor), slot_reach(c.pattern.anchor))
                 for c in grader.cues_ if isinstance(c.pattern, FramePattern)]
    assert sum(span is not None and bool(words) for _, words, span in searched) > 0.8 * len(searched)
    matches = 0
    for text in texts:
        where = scan.positions(text)
        for pattern, words, span in searched:
            whole = [(m.span(), m.group()) for m in pattern.finditer(text)]
            near = [(m.span(), m.group()) for m in finditer_near(pattern, text, words, where, span)]
            assert near == whole, (pattern.pattern[:30], text[:30])
            matches += len(whole)
    assert matches > 1000
    # two words far apart: two stretches, each match found once, in order
    assert [m.group() for m in finditer_near(re.compile("跳楼|上访"), "我要上访" + "。" * 40 + "我要跳楼",
                                             frozenset({"跳楼", "上访"}), {"上访": [3], "跳楼": [47]}, 2)] == ["上访", "跳楼"]


def test_an_alternation_asked_row_by_row_answers_as_the_whole(sample_dir):
    """`alternatives` splits only at the top level; `AnyOf.search_in` gives `search(text) is not None`
    for every frame word class (with the grader's letter scan) and modifier category (with its own)
    on every bundled letter and stretches of it."""
    from pipeline.prefilter import AnyOf, alternatives
    from pipeline.read import read_letters
    from pipeline.urgency import FramePattern, UrgencyGrader, slot_rows

    split = [p.pattern for p in alternatives(re.compile(r"(?:a|b)|[|(]c|\|d|e(?=f|g)"))]
    assert split == ["(?:a|b)", "[|(]c", r"\|d", "e(?=f|g)"]
    assert len(alternatives(re.compile(r"(a)b|c\1"))) == 1  # a back-reference: not split
    grader = UrgencyGrader().fit()
    texts = grader.letter_texts(read_letters([sample_dir]).letters)
    scan = grader._word_scan()
    slots = {s for c in grader.cues_ if isinstance(c.pattern, FramePattern)
             for s in [c.pattern.anchor] + [slot for _, slot, _, _ in c.pattern.need + c.pattern.unless]}
    modifiers = {name: AnyOf(pattern) for name, pattern in grader.modifiers_.items()}
    positives = 0
    for text in texts:
        where = scan.positions(text)
        for slot in slots:
            assert slot_rows(slot).search_in(text, where) == (slot.search(text) is not None), slot.pattern[:30]
        for window in (text, text[-160:], text[5:35]):
            for name, rows in modifiers.items():
                whole = grader.modifiers_[name].search(window) is not None
                assert rows.search_in(window) == whole, name
                positives += whole
    assert positives > 100
