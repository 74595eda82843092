"""What the worker pools cost: per-stage pools (as `petition run` forks them) against one shared pool.

Run: .venv/bin/python benchmarks/workers.py [--repeat N]
Letters: hot_messages + replies + unlabeled_messages from ../shared/data/tipdm2020c (~9,900).

The two stages that fork workers are classify (tokens and features of each letter, with the
shipped model) and cluster (tokens of title x2 + text, jieba with its HMM, as
`IssueClusterer._documents` cuts them). Three ways to run both, each printed with its wall time,
the CPU time of this process and of the workers (user + sys):
  in one process          n_jobs=1: no fork, no pickling
  per-stage pools         what the run does today: each stage forks its own pool and closes it
  one shared pool         a `WorkerPool` created once, both stages' objects shared before its one fork
Then the overheads, measured on the same chunks in this process:
  fork       starting two workers from this process (model and dictionary loaded) and one round trip,
             with the gc.collect() that precedes every fork (shown on its own too)
  pickle     pickling the chunks out and the results back (both ends: dumps + loads)
  gather     stacking the workers' results into one matrix / token table
The machine is shared with other jobs: wall times are noisy; the CPU columns are steadier.
"""
from __future__ import annotations

import argparse
import gc
import os
import pickle
import resource
import sys
import time

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the project, not benchmarks/

import scipy.sparse as sp  # noqa: E402

from pipeline.classify import MIN_PARALLEL_LETTERS, IssueClassifier, _features_of_texts  # noqa: E402
from pipeline.paths import MODELS_DIR, SHARED_DATA_DIR  # noqa: E402
from pipeline.read import read_letters  # noqa: E402
from pipeline.tokenize import _SEP, Tokenizer, _cut_batch, _segmenter, letter_texts  # noqa: E402
from pipeline.workers import WorkerPool  # noqa: E402

FILES = ["hot_messages.xlsx", "replies.xlsx", "unlabeled_messages.xlsx"]


def _cpu(who) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def measure(name, work, rows) -> object:
    wall, parent, children = time.perf_counter(), _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    result = work()  # every pool is closed (its workers reaped) inside, so their CPU is counted
    rows.append((name, time.perf_counter() - wall, _cpu(resource.RUSAGE_SELF) - parent,
                 _cpu(resource.RUSAGE_CHILDREN) - children))
    return result


def _noop(_, chunk):
    return chunk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="run the three ways this many times (default 1)")
    args = parser.parse_args()
    paths = [SHARED_DATA_DIR / f for f in FILES]
    if not all(p.exists() for p in paths):
        sys.exit(f"needs the real letters in {SHARED_DATA_DIR}")
    letters = read_letters(paths).letters
    model = IssueClassifier.load(MODELS_DIR / "default")
    texts = letter_texts(letters)
    titles, bodies = letters["title"].fillna("").astype(str), letters["text"].fillna("").astype(str)
    docs = [((t + "。") * 2) + x for t, x in zip(titles, bodies)]  # as IssueClusterer._documents
    cluster_tokenizer = Tokenizer()  # the clusterer's: jieba's HMM on
    model.tokenize(texts[:5])  # dictionary and n-gram index loaded before anything is timed
    cluster_tokenizer.cut_all(docs[:5], n_jobs=1)
    model._fast_vectorizers()
    print(f"{len(letters)} letters, {len(set(docs))} distinct cluster documents; "
          f"{os.cpu_count()} cores; main process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB peak")

    def both(pool=None, n_jobs=2):
        _segmenter.cache_clear()  # every way starts with cold clause caches (forked workers inherit warm ones)
        model.n_jobs = n_jobs
        X = model._transform(texts, pool=pool)
        tokens = cluster_tokenizer.cut_all(docs, n_jobs=n_jobs, pool=pool)
        return X, tokens

    def shared():
        with WorkerPool(2) as pool:
            pool.share(("classify", id(model), model.n_features_, getattr(model, "quantised_", False)), model)
            pool.share(("tokenize", id(cluster_tokenizer)), cluster_tokenizer)
            out = both(pool)
            shared.forks = pool.forks
        return out

    rows, results = [], {}
    for _ in range(args.repeat):
        results["in one process"] = measure("in one process", lambda: both(n_jobs=1), rows)
        results["per-stage pools"] = measure("per-stage pools (today: 2 forks)", both, rows)
        results["one shared pool"] = measure("one shared pool", shared, rows)
    reference = results["in one process"]
    for name, (X, tokens) in results.items():
        assert (X != reference[0]).nnz == 0 and tokens == reference[1], f"{name}: results differ"
    print(f"(the shared pool forked {shared.forks} time(s); results identical in all three ways)\n")
    print(f"{'way':36s} {'wall s':>7s} {'main CPU s':>11s} {'workers CPU s':>14s} {'total CPU s':>12s}")
    for name, wall, parent, children in rows:
        print(f"{name:36s} {wall:7.2f} {parent:11.2f} {children:14.2f} {parent + children:12.2f}")

    # ---- the overheads, one by one, on the chunks the pools send
    size = max(100, -(-len(texts) // (2 * 6)))
    classify_chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
    unique = list(dict.fromkeys(docs))
    step = max(50, len(unique) // (2 * 8))
    cluster_chunks = [(False, unique[i:i + step]) for i in range(0, len(unique), step)]
    overheads = []

    def fork_once():
        with WorkerPool(2) as pool:
            pool.map(_noop, [None, None], key="noop", obj=None)

    measure("gc.collect before a fork", gc.collect, overheads)
    measure("fork: gc + start 2 workers + 1 round trip", fork_once, overheads)
    features = [_features_of_texts(model, c) for c in classify_chunks]
    joined = [_cut_batch(cluster_tokenizer, c) for c in cluster_chunks]
    for name, sent, received in (("classify", classify_chunks, features), ("cluster", cluster_chunks, joined)):
        def roundtrip(sent=sent, received=received):
            for item in (*sent, *received):
                pickle.loads(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
        mb = sum(len(pickle.dumps(x, protocol=pickle.HIGHEST_PROTOCOL)) for x in (*sent, *received)) / 1e6
        measure(f"pickle: {name} chunks and results ({mb:.0f} MB)", roundtrip, overheads)
    measure("gather: classify sparse rows (vstack)", lambda: sp.vstack(features, format="csr"), overheads)
    measure("gather: cluster token lists (split)",
            lambda: [s.split(_SEP) if s else [] for batch in joined for s in batch], overheads)
    print(f"\n{'overhead (measured in this process)':46s} {'wall s':>7s} {'main CPU s':>11s} {'workers CPU s':>14s}")
    for name, wall, parent, children in overheads:
        print(f"{name:46s} {wall:7.2f} {parent:11.2f} {children:14.2f}")
    print(f"\nsmall batches stay in-process: classify below {MIN_PARALLEL_LETTERS} letters, tokenize below 500 distinct texts")


if __name__ == "__main__":
    main()
