"""The Spark engine gives the local engine's answers on the bundled corpus (issue 18's equivalence).

One Spark session (local[2]) serves the whole module; the local and the Spark run each happen once.
"""
from __future__ import annotations

import itertools
import sys
from collections import Counter

import pandas as pd
import pytest

pytest.importorskip("pyspark", reason="PySpark is not installed (pip install '.[spark]')")

import os as _os  # noqa: E402

if not _os.environ.get("PETITION_SPARK_TESTS"):
    pytest.skip("Spark tests take minutes on 2 cores; set PETITION_SPARK_TESTS=1 to run them (make test-spark)",
                allow_module_level=True)

from pipeline.config import load_settings  # noqa: E402
from pipeline.errors import PetitionError  # noqa: E402

AS_OF = "2026-11-25"
# columns that name what linking and clustering found: compared by pairwise F1, not by value
LINK_IDS = ("信访人编号", "案件编号", "问题ID")


def pairwise_f1(truth: dict, found: dict) -> float:
    """F1 over pairs of items placed together (same non-null label) in `truth` and in `found`.
    Both with no pairs at all: 1.0."""
    def pairs(labels: dict) -> set:
        groups: dict = {}
        for item, label in labels.items():
            if label is not None and label == label:
                groups.setdefault(label, []).append(item)
        return {tuple(sorted(p)) for members in groups.values() for p in itertools.combinations(members, 2)}

    a, b = pairs(truth), pairs(found)
    if not a and not b:
        return 1.0
    both = len(a & b)
    return 2 * both / (len(a) + len(b))


def test_pairwise_f1_counts_pairs_not_labels():
    assert pairwise_f1({1: "a", 2: "a", 3: "b"}, {1: "x", 2: "x", 3: "y"}) == 1.0  # renamed labels agree
    assert pairwise_f1({1: "a", 2: "a", 3: "a"}, {1: "x", 2: "x", 3: None}) == pytest.approx(2 * 1 / (3 + 1))
    assert pairwise_f1({1: "a", 2: "b"}, {1: "x", 2: "y"}) == 1.0
    assert pairwise_f1({1: "a", 2: "a"}, {1: "x", 2: "y"}) == 0.0


def settings():
    values = load_settings()
    values.values["run"]["as_of"] = AS_OF
    return values


@pytest.fixture(scope="module")
def spark():
    from pipeline.spark_session import start_spark

    session = start_spark("local[2]", shuffle_partitions=4)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def outputs(spark, tmp_path_factory):
    from pipeline.run import PetitionRun
    from pipeline.spark_engine import SparkRun

    local_dir, spark_dir = tmp_path_factory.mktemp("local"), tmp_path_factory.mktemp("spark")
    PetitionRun(settings(), progress=False).run(None, local_dir)
    SparkRun(settings(), progress=False, spark=spark).run(None, spark_dir)
    return local_dir, spark_dir


def letters(outputs) -> pd.DataFrame:
    local_dir, spark_dir = outputs
    local = pd.read_parquet(local_dir / "letters.parquet")
    distributed = pd.read_parquet(spark_dir / "letters.parquet")  # a folder of part files
    assert (spark_dir / "letters.parquet").is_dir()
    assert len(local) == len(distributed) and set(local["letter_id"]) == set(distributed["letter_id"])
    return local.merge(distributed, on="letter_id", suffixes=("_local", "_spark"), validate="one_to_one")


def test_row_wise_columns_identical_for_every_letter(outputs):
    both = letters(outputs)
    assert len(both) > 600  # the bundled corpus
    for column in ("issue_type", "urgency", "department", "priority"):
        differ = both[both[f"{column}_local"] != both[f"{column}_spark"]]
        assert differ.empty, f"{column} differs on {len(differ)} letters, e.g. {differ['letter_id'].head(3).tolist()}"


def test_persons_and_hot_issues_agree(outputs):
    both = letters(outputs)
    for column in ("person_id", "issue_id"):
        truth = dict(zip(both["letter_id"], both[f"{column}_local"]))
        found = dict(zip(both["letter_id"], both[f"{column}_spark"]))
        assert pairwise_f1(truth, found) >= 0.98, column
    assert both["person_id_local"].notna().sum() == both["person_id_spark"].notna().sum()


def test_triage_sheets_the_same_up_to_ties(outputs):
    local_dir, spark_dir = outputs
    local = pd.read_excel(local_dir / "triage.xlsx", sheet_name=None, dtype=str)
    distributed = pd.read_excel(spark_dir / "triage.xlsx", sheet_name=None, dtype=str)
    assert list(local) == list(distributed)
    for name, sheet in local.items():
        other = distributed[name]
        assert list(sheet.columns) == list(other.columns), name
        keep = [c for c in sheet.columns if c not in LINK_IDS]
        rows = lambda frame: Counter(map(tuple, frame[keep].fillna("").map(untie).itertuples(index=False)))  # noqa: E731
        assert rows(sheet) == rows(other), f"sheet {name} differs"


def untie(cell: str) -> str:
    """A count list such as 紧急程度分布 "较急:2; 一般:2" lists equal counts in either order."""
    parts = cell.split("; ")
    return "; ".join(sorted(parts)) if len(parts) > 1 and all(":" in p for p in parts) else cell


def test_outputs_are_the_local_files(outputs):
    local_dir, spark_dir = outputs
    for name in ("letters.csv", "triage.xlsx", "report.html", "rejects.csv", "run.json"):
        assert (spark_dir / name).is_file(), name
    local_csv = pd.read_csv(local_dir / "letters.csv", dtype=str, encoding="utf-8-sig")
    spark_csv = pd.read_csv(spark_dir / "letters.csv", dtype=str, encoding="utf-8-sig")
    assert list(local_csv.columns) == list(spark_csv.columns)
    key = local_csv.columns[0]
    pd.testing.assert_frame_equal(local_csv.sort_values(key).reset_index(drop=True)[[key, "问题类型", "紧急程度", "姓名"]],
                                  spark_csv.sort_values(key).reset_index(drop=True)[[key, "问题类型", "紧急程度", "姓名"]])


def test_executors_segment_with_the_user_dictionary(spark):
    """A word of the petition dictionary comes out whole on an executor; plain jieba splits it."""
    import jieba

    from pipeline.spark_rows import executor_segments

    word = "息诉罢访"
    assert word not in jieba.Tokenizer().lcut(f"他已经{word}了")  # without the dictionary: split
    (tokens,) = executor_segments(spark, [f"他已经{word}了"])
    assert word in tokens


def test_missing_pyspark_is_a_plain_error(monkeypatch):
    from pipeline.spark_session import require_pyspark

    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(PetitionError, match=r"pip install '\.\[spark\]'"):
        require_pyspark()
