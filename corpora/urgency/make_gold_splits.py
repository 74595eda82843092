"""Copy the annotators' multi-source urgency labels into the repository, one split per source.

The labels (source_file, letter_id, urgency, kind, reason) come from /work/labels/<source>.csv,
written by annotators who read every letter in full by the rubric (../shared/urgency_rubric.md);
how each letter was chosen (census / random / net, and whether the wide net caught it) comes from
the selection record written by `build_label_batches.py`. No letter text is copied: the
more_sources letters carry real names and phones.

It also rewrites `gold.csv` (the 800 TipDM letters first labelled under the project's earlier
rubric) with the relabelling to the shared rubric (`gold_relabel_*.csv`): `urgency`, `kind` and
`reason` are the new label; `old_urgency` and `old_reason` the earlier one; `change_reason` says why
a letter changed level (empty when it did not).

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
    relabel(sorted(Path(labels_dir).glob("gold_relabel_*.csv")))


def relabel(paths: list[Path]) -> None:
    """gold.csv with the shared rubric's labels, keeping the earlier ones and why they changed."""
    gold = pd.read_csv(HERE / "gold.csv", dtype=str, keep_default_na=False)
    if "old_urgency" in gold.columns or not paths:
        return  # already relabelled, or no relabelling yet
    new = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths], ignore_index=True)
    if new.duplicated(["source_file", "letter_id"]).any() or len(new) != len(gold):
        raise SystemExit(f"relabelling has {len(new)} rows for {len(gold)} gold letters (or duplicates)")
    rows = gold.rename(columns={"urgency": "old_urgency", "reason": "old_reason"}).merge(
        new[["source_file", "letter_id", "urgency", "kind", "reason", "change_reason"]],
        on=["source_file", "letter_id"], how="left", validate="one_to_one")
    if rows["urgency"].isna().any():
        raise SystemExit("relabelling misses some gold letters")
    if rows["reason"].str.contains(PHONE).any():
        raise SystemExit("a relabelling reason holds a long number (phone?)")
    rows.loc[rows["urgency"] == rows["old_urgency"], "change_reason"] = ""
    columns = ["source_file", "letter_id", "urgency", "kind", "reason", "split", "old_urgency", "old_reason", "change_reason"]
    rows[columns].to_csv(HERE / "gold.csv", index=False)
    print(f"gold.csv relabelled: {int((rows['urgency'] != rows['old_urgency']).sum())} of {len(rows)} letters changed level")


if __name__ == "__main__":
    main(*(sys.argv[1:3] if len(sys.argv) > 2 else ("/work/labels", "/work/label_batches/selection.csv")))
