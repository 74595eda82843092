"""Urgency grading benchmark: ours vs a plain keyword match, on the gold set and the sample corpus.

Prints precision / recall / F1 per level, macro-F1 and the confusion matrix for both graders side
by side, then letters/s over all ~10,000 shared letters. Run: `.venv/bin/python benchmarks/urgency.py`.
The gold set (corpora/urgency/gold.csv) names real letters in ../shared/data/tipdm2020c.
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
from pipeline.urgency import LEVELS, UrgencyGrader  # noqa: E402

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


def report(name_pred: dict[str, list[str]], truth: list[str]) -> None:
    labels = list(LEVELS)
    names = list(name_pred)
    print(f"{'level':<6}" + "".join(f"{n + ' P':>12}{n + ' R':>12}{n + ' F1':>12}" for n in names) + f"{'support':>9}")
    stats = {n: precision_recall_fscore_support(truth, p, labels=labels, zero_division=0) for n, p in name_pred.items()}
    for i, level in enumerate(labels):
        row = f"{level:<6}"
        for n in names:
            p, r, f, s = stats[n]
            row += f"{p[i]:>12.3f}{r[i]:>12.3f}{f[i]:>12.3f}"
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
        rows["ours"] = list(grader.transform(rows[["title", "text"]].fillna(""))["urgency"])
        rows["keyword"] = baseline.predict(rows[["title", "text"]].fillna(""))
        if "split" not in rows.columns:
            rows["split"] = "dev"
        parts = [("test", "held out until the final bug fixes (see README for its figures at freeze)"),
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
            report({"ours": list(part["ours"]), "keyword": list(part["keyword"])}, list(part["urgency"]))
    truth_path = SAMPLE_DIR / "truth.csv"
    if truth_path.exists():
        truth = pd.read_csv(truth_path, dtype=str)
        if "urgency" in truth.columns:
            from pipeline.read import read_letters
            sample = read_letters([p for p in sorted(SAMPLE_DIR.iterdir()) if p.name != truth_path.name and p.suffix in (".csv", ".xlsx", ".jsonl", ".tsv", ".parquet")]).letters
            truth = truth.rename(columns={"source_id": "letter_id", "urgency": "truth"})
            joined = sample.merge(truth[["letter_id", "truth"]].drop_duplicates("letter_id"), on="letter_id", how="inner")
            joined = joined[joined["truth"].isin(LEVELS)]
            print(f"\n== bundled sample corpus (corpora/sample): {len(joined)} letters with a truth urgency")
            if len(joined):
                report({"ours": list(grader.transform(joined)["urgency"]), "keyword": baseline.predict(joined)}, list(joined["truth"]))
    else:
        print("\n(corpora/sample/truth.csv not present: sample-corpus figures skipped)")
    if letters is not None:
        start = time.perf_counter()
        graded = grader.transform(letters)
        seconds = time.perf_counter() - start
        print(f"\n== speed: {len(letters)} shared letters graded in {seconds:.1f} s = {len(letters) / seconds:.0f} letters/s (1 core)")
        print("levels on all shared letters: " + ", ".join(f"{k} {v}" for k, v in graded["urgency"].value_counts().reindex(LEVELS).items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
