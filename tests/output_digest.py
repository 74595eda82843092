"""Fingerprints of a run's outputs: one hash per column of letters.parquet and per triage sheet.

Why: the speed work (one tokenization pass, jieba-rs, one worker pool, cheaper writing) must not
change a single output cell. `tests/test_no_drift.py` compares a run on the bundled corpus with
the fingerprints in `tests/golden/sample_run.json`, and names the columns or sheets that moved.
A change that alters a stage's quality on purpose regenerates the file and says so in its commit:

    python tests/output_digest.py OUT_DIR > tests/golden/sample_run.json

where OUT_DIR is `petition run corpora/sample/letters_xinfang.csv corpora/sample/hotline_12345.xlsx
--as-of 2026-11-25 --out OUT_DIR` (the fixture `sample_run` runs the same letters on the same date).
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pandas as pd


def _hash(values) -> str:
    digest = hashlib.sha256()
    for value in values:
        digest.update(value.encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:16]


def _strings(series: pd.Series) -> pd.Series:
    return series.astype(str).where(series.notna(), "<NA>")


def output_digest(out_dir: str | Path) -> dict:
    """{"letters": {column: hash}, "triage": {sheet: hash}, "rows": n} of a run's output folder.
    Letters are taken in letter_id order; source_file by file name (the checkout folder differs)."""
    out = Path(out_dir)
    letters = pd.read_parquet(out / "letters.parquet")
    letters = letters.set_index("letter_id").sort_index()
    columns = {}
    for column in letters.columns:
        values = _strings(letters[column])
        if column == "source_file":
            values = values.map(lambda p: Path(p).name)
        columns[column] = _hash(values)
    sheets = {name: _hash(frame.astype(str).to_csv(index=False).splitlines())
              for name, frame in pd.read_excel(out / "triage.xlsx", sheet_name=None).items()}
    return {"rows": len(letters), "letters": columns, "triage": sheets}


if __name__ == "__main__":
    print(json.dumps(output_digest(sys.argv[1]), ensure_ascii=False, indent=1))
