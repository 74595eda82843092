"""The Spark engine gives the local engine's answers on the bundled corpus (issue 18's equivalence).

Runs in `make test` whenever PySpark and Java are present (skipped, with the reason, otherwise):
the test session's one SparkSession (conftest.py) runs the engine once; the local side is the
suite's shared run of the bundled corpus (`sample_run`), so this module adds one Spark run only.
The measures are `pipeline.spark_compare`'s, which the benchmark applies to the shared letters.
"""
from __future__ import annotations

import json
import sys

import pandas as pd
import pytest
from spark_support import require_spark

require_spark()

from pipeline.config import load_settings  # noqa: E402
from pipeline.errors import PetitionError  # noqa: E402
from pipeline.spark_compare import compare_runs, pairwise_f1, untie  # noqa: E402

AS_OF = "2026-11-25"  # as conftest's sample_run


def test_pairwise_f1_counts_pairs_not_labels():
    assert pairwise_f1({1: "a", 2: "a", 3: "b"}, {1: "x", 2: "x", 3: "y"}) == 1.0  # renamed labels agree
    assert pairwise_f1({1: "a", 2: "a", 3: "a"}, {1: "x", 2: "x", 3: None}) == pytest.approx(2 * 1 / (3 + 1))
    assert pairwise_f1({1: "a", 2: "b"}, {1: "x", 2: "y"}) == 1.0
    assert pairwise_f1({1: "a", 2: "a"}, {1: "x", 2: "y"}) == 0.0
    assert untie("较急:2; 一般:2") == untie("一般:2; 较急:2") != untie("较急:2; 一般:1")


def settings():
    values = load_settings()
    values.values["run"]["as_of"] = AS_OF
    return values


@pytest.fixture(scope="module")
def outputs(spark, sample_run, tmp_path_factory):
    from pipeline.spark_engine import SparkRun

    spark_dir = tmp_path_factory.mktemp("spark")
    SparkRun(settings(), progress=False, spark=spark).run(None, spark_dir)
    return sample_run.out_dir, spark_dir


@pytest.fixture(scope="module")
def agreement(outputs):
    figures = compare_runs(*outputs)
    print(f"\nbundled corpus, Spark vs local: {figures}")
    return figures


def test_row_wise_columns_identical_for_every_letter(agreement):
    assert agreement["letters"] > 600  # the bundled corpus
    assert set(agreement["differ"]) >= {"issue_type", "urgency", "department"}
    for column, n in agreement["differ"].items():
        assert n == 0, f"{column} differs on {n} letters, e.g. {agreement['examples'][column]}"


def test_persons_and_hot_issues_agree(agreement):
    assert agreement["f1"]["person_id"] >= 0.98
    assert agreement["f1"]["issue_id"] >= 0.98
    local, spark = agreement["grouped"]["person_id"]
    assert local == spark


def test_triage_sheets_the_same_up_to_ties(agreement):
    """热点问题 included: its representative letters (代表留言编号) break exact ties between copies
    equally near the centroid by the order the letters were read, which the engine carries
    through linking's shuffles (`spark_session.INPUT_ORDER`); without it I0001, I0006 and I0007
    showed another copy."""
    assert agreement["sheets_differ"] == []


def test_outputs_are_the_local_files(outputs):
    local_dir, spark_dir = outputs
    for name in ("letters.csv", "triage.xlsx", "report.html", "rejects.csv", "run.json"):
        assert (spark_dir / name).is_file(), name
    versions = [json.loads((d / "run.json").read_text(encoding="utf-8"))["versions"] for d in outputs]
    assert versions[1]["classifier"] and versions[1]["linker"] and versions[1]["pyspark"]
    assert {k: versions[1].get(k) for k in versions[0]} == versions[0]  # the same model, lexicon, linker
    report = (spark_dir / "report.html").read_text(encoding="utf-8")
    assert "本报告的覆盖范围" in report
    # the one bound that binds on the corpus: 543 cases, 100 kept (the sheet shows the top 20)
    assert "达到上限而被截断的清单: 领导包案建议的案件 (" in report
    local_csv = pd.read_csv(local_dir / "letters.csv", dtype=str, encoding="utf-8-sig")
    spark_csv = pd.read_csv(spark_dir / "letters.csv", dtype=str, encoding="utf-8-sig")
    assert list(local_csv.columns) == list(spark_csv.columns)
    key = local_csv.columns[0]
    pd.testing.assert_frame_equal(local_csv.sort_values(key).reset_index(drop=True)[[key, "问题类型", "紧急程度", "姓名"]],
                                  spark_csv.sort_values(key).reset_index(drop=True)[[key, "问题类型", "紧急程度", "姓名"]])


def test_a_parquet_dataset_input_is_counted_with_its_rejects(spark, tmp_path):
    """`petition run DATASET --engine spark` ended in KeyError: 'rejects' after writing everything
    (the read summary of a Parquet dataset had no rejects count, which the CLI prints)."""
    from pipeline.spark_engine import SparkRun

    dataset = tmp_path / "letters.parquet"
    pd.DataFrame({"letter_id": ["A1", "A2"], "title": ["路灯坏了", "噪音"], "text": ["小区路灯坏了两个月。", "工地夜间施工。"]}) \
        .to_parquet(dataset)
    letters, rejects, summary = SparkRun(settings(), progress=False, spark=spark).read(spark, [dataset], None)
    assert (summary["letters"], summary["rejects"], len(rejects)) == (2, 0, 0)


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
