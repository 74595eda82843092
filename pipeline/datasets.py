"""The letters to study: the real TipDM letters when they are here, else the bundled sample corpus.

Notebooks, benchmarks and examples all want "the real letters if this checkout has them, the
fictitious sample otherwise", for a few standard sets (all messages, the labeled ones, the hot
ones, the answered ones). One function says which files those are and reads them through
`pipeline.read.read_letters`, so every caller gets the same letters table and the same answer to
"what am I looking at" (`letters.attrs["source"]`, `["files"]`).

The real letters (../shared/data/tipdm2020c) are public messages from a provincial government's
online message board, 2010-2020, with place names masked (A市, A3区, K9县) and writers given
pseudonymous ids (留言用户); they carry no name, phone or ID number. The sample corpus
(corpora/sample) is invented, but has the full identity fields of an intake form.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from pipeline.errors import PetitionError
from pipeline.paths import SAMPLE_DIR, SHARED_DATA_DIR

SOURCES = ("auto", "real", "sample")
SOURCE_VARIABLE = "PETITION_DATA_SOURCE"
# kind -> files, for each source. Real files are disjoint sets of letters (a few ids recur).
REAL_FILES = {
    "messages": ("hot_messages.xlsx", "unlabeled_messages.xlsx", "labeled_sample.xlsx", "replies.xlsx"),
    "labeled": ("labeled_raw.csv", "labeled_sample.xlsx"),
    "labeled_segmented": ("labeled_segmented.csv",),
    "hot": ("hot_messages.xlsx",),
    "replies": ("replies.xlsx",),
}
SAMPLE_FILES = {
    "messages": ("letters_xinfang.csv", "hotline_12345.xlsx"),
    "labeled": ("letters_xinfang.csv", "hotline_12345.xlsx"),
    "labeled_segmented": (),
    "hot": ("letters_xinfang.csv", "hotline_12345.xlsx"),
    "replies": ("letters_xinfang.csv",),
}
KINDS = tuple(REAL_FILES)


def real_data_available(data_dir: str | Path | None = None) -> bool:
    """True when the real letters are in `data_dir` (default ../shared/data/tipdm2020c)."""
    folder = Path(data_dir) if data_dir else SHARED_DATA_DIR
    return all((folder / name).exists() for name in REAL_FILES["messages"])


def resolve_source(source: str = "auto", data_dir: str | Path | None = None) -> str:
    """"real" or "sample": what `source="auto"` means on this machine.

    The environment variable PETITION_DATA_SOURCE=real|sample overrides "auto", so the same
    notebooks can be run on the sample corpus in a checkout that has the real letters.
    """
    if source not in SOURCES:
        raise PetitionError(f"unknown data source {source!r}; use one of {', '.join(SOURCES)}")
    if source == "auto":
        forced = os.environ.get(SOURCE_VARIABLE, "").strip().lower()
        if forced:
            if forced not in ("real", "sample"):
                raise PetitionError(f"{SOURCE_VARIABLE}={forced!r}: use 'real' or 'sample'")
            return resolve_source(forced, data_dir)
        return "real" if real_data_available(data_dir) else "sample"
    if source == "real" and not real_data_available(data_dir):
        raise PetitionError(f"the real letters are not in {Path(data_dir) if data_dir else SHARED_DATA_DIR}; "
                            "use source='sample' (or 'auto') for the bundled corpus")
    return source


def dataset_files(kind: str = "messages", source: str = "auto", data_dir: str | Path | None = None) -> list[Path]:
    """The files that make up one standard set of letters."""
    if kind not in REAL_FILES:
        raise PetitionError(f"unknown set of letters {kind!r}; use one of {', '.join(KINDS)}")
    if resolve_source(source, data_dir) == "real":
        folder = Path(data_dir) if data_dir else SHARED_DATA_DIR
        return [folder / name for name in REAL_FILES[kind]]
    return [SAMPLE_DIR / name for name in SAMPLE_FILES[kind]]


def load_letters(kind: str = "messages", source: str = "auto", data_dir: str | Path | None = None,
                 progress: bool = False) -> pd.DataFrame:
    """One standard set of letters as a letters table (see `pipeline.read`).

    kind: "messages" (every dated letter), "labeled" (letters with the office's issue type),
    "labeled_segmented" (pre-segmented labeled text; real data only), "hot" (the message-board
    letters with votes) or "replies" (letters with the office's reply and its date).
    source: "auto" (real letters when present, else the sample), "real" or "sample".
    `letters.attrs` holds `source` and `files`, so a notebook can say what it analysed.
    """
    from pipeline.read import read_letters

    resolved = resolve_source(source, data_dir)
    files = dataset_files(kind, resolved, data_dir)
    if not files:
        raise PetitionError(f"the {resolved} data has no {kind!r} set")
    result = read_letters(files, progress=progress)
    letters = result.letters
    letters.attrs["source"] = resolved
    letters.attrs["files"] = [path.name for path in files]
    letters.attrs["rejects"] = len(result.rejects)
    return letters
