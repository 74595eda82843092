"""What every Spark test module shares: the skip gate and the one SparkSession of a test session.

A JVM takes tens of seconds to start on a loaded 2-core machine, and a second session in the same
process would silently reuse the first JVM's settings (`spark.jars` is read once, at start), so
the whole pytest session shares one local[2] session (the `spark` fixture in conftest.py), with
Splink's jar and few shuffle partitions, stopped at the end.

`require_spark()` skips a module, with the reason, when PySpark or Java is absent;
`require_spark(slow=True)` also keeps a module to `make test-spark` (PETITION_SPARK_TESTS=1).
"""
from __future__ import annotations

import os
import shutil

import pytest

SLOW_REASON = ("Spark tests take minutes on 2 cores; set PETITION_SPARK_TESTS=1 to run them "
               "(make test-spark)")


def missing() -> str | None:
    """Why Spark cannot run here (None when it can)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (pip install '.[spark]')"
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return "Java is not installed (the Spark engine needs Java 17)"
    return None


def require_spark(slow: bool = False) -> None:
    """Skip the calling test module when Spark cannot run (or, for `slow` modules, unless
    PETITION_SPARK_TESTS is set)."""
    reason = missing()
    if reason is None and slow and not os.environ.get("PETITION_SPARK_TESTS"):
        reason = SLOW_REASON
    if reason is not None:
        pytest.skip(reason, allow_module_level=True)


def start_session():
    """The test session's SparkSession: local[2], two shuffle partitions, no progress bars."""
    from pipeline.spark_session import start_spark

    session = start_spark("local[2]", shuffle_partitions=2, app="petition-tests")
    session.conf.set("spark.sql.adaptive.coalescePartitions.enabled", "true")
    return session
