"""The Spark engine's write stage alone, each Spark action timed by the line of `pipeline` that asked for it.

Run: .venv/bin/python benchmarks/spark_write_cost.py RUN_DIR OUT_DIR [--driver-memory 6g]

RUN_DIR is a finished `petition run --engine spark` without `--store` (its `cases.parquet` holds the
batch's ranked letters, its `cases.issues.pkl` the issues, its `run.json` the date and counts): the
write stage (`spark_outputs.write_outputs`) runs again on them into OUT_DIR, with no history, and
every count/collect/toPandas/toLocalIterator/parquet write prints its wall time and the CPU its
process tree spent meanwhile (this process, the JVM, its Python workers). Why: the write stage was the
largest Spark stage (issue 18), and a profile of the driver sees none of it (the work is in the JVM
and the Python workers). The CPU per action is a floor: a Python worker that exits during an action
takes its CPU with it (Spark's worker daemon ignores SIGCHLD, so it reaches no parent's count).
Compare two versions' OUT_DIRs with `benchmarks/compare_outputs.py`.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # the project root, not this folder: `pipeline` from this checkout
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import collections  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

from benchmarks._measure import descendants  # noqa: E402


def tree_cpu() -> float:
    """User + sys seconds of this process and its live descendants, with what each has reaped."""
    total = 0
    for pid in [os.getpid(), *descendants(os.getpid())]:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def call_site() -> str:
    for frame in reversed(traceback.extract_stack()[:-2]):
        if "/pipeline/" in frame.filename:
            return f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"
    return "?"


def instrument(times: dict) -> None:
    """Wrap the Spark actions the write stage calls: (count, wall s, tree CPU s) per action and site."""
    from pyspark.sql.classic.dataframe import DataFrame
    from pyspark.sql.readwriter import DataFrameWriter

    def wrap(cls, name):
        original = getattr(cls, name)

        def timed(self, *args, **kwargs):
            key, wall, cpu = f"{name} @ {call_site()}", time.perf_counter(), tree_cpu()
            try:
                return original(self, *args, **kwargs)
            finally:
                row = times[key]
                row[0], row[1], row[2] = row[0] + 1, row[1] + time.perf_counter() - wall, row[2] + tree_cpu() - cpu
        setattr(cls, name, timed)

    for name in ("count", "collect", "toPandas"):
        wrap(DataFrame, name)
    wrap(DataFrameWriter, "parquet")
    iterate = DataFrame.toLocalIterator

    def local_iterator(self, *args, **kwargs):
        key, wall, cpu = f"toLocalIterator @ {call_site()}", time.perf_counter(), tree_cpu()
        yield from iterate(self, *args, **kwargs)
        row = times[key]
        row[0], row[1], row[2] = row[0] + 1, row[1] + time.perf_counter() - wall, row[2] + tree_cpu() - cpu
    DataFrame.toLocalIterator = local_iterator


def main() -> None:
    if len(sys.argv) < 3:  # `make benchmarks` runs every file here without arguments: a tool, not a figure
        print(__doc__.split("\n\n")[1])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--driver-memory", default="6g")
    args = parser.parse_args()

    import pandas as pd
    from pyspark import StorageLevel

    from pipeline import spark_outputs
    from pipeline.cluster import IssueClusterer
    from pipeline.config import load_settings
    from pipeline.rank import PriorityRanker
    from pipeline.spark_engine import _partitions
    from pipeline.spark_session import spark_conf, spark_session

    done = json.loads((args.run_dir / "run.json").read_text(encoding="utf-8"))
    settings = load_settings()
    settings.values["run"]["as_of"] = done["as_of"]
    settings.values["spark"]["driver_memory"] = args.driver_memory
    args.out_dir.mkdir(parents=True, exist_ok=True)
    times: dict = collections.defaultdict(lambda: [0, 0.0, 0.0])
    with spark_session("local[2]", conf=spark_conf(settings)) as spark:
        letters = spark.read.parquet(str(args.run_dir / "cases.parquet"))
        n = letters.count()
        spark.conf.set("spark.sql.shuffle.partitions", str(_partitions(n, minimum=spark.sparkContext.defaultParallelism)))
        letters = letters.repartition(spark.sparkContext.defaultParallelism).persist(StorageLevel.MEMORY_AND_DISK)
        letters.count()
        issues = IssueClusterer.load(args.run_dir / "cases.issues.pkl").issue_info_
        ranker = PriorityRanker(**settings.section("priority"), limit_days=settings.get("backlog", "limit_days", 60),
                                as_of=settings.as_of())
        summary = {k: v for k, v in done["counts"].items() if k in ("letters", "rejects", "files")}
        rejects = pd.DataFrame(columns=["source_file", "source_row", "column", "reason"])
        instrument(times)
        wall, cpu = time.perf_counter(), tree_cpu()
        spark_outputs.write_outputs(spark, letters, issues, rejects, summary, None, ranker, settings, args.out_dir,
                                    {"as_of": done["as_of"]})
        wall, cpu = time.perf_counter() - wall, tree_cpu() - cpu
    print(f"write stage on {n:,} letters: {wall:.1f} s wall, {cpu:.1f} s CPU (process tree, a floor)")
    print(f"{'wall s':>8s} {'CPU s':>8s} {'calls':>5s}  action @ pipeline line")
    for key, (calls, seconds, spent) in sorted(times.items(), key=lambda item: -item[1][1]):
        print(f"{seconds:8.1f} {spent:8.1f} {calls:5d}  {key}")


if __name__ == "__main__":
    main()
