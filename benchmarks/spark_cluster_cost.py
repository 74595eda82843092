"""What Spark's hot-issue step alone costs on a Parquet letters dataset: wall, CPU and memory.

Run: PYTHONPATH=$PWD .venv/bin/python benchmarks/spark_cluster_cost.py LETTERS_DIR
         [--driver-memory 6g] [--master local[2]] [--save OUT.parquet] [--compare OTHER.parquet]

LETTERS_DIR is a Parquet dataset (`benchmarks/replicate.py N --out DIR` writes DIR/letters).
Why a script of its own: `scale.py` times the whole job, where the cluster stage's share of the
process tree's CPU and memory cannot be told apart from linking's; here only
`pipeline.spark_cluster.cluster_issues` runs (after reading the letters and numbering them as the
engine does), in a child process whose whole tree (driver, JVM, Python workers) is sampled by
`benchmarks/_measure.py`. The letters are not linked first, so the writer column is writer_id
(or name, phone), not person_id: the same for every version of the code measured.

`--save` keeps (letter_id, issue_id) of the run; `--compare` prints the pairwise F1 of "same
issue" against a saved run (two versions of the code on the same letters).
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # the project root, not this folder: `pipeline` from this checkout
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import time  # noqa: E402

from benchmarks._measure import measure  # noqa: E402


def child(args) -> None:
    from pyspark.sql import functions as F

    from pipeline.spark_cluster import cluster_issues
    from pipeline.spark_engine import _partitions
    from pipeline.spark_session import INPUT_ORDER, start_spark

    spark = start_spark(args.master, conf={"spark.driver.memory": args.driver_memory})
    try:
        letters = spark.read.parquet(args.letters).withColumn(INPUT_ORDER, F.monotonically_increasing_id())
        n = letters.count()
        spark.conf.set("spark.sql.shuffle.partitions", str(_partitions(n, spark.sparkContext.defaultParallelism)))
        started = time.perf_counter()
        out, issues = cluster_issues(spark, letters)
        ids = out.select("letter_id", "issue_id").toPandas()
        wall = time.perf_counter() - started
        print(f"cluster_issues: {n:,} letters, {len(issues)} issues, {ids['issue_id'].notna().sum():,} letters "
              f"in an issue, {wall:.1f} s wall", file=sys.stderr, flush=True)
        if args.save:
            ids.to_parquet(args.save, index=False)
    finally:
        spark.stop()


def compare(saved: str, other: str) -> None:
    import pandas as pd

    from benchmarks.spark_cluster import pairwise_scores, same_issue_pairs

    a, b = pd.read_parquet(saved), pd.read_parquet(other)
    print("pairwise agreement (this run vs", other, "):",
          pairwise_scores(same_issue_pairs(b["letter_id"], b["issue_id"]), same_issue_pairs(a["letter_id"], a["issue_id"])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("letters")
    parser.add_argument("--driver-memory", default="6g")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--save")
    parser.add_argument("--compare")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    command = [sys.executable, str(Path(__file__).resolve()), args.letters, "--child", "--master", args.master,
               "--driver-memory", args.driver_memory]
    command += ["--save", args.save] if args.save else []
    measured = measure(command)
    if measured.returncode != 0:
        print(measured.stderr[-4000:])
        raise SystemExit(measured.returncode)
    print("".join(line for line in measured.stderr.splitlines(keepends=True) if line.startswith("cluster_issues:")), end="")
    print(f"whole child process (Spark start, read, cluster): {measured.wall:.1f} s wall, {measured.cpu:.1f} s CPU; "
          + measured.memory())
    if args.compare and args.save:
        compare(args.save, args.compare)


if __name__ == "__main__":
    main()
