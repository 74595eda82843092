"""Benchmark the issue clusterer: gold issues on hot_messages.xlsx, speed, growth, top issues.

    .venv/bin/python -m benchmarks.hotspots [--data DIR] [--scale 10 100] [--skip-unlabeled]

(run it as a module: `python benchmarks/hotspots.py` puts benchmarks/ first on sys.path, where
benchmarks/tokenize.py shadows the standard library module of that name.)

For each gold issue (corpora/hotspots/gold_hot_messages.csv) it prints the found issue with the
best F1, its precision / recall / F1 and heat rank; then fit time on the 4,326 letters and on the
letters replicated 10x and 100x (replicas get new letter ids, same writer and text, as if every
letter were re-sent: the near-duplicate step must keep this linear and the issues unchanged); then the top issues on unlabeled_messages.xlsx and on the bundled
sample corpus (with its issue_key truth, when present).
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.cluster import IssueClusterer  # noqa: E402
from pipeline.heat import DEFAULT_HEAT_WEIGHTS  # noqa: E402
from pipeline.paths import CORPORA_DIR, SAMPLE_DIR, SHARED_DATA_DIR  # noqa: E402
from pipeline.read import read_letters  # noqa: E402

GOLD = CORPORA_DIR / "hotspots" / "gold_hot_messages.csv"


def score_against_gold(letters: pd.DataFrame, model: IssueClusterer, gold: pd.DataFrame, key: str = "gold_issue") -> pd.DataFrame:
    """Best-matching found issue per gold issue, with precision, recall, F1 and heat rank."""
    labels, info = model.labels_, model.get_issue_info()
    found = pd.DataFrame({"letter_id": letters["letter_id"].astype(str).to_numpy(), "issue": list(labels)})
    ranks = dict(zip(info["issue_id"], info["heat_rank"])) if len(info) else {}
    ids = dict(enumerate(model.issue_ids_))
    rows = []
    for name, grp in gold.groupby(key):
        truth = set(grp["letter_id"].astype(str))
        best = (0.0, 0.0, 0.0, None)
        cand = found[found["letter_id"].isin(truth) & (found["issue"] >= 0)]["issue"].value_counts()
        for issue, hit in cand.items():
            size = int((found["issue"] == issue).sum())
            p, r = hit / size, hit / len(truth)
            f = 2 * p * r / (p + r)
            if f > best[2]:
                best = (p, r, f, issue)
        issue_id = ids.get(best[3]) if best[3] is not None else None
        rows.append({"gold_issue": name, "gold_size": len(truth), "found_issue": issue_id,
                     "precision": round(best[0], 3), "recall": round(best[1], 3), "f1": round(best[2], 3),
                     "heat_rank": ranks.get(issue_id)})
    return pd.DataFrame(rows).sort_values("gold_size", ascending=False)


def fit(letters: pd.DataFrame, **params) -> tuple[IssueClusterer, float]:
    start = time.perf_counter()
    model = IssueClusterer(**params)
    model.fit(letters)
    return model, time.perf_counter() - start


def replicate(letters: pd.DataFrame, factor: int) -> pd.DataFrame:
    parts = []
    for k in range(factor):
        part = letters.copy()
        part["letter_id"] = part["letter_id"].astype(str) + f"-r{k}"
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def robustness(model: IssueClusterer, letters: pd.DataFrame, gold: pd.DataFrame, top: int = 15, change: float = 0.2) -> pd.DataFrame:
    """Each heat weight moved by -20% and +20% in turn (no re-clustering): which issues enter or
    leave the top 15, and how many gold issues stay matched within it."""
    base = model.heat_weights
    model.rerank(base)
    before = model.get_issue_info().head(top)
    labels = dict(zip(model.get_issue_info()["issue_id"], model.get_issue_info()["label"]))
    rows = []
    try:
        for key, value in DEFAULT_HEAT_WEIGHTS.items():
            for factor in (1 - change, 1 + change):
                weights = dict(base or {})
                moved = value * factor
                if key in ("burst_min_letters", "persistence_months"):
                    moved = max(2, round(moved))
                weights[key] = moved
                try:
                    info = model.rerank(weights)
                except Exception as error:  # e.g. recency above 1
                    rows.append({"weight": key, "value": moved, "note": str(error)})
                    continue
                after = info.head(top)
                gone = sorted(set(before["issue_id"]) - set(after["issue_id"]))
                new = sorted(set(after["issue_id"]) - set(before["issue_id"]))
                table = score_against_gold(letters, model, gold)
                rows.append({"weight": key, "value": round(moved, 3), "left_top15": len(gone),
                             "gold_in_top15": int(((table["f1"] >= 0.8) & (table["heat_rank"] <= top)).sum()),
                             "out": "; ".join(labels[i][:18] for i in gone), "in": "; ".join(labels[i][:18] for i in new)})
    finally:
        model.rerank(base)
    return pd.DataFrame(rows)


def show_top(info: pd.DataFrame, n: int = 10) -> None:
    cols = ["heat_rank", "issue_id", "heat", "n_letters", "n_writers", "first_date", "last_date", "deep_seated", "label"]
    view = info[cols].head(n).copy()
    view["first_date"] = view["first_date"].dt.date
    view["last_date"] = view["last_date"].dt.date
    print(view.to_string(index=False))


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(SHARED_DATA_DIR))
    parser.add_argument("--scale", type=int, nargs="*", default=[10, 100])
    parser.add_argument("--skip-unlabeled", action="store_true")
    args = parser.parse_args(argv)
    pd.set_option("display.width", 200)
    data = Path(args.data)

    letters = read_letters([data / "hot_messages.xlsx"]).letters
    model, seconds = fit(letters)
    info = model.get_issue_info()
    gold = pd.read_csv(GOLD, dtype={"letter_id": str})
    table = score_against_gold(letters, model, gold)
    print(f"== gold issues on hot_messages.xlsx ({len(letters)} letters, {len(info)} issues found, "
          f"{int((model.labels_ >= 0).sum())} letters clustered)")
    labels_of = dict(zip(info["issue_id"], info["label"]))
    table["found_label"] = table["found_issue"].map(labels_of)
    print(table.to_string(index=False))
    ok = ((table["f1"] >= 0.8) & (table["heat_rank"] <= 15)).sum()
    ok_f1 = (table["f1"] >= 0.8).sum()
    print(f"F1 >= 0.8: {ok_f1}/{len(table)}; F1 >= 0.8 and within top 15 by heat: {ok}/{len(table)}")
    print(f"fit time, {len(letters)} letters: {seconds:.1f} s; peak memory so far {peak_mb():.0f} MB")
    print(f"\n== robustness: each heat weight -20% / +20% (defaults {DEFAULT_HEAT_WEIGHTS})")
    print(robustness(model, letters, gold).to_string(index=False))
    print("\n== top 10 issues, hot_messages.xlsx")
    show_top(info)

    for factor in args.scale:
        big = replicate(letters, factor)
        _, secs = fit(big)
        print(f"fit time, {factor}x replicated ({len(big)} letters): {secs:.1f} s; peak memory so far {peak_mb():.0f} MB")

    if not args.skip_unlabeled:
        unl = read_letters([data / "unlabeled_messages.xlsx"]).letters
        m2, secs = fit(unl)
        print(f"\n== top 10 issues, unlabeled_messages.xlsx ({len(unl)} letters, {len(m2.get_issue_info())} issues, {secs:.1f} s)")
        show_top(m2.get_issue_info())
        # few problems repeat there: the top 10 issues of two or more letters, to judge by reading
        m2, secs = fit(unl, min_letters=2)
        print(f"\n== top 10 issues of >= 2 letters, unlabeled_messages.xlsx ({len(m2.get_issue_info())} issues, {secs:.1f} s)")
        show_top(m2.get_issue_info())

    truth_path = SAMPLE_DIR / "truth.csv"
    if truth_path.exists():
        sample = read_letters([SAMPLE_DIR]).letters
        truth = pd.read_csv(truth_path, dtype=str)
        if "letter_id" not in truth.columns and "source_id" in truth.columns:
            truth = truth.rename(columns={"source_id": "letter_id"})
        if "issue_key" in truth.columns and "letter_id" in truth.columns:
            m3, secs = fit(sample)
            big_keys = truth.dropna(subset=["issue_key"])
            big_keys = big_keys[big_keys.groupby("issue_key")["letter_id"].transform("size") >= 3]
            t3 = score_against_gold(sample, m3, big_keys, key="issue_key")
            print(f"\n== sample corpus ({len(sample)} letters, issue_key groups of >= 3 letters)")
            t3["found_label"] = t3["found_issue"].map(dict(zip(m3.get_issue_info()["issue_id"], m3.get_issue_info()["label"])))
            print(t3.to_string(index=False))
            print(f"F1 >= 0.8: {(t3['f1'] >= 0.8).sum()}/{len(t3)}; {len(m3.get_issue_info())} issues found, {secs:.1f} s")
            show_top(m3.get_issue_info())
    return 0


if __name__ == "__main__":
    sys.exit(main())
