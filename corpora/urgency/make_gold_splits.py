"""Copy the annotators' multi-source urgency labels into the repository, one split per source.

The labels (source_file, letter_id, urgency, kind, reason) come from /work/labels/<source>.csv,
written by annotators who read every letter in full by the rubric (../shared/urgency_rubric.md);
how each letter was chosen (census / random / net, and whether the wide net caught it) comes from
the selection record written by `build_label_batches.py`. No letter text is copied: the
more_sources letters carry real names and phones.

Run: `.venv/bin/python corpora/urgency/make_gold_splits.py LABELS_DIR SELECTION_CSV`.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SPLITS = {"beijing12345": "gold_beijing12345.csv", "peoples_gas": "gold_peoples_gas.csv",
          "qingdao12345": "gold_qingdao12345.csv", "tipdm": "gold_tipdm_new.csv"}
COLUMNS = ["source_file", "letter_id", "urgency", "kind", "reason", "how_selected", "net_hit"]
PHONE = re.compile(r"\d{7,}")


def main(labels_dir: str, selection_csv: str) -> None:
    selection = pd.read_csv(selection_csv, dtype=str)
    for source, name in SPLITS.items():
        labels = pd.read_csv(Path(labels_dir) / f"{source}.csv", dtype=str, keep_default_na=False)
        if labels.duplicated(["source_file", "letter_id"]).any():
            raise SystemExit(f"{source}: duplicated letters in the labels")
        chosen = selection[selection["source"] == source].drop(columns="source")
        rows = labels.merge(chosen, on=["source_file", "letter_id"], how="left", validate="one_to_one")
        if rows["how_selected"].isna().any() or len(rows) != len(chosen):
            raise SystemExit(f"{source}: labels and selection disagree ({len(rows)} labelled, {len(chosen)} chosen)")
        if rows["reason"].str.contains(PHONE).any():
            raise SystemExit(f"{source}: a reason holds a long number (phone?): fix it before copying")
        rows[COLUMNS].to_csv(HERE / name, index=False)
        print(f"{name}: {len(rows)} letters, {rows['urgency'].value_counts().to_dict()}")


if __name__ == "__main__":
    main(*(sys.argv[1:3] if len(sys.argv) > 2 else ("/work/labels", "/work/label_batches/selection.csv")))
