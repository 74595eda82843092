"""Person linking on Spark agrees with the local linker on the bundled corpus, in one batch and
incrementally against a history."""

import pandas as pd
import pytest

from spark_support import require_spark

require_spark(slow=True)

from pipeline.link import PetitionerLinker  # noqa: E402


def pairwise_f1(pred: pd.Series, truth: pd.Series) -> float:
    """Pairwise F1 of two partitions of the same letters (labels aligned by index)."""
    pairs = lambda s: int((s * (s - 1) // 2).sum())  # noqa: E731
    both = pd.DataFrame({"p": pred.to_numpy(), "t": truth.to_numpy()})
    tp = pairs(both.groupby(["p", "t"]).size())
    precision = tp / max(pairs(both.groupby("p").size()), 1)
    recall = tp / max(pairs(both.groupby("t").size()), 1)
    return 2 * precision * recall / max(precision + recall, 1e-12)


@pytest.fixture(scope="module")
def corpus(sample_dir):
    from pipeline.read import read_letters

    return read_letters([sample_dir / "letters_xinfang.csv",
                         sample_dir / "hotline_12345.xlsx"]).letters


@pytest.fixture(scope="module")
def both_engines(spark, corpus):
    from pipeline.spark_link import link_persons

    local = PetitionerLinker().link(corpus)
    linked = link_persons(spark, spark.createDataFrame(corpus)).localCheckpoint()
    distributed = linked.drop("sig").toPandas()
    merged = local.merge(distributed, on="letter_key", suffixes=("_local", "_spark"))
    return local, distributed, merged, linked


def test_persons_agree_with_the_local_engine(both_engines):
    local, distributed, merged, _ = both_engines
    assert len(distributed) == len(local) == len(merged)
    f1 = pairwise_f1(merged["person_id_spark"], merged["person_id_local"])
    identical = (merged["person_id_spark"] == merged["person_id_local"]).mean()
    print(f"\nbundled corpus: persons pairwise F1 spark vs local {f1:.4f}, "
          f"identical person_id {identical:.4f} of {len(merged)} letters")
    assert f1 >= 0.98
    assert identical >= 0.98  # the ids themselves are the local ones (first letter's key)
    assert merged["repeat_count_spark"].max() >= 3  # repeat petitioners were found


def test_near_duplicates_and_joint_letters_equal_the_local_engine(both_engines):
    _, _, merged, _ = both_engines
    for column in ("near_duplicate_of", "joint_letter_group"):
        local = merged[f"{column}_local"].astype(object).where(
            merged[f"{column}_local"].notna(), None)
        spark = merged[f"{column}_spark"].astype(object).where(
            merged[f"{column}_spark"].notna(), None)
        assert local.notna().sum() >= 20, column
        assert (local.isna() == spark.isna()).all(), column
        assert (local[local.notna()] == spark[local.notna()]).all(), column


def test_a_batch_against_history_keeps_earlier_person_ids(spark, corpus, both_engines):
    from pipeline.spark_link import link_persons

    _, distributed, _, linked = both_engines
    ordered = distributed.sort_values(["received_at", "letter_key"], na_position="first")
    earlier, later = ordered.iloc[:450], ordered.iloc[450:]
    history = linked.join(spark.createDataFrame(earlier[["letter_key"]]), "letter_key")
    batch = corpus.merge(later[["letter_id", "received_at", "text"]],
                         on=["letter_id", "received_at", "text"])
    out = link_persons(spark, spark.createDataFrame(batch), history).toPandas()
    out = out.merge(distributed[["letter_key", "person_id"]], on="letter_key",
                    suffixes=("", "_one_batch"))
    repeats = out[out["person_id_one_batch"].isin(set(earlier["person_id"]))]
    print(f"\nincremental: {len(out)} new letters, {len(repeats)} repeats of earlier persons")
    assert len(repeats) >= 10
    assert (repeats["person_id"] == repeats["person_id_one_batch"]).mean() >= 0.98
    assert pairwise_f1(out["person_id"], out["person_id_one_batch"]) >= 0.98


def groups(letters: pd.DataFrame) -> set:
    """The persons as sets of letter keys (ids aside)."""
    return {frozenset(keys) for _, keys in letters.groupby("person_id")["letter_key"]}


def test_an_anonymous_call_repeating_a_callers_matter_joins_him_as_locally(spark):
    """The matter as evidence (`pipeline.matter`): anonymous near copies of a named caller's calls
    join him on Spark as in the local engine; a copy about another estate stays apart."""
    from test_link import LAMP, TAXI, _calls, _history_of

    from pipeline.spark_link import link_persons
    from pipeline.spark_session import to_spark

    other_estate = LAMP.replace("海泊河街道卓远小区", "浮山街道金色家园")
    calls = _calls(_history_of("卢卓远", 12) + [
        ("A1", "2024-03-01", "市民", None, LAMP.format(who="市民") + "至今没有修好。"),
        ("A2", "2024-03-02", None, None, "来电人" + TAXI.format(who="")),
        ("U1", "2024-03-03", "市民", None, other_estate.format(who="市民")),
    ])
    local = PetitionerLinker().link(calls)
    person = local.set_index("letter_id")["person_id"]
    assert person["A1"] == person["A2"] == person["H1"] != person["U1"]  # the case this is about
    distributed = link_persons(spark, to_spark(spark, calls)).drop("sig").toPandas()
    assert groups(distributed) == groups(local)


def test_the_qingdao_callers_are_the_local_engines_persons(spark, qingdao_linked, shared_dir):
    """The real case: two callers' calls, half of them anonymous (市民 or nothing), some near
    copies of the caller's named calls. Spark gives exactly the local persons, and the matter
    decides some of them (without it the local engine finds other persons)."""
    from pipeline.read import read_letters
    from pipeline.spark_link import link_persons
    from pipeline.spark_session import to_spark

    calls = read_letters([shared_dir.parent / "more_sources" / "qingdao12345_two_callers.xlsx"]).letters
    calls = calls[calls["call_type"].fillna("") != "无效"].reset_index(drop=True)
    assert groups(PetitionerLinker(matter_min_share=0).link(calls)) != groups(qingdao_linked)
    distributed = link_persons(spark, to_spark(spark, calls)).drop("sig").toPandas()
    assert len(distributed) == len(qingdao_linked)
    assert groups(distributed) == groups(qingdao_linked)


def test_an_anonymous_call_in_a_later_batch_joins_the_stored_caller_as_locally(spark):
    """The anchors may be in the history (a Parquet store's letters, with their signatures)."""
    from test_link import DEPOSIT, WAGES, _calls, _history_of

    from pipeline.minhash import NearDuplicates
    from pipeline.spark_link import link_persons
    from pipeline.spark_session import to_spark

    earlier = _calls(_history_of("卢卓远", 6))
    later = _calls([("A1", "2024-05-01", "市民", None, DEPOSIT.format(who="市民") + "对此不满。"),
                    ("A2", "2024-05-02", "市民", None, WAGES)])
    first = PetitionerLinker().link(earlier)
    local = PetitionerLinker().link(later, first, NearDuplicates().signatures(first["text"]))
    caller = first.set_index("letter_id").loc["H1", "person_id"]
    assert list(local["person_id"] == caller) == [True, False]  # the case this is about
    history = link_persons(spark, to_spark(spark, earlier)).localCheckpoint()
    distributed = link_persons(spark, to_spark(spark, later), history).toPandas()
    assert distributed.set_index("letter_id")["person_id"].to_dict() == \
        local.set_index("letter_id")["person_id"].to_dict()


@pytest.mark.parametrize("buckets", [1, 3])
def test_rare_name_pairs_on_buckets_of_names_equal_the_local_function(spark, buckets):
    """Many name pinyins share one Python call (`spark_buckets`); a namesake in another pinyin
    group (钱子墨 makes 子墨 common) and namesakes in two counties still decide as locally."""
    from pipeline import merge
    from pipeline.identity import name_pinyin
    from pipeline.spark_link import rare_name_pairs
    from pipeline.spark_session import to_spark

    rows = [("k1", "赵子墨", "A县"), ("k2", "赵子墨", "A县"), ("k3", "钱子墨", "A县"),
            ("k4", "孙语桐", "B县"), ("k5", "孙语桐", "B县"), ("k6", "孙语桐", None),
            ("k7", "吴若溪", "A县"), ("k8", "吴若溪", "C县"), ("k9", "郑知远", None), ("k10", "郑知远", None)]
    letters = pd.DataFrame({"letter_key": [r[0] for r in rows], "name_clean": [r[1] for r in rows],
                            "name_pinyin": [name_pinyin(r[1]) for r in rows], "id_clean": None,
                            "addr_county": [r[2] for r in rows],
                            "received_at": pd.date_range("2024-01-01", periods=len(rows))})
    local = merge.rare_name_pairs(letters, letters.head(0))
    before = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", str(buckets))
    try:
        distributed = rare_name_pairs(to_spark(spark, letters), None).toPandas()
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", before)
    pairs = lambda frame: sorted(zip(frame["letter_key_l"], frame["letter_key_r"]))  # noqa: E731
    assert pairs(local) == [("k10", "k9"), ("k5", "k4"), ("k6", "k5")]  # 子墨 common, 若溪 in two counties
    assert pairs(distributed) == pairs(local)
