"""The Spark engine's bounded tables (`pipeline.spark_outputs`) against the local code they stand for.

`top_cases` scores cases a bucket of whole cases at a time (one `PriorityRanker.cases` call per
shuffle partition, not per case): a case split across buckets, or a bucket scored differently from
its cases one by one, would change the case table. Runs when PySpark and Java are present.
"""
from __future__ import annotations

import pandas as pd
import pytest
from spark_support import require_spark

require_spark()

from pipeline.rank import PriorityRanker  # noqa: E402


def letters(n_persons: int = 40) -> pd.DataFrame:
    """Letters of `n_persons` writers, each with 1-4 letters over 1-2 matters (hot issues several
    wrote about, issues one writer wrote alone, and some with no issue id, so the routed type, else
    the issue type, names the matter), distinct priorities within a case (no ties to break)."""
    rows = []
    for p in range(n_persons):
        for k in range(1 + p % 4):
            issue = f"I{p % 13:04d}" if (p + k) % 3 else None  # 13 issues of 2-4 writers
            issue = f"S{p:03d}" if p % 10 == 9 and k < 3 else issue  # one writer's own, over two types
            rows.append({
                "letter_id": f"L{p:03d}{k}", "person_id": f"P{p:03d}" if p % 7 else None,
                "issue_id": issue, "issue_type": ["城建", "劳动", "环保"][(p + k) % 3],
                "routed_type": [None, "城建", "劳动", None][(p + 2 * k) % 4],
                "hot_issue_label": f"热点{issue}" if issue else None,
                "priority": float(100 - p + 0.1 * k), "received_at": pd.Timestamp("2026-01-01") + pd.Timedelta(days=37 * k + p),
                "is_open": bool((p + k) % 2), "urgency": ["紧急", "一般"][k % 2], "department": f"部门{p % 5}",
                "confidential": p % 11 == 0, "title": f"标题{p}-{k}", "priority_reasons": "常规来信" if k else "紧急",
            })
    return pd.DataFrame(rows)


def test_top_cases_match_the_local_case_table(spark, monkeypatch):
    from pipeline import spark_outputs
    from pipeline.spark_session import to_spark

    frame = letters()
    ranker = PriorityRanker(as_of=pd.Timestamp("2026-11-25").date())
    expected = ranker.cases(frame)
    assert expected["letters"].max() > 1 and len(expected) > 40  # cases of several letters, many cases
    monkeypatch.setattr(spark_outputs, "CASES_LIMIT", 1_000)
    previous = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", "3")  # several buckets of cases
    try:
        top, count = spark_outputs.top_cases(to_spark(spark, frame).repartition(4), ranker)
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", previous)
    assert count == len(expected)
    got = top[list(expected.columns)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_top_cases_bound_keeps_the_highest(spark, monkeypatch):
    from pipeline import spark_outputs
    from pipeline.spark_session import to_spark

    frame = letters()
    ranker = PriorityRanker(as_of=pd.Timestamp("2026-11-25").date())
    monkeypatch.setattr(spark_outputs, "CASES_LIMIT", 5)
    top, count = spark_outputs.top_cases(to_spark(spark, frame), ranker)
    expected = ranker.cases(frame)
    assert count == len(expected) > 5
    assert top["case_id"].tolist() == expected["case_id"].head(5).tolist()


@pytest.mark.parametrize("by_city", [False, True])
def test_concentrations_match_the_local_table(spark, sample_run, monkeypatch, by_city):
    """集中问题 in Spark (aggregates, modes and the top letter by window) gives the local table row for
    row: on the bundled corpus with two writers enough and every termed letter counted (its letters
    seldom name their term in words), so there are many rows and ties to break; by county, as its
    letters are, and by city, as a board's letters from many cities would be. Then with the named
    terms only, as the run counts them."""
    from pipeline import concentrate, spark_outputs
    from pipeline.spark_session import to_spark

    if by_city:
        monkeypatch.setattr(concentrate, "CITY_NAMED", 0.0)
        monkeypatch.setattr(concentrate, "CITY_TOP", 1.01)
    letters = sample_run.letters[[c for c in concentrate.READS if c in sample_run.letters.columns]]
    termed = letters.drop(columns="routed_term_named")
    expected = concentrate.concentrations(termed, 2)
    # a row counts its distinct hot issues (one each on this corpus since the batch-level join put the
    # project's six wage issues into one)
    assert len(expected) >= 15 and expected["hot_issues"].max() >= 1
    assert expected["area"].str.contains("A市A").any() != by_city  # 「A市A6区」 is a county's row, or A市's
    got = spark_outputs.concentrations(to_spark(spark, termed), 2)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    named = concentrate.concentrations(letters, 1)
    assert 5 <= len(named) < len(concentrate.concentrations(termed, 1))
    pd.testing.assert_frame_equal(spark_outputs.concentrations(to_spark(spark, letters), 1), named, check_dtype=False)
    # what the sheet says when it is empty: the same counts and the same largest group
    assert spark_outputs.concentration_outline(to_spark(spark, termed)) == concentrate.outline(termed)
    assert spark_outputs.concentration_outline(to_spark(spark, letters)) == concentrate.outline(letters)
