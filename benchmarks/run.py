"""The whole job next to plain `jieba.lcut` over the same letters: the ratio, stage times, letters/s, peak memory.

Run: .venv/bin/python benchmarks/run.py [--sizes shared,100000] [--store-growth 20x50000] [--as-of 2020-02-01]

- `--sizes`: `shared` is the ~10,000 shared letters as they are (hot_messages.xlsx + replies.xlsx +
  unlabeled_messages.xlsx); a number N is N letters replicated from them with perturbed text and
  identities (`benchmarks/replicate.py`, written to a temporary folder). Default: `shared`.
  For each size, `petition run INPUT --as-of DATE --out TMP` runs in its own process (the CLI a user
  runs, from this checkout), and then, in this process, plain single-process `jieba.lcut` over
  title + " " + text of the same letters (read with `read_letters`; dictionary load not counted).
  The ratio is job / jieba, on wall time and on CPU time (user + sys of the job's whole process
  tree): the machine is shared, so wall figures are noisy and the CPU ratio is the steadier one.
  Stage times come from the run's own run.json.
- `--store-growth BxN`: B batches of N replicated letters (later batches repeat writers of earlier
  ones) run one after another into one case store (`--store`): the time per batch as the store
  grows, which should stay flat (issue 19: 20x50000 is the 1,000,000-letter store).
Peak memory (`benchmarks/_measure.py`): sampled RSS of the main process, of the largest worker,
and the total PSS of the process tree; plus the kernel's exact peak of the largest process.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # the project root, not this folder: `pipeline` from this checkout
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from benchmarks._measure import Measurement, measure, petition  # noqa: E402
from pipeline.paths import SHARED_DATA_DIR  # noqa: E402

SHARED_FILES = ("hot_messages.xlsx", "replies.xlsx", "unlabeled_messages.xlsx")


def inputs_for(size: str, folder: Path, seeds) -> list[Path]:
    """The shared files themselves, or N replicated letters generated into `folder`."""
    if size == "shared":
        return [SHARED_DATA_DIR / name for name in SHARED_FILES]
    from benchmarks.replicate import generate

    started = time.perf_counter()
    generate(int(size), folder, seeds=seeds)
    print(f"  generated {int(size):,} letters in {time.perf_counter() - started:.0f} s -> {folder / 'letters'}")
    return [folder / "letters"]


def plain_jieba(inputs: list[Path]) -> tuple[int, float, float]:
    """(letters, wall s, CPU s) of plain single-process jieba.lcut over title + text."""
    import jieba

    from pipeline.read import read_letters

    letters = read_letters(inputs).letters
    texts = (letters["title"].fillna("") + " " + letters["text"].fillna("")).tolist()
    del letters
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    wall, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        tokenizer.lcut(text)
    return len(texts), time.perf_counter() - wall, time.process_time() - cpu


def run_job(inputs: list[Path], out: Path, as_of: str, *extra: str) -> tuple[Measurement, dict]:
    measured = measure(petition("run", *map(str, inputs), "--as-of", as_of, "--out", str(out), *extra))
    if measured.returncode != 0:
        sys.exit(f"petition run failed ({measured.returncode}):\n{measured.stderr[-3000:]}")
    return measured, json.loads((out / "run.json").read_text(encoding="utf-8"))


def stage_line(info: dict) -> str:
    return ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in info["timings"].items())


def compare(sizes: list[str], as_of: str, work: Path) -> None:
    seeds = None
    if any(size != "shared" for size in sizes):
        from benchmarks.replicate import load_seed_letters

        seeds = load_seed_letters()
    rows = []
    for size in sizes:
        print(f"== {size}")
        inputs = inputs_for(size, work / f"gen-{size}", seeds)
        job, info = run_job(inputs, work / f"out-{size}", as_of)
        letters = info["counts"]["letters"]
        print(f"  petition run: {letters:,} letters ({info['counts']['rejects']} rejected) in {job.wall:.1f} s wall, "
              f"{job.cpu:.1f} s CPU: {letters / job.wall:.0f} letters/s")
        print(f"  stages (s): {stage_line(info)}")
        print(f"  peak memory: {job.memory()}")
        print(f"  stage peak MB (the run's own, main process): "
              f"{', '.join(f'{s} {mb:,.0f}' for s, mb in info.get('stage_peak_mb', {}).items())}")
        counted, jieba_wall, jieba_cpu = plain_jieba(inputs)
        print(f"  plain jieba.lcut, 1 process: {counted:,} letters in {jieba_wall:.1f} s wall, {jieba_cpu:.1f} s CPU")
        rows.append((size, letters, job, jieba_wall, jieba_cpu))
    print()
    print(f"{'size':>8s} {'letters':>8s} {'job s':>7s} {'jieba s':>7s} {'ratio':>6s} {'job CPU':>8s} "
          f"{'jieba CPU':>9s} {'ratio':>6s} {'letters/s':>9s} {'main MB':>7s} {'worker MB':>9s} {'tree MB':>7s}")
    for size, letters, job, jieba_wall, jieba_cpu in rows:
        print(f"{size:>8s} {letters:8d} {job.wall:7.1f} {jieba_wall:7.1f} {job.wall / jieba_wall:6.2f} {job.cpu:8.1f} "
              f"{jieba_cpu:9.1f} {job.cpu / jieba_cpu:6.2f} {letters / job.wall:9.0f} {job.main_peak_mb:7.0f} "
              f"{job.worker_peak_mb:9.0f} {job.tree_peak_mb:7.0f}")
    print("ratio = petition run / plain jieba.lcut (wall, then CPU); target ≤ 1.0 (issue 19)")


def stage_peaks(info: dict, stages) -> str:
    """The run's own peak resident MB of `stages` (run.json's stage_peak_mb), as "a / b / c"."""
    peaks = info.get("stage_peak_mb", {})
    return " / ".join(f"{peaks[s]:,.0f}" if s in peaks else "-" for s in stages)


def store_growth(batches: int, size: int, as_of: str, work: Path) -> None:
    from benchmarks.replicate import generate, load_seed_letters

    seeds = load_seed_letters()
    store = work / "store" / "cases.duckdb"
    store.parent.mkdir(parents=True)
    print(f"== store growth: {batches} batches of {size:,} letters into one --store {store}")
    print(f"{'batch':>5s} {'stored before':>13s} {'wall s':>7s} {'CPU s':>7s} {'letters/s':>9s} {'link s':>6s} "
          f"{'store s':>7s} {'persons':>8s} {'main MB':>7s} {'tree MB':>7s}  link / cluster / store stage peak MB")
    for batch in range(batches):
        folder = work / f"batch-{batch}"
        generate(size, folder, start=batch * size, seeds=seeds)
        job, info = run_job([folder / "letters"], work / f"out-batch-{batch}", as_of, "--store", str(store))
        timings = info["timings"]
        print(f"{batch + 1:5d} {batch * size:13,d} {job.wall:7.1f} {job.cpu:7.1f} {size / job.wall:9.0f} "
              f"{timings.get('link', 0):6.1f} {timings.get('store', 0):7.1f} {info['counts']['persons']:8d} "
              f"{job.main_peak_mb:7.0f} {job.tree_peak_mb:7.0f}  {stage_peaks(info, ('link', 'cluster', 'store'))}", flush=True)
    print("flat wall/link/store columns = the store's size does not slow a batch (issue 19: 20x50000 under 4 GB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="shared", help="comma-separated: shared and/or letter counts (default: shared)")
    parser.add_argument("--store-growth", metavar="BxN", help="B batches of N letters into one case store, e.g. 4x5000")
    parser.add_argument("--as-of", default="2020-02-01", help="the runs' date (default 2020-02-01, after the last letter)")
    args = parser.parse_args()
    if not all((SHARED_DATA_DIR / name).exists() for name in SHARED_FILES):
        sys.exit(f"needs the shared letters in {SHARED_DATA_DIR}")
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="petition-bench-") as temporary:
        if sizes:
            compare(sizes, args.as_of, Path(temporary))
        if args.store_growth:
            batches, size = (int(x) for x in args.store_growth.lower().split("x"))
            store_growth(batches, size, args.as_of, Path(temporary))


if __name__ == "__main__":
    main()
