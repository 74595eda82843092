"""What a change to the urgency cues does to every shared letter, and which letters that shows you.

Why: a change to `lexicon.csv` or `compose.csv` is checked against all 20,617 shared letters before it
is kept, by listing every letter whose verdict it flips and reading them. Those letters have then been
seen, and a later blind split that draws one of them is no longer blind to it (two such letters were
drawn into blind18 and blind20). So the diff records the ids it shows in
`corpora/urgency/seen_in_diffs.csv`, and `draw_blind.py` leaves them out (`Draw(exclude_seen=True)`).

Run:
  .venv/bin/python benchmarks/urgency_regression.py snapshot OUT.parquet   # the grader as it is now
  .venv/bin/python benchmarks/urgency_regression.py diff BEFORE.parquet AFTER.parquet [-v]
`diff` prints each letter whose level or review flag changed (id, before -> after, evidence; with -v,
the opening of the letter) and appends their ids to seen_in_diffs.csv.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0:1] = [str(Path(__file__).resolve().parents[1])]

import pandas as pd  # noqa: E402

from benchmarks.urgency import all_shared_letters  # noqa: E402
from pipeline.paths import CORPORA_DIR  # noqa: E402
from pipeline.urgency import UrgencyGrader  # noqa: E402

SEEN_PATH = CORPORA_DIR / "urgency" / "seen_in_diffs.csv"
KEY = ["source_file", "letter_id"]


def snapshot(out: str) -> pd.DataFrame:
    """Every distinct shared letter's verdict under the grader as it is now."""
    letters = all_shared_letters()
    graded = UrgencyGrader().fit().transform(letters)
    result = letters[KEY].copy()
    result["opening"] = (letters["title"].fillna("") + "。" + letters["text"].fillna("")).str[:300]
    for column in ("urgency", "urgency_review", "urgency_evidence"):
        result[column] = graded[column].values
    result.reset_index(drop=True).to_parquet(out)
    return result


def changed(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Letters whose level or review flag differs between two snapshots."""
    both = before.merge(after[KEY + ["urgency", "urgency_review", "urgency_evidence"]], on=KEY, suffixes=("_before", ""))
    return both[(both["urgency_before"] != both["urgency"]) | (both["urgency_review_before"] != both["urgency_review"])]


def record_seen(rows: pd.DataFrame, path: Path = SEEN_PATH) -> int:
    """Add these letters' ids to the end of the seen list (distinct; earlier rows never move, so a
    blind split's draw, which records how many rows stood when it was drawn, redraws the same
    letters later); returns how many were new."""
    seen = pd.read_csv(path, dtype=str) if path.exists() else pd.DataFrame(columns=KEY)
    new = rows[KEY].astype(str).drop_duplicates().sort_values(KEY)
    merged = pd.concat([seen, new]).drop_duplicates(keep="first")
    merged.to_csv(path, index=False)
    return len(merged) - len(seen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot")
    snap.add_argument("out")
    diff = sub.add_parser("diff")
    diff.add_argument("before")
    diff.add_argument("after")
    diff.add_argument("-v", action="store_true", help="show the opening of each changed letter")
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        result = snapshot(args.out)
        print(f"{len(result)} letters: 紧急 {(result['urgency'] == '紧急').sum()}, review band {int(result['urgency_review'].sum())}")
        return 0
    before, after = pd.read_parquet(args.before), pd.read_parquet(args.after)
    rows = changed(before, after)
    for row in rows.itertuples():
        flag = lambda level, review: level + ("R" if review else "")  # noqa: E731
        print(f"{row.source_file[:12]} {row.letter_id} {flag(row.urgency_before, row.urgency_review_before)} -> "
              f"{flag(row.urgency, row.urgency_review)} | {row.urgency_evidence[:150]}")
        if args.v:
            print("     ", row.opening.replace("\n", " "))
    new = record_seen(rows)
    print(f"{len(rows)} changed; 紧急 {(before['urgency'] == '紧急').sum()} -> {(after['urgency'] == '紧急').sum()}, "
          f"band {int(before['urgency_review'].sum())} -> {int(after['urgency_review'].sum())}; "
          f"{new} new ids in {SEEN_PATH.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
