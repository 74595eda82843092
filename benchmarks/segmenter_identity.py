"""Is rjieba (jieba-rs) token for token the same as jieba, with the petition dictionary, in both HMM modes?

Run: python benchmarks/segmenter_identity.py   (needs `pip install rjieba` in the venv that runs it)

Why: `pipeline.tokenize` segments with rjieba when it is installed (several times faster than
jieba's pure Python) and with jieba otherwise. That is only safe if both give the same tokens:
every stage's output (issue types, hot issues) hangs on them. This cuts every distinct text cell
of every file in ../shared/data (every sheet, every text column: titles, texts, replies) with
both segmenters (jieba's `lcut`, and `RustSegmenter` as the pipeline uses it), `hmm=False` (the
classifier's) and `hmm=True` (the clusterer's), piece by piece
as `Tokenizer.segment` cuts them (around masked place codes), and prints the number of cells
whose tokens differ, with up to `--show` examples. Exit status 1 when any differ.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # the project root, not this folder: `pipeline` from this checkout
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import time  # noqa: E402

import pandas as pd  # noqa: E402

from pipeline.paths import SHARED_DATA_DIR  # noqa: E402
from pipeline.places import split_codes  # noqa: E402
from pipeline.tokenize import USER_DICT, RustSegmenter, _jieba, _segmenter  # noqa: E402

DATA_ROOT = SHARED_DATA_DIR.parent


def text_cells(root: Path = DATA_ROOT) -> dict[str, list[str]]:
    """Distinct non-empty text cells of every CSV/XLSX under `root`, by file."""
    cells: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*")):
        if path.suffix == ".csv":
            frames = [pd.read_csv(path, dtype=str, keep_default_na=False)]
        elif path.suffix == ".xlsx":
            frames = list(pd.read_excel(path, sheet_name=None, dtype=str).values())
        else:
            continue
        found: set[str] = set()
        for frame in frames:
            for column in frame.columns:
                values = frame[column].dropna().astype(str)
                found.update(v for v in values if v.strip() and not v.strip().isdigit())
        cells[str(path.relative_to(root))] = sorted(found)
    return cells


def pieces(text: str) -> list[str]:
    """What `Tokenizer.segment` hands the segmenter: the text around masked place codes."""
    return [p for k, p in enumerate(split_codes(text)) if not k % 2 and p]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=int, default=5, help="differing cells to print per mode")
    parser.add_argument("--hmm", choices=["both", "on", "off"], default="both", help="which HMM mode(s) to check")
    args = parser.parse_args()
    if not DATA_ROOT.exists():
        sys.exit(f"needs the shared data in {DATA_ROOT}")
    reference = _jieba(str(USER_DICT))
    if not isinstance(_segmenter(str(USER_DICT), True), RustSegmenter):
        sys.exit("rjieba is not installed in this venv (or PETITION_SEGMENTER=jieba)")
    cells = text_cells()
    total_mismatches = 0
    print(f"{'file':45s} {'cells':>7s} {'hmm':>5s} {'differ':>7s} {'jieba s':>8s} {'rjieba s':>8s}")
    for hmm in {"both": (False, True), "on": (True,), "off": (False,)}[args.hmm]:
        shown = 0
        for name, texts in cells.items():
            split = [pieces(t) for t in texts]
            started = time.perf_counter()
            expected = [[tok for p in ps for tok in reference.lcut(p, HMM=hmm)] for ps in split]
            jieba_s = time.perf_counter() - started
            started = time.perf_counter()
            ours = _segmenter(str(USER_DICT), hmm)
            got = [[tok for p in ps for tok in ours.lcut(p)] for ps in split]
            rust_s = time.perf_counter() - started
            differ = [k for k, (a, b) in enumerate(zip(expected, got)) if a != b]
            total_mismatches += len(differ)
            print(f"{name:45s} {len(texts):7d} {str(hmm):>5s} {len(differ):7d} {jieba_s:8.1f} {rust_s:8.1f}", flush=True)
            for k in differ[: max(0, args.show - shown)]:
                a, b = expected[k], got[k]
                at = next(i for i, (x, y) in enumerate(zip(a + [""], b + [""])) if x != y)
                print(f"    jieba  {a[max(0, at - 3):at + 4]}\n    rjieba {b[max(0, at - 3):at + 4]}")
                shown += 1
    print(f"mismatches: {total_mismatches}")
    return 1 if total_mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
