"""cProfile of chosen stages inside a real `petition run`, one profile file per stage.

Run:
  python benchmarks/profile_stages.py INPUTS... --as-of 2020-02-01 --out OUT --stages grade,cluster [--top 25]

Why inside a run and not a stage alone (issue 19): a stage's cost in a run can differ from its
benchmark's (the grader alone ran ~1,368 letters/s, 7 s for the 9,943 shared letters, yet took
13 s in the run): the letters it sees, what earlier stages left in memory, the caches. Only the
named stages are profiled, so the others run at full speed and each profile is that stage's own.
Writes OUT/profile-<stage>.prof and prints each stage's top functions by own time and cumulative time.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # the project root, not this folder: `pipeline` from this checkout
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import cProfile  # noqa: E402
import pstats  # noqa: E402

from pipeline.config import load_settings  # noqa: E402
from pipeline.run import PetitionRun  # noqa: E402


class ProfiledRun(PetitionRun):
    """A `PetitionRun` whose named stages each run under their own cProfile."""

    def __init__(self, *args, profiled: set[str], folder: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.profiled, self.folder, self.files = profiled, folder, {}

    def _stage(self, name, function, *args, **kwargs):
        if name not in self.profiled:
            return super()._stage(name, function, *args, **kwargs)
        profiler = cProfile.Profile()

        def profiled(*a, **k):
            return profiler.runcall(function, *a, **k)

        try:
            return super()._stage(name, profiled, *args, **kwargs)
        finally:
            self.files[name] = self.folder / f"profile-{name}.prof"
            profiler.dump_stats(self.files[name])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--stages", required=True, help="comma-separated stage names (read, tokenize, grade, ...)")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    settings = load_settings()
    settings.values["run"]["as_of"] = args.as_of  # as `petition run --as-of` sets it
    run = ProfiledRun(settings, profiled=set(args.stages.split(",")), folder=out)
    run.run(args.inputs, out)
    for name, path in run.files.items():
        for order in ("tottime", "cumulative"):
            print(f"\n===== {name} by {order} ({path})")
            pstats.Stats(str(path)).sort_stats(order).print_stats(args.top)


if __name__ == "__main__":
    main()
