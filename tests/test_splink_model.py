"""The Splink model: the saved model, its prior at store size, scoring on a given database API."""
import numpy as np
import pandas as pd
import pytest

from pipeline import minhash, splink_model
from pipeline.errors import PetitionError
from pipeline.identity import clean_identity
from pipeline.persons import letter_keys

HOMESTEAD = ("我家在K9县石门镇柏树村1组的宅基地，2015年被邻居强行占用修建围墙，村委会和镇政府多次调解无果，"
             "土地证上写得清清楚楚，请求县国土局依法处理，恢复我家宅基地原状。")
NOISE = ("A3区望月湖街道枫林苑小区门口的道路施工半年没有完工，晚上十一点还在施工，噪音很大，老人小孩"
         "都睡不好，希望城管局督促施工单位文明施工并尽快完工。")


@pytest.fixture(scope="module")
def batch():
    frame = pd.DataFrame([
        ("S1", "2023-03-01", "陈建国", "13812345678", "K9县石门镇柏树村1组", HOMESTEAD),
        ("S2", "2023-09-12", "陳建國", "+86 138-1234-5678", "A市K9县石门镇柏树村", HOMESTEAD + "至今未解决。"),
        ("S3", "2023-05-02", "王建军", "13900001111", "A3区望月湖街道枫林苑小区", NOISE),
        ("S4", "2023-05-20", "李秀兰", "13900001111", "A3区望月湖街道枫林苑小区", "电梯坏了三个月没人修。"),
    ], columns=["letter_id", "received_at", "name", "phone", "address", "text"])
    frame = clean_identity(frame)
    frame["letter_key"] = letter_keys(frame)
    return frame


def test_saved_model_prior_is_lowered_in_proportion_to_the_letters_linked(batch):
    saved = splink_model.load_model()
    prior = saved["splink"]["probability_two_random_records_match"]
    settings, source = splink_model.select_model(batch, train="never")
    assert settings["probability_two_random_records_match"] == pytest.approx(prior)  # never raised
    big = pd.concat([batch] * (saved["letters"] * 10 // len(batch) + 1), ignore_index=True)
    settings, _ = splink_model.select_model(big, train="never")
    assert settings["probability_two_random_records_match"] == pytest.approx(
        prior * saved["letters"] / len(big))
    assert source.endswith("splink_model.json")


def test_em_refuses_too_few_letters(batch):
    with pytest.raises(PetitionError, match="too few"):
        splink_model.select_model(batch, train="always")
    with pytest.raises(PetitionError, match="missing"):
        splink_model.load_model("/nonexistent/model.json")


def test_scoring_runs_on_the_database_api_it_is_given(batch):
    import duckdb
    from splink import DuckDBAPI

    settings, _ = splink_model.select_model(batch)
    sig = minhash.signatures(batch["text"])
    default = splink_model.score_pairs(settings, batch, batch.iloc[0:0], 0.5, sig)
    con = duckdb.connect()
    given = splink_model.score_pairs(settings, batch, batch.iloc[0:0], 0.5, sig,
                                     db_api=DuckDBAPI(con))
    assert "new_letters" in {row[0] for row in con.execute("SHOW TABLES").fetchall()}  # used, left open
    con.close()
    key = dict(zip(batch["letter_key"], batch["letter_id"]))

    def named(frame):
        return {tuple(sorted((key[a], key[b]))): round(p, 9) for a, b, p in
                frame[["letter_key_l", "letter_key_r", "match_probability"]].itertuples(index=False)}

    assert named(default) == named(given)
    assert ("S1", "S2") in named(default) and named(default)[("S1", "S2")] > 0.99
    # the family's shared phone is scored, and weaker than one man written two ways
    assert named(default).get(("S3", "S4"), 0.0) < named(default)[("S1", "S2")]


def test_text_signatures_become_a_position_tagged_list_column(batch):
    sig = minhash.signatures(list(batch["text"]) + ["短"])
    column = splink_model._text_sig_array(sig, len(sig))
    # short texts (S4's one line, "短") have no wording to compare
    assert [v is None for v in column.to_pylist()] == [False, False, False, True, True]
    first = np.array(column[0].as_py())
    assert len(set(first % 64)) == 64  # every position tagged


def test_only_history_a_blocking_rule_can_reach_goes_to_splink_and_the_pairs_are_the_same(batch):
    """A 10^6-letter store's history is cut to the letters that share a blocked value with the
    batch: the scored pairs do not change, and strangers never reach Splink's tables."""
    settings, _ = splink_model.select_model(batch)
    rules = [r["blocking_rule"] for r in settings["blocking_rules_to_generate_predictions"]]
    new, history = batch.iloc[[1, 3]], batch.iloc[[0, 2]]
    strangers = clean_identity(pd.DataFrame([
        (f"X{i}", "2022-01-01", name, f"1360000{i:04d}", "A2区", NOISE)
        for i, name in enumerate(["赵一", "钱二", "孙三"])],
        columns=["letter_id", "received_at", "name", "phone", "address", "text"]))
    strangers["letter_key"] = letter_keys(strangers)
    wide = pd.concat([history, strangers], ignore_index=True)
    reach = splink_model.reachable(wide, new, rules)
    # S1 shares S2's phone, S3 shares S4's; no stranger shares a phone, ID, name or account
    assert reach.tolist() == [True, True, False, False, False]
    sig = minhash.signatures(list(new["text"]))

    def scored(hist):
        found = splink_model.score_pairs(settings, new, hist, 0.01, sig,
                                         minhash.signatures(list(hist["text"])))
        return found.round(9).to_dict("records")

    assert scored(wide) == scored(history) and len(scored(history)) == 2
    # a rule that is not equalities only keeps every letter
    assert splink_model.reachable(wide, new, rules + ["levenshtein(l.name_clean, r.name_clean) <= 1"]).all()
    assert splink_model.rule_columns("l.name_pinyin = r.name_pinyin AND l.addr_county = r.addr_county") \
        == ("name_pinyin", "addr_county")
    assert splink_model.rule_columns("l.phone_clean = r.id_clean") is None
