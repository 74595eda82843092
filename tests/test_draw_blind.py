"""The blind splits' draws (corpora/urgency/draw_blind*.py) stay reproducible: a split's letters are
its record of how it was chosen, so a change to the shared draw must not move an old split."""
from __future__ import annotations

import dataclasses
import sys

import pandas as pd
import pytest

from pipeline.paths import CORPORA_DIR, SHARED_DATA_DIR

sys.path.insert(0, str(CORPORA_DIR / "urgency"))
requires_both_sources = pytest.mark.skipif(
    not ((SHARED_DATA_DIR / "hot_messages.xlsx").exists() and (SHARED_DATA_DIR.parent / "more_sources").exists()),
    reason=f"TipDM or more_sources letters not found at {SHARED_DATA_DIR.parent}")
COLUMNS = ["source_file", "letter_id", "how_selected", "net_hit"]


@requires_both_sources
def test_blind2_redraws_its_labelled_letters_in_order():
    from draw_blind import draw
    from draw_blind2 import BLIND2

    drawn = draw(BLIND2)[COLUMNS].astype(str).reset_index(drop=True)
    labelled = pd.read_csv(CORPORA_DIR / "urgency" / "gold_blind2.csv", dtype=str)[COLUMNS]
    pd.testing.assert_frame_equal(drawn, labelled)


@requires_both_sources
def test_blind3_holds_no_gold_letter_and_its_recorded_sizes():
    from draw_blind import draw, gold_ids
    from draw_blind3 import BLIND3

    drawn = draw(BLIND3)
    assert not drawn["letter_id"].isin(gold_ids(BLIND3.name)).any()
    assert drawn["key"].is_unique and drawn["letter_id"].is_unique
    qingdao = drawn["source_file"].str.startswith("qingdao")
    random = drawn["how_selected"] == "random"
    assert (random & ~qingdao).sum() == BLIND3.tipdm_random
    assert (random & qingdao).sum() == BLIND3.qingdao_random
    assert drawn.loc[~random, "net_hit"].all()


@requires_both_sources
@pytest.mark.parametrize("name, tipdm_net", [("blind4", 110), ("blind5", 114), ("blind6", 103), ("blind7", 116),
                                             ("blind8", 101), ("blind9", 98),
                                             ("blind10", 97), ("blind11", 81),
                                             ("blind12", 72), ("blind13", 78),
                                             ("blind14", 74), ("blind15", 87), ("blind16", 63), ("blind17", 137), ("blind18", 106), ("blind19", 82), ("blind20", 72), ("blind21", 61),
                                             ("blind22", 62), ("blind23", 49), ("blind24", 34), ("blind25", 37),
                                             ("blind26", 36), ("blind27", 25), ("blind28", 49),
                                             ("blind29", 19), ("blind30", 7), ("blind31", 4), ("blind32", 0)])
def test_a_later_split_redraws_its_labelled_letters_in_order_and_holds_no_earlier_gold_letter(name, tipdm_net):
    """blind4 onwards: the draw, redone from the recorded parameters, is the gold file's selection (its
    TipDM net hits counted as drawn: blind4's reached its cap of 110)."""
    import importlib

    from draw_blind import draw, gold_ids

    spec = getattr(importlib.import_module(f"draw_{name}"), name.upper())
    drawn = draw(spec)
    assert not drawn["letter_id"].isin(gold_ids(spec.name)).any()
    labelled = pd.read_csv(CORPORA_DIR / "urgency" / f"gold_{name}.csv", dtype=str)[COLUMNS]
    pd.testing.assert_frame_equal(drawn[COLUMNS].astype(str).reset_index(drop=True), labelled)
    assert ((drawn["how_selected"] == "net") & ~drawn["source_file"].str.startswith("qingdao")).sum() == tipdm_net


@requires_both_sources
def test_blind9_holds_no_near_copy_of_an_earlier_gold_letter():
    """From blind9 on, a letter whose cleaned text begins like a labelled letter's (its first 30
    characters) is not drawn: blind3 and blind4 had shared one letter written twice."""
    from draw_blind import draw, gold_ids
    from draw_blind9 import BLIND9

    from benchmarks.urgency import tipdm_and_qingdao_letters
    from pipeline.normalise import clean_text

    letters = tipdm_and_qingdao_letters()
    near = letters["text"].map(clean_text).str.replace(r"\W", "", regex=True).str[:30]
    earlier = set(near[letters["letter_id"].isin(gold_ids(BLIND9.name))]) - {""}
    drawn = draw(BLIND9)
    drawn_near = drawn["text"].map(clean_text).str.replace(r"\W", "", regex=True).str[:30]
    assert not drawn_near.isin(earlier).any()
    # the same rule off (the parameters of blind2 to blind8) would have let near-copies in
    loose = draw(dataclasses.replace(BLIND9, near_copies=False))
    loose_near = loose["text"].map(clean_text).str.replace(r"\W", "", regex=True).str[:30]
    assert loose_near.isin(earlier).any()


@requires_both_sources
def test_blind21_holds_no_letter_seen_in_a_regression_diff():
    """From blind21 on, no letter whose verdict a grader change flipped (seen_in_diffs.csv) is drawn:
    blind18 and blind20 each held one, read in a diff before the split was drawn. The same draw
    without the exclusion would have held some, so the exclusion is doing work."""
    import dataclasses

    from draw_blind import SEEN_PATH, draw
    from draw_blind21 import BLIND21

    seen = pd.read_csv(SEEN_PATH, dtype=str).head(BLIND21.seen_rows)  # the list as it stood at the draw
    seen_keys = set(zip(seen["source_file"], seen["letter_id"]))
    assert len(seen_keys) == BLIND21.seen_rows == 249
    drawn = draw(BLIND21)
    assert not any((f, i) in seen_keys for f, i in zip(drawn["source_file"], drawn["letter_id"]))
    unfiltered = draw(dataclasses.replace(BLIND21, exclude_seen=False))
    assert any((f, i) in seen_keys for f, i in zip(unfiltered["source_file"], unfiltered["letter_id"]))
