"""The Spark engine against the local engine on the same letters: issue 18's equivalence figures.

    python benchmarks/spark_equivalence.py                      # the ~10,000 shared letters
    python benchmarks/spark_equivalence.py corpora/sample/letters_xinfang.csv corpora/sample/hotline_12345.xlsx
    python benchmarks/spark_equivalence.py --compare OUT_LOCAL OUT_SPARK   # two finished runs

Each engine is one `petition run INPUT... --as-of DATE --out DIR [--engine spark --spark-master M]`
in its own process, timed with `benchmarks/_measure.py` (wall, CPU of the process tree, peak
memory). The figures are `pipeline.spark_compare.compare_runs`'s, as the CI test on the bundled
corpus (tests/test_spark_engine.py) checks them: letters whose issue type, urgency, department or
priority differ; pairwise F1 of person_id and issue_id; triage sheets that differ beyond ties.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # the project root, not this folder: `pipeline` from this checkout
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import tempfile  # noqa: E402

from benchmarks._measure import measure, petition  # noqa: E402
from pipeline.paths import SHARED_DATA_DIR  # noqa: E402
from pipeline.spark_compare import compare_runs  # noqa: E402

SHARED = [SHARED_DATA_DIR / n for n in ("hot_messages.xlsx", "replies.xlsx", "unlabeled_messages.xlsx")]


def run(inputs: list[Path], out: Path, as_of: str, engine: str, master: str) -> None:
    arguments = ["--engine", engine] + (["--spark-master", master] if engine == "spark" else [])
    measured = measure(petition("run", *map(str, inputs), "--as-of", as_of, "--out", str(out), *arguments))
    if measured.returncode != 0:
        from benchmarks.scale import error_excerpt

        raise SystemExit(f"{engine} run failed (exit {measured.returncode}):\n{error_excerpt(measured.stderr)}")
    print(f"{engine:>6s}: {measured.wall:.0f} s wall, {measured.cpu:.0f} s CPU; {measured.memory()}", flush=True)


def report(local: Path, spark: Path) -> None:
    figures = compare_runs(local, spark)
    print(f"letters: {figures['letters']}")
    for column, n in figures["differ"].items():
        print(f"  {column:11s} differs on {n} letters" + (f", e.g. {figures['examples'][column]}" if n else ""))
    for column, f1 in figures["f1"].items():
        grouped = figures["grouped"][column]
        print(f"  {column:11s} pairwise F1 {f1:.4f} (letters with one: local {grouped[0]}, Spark {grouped[1]})")
    print(f"  triage sheets that differ beyond ties: {figures['sheets_differ'] or 'none'}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("inputs", nargs="*", type=Path, help="letter files (default: the shared letters)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("LOCAL", "SPARK"), help="two finished runs' folders")
    parser.add_argument("--as-of", default="2026-11-25")
    parser.add_argument("--spark-master", default="local[2]")
    args = parser.parse_args(argv)
    if args.compare:
        report(*args.compare)
        return 0
    inputs = args.inputs or SHARED
    if not all(p.exists() for p in inputs):
        print(f"letters not found: {[str(p) for p in inputs if not p.exists()]}")
        return 1
    with tempfile.TemporaryDirectory(prefix="petition-equivalence-") as temporary:
        local, spark = Path(temporary) / "local", Path(temporary) / "spark"
        run(inputs, local, args.as_of, "local", args.spark_master)
        run(inputs, spark, args.as_of, "spark", args.spark_master)  # one after the other: one Spark job at a time
        report(local, spark)
    return 0


if __name__ == "__main__":
    sys.exit(main())
