"""One pool of forked worker processes that a run creates once and lends to every stage.

Tokenizing (jieba) and n-gram lookup are pure Python, so the classifier and the tokenizer share
their work across processes. Each used to fork its own pool per call: a fork, a dictionary and a
model copied on write, then torn down. A `WorkerPool` forks once and keeps its workers for as
long as the run holds it. What the workers need (a tokenizer, a fitted model) is *shared* under
a key before the fork, so it reaches them by copy-on-write instead of by pickle; a map that
needs something the workers lack re-forks them with it (so a pool used stage after stage forks
once if the run shares everything first, and once per new thing otherwise, as before).

Small batches run in this process: below `min_items` a fork costs more than it saves (the
measured costs are printed by `benchmarks/workers.py`). `n_jobs=1`, a platform without `fork`,
or a broken pool (a worker killed) also run in this process, with the same results: the work
functions are the same, only where they run differs.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Hashable

# What the workers read: filled in the parent before a fork, inherited by the children.
_SHARED: dict[Hashable, Any] = {}


def _call(fn: Callable, key: Hashable, chunk):
    return fn(_SHARED[key], chunk)


def effective_jobs(n_jobs: int | None) -> int:
    """Worker processes `n_jobs` asks for on this machine (None or <= 0: every core)."""
    cores = os.cpu_count() or 1
    if n_jobs is None or n_jobs <= 0:
        return cores
    return max(1, min(n_jobs, cores))


class WorkerPool:
    """Forked workers that outlive one stage.

    Parameters
    ----------
    n_jobs : worker processes (None or <= 0: every core; 1: always in this process).
    progress : show a progress bar per map on stderr.

    Use it as a context manager (or call `close`); one made inside a call and closed at its end
    behaves as the per-call pools did.
    """

    def __init__(self, n_jobs: int | None = 2, progress: bool = False):
        self.n_jobs = n_jobs
        self.progress = progress
        self.forks = 0  # how many times workers were forked: for benchmarks and tests
        self._executor: ProcessPoolExecutor | None = None
        self._in_workers: dict[Hashable, Any] = {}  # what the running workers inherited
        self._keys: set[Hashable] = set()

    @property
    def jobs(self) -> int:
        if "fork" not in mp.get_all_start_methods():
            return 1
        return effective_jobs(self.n_jobs)

    def parallel(self, n_items: int, min_items: int) -> bool:
        """Whether `n_items` are worth sending to workers (at least `min_items`, and cores to use)."""
        return self.jobs >= 2 and n_items >= min_items

    def share(self, key: Hashable, obj: Any) -> None:
        """Make `obj` readable by workers under `key`. Shared before the first map, it costs
        nothing; shared later (or changed), the next map that needs it re-forks the workers."""
        _SHARED[(id(self), key)] = obj  # per pool: closing one pool leaves another's objects alone
        self._keys.add(key)

    def map(self, fn: Callable[[Any, Any], Any], chunks: list, key: Hashable, obj: Any,
            parallel: bool = True, desc: str = "working", progress: bool = False) -> list:
        """`[fn(obj, chunk) for chunk in chunks]`, in the workers when `parallel` (results in order).

        `fn` must be a module-level function (it is sent by name); `obj` is shared under `key`, and
        the workers are re-forked if they hold another object under that key. So `obj` must be the
        same object from call to call (a stage's tokenizer, the loaded model), not a fresh tuple.
        """
        if not parallel or self.jobs < 2 or len(chunks) == 0:
            return [fn(obj, chunk) for chunk in chunks]
        self.share(key, obj)
        try:
            executor = self._start(key, obj)
            results = executor.map(_call, [fn] * len(chunks), [(id(self), key)] * len(chunks), chunks)
            if self.progress or progress:
                from tqdm import tqdm

                results = tqdm(results, total=len(chunks), desc=desc, unit="chunk", mininterval=1.0)
            return list(results)
        except BrokenProcessPool:
            # A forked child can die when the parent holds threads of native libraries (a browser
            # driver, a database): finish here rather than hang or fail the run.
            warnings.warn(f"worker processes failed; {desc} in one process", RuntimeWarning)
            self._stop()
            return [fn(obj, chunk) for chunk in chunks]

    def _start(self, key: Hashable, obj: Any) -> ProcessPoolExecutor:
        if self._executor is None or self._in_workers.get(key) is not obj:
            self._stop()
            gc.collect()  # garbage left by native libraries (DuckDB) must not be collected in a child
            self._executor = ProcessPoolExecutor(self.jobs, mp_context=mp.get_context("fork"), initializer=gc.freeze)
            self._in_workers = {k: _SHARED[(id(self), k)] for k in self._keys}
            self.forks += 1
        return self._executor

    def _stop(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
            self._in_workers = {}

    def forget(self, key: Hashable) -> None:
        """Drop what was shared under `key` once no stage needs it: workers that inherited it are
        stopped (the next map forks afresh), so the parent's copy can be freed when its owner lets go."""
        if key in self._in_workers:
            self._stop()
        _SHARED.pop((id(self), key), None)
        self._keys.discard(key)

    def close(self) -> None:
        """Stop the workers and drop what was shared (the parent keeps no model alive for them)."""
        self._stop()
        for key in self._keys:
            _SHARED.pop((id(self), key), None)
        self._keys.clear()

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):  # a pool dropped without close() must not leave processes behind
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def one_off_or(pool: WorkerPool | None, n_jobs: int | None, progress: bool = False):
    """The run's pool if one was lent, else a pool for this call only (closed by the caller's `with`)."""
    if pool is not None:
        return _Borrowed(pool)
    return WorkerPool(n_jobs, progress=progress)


class _Borrowed:
    """A lent pool in a `with` block: the borrower must not close it."""

    def __init__(self, pool: WorkerPool):
        self.pool = pool

    def __enter__(self) -> WorkerPool:
        return self.pool

    def __exit__(self, *exc) -> None:
        pass
