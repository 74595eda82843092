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


def test_rows_saved_by_earlier_runs_feed_the_sizing_curve(tmp_path, capsys):
    """Two sizes measured in two invocations (`--results`) give a fitted exponent, not the assumed 1."""
    from benchmarks.scale import load_results, save_result, sizing

    path = str(tmp_path / "rows.jsonl")
    assert load_results(path) == []
    for n, cpu in ((10_000, 100.0), (20_000, 250.0)):
        save_result(path, {"engine": "spark", "letters": n, "cpu": cpu, "tree_mb": 5000.0, "wall": cpu})
    rows = load_results(path)
    assert [r["letters"] for r in rows] == [10_000, 20_000]
    sizing({"spark": rows}, 24.0, 4, 16.0, 50_000)
    line = next(x for x in capsys.readouterr().out.splitlines() if x.strip().startswith("spark"))
    assert "10,000,20,000" in line and " 1.32 " in line  # log(2.5) / log(2)
