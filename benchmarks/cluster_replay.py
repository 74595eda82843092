"""The cluster stage alone on a saved batch, with this process's memory after each step of the fit.

Run:
  .venv/bin/python benchmarks/cluster_replay.py save LETTERS SNAP   # read .. link, pickle what cluster gets
  .venv/bin/python benchmarks/cluster_replay.py replay SNAP OUT     # the cluster stage on it, step by step

Why: at 10^5 letters the cluster stage peaked above 2 GB (issue 19), and a whole run takes most of
an hour on the shared machine; a replay of one stage on a saved frame is minutes. `replay` prints
the resident and peak MB (this process, `pipeline.timing`) as each step of `IssueClusterer.fit`
starts and ends, and writes each letter's issue id and the issues table to OUT/cluster_result.pkl
(and the issue state to OUT/cases.issues.pkl) to check a change against a replay of the code before.
`save` runs the run's own stages (`PetitionRun`, the shipped settings, as of 2020-02-01).
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # the project root, not this folder: `pipeline` from this checkout
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import functools  # noqa: E402
import gc  # noqa: E402
import pickle  # noqa: E402
import time  # noqa: E402

from pipeline.config import load_settings  # noqa: E402
from pipeline.timing import give_back, peak_mb, reset_peak, rss_mb  # noqa: E402

STEPS = ("letter_features", "fit_vocabulary", "vectors", "fit_places", "linked_pairs", "_finish", "term_counts",
         "keywords", "rank", "save", "get_issue_letters", "get_issue_info")


def settings():
    chosen = load_settings()
    chosen.values.setdefault("run", {})["as_of"] = "2020-02-01"
    return chosen


def save(letters_path: str, snapshot: str) -> None:
    """The frame the cluster stage gets in a run of `letters_path`, pickled to `snapshot`."""
    from pipeline.run import PetitionRun
    from pipeline.stages import LAST_READER, STAGES, without
    from pipeline.workers import WorkerPool

    run = PetitionRun(settings(), progress=True)
    out = Path(snapshot).with_suffix(".out")
    out.mkdir(parents=True, exist_ok=True)
    run._pool = WorkerPool(run.settings.get("run", "n_jobs", 2), progress=False)
    try:
        letters = run._stage("read", run.read, [letters_path], None).letters
        for name in STAGES:
            if name == "cluster":
                break
            stage = run.build(name, **run._overrides(name, out))
            letters = run._stage(name, stage.transform, letters)
            stage.release()
            letters = without(letters, [c for c, last in LAST_READER.items() if last == name])
    finally:
        run._pool.close()
        if getattr(run, "_case_store", None) is not None:
            run._case_store.close()
    with open(snapshot, "wb") as handle:
        pickle.dump(letters, handle, protocol=5)
    print(f"saved {letters.shape} -> {snapshot}")


def replay(snapshot: str, out_dir: str) -> None:
    import pipeline.cluster as cluster
    from pipeline.stages import CLUSTER_TOKENS, ClusterStage, without

    started = time.perf_counter()

    def mark(what: str) -> None:
        print(f"{time.perf_counter() - started:7.1f} s  resident {rss_mb():6,.0f} MB  peak {peak_mb():6,.0f} MB  {what}",
              flush=True)

    def watched(name, step):
        @functools.wraps(step)
        def run_step(*args, **kwargs):
            mark(f"> {name}")
            result = step(*args, **kwargs)
            mark(f"< {name}")
            return result
        return run_step

    for name in STEPS:
        setattr(cluster.IssueClusterer, name, watched(name, getattr(cluster.IssueClusterer, name)))
    with open(snapshot, "rb") as handle:
        letters = pickle.load(handle)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    gc.collect()
    give_back()
    reset_peak()
    mark("entry")
    stage = ClusterStage.from_settings(settings(), state_path=out / "cases.issues.pkl")
    result = without(stage.transform(letters), [CLUSTER_TOKENS])
    mark("the stage's letters made")
    with open(out / "cluster_result.pkl", "wb") as handle:
        pickle.dump((result["issue_id"].tolist(), stage.issues_), handle)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("save", "replay"):
        sys.exit(__doc__)
    (save if sys.argv[1] == "save" else replay)(sys.argv[2], sys.argv[3])
