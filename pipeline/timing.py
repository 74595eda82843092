"""Progress lines and stage times, shared by both engines (`PetitionRun`, `SparkRun`).

Why one place: run.json's `timings` and the `[stage] done in …s` lines must read the same
whichever engine ran, so users can compare the two.
"""
from __future__ import annotations

import sys
import time


class StageTimer:
    """Mixin: `self.progress` (bool) and `self.timings` (dict) are set by the engine."""

    progress: bool
    timings: dict[str, float]

    def _log(self, message: str) -> None:
        if self.progress:
            print(message, file=sys.stderr, flush=True)

    def _stage(self, name: str, function, *args, **kwargs):
        """Run one stage, log its start and end, and keep its time under `name`."""
        self._log(f"[{name}] ...")
        start = time.perf_counter()
        result = function(*args, **kwargs)
        self.timings[name] = round(time.perf_counter() - start, 2)
        self._log(f"[{name}] done in {self.timings[name]:.1f}s")
        return result
