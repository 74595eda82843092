"""The sinks of a run alone (store, persons, names, write) on a saved batch: their CPU, peak memory and profile.

Run:
  .venv/bin/python benchmarks/sinks.py save N SNAPSHOT [--as-of 2020-02-01]
  .venv/bin/python benchmarks/sinks.py replay SNAPSHOT OUT [--profile FILE.prof]
  .venv/bin/python benchmarks/sinks.py            (both on 10,000 letters in a temporary folder, as `make benchmarks`
                                                  runs it; in one process, so the replay's MB include what the save left:
                                                  for memory figures run save and replay as two commands)

Why: at 10^5 letters the stages after clustering were the run's memory peak and the write stage
took more CPU than clustering (issue 19), but a whole run takes most of an hour, nearly all of it
before the sinks. `save` generates N replicated letters (`benchmarks/replicate.py`), runs
`petition run` on them in this process up to the sinks, and pickles what the sinks are given
(`PetitionRun._sinks`: the letters after rank, the cases, issues, linker, versions, the read
result) instead of running them. `replay` runs the same `_sinks` on that batch into OUT with a
fresh case store, as the run would, and prints each sink's CPU s and peak MB (`StageTimer`, so
the figures are the run's own kind); with `--profile` under cProfile (summarise the file with
`benchmarks/profile_summary.py`; the profiler's overhead inflates the CPU figures, so take those
from a replay without it). The snapshot holds the shared letters' text: keep it out of the
repository.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # the project root, not this folder: `pipeline` from this checkout
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import json  # noqa: E402
import pickle  # noqa: E402
import time  # noqa: E402

from pipeline.config import load_settings  # noqa: E402
from pipeline.run import PetitionRun  # noqa: E402


class _Saved(Exception):
    """Raised once the batch is pickled, to leave the run before its sinks."""


class SavingRun(PetitionRun):
    """A run that, where the sinks would start, pickles their inputs to `snapshot` and stops."""

    snapshot: Path

    def _sinks(self, stage, letters, ingest, inputs, as_of):
        state = {"letters": letters, "cases": self.stages_["rank"].cases_, "issues": self.stages_["cluster"].issues_,
                 "linker": self.linker, "versions": self.versions(), "ingest": ingest, "inputs": inputs,
                 "as_of": as_of, "timings": self.timings, "cpu": dict(getattr(self, "cpu", {})),
                 "peaks": dict(getattr(self, "peaks", {}))}
        with open(self.snapshot, "wb") as handle:
            pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
        raise _Saved


class _Stub:
    def __init__(self, **attributes):
        self.__dict__.update(attributes)


class ReplayRun(PetitionRun):
    """A run whose earlier stages are the snapshot's: only `_sinks` runs."""

    def replay(self, state: dict, out: Path) -> dict:
        from pipeline.store import CaseStore

        out.mkdir(parents=True, exist_ok=True)
        self.stages_ = {"rank": _Stub(cases_=state.pop("cases")), "cluster": _Stub(issues_=state.pop("issues"))}
        self._linker, self._versions = state.pop("linker"), state.pop("versions")
        self._case_store = CaseStore(out / "cases.duckdb", memory_limit=self.settings.get("store", "memory_limit"))
        self._case_store.begin_run("run")
        stage = self.build("write", **self._overrides("write", out))
        letters, ingest = state.pop("letters"), state.pop("ingest")
        try:
            self._sinks(stage, letters, ingest, state["inputs"], state["as_of"])
            self._case_store.finish_run(self._versions)
        finally:
            self._case_store.close()
        return {"cpu": self.cpu, "peaks": self.peaks, "timings": self.timings, "entry": self.entry, "exit": self.exit}

    def _stage(self, name, function, *args, **kwargs):
        """The run's own timing, plus this process's resident MB as the stage starts and ends
        (what it left held: the next stage's baseline)."""
        from pipeline.timing import give_back

        give_back()
        self.__dict__.setdefault("entry", {})[name] = _rss_mb()
        result = super()._stage(name, function, *args, **kwargs)
        self.__dict__.setdefault("exit", {})[name] = _rss_mb()
        return result

    @property
    def linker(self):
        return self._linker

    def versions(self) -> dict:
        return self._versions


def _rss_mb() -> int:
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) // 1024 for line in handle if line.startswith("VmRSS"))


def _settings(as_of: str):
    """The default settings with the run's date, as `petition run --as-of` sets it."""
    settings = load_settings()
    settings.values["run"]["as_of"] = as_of
    return settings


def save(n: int, snapshot: Path, as_of: str) -> None:
    import tempfile

    from benchmarks.replicate import generate, load_seed_letters

    settings = _settings(as_of)
    with tempfile.TemporaryDirectory(prefix="petition-sinks-") as work:
        generate(n, Path(work) / "gen", seeds=load_seed_letters())
        run = SavingRun(settings, progress=True)
        run.snapshot = snapshot
        try:
            run.run([Path(work) / "gen" / "letters"], Path(work) / "out")
        except _Saved:
            pass
        print(json.dumps({"timings": run.timings, "cpu": run.cpu, "peaks": run.peaks}, indent=1))
    print(f"saved the batch before the sinks -> {snapshot}")


def replay(snapshot: Path, out: Path, profile: Path | None) -> None:
    with open(snapshot, "rb") as handle:
        state = pickle.load(handle)
    settings = _settings(state["as_of"].isoformat())
    run = ReplayRun(settings, progress=True)
    started = time.perf_counter()
    if profile is None:
        figures = run.replay(state, out)
    else:
        import cProfile

        profiler = cProfile.Profile()
        figures = profiler.runcall(run.replay, state, out)
        profiler.dump_stats(profile)
    print(f"sinks in {time.perf_counter() - started:.1f} s wall")
    print(f"{'stage':>8s} {'CPU s':>7s} {'wall s':>7s} {'peak MB':>8s} {'entry MB':>8s} {'exit MB':>8s}")
    for name, cpu in figures["cpu"].items():
        print(f"{name:>8s} {cpu:7.1f} {figures['timings'][name]:7.1f} {figures['peaks'][name]:8,d} "
              f"{figures['entry'][name]:8,d} {figures['exit'][name]:8,d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command")
    saving = commands.add_parser("save", help="N replicated letters through every stage before the sinks, pickled")
    saving.add_argument("n", type=int)
    saving.add_argument("snapshot", type=Path)
    saving.add_argument("--as-of", default="2020-02-01")
    replaying = commands.add_parser("replay", help="the sinks alone on a saved batch")
    replaying.add_argument("snapshot", type=Path)
    replaying.add_argument("out", type=Path)
    replaying.add_argument("--profile", type=Path)
    args = parser.parse_args()
    if args.command == "save":
        save(args.n, args.snapshot, args.as_of)
    elif args.command == "replay":
        replay(args.snapshot, args.out, args.profile)
    else:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="petition-sinks-") as work:
            save(10_000, Path(work) / "batch.pkl", "2020-02-01")
            replay(Path(work) / "batch.pkl", Path(work) / "out", None)


if __name__ == "__main__":
    main()
