"""The scale benchmarks' letter generator: seeded, independent of chunking, near copies, real repeat writers.

Seeds are the bundled sample letters (real text shipped with the project), so this runs on a clean clone.
"""
import difflib
import random

import pandas as pd
import pytest

from benchmarks.replicate import SEED_COLUMNS, LetterReplicator, change_numbers, generate
from pipeline.paths import SAMPLE_DIR
from pipeline.read import read_letters


@pytest.fixture(scope="module")
def seeds() -> pd.DataFrame:
    letters = read_letters([SAMPLE_DIR / "letters_xinfang.csv"]).letters.head(40)
    for column in SEED_COLUMNS:
        if column not in letters.columns:
            letters[column] = None
    return letters[SEED_COLUMNS].reset_index(drop=True)


def test_chunks_and_batches_give_the_same_letters(tmp_path, seeds):
    generate(100, tmp_path / "whole", seed=3, chunk=100, seeds=seeds)
    generate(37, tmp_path / "a", seed=3, chunk=10, seeds=seeds)
    generate(63, tmp_path / "b", seed=3, chunk=25, start=37, seeds=seeds)
    whole = pd.read_parquet(tmp_path / "whole" / "letters")
    parts = pd.concat([pd.read_parquet(tmp_path / p / "letters") for p in ("a", "b")], ignore_index=True)
    assert len(list((tmp_path / "a" / "letters").glob("*.parquet"))) == 4
    pd.testing.assert_frame_equal(whole, parts)
    assert whole["letter_id"].is_unique
    other_seed = pd.read_parquet(generate(100, tmp_path / "other", seed=4, seeds=seeds)[0])
    assert (other_seed["text"] != whole["text"]).mean() > 0.9


def test_copies_are_near_but_not_exact(seeds):
    replicator = LetterReplicator(seeds, seed=0)
    similarities, exact = [], 0
    for i in range(120):
        letter, truth = replicator.letter(i)
        original = seeds.loc[seeds["letter_id"] == truth["seed_letter_id"], "text"].iloc[0]
        exact += letter["text"] == original
        similarities.append(difflib.SequenceMatcher(None, original, letter["text"]).ratio())
    assert exact <= 3  # a copy is a near-duplicate, not the same string
    assert sorted(similarities)[len(similarities) // 2] > 0.85
    rounds = [replicator.source_of(i) for i in range(len(seeds) * 2)]
    assert sorted(rounds[:len(seeds)]) == sorted(rounds[len(seeds):]) == list(range(len(seeds)))


def test_repeat_writers_keep_one_identity_across_rounds(seeds):
    replicator = LetterReplicator(seeds, seed=1, repeat_share=0.3, repeat_window=200)
    pairs = [replicator.letter(i) for i in range(200)]
    frame = pd.DataFrame([{**letter, "person": truth["person"]} for letter, truth in pairs])
    counts = frame["person"].value_counts()
    assert (counts > 1).sum() >= 20
    rounds = frame.assign(round=frame.index // len(seeds)).groupby("person")["round"].nunique()
    assert (rounds > 1).sum() >= 5  # writers come back in later rounds, so later batches link to earlier ones
    for _, letters in frame[frame["person"].isin(counts[counts > 1].index)].groupby("person"):
        assert letters["writer_id"].nunique(dropna=False) == 1
        assert letters["phone"].dropna().nunique() <= 1
        assert letters["name"].dropna().str[0].nunique() <= 1  # 王先生 and 王伟 share the surname


def test_numbers_change_but_place_codes_and_dates_stay_valid():
    rng = random.Random(0)
    text = "A3区K12县的路于2019年3月7日坏了,修了35天"
    for _ in range(30):
        changed = change_numbers(text, rng, share=1.0)
        assert changed.startswith("A3区K12县的路于")
        year, rest = changed.split("于", 1)[1].split("年", 1)
        month, rest = rest.split("月", 1)
        day = rest.split("日", 1)[0]
        assert len(year) == 4 and 1 <= int(month) <= 12 and 1 <= int(day) <= 28
    assert any(change_numbers(text, random.Random(s), share=1.0) != text for s in range(5))
