"""The benchmarks folder as a place scripts run from.

`python benchmarks/x.py` puts benchmarks/ first on sys.path, so a file there named like a standard
library module (it once held tokenize.py) replaces that module for every import of it: numpy's
`inspect` -> `linecache` -> `tokenize` then ran the benchmark instead, and `make benchmarks` stopped
at hotspots.py.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_no_benchmark_file_shadows_a_standard_library_module():
    names = {path.stem for path in BENCHMARKS.glob("*.py")} | {path.name for path in BENCHMARKS.iterdir() if path.is_dir()}
    assert len(names) > 10
    assert sorted(names & set(sys.stdlib_module_names)) == []


def test_the_hot_issue_benchmark_starts_as_a_script():
    """hotspots.py imports pandas before it fixes sys.path: the case the rename repaired."""
    done = subprocess.run([sys.executable, str(BENCHMARKS / "hotspots.py"), "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--sources" in done.stdout
