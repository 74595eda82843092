"""How far a Spark run's outputs agree with the local engine's on the same letters (issue 18).

The Spark engine promises the local engine's answers: the same issue type, urgency and
department for every letter, persons and hot issues that group the same letters (pairwise F1,
since ids may be named differently), and the same triage sheets up to ties. One function reads
both output folders and measures all of it, so the CI test (on the bundled corpus) and the
benchmark (on the shared letters) measure the same thing the same way.
"""
from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import pandas as pd

ROW_COLUMNS = ("issue_type", "urgency", "department", "priority")
GROUP_COLUMNS = ("person_id", "issue_id")
# triage-sheet columns that name what linking and clustering found: ids, not compared by value
LINK_IDS = ("信访人编号", "案件编号", "问题ID", "person_id", "case_id", "issue_id")


def pairwise_f1(truth: dict, found: dict) -> float:
    """F1 over the pairs of items placed together (same non-null label) in `truth` and in
    `found`. Both without any pair: 1.0."""
    def pairs(labels: dict) -> set:
        groups: dict = {}
        for item, label in labels.items():
            if label is not None and label == label:
                groups.setdefault(label, []).append(item)
        return {tuple(sorted(p)) for members in groups.values()
                for p in itertools.combinations(members, 2)}

    a, b = pairs(truth), pairs(found)
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b))


def untie(cell: str) -> str:
    """A count list such as 紧急程度分布 "较急:2; 一般:2" lists equal counts in either order."""
    parts = cell.split("; ")
    return "; ".join(sorted(parts)) if len(parts) > 1 and all(":" in p for p in parts) else cell


def letters_side_by_side(local_dir: Path, spark_dir: Path) -> pd.DataFrame:
    """letters.parquet of both runs joined on letter_id (suffixes _local, _spark)."""
    local = pd.read_parquet(Path(local_dir) / "letters.parquet")
    spark = pd.read_parquet(Path(spark_dir) / "letters.parquet")  # a folder of part files
    if len(local) != len(spark) or set(local["letter_id"]) != set(spark["letter_id"]):
        raise AssertionError(f"the runs hold different letters: {len(local)} local, {len(spark)} Spark")
    return local.merge(spark, on="letter_id", suffixes=("_local", "_spark"), validate="one_to_one")


def sheet_differences(local_dir: Path, spark_dir: Path) -> list[str]:
    """The triage sheets whose rows differ (as multisets, ids aside, ties untied)."""
    local = pd.read_excel(Path(local_dir) / "triage.xlsx", sheet_name=None, dtype=str)
    spark = pd.read_excel(Path(spark_dir) / "triage.xlsx", sheet_name=None, dtype=str)
    if list(local) != list(spark):
        return [f"sheets {list(local)} vs {list(spark)}"]
    differ = []
    for name, sheet in local.items():
        other = spark[name]
        if list(sheet.columns) != list(other.columns):
            differ.append(f"{name}: columns")
            continue
        keep = [c for c in sheet.columns if c not in LINK_IDS]

        def rows(frame):
            return Counter(map(tuple, frame[keep].fillna("").map(untie).itertuples(index=False)))

        if rows(sheet) != rows(other):
            differ.append(name)
    return differ


def compare_runs(local_dir: Path, spark_dir: Path) -> dict:
    """Agreement of two output folders: letters; per row-wise column the letters that differ
    (and three of their ids); per grouping column the pairwise F1 and the number of letters
    given a group; the triage sheets that differ."""
    both = letters_side_by_side(local_dir, spark_dir)
    out: dict = {"letters": len(both), "differ": {}, "examples": {}, "f1": {}, "grouped": {}}
    for column in ROW_COLUMNS:
        if f"{column}_local" not in both.columns:
            continue
        a = both[f"{column}_local"].astype(object).where(both[f"{column}_local"].notna(), None)
        b = both[f"{column}_spark"].astype(object).where(both[f"{column}_spark"].notna(), None)
        bad = ~((a.isna() & b.isna()) | (a == b))
        out["differ"][column] = int(bad.sum())
        out["examples"][column] = both.loc[bad, "letter_id"].head(3).tolist()
    for column in GROUP_COLUMNS:
        truth = dict(zip(both["letter_id"], both[f"{column}_local"]))
        found = dict(zip(both["letter_id"], both[f"{column}_spark"]))
        out["f1"][column] = pairwise_f1(truth, found)
        out["grouped"][column] = (int(both[f"{column}_local"].notna().sum()),
                                  int(both[f"{column}_spark"].notna().sum()))
    out["sheets_differ"] = sheet_differences(local_dir, spark_dir)
    return out
