"""The main job: letters in, ranked triage lists, routing and a report out.

read → classify → grade → route → link → cluster → rank → write: the stages of
`pipeline.stages.STAGES`, in that order. `PetitionRun` reads the letters, builds each stage from
the one `Settings` when its turn comes, runs and times it, then saves the batch to the case store
and hands the tables to the write stage (`pipeline.sheets`). It decides nothing about a letter.
"""
from __future__ import annotations

import platform
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.calls import no_request
from pipeline.config import Settings, load_settings
from pipeline.errors import PetitionError
from pipeline.places import PLACE_CACHE_TEXTS, uncached
from pipeline.paths import DATA_DIR
from pipeline.read import IngestResult, read_letters
from pipeline.sheets import SHEETS, write_outputs  # noqa: F401  (SHEETS: the workbook's fixed sheets, for callers)
from pipeline.stages import LAST_READER, STAGES, TRANSIENT_COLUMNS, Stage, without
from pipeline.stages import attach_issues as _attach_issues  # noqa: F401  (its old home)
from pipeline.timing import StageTimer, forget_memos

# Stages before which the run empties the memos of the stages before (`timing.forget_memos`): the
# cluster stage is the run's peak (issue 19: 2,042 MB at 10^5 letters) and reads none of the
# classifier's or routing's memos; the few it uses (places, jieba-rs's dictionary) refill, with the
# same values. At 10^5 letters the memos were ~52 MB at its entry, jieba-rs's dictionary 33 of them,
# which clustering loads again when it trims its issues' places (labelling, after its pair search).
FORGET_MEMOS_BEFORE = ("cluster",)


@dataclass
class RunResult:
    """What a run produced, for notebooks: the tables, and where the files went."""

    letters: pd.DataFrame
    cases: pd.DataFrame
    issues: pd.DataFrame
    persons: pd.DataFrame
    rejects: pd.DataFrame
    out_dir: Path
    info: dict = field(default_factory=dict)


class PetitionRun(StageTimer):
    """One configured run. `PetitionRun(settings).run(inputs, out_dir)` does the whole job."""

    def __init__(self, settings: Settings | None = None, store: str | Path | None = None,
                 model: str | Path | None = None, progress: bool = True):
        self.settings = settings or load_settings()
        self.store = store
        self.model = model
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.stages_: dict[str, Stage] = {}  # the stages built so far, by name

    # ------------------------------------------------------------------ stages
    def read(self, inputs, read_options: dict | None = None) -> IngestResult:
        if not inputs:
            inputs = [DATA_DIR / p for p in self.settings.get("run", "default_inputs", [])]
        result = read_letters(inputs, progress=self.progress, **(read_options or {}))
        for line in result.problem_lines():
            self._log(line)
        return result

    def build(self, name: str, **overrides) -> Stage:
        """The stage `name` of the registry, built from this run's settings (and its model)."""
        stage = STAGES[name].from_settings(self.settings, model=self.model, progress=self.progress, **overrides)
        self.stages_[name] = stage
        return stage

    def classify(self, letters: pd.DataFrame) -> pd.DataFrame:
        return self.build("classify").transform(letters)

    def grade(self, letters: pd.DataFrame) -> pd.DataFrame:
        return self.build("grade").transform(letters)

    def route(self, letters: pd.DataFrame) -> pd.DataFrame:
        return self.build("route").transform(letters)

    def link(self, letters: pd.DataFrame, store=None) -> pd.DataFrame:
        """Persons across this batch and everything the store holds (saved at the end of the run)."""
        return self.build("link", store=store).transform(letters)

    def cluster(self, letters: pd.DataFrame, state_path: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Issues in this batch; with a saved state, issues seen before keep their ids."""
        return self.build("cluster", state_path=state_path).cluster(letters)

    @property
    def linker(self):
        return self.stages_["link"].linker() if "link" in self.stages_ else None

    # ------------------------------------------------------------------ the job
    def run(self, inputs=None, out_dir: str | Path = "out", read_options: dict | None = None) -> RunResult:
        """The whole job. The case store keeps the run only if it finishes: one transaction, whose
        one `runs` row is written last, after the files; a failed run leaves the store as it was."""
        from pipeline.workers import WorkerPool

        # the run's one pool of workers, lent to every stage that shares work across processes
        self._pool = WorkerPool(self.settings.get("run", "n_jobs", 2), progress=False)
        try:
            return self._job(inputs, out_dir, read_options)
        finally:
            self._pool.close()
            if getattr(self, "_case_store", None) is not None:
                self._case_store.close()  # rolls back a run that did not finish
                self._case_store = None

    def _overrides(self, name: str, out: Path) -> dict:
        """What a stage needs beyond the settings, made when its turn comes (the store is opened
        just before linking, as a second run waits for it there)."""
        if name == "link":
            return {"store": self._open_store(out)}
        if name == "cluster":  # the run drops the token column after clustering: it hands the lists over
            return {"state_path": self._issue_state(out), "release_tokens": True}
        if name == "write":
            return {"out_dir": out, "writer": write_outputs}
        if name in ("tokenize", "classify", "grade", "route"):  # the stages whose work pays for workers
            return {"pool": self._pool}
        return {}

    def _job(self, inputs, out_dir, read_options) -> RunResult:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        as_of = self.settings.as_of()

        ingest = self._stage("read", self.read, inputs, read_options)
        letters = ingest.letters
        if letters.empty:
            from pipeline.write import write_table

            write_table(ingest.rejects, out / "rejects.csv", headers=self.settings.get("run", "headers", "zh"))
            raise PetitionError(f"no usable letters in the input; see the messages above and {out / 'rejects.csv'}")
        # a batch larger than the places cache gets no hit from it: scan afresh, hold nothing
        with uncached() if len(letters) > PLACE_CACHE_TEXTS else nullcontext():
            return self._stages(letters, ingest, inputs, out, as_of, started)

    def _stages(self, letters, ingest, inputs, out, as_of, started) -> RunResult:
        # every stage of the registry in turn; the sink (write) last, given the run's tables
        for name in STAGES:
            stage = self.build(name, **self._overrides(name, out))
            if stage.kind != "sink":
                if name in FORGET_MEMOS_BEFORE:
                    forget_memos()
                letters = self._stage(name, stage.transform, letters)
                stage.release()
                letters = without(letters, [c for c, last in LAST_READER.items() if last == name])
                continue
            result = self._sinks(stage, letters, ingest, inputs, as_of)
        result.info["timings"] = dict(self.timings, total=round(time.perf_counter() - started, 2))
        result.info["stage_cpu"] = dict(getattr(self, "cpu", {}))  # this process's CPU s per stage (not workers')
        result.info["stage_peak_mb"] = dict(getattr(self, "peaks", {}))  # this process's peak RSS per stage
        result.info["stage_entry_mb"] = dict(getattr(self, "entry", {}))  # its RSS as each stage began
        from pipeline.write import write_json

        write_json(result.info, out / "run.json")
        self._case_store.finish_run(self.versions())  # the run's one runs row, committed last
        return result

    def _sinks(self, stage, letters, ingest, inputs, as_of) -> RunResult:
        """After the last batch stage: save the batch to the store, count its persons, list the
        names to mask, write the files (`stage`, the sink). Its own method so the sinks can be run
        and profiled alone on a saved batch (`benchmarks/sinks.py`)."""
        from pipeline.mask import names_to_mask
        from pipeline.write import text_columns

        letters = without(letters, TRANSIENT_COLUMNS)
        # the batch stages' memos (places, names, tokenizers) served them, not the sinks, which
        # refill the three they use (issue 19: a real run entered the sinks ~600 MB above a
        # replay of the same batch in a fresh process; the memos were ~90 MB of it at 10^4)
        forget_memos()
        store = self._case_store
        cases, issues = self.stages_["rank"].cases_, self.stages_["cluster"].issues_
        self._stage("store", store.save, letters, versions=self.versions(), linker=self.linker)
        # the store has saved the batch's MinHash rows: the linker keeps only its model (versions())
        if self.linker is not None and hasattr(self.linker, "forget_batch"):
            self.linker.forget_batch()
        # the saved batch waits for the commit at the end of the run in DuckDB's spill folder, not
        # in memory (`CaseStore.park`: ~340 MB at 10^5 letters, held through the write stage);
        # the persons stage's read unparks for its query
        store.park()
        persons = self._stage("persons", self._persons, store, letters)  # timed: at 3x10^4 letters it peaked above every stage
        info = {
            "as_of": as_of.isoformat(),
            "inputs": [str(p) for p in (inputs or self.settings.get("run", "default_inputs", []))],
            "counts": {**ingest.summary(), "cases": len(cases), "issues": len(issues), "persons": len(persons),
                       "urgent": int((letters["urgency"] == "紧急").sum()),
                       "backlog": int(letters["is_backlog"].sum()),
                       "no_request": int(no_request(letters).sum())},
            "versions": self.versions(),
            "config": self.settings.source,
        }
        out = stage.out_dir
        result = RunResult(letters, cases, issues, persons, ingest.rejects, out, info)
        # the run's one list of names, from every letter: a name is masked in every table
        names = self._stage("names", names_to_mask, letters, text_columns(letters))
        self._stage(stage.name, stage.write, letters, cases, issues, persons, ingest.rejects, info["counts"], as_of,
                    names)
        return result

    def versions(self) -> dict:
        from importlib.metadata import version

        def of(name):  # what produced a stage's columns, once it has run
            return self.stages_[name].version() if name in self.stages_ else None

        return {
            "petition-pipeline": version("petition-pipeline"),
            "python": platform.python_version(),
            "classifier": of("classify"),
            "urgency_lexicon": of("grade"),
            "linker": of("link"),
        }

    @staticmethod
    def _persons(store, letters: pd.DataFrame) -> pd.DataFrame:
        """The persons who wrote in this batch, counted over everything the store holds."""
        from pipeline.link import letter_keys, persons_table
        from pipeline.persons import PERSON_READS

        with store.unparked():  # reads back only the columns it asks for
            history = store.letters_with_persons(set(letters["person_id"].dropna()), PERSON_READS)
        # the store keeps no hot issue or issue type: this batch's letters lend theirs, so a person's
        # top matters name the hot issue where one is known (only those columns are keyed, not a
        # copy of every column)
        lent = [c for c in ("hot_issue_label", "issue_type") if c in letters.columns]
        # the keys linking gave the letters (and the store saved them under), not made again: that
        # joined every letter's text anew (+123 MB at 3x10^4 letters, this stage's peak)
        keys = letters["letter_key"].astype(object).rename(None) if "letter_key" in letters.columns \
            else letter_keys(letters)
        keyed = letters[lent].set_index(keys)
        keyed = keyed[~keyed.index.duplicated()]
        for column in ("hot_issue_label", "issue_type"):
            if column in keyed.columns:
                stored = history.get(column, pd.Series(None, index=history.index, dtype=object))
                history[column] = stored.where(stored.notna(), history["letter_key"].map(keyed[column]))
        return persons_table(history)

    def _issue_state(self, out: Path) -> Path:
        store = Path(self.store) if self.store else out / "cases.duckdb"
        return store.with_name(store.stem + ".issues.pkl")

    def _open_store(self, out: Path):
        from pipeline.store import CaseStore

        self._case_store = CaseStore(self.store or out / "cases.duckdb",
                                     lock_timeout=self.settings.get("store", "lock_timeout"),
                                     memory_limit=self.settings.get("store", "memory_limit"))
        self._case_store.begin_run("run")
        return self._case_store
