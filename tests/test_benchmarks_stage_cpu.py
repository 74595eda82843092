"""benchmarks/stage_cpu.py prices each stage with the CPU of the whole process tree, a child's too."""
import sys
import textwrap

from benchmarks.stage_cpu import _price_actions, stage_cpu

# a stage that burns CPU in a child process which exits before the stage ends (as Spark's Python
# workers do), then an idle stage
SCRIPT = textwrap.dedent("""
    import subprocess, sys, time
    print("[busy] ...", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-c", "import time\\nt = time.process_time()\\nwhile time.process_time() - t < 1.0: pass"])
    print("[busy] done in 1.0s", file=sys.stderr, flush=True)
    print("[idle] ...", file=sys.stderr, flush=True)
    time.sleep(1.0)
    print("[idle] done in 1.0s", file=sys.stderr, flush=True)
""")


def test_a_stage_is_charged_its_childs_cpu_and_an_idle_stage_none():
    row = stage_cpu([sys.executable, "-c", SCRIPT], interval=0.05)
    assert row["returncode"] == 0
    assert row["stages"]["busy"]["cpu"] >= 0.8
    assert row["stages"]["idle"]["cpu"] <= 0.3
    assert row["cpu"] >= row["stages"]["busy"]["cpu"]


def test_actions_are_priced_by_the_tree_cpu_over_their_window(tmp_path):
    log = tmp_path / "actions.tsv"
    log.write_text("10.0\t12.0\tspark_link.py:1\tcount\n20.0\t21.0\tspark_link.py:1\tcount\n"
                   "12.0\t20.0\tspark_cluster.py:2\tcollect\n", encoding="utf-8")
    epochs, totals = [9.0, 10.0, 12.0, 20.0, 21.0], [0.0, 1.0, 3.0, 4.0, 9.0]
    priced = _price_actions(str(log), epochs, totals)
    assert priced == [{"site": "spark_link.py:1 count", "calls": 2, "wall": 3.0, "cpu": 7.0},
                      {"site": "spark_cluster.py:2 collect", "calls": 1, "wall": 8.0, "cpu": 1.0}]
