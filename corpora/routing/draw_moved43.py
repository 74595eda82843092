"""Draw stop 43's moved set: letters the stop's rows (a80d63c) route elsewhere than the code before
them (c505e1a), for a reader blind to both routers.

60 of the moved letters (distinct texts, in no gold), drawn at random, mixed with 40 unmoved TipDM
letters so the reader cannot tell them apart; the batch is shuffled. Writes OUT_DIR/batch.txt (for
the reader, outside the repository) and OUT_DIR/key.csv (which letters moved, kept from the reader).

The second round of stop 43 (its 环境卫生, 公汽 and night-works words, 30cd21e against 19d0d19) moved
only 20 letters: every distinct moved text in no gold was drawn, with 20 unmoved ones (seed 20261244).
The third (保障性住房 and the 房产科's words, f1ef14c against f67b3b2) moved 89: 40 of them, with 20
unmoved ones (seed 20261245). The accusation rule's public units (f3b0e36 against 1b7ed2b) moved 34
into 纪检监察: every distinct moved text in no gold, with 20 unmoved ones (seed 20261246).

Stop 44's seven rounds (gold_routing_moved44.csv to …44g.csv) were drawn the same way, each round's
commit against the one before it: 50 moved with 30 unmoved (seed 20261247), then every distinct
moved text in no gold with 20 unmoved (seeds 20261248, 20261249, 20261250, 20261251 with 16,
20261252, 20261253), with the random golds drawn during the stop (11, 12, 13) left out of ROUTED.pkl
before each draw. Stop 45's two rounds: every distinct moved text in no gold with 20 unmoved
(seed 20261255, `…moved45.csv`, 118072d against 06068d8; seed 20261257, `…moved45b.csv`, 9828016
against 2d7e182, golds 15 and 16 left out), and rounds 11 and 12 the same way (seeds 20261258 and
20261259, `…moved45c.csv` f11436b against 9828016, `…moved45d.csv` 2be34a4 against a1d617f). The gold
files are the record of what was drawn: a re-run today leaves out every
gold file in this folder, the moved sets' own included, so it cannot draw the same letters again.

Run: .venv/bin/python corpora/routing/draw_moved43.py ROUTED.pkl OUT_DIR [N_MOVED N_STILL SEED]
(ROUTED.pkl: every shared letter's department under both checkouts, columns path, letter_id,
dept_old, dept_new; made by routing every file of benchmarks/routing.py's FILES with each checkout.)
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from pipeline.normalise import clean_text  # noqa: E402
from pipeline.read import read_letters  # noqa: E402

SEED = 20261243
HERE = Path(__file__).resolve().parent


def main(routed_path: str, out_dir: str, n_moved: int = 60, n_still: int = 40, seed: int = SEED) -> None:
    routed = pd.read_pickle(routed_path)
    taken = set()
    for gold in HERE.glob("gold_routing*.csv"):
        frame = pd.read_csv(gold, dtype=str)
        taken |= set(zip(frame["source_file"], frame["letter_id"]))
    parts = []
    for path, group in routed.groupby("path"):
        letters = read_letters([path]).letters
        letters["letter_id"] = letters["letter_id"].astype(str)
        parts.append(group.merge(letters[["letter_id", "title", "text"]], on="letter_id", how="left"))
    every = pd.concat(parts, ignore_index=True)
    every["source_file"] = every["path"].map(lambda p: Path(p).name)
    every["key"] = (every["title"].map(clean_text) + "。" + every["text"].map(clean_text)).str.strip("。 ")
    fresh = pd.Series([(f, i) not in taken for f, i in zip(every["source_file"], every["letter_id"])], index=every.index)
    every = every[(every["key"] != "") & fresh]
    every = every.drop_duplicates("key")
    moved = every[every["dept_old"] != every["dept_new"]]
    moved = moved.sample(n=min(n_moved, len(moved)), random_state=seed).assign(moved=True)
    tipdm = {"hot_messages.xlsx", "replies.xlsx", "unlabeled_messages.xlsx", "labeled_sample.xlsx"}
    still = every[(every["dept_old"] == every["dept_new"]) & every["source_file"].isin(tipdm)]
    batch = pd.concat([moved, still.sample(n=n_still, random_state=seed).assign(moved=False)])
    batch = batch.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "batch.txt", "w", encoding="utf-8") as fh:
        for row in batch.itertuples():
            fh.write(f"=== {row.source_file} | {row.letter_id}\n{row.key}\n\n")
    batch[["source_file", "letter_id", "moved", "dept_old", "dept_new"]].to_csv(out / "key.csv", index=False)
    print(f"{len(batch)} letters ({int(batch['moved'].sum())} moved of {int((every['dept_old'] != every['dept_new']).sum())} distinct moved texts in no gold)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *map(int, sys.argv[3:]))
