"""The stage contract: every stage has a name, is built from the one `Settings`, and has a
`transform(letters) -> letters` whose added columns are a declared, fixed schema.

Why a contract: the same stages run in one process (`PetitionRun`) or on a distributed engine
(`pipeline.spark_engine`). An engine only needs to know, for each stage, how to build it from the
settings, which columns it adds (to declare a schema before any data flows), and whether it is
row-wise (any partition of letters can go through it alone) or whole-batch (it needs every letter
at once, so it exposes its steps for an engine to distribute).

Row-wise stages: classify (with its taxonomy suggestions), grade, route. Masking is a function of
a frame and a global list of names (`mask_partition`), so it is row-wise too once the names are
known. Whole-batch stages: link, cluster, rank.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pandas as pd

from pipeline.config import Settings

# pandas dtype names of the columns each stage adds; engines translate them to their own types
STRING, FLOAT, BOOL = "str", "float64", "bool"


class Stage:
    """Base of every stage: `name`, `kind` ("row" or "batch"), `output_schema`, `from_settings`,
    `transform`. Subclasses keep their parameters as attributes and build their model lazily,
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
    name: ClassVar[str] = "classify"

    @classmethod
    def from_settings(cls, settings: Settings, model: str | Path | None = None, **_) -> "ClassifyStage":
        taxonomy = settings.path("classify", "taxonomy") if settings.get("classify", "taxonomy") else None
        return cls(Path(model) if model else settings.path("classify", "model"), taxonomy)

    def output_schema(self) -> dict[str, str]:
        from pipeline.classify import OUTPUT_COLUMNS
        from pipeline.taxonomy import SUGGESTION_COLUMNS

        schema = dict(zip(OUTPUT_COLUMNS, (STRING, FLOAT, STRING, BOOL)))
        if self.taxonomy is not None:
            schema.update({c: FLOAT if c.endswith("score") else STRING for c in SUGGESTION_COLUMNS})
        return schema

    def _models(self):
        if not hasattr(self, "_classifier"):
            from pipeline.classify import IssueClassifier

            self._classifier = IssueClassifier.load(self.model)
            self._taxonomy = None
            if self.taxonomy is not None:
                from pipeline.taxonomy import Taxonomy

                self._taxonomy = Taxonomy.load(self.taxonomy)
        return self._classifier, self._taxonomy

    def transform(self, letters: pd.DataFrame) -> pd.DataFrame:
        classifier, taxonomy = self._models()
        out = classifier.classify(letters)
        if taxonomy is not None:
            out = taxonomy.add_suggestions(out)
        return self.conform(out)

    def version(self) -> str | None:
        return getattr(self._models()[0], "version_", str(self.model))

    def __getstate__(self):  # ship parameters, not the loaded model: each worker loads its own once
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


@dataclass
class GradeStage(Stage):
    """Urgency (紧急/较急/一般), its score, cues, the evidence quoted from the letter, the review band."""

    lexicon: Path
    name: ClassVar[str] = "grade"

    @classmethod
    def from_settings(cls, settings: Settings, **_) -> "GradeStage":
        return cls(settings.path("urgency", "lexicon"))

    def output_schema(self) -> dict[str, str]:
        from pipeline.urgency import OUTPUT_COLUMNS

        return {c: {"urgency_score": FLOAT, "urgency_review": BOOL}.get(c, STRING) for c in OUTPUT_COLUMNS}

    def _grader(self):
        if not hasattr(self, "_fitted"):
            from pipeline.urgency import UrgencyGrader

            self._fitted = UrgencyGrader(lexicon=self.lexicon).fit()
        return self._fitted

    def transform(self, letters: pd.DataFrame) -> pd.DataFrame:
        return self.conform(self._grader().transform(letters))

    def version(self) -> str | None:
        return getattr(self._grader(), "version_", None)

    __getstate__ = ClassifyStage.__getstate__


@dataclass
class RouteStage(Stage):
    """Responsible department, why, whether the writer's identity is confidential, and 属地."""

    table: Path
    fallback_department: str = "信访局综合科"
    discipline_department: str = "纪检监察"
    model: Path | None = None
    name: ClassVar[str] = "route"

    @classmethod
    def from_settings(cls, settings: Settings, **_) -> "RouteStage":
        routing = settings.section("routing")
        return cls(settings.path("routing", "table"), routing.get("fallback_department", "信访局综合科"),
                   routing.get("discipline_department", "纪检监察"),
                   settings.path("routing", "model") if routing.get("model") else None)

    def output_schema(self) -> dict[str, str]:
        return {"department": STRING, "routing_reason": STRING, "confidential": BOOL, "place": STRING}

    def _router(self):
        if not hasattr(self, "_fitted"):
            from pipeline.route import Router

            self._fitted = Router(self.table, self.fallback_department, self.discipline_department,
                                  model=self.model).fit()
        return self._fitted

    def transform(self, letters: pd.DataFrame) -> pd.DataFrame:
        return self.conform(self._router().transform(letters))

    __getstate__ = ClassifyStage.__getstate__


ROW_STAGES: dict[str, type[Stage]] = {s.name: s for s in (ClassifyStage, GradeStage, RouteStage)}


def build_row_stages(settings: Settings, **overrides) -> list[Stage]:
    """The row-wise stages of a run, in order, built from the one settings object."""
    return [stage.from_settings(settings, **overrides) for stage in ROW_STAGES.values()]


def mask_partition(letters: pd.DataFrame, names) -> pd.DataFrame:
    """Mask one partition for export, given the global list of full names (from every partition),
    so a name written in one letter is masked in every other letter that mentions it."""
    from pipeline.mask import mask_frame
    from pipeline.write import text_columns

    return mask_frame(letters, text_columns=text_columns(letters), names=names)
