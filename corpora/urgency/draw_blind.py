"""Draw a blind urgency split: letters no gold file holds, for one honest first look of the grader.

Why: every earlier split's errors have been read and the cues revised against them, so their
figures are development figures. A blind split is drawn from what is left, labelled by reading every
letter in full by ../shared/urgency_rubric.md *before* the grader is run on it, and then scored once
with the code frozen; only after that are its errors read. One script draws every blind split, so
each split differs from the others only in its recorded parameters (`draw_blind2.py`,
`draw_blind3.py` hold them) and an old split can be redrawn exactly.

What is left: Beijing 12345 and People's Daily were labelled whole (census), so only the TipDM
letters and Qingdao's valid calls (not 无效) remain. Excluded: every letter_id of every gold file but
the split's own (`gold_<name>.csv`, written after the draw), and any letter whose cleaned text equals
such a gold letter's (TipDM repeats letters across files).
- **random**: a seeded sample per source (prevalence, precision, and the net's own recall on
  letters it did not choose: `net_hit` is recorded for them too);
- **net**: from a further seeded pool per source, every letter the net below catches, optionally
  cut to a seeded subsample of `net_cap` letters per source when it catches more. The net is the
  rubric's kinds in plain words, cast wider than the grader's cues (any 访, 省/京/中央, any group
  word, any collapse/crack/lift/outage/debt/threat/death word) and independent of them. It only
  chooses what is read; labels come from reading.

Writes OUT_DIR/<name>.txt (id, title, full text: for the annotator, outside the repository) and
OUT_DIR/selection.csv (source_file, letter_id, how_selected, net_hit), in the shuffled reading order.
"""
from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
NET = re.compile(
    "访|省委|省政府|省里|省城|北京|进京|赴京|中央|国务院|督查|巡视|集体|联名|横幅|条幅|堵路|堵门|围堵|聚集|罢工|静坐|游行|"
    "跳楼|跳河|自杀|轻生|寻死|不想活|活不下去|以死|死|杀|砍|刀|打人|殴打|威胁|恐吓|报复|扬言|同归于尽|极端|过激|后果|逼|"
    "倒塌|坍塌|垮塌|塌|裂|下沉|沉降|倾斜|摇摇欲坠|危房|危楼|坠|电梯|困|漏气|泄漏|燃气|煤气|天然气|爆炸|火灾|着火|"
    "停气|停暖|暖气|供暖|断气|断水|停水|冻|寒|高利贷|讨债|追债|黑社会|黑恶|生命危险|人身安全|深坑|围挡|护栏|溺"
)
sys.path.insert(0, str(ROOT))
from benchmarks.urgency import qingdao_letters, tipdm_letters  # noqa: E402  (loaders only)
from pipeline.normalise import clean_text  # noqa: E402


@dataclass(frozen=True)
class Draw:
    """One blind split's recorded parameters: change none of them once the split is labelled."""

    name: str
    seed: int
    tipdm_random: int
    tipdm_pool: int
    qingdao_random: int
    qingdao_pool: int
    net_cap: int | None = None  # per source; None keeps every net hit
    # also exclude near-copies of gold letters (the same first 30 characters of cleaned text, title
    # aside): blind3 and blind4 shared one letter written twice. Off for the splits drawn before it.
    near_copies: bool = False
    # also exclude the letters listed in seen_in_diffs.csv: shared letters whose verdict a grader change
    # flipped, so their ids and evidence were read in a regression diff before any split drew them
    # (two such letters were found in blind18 and blind20). Off for the splits drawn before it.
    exclude_seen: bool = False
    # how many rows of seen_in_diffs.csv stood when the split was drawn: the list only grows at its end,
    # so a later diff (which adds rows) does not change a redraw. None: every row (a new draw).
    seen_rows: int | None = None


SEEN_PATH = Path(__file__).resolve().parent / "seen_in_diffs.csv"


# blind splits in the order they were drawn: a split excludes the ones drawn before it, never its
# own or a later one (their gold files were written after its draw)
BLIND_ORDER = ("blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8", "blind9", "blind10", "blind11", "blind12", "blind13", "blind14", "blind15", "blind16", "blind17", "blind18", "blind19", "blind20", "blind21", "blind22", "blind23", "blind24", "blind25", "blind26", "blind27", "blind28", "blind29", "blind30", "blind31", "blind32")


def gold_ids(own: str) -> set:
    """Every letter_id labelled when the split was drawn: every gold file but the split's own and
    those of blind splits drawn after it."""
    later = BLIND_ORDER[BLIND_ORDER.index(own):] if own in BLIND_ORDER else (own,)
    ids = set()
    for path in sorted(HERE.glob("gold*.csv")):
        if path.name not in {f"gold_{name}.csv" for name in later}:
            ids |= set(pd.read_csv(path, dtype=str, keep_default_na=False)["letter_id"])
    return ids


@functools.lru_cache(maxsize=1)
def _keyed_letters() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two sources' letters with `key` (the cleaned title + text) and `near` (the cleaned text's
    first 30 word characters): read and cleaned once per process, since every split's redraw (the
    tests redo thirty of them) starts from the same letters."""
    tipdm, qingdao = tipdm_letters(), qingdao_letters()
    for frame in (tipdm, qingdao):
        frame["key"] = (frame["title"].map(clean_text) + "。" + frame["text"].map(clean_text)).str.strip()
        frame["near"] = frame["text"].map(clean_text).str.replace(r"\W", "", regex=True).str[:30]
    return tipdm, qingdao


def draw(spec: Draw) -> pd.DataFrame:
    """The split's letters (with `key`, the cleaned title + text), in the shuffled reading order."""
    ids = gold_ids(spec.name)
    tipdm, qingdao = (frame.copy() for frame in _keyed_letters())
    gold_texts = set(tipdm.loc[tipdm["letter_id"].isin(ids), "key"]) | set(qingdao.loc[qingdao["letter_id"].isin(ids), "key"])
    if spec.near_copies:
        gold_near = set(tipdm.loc[tipdm["letter_id"].isin(ids), "near"]) | set(qingdao.loc[qingdao["letter_id"].isin(ids), "near"])
        gold_near.discard("")
    seen = pd.read_csv(SEEN_PATH, dtype=str) if spec.exclude_seen else pd.DataFrame(columns=["source_file", "letter_id"])
    seen = seen.head(spec.seen_rows) if spec.seen_rows is not None else seen
    seen_keys = set(zip(seen["source_file"], seen["letter_id"]))
    picked = []
    for frame, n_random, n_pool in ((tipdm, spec.tipdm_random, spec.tipdm_pool), (qingdao, spec.qingdao_random, spec.qingdao_pool)):
        rest = frame[~frame["letter_id"].isin(ids) & ~frame["key"].isin(gold_texts)]
        if spec.exclude_seen:
            rest = rest[[(f, i) not in seen_keys for f, i in zip(rest["source_file"], rest["letter_id"])]]
        if spec.near_copies:
            rest = rest[~rest["near"].isin(gold_near)]
        rest = rest.drop_duplicates("key").drop_duplicates("letter_id").copy()
        rest["net_hit"] = rest["key"].str.contains(NET)
        rand = rest.sample(n=n_random, random_state=spec.seed).assign(how_selected="random")
        picked.append(rand)
        if n_pool:
            pool = rest.drop(rand.index).sample(n=min(n_pool, len(rest) - n_random), random_state=spec.seed + 1)
            hits = pool[pool["net_hit"]]
            if spec.net_cap is not None and len(hits) > spec.net_cap:
                hits = hits.sample(n=spec.net_cap, random_state=spec.seed + 2)
            picked.append(hits.assign(how_selected="net"))
    return pd.concat(picked, ignore_index=True).sample(frac=1.0, random_state=spec.seed)


def main(spec: Draw, out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    chosen = draw(spec)
    chosen[["source_file", "letter_id", "how_selected", "net_hit"]].to_csv(out / "selection.csv", index=False)
    with open(out / f"{spec.name}.txt", "w", encoding="utf-8") as fh:
        for row in chosen.itertuples():
            fh.write(f"=== {row.source_file} | {row.letter_id}\n{row.key}\n\n")
    counts = chosen.groupby(["source_file", "how_selected"]).size().to_dict()
    print(f"{spec.name}: {len(chosen)} letters {counts}, net hits {int(chosen['net_hit'].sum())}")
