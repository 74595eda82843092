"""Starting and stopping Spark for the Spark engine, and moving pandas tables in and out of it.

Why a module of its own: every Spark-side module needs the same session settings (executors run
this interpreter, no web UI, few shuffle partitions for small inputs, UTC so timestamps round-trip
unchanged) and the same pandas-dtype → Spark-type translation of the stage schemas. A user
without PySpark or Java gets one plain sentence, not a JVM traceback.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from pipeline.errors import PetitionError

INSTALL_HINT = "install the spark extra: pip install '.[spark]'"
# The letters' order as read: `SparkRun.read` numbers them before any shuffle, and the engine
# drops the column after clustering. The local engine breaks ties by that order (which letter
# stands for a distinct text, which of several equally typical texts represents an issue, which
# anchors an anonymous letter is compared with first); after linking's joins Spark's row order
# is another, so without it those ties fell differently (3 representative letters of 热点问题 on
# the bundled corpus).
INPUT_ORDER = "_input_order"
# `[spark]` keys of the config and the Spark properties they set (`spark_conf`)
MEMORY_KEYS = {"driver_memory": "spark.driver.memory", "executor_memory": "spark.executor.memory"}
# a JVM memory size as Spark reads it: a whole number and a unit (512m, 6g); bytes without one
_MEMORY_SIZE = re.compile(r"[1-9][0-9]*[kmgt]?", re.IGNORECASE)
# the package's parent folder: local executors import `pipeline` from here, as the driver does
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


def require_pyspark():
    try:
        import pyspark  # noqa: F401
    except ImportError as error:
        raise PetitionError(f"the Spark engine needs PySpark, which is not installed ({error}); {INSTALL_HINT}") from None
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise PetitionError("the Spark engine needs Java (17 or later) and none was found: "
                            "install a JDK or set JAVA_HOME")


def spark_conf(settings) -> dict[str, str]:
    """The Spark properties the config's `[spark]` section sets ({} for keys left empty: Spark's
    own defaults). Why the memory lives in the config: in local[N] mode the driver JVM is the
    executor too, and Spark's default 1 GB heap is too small for clustering 10^4 letters; the heap
    is fixed when the JVM starts, so it must be known before the session is built. A size Spark
    would reject only once the JVM fails to start (or misread: "6 GB") is an error here, naming the key."""
    from pipeline.errors import PetitionError

    conf = {}
    for key, prop in MEMORY_KEYS.items():
        value = str(settings.get("spark", key, "") or "").strip()
        if not value:
            continue
        if not _MEMORY_SIZE.fullmatch(value):
            raise PetitionError(f"config {settings.source}: [spark] {key} = {value!r} is not a JVM memory size "
                                "(a whole number and a unit: 512m, 6g)")
        conf[prop] = value.lower()
    return conf


def start_spark(master: str = "local[2]", shuffle_partitions: int = 4, app: str = "petition",
                conf: dict[str, str] | None = None):
    """A SparkSession whose Python workers run this interpreter with this package importable.
    `conf`: further Spark properties (`spark_conf`); the driver's memory takes effect only when
    this starts the JVM, which a process does once (PYSPARK_SUBMIT_ARGS' --driver-memory, when
    set, wins over it)."""
    require_pyspark()
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if _PACKAGE_ROOT not in paths:  # local workers inherit this; a cluster needs the installed wheel
        os.environ["PYTHONPATH"] = os.pathsep.join([_PACKAGE_ROOT, *paths])
    builder = (SparkSession.builder.master(master).appName(app)
               .config("spark.ui.enabled", "false")
               .config("spark.pyspark.python", sys.executable)
               .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.sql.execution.arrow.pyspark.fallback.enabled", "false")
               .config("spark.executorEnv.PYTHONPATH", os.environ["PYTHONPATH"]))
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    jar = _splink_jar()
    if jar:  # Splink's string functions (damerau_levenshtein): SQL fails without them
        builder = builder.config("spark.jars", jar)
    try:
        spark = builder.getOrCreate()
    except Exception as error:  # the JVM did not start: Java missing or broken, master unreachable
        raise PetitionError(f"Spark could not start on master {master!r}: {str(error).splitlines()[0]} "
                            "(is Java 17 installed and JAVA_HOME set?)") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _splink_jar() -> str | None:
    """The jar of Splink's Spark SQL functions, which the linking model's comparisons call.
    A session started without it has no `damerau_levenshtein`, and the JVM reads `spark.jars`
    only when it starts, so every session of the engine is started with it."""
    try:
        from splink.backends.spark import similarity_jar_location
    except ImportError:
        return None
    return similarity_jar_location()


@contextmanager
def spark_session(master: str = "local[2]", shuffle_partitions: int = 4, conf: dict[str, str] | None = None):
    spark = start_spark(master, shuffle_partitions, conf=conf)
    try:
        yield spark
    finally:
        spark.stop()


def spark_type(dtype: str):
    """The Spark type of a stage schema's pandas dtype name ("str", "float64", "bool", ...)."""
    from pyspark.sql import types as T

    name = str(dtype)
    if name in ("str", "string", "object"):
        return T.StringType()
    if name.startswith("float"):
        return T.DoubleType()
    if name in ("bool", "boolean"):
        return T.BooleanType()
    if name.lower().startswith("int"):
        return T.LongType()
    if name.startswith("datetime64"):
        return T.TimestampType()
    raise ValueError(f"no Spark type for dtype {dtype!r}")


def with_columns(schema, columns: dict[str, str]):
    """`schema` with `columns` (name -> pandas dtype) added or retyped, existing order kept."""
    from pyspark.sql import types as T

    fields = {f.name: f for f in schema.fields}
    for name, dtype in columns.items():
        fields[name] = T.StructField(name, spark_type(dtype), True)
    return T.StructType(list(fields.values()))


def to_spark(spark, frame: pd.DataFrame):
    """A pandas table as a Spark DataFrame with a declared schema: text columns (however pandas
    stores them, all-null ones too) become strings, so no partition ever guesses a type.

    Rows keep their order (Spark slices the table into default-parallelism partitions in order):
    a stage that breaks ties by order then sees the letters as the local engine does."""
    schema = {}
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        kind = values.dtype.kind
        if pd.api.types.is_bool_dtype(values):
            dtype = "bool"
        elif pd.api.types.is_datetime64_any_dtype(values):
            dtype = "datetime64[ns]"
            if getattr(values.dt, "tz", None) is not None:
                frame[column] = values.dt.tz_convert("UTC").dt.tz_localize(None)
        elif kind in "iu" or str(values.dtype) in ("Int64", "Int32"):
            dtype = "Int64"
        elif kind == "f":
            dtype = "float64"
        else:
            dtype = "str"
            frame[column] = values.astype(object).where(values.notna(), None).map(
                lambda v: v if v is None or isinstance(v, str) else str(v))
        schema[column] = dtype
    from pyspark.sql import types as T

    struct = T.StructType([T.StructField(c, spark_type(d), True) for c, d in schema.items()])
    return spark.createDataFrame(frame, schema=struct)
