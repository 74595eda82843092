"""The stage contract: every stage has a name, is built from the one `Settings`, and has a
`transform(letters) -> letters` whose added columns are a declared, fixed schema.

Why a contract: the same stages run in one process (`PetitionRun`) or on a distributed engine
(`pipeline.spark_engine`). An engine only needs to know, for each stage, how to build it from the
settings, which columns it adds (to declare a schema before any data flows), and whether it is
row-wise (any partition of letters can go through it alone) or whole-batch (it needs every letter
at once, so it exposes its steps for an engine to distribute).

Row-wise stages: classify (with its taxonomy suggestions), grade, route. Masking is a function of
a frame and a global list of names (`mask_partition`), so it is row-wise too once the names are
known. Whole-batch stages: link, cluster, rank. The write stage is a sink (kind "sink"): it adds
no column, it writes the run's tables (`WriteStage.write`).

`STAGES` lists them all by name, in run order; `PetitionRun` builds each from the settings when
its turn comes and runs it. What a stage needs beyond the settings comes as an override of
`from_settings`: the classify model a command names, the open case store, the issue-state file,
the output folder.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from pathlib import Path
from typing import Any, Callable, ClassVar

import pandas as pd

from pipeline.config import Settings
from pipeline.places import LETTER_PLACES  # a transient column of the run, as the token columns

# pandas dtype names of the columns each stage adds; engines translate them to their own types
STRING, FLOAT, BOOL = "str", "float64", "bool"
OBJECT, INT, TIME = "object", "Int64", "datetime64[us]"  # object: strings with None kept as None


class Stage:
    """Base of every stage: `name`, `kind` ("row", "batch" or "sink"), `output_schema`,
    `from_settings`, `transform` (a sink has `write` instead). Subclasses keep their parameters as attributes and build their model lazily,
    once, so a stage object can be shipped to a worker and reused for every partition."""

    name: ClassVar[str] = ""
    kind: ClassVar[str] = "row"

    @classmethod
    def from_settings(cls, settings: Settings, **overrides) -> "Stage":
        raise NotImplementedError

    def output_schema(self) -> dict[str, str]:
        """Column name -> pandas dtype of every column `transform` adds or overwrites."""
        raise NotImplementedError

    def transform(self, letters: pd.DataFrame) -> pd.DataFrame:
        raise NotImplementedError

    def version(self) -> str | None:
        """What produced the columns (model or lexicon version), for run.json and the store."""
        return None

    def release(self) -> None:
        """Drop what the stage loaded (a model), once a run has no more letters for it: a run
        calls it after the stage's one transform, so a model is not held through later stages.
        Its `version()` stays answerable."""

    def conform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The stage's columns cast to the declared dtypes, so every partition has one schema."""
        for column, dtype in self.output_schema().items():
            if column in frame.columns:
                frame[column] = frame[column].astype(dtype)
        return frame


@dataclass
class ClassifyStage(Stage):
    """Issue type, confidence, top 3 and the review flag; with a taxonomy, the 2nd/3rd-level
    suggestions that refine routing."""

    model: Path
    taxonomy: Path | None = None
    pool: Any = field(default=None, repr=False)
    name: ClassVar[str] = "classify"

    @classmethod
    def from_settings(cls, settings: Settings, model: str | Path | None = None, pool=None, **_) -> "ClassifyStage":
        taxonomy = settings.path("classify", "taxonomy") if settings.get("classify", "taxonomy") else None
        return cls(Path(model) if model else settings.path("classify", "model"), taxonomy, pool)

    def output_schema(self) -> dict[str, str]:
        from pipeline.classify import OUTPUT_COLUMNS
        from pipeline.taxonomy import SUGGESTION_COLUMNS

        schema = dict(zip(OUTPUT_COLUMNS, (STRING, FLOAT, STRING, BOOL)))
        if self.taxonomy is not None:
            schema.update({c: FLOAT if c.endswith("score") else STRING for c in SUGGESTION_COLUMNS})
        return schema

    def _models(self):
        if not hasattr(self, "_classifier"):
            self._classifier = load_classifier(self.model)
            self._taxonomy = None
            if self.taxonomy is not None:
                from pipeline.taxonomy import Taxonomy

                self._taxonomy = Taxonomy.load(self.taxonomy)
        return self._classifier, self._taxonomy

    def transform(self, letters: pd.DataFrame) -> pd.DataFrame:
        classifier, taxonomy = self._models()
        tokens = None
        if TOKENS in letters.columns and getattr(classifier, "hmm", False) == letters.attrs.get(TOKENS_HMM):
            tokens = letters[TOKENS].tolist()  # the run's one tokenization pass, cut as this model cuts
        out = classifier.classify(letters, tokens=tokens, pool=self.pool)
        if taxonomy is not None:
            out = taxonomy.add_suggestions(out)
        return self.conform(out)

    def version(self) -> str | None:
        if not hasattr(self, "_version"):
            self._version = getattr(self._models()[0], "version_", str(self.model))
        return self._version

    def release(self) -> None:
        """The model and its n-gram tables (about 300 MB for the shipped model) are freed after
        classifying: linking and clustering, which come later, need the memory."""
        self.version()
        for loaded in ("_classifier", "_taxonomy"):
            self.__dict__.pop(loaded, None)
        load_classifier.cache_clear()

    def __getstate__(self):  # ship parameters, not the loaded model or the pool: each worker loads its own once
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_") and k != "pool"}


@dataclass
class GradeStage(Stage):
    """Urgency (紧急/较急/一般), its score, cues, the evidence quoted from the letter, the review band.

    Lent the run's pool, a large batch is graded in the workers, in slices: each letter's grade
    depends on that letter alone (the readers' batch tables give the same floats as the letter's own
    sum), so the slices give the same columns as one pass. The grader is fitted here, once, and
    reaches the workers by the fork; only the text and date columns travel, and only the grade
    columns come back. Why: grading is pure Python (the cues' and frames' regular expressions) and
    was the run's slowest stage, about a third of the run on one core."""

    lexicon: Path
    cold_months: tuple[int, ...] = (11, 12, 1, 2, 3)
    pool: Any = field(default=None, repr=False)
    min_parallel: int = 1000  # fewer letters are graded in this process: forking costs more than it saves
    slice_letters: int = 5000
    name: ClassVar[str] = "grade"

    @classmethod
    def from_settings(cls, settings: Settings, pool=None, **_) -> "GradeStage":
        return cls(settings.path("urgency", "lexicon"), tuple(settings.get("urgency", "cold_months", (11, 12, 1, 2, 3))),
                   pool)

    def output_schema(self) -> dict[str, str]:
        from pipeline.urgency import OUTPUT_COLUMNS

        return {c: {"urgency_score": FLOAT, "urgency_review": BOOL}.get(c, STRING) for c in OUTPUT_COLUMNS}

    def _grader(self):
        if not hasattr(self, "_fitted"):
            from pipeline.urgency import UrgencyGrader

            self._fitted = UrgencyGrader(lexicon=self.lexicon, cold_months=self.cold_months).fit()
        return self._fitted

    def transform(self, letters: pd.DataFrame) -> pd.DataFrame:
        grader, pool = self._grader(), self.pool
        if pool is None or not pool.parallel(len(letters), self.min_parallel):
            return self.conform(grader.transform(letters))
        read = letters[[c for c in (*grader.text_columns, grader.date_column) if c in letters.columns]]
        return self.conform(deal(pool, _grade_slice, read, "grade", grader, self.slice_letters, "grading", letters))

    def release(self) -> None:
        """The grader (its cues, compiled patterns and the refiner's and sieve's gram tables)
        is freed once the batch is graded; `version` reads the cue files, not the grader."""
        self.__dict__.pop("_fitted", None)

    def version(self) -> str | None:
        """`cues <hash>` of the cue data the grader read (lexicon, compositional frames, refiner, sieve):
        an office that extends them gets a new version in run.json and the case store."""
        import hashlib

        from pipeline.urgency import COMPOSE_PATH, PROBE_SIEVE_PATH, REFINER_PATH, SIEVE_PATH

        digest = hashlib.sha256()
        for path in (Path(self.lexicon), COMPOSE_PATH, REFINER_PATH, SIEVE_PATH, PROBE_SIEVE_PATH):
            digest.update(path.read_bytes() if path.exists() else b"")
        return f"cues {digest.hexdigest()[:12]}"

    __getstate__ = ClassifyStage.__getstate__


def deal(pool, fn, letters: pd.DataFrame, key: str, obj, slice_letters: int, desc: str,
         batch: pd.DataFrame) -> pd.DataFrame:
    """`fn(obj, slice)` over slices of `letters` (the columns the workers need) in the pool's workers,
    and `batch` back with the columns `fn` returned set on it, each row in its place; `obj` is let
    go of in the workers after.

    Slices are dealt like cards (letter i to slice i mod n): long and short letters come in runs (a
    file of one source, then another), so contiguous slices finish unevenly. At most
    `slice_letters` a slice: a worker's transient (the grade readers' tables, the rows it made) is
    a slice's, not half the batch's (grading 50,000 letters in two halves: workers peaked at 523 MB
    RSS; in 5,000-letter slices, 467 MB)."""
    n = max(pool.jobs, -(-len(letters) // slice_letters))
    parts = pool.map(fn, [letters.iloc[j::n] for j in range(n)], key=key, obj=obj, desc=desc)
    pool.forget(key)  # the workers' copy goes with them; the parent's stays with the stage
    done = pd.concat(parts, ignore_index=True)
    done.index = [i for j in range(n) for i in range(j, len(letters), n)]  # each letter's place in the batch
    done, out = done.sort_index(), batch.copy()
    for column in done.columns:
        out[column] = done[column].to_numpy()
    return out


def _grade_slice(grader, letters: pd.DataFrame) -> pd.DataFrame:
    """One slice of a batch graded in a worker: the grade columns only (the rest stays in the parent)."""
    from pipeline.urgency import OUTPUT_COLUMNS

    return grader.transform(letters)[list(OUTPUT_COLUMNS)]


# the route stage's columns (its output schema), in the order the router writes them
_ROUTED = {"department": STRING, "routing_reason": STRING, "confidential": BOOL, "place": STRING, "area": STRING,
           "area_city": STRING, "routed_type": STRING, "routed_term": STRING, "routed_term_named": BOOL,
           "purpose": STRING, "no_request": BOOL}


@dataclass
class RouteStage(Stage):
    """Responsible department, why, whether the writer's identity is confidential, 属地, what the
    letter asks for (信访目的) and whether it is a call with no request (`pipeline.calls`)."""

    table: Path
    fallback_department: str = "信访局综合科"
    discipline_department: str = "纪检监察"
    model: Path | None = None
    file_class: bool = True
    taxonomy: Path | None = None
    pool: Any = field(default=None, repr=False)
    min_parallel: int = 1000  # as the grade stage: fewer letters are routed in this process
    slice_letters: int = 5000
    name: ClassVar[str] = "route"

    @classmethod
    def from_settings(cls, settings: Settings, pool=None, **_) -> "RouteStage":
        routing = settings.section("routing")
        return cls(settings.path("routing", "table"), routing.get("fallback_department", "信访局综合科"),
                   routing.get("discipline_department", "纪检监察"),
                   settings.path("routing", "model") if routing.get("model") else None,
                   bool(routing.get("file_class", True)),
                   settings.path("classify", "taxonomy") if settings.get("classify", "taxonomy") else None, pool)

    def output_schema(self) -> dict[str, str]:
        return dict(_ROUTED)

    def _router(self):
        if not hasattr(self, "_fitted"):
            from pipeline.route import Router

            self._fitted = Router(self.table, self.fallback_department, self.discipline_department,
                                  model=self.model, file_class=self.file_class, taxonomy=self.taxonomy).fit()
        return self._fitted

    def transform(self, letters: pd.DataFrame) -> pd.DataFrame:
        """Lent the run's pool, a large batch is routed in the workers, in slices, as the grade stage
        grades: each letter's department, place and purpose are its own (the 属地 scan, the
        department model, the table), and routing was the run's largest row-wise stage left in one
        process. Every column but the token columns travels; only the columns routing writes come back."""
        router, pool = self._router(), self.pool
        if pool is None or not pool.parallel(len(letters), self.min_parallel):
            return self.conform(router.transform(letters))
        sent = letters.drop(columns=[c for c in (TOKENS, CLUSTER_TOKENS) if c in letters.columns])
        return self.conform(deal(pool, _route_slice, sent, "route", router, self.slice_letters, "routing", letters))

    __getstate__ = ClassifyStage.__getstate__


def _route_slice(router, letters: pd.DataFrame) -> pd.DataFrame:
    """One slice of a batch routed in a worker: the columns routing writes only (its schema's, and
    `needs_review` where the batch has it: routing clears it for letters the office's file classed)."""
    out = router.transform(letters)
    return out[[c for c in (*_ROUTED, "needs_review") if c in out.columns]]


ROW_STAGES: dict[str, type[Stage]] = {s.name: s for s in (ClassifyStage, GradeStage, RouteStage)}


def build_row_stages(settings: Settings, **overrides) -> list[Stage]:
    """The row-wise stages of a run, in order, built from the one settings object."""
    return [stage.from_settings(settings, **overrides) for stage in ROW_STAGES.values()]


@dataclass
class LinkStage(Stage):
    """Persons: each letter gets a person across this batch and the case store's history, its
    repeat count, near-duplicate and joint-letter links (`PetitionerLinker`, `[link]`). Without a
    store the batch is linked alone. The store is saved once, by the run, after every stage."""

    params: dict = field(default_factory=dict)
    store: Any = field(default=None, repr=False)
    name: ClassVar[str] = "link"
    kind: ClassVar[str] = "batch"

    @classmethod
    def from_settings(cls, settings: Settings, store=None, **_) -> "LinkStage":
        return cls(settings.section("link"), store)

    def output_schema(self) -> dict[str, str]:
        from pipeline.identity import IDENTITY_COLUMNS

        schema = dict.fromkeys(IDENTITY_COLUMNS, OBJECT)
        schema.update({"letter_key": OBJECT, "person_id": STRING, "person_match_prob": FLOAT, "repeat_count": INT,
                       "first_seen": TIME, "near_duplicate_of": OBJECT, "joint_letter_group": OBJECT})
        return schema

    def linker(self):
        """The linker of this run (built once): the store saves its signatures and merges."""
        if not hasattr(self, "_linker"):
            from pipeline.link import PetitionerLinker

            self._linker = PetitionerLinker(**self.params)
        return self._linker

    def transform(self, letters: pd.DataFrame) -> pd.DataFrame:
        history = self.store.history() if self.store is not None else None
        return self.conform(self.linker().link(letters, history))

    def version(self) -> str | None:
        return self.linker().model_version()

    def release(self) -> None:
        """The linker's results for inspection (its scored pairs, near-duplicate pairs, timeline:
        ~33 MB at 10^5 letters) are dropped once the batch is linked: no later stage reads them,
        and a run held them through clustering, its peak. The store's save reads only the MinHash
        rows (`signatures_`), the merges and the model, which stay."""
        if hasattr(self, "_linker") and hasattr(self._linker, "forget_batch"):
            self._linker.forget_batch(keep=("signatures_",))


@dataclass
class ClusterStage(Stage):
    """Issues (热点问题): letters about one concrete problem grouped, labelled, ranked by heat
    (`IssueClusterer`, `[cluster]` and `[heat]`). With an issue-state file, issues seen before keep
    their ids and the new state is saved. The issues table is kept as `issues_`.

    `release_tokens`: the caller hands the letters' token lists (`cluster_tokens`) over, and they
    are emptied once read (`IssueClusterer.fit_transform`), unless an earlier state's ids are to be
    kept (relabelling reads them again). A run sets it: it drops the column after this stage. Off
    by default: a notebook that clusters one tokenized frame twice needs its tokens twice."""

    params: dict = field(default_factory=dict)
    heat: dict = field(default_factory=dict)
    n_jobs: int = 2
    state_path: Path | None = None
    progress: bool = False
    release_tokens: bool = False
    name: ClassVar[str] = "cluster"
    kind: ClassVar[str] = "batch"

    @classmethod
    def from_settings(cls, settings: Settings, state_path: Path | None = None, progress: bool = False,
                      release_tokens: bool = False, **_) -> "ClusterStage":
        return cls(settings.section("cluster"), settings.section("heat"), settings.get("run", "n_jobs", 2),
                   state_path, progress, release_tokens)

    def output_schema(self) -> dict[str, str]:
        return {"issue_id": STRING, "hot_issue_label": STRING, "deep_seated": BOOL, "issue_by_wording": BOOL}

    def clusterer(self):
        from pipeline.cluster import IssueClusterer

        return IssueClusterer(**self.params, heat_weights=self.heat or None, n_jobs=self.n_jobs,
                              progress=self.progress)

    def cluster(self, letters: pd.DataFrame, columns: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The letters of each issue (`columns`: only those) and the issues table (fit, keep old
        ids, save the state)."""
        from pipeline.cluster import IssueClusterer

        clusterer = self.clusterer()
        tokens = letters[CLUSTER_TOKENS].tolist() if CLUSTER_TOKENS in letters.columns else None
        if tokens is not None and letters.attrs.get(CLUSTER_TOKENS_WEIGHT) != clusterer.title_weight:
            tokens = None  # cut with another title weight: cut here instead
        places = letters[LETTER_PLACES].tolist() if LETTER_PLACES in letters.columns else None
        letters = letters.drop(columns=[CLUSTER_TOKENS, LETTER_PLACES], errors="ignore")  # handed over
        relabel = self.state_path is not None and Path(self.state_path).exists()
        clusterer.fit(letters, tokens=tokens, places=places, release_tokens=self.release_tokens and not relabel)
        if relabel:
            previous = IssueClusterer.load(self.state_path)
            same_cut = previous.title_weight == clusterer.title_weight and _cut_by(previous) == _cut_by(clusterer)
            clusterer.relabel_from(previous.transform_ids(letters, tokens if same_cut else None), previous)
        if self.state_path is not None:
            clusterer.save(self.state_path)
        return clusterer.get_issue_letters(columns=columns), clusterer.get_issue_info()

    def release(self) -> None:
        """jieba's part-of-speech tagger, loaded to trim the issues' place names, is unloaded
        (`pipeline.issue_places.forget_tagger`, about 115 MB): no later stage tags a word."""
        from pipeline.issue_places import forget_tagger

        forget_tagger()

    def transform(self, letters: pd.DataFrame) -> pd.DataFrame:
        from pipeline.cluster import LETTER_COLUMNS
        from pipeline.calls import no_request

        # only what fitting reads (and the token column): the clusterer copies its letters several
        # times, and the run's other columns change no issue
        read = [c for c in (*LETTER_COLUMNS, CLUSTER_TOKENS, LETTER_PLACES) if c in letters.columns]
        invalid = no_request(letters)  # calls with no request (来电类别 无效, 未反映具体问题) form no issue
        members, self.issues_ = self.cluster(letters.loc[~invalid, read] if invalid.any() else letters[read],
                                             columns=["letter_id", "issue_id", "issue_by_wording"])  # all attach_issues reads
        return self.conform(attach_issues(letters, members, self.issues_))


def _cut_by(clusterer) -> tuple:
    """What decides a clusterer's tokens besides the title weight: its tokenizer's settings."""
    tok = clusterer._tok()
    return (type(tok), getattr(tok, "user_dict", None), str(getattr(tok, "stopwords", None)),
            getattr(tok, "keep_place_codes", None), getattr(tok, "hmm", None))


def attach_issues(letters: pd.DataFrame, members: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """Issue id, label and deep-seated flag on each letter that belongs to an issue, and whether it
    joined by its wording alone (`issue_by_wording`: the letters to check first in a mixed issue)."""
    out = letters.copy()
    if members is None or members.empty:
        out["issue_id"], out["hot_issue_label"], out["deep_seated"] = None, None, False
        out["issue_by_wording"] = False
        return out
    # (a model saved before issue_by_wording existed hands over no such column: no letter is marked)
    lookup = members.reindex(columns=["letter_id", "issue_id", "issue_by_wording"]).drop_duplicates("letter_id")
    out = out.merge(lookup, on="letter_id", how="left")
    labels = issues.set_index("issue_id")
    out["hot_issue_label"] = out["issue_id"].map(labels["label"]) if "label" in labels else out["issue_id"]
    out["deep_seated"] = out["issue_id"].map(labels["deep_seated"]).fillna(False).astype(bool) if "deep_seated" in labels else False
    # after the deep-seated flag, as the Spark engine's letters have it
    out["issue_by_wording"] = out.pop("issue_by_wording").astype("boolean").fillna(False).astype(bool)
    return out


@dataclass
class RankStage(Stage):
    """Priority and its reasons per letter, open/closed/积案, and the cases (a hot issue's letters,
    else one person's on one issue type) a leader takes on (`PriorityRanker`, `[priority]`, `[backlog]`, `[cases]`).
    The cases table is kept as `cases_`."""

    priority: dict = field(default_factory=dict)
    cases: dict = field(default_factory=dict)
    limit_days: int = 60
    as_of: date | None = None
    name: ClassVar[str] = "rank"
    kind: ClassVar[str] = "batch"

    @classmethod
    def from_settings(cls, settings: Settings, **_) -> "RankStage":
        return cls(settings.section("priority"), settings.section("cases"),
                   settings.get("backlog", "limit_days", 60), settings.as_of())

    def output_schema(self) -> dict[str, str]:
        return {"is_closed": BOOL, "is_open": BOOL, "days_open": FLOAT, "response_days": FLOAT, "is_backlog": BOOL,
                "priority": FLOAT, "priority_reasons": STRING}

    def ranker(self):
        from pipeline.rank import PriorityRanker

        return PriorityRanker(**self.priority, **{f"case_{k}": v for k, v in self.cases.items()},
                              limit_days=self.limit_days, as_of=self.as_of)

    def transform(self, letters: pd.DataFrame) -> pd.DataFrame:
        ranker = self.ranker()
        ranked = self.conform(ranker.transform(letters))
        self.cases_ = ranker.cases(ranked)
        return ranked


@dataclass
class WriteStage(Stage):
    """The files people open (`pipeline.sheets.write_outputs`): letters.parquet/.csv, triage.xlsx,
    rejects.csv, report.html, all masked, from the run's tables. A sink: it adds no column."""

    settings: Settings = field(default_factory=Settings, repr=False)
    out_dir: Path = Path("out")
    writer: Callable | None = field(default=None, repr=False)
    name: ClassVar[str] = "write"
    kind: ClassVar[str] = "sink"

    @classmethod
    def from_settings(cls, settings: Settings, out_dir: str | Path = "out", writer: Callable | None = None,
                      **_) -> "WriteStage":
        return cls(settings, Path(out_dir), writer)

    def output_schema(self) -> dict[str, str]:
        return {}

    def transform(self, letters: pd.DataFrame) -> pd.DataFrame:
        raise TypeError("the write stage is a sink: call write(letters=..., cases=..., ...) with the run's tables")

    def write(self, letters: pd.DataFrame, cases: pd.DataFrame, issues: pd.DataFrame, persons: pd.DataFrame,
              rejects: pd.DataFrame, counts: dict, as_of: date, names=None) -> None:
        from pipeline.sheets import write_outputs

        # a run has dropped the transient columns already; stages chained by hand (a notebook) may not
        (self.writer or write_outputs)(self.out_dir, without(letters, TRANSIENT_COLUMNS), cases, issues, persons,
                                       rejects, counts, self.settings, as_of, names)


# ---------------------------------------------------------------------- one tokenization pass

# Token columns of the tokenize stage: the classifier's cut of each letter and the clusterer's.
TOKENS, CLUSTER_TOKENS = "tokens", "cluster_tokens"
# How the columns were cut, kept in the frame's attrs: a stage reads a column only if it cuts the same way.
TOKENS_HMM, CLUSTER_TOKENS_WEIGHT = "tokens_hmm", "cluster_tokens_title_weight"


@lru_cache(maxsize=4)
def load_classifier(model: Path):
    """The classify model, loaded once per process: the tokenize stage asks it how it cuts."""
    from pipeline.classify import IssueClassifier

    return IssueClassifier.load(model)


@dataclass
class TokenizeStage(Stage):
    """One tokenization pass for every stage that reads tokens: each letter's tokens as the issue
    classifier cuts them (`tokens`: title and text, its `hmm` setting) and as the clusterer cuts
    them (`cluster_tokens`: the title `title_weight` times, then the text, with the HMM). The two
    streams are kept as they were (each stage's quality rests on its own); what is saved is cutting
    a letter again in every stage, and a pool of workers per stage. It also scans each letter's
    places once (`letter_places`), for routing, linking and clustering, except in a batch larger
    than the places memo (`pipeline.places.caching`). Transient: the run drops these columns
    before the store and the files.

    Lent the run's pool, it cuts in the workers and scans places there too (pure Python, a third
    of the stage in one process; the scan's function is shared before the tokenizers fork, so it
    forks nothing of its own), except in a batch larger than the places memo, where it cuts here:
    at 10^5 letters, cutting in the workers (each keeping its segmenter's memo) with grading in
    half-batches took the run's process tree to 3.2 GB PSS; cutting here, with bounded grade
    slices, to 2.05 GB, where stop 61 was (1.9). The
    classifier's model and the grader re-fork the workers after.
    Measured on the 9,943 shared letters (`benchmarks/run.py`): 16.2 s in one process, 12.6 s lent
    the pool. Earlier, on cutting alone: both streams of the
    9,943 shared letters cost 12.2 s CPU in one process, 8.8 s (4.0 main + 4.8 workers, 9.3 s
    wall) in a pool of two, but that pool ran second, with the segmenter's caches already warm."""

    model: Path
    title_weight: int = 2
    n_jobs: int = 1
    pool: Any = field(default=None, repr=False)
    min_parallel: int = 1000  # fewer letters' places are scanned in this process
    name: ClassVar[str] = "tokenize"
    kind: ClassVar[str] = "row"
    transient: ClassVar[bool] = True

    @classmethod
    def from_settings(cls, settings: Settings, model: str | Path | None = None, pool=None, **_) -> "TokenizeStage":
        weight = ClusterStage.from_settings(settings).clusterer().title_weight
        return cls(Path(model) if model else settings.path("classify", "model"), weight,
                   settings.get("run", "n_jobs", 2) if pool is not None else 1, pool)

    def output_schema(self) -> dict[str, str]:
        return {TOKENS: OBJECT, CLUSTER_TOKENS: OBJECT, LETTER_PLACES: OBJECT}

    def release(self) -> None:
        """The segmenters' memo of the batch's cuts is dropped: the token columns hold the cuts
        the later stages read, and the memo (a few hundred MB at 10^4 letters and more) was
        otherwise held by the process to the end of the run."""
        from pipeline.tokenize import forget_cuts

        forget_cuts()

    def transform(self, letters: pd.DataFrame) -> pd.DataFrame:
        from pipeline.cluster import cluster_docs
        from pipeline.places import caching, letter_places
        from pipeline.tokenize import letter_tokens, tokenize_docs

        hmm = getattr(load_classifier(self.model), "hmm", False)
        # a batch larger than the places memo is one where memory binds (`pipeline.places.caching`):
        # there it cuts in this process, as each worker's segmenter memo (up to ~0.5 GB) would add to
        # the run's peak; its own memo is dropped by `release`
        pool, n_jobs = (self.pool, self.n_jobs) if caching() else (None, 1)
        scan = pool is not None and pool.parallel(len(letters), self.min_parallel)
        if scan:  # shared before the tokenizers fork the workers, so scanning places forks none
            pool.share("places", letter_places)
        out = letters.copy()
        out[TOKENS] = letter_tokens(letters, hmm=hmm, n_jobs=n_jobs, pool=pool)
        titles, texts = (_text_column(letters, c) for c in ("title", "text"))
        out[CLUSTER_TOKENS] = tokenize_docs(cluster_docs(titles, texts, self.title_weight), n_jobs=n_jobs, pool=pool)
        if scan:  # pure Python, one letter at a time: a third of the stage in one process
            size = -(-len(titles) // (pool.jobs * 4))
            parts = pool.map(_scan_places, [(titles[i:i + size], texts[i:i + size]) for i in range(0, len(titles), size)],
                             key="places", obj=letter_places, desc="places")
            pool.forget("places")
            out[LETTER_PLACES] = [found for part in parts for found in part]
        elif caching():  # not for a batch larger than the places memo (`pipeline.places.caching`)
            out[LETTER_PLACES] = letter_places(titles, texts)
        out.attrs[TOKENS_HMM], out.attrs[CLUSTER_TOKENS_WEIGHT] = hmm, self.title_weight
        return self.conform(out)

    __getstate__ = ClassifyStage.__getstate__


def _scan_places(scan, titles_texts: tuple[list[str], list[str]]) -> list:
    """One slice's `letter_places`, in a worker."""
    return scan(*titles_texts)


def _text_column(letters: pd.DataFrame, column: str) -> list[str]:
    """A text column as the clusterer reads it (missing column or cell: empty string)."""
    if column not in letters.columns:
        return [""] * len(letters)
    return letters[column].fillna("").astype(str).tolist()


# Columns a run carries between stages but never stores or writes.
TRANSIENT_COLUMNS = (TOKENS, CLUSTER_TOKENS, LETTER_PLACES)
# The last stage that reads each: the run drops a token column as soon as that stage has run, so
# a batch's tokens are not held through linking and clustering (about 200 MB per 10,000 letters).
LAST_READER = {TOKENS: "classify", CLUSTER_TOKENS: "cluster", LETTER_PLACES: "cluster"}


def without(letters: pd.DataFrame, columns) -> pd.DataFrame:
    """`letters` without `columns`, whose values are then freed. A plain `drop` is not enough:
    pandas keeps columns of one dtype in one 2-D block and drops a column by slicing that block,
    so the frame it returns still holds the dropped column's objects (a run's token lists:
    about 440 MB at 10^4 letters were held that way through every stage after clustering).
    The copy is of the blocks' pointers and numbers, not of the strings they point to."""
    columns = [c for c in columns if c in letters.columns]
    if not columns:
        return letters
    return letters.drop(columns=columns).copy()


# Every stage of a run, by name, in run order.
STAGES: dict[str, type[Stage]] = {s.name: s for s in (
    TokenizeStage, ClassifyStage, GradeStage, RouteStage, LinkStage, ClusterStage, RankStage, WriteStage)}


def build_stages(settings: Settings, **overrides) -> list[Stage]:
    """Every stage of a run, in order, built from the one settings object (overrides by keyword,
    e.g. `store=`, `state_path=`, `out_dir=`; each stage takes the ones it knows)."""
    return [stage.from_settings(settings, **overrides) for stage in STAGES.values()]


def mask_partition(letters: pd.DataFrame, names) -> pd.DataFrame:
    """Mask one partition for export, given the global list of full names (from every partition),
    so a name written in one letter is masked in every other letter that mentions it."""
    from pipeline.mask import mask_frame
    from pipeline.write import text_columns

    return mask_frame(letters, text_columns=text_columns(letters), names=names)
