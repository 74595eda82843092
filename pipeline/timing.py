"""Progress lines, stage times and stage memory, shared by both engines (`PetitionRun`, `SparkRun`).

Why one place: run.json's `timings` and the `[stage] done in …s` lines must read the same
whichever engine ran, so users can compare the two. Each stage's peak resident memory of this
process is kept beside its time (`peaks`, MB): a batch that outgrows the machine shows which stage
grew, without a profiler. On Linux the kernel's peak (VmHWM) is reset before each stage
(`/proc/self/clear_refs`), so each figure is that stage's own; elsewhere it is the process's peak
so far (`ru_maxrss`), which only grows.
"""
from __future__ import annotations

import gc
import re
import resource
import sys
import time
from contextlib import contextmanager

def _status_mb(field: str) -> float | None:
    """A memory line of /proc/self/status (VmHWM, VmRSS) in MB; None where there is none."""
    try:
        with open("/proc/self/status") as handle:
            found = re.search(rf"^{field}:\s+(\d+) kB", handle.read(), re.M)
    except OSError:
        return None
    return int(found.group(1)) / 1024 if found else None


def reset_peak() -> bool:
    """Start a new peak-memory window for this process (Linux); False where it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # 5: reset the peak RSS only; no page is touched
        return True
    except OSError:
        return False


def peak_mb() -> float:
    """This process's peak resident memory (MB) since the last `reset_peak`, else since it began."""
    found = _status_mb("VmHWM")
    return found if found is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def rss_mb() -> float:
    """This process's resident memory now (MB); 0 where /proc is not there."""
    found = _status_mb("VmRSS")
    return found if found is not None else 0.0


def give_back() -> None:
    """Hand the memory a finished stage freed back to the system: glibc keeps freed blocks (a
    batch's texts, token lists and frames are mostly blocks over 512 bytes, outside Python's own
    arenas) for reuse, and Arrow's pool keeps its freed buffers, so the resident size of every
    later stage carried what earlier stages had already dropped. Nothing live is touched."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()


@contextmanager
def gc_paused():
    """Run the block with Python's cyclic garbage collector paused (as it was, after).

    Why: a step that builds a hundred thousand small containers that all live to its end (the
    clusterer's per-place lists and counts, spelling buckets and place sets) sets off a full
    collection each time the tracked heap grows by a quarter, and each walks every container the
    run holds, to find nothing to free (on the shared letters `fit_places` set off 3 or 4, 0.7 to
    0.9 s of the cluster stage, which freed 10 objects in all). Only the cycle collector pauses:
    everything else is freed by its reference count as before, cyclic garbage made in the block
    waits for the next collection (soon after, the young generations fill fast), and what the
    block computes is the same."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def forget_memos(package: str = "pipeline", keep: tuple[str, ...] = ("pipeline.plots",)) -> int:
    """Empty every `functools` cache of `package`'s modules; return how many were emptied.

    The batch stages memoise pure functions (place scans and names, canonical places, glyphs,
    name pinyin, the tokenizers and jieba's dictionary): each filled them for its own pass, and the
    process held them to the end of the run (at 10^4 letters ~90 MB resident). The sinks use
    three of them (the Simplified converter, written name forms, the chart font), each refilled
    in a moment. Every memo is of a pure function, so what is computed after is the same; the
    modules in `keep` are passed over (`plots.use_chinese_font` registers the font with matplotlib
    once: a memo of an action, not of data)."""
    emptied = 0
    for name, module in list(sys.modules.items()):
        if module is None or name in keep or not (name == package or name.startswith(package + ".")):
            continue
        for value in list(vars(module).values()):
            # a module's own memos only (an imported one is emptied once, by its own module)
            if hasattr(value, "cache_clear") and getattr(value, "__module__", None) == name:
                value.cache_clear()
                emptied += 1
    return emptied


class StageTimer:
    """Mixin: `self.progress` (bool) and `self.timings` (dict) are set by the engine; `self.peaks`,
    `self.entry` and `self.cpu` (dicts) are made on first use. `entry` is the resident MB a stage
    starts on (after `give_back`): what the stages before it left held, so a stage's own growth is
    its peak less its entry."""

    progress: bool
    timings: dict[str, float]

    def _log(self, message: str) -> None:
        if self.progress:
            print(message, file=sys.stderr, flush=True)

    def _stage(self, name: str, function, *args, **kwargs):
        """Run one stage, log its start and end, and keep its time under `name` (and its peak
        memory and this process's CPU time under `self.peaks` / `self.cpu`)."""
        self._log(f"[{name}] ...")
        give_back()
        self.__dict__.setdefault("entry", {})[name] = round(rss_mb())
        reset_peak()
        start, cpu = time.perf_counter(), time.process_time()
        result = function(*args, **kwargs)
        self.timings[name] = round(time.perf_counter() - start, 2)
        self.__dict__.setdefault("cpu", {})[name] = round(time.process_time() - cpu, 2)
        self.__dict__.setdefault("peaks", {})[name] = round(peak_mb())
        self._log(f"[{name}] done in {self.timings[name]:.1f}s (CPU {self.cpu[name]:.1f}s, peak {self.peaks[name]:,} MB)")
        return result
