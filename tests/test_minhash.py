"""MinHash near-duplicates on the bundled letters: signatures as stored, LSH band keys, pairs, groups."""
import numpy as np
import pandas as pd
import pytest

from pipeline import minhash
from pipeline.classify import letter_texts
from pipeline.read import read_letters


@pytest.fixture(scope="module")
def texts(sample_dir):
    letters = read_letters([sample_dir / "letters_xinfang.csv",
                            sample_dir / "hotline_12345.xlsx"]).letters
    return letter_texts(letters)


@pytest.fixture(scope="module")
def sig(texts):
    return minhash.signatures(texts)


def test_signatures_are_datasketch_minhashes_of_the_shingles(texts, sig):
    """The case store keeps these rows across runs: they must stay datasketch's (seed 1)."""
    from datasketch import MinHash

    long_rows = [i for i, t in enumerate(texts) if len(minhash.clean_text(t)) >= 30][:20]
    assert len(long_rows) == 20
    for i in long_rows:
        m = MinHash(num_perm=64, seed=1, hashfunc=int)
        m.update_batch(minhash.shingle_hashes(minhash.clean_text(texts[i]), 4))
        assert np.array_equal(sig[i], m.hashvalues.astype(np.uint32))
    assert np.array_equal(sig, minhash.signatures(texts))  # deterministic


def test_short_texts_get_empty_rows_and_no_band_keys():
    sig = minhash.signatures(["同上", "", None, "请尽快处理小区门口道路施工噪音扰民问题，晚上十一点还在施工，老人小孩睡不好。"])
    assert minhash.is_empty(sig).tolist() == [True, True, True, False]
    frame = minhash.band_frame(sig, 5, 11)
    assert set(frame["row"]) == {3} and len(frame) == 5


@pytest.mark.parametrize("threshold", [0.8, 0.5, 0.3])
def test_band_key_candidates_are_the_ones_datasketch_lsh_finds(texts, sig, threshold):
    from datasketch import LeanMinHash, MinHashLSH

    bands, rows = minhash.lsh_params(threshold)
    lsh = MinHashLSH(threshold=threshold, num_perm=64)
    assert (lsh.b, lsh.r) == (bands, rows)
    ok = np.flatnonzero(~minhash.is_empty(sig))
    lean = {int(i): LeanMinHash(seed=1, hashvalues=sig[i], scheme="affine32") for i in ok}
    for i, m in lean.items():
        lsh.insert(i, m)
    expected = {(i, j) for i, m in lean.items() for j in lsh.query(m) if j < i}
    found = minhash.candidates(sig, bands, rows)
    assert set(zip(found["i"], found["j"])) == expected
    assert len(expected) > 0


def test_pairs_find_a_rewritten_copy_and_estimate_its_jaccard(texts):
    text = max(texts, key=len)
    copy = text.replace("，", ",")[:-3] + "谢谢。"  # another punctuation, another ending
    other = sorted(texts, key=len)[-2]
    history = minhash.signatures([other, text])
    new = minhash.signatures([copy, other])
    pairs = minhash.pairs(new, history, threshold=0.8)
    found = {(i, j, h) for i, j, h in pairs[["i", "j", "in_history"]].itertuples(index=False)}
    assert found == {(0, 1, True), (1, 0, True)}
    assert (pairs["similarity"] >= 0.8).all()
    exact = minhash.similarity(new[0], history[1])
    assert pairs.loc[pairs["i"] == 0, "similarity"].iloc[0] == pytest.approx(exact)


def test_a_campaign_of_identical_letters_keeps_few_links_per_letter_and_stays_one_group(texts):
    text = max(texts, key=len)
    sig = minhash.signatures([text] * 60)
    pairs = minhash.pairs(sig, sig[:30], threshold=0.8, max_candidates=5)
    assert pairs.groupby("i").size().max() == 5
    # the most recent history rows come first
    assert set(pairs.loc[pairs["i"] == 0, "j"]) == {29, 28, 27, 26, 25}
    within = minhash.pairs(sig, threshold=0.8, max_candidates=5)
    groups = minhash.components(len(sig), within["i"], within["j"])
    assert set(groups) == {0}


def test_groups_join_copies_and_keep_different_letters_apart(texts, sig):
    groups = minhash.groups(sig, threshold=0.8)
    pairs = minhash.pairs(sig, threshold=0.8, max_candidates=len(sig))
    for i, j in pairs[["i", "j"]].itertuples(index=False):
        assert groups[i] == groups[j]
    sizes = pd.Series(groups).value_counts()
    assert sizes.max() < len(sig) / 2  # distinct complaints are not one group
    assert (groups <= np.arange(len(sig))).all()  # a group's id is its first row
    # unchecked candidates join at least as much as verified pairs
    loose = minhash.groups(sig, threshold=0.8, verify=False)
    assert len(set(loose)) <= len(set(groups))


def test_band_keys_need_enough_positions(sig):
    with pytest.raises(ValueError, match="positions"):
        minhash.band_keys(sig, 9, 8)


def test_pairs_against_a_history_made_a_chunk_at_a_time_are_the_pairs_made_at_once(texts, sig, monkeypatch):
    """A big store's band table is built a chunk at a time and cut to the keys a new letter has;
    the pairs (and their order) are those of the whole table."""
    new, history = sig[::3], np.delete(sig, np.s_[::3], axis=0)
    copies = minhash.signatures([t.replace("，", ",") for t in texts[::3]])  # the new letters, re-sent
    history = np.vstack([history, copies])
    whole = minhash.pairs(new, history, threshold=0.5)
    monkeypatch.setattr(minhash, "HISTORY_CHUNK", 7)
    chunked = minhash.pairs(new, history, threshold=0.5)
    assert whole["in_history"].sum() > 20
    pd.testing.assert_frame_equal(whole, chunked)
