"""`petition ...` with every Spark action it calls timed and named by the pipeline line that called it.

    python -m benchmarks.action_log LOG.tsv run ARGUMENTS...   (what `stage_cpu.py --actions` runs)

Why: Spark's own job records name most of the engine's jobs `$anonfun$withThreadLocalCaptured` or
`localCheckpoint at <unknown>` (AQE runs them on its own threads), and the Spark UI is off, so a
costly job cannot be traced back to a step of `spark_link` or `spark_cluster` from the event log.
Here the DataFrame actions (count, collect, first, toPandas, localCheckpoint, toLocalIterator,
and the writers' parquet/csv/save) are wrapped on the driver: each outermost call writes one line
(epoch start, epoch end, `file:line` of the innermost `pipeline/` frame, action) to LOG.tsv, and
`stage_cpu.py` prices each line with the process tree's CPU over its window. The pipeline's code
is not changed: the wrapping happens in this process before the CLI starts.
"""
from __future__ import annotations

import functools
import sys
import time
import traceback

_DEPTH = [0]


def _caller() -> str:
    for frame in reversed(traceback.extract_stack()[:-2]):
        if "/pipeline/" in frame.filename:
            return f"{frame.filename.rsplit('/pipeline/', 1)[1]}:{frame.lineno}"
    return "?"


def _wrap(cls, name: str, log) -> None:
    original = getattr(cls, name, None)
    if original is None:
        return

    @functools.wraps(original)
    def timed(*args, **kwargs):
        if _DEPTH[0]:
            return original(*args, **kwargs)
        site, start = _caller(), time.time()
        _DEPTH[0] += 1
        try:
            return original(*args, **kwargs)
        finally:
            _DEPTH[0] -= 1
            log.write(f"{start:.3f}\t{time.time():.3f}\t{site}\t{name}\n")
            log.flush()

    setattr(cls, name, timed)


def install(path: str) -> None:
    """Wrap the DataFrame actions of this process; each writes its line to `path`."""
    from pyspark.sql import DataFrameWriter

    try:
        from pyspark.sql.classic.dataframe import DataFrame
    except ImportError:  # PySpark 3
        from pyspark.sql import DataFrame
    log = open(path, "a", encoding="utf-8")
    for name in ("count", "collect", "first", "toPandas", "localCheckpoint", "toLocalIterator", "checkpoint"):
        _wrap(DataFrame, name, log)
    for name in ("parquet", "csv", "save"):
        _wrap(DataFrameWriter, name, log)


def main() -> None:
    install(sys.argv[1])
    from pipeline.cli import main as cli

    sys.argv = ["petition", *sys.argv[2:]]
    raise SystemExit(cli())


if __name__ == "__main__":
    main()
