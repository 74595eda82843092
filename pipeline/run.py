"""The main job: letters in, ranked triage lists, routing and a report out.

read → classify → grade → route → link → cluster → rank → write. Each stage is a component
from its own module; this one only wires them, times them and writes what people open.
Nothing here decides anything about a letter.
"""
from __future__ import annotations

import platform
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from pipeline.config import Settings, load_settings
from pipeline.errors import PetitionError
from pipeline.paths import PROJECT_DIR
from pipeline.read import IngestResult, read_letters

SHEETS = ("今日紧急", "各部门待办", "领导包案建议", "重复信访人", "热点问题", "积案", "需人工复核")


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


class PetitionRun:
    """One configured run. `PetitionRun(settings).run(inputs, out_dir)` does the whole job."""

    def __init__(self, settings: Settings | None = None, store: str | Path | None = None,
                 model: str | Path | None = None, progress: bool = True):
        self.settings = settings or load_settings()
        self.store = store
        self.model = model
        self.progress = progress
        self.timings: dict[str, float] = {}

    def _log(self, message: str) -> None:
        if self.progress:
            print(message, file=sys.stderr, flush=True)

    def _stage(self, name: str, function, *args, **kwargs):
        self._log(f"[{name}] ...")
        start = time.perf_counter()
        result = function(*args, **kwargs)
        self.timings[name] = round(time.perf_counter() - start, 2)
        self._log(f"[{name}] done in {self.timings[name]:.1f}s")
        return result

    # ------------------------------------------------------------------ stages
    def read(self, inputs, read_options: dict | None = None) -> IngestResult:
        if not inputs:
            inputs = [PROJECT_DIR / p for p in self.settings.get("run", "default_inputs", [])]
        result = read_letters(inputs, progress=self.progress, **(read_options or {}))
        for line in result.problem_lines():
            self._log(line)
        return result

    def classify(self, letters: pd.DataFrame) -> pd.DataFrame:
        from pipeline.stages import ClassifyStage

        stage = ClassifyStage.from_settings(self.settings, model=self.model)
        out = stage.transform(letters)
        self.model_version = stage.version()
        return out

    def grade(self, letters: pd.DataFrame) -> pd.DataFrame:
        from pipeline.stages import GradeStage

        stage = GradeStage.from_settings(self.settings)
        out = stage.transform(letters)
        self.lexicon_version = stage.version()
        return out

    def route(self, letters: pd.DataFrame) -> pd.DataFrame:
        from pipeline.stages import RouteStage

        return RouteStage.from_settings(self.settings).transform(letters)

    def link(self, letters: pd.DataFrame, store) -> pd.DataFrame:
        """Persons across this batch and everything the store holds; the batch is stored."""
        from pipeline.link import PetitionerLinker

        self.linker = PetitionerLinker()
        linked = self.linker.link(letters, store.history())
        store.save(linked, linker=self.linker, command="run", versions=self.versions())
        self.linker_version = self.linker.model_version()
        return linked

    def cluster(self, letters: pd.DataFrame, state_path: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Issues in this batch; with a saved state, issues seen before keep their ids."""
        from pipeline.cluster import IssueClusterer

        clusterer = IssueClusterer(n_jobs=self.settings.get("run", "n_jobs", 2), progress=self.progress)
        clusterer.fit(letters)
        if state_path is not None and state_path.exists():
            previous = IssueClusterer.load(state_path)
            clusterer.relabel_from(previous.transform_ids(letters), previous)
        if state_path is not None:
            clusterer.save(state_path)
        return clusterer.get_issue_letters(), clusterer.get_issue_info()

    # ------------------------------------------------------------------ the job
    def run(self, inputs=None, out_dir: str | Path = "out", read_options: dict | None = None) -> RunResult:
        """The whole job. The case store keeps the run only if it finishes: one transaction, whose
        one `runs` row is written last, after the files; a failed run leaves the store as it was."""
        try:
            return self._job(inputs, out_dir, read_options)
        finally:
            if getattr(self, "_case_store", None) is not None:
                self._case_store.close()  # rolls back a run that did not finish
                self._case_store = None

    def _job(self, inputs, out_dir, read_options) -> RunResult:
        from pipeline.mask import mask_frame
        from pipeline.rank import PriorityRanker

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
        letters = self._stage("classify", self.classify, letters)
        letters = self._stage("grade", self.grade, letters)
        letters = self._stage("route", self.route, letters)
        store = self._open_store(out)
        letters = self._stage("link", self.link, letters, store)
        members, issues = self._stage("cluster", self.cluster, letters, self._issue_state(out))
        letters = _attach_issues(letters, members, issues)
        priority = self.settings.section("priority")
        ranker = PriorityRanker(**priority, limit_days=self.settings.get("backlog", "limit_days", 60), as_of=as_of)
        letters = self._stage("rank", ranker.transform, letters)
        cases = ranker.cases(letters)
        self._stage("store", store.save, letters, versions=self.versions(), linker=self.linker)
        persons = self._persons(store, letters)
        info = {
            "as_of": as_of.isoformat(),
            "inputs": [str(p) for p in (inputs or self.settings.get("run", "default_inputs", []))],
            "counts": {**ingest.summary(), "cases": len(cases), "issues": len(issues), "persons": len(persons),
                       "urgent": int((letters["urgency"] == "紧急").sum()),
                       "backlog": int(letters["is_backlog"].sum())},
            "versions": self.versions(),
            "config": self.settings.source,
        }
        result = RunResult(letters, cases, issues, persons, ingest.rejects, out, info)
        self._stage("write", write_outputs, result, mask_frame, self.settings)
        info["timings"] = dict(self.timings, total=round(time.perf_counter() - started, 2))
        from pipeline.write import write_json

        write_json(info, out / "run.json")
        store.finish_run(self.versions())  # the run's one runs row, committed last
        return result

    def versions(self) -> dict:
        from importlib.metadata import version

        return {
            "petition-pipeline": version("petition-pipeline"),
            "python": platform.python_version(),
            "classifier": getattr(self, "model_version", None),
            "urgency_lexicon": getattr(self, "lexicon_version", None),
            "linker": getattr(self, "linker_version", None),
        }

    @staticmethod
    def _persons(store, letters: pd.DataFrame) -> pd.DataFrame:
        """The persons who wrote in this batch, counted over everything the store holds."""
        from pipeline.link import letter_keys, persons_table

        history = store.letters_with_persons(set(letters["person_id"].dropna()))
        # the store keeps no hot issue or issue type: this batch's letters lend theirs, so a person's
        # top matters name the hot issue where one is known
        keyed = letters.set_index(letter_keys(letters))
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
                                     lock_timeout=self.settings.get("store", "lock_timeout"))
        self._case_store.begin_run("run")
        return self._case_store


def _attach_issues(letters: pd.DataFrame, members: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """Issue id, label and deep-seated flag on each letter that belongs to an issue."""
    out = letters.copy()
    if members is None or members.empty:
        out["issue_id"], out["hot_issue_label"], out["deep_seated"] = None, None, False
        return out
    lookup = members[["letter_id", "issue_id"]].drop_duplicates("letter_id")
    out = out.merge(lookup, on="letter_id", how="left")
    labels = issues.set_index("issue_id")
    out["hot_issue_label"] = out["issue_id"].map(labels["label"]) if "label" in labels else out["issue_id"]
    out["deep_seated"] = out["issue_id"].map(labels["deep_seated"]).fillna(False).astype(bool) if "deep_seated" in labels else False
    return out


def write_outputs(result: RunResult, mask_frame, settings: Settings) -> None:
    """letters.parquet/.csv, triage.xlsx, rejects.csv, report.html — every one masked.

    Names are masked wherever they appear: the identity columns hold the full names, and
    any text cell of any exported table that contains one of them gets it masked too.
    """
    from pipeline.report import build_report
    from pipeline.write import atomic_path, text_columns, write_sheets, write_table

    out = result.out_dir
    names = pd.concat([result.letters[c] for c in ("name", "name_clean") if c in result.letters.columns]).dropna().unique()

    def scrub(frame: pd.DataFrame) -> pd.DataFrame:
        # every text column, as the other commands' exports (`_inputs.masked_for_export`); id columns are exempt
        return mask_frame(frame, text_columns=text_columns(frame), names=names)

    masked = scrub(result.letters)
    cases, issues, persons = scrub(result.cases), scrub(result.issues), scrub(result.persons)
    write_table(masked, out / "letters.parquet")
    headers = settings.get("run", "headers", "zh")  # letters.csv, rejects.csv; triage.xlsx is the office's, in Chinese
    write_table(masked, out / "letters.csv", headers=headers)
    write_table(result.rejects, out / "rejects.csv", headers=headers)
    with atomic_path(out / "triage.xlsx") as temporary:
        write_sheets(triage_sheets(masked, cases, issues, persons, settings), temporary)
    report = build_report(masked, cases, issues, persons, result.info["counts"],
                          date.fromisoformat(result.info["as_of"]), settings.get("backlog", "limit_days", 60))
    with atomic_path(out / "report.html") as temporary:
        temporary.write_text(report, encoding="utf-8")


LETTER_COLUMNS = {
    "letter_id": "信件编号", "received_at": "来信时间", "channel": "渠道", "name": "姓名", "phone": "联系电话",
    "title": "标题", "text": "内容", "issue_type": "问题类型", "issue_confidence": "分类置信度",
    "urgency": "紧急程度", "urgency_cues": "紧急线索", "urgency_evidence": "依据原文",
    "department": "责任部门", "priority": "优先分", "priority_reasons": "优先理由", "repeat_count": "第几次来信",
    "person_id": "信访人编号", "hot_issue_label": "所属热点问题", "days_open": "已等待天数", "status": "办理状态",
}


def _letters_sheet(frame: pd.DataFrame, extra: dict | None = None, drop_identity: bool = False) -> pd.DataFrame:
    columns = dict(LETTER_COLUMNS, **(extra or {}))
    if drop_identity:
        columns = {k: v for k, v in columns.items() if k not in ("name", "phone", "person_id")}
    present = [c for c in columns if c in frame.columns]
    return frame.sort_values(["priority", "received_at"], ascending=[False, True])[present].rename(columns=columns)


def _today_sheet(letters: pd.DataFrame) -> pd.DataFrame:
    """The same-day queue (`rank.today_queue`: 紧急 first, then the review band, the same list
    report.html shows), each row marked with which it is (列 今日队列)."""
    from pipeline.rank import today_queue

    queue = today_queue(letters)
    present = [c for c in LETTER_COLUMNS if c in queue.columns]
    return queue[["today_queue"] + present].rename(columns=dict(LETTER_COLUMNS, today_queue="今日队列"))


def triage_sheets(letters: pd.DataFrame, cases: pd.DataFrame, issues: pd.DataFrame, persons: pd.DataFrame,
                  settings: Settings) -> dict[str, pd.DataFrame]:
    """The workbook a petition office works from; department sheets never carry accusers' identity."""
    discipline = settings.get("routing", "discipline_department", "纪检监察")
    sheets: dict[str, pd.DataFrame] = {}
    sheets["今日紧急"] = _today_sheet(letters)
    load = letters.assign(to_do=~letters["is_closed"]).groupby("department").agg(
        待办=("to_do", "sum"), 全部=("letter_id", "size"), 紧急=("urgency", lambda s: int((s == "紧急").sum())),
        积案=("is_backlog", "sum")).sort_values("待办", ascending=False).reset_index().rename(columns={"department": "责任部门"})
    sheets["各部门待办"] = load
    leader = settings.get("lists", "leader_cases", 20)
    sheets["领导包案建议"] = cases.head(leader).rename(columns={
        "case_priority": "优先分", "matter": "事项", "letters": "信件数", "open_letters": "未办结",
        "first_letter": "首次来信", "last_letter": "最近来信", "urgency": "最高紧急程度", "department": "责任部门",
        "priority_reasons": "理由", "top_letter_id": "代表信件", "title": "标题", "person_id": "信访人编号",
        "case_id": "案件编号", "confidential": "保密"})
    # most letters first, then the most recently heard from (persons_table's own order)
    repeaters = persons[persons["letter_count"] > 1].sort_values(
        [c for c in ("letter_count", "last_seen") if c in persons], ascending=False, kind="stable") \
        if "letter_count" in persons else persons
    from pipeline.write import to_chinese_headers

    sheets["重复信访人"] = to_chinese_headers(repeaters)
    from pipeline.commands.hotspots import issue_table

    sheets["热点问题"] = issue_table(issues)
    sheets["积案"] = _letters_sheet(letters[letters["is_backlog"]])
    review = letters[letters["needs_review"].fillna(False).astype(bool)] if "needs_review" in letters else letters.iloc[0:0]
    sheets["需人工复核"] = _letters_sheet(review, {"issue_top3": "候选分类"})
    # a department's list: every letter routed to it that nobody has recorded as replied or closed
    for department, group in sorted(letters[~letters["is_closed"]].groupby("department"), key=lambda kv: (-len(kv[1]), kv[0])):
        confidential = department == discipline
        # a department list carries what the department needs; accusers never appear in any but 纪检监察's
        sheets[f"待办-{department}"[:31]] = _letters_sheet(group, drop_identity=not confidential)
    return sheets

