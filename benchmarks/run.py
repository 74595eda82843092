"""The main job on the real letters: stage timings and peak memory.

Run: .venv/bin/python benchmarks/run.py [--store]   (about 10,000 letters: hot_messages.xlsx +
replies.xlsx + unlabeled_messages.xlsx). Targets: under 3 minutes and under 2 GB on 2 cores.
Peak memory is the largest resident set of this process and, separately, of its worker processes.
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from pipeline.config import load_settings  # noqa: E402
from pipeline.paths import SHARED_DATA_DIR  # noqa: E402
from pipeline.run import PetitionRun  # noqa: E402


def main() -> None:
    inputs = [SHARED_DATA_DIR / n for n in ("hot_messages.xlsx", "replies.xlsx", "unlabeled_messages.xlsx")]
    if not all(p.exists() for p in inputs):
        sys.exit(f"needs the real letters in {SHARED_DATA_DIR}")
    settings = load_settings()
    settings.values["run"]["as_of"] = "2020-02-01"
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = PetitionRun(settings, progress=False).run(inputs, out)
        total = time.perf_counter() - start
    counts = result.info["counts"]
    print(f"{counts['letters']} letters ({counts['rejects']} rejected) from {len(inputs)} files")
    print(f"{'stage':10s} {'seconds':>8s}")
    for stage, seconds in result.info["timings"].items():
        print(f"{stage:10s} {seconds:8.1f}")
    print(f"{'wall':10s} {total:8.1f}   ({counts['letters'] / total:.0f} letters/s)")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: {own:.0f} MB (main process), {children:.0f} MB (largest worker)")
    print(f"found: {counts['urgent']} urgent, {counts['backlog']} overdue, {counts['issues']} hot issues, "
          f"{counts['persons']} persons, {counts['cases']} cases")


if __name__ == "__main__":
    main()
