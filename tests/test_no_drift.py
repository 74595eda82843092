"""No drift: the bundled corpus gives the same outputs, cell for cell, as the fingerprints in
tests/golden/sample_run.json (made from `main` before the speed work; see tests/output_digest.py).
A change that alters a stage's quality on purpose regenerates them and names the columns."""
from __future__ import annotations

import json
from pathlib import Path

from tests.output_digest import output_digest

GOLDEN = Path(__file__).parent / "golden" / "sample_run.json"


def test_the_bundled_corpus_gives_the_outputs_it_gave_before(sample_run):
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = output_digest(sample_run.out_dir)
    assert got["rows"] == expected["rows"]
    assert list(got["letters"]) == list(expected["letters"])  # same columns, same order
    moved = [c for c in expected["letters"] if got["letters"][c] != expected["letters"][c]]
    assert moved == []
    assert list(got["triage"]) == list(expected["triage"])
    assert [s for s in expected["triage"] if got["triage"][s] != expected["triage"][s]] == []
