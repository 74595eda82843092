"""Every research notebook runs top to bottom, shows its charts, and shows no one's identity.

The notebooks are jupytext "percent" scripts (notebooks/NN_*.py, stored without outputs). Each
is converted in memory and executed in a fresh kernel of this venv, once on the real letters
(skipped when ../shared/data is absent) and once on the bundled sample corpus (what a user's
clone has), chosen through PETITION_DATA_SOURCE. A notebook has 180 s in all; any error fails.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

from pipeline.paths import PROJECT_DIR
from tests.conftest import requires_shared_data

NOTEBOOK_DIR = PROJECT_DIR / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))
BUDGET_SECONDS = 180
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID18 = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
# repeat petitioners of the sample corpus: their full names must never be shown
SAMPLE_NAMES = ("陈建国", "刘桂兰", "赵满仓", "曾庆丰", "王秀英")


def execute(path: Path) -> list[dict]:
    """Run the notebook within the budget; return its outputs."""
    notebook = jupytext.read(path)
    deadline = time.monotonic() + BUDGET_SECONDS
    client = NotebookClient(
        notebook, kernel_name="python3", allow_errors=False,
        timeout_func=lambda cell: max(1, int(deadline - time.monotonic())),
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]


def shown_text(outputs: list[dict]) -> str:
    parts = []
    for output in outputs:
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        for kind in ("text/plain", "text/html"):
            parts.append(str(output.get("data", {}).get(kind, "")))
    return "\n".join(parts)


def test_there_are_five_notebooks_in_percent_format():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]
    for path in NOTEBOOKS:
        source = path.read_text(encoding="utf-8")
        assert "format_name: percent" in source and source.count("# %% [markdown]") >= 3, path.name
        assert "use_chinese_font()" in source, path.name


@pytest.mark.parametrize("source", [pytest.param("real", marks=requires_shared_data), "sample"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_masks_identity(path, source, monkeypatch):
    monkeypatch.setenv("PETITION_DATA_SOURCE", source)  # read by pipeline.datasets in the kernel
    outputs = execute(path)
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, f"{path.name} showed no chart (is the inline backend active?)"
    text = shown_text(outputs)
    assert "missing from" not in text, f"{path.name}: a glyph is missing from the font (Chinese labels as boxes)"
    assert not MOBILE.search(text), f"{path.name} shows a mobile number: {MOBILE.search(text).group()}"
    assert not ID18.search(text), f"{path.name} shows an ID number"
    leaked = [name for name in SAMPLE_NAMES if name in text]
    assert not leaked, f"{path.name} shows names: {leaked}"
