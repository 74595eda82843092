"""Whole groups gathered into a few buckets, so a local function runs once per bucket, not per group.

Why: `groupBy(key).applyInPandas(f)` calls `f` once per group, and each call pays Spark's Arrow
round trip to a Python worker plus the function's own pandas set-up (a groupby, a sort, a frame
built): some tens of milliseconds however small the group. Names, surnames, components and cases
make thousands of groups of a letter or two (1,561 name pinyins on 5,000 replicated letters:
`merge.rare_name_pairs` called per pinyin took 39 s of CPU, called once on them all 0.07 s).
The local functions these steps call already take many groups at once (the local engine calls
each once per batch) and treat each group apart, so a bucket of whole groups gives the rows the
groups would give one by one. A bucket is a hash of the group key, one per shuffle partition
(about `spark_engine.LETTERS_PER_PARTITION` letters each), so a bucket stays as bounded as a
partition and a group is never split.
"""
from __future__ import annotations

BUCKET = "_bucket"


def with_bucket(frame, *keys: str):
    """`frame` with a `_bucket` column: the same bucket for the same key values, one of as many
    buckets as the session's shuffle partitions."""
    from pyspark.sql import functions as F

    buckets = max(1, int(frame.sparkSession.conf.get("spark.sql.shuffle.partitions")))
    return frame.withColumn(BUCKET, F.pmod(F.xxhash64(*keys), F.lit(buckets)))
