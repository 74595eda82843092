"""Would other clustering parameters or heat weights find more key issues? Chosen leave-one-source-out.

    .venv/bin/python benchmarks/cluster_params.py [--data DIR]

The clusterer's thresholds and the heat weights were set on a few files. Here they are moved over
every source with a gold set: hot_messages.xlsx (`gold_hot_messages.csv`) and each synthetic file
with a key (`hotspots.KEYED`, invented by other hands). A source's score is the issue's measure: its
key issues found at F1 >= 0.8 within the top 15 by heat. For each source the script picks the
setting that scores best on all the *other* sources (ties: the higher summed F1, then the default)
and prints what that choice gives on the left-out one, beside the default. A change is worth
shipping only when it wins there, on most sources, without the other checks of `hotspots.py`
(pairwise precision, stray letters) getting worse.

- Clustering: each threshold moved to 0.75x and 1.33x in turn, every source refitted (about four
  minutes on two cores).
- Heat: each weight moved to 0.5x-2x in turn (a share never above 1), issues re-ranked without
  re-clustering (`IssueClusterer.rerank`).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import hotspots  # noqa: E402
from pipeline.cluster import IssueClusterer  # noqa: E402
from pipeline.heat import DEFAULT_HEAT_WEIGHTS, SHARE_WEIGHTS  # noqa: E402

CLUSTER_DEFAULTS = {"same_place_sim": 0.12, "weak_place_sim": 0.2, "no_place_sim": 0.45, "assign_sim": 0.35,
                    "split_distance": 0.8, "rejoin_sim": 0.2, "max_place_share": 0.2, "variant_sim": 0.3,
                    "near_dup_sim": 0.6}
HEAT_MOVED = ("letters", "writers", "votes", "recency", "persistence", "concreteness", "burst")


def gold_sets(data: Path) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """Each source with a gold set: (letters, gold with letter_id and gold_issue)."""
    out = {}
    for key in ["hot", *hotspots.KEYED]:
        _, letters = hotspots.read_source(key, data)
        gold = pd.read_csv(hotspots.GOLD, dtype={"letter_id": str}) if key == "hot" else hotspots.key_gold(hotspots.KEYED[key])[1]
        out[key] = (letters, gold)
    return out


def score(table: pd.DataFrame) -> tuple[int, float]:
    """(key issues at F1 >= 0.8 within the top 15, summed F1) of a `hotspots.score_against_gold` table."""
    return hotspots.found_in_top(table), float(table["f1"].fillna(0).sum())


def loso(settings: list[dict], scores: dict[str, list[tuple[int, float]]], sizes: dict[str, int]) -> pd.DataFrame:
    """Per source: the default's score (settings[0]) and the score of the setting best on the other sources."""
    rows = []
    for key in scores:
        others = [tuple(sum(scores[k][i][m] for k in scores if k != key) for m in (0, 1)) for i in range(len(settings))]
        best = max(range(len(settings)), key=lambda i: (*others[i], i == 0))
        rows.append({"source": key, "key_issues": sizes[key], "default": scores[key][0][0], "left_out": scores[key][best][0],
                     "chosen_on_the_others": json.dumps(settings[best], ensure_ascii=False) if best else "default"})
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(hotspots.SHARED_DATA_DIR))
    args = parser.parse_args(argv)
    pd.set_option("display.width", 250)
    sources = gold_sets(Path(args.data))
    sizes = {k: g["gold_issue"].nunique() for k, (_, g) in sources.items()}

    cluster_settings = [{}] + [{name: round(value * f, 3)} for name, value in CLUSTER_DEFAULTS.items() for f in (0.75, 1.33)]
    scores: dict[str, list[tuple[int, float]]] = {k: [] for k in sources}
    fitted = {}
    start = time.process_time()
    for setting in cluster_settings:
        for key, (letters, gold) in sources.items():
            model = IssueClusterer(**setting).fit(letters)
            scores[key].append(score(hotspots.score_against_gold(letters, model, gold)))
            if not setting:
                fitted[key] = model
    table = loso(cluster_settings, scores, sizes)
    totals = {json.dumps(s, ensure_ascii=False) if s else "default": sum(scores[k][i][0] for k in scores)
              for i, s in enumerate(cluster_settings)}
    print(f"== clustering thresholds, each moved alone ({len(cluster_settings)} settings x {len(sources)} sources, "
          f"{time.process_time() - start:.0f} s CPU)")
    print(table.to_string(index=False))
    print(f"all sources: default {table['default'].sum()}, each left out {table['left_out'].sum()} "
          f"of {sum(sizes.values())} key issues")
    print("best settings on all sources: " + "; ".join(f"{s} {n}" for s, n in sorted(totals.items(), key=lambda x: -x[1])[:4]))

    base = dict(DEFAULT_HEAT_WEIGHTS)
    heat_settings = [{}] + [{name: base[name] * f} for name in HEAT_MOVED for f in (0.5, 0.7, 0.85, 1.2, 1.5, 2.0)
                            if not (name in SHARE_WEIGHTS and base[name] * f > 1)]
    scores = {k: [] for k in sources}
    for setting in heat_settings:
        for key, (letters, gold) in sources.items():
            model = fitted[key]
            model.rerank({**base, **setting})
            scores[key].append(score(hotspots.score_against_gold(letters, model, gold)))
    for model in fitted.values():
        model.rerank(base)
    table = loso([{k: round(v, 3) for k, v in s.items()} for s in heat_settings], scores, sizes)
    print(f"\n== heat weights, each moved alone ({len(heat_settings)} settings, re-ranked without re-clustering)")
    print(table.to_string(index=False))
    print(f"all sources: default {table['default'].sum()}, each left out {table['left_out'].sum()} "
          f"of {sum(sizes.values())} key issues")
    return 0


if __name__ == "__main__":
    sys.exit(main())
