"""benchmarks/scale.py says why a run failed: the traceback, not Spark's last log line."""
from benchmarks.scale import error_excerpt

SPARK_FAILURE = """Using Spark's default log4j profile: org/apache/spark/log4j2-defaults.properties
26/12/01 10:02:10 WARN Utils: Your hostname, vm, resolves to a loopback address
[Stage 1:>                                                          (0 + 2) / 2]\r[Stage 3:>   (0 + 1) / 1]
Traceback (most recent call last):
  File "/x/pipeline/spark_link.py", line 160, in score_pairs
    frames = [linker.inference.predict_within(
pyspark.errors.exceptions.captured.AnalysisException: [UNRESOLVED_ROUTINE] Cannot resolve routine `DAMERAU_LEVENSHTEIN`
26/12/01 10:02:40 WARN SparkContext: Another SparkContext is being stopped
"""


def test_the_traceback_not_the_last_log_line():
    excerpt = error_excerpt(SPARK_FAILURE)
    assert excerpt.splitlines()[0] == "Traceback (most recent call last):"
    assert "UNRESOLVED_ROUTINE" in excerpt.splitlines()[-1]
    assert "WARN" not in excerpt and "[Stage" not in excerpt


def test_without_a_traceback_the_last_lines_and_a_gap_marker():
    stderr = "\n".join(f"error line {i}" for i in range(100))
    excerpt = error_excerpt(stderr, limit=20).splitlines()
    assert excerpt[0] == "error line 0" and excerpt[-1] == "error line 99"
    assert len(excerpt) == 21 and "(80 lines)" in excerpt[5]
