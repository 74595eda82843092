"""Row-wise stages on Spark: classify, grade, route, rank and mask through `mapInPandas`.

Each stage of `pipeline.stages` declares the columns it adds (`output_schema`), so the Spark
schema of its output is known before any data flows. The function Spark ships to the executors
carries only the stage's parameters; the executor's Python worker builds the stage (loads the
model, the lexicon, the routing table) once and keeps it in `_EXECUTOR_STAGES`, keyed by those
parameters, for every partition it is given afterwards — not once per partition.

jieba's user dictionary is loaded on the executor explicitly (`prepare_executor`): jieba itself
skips a dictionary file it cannot find without a word, so an executor missing the package data
would segment 息诉罢访 into pieces and classify differently from the driver. Here a missing
dictionary is an error, and a word from it is checked to come out whole.
"""
from __future__ import annotations

import pandas as pd

from pipeline.spark_session import with_columns

# executor-side caches: one per Python worker process, filled on first use
_EXECUTOR_STAGES: dict = {}
_JIEBA_READY: dict = {}


def prepare_executor() -> str:
    """Load the petition user dictionary into this worker's jieba; return a word it knows.

    Raises when the dictionary file is missing or a word from it does not come out whole.
    """
    if "word" in _JIEBA_READY:
        return _JIEBA_READY["word"]
    from pathlib import Path

    from pipeline.tokenize import USER_DICT, Tokenizer

    if not Path(USER_DICT).exists():
        raise FileNotFoundError(f"jieba user dictionary missing on this executor: {USER_DICT} "
                                "(install the petition-pipeline wheel, which carries corpora/)")
    tokenizer = Tokenizer()
    tokenizer.jieba  # loads the user dictionary into the shared jieba instance now
    word = _longest_dictionary_word(USER_DICT)
    if word not in tokenizer.segment(word):
        raise RuntimeError(f"jieba on this executor did not load {USER_DICT}: {word!r} came out split")
    _JIEBA_READY["word"] = word
    return word


def _longest_dictionary_word(path) -> str:
    words = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if parts and not line.startswith("#"):
                words.append(parts[0])
    return max(words[:200], key=len)


def plain(frame: pd.DataFrame, schema) -> pd.DataFrame:
    """`frame` with the schema's columns, its text columns as plain Python strings or None.

    Arrow-backed pandas columns (pandas 3 strings) can reach Spark's Arrow writer chunked, which
    it does not take; and masking turns an all-null text column into float NaN.
    """
    from pyspark.sql import types as T

    frame = frame[schema.fieldNames()]
    for index, field in enumerate(schema.fields):
        if isinstance(field.dataType, T.StringType):
            values = frame.iloc[:, index].tolist()
            frame.isetitem(index, pd.Series([None if v is None or v != v or v is pd.NA else v for v in values],
                                            index=frame.index, dtype=object))
    return frame


def _cached(key, build):
    if key not in _EXECUTOR_STAGES:
        _EXECUTOR_STAGES[key] = build()
    return _EXECUTOR_STAGES[key]


def _single_process(stage):
    """The stage with its model loaded and its own worker pool off: Spark's tasks are the
    parallelism, a pool forked inside each Python worker would only oversubscribe the cores."""
    if hasattr(stage, "_models"):
        classifier = stage._models()[0]
        if hasattr(classifier, "n_jobs"):
            classifier.n_jobs = 1
    return stage


def stage_key(stage) -> tuple:
    """What identifies a built stage: its class and its parameters (not its loaded model)."""
    state = stage.__getstate__() if hasattr(stage, "__getstate__") else vars(stage)
    return (type(stage).__name__, tuple(sorted((k, str(v)) for k, v in (state or {}).items())))


def apply_stage(letters_sdf, stage):
    """`stage.transform` on every partition; the output schema is the input's plus the stage's."""
    schema = with_columns(letters_sdf.schema, stage.output_schema())
    key = stage_key(stage)

    def run(batches):
        prepare_executor()
        local = _cached(key, lambda: _single_process(stage))  # built once per Python worker
        for frame in batches:
            yield plain(local.transform(frame), schema)

    return letters_sdf.mapInPandas(run, schema)


def executor_versions(spark, stages) -> dict:
    """Each stage's `version()`, asked of an executor's Python worker, which has the stage built
    already (workers are reused): the driver never loads the model for it."""
    keyed = [(stage.name, stage_key(stage), stage) for stage in stages]

    def versions(_):
        return [(name, _cached(key, lambda s=stage: _single_process(s)).version()) for name, key, stage in keyed]

    return dict(spark.sparkContext.parallelize([0], 1).map(versions).first())


def apply_row_stages(letters_sdf, stages):
    for stage in stages:
        letters_sdf = apply_stage(letters_sdf, stage)
    return letters_sdf


# what PriorityRanker.transform adds (pipeline.rank), as a stage schema
RANK_SCHEMA = {"is_closed": "bool", "is_open": "bool", "days_open": "float64", "response_days": "float64",
               "is_backlog": "bool", "priority": "float64", "priority_reasons": "str"}


def apply_rank(letters_sdf, ranker, tracked_files: set):
    """Priority per letter, row-wise once repeat counts and issue flags are on the rows.

    `tracked_files` are the source files that record replies or status anywhere in the batch
    (computed over the whole batch by the engine), so a partition holding only a file's
    unreplied letters still counts them open, as the local engine does.
    """
    schema = with_columns(letters_sdf.schema, RANK_SCHEMA)
    tracked = sorted(tracked_files)

    def run(batches):
        for frame in batches:
            out = ranker.transform(frame, tracked_files=tracked)
            for column, dtype in RANK_SCHEMA.items():
                out[column] = out[column].astype(dtype)
            yield plain(out, schema)

    return letters_sdf.mapInPandas(run, schema)


def apply_mask(letters_sdf, names: list[str]):
    """Every text column masked (`stages.mask_partition`), given the names of the whole batch."""
    from pipeline.stages import mask_partition

    from pyspark.sql import types as T

    # mask drops the identity helper columns (name_pinyin, letter_key, ...): its output columns,
    # found on one row, keep their input types
    kept = set(mask_partition(letters_sdf.limit(1).toPandas(), names).columns)
    schema = T.StructType([f for f in letters_sdf.schema.fields if f.name in kept])

    def run(batches):
        for frame in batches:
            yield plain(mask_partition(frame, names), schema)

    return letters_sdf.mapInPandas(run, schema)


def executor_segments(spark, texts: list[str]) -> list[list[str]]:
    """How an executor's tokenizer segments `texts` (after `prepare_executor`): for checking that
    the user dictionary is really in use there."""
    from pyspark.sql import types as T

    sdf = spark.createDataFrame(pd.DataFrame({"text": texts}))

    def run(batches):
        prepare_executor()
        from pipeline.tokenize import Tokenizer

        tokenizer = Tokenizer()
        for frame in batches:
            yield pd.DataFrame({"text": frame["text"], "tokens": [" ".join(tokenizer.segment(t)) for t in frame["text"]]})

    rows = sdf.mapInPandas(run, T.StructType([T.StructField("text", T.StringType()),
                                              T.StructField("tokens", T.StringType())])).collect()
    by_text = {r["text"]: r["tokens"].split(" ") for r in rows}
    return [by_text[t] for t in texts]
