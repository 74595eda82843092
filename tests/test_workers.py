"""WorkerPool: one fork for a run's stages, the same results as in this process, no workers left."""
from __future__ import annotations

import os

import pytest

from pipeline.tokenize import Tokenizer
from pipeline.workers import _SHARED, WorkerPool

TEXTS = ["A5区油烟扰民，夜间施工噪音", "工地拖欠农民工工资三个月", "小区物业擅自提高停车费", "学校食堂卫生差"]


def _cut(tokenizer, texts):
    return [tokenizer.cut(t) for t in texts], os.getpid()


def _die_in_worker(parent_pid, chunk):
    if os.getpid() != parent_pid:
        os._exit(1)  # a worker killed mid-run (out of memory, a native crash)
    return chunk * 2


def test_one_fork_serves_every_stage_that_shared_before_it():
    classify_tokenizer, cluster_tokenizer = Tokenizer(hmm=False), Tokenizer(hmm=True)
    chunks = [TEXTS[:2], TEXTS[2:]] * 3
    with WorkerPool(n_jobs=2) as pool:
        if pool.jobs < 2:
            pytest.skip("needs two cores and fork")
        pool.share("cluster", cluster_tokenizer)  # what later stages need, shared before the first fork
        first = pool.map(_cut, chunks, key="classify", obj=classify_tokenizer)
        second = pool.map(_cut, chunks, key="cluster", obj=cluster_tokenizer)
        again = pool.map(_cut, chunks, key="classify", obj=classify_tokenizer)
        assert pool.forks == 1
        assert {pid for _, pid in first + second + again}.isdisjoint({os.getpid()})  # ran in the workers
        # the same tokens as in this process
        assert [tokens for tokens, _ in first] == [classify_tokenizer.cut_all(c, n_jobs=1) for c in chunks]
        assert [tokens for tokens, _ in second] == [cluster_tokenizer.cut_all(c, n_jobs=1) for c in chunks]
        # something new (or replaced) under a key the workers hold re-forks them with it
        pool.map(_cut, chunks, key="classify", obj=Tokenizer(hmm=False))
        assert pool.forks == 2
    assert not any(k[0] == id(pool) for k in _SHARED)  # closing drops what was shared


def test_small_batches_and_one_job_stay_in_this_process():
    tokenizer = Tokenizer()
    with WorkerPool(n_jobs=1) as pool:
        out = pool.map(_cut, [TEXTS], key="t", obj=tokenizer)
        assert pool.forks == 0 and out[0][1] == os.getpid()
    with WorkerPool(n_jobs=2) as pool:
        assert not pool.parallel(10, min_items=400)
        out = pool.map(_cut, [TEXTS], key="t", obj=tokenizer, parallel=pool.parallel(len(TEXTS), 400))
        assert pool.forks == 0 and out[0][1] == os.getpid()


def test_a_killed_worker_finishes_the_work_here_with_a_warning():
    with WorkerPool(n_jobs=2) as pool:
        if pool.jobs < 2:
            pytest.skip("needs two cores and fork")
        with pytest.warns(RuntimeWarning, match="worker processes failed"):
            out = pool.map(_die_in_worker, [1, 2, 3], key="p", obj=os.getpid())
        assert out == [2, 4, 6]


def test_tokenizer_and_classifier_use_a_lent_pool_without_closing_it():
    tokenizer = Tokenizer(hmm=False)
    texts = [f"{t}第{i}次反映" for i in range(200) for t in TEXTS]  # 800 distinct texts: enough to fork
    with WorkerPool(n_jobs=2) as pool:
        if pool.jobs < 2:
            pytest.skip("needs two cores and fork")
        assert tokenizer.cut_all(texts, pool=pool) == tokenizer.cut_all(texts, n_jobs=1)
        assert tokenizer.cut_all(texts, pool=pool) == [tokenizer.cut(t) for t in texts]
        assert pool.forks == 1  # the second call reused the workers the first forked


def test_a_forgotten_key_is_dropped_and_its_workers_stopped():
    """What a stage shared is let go once it is done (`forget`): the parent keeps no copy alive for
    the workers, and a later map forks afresh with what is still shared."""
    tokenizer = Tokenizer(hmm=False)
    with WorkerPool(n_jobs=2) as pool:
        if pool.jobs < 2:
            pytest.skip("needs two cores and fork")
        first = pool.map(_cut, [TEXTS[:2], TEXTS[2:]], key="grade", obj=tokenizer)
        pool.forget("grade")
        assert (id(pool), "grade") not in _SHARED and pool._executor is None
        again = pool.map(_cut, [TEXTS[:2], TEXTS[2:]], key="classify", obj=tokenizer)
        assert pool.forks == 2 and [t for t, _ in again] == [t for t, _ in first]
