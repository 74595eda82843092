"""Hot issues on Spark against the local clusterer: pairwise F1 of "same issue" and time, per corpus.

    PYTHONPATH=$PWD .venv/bin/python -m benchmarks.spark_cluster [--corpora sample tipdm] [--max-block 100]

`sample` is the bundled corpus; `tipdm` the three TipDM letter files with writers and dates
(hot_messages, replies, unlabeled_messages: ~10,000 letters, read from ../shared/data). For each it
prints the letters, the issues of each engine, the pairwise precision / recall / F1 of the Spark
issues against the local ones (pairs of letters in the same issue), the issue labels both engines
give, and the time: local fit CPU seconds; Spark wall seconds on local[2] (its work is in the JVM
and Python workers, so the driver's CPU says little). The machine is shared: wall times are noisy.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from itertools import combinations
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.cluster import IssueClusterer  # noqa: E402
from pipeline.paths import SAMPLE_DIR, SHARED_DATA_DIR  # noqa: E402
from pipeline.read import read_letters  # noqa: E402


def same_issue_pairs(letter_ids, issue_ids) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    for letter, issue in zip(letter_ids, issue_ids):
        if isinstance(issue, str):
            groups.setdefault(issue, []).append(str(letter))
    return {tuple(sorted(p)) for members in groups.values() for p in combinations(members, 2)}


def pairwise_scores(local: set, other: set) -> dict:
    tp = len(local & other)
    p = tp / len(other) if other else 1.0
    r = tp / len(local) if local else 1.0
    return {"pairs_local": len(local), "pairs_spark": len(other), "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def corpus(key: str) -> pd.DataFrame:
    if key == "sample":
        return read_letters([SAMPLE_DIR]).letters
    files = [SHARED_DATA_DIR / f for f in ("hot_messages.xlsx", "replies.xlsx", "unlabeled_messages.xlsx")]
    letters = read_letters(files).letters
    # letter ids repeat across the three files: the pair measure needs one id per letter
    letters["letter_id"] = letters["source_file"].astype(str).str.extract(r"([^/]+)$")[0] + ":" + letters["letter_id"].astype(str)
    return letters


def spark_session():
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    return (SparkSession.builder.master("local[2]").appName("bench_spark_cluster")
            .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4").config("spark.pyspark.python", sys.executable)
            .config("spark.sql.session.timeZone", "UTC").config("spark.driver.memory", "2g").getOrCreate())


def to_spark(spark, letters: pd.DataFrame):
    keep = [c for c in ("letter_id", "title", "text", "received_at", "writer_id", "up_votes", "down_votes", "label")
            if c in letters.columns]
    pdf = letters[keep].copy()
    for c in pdf.columns:
        if c != "received_at" and not pd.api.types.is_numeric_dtype(pdf[c]):
            pdf[c] = pdf[c].astype(object).where(pdf[c].notna(), None)
    return spark.createDataFrame(pdf)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", nargs="*", default=["sample", "tipdm"])
    parser.add_argument("--max-block", type=int, default=100)
    args = parser.parse_args(argv)
    from pipeline.spark_cluster import cluster_issues

    spark = spark_session()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        for key in args.corpora:
            letters = corpus(key)
            cpu = time.process_time()
            model = IssueClusterer(n_jobs=1).fit(letters)
            cpu = time.process_time() - cpu
            local = model.get_issue_letters()
            wall = time.perf_counter()
            out, issues = cluster_issues(spark, to_spark(spark, letters), max_block=args.max_block)
            got = out.select("letter_id", "issue_id").toPandas()
            wall = time.perf_counter() - wall
            scores = pairwise_scores(same_issue_pairs(local["letter_id"], local["issue_id"]),
                                     same_issue_pairs(got["letter_id"], got["issue_id"]))
            print(f"\n== {key}: {len(letters)} letters; local {len(model.get_issue_info())} issues "
                  f"({local['issue_id'].notna().sum()} letters), fit {cpu:.1f} s CPU; spark {len(issues)} issues "
                  f"({got['issue_id'].notna().sum()} letters), {wall:.1f} s wall on local[2]")
            print("pairwise agreement (spark vs local):", scores)
            labels = set(model.get_issue_info()["label"])
            print(f"issue labels given by both engines: {len(labels & set(issues['label']))} of {len(labels)} local")
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
