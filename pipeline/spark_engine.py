"""`petition run --engine spark`: the same job as `pipeline.run.PetitionRun`, on Apache Spark.

read → classify → grade → route → link → cluster → rank → write, with the letters as a Spark
DataFrame throughout:
- files (CSV, XLSX, ...) are read by `pipeline.read.read_letters` on the driver, as the local
  engine reads them (so ids and rejects are the same); a Parquet dataset is read by Spark;
- the row-wise stages (`pipeline.stages`) and rank run on the executors (`pipeline.spark_rows`);
- persons come from `pipeline.spark_link.link_persons` against the history dataset (`--store`,
  a Parquet dataset, the case store's counterpart), hot issues from
  `pipeline.spark_cluster.cluster_issues`;
- the outputs are the local engine's files, written from bounded tables (`pipeline.spark_outputs`);
- the batch is appended to the history dataset last, once everything else is written.
"""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from pipeline.config import Settings, load_settings
from pipeline.errors import PetitionError
from pipeline.paths import PROJECT_DIR
from pipeline.timing import StageTimer

LETTERS_PER_PARTITION = 5_000


class SparkRun(StageTimer):
    """One configured run on Spark. `SparkRun(settings, master="local[2]").run(inputs, out_dir)`."""

    def __init__(self, settings: Settings | None = None, store: str | Path | None = None,
                 model: str | Path | None = None, master: str = "local[2]", progress: bool = True,
                 spark=None):
        self.settings = settings or load_settings()
        self.store = store
        self.model = model
        self.master = master
        self.progress = progress
        self.spark = spark  # a session to reuse (tests); else one is started and stopped per run
        self.timings: dict[str, float] = {}
        self.versions_: dict = {}

    def run(self, inputs=None, out_dir: str | Path = "out", read_options: dict | None = None) -> dict:
        """The whole job; returns run.json's content."""
        if self.spark is not None:
            return self._job(self.spark, inputs, out_dir, read_options)
        from pipeline.spark_session import spark_conf, spark_session

        with spark_session(self.master, conf=spark_conf(self.settings)) as spark:
            return self._job(spark, inputs, out_dir, read_options)

    # ------------------------------------------------------------------ stages
    def read(self, spark, inputs, read_options: dict | None):
        """Letters as a Spark DataFrame, and the rejects (a pandas table, from the files read here)."""
        from pipeline.read import read_letters
        from pipeline.spark_session import to_spark

        inputs = [Path(p) for p in (inputs or [PROJECT_DIR / p for p in self.settings.get("run", "default_inputs", [])])]
        datasets = [p for p in inputs if _is_parquet_dataset(p)]
        files = [p for p in inputs if p not in datasets]
        parts, rejects, summary = [], pd.DataFrame(columns=["source_file", "source_row", "column", "reason"]), {}
        if files:  # all files in one call, as the local engine: a repeated id across files is renamed alike
            ingest = read_letters(files, progress=self.progress, **(read_options or {}))
            for line in ingest.problem_lines():
                self._log(line)
            rejects, summary = ingest.rejects, ingest.summary()
            if not ingest.letters.empty:
                parts.append(to_spark(spark, ingest.letters))
        for dataset in datasets:
            parts.append(spark.read.parquet(str(dataset)))
        if not parts:
            return None, rejects, summary
        from pyspark.sql import functions as F

        from pipeline.spark_session import INPUT_ORDER

        letters = parts[0]
        for part in parts[1:]:
            letters = letters.unionByName(part, allowMissingColumns=True)
        # numbered as read, before any shuffle: ties fall by this order as locally (dropped after cluster)
        letters = letters.withColumn(INPUT_ORDER, F.monotonically_increasing_id())
        if datasets:  # the counts the CLI and run.json show: a dataset's rows are all letters, none rejected
            summary = dict(summary, letters=letters.count(), rejects=len(rejects))
        return letters, rejects, summary

    def row_stages(self, letters):
        """Classify, grade and route on the executors (`spark_rows.apply_row_stages`)."""
        from pipeline.spark_rows import apply_row_stages
        from pipeline.stages import build_row_stages

        stages = build_row_stages(self.settings, model=self.model)
        self._row_stages = stages
        return apply_row_stages(letters, stages)

    def row_versions(self, spark) -> None:
        from pipeline.spark_rows import executor_versions

        versions = executor_versions(spark, [s for s in self._row_stages if s.name in ("classify", "grade")])
        self.versions_.update(classifier=versions.get("classify"), urgency_lexicon=versions.get("grade"))

    def link_and_cluster(self, spark, letters, history, state_path: Path):
        """Persons against the history (`spark_link.link_persons`: Splink's Spark backend, MinHash
        band-key join, components in Spark) and hot issues (`spark_cluster.cluster_issues`)."""
        from pipeline.spark_cluster import cluster_issues
        from pipeline.spark_link import link_persons, make_linker
        from pipeline.spark_session import INPUT_ORDER
        from pipeline.stages import LinkStage

        link_columns = list(LinkStage.from_settings(self.settings).output_schema())

        linker = make_linker(self.settings)
        before = letters.columns
        letters = self._stage("link", link_persons, spark, letters, history, self.settings, linker=linker)
        # the local link stage's columns in its order; the MinHash signature `sig` last (the
        # history keeps it for later batches' near-duplicates; the exports drop it)
        added = [c for c in link_columns if c not in before]
        letters = letters.select(*[c for c in before if c != "sig"], *added, "sig")
        self.versions_["linker"] = linker.model_version()
        letters, issues = self._stage("cluster", cluster_issues, spark, letters, self.settings, state_path=state_path)
        return letters.drop(INPUT_ORDER), issues

    def rank(self, letters):
        from pyspark.sql import functions as F

        from pipeline.spark_rows import apply_rank
        from pipeline.stages import RankStage

        # the local engine's ranker, `[cases]` included (the case weights were left at their defaults here)
        ranker = RankStage.from_settings(self.settings).ranker()
        # a file that records replies or status anywhere: found over the whole batch, small (one row per file)
        replied = F.col("replied_at").isNotNull() if "replied_at" in letters.columns else F.lit(False)
        status = (F.coalesce(F.col("status"), F.lit("")) != "") if "status" in letters.columns else F.lit(False)
        source = F.coalesce(F.col("source_file"), F.lit("")) if "source_file" in letters.columns else F.lit("")
        tracked = letters.groupBy(source.alias("f")).agg(F.max((replied | status).cast("int")).alias("t")) \
            .where("t = 1").collect()
        return apply_rank(letters, ranker, {r["f"] for r in tracked}), ranker

    # ------------------------------------------------------------------ the job
    def _job(self, spark, inputs, out_dir, read_options) -> dict:
        from pyspark import StorageLevel

        from pipeline.spark_outputs import append_history, read_history, write_outputs
        from pipeline.spark_session import MEMORY_KEYS

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        letters, rejects, summary = self._stage("read", self.read, spark, inputs, read_options)
        if letters is None or not summary.get("letters"):
            from pipeline.write import write_table

            write_table(rejects, out / "rejects.csv", headers=self.settings.get("run", "headers", "zh"))
            raise PetitionError(f"no usable letters in the input; see the messages above and {out / 'rejects.csv'}")
        # one shuffle partition per core at least (local[2]: two; more tasks than cores only add overhead),
        # one per LETTERS_PER_PARTITION letters beyond that
        spark.conf.set("spark.sql.shuffle.partitions",
                       str(_partitions(summary["letters"], minimum=max(2, spark.sparkContext.defaultParallelism))))
        letters = self._stage("classify+grade+route", lambda: _persist(self.row_stages(letters)))
        self.row_versions(spark)
        store = Path(self.store) if self.store else out / "cases.parquet"
        history = read_history(spark, store)
        state_path = store.with_name(store.stem + ".issues.pkl")
        linked, issues = self.link_and_cluster(spark, letters, history, state_path)
        ranked, ranker = self._stage("rank", lambda: self.rank(linked))
        ranked = ranked.persist(StorageLevel.MEMORY_AND_DISK)
        letters.unpersist()
        info = {
            "engine": "spark",
            "spark_master": self.master if self.spark is None else spark.sparkContext.master,
            "spark_memory": {k: spark.sparkContext.getConf().get(p, "") for k, p in MEMORY_KEYS.items()},
            "as_of": self.settings.as_of().isoformat(),
            "inputs": [str(p) for p in (inputs or self.settings.get("run", "default_inputs", []))],
            "versions": self.versions(),
            "config": self.settings.source,
        }
        counts = self._stage("write", write_outputs, spark, ranked, issues, rejects, summary, history, ranker,
                             self.settings, out, info)
        info["counts"] = counts
        self._stage("store", append_history, spark, ranked, history, store)
        ranked.unpersist()
        info["timings"] = dict(self.timings, total=round(time.perf_counter() - started, 2))
        info["stage_cpu"] = dict(getattr(self, "cpu", {}))  # this process's CPU s per stage (not workers')
        info["stage_peak_mb"] = dict(getattr(self, "peaks", {}))  # this process's peak RSS per stage
        from pipeline.write import write_json

        write_json(info, out / "run.json")
        return info

    def versions(self) -> dict:
        import platform
        from importlib.metadata import version

        import pyspark

        return {"petition-pipeline": version("petition-pipeline"), "python": platform.python_version(),
                "pyspark": pyspark.__version__, "classifier": self.versions_.get("classifier"),
                "urgency_lexicon": self.versions_.get("urgency_lexicon"), "linker": self.versions_.get("linker")}


def _persist(sdf):
    from pyspark import StorageLevel

    sdf = sdf.persist(StorageLevel.MEMORY_AND_DISK)
    sdf.count()  # computed once here; every later step reads the cached partitions
    return sdf


def _partitions(count: int, minimum: int = 2) -> int:
    return max(minimum, -(-int(count) // LETTERS_PER_PARTITION))


def _is_parquet_dataset(path: Path) -> bool:
    if path.is_dir():
        return any(path.rglob("*.parquet")) and not any(
            p.suffix.lower() in (".csv", ".tsv", ".xlsx", ".jsonl") for p in path.iterdir())
    return path.suffix.lower() == ".parquet"
