"""Draw the letters to label for the multi-source urgency gold (issue 14), and record how.

Why a script: the gold's worth depends on how its letters were chosen. Each source gets
- a **census** where it is small enough to read whole (Beijing 12345, People's Daily gas/heating):
  every letter is labelled, so the wide net's own recall is measured exactly;
- elsewhere a **seeded random sample** (prevalence and precision are known from it) plus every
  letter the **wide net** catches among a seeded pool (紧急 candidates, read in full).
The net is deliberately wide: any word for danger, harm, escalation, group action, vulnerable
people or outages. It only chooses what to read; the label comes from reading.

Run: `.venv/bin/python corpora/urgency/build_label_batches.py OUT_DIR` (needs ../shared/data).
It writes one text file per batch (id, title, full text) for the annotators, outside the repo:
the more_sources letters carry real names and phones and are never copied into the repository.
`selection.csv` (source, letter_id, how_selected, net_hit) is the record kept with the gold.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261201

WIDE_NET = re.compile(
    "上访|信访|访|省委|省政府|省里|北京|进京|中央|国务院|督查|巡视|市长|书记|集体|联名|横幅|堵路|围堵|聚集|罢工|静坐|"
    "跳楼|跳河|自杀|轻生|寻死|以死|不想活|死|命|杀|砍|刀|打人|殴打|威胁|恐吓|报复|同归于尽|极端|后果|逼|"
    "危险|危房|隐患|倒塌|坍塌|垮塌|塌|裂缝|开裂|下沉|沉降|倾斜|摇摇欲坠|坠|砸|"
    "漏气|泄漏|燃气|煤气|天然气|爆炸|火灾|着火|起火|失火|触电|被困|困人|电梯|溺|"
    "老人|婴儿|孕妇|病人|瘫痪|残疾|孩子|小孩|学生|"
    "暖气|供暖|供热|停气|停暖|停水|停电|断气|断水|冻|冷|寒|"
    "高利贷|黑社会|黑恶|讨债|追债|急|救|媒体|曝光|网络|围攻|冲突|群体"
)

# the letters of each source, read the same way the benchmark reads them
sys.path.insert(0, str(ROOT))
from benchmarks.urgency import beijing_letters, gas_letters, qingdao_letters, tipdm_letters  # noqa: E402


def select(letters: pd.DataFrame, how: str, random_n: int = 0, pool_n: int = 0, exclude: set = frozenset()) -> pd.DataFrame:
    letters = letters[~letters["letter_id"].isin(exclude)].drop_duplicates("letter_id").copy()
    letters["net_hit"] = (letters["title"] + " " + letters["text"]).str.contains(WIDE_NET)
    if how == "census":
        letters["how_selected"] = "census"
        return letters
    rand = letters.sample(n=min(random_n, len(letters)), random_state=SEED)
    rand = rand.assign(how_selected="random")
    rest = letters.drop(rand.index)
    pool = rest.sample(n=min(pool_n, len(rest)), random_state=SEED + 1)
    net = pool[pool["net_hit"]].assign(how_selected="net")
    return pd.concat([rand, net])


def main(out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    gold = pd.read_csv(Path(__file__).with_name("gold.csv"), dtype=str)
    chosen = pd.concat([
        select(beijing_letters(), "census"),
        select(gas_letters(), "census"),
        select(qingdao_letters(), "sample", random_n=250, pool_n=400),
        select(tipdm_letters(), "sample", random_n=300, pool_n=500, exclude=set(gold["letter_id"])),
    ], ignore_index=True)
    chosen[["source", "source_file", "letter_id", "how_selected", "net_hit"]].to_csv(out / "selection.csv", index=False)
    batches = {"beijing12345": ["beijing12345"], "qingdao12345": ["qingdao12345"],
               "peoples_gas": ["peoples_gas"], "tipdm": ["tipdm"]}
    for name, sources in batches.items():
        part = chosen[chosen["source"].isin(sources)]
        with open(out / f"{name}.txt", "w", encoding="utf-8") as fh:
            for row in part.itertuples():
                fh.write(f"=== {row.source_file} | {row.letter_id}\n标题: {row.title}\n{row.text}\n\n")
        print(f"{name}: {len(part)} letters ({part['how_selected'].value_counts().to_dict()}), net hits {int(part['net_hit'].sum())}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "label_batches")
