"""Draw the routing gold (`gold_routing.csv`): a seeded random sample of shared letters, for readers
who name the department that should handle each letter before the router's answer is looked at.

Why: routing had no measurement but reading. Stop 36 changed the shipped table after reading the
router's choices on TipDM letters (商贸旅游 → 市场监督管理局, social insurance split between 人社 and
医保, 安全生产 → 住建, gas across types); this sample, drawn after those changes and labelled by
readers who never saw the router's output, measures the table and the code before and after them.

The sample: 140 TipDM letters, 40 Beijing 12345 work orders, 40 People's Daily board messages and 20
Qingdao 12345 calls (valid calls only), distinct by cleaned text. Writes OUT_DIR/selection.csv and
OUT_DIR/half1.txt, half2.txt (id, title, text: for the readers, outside the repository), in a
shuffled reading order. Five golds were drawn, each excluding the letters of those before it:
- `gold_routing.csv`, seed 20261203, after the first table changes (gas, 商贸旅游, social insurance,
  安全生产); its errors were then read and five more changes made;
- `gold_routing2.csv`, seed 20261204, after every change of stop 36, to measure the final code on
  letters nobody had read;
- `gold_routing3.csv`, seed 20261205, after stop 37's rows (通信管理局, 税务局, 水利局), the same way;
- `gold_routing4.csv`, seed 20261206, after stop 37's last rows (物业 by title, traffic police);
- `gold_routing5.csv`, seed 20261207, after the office's class was given its named sections (3ef35a9);
- `gold_routing6.csv` and `gold_routing7.csv`, seeds 20261208 and 20261209, before and after stop 39's rows;
- `gold_routing8.csv`, seed 20261210, after stop 40's rows (street stalls, 低保, funerals, land);
- `gold_routing9.csv`, seed 20261211, at the start of stop 43, before its rows (Beijing: the 11 orders left);
- `gold_routing10.csv`, seed 20261212, after all of stop 43's rows (1552e65; no Beijing order left);
- `gold_routing11.csv`, seed 20261213, at the start of stop 44, before its rows;
- `gold_routing12.csv`, seed 20261214, after stop 44's first six rounds (2c566e6);
- `gold_routing13.csv`, seed 20261215, after its seventh round of rows (3e319c2);
- `gold_routing14.csv`, seed 20261216, after the suggestions' tie rule (cd5a16b; scored at 40ad136 too);
- `gold_routing15.csv` and `gold_routing16.csv`, seeds 20261217 and 20261218, after stop 45's rubbish-site
  words (2d7e182; first looks stored at cd936ac);
- `gold_routing17.csv` and `gold_routing18.csv`, seeds 20261219 and 20261220, after stop 45's last
  rows (round 12); with golds 15 and 16 they are the 800 letters behind the figure the 说明 sheet quotes
  beside 责任部门.

Run: `.venv/bin/python corpora/routing/draw_routing_gold.py OUT_DIR [SEED]` (needs ../shared/data).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from benchmarks.urgency import beijing_letters, gas_letters, qingdao_letters, tipdm_letters  # noqa: E402  (loaders only)
from pipeline.normalise import clean_text  # noqa: E402

SEED = 20261203
SIZES = {"tipdm": 140, "beijing12345": 40, "peoples_gas": 40, "qingdao12345": 20}
# each labelled file and the seed it was drawn with: a draw leaves out the files drawn before it, so
# re-running a seed gives its gold again (the moved letters of stop 37 were chosen after gold 3)
DRAWN = {"gold_routing.csv": 20261203, "gold_routing2.csv": 20261204, "gold_routing3.csv": 20261205,
         "gold_routing_moved37.csv": 20261205.5, "gold_routing4.csv": 20261206, "gold_routing_moved37b.csv": 20261206.5,
         "gold_routing5.csv": 20261207, "gold_routing6.csv": 20261208,
         "gold_routing_moved39.csv": 20261208.5, "gold_routing7.csv": 20261209,
         "gold_routing_moved40.csv": 20261209.5, "gold_routing8.csv": 20261210,
         "gold_routing9.csv": 20261211, "gold_routing_moved43.csv": 20261211.5,
         "gold_routing_moved43b.csv": 20261211.6,
         "gold_routing_moved43c.csv": 20261211.7,
         "gold_routing_moved43d.csv": 20261211.8,
         "gold_routing10.csv": 20261212, "gold_routing11.csv": 20261213,
         "gold_routing_moved44.csv": 20261213.5, "gold_routing_moved44b.csv": 20261213.6,
         "gold_routing_moved44c.csv": 20261213.7, "gold_routing_moved44d.csv": 20261213.8,
         "gold_routing_moved44e.csv": 20261213.9, "gold_routing12.csv": 20261214,
         "gold_routing_moved44f.csv": 20261214.5, "gold_routing13.csv": 20261215,
         "gold_routing_moved44g.csv": 20261215.5, "gold_routing14.csv": 20261216,
         "gold_routing_moved44h.csv": 20261216.5, "gold_routing_moved45.csv": 20261216.6,
         "gold_routing15.csv": 20261217, "gold_routing16.csv": 20261218,
         "gold_routing_moved45b.csv": 20261218.5, "gold_routing_moved45c.csv": 20261218.6,
         "gold_routing_moved45d.csv": 20261218.7, "gold_routing17.csv": 20261219, "gold_routing18.csv": 20261220}


def draw(seed: int = SEED) -> pd.DataFrame:
    """The sample of `seed`, without the letters of any gold drawn with an earlier seed."""
    earlier = [pd.read_csv(HERE / name, dtype=str) for name, drawn in DRAWN.items() if drawn < seed and (HERE / name).exists()]
    taken = {(f, i) for frame in earlier for f, i in zip(frame["source_file"], frame["letter_id"])}
    frames = []
    for loader, source in ((tipdm_letters, "tipdm"), (beijing_letters, "beijing12345"),
                           (gas_letters, "peoples_gas"), (qingdao_letters, "qingdao12345")):
        letters = loader()
        letters["key"] = (letters["title"].map(clean_text) + "。" + letters["text"].map(clean_text)).str.strip("。 ")
        letters = letters[letters["key"] != ""].drop_duplicates("key").drop_duplicates(["source_file", "letter_id"])
        letters = letters[[(f, i) not in taken for f, i in zip(letters["source_file"], letters["letter_id"])]]
        # Beijing's 337 orders run out at the ninth gold: a source takes what is left
        frames.append(letters.sample(n=min(SIZES[source], len(letters)), random_state=seed).assign(source=source))
    return pd.concat(frames, ignore_index=True).sample(frac=1.0, random_state=seed).reset_index(drop=True)


def main(out_dir: str, seed: int = SEED) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    chosen = draw(seed)
    chosen[["source", "source_file", "letter_id"]].to_csv(out / "selection.csv", index=False)
    half = len(chosen) // 2
    for k, part in enumerate((chosen.iloc[:half], chosen.iloc[half:]), start=1):
        with open(out / f"half{k}.txt", "w", encoding="utf-8") as fh:
            for row in part.itertuples():
                fh.write(f"=== {row.source_file} | {row.letter_id}\n{row.key}\n\n")
    print(f"{len(chosen)} letters: {chosen['source'].value_counts().to_dict()}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "routing_batch", int(sys.argv[2]) if len(sys.argv) > 2 else SEED)
