"""Both engines on N replicated letters, a Spark history, and a sizing table for 2x10^8 letters.

Run: .venv/bin/python benchmarks/scale.py [--sizes 10000,30000] [--engines local,spark] [--history 100000]
     [--spark-master local[2]] [--spark-driver-memory 6g] [--target-hours 24]

- Letters: the shared letters replicated with perturbed text and identities
  (`benchmarks/replicate.py`), generated once per size into a temporary folder and read by every engine.
- Each (engine, size) is one `petition run LETTERS --as-of DATE --out TMP --engine E` in its own
  process (`--spark-master M` for Spark): letters/s, wall and CPU time, and peak memory of the whole
  process tree (for Spark: the driver, its JVM and the Python workers) from `benchmarks/_measure.py`.
- `--history M`: M letters are written into a Parquet history dataset with the Spark engine
  (`--store DIR`), then a batch of the smallest size (later letters, repeating earlier writers) runs
  against it: the cost of a run as the history grows.
- The output ends with a sizing table for 2x10^8 letters, extrapolated from the measured curve
  (a power law in N fitted to CPU time, a straight line to peak memory), with its assumptions.
  The fit is only as good as the sizes measured: with sizes 10^4-10^5 it is an extrapolation over
  three orders of magnitude or more; the table says so and prints the exponent it used.
The Spark engine is used when `petition run --help` offers `--engine`; until then the Spark rows
print "spark engine not available" and the sizing of a cluster rests on the local engine's curve.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # the project root, not this folder: `pipeline` from this checkout
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from benchmarks._measure import PROJECT_DIR, measure, petition  # noqa: E402

TARGET_LETTERS = 200_000_000  # five years of a province's 12345 (issue 18)
MEASURED_CORES = 2  # this machine; the local engine and Spark local[2] both use two


def spark_available() -> bool:
    """True when this checkout's `petition run` has the `--engine` flag (the Spark engine's branch)."""
    helped = subprocess.run(petition("run", "--help"), cwd=PROJECT_DIR, capture_output=True, text=True,
                            env={"PYTHONPATH": str(PROJECT_DIR), "PATH": "/usr/bin:/bin"})
    return "--engine" in helped.stdout


def engine_arguments(engine: str, master: str, has_engine_flag: bool, driver_memory: str = "") -> list[str]:
    """`petition run`'s engine flags; for Spark the master and the driver's heap (`--spark-driver-memory`:
    in local mode the driver JVM is the executor too, and Spark's default 1 GB heap ran out of memory
    clustering 10^4 replicated letters before issue 18's block scoring)."""
    if not has_engine_flag:
        return []
    if engine != "spark":
        return ["--engine", engine]
    return ["--engine", engine, "--spark-master", master] + (["--spark-driver-memory", driver_memory] if driver_memory else [])


# stderr lines that are never the error: Spark's progress bars, JVM and log4j chatter, warnings
NOISE = ("[Stage ", "WARN ", "WARNING: ", "Using Spark's default log4j", "Setting default log level",
         "To adjust logging level", "FutureWarning", "warnings.warn(", "UserWarning")


def error_excerpt(stderr: str, limit: int = 40) -> str:
    """What a failed run says about why: its last Python traceback (Spark's come last, after the
    driver's progress lines) or, without one, its last `limit` lines that are not Spark's noise.
    A Spark failure's last line is mostly a JVM log line, never the cause."""
    lines = [line.rstrip() for line in stderr.replace("\r", "\n").splitlines()]
    lines = [line for line in lines if line.strip() and not any(mark in line for mark in NOISE)]
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")]
    if starts:
        lines = lines[starts[-1]:]
    if len(lines) > limit:
        lines = lines[:limit // 4] + [f"... ({len(lines) - limit} lines) ..."] + lines[-(limit - limit // 4):]
    return "\n".join(lines)


def run_once(letters: Path, out: Path, as_of: str, arguments: list[str], env: dict | None = None) -> dict | None:
    measured = measure(petition("run", str(letters), "--as-of", as_of, "--out", str(out), *arguments), env=env)
    if measured.returncode != 0:
        log = Path(tempfile.gettempdir()) / f"petition-scale-{out.name}.stderr.log"  # outlives the work folder
        log.write_text(measured.stderr, encoding="utf-8")
        print(f"    failed (exit {measured.returncode}, {measured.wall:.0f} s); whole stderr in {log}:")
        print("      " + error_excerpt(measured.stderr).replace("\n", "\n      "), flush=True)
        return None
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    return {"letters": info["counts"]["letters"], "wall": measured.wall, "cpu": measured.cpu,
            "tree_mb": measured.tree_peak_mb, "main_mb": measured.main_peak_mb,
            "worker_mb": measured.worker_peak_mb, "timings": info.get("timings", {})}


def fit_power(points: list[tuple[float, float]]) -> tuple[float, float]:
    """(a, b) of y = a N^b by least squares on logs; one point gives b = 1 (assumed linear)."""
    if len(points) < 2:
        n, y = points[0]
        return y / n, 1.0
    xs, ys = [math.log(n) for n, _ in points], [math.log(y) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return math.exp(my - b * mx), b


def fit_line(points: list[tuple[float, float]]) -> tuple[float, float]:
    """(c, d) of y = c + d N; one point gives c = 0, d = y / N (all of it taken to grow with N: an upper bound)."""
    if len(points) < 2:
        return 0.0, points[0][1] / points[0][0]
    mx = sum(n for n, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    d = sum((n - mx) * (y - my) for n, y in points) / sum((n - mx) ** 2 for n, _ in points)
    return my - d * mx, max(d, 0.0)


def sizing(results: dict, target_hours: float, executor_cores: int, executor_memory_gb: float,
           partition_letters: int) -> None:
    print()
    print(f"== sizing for {TARGET_LETTERS:.0e} letters (extrapolated; assumptions below)")
    print(f"{'curve from':>10s} {'N measured':>17s} {'CPU~N^b':>7s} {'core-hours':>10s} {'hours on 2 cores':>16s} "
          f"{'MB/1k letters':>13s} {'1-process GB':>12s} {'executors':>9s} {'cluster GB':>10s} {'hours':>6s}")
    for engine, rows in results.items():
        rows = sorted({r["letters"]: r for r in rows}.values(), key=lambda r: r["letters"])  # a size measured again: the last run
        points = [(r["letters"], r["cpu"]) for r in rows]
        if not points:
            continue
        a, b = fit_power(points)
        exponent = max(b, 1.0)  # never assume the job gets cheaper per letter with size
        largest_n, largest_cpu = max(points)
        core_seconds = largest_cpu * (TARGET_LETTERS / largest_n) ** exponent
        base_mb, mb_per_letter = fit_line([(r["letters"], r["tree_mb"]) for r in rows])
        one_process_gb = (base_mb + mb_per_letter * TARGET_LETTERS) / 1024
        # a cluster: `executor_cores` cores per executor at 70% efficiency, each core holding one
        # partition of `partition_letters` letters in memory at a time (Spark streams the rest and spills)
        executors = math.ceil(core_seconds / (target_hours * 3600 * executor_cores * 0.7))
        per_executor_gb = (base_mb + mb_per_letter * partition_letters * executor_cores) / 1024
        fits = per_executor_gb <= executor_memory_gb
        hours = core_seconds / (executors * executor_cores * 0.7) / 3600
        print(f"{engine:>10s} {','.join(f'{n:,}' for n, _ in points):>17s} {b:7.2f} {core_seconds / 3600:10.0f} "
              f"{core_seconds / MEASURED_CORES / 3600:16.0f} {mb_per_letter * 1000:13.1f} {one_process_gb:12.0f} "
              f"{executors:9d} {executors * executor_memory_gb:10.0f} {hours:6.1f}"
              + ("" if fits else f"  (needs {per_executor_gb:.0f} GB per executor: smaller partitions)"))
    print("Assumptions:")
    print(f"- CPU time grows as N^b with b fitted on the sizes measured (b < 1 is taken as 1); the cost of the")
    print(f"  largest measured size is scaled to {TARGET_LETTERS:.0e}. Linking and clustering are the parts that")
    print(f"  can grow faster than N: a fit over a narrow range of N can miss that, so treat b as a floor.")
    print(f"- Executors: {executor_cores} cores and {executor_memory_gb:.0f} GB each, 70% parallel efficiency "
          f"(shuffles, skew, stragglers), sized to finish in {target_hours:.0f} h.")
    print(f"- Executor memory: the measured fixed cost (process tree at N -> 0: Python, jieba, the models) plus")
    print(f"  the measured MB per letter times one partition of {partition_letters:,} letters per core; the")
    print(f"  history beyond that is streamed and spilled, not held.")
    print("- '1-process GB' is what the measured line predicts for one process holding every letter: why the")
    print("  local engine does not reach provincial scale.")
    print("- Spark's memory is not the letters' need: its process tree peaks near the driver heap it was")
    print("  given (--spark-driver-memory; the JVM grows to it before collecting garbage) plus its Python")
    print("  workers, so its line measures the heap setting; size Spark's memory by partitions, not by it.")
    print("- Measured on a 2-core machine shared with other jobs: wall times are noisy; CPU time is used.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated letter counts (default 10000)")
    parser.add_argument("--engines", default="local,spark", help="comma-separated: local, spark (default both)")
    parser.add_argument("--history", type=int, default=0, metavar="M", help="letters in a Spark history dataset (0: skip)")
    parser.add_argument("--spark-master", default="local[2]")
    parser.add_argument("--spark-driver-memory", default="6g",
                        help="the Spark driver's heap, passed as `petition run --spark-driver-memory` "
                             "(default 6g; in local mode it holds the executor too)")
    parser.add_argument("--as-of", default="2020-02-01", help="the runs' date (default 2020-02-01, after the last letter)")
    parser.add_argument("--target-hours", type=float, default=24.0, help="the sizing table's time budget (default 24)")
    parser.add_argument("--executor-cores", type=int, default=4)
    parser.add_argument("--executor-memory-gb", type=float, default=16.0)
    parser.add_argument("--partition-letters", type=int, default=50_000)
    parser.add_argument("--results", metavar="FILE.jsonl",
                        help="append each measured row here, and fit the sizing table to every row the file holds "
                             "(sizes measured by earlier invocations too; --sizes '' only prints the table)")
    args = parser.parse_args()
    from benchmarks.replicate import generate, load_seed_letters

    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    has_engine_flag = spark_available()
    if "spark" in engines and not has_engine_flag:
        print("spark engine not available: `petition run` has no --engine flag in this checkout "
              "(the Spark engine's branch is not merged); measuring the local engine only")
        engines = [e for e in engines if e != "spark"]
    seeds = load_seed_letters()
    results: dict[str, list[dict]] = {engine: [] for engine in engines}
    for row in load_results(args.results):
        results.setdefault(row["engine"], []).append(row)
    with tempfile.TemporaryDirectory(prefix="petition-scale-") as temporary:
        work = Path(temporary)
        print(f"{'engine':>6s} {'letters':>9s} {'wall s':>8s} {'CPU s':>8s} {'letters/s':>9s} {'CPU ms/letter':>13s} "
              f"{'main MB':>7s} {'worker MB':>9s} {'tree MB':>7s}  stages (s)")
        for size in sizes:
            started = time.perf_counter()
            generate(size, work / f"gen-{size}", seeds=seeds)
            print(f"  (generated {size:,} letters in {time.perf_counter() - started:.0f} s)", flush=True)
            for engine in engines:
                row = run_once(work / f"gen-{size}" / "letters", work / f"out-{engine}-{size}", args.as_of,
                               engine_arguments(engine, args.spark_master, has_engine_flag, args.spark_driver_memory))
                if row is None:
                    continue
                row = dict(row, engine=engine, load=round(os.getloadavg()[0], 1),
                           driver_memory=args.spark_driver_memory if engine == "spark" else "")
                results[engine].append(row)
                save_result(args.results, row)
                stages = ", ".join(f"{k} {v:.0f}" for k, v in row["timings"].items() if k != "total")
                print(f"{engine:>6s} {row['letters']:9,d} {row['wall']:8.1f} {row['cpu']:8.1f} "
                      f"{row['letters'] / row['wall']:9.0f} {1000 * row['cpu'] / row['letters']:13.1f} "
                      f"{row['main_mb']:7.0f} {row['worker_mb']:9.0f} {row['tree_mb']:7.0f}  {stages} "
                      f"(load {row['load']})", flush=True)
        if args.history and sizes:
            history(args, work, seeds, sizes[0], has_engine_flag)
    sizing(results, args.target_hours, args.executor_cores, args.executor_memory_gb, args.partition_letters)


def load_results(path: str | None) -> list[dict]:
    """Rows measured earlier (`--results`), one JSON object a line; none when the file is absent."""
    if not path or not Path(path).exists():
        return []
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def save_result(path: str | None, row: dict) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def history(args, work: Path, seeds, batch: int, has_engine_flag: bool) -> None:
    """M letters into a Parquet history (`--store`), then a later batch against it, both on Spark."""
    from benchmarks.replicate import generate

    print()
    print(f"== history of {args.history:,} letters on Spark ({args.spark_master}), then a batch of {batch:,} against it")
    if not has_engine_flag:
        print("spark engine not available: history skipped")
        return
    store = work / "history.parquet"  # a Parquet dataset folder (the Spark engine's --store)
    arguments = engine_arguments("spark", args.spark_master, True, args.spark_driver_memory) + ["--store", str(store)]
    for name, start, size in (("history", 0, args.history), ("batch", args.history, batch)):
        generate(size, work / f"hist-{name}", start=start, seeds=seeds)
        row = run_once(work / f"hist-{name}" / "letters", work / f"out-hist-{name}", args.as_of, arguments)
        if row is None:
            return
        print(f"{name:>8s} {row['letters']:10,d} letters: {row['wall']:.1f} s wall, {row['cpu']:.1f} s CPU, "
              f"{row['letters'] / row['wall']:.0f} letters/s, tree peak {row['tree_mb']:.0f} MB", flush=True)


if __name__ == "__main__":
    main()
