"""GramTable finds the same vocabulary grams as the per-letter sets, and the refiner's batch
probabilities are the per-letter floats bit for bit (bundled letters; all shared letters when present)."""
from __future__ import annotations

import pytest

from pipeline.gram_lookup import GramTable
from pipeline.urgency import PressingRefiner, UrgencyGrader, char_grams


def expected(table: GramTable, text: str) -> list[int]:
    index = {g: i for i, g in enumerate(table.grams)}
    return sorted(index[g] for g in char_grams(text, maxlen=len(text) + 1) if g in index)


EDGE_TEXTS = ["", "停", "停气", "停气了", "气停气停", " 停 气 ", "老人停气三天😀停气", "停\ud800气", "ab停气ab", "停气" * 700]


def test_present_matches_per_text_sets_on_edge_cases():
    table = GramTable(["停气", "气停", "老人", "停气三", "人停气", " 停", "ab", "b停气"])
    assert table.present(EDGE_TEXTS) == [expected(table, t) for t in EDGE_TEXTS]


def test_a_gram_never_spans_two_texts():
    table = GramTable(["停气", "停气三"])
    assert table.present(["停", "气", "停气", "三"]) == [[], [], [0], []]


def test_chunks_give_the_same_answer(monkeypatch):
    import pipeline.gram_lookup as lookup

    table = GramTable(["停气", "气停", "停气三"])
    texts = ["停气三天", "气停", "", "停"] * 50
    whole = table.present(texts)
    monkeypatch.setattr(lookup, "CHUNK_CHARS", 7)
    assert table.present(texts) == whole


def test_other_gram_lengths_are_refused():
    with pytest.raises(ValueError):
        GramTable(["停", "停气"])


def _batch_equals_per_letter(letters) -> None:
    grader = UrgencyGrader().fit()
    refiner = grader.refiner_
    texts = grader.letter_texts(letters)
    rules = [grader.grade_rules(t, winter=w) for t, w in zip(texts, grader.winter_flags(letters))]
    scored = [i for i, g in enumerate(rules) if refiner.scores(g)]
    assert len(scored) > 20
    one = [refiner.probability(texts[i], rules[i]) for i in scored]
    assert refiner.probabilities([texts[i] for i in scored], [rules[i] for i in scored]) == one
    graded = grader.transform(letters)
    per_letter = [grader.grade(t, w) for t, w in zip(texts, grader.winter_flags(letters))]
    for column in ("urgency", "urgency_score", "urgency_evidence", "urgency_review"):
        assert list(graded[column].astype(object)) == [g[column] for g in per_letter]


def test_refiner_batch_is_the_per_letter_probability_on_bundled_letters(sample_dir):
    from pipeline.read import read_letters

    _batch_equals_per_letter(read_letters([sample_dir / "letters_xinfang.csv"]).letters)


def test_refiner_batch_is_the_per_letter_probability_on_shared_letters(shared_dir):
    from pipeline.read import read_letters

    _batch_equals_per_letter(read_letters([shared_dir / "replies.xlsx"]).letters)


def test_refitting_drops_the_batch_table(monkeypatch):
    import pipeline.urgency as urgency

    monkeypatch.setattr(urgency, "TABLE_MIN_TEXTS", 1)
    refiner = PressingRefiner.load()
    refiner.probabilities(["小区停气三天了"], [{"urgency": "较急", "urgency_cues": "安全险情", "urgency_score": 0.4}])
    assert hasattr(refiner, "_table")
    texts = ["停气三天老人受冻", "噪音扰民", "停水一周", "工地夜间施工"] * 3
    graded = [{"urgency": "较急", "urgency_cues": "安全险情", "urgency_score": 0.4}] * len(texts)
    refiner.fit(texts, graded, ["较急", "一般"] * 6)
    assert not hasattr(refiner, "_table") and not hasattr(refiner, "_terms")


def test_a_few_letters_are_summed_without_a_table(sample_dir):
    """Grading letter by letter must not build a reader's gram table per letter (it was 0.4 s each),
    and the one-by-one sums are the table's floats bit for bit."""
    from pipeline.read import read_letters
    from pipeline.urgency import TABLE_MIN_TEXTS, UrgencyGrader

    grader = UrgencyGrader().fit()
    texts = grader.letter_texts(read_letters([sample_dir / "letters_xinfang.csv"]).letters)
    assert len(texts) >= TABLE_MIN_TEXTS
    for reader in grader.sieve_.readers:
        few = reader._sums(texts[:3])
        assert not hasattr(reader, "_table")
        batch = reader._sums(texts)
        assert hasattr(reader, "_table")
        assert batch[:3] == few and batch == [reader._sum(t) for t in texts]


def test_too_many_characters_are_refused(monkeypatch):
    import pipeline.gram_lookup as lookup

    monkeypatch.setattr(lookup, "MAX_PAIRS", 16)
    with pytest.raises(ValueError):
        GramTable(["停气", "老人", "冷"[0] + "天"])
