"""The matter as evidence: anonymous letters pair only with letters carrying identity, on a near copy
of the wording whose named places agree."""
import numpy as np
import pandas as pd

from pipeline.identity import clean_identity
from pipeline.matter import anonymous_pairs, is_anonymous, matter_places, places_agree
from pipeline.minhash import signatures
from pipeline.persons import letter_keys

LAMP = ("{who}反映：自己居住的海泊河街道卓远小区南门路灯已经坏了两个多月，晚上一片漆黑，老人出门摔倒过，"
        "多次联系物业公司，物业称归市政管，市政称归物业管，互相推诿，要求尽快修好路灯并答复。")
OTHER_ESTATE = LAMP.replace("海泊河街道卓远小区", "浮山街道金色家园")


def calls(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["letter_id", "name", "phone", "text"])
    frame["received_at"] = pd.Timestamp("2024-01-01")
    frame = clean_identity(frame)
    frame["letter_key"] = letter_keys(frame)
    return frame


def test_places_and_organisations_named_are_the_matters_anchor():
    here = matter_places(LAMP.format(who="市民"))
    there = matter_places(OTHER_ESTATE.format(who="市民"))
    assert "海泊河街道卓远小区南门路" in here.split("|")
    assert places_agree(here, matter_places(LAMP.format(who="王先生") + "至今未修。"))
    assert not places_agree(here, there)  # the same template about another estate
    assert places_agree(here, None) and matter_places("未反映具体问题。") is None


def test_a_title_alone_is_anonymous_a_partial_name_a_phone_or_a_name_is_not():
    frame = calls([("A", "市民", None, "x"), ("B", "王先生", None, "x"),
                   ("C", "市民", "13812345678", "x"), ("D", "卢卓远", None, "x"),
                   ("E", "先生", None, "来电人表示小区路灯坏了。")])
    assert list(is_anonymous(frame)) == [True, False, False, False, True]


def test_anonymous_letters_pair_with_identified_near_copies_never_with_each_other():
    frame = calls([
        ("N1", "卢卓远先生", "13812340001", LAMP.format(who="卢卓远先生")),
        ("N2", "卢卓远", None, LAMP.format(who="卢卓远先生") + "再次来电。"),
        ("A1", "市民", None, LAMP.format(who="市民")),
        ("A2", "市民", None, LAMP.format(who="市民") + "至今未修。"),
        ("A3", "市民", None, OTHER_ESTATE.format(who="市民")),
    ])
    sig = signatures(frame["text"])
    found = anonymous_pairs(frame, frame.iloc[0:0], sig, None, probability=0.5)
    key = dict(zip(frame["letter_key"], frame["letter_id"]))
    got = {(key[a], key[b]) for a, b in zip(found["letter_key_l"], found["letter_key_r"])}
    assert got == {("A1", "N1"), ("A1", "N2"), ("A2", "N1"), ("A2", "N2")}
    assert (found["match_probability"] == 0.5).all()
    assert anonymous_pairs(frame, frame.iloc[0:0], sig, None, 0.5, min_share=0).empty


def test_stored_identified_letters_anchor_new_anonymous_ones():
    stored = calls([("H1", "卢卓远", "13812340001", LAMP.format(who="卢卓远先生"))])
    new = calls([("A1", "市民", None, LAMP.format(who="市民"))])
    found = anonymous_pairs(new, stored, signatures(new["text"]), signatures(stored["text"]), 0.5)
    assert list(found["letter_key_r"]) == list(stored["letter_key"])
    # without the stored signatures there is nothing to compare
    assert anonymous_pairs(new, stored, signatures(new["text"]), None, 0.5).empty
    assert np.asarray(signatures(new["text"])).shape == (1, 64)
