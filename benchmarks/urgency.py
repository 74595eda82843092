"""Urgency grading benchmark: ours vs a plain keyword match, on the gold set and the sample corpus.

Prints precision / recall / F1 per level, macro-F1 and the confusion matrix side by side for
- `rules`: the lexicon rules alone;
- `ours`: rules + the learned 较急/一般 refiner, scored out of fold (5-fold CV over the whole gold
  set: the shipped refiner was fitted on these letters, so in-sample figures would flatter it);
- `keyword`: a plain keyword match on the same lexicon;
per split and over all splits, then letters/s over all ~10,000 shared letters.
Run: `.venv/bin/python benchmarks/urgency.py`. The gold set (corpora/urgency/gold.csv) names real
letters in ../shared/data/tipdm2020c.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # run as a script: benchmarks/ holds a tokenize.py that would shadow the standard library's
    sys.path[0:1] = [str(Path(__file__).resolve().parents[1])]

import time  # noqa: E402

import pandas as pd  # noqa: E402
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support  # noqa: E402

from pipeline.normalise import clean_text  # noqa: E402
from pipeline.paths import CORPORA_DIR, SAMPLE_DIR, SHARED_DATA_DIR  # noqa: E402
from pipeline.urgency import LEVELS, PressingRefiner, UrgencyGrader  # noqa: E402

GOLD = CORPORA_DIR / "urgency" / "gold.csv"
SHARED_FILES = ("hot_messages.xlsx", "replies.xlsx", "unlabeled_messages.xlsx", "labeled_sample.xlsx")


def load_shared_letters(data_dir: Path = SHARED_DATA_DIR) -> pd.DataFrame:
    """All shared letters as source_file, letter_id, title, text (cleaned like the pipeline does)."""
    frames = []
    for name in SHARED_FILES:
        raw = pd.read_excel(data_dir / name, dtype={"留言编号": str})
        frames.append(pd.DataFrame({
            "source_file": name,
            "letter_id": raw["留言编号"].astype(str),
            "title": raw["留言主题"].astype(str).map(clean_text),
            "text": raw["留言详情"].astype(str).map(clean_text),
        }))
    return pd.concat(frames, ignore_index=True)


class KeywordBaseline:
    """What a keyword list alone does: any 紧急 pattern -> 紧急, else any 较急 pattern -> 较急."""

    def __init__(self, grader: UrgencyGrader):
        grader._ensure_fitted()
        self.urgent = [c.pattern for c in grader.cues_ if c.level == "紧急"]
        self.pressing = [c.pattern for c in grader.cues_ if c.level == "较急"]
        self.grader = grader

    def predict(self, letters: pd.DataFrame) -> list[str]:
        out = []
        for text in self.grader.letter_texts(letters):
            if any(p.search(text) for p in self.urgent):
                out.append("紧急")
            elif any(p.search(text) for p in self.pressing):
                out.append("较急")
            else:
                out.append("一般")
        return out


def out_of_fold(grader: UrgencyGrader, texts: list[str], truth: list[str], folds: int = 5, seed: int = 0) -> list[str]:
    """Rules + a refiner fitted on the other folds only: honest figures for the learned part."""
    from sklearn.model_selection import StratifiedKFold

    rules = [grader.grade_rules(t) for t in texts]
    predicted = [r["urgency"] for r in rules]
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, truth):
        refiner = PressingRefiner().fit([texts[i] for i in train], [rules[i] for i in train], [truth[i] for i in train])
        for i in test:
            predicted[i] = refiner.refine(texts[i], rules[i])["urgency"]
    return predicted


def report(name_pred: dict[str, list[str]], truth: list[str]) -> None:
    labels = list(LEVELS)
    names = list(name_pred)
    print(f"{'level':<6}" + "".join(f"{n + ' P':>11}{n + ' R':>11}{n + ' F1':>11}" for n in names) + f"{'support':>9}")
    stats = {n: precision_recall_fscore_support(truth, p, labels=labels, zero_division=0) for n, p in name_pred.items()}
    for i, level in enumerate(labels):
        row = f"{level:<6}"
        for n in names:
            p, r, f, s = stats[n]
            row += f"{p[i]:>11.3f}{r[i]:>11.3f}{f[i]:>11.3f}"
        print(row + f"{int(stats[names[0]][3][i]):>9}")
    print("macro-F1  " + "   ".join(f"{n}: {f1_score(truth, p, labels=labels, average='macro', zero_division=0):.3f}" for n, p in name_pred.items()))
    for n, p in name_pred.items():
        matrix = confusion_matrix(truth, p, labels=labels)
        print(f"confusion ({n}; rows = truth {'/'.join(labels)}, columns = predicted)")
        for level, row in zip(labels, matrix):
            print(f"  {level:<4}" + "".join(f"{v:>6}" for v in row))


def main() -> int:
    grader = UrgencyGrader().fit()
    baseline = KeywordBaseline(grader)
    if not (SHARED_DATA_DIR / "hot_messages.xlsx").exists():
        print(f"shared letters not found at {SHARED_DATA_DIR}; gold-set figures skipped")
        letters = None
    else:
        letters = load_shared_letters()
        gold = pd.read_csv(GOLD, dtype=str)
        rows = gold.merge(letters.drop_duplicates(["source_file", "letter_id"]), on=["source_file", "letter_id"], how="left")
        missing = int(rows["text"].isna().sum())
        texts = grader.letter_texts(rows[["title", "text"]].fillna(""))
        rows["rules"] = [grader.grade_rules(t)["urgency"] for t in texts]
        rows["ours"] = out_of_fold(grader, texts, list(rows["urgency"]))
        rows["keyword"] = baseline.predict(rows[["title", "text"]].fillna(""))
        if "split" not in rows.columns:
            rows["split"] = "dev"
        parts = [("test2", "labelled blind, measured once with frozen rules and refiner (README has that first look)"),
                 ("test", "held out until the last session's bug fixes, then studied"),
                 ("dev3", "held out once, then used for error analysis"),
                 ("dev2", "held out once, then used for error analysis"),
                 ("dev", "the rules were written against these"), (None, "all")]
        for split, what in parts:
            part = rows if split is None else rows[rows["split"] == split]
            if part.empty:
                continue
            counts = part["urgency"].value_counts().reindex(LEVELS).fillna(0).astype(int)
            print(f"\n== gold set, {split or 'all splits'} ({what}): {len(part)} real letters "
                  f"({', '.join(f'{k} {v}' for k, v in counts.items())}; {missing} not found overall)")
            report({"rules": list(part["rules"]), "ours": list(part["ours"]), "keyword": list(part["keyword"])}, list(part["urgency"]))
    truth_path = SAMPLE_DIR / "truth.csv"
    if truth_path.exists():
        truth = pd.read_csv(truth_path, dtype=str)
        if "urgency" in truth.columns:
            from pipeline.read import read_letters
            sample = read_letters([p for p in sorted(SAMPLE_DIR.iterdir()) if p.name != truth_path.name and p.suffix in (".csv", ".xlsx", ".jsonl", ".tsv", ".parquet")]).letters
            truth = truth.rename(columns={"source_id": "letter_id", "urgency": "truth"})
            joined = sample.merge(truth[["letter_id", "truth"]].drop_duplicates("letter_id"), on="letter_id", how="inner")
            joined = joined[joined["truth"].isin(LEVELS)]
            print(f"\n== bundled sample corpus (corpora/sample): {len(joined)} letters with a truth urgency "
                  "(ours = rules + the shipped refiner, which never saw these letters)")
            if len(joined):
                report({"rules": [grader.grade_rules(t)["urgency"] for t in grader.letter_texts(joined)],
                        "ours": list(grader.transform(joined)["urgency"]), "keyword": baseline.predict(joined)}, list(joined["truth"]))
    else:
        print("\n(corpora/sample/truth.csv not present: sample-corpus figures skipped)")
    if letters is not None:
        start = time.perf_counter()
        graded = grader.transform(letters)
        seconds = time.perf_counter() - start
        print(f"\n== speed: {len(letters)} shared letters graded (rules + refiner) in {seconds:.1f} s = {len(letters) / seconds:.0f} letters/s (1 core)")
        print("levels on all shared letters: " + ", ".join(f"{k} {v}" for k, v in graded["urgency"].value_counts().reindex(LEVELS).items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
