"""Draw the second blind split (`gold_blind2.csv`): letters no gold file holds, for a first look.

Why: every earlier split's errors have been read and the cues revised against them, so their
figures are development figures. This split is drawn from what is left, labelled by reading every
letter in full by ../shared/urgency_rubric.md *before* the grader is run on it, and then scored
once with the code frozen (commit recorded in README.md); only after that are its errors read.

What is left: Beijing 12345 and People's Daily were labelled whole (census), so only the TipDM
letters and Qingdao's valid calls (not 无效) remain. Excluded: every letter_id of every gold file,
and any letter whose cleaned text equals a gold letter's (TipDM repeats letters across files).
- **random**: a seeded sample of 120 TipDM letters and 40 Qingdao calls (prevalence, precision,
  and the net's own recall on unselected letters);
- **net**: from a further seeded pool of 250 TipDM letters, every one the net below catches. The
  net is the rubric's kinds in plain words, cast wider than the grader's cues (any 访, 省/京/中央,
  any group word, any collapse/crack/lift/outage/debt/threat/death word) and independent of them.
  It only chooses what is read; labels come from reading.

Run: `.venv/bin/python corpora/urgency/draw_blind2.py OUT_DIR` (needs ../shared/data). Writes
OUT_DIR/blind2.txt (id, title, full text: for the annotator, outside the repository) and
OUT_DIR/selection.csv (source_file, letter_id, how_selected, net_hit).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SEED = 20261202
NET = re.compile(
    "访|省委|省政府|省里|省城|北京|进京|赴京|中央|国务院|督查|巡视|集体|联名|横幅|条幅|堵路|堵门|围堵|聚集|罢工|静坐|游行|"
    "跳楼|跳河|自杀|轻生|寻死|不想活|活不下去|以死|死|杀|砍|刀|打人|殴打|威胁|恐吓|报复|扬言|同归于尽|极端|过激|后果|逼|"
    "倒塌|坍塌|垮塌|塌|裂|下沉|沉降|倾斜|摇摇欲坠|危房|危楼|坠|电梯|困|漏气|泄漏|燃气|煤气|天然气|爆炸|火灾|着火|"
    "停气|停暖|暖气|供暖|断气|断水|停水|冻|寒|高利贷|讨债|追债|黑社会|黑恶|生命危险|人身安全|深坑|围挡|护栏|溺"
)
sys.path.insert(0, str(ROOT))
from benchmarks.urgency import qingdao_letters, tipdm_letters  # noqa: E402
from pipeline.normalise import clean_text  # noqa: E402


def gold_keys() -> tuple[set, set]:
    ids = set()
    for path in HERE.glob("gold*.csv"):
        ids |= set(pd.read_csv(path, dtype=str, keep_default_na=False)["letter_id"])
    return ids


def main(out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ids = gold_keys()
    tipdm, qingdao = tipdm_letters(), qingdao_letters()
    for frame in (tipdm, qingdao):
        frame["key"] = (frame["title"].map(clean_text) + "。" + frame["text"].map(clean_text)).str.strip()
    gold_texts = set(tipdm.loc[tipdm["letter_id"].isin(ids), "key"]) | set(qingdao.loc[qingdao["letter_id"].isin(ids), "key"])
    picked = []
    for frame, n_random, n_pool in ((tipdm, 120, 250), (qingdao, 40, 0)):
        rest = frame[~frame["letter_id"].isin(ids) & ~frame["key"].isin(gold_texts)]
        rest = rest.drop_duplicates("key").drop_duplicates("letter_id").copy()
        rest["net_hit"] = rest["key"].str.contains(NET)
        rand = rest.sample(n=n_random, random_state=SEED).assign(how_selected="random")
        picked.append(rand)
        if n_pool:
            pool = rest.drop(rand.index).sample(n=n_pool, random_state=SEED + 1)
            picked.append(pool[pool["net_hit"]].assign(how_selected="net"))
    chosen = pd.concat(picked, ignore_index=True).sample(frac=1.0, random_state=SEED)  # read in shuffled order
    chosen[["source_file", "letter_id", "how_selected", "net_hit"]].to_csv(out / "selection.csv", index=False)
    with open(out / "blind2.txt", "w", encoding="utf-8") as fh:
        for row in chosen.itertuples():
            fh.write(f"=== {row.source_file} | {row.letter_id}\n{row.key}\n\n")
    print(f"{len(chosen)} letters: {chosen['how_selected'].value_counts().to_dict()}, net hits {int(chosen['net_hit'].sum())}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "blind2_batch")
