"""Stage times and stage memory (`pipeline.timing`): each stage's peak is its own, not the run's so far."""
from __future__ import annotations

import json
import sys

import pytest

from pipeline.timing import StageTimer, forget_memos, give_back, peak_mb, reset_peak

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the peak window needs /proc (Linux)")


def _allocate(mb: int) -> int:
    block = bytearray(mb * 1024 * 1024)  # zero-filled: every page touched
    return len(block)


class _Run(StageTimer):
    def __init__(self):
        self.progress, self.timings = False, {}


@linux_only
def test_a_stage_peak_is_that_stage_s_own():
    """A stage that allocates 300 MB peaks 300 MB higher than the small stage after it, although
    the process's lifetime peak stays at the first stage's."""
    run = _Run()
    run._stage("big", _allocate, 300)
    give_back()
    run._stage("small", _allocate, 1)
    assert run.peaks["big"] - run.peaks["small"] > 250
    assert set(run.cpu) == {"big", "small"} and all(v >= 0 for v in run.cpu.values())


@linux_only
def test_reset_peak_starts_a_new_window():
    _allocate(200)
    give_back()
    before = peak_mb()
    assert reset_peak()
    assert peak_mb() < before - 150


def test_run_json_has_each_stage_s_peak_and_cpu(sample_run):
    info = json.loads((sample_run.out_dir / "run.json").read_text(encoding="utf-8"))
    stages = set(info["timings"]) - {"total"}
    assert set(info["stage_peak_mb"]) == stages == set(info["stage_cpu"]) == set(info["stage_entry_mb"])
    assert all(info["stage_peak_mb"][s] > 50 for s in stages)
    # a stage starts on what the stages before it left, and its peak is at least that
    assert all(50 < info["stage_entry_mb"][s] <= info["stage_peak_mb"][s] + 1 for s in stages)


def test_forget_memos_empties_the_batch_stages_memos_and_what_is_computed_after_is_the_same(sample_dir):
    """The run empties its stages' memos before the sinks (`forget_memos`); a place scan and a
    name's pinyin are memoised, and computed again after they are emptied they come out the same."""
    from pipeline import identity, places
    from pipeline.read import read_letters

    letters = read_letters([sample_dir / "letters_xinfang.csv"]).letters
    texts = letters["text"].dropna().head(30).tolist()
    first = [places.find_places(t) for t in texts]
    pinyin = identity.name_pinyin("王秀英")
    assert places._find_places.cache_info().currsize > 0 and identity.name_pinyin.cache_info().currsize > 0
    assert sum(map(len, first)) > 10  # the letters name places
    assert forget_memos() >= 10
    assert places._find_places.cache_info().currsize == 0 and identity.name_pinyin.cache_info().currsize == 0
    assert [places.find_places(t) for t in texts] == first
    assert identity.name_pinyin("王秀英") == pinyin


def test_forget_memos_keeps_the_chart_font_registration():
    """`plots.use_chinese_font` is a memo of an action (registering the font with matplotlib): kept."""
    from pipeline import plots

    name = plots.use_chinese_font()
    forget_memos()
    assert plots.use_chinese_font.cache_info().currsize == 1 and plots.use_chinese_font() == name


def test_gc_paused_pauses_the_collector_and_restores_it():
    import gc

    from pipeline.timing import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with gc_paused():
            raise RuntimeError("the collector comes back on an error too")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
