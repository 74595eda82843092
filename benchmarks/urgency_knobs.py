"""The urgency grader's two global knobs between 较急 and 一般, chosen leave-one-office-out, nested.

Run: PYTHONPATH=$PWD .venv/bin/python benchmarks/urgency_knobs.py   (needs ../shared/data)

The knobs: the 较急 threshold (summed weight of surviving cues) and the refiner (on, with its margin,
or off). For every setting, each office's labelled letters are graded with the refiner fitted on the
other offices (LOSO) and scored by 较急/一般/紧急 macro-F1. A setting chosen on those same four
figures would be tuned on the letters it is scored on, so the choice is nested: for each office, the
setting with the best mean over the *other* offices is the one it gets. Printed: the LOSO table, the
nested choice per office and its score, and today's setting beside it. 紧急 does not move with either
knob (the rules decide it alone).
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # the project root, not this folder: `pipeline` from this checkout
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from benchmarks.urgency import DATA_DIR, load_gold, scores  # noqa: E402
from pipeline.urgency import PressingRefiner, UrgencyGrader  # noqa: E402

THRESHOLDS = (0.4, 0.6, 0.8, 1.0, 1.3)
MARGINS = (0.1, 0.2, 0.3, 0.4, None)  # None: no refiner
TODAY = (1.0, 0.1)


def loso_table(gold) -> dict[tuple, dict[str, float]]:
    """{(threshold, margin): {office: macro-F1 with the refiner fitted on the other offices}}."""
    offices, truth = list(gold["office"]), list(gold["urgency"])
    table: dict[tuple, dict[str, float]] = {}
    for threshold in THRESHOLDS:
        grader = UrgencyGrader(refiner=None, pressing_threshold=threshold).fit()
        texts = grader.letter_texts(gold)
        rules = [grader.grade_rules(t, winter=w) for t, w in zip(texts, grader.winter_flags(gold))]
        for held in sorted(set(offices)):
            train = [i for i, o in enumerate(offices) if o != held]
            test = [i for i, o in enumerate(offices) if o == held]
            refiner = PressingRefiner().fit([texts[i] for i in train], [rules[i] for i in train],
                                            [truth[i] for i in train])
            for margin in MARGINS:
                if margin is None:
                    said = [rules[i]["urgency"] for i in test]
                else:
                    refiner.margin = margin
                    said = [refiner.refine(texts[i], rules[i])["urgency"] for i in test]
                table.setdefault((threshold, margin), {})[held] = scores([truth[i] for i in test], said)["macro"]
    return table


def main() -> int:
    if not (DATA_DIR / "more_sources").exists():
        print(f"shared letters not found at {DATA_DIR}: nothing to measure")
        return 0
    table = loso_table(load_gold())
    offices = sorted(next(iter(table.values())))
    print("较急/一般/紧急 macro-F1, refiner fitted on the other offices (LOSO); margin '-' = no refiner")
    print(f"{'threshold':>9} {'margin':>6} " + " ".join(f"{o:>13}" for o in offices) + "     mean")
    for (threshold, margin), row in table.items():
        mark = "  <- today" if (threshold, margin) == TODAY else ""
        print(f"{threshold:>9} {margin if margin is not None else '-':>6} "
              + " ".join(f"{row[o]:>13.3f}" for o in offices) + f" {sum(row.values()) / len(row):>8.3f}{mark}")
    print("\nnested: each office gets the setting best on the other three offices")
    nested, today = [], []
    for office in offices:
        best = max(table, key=lambda k: sum(v for o, v in table[k].items() if o != office))
        nested.append(table[best][office])
        today.append(table[TODAY][office])
        print(f"  {office:<13} chosen {best}: {table[best][office]:.3f} (today {table[TODAY][office]:.3f})")
    print(f"  mean: nested choice {sum(nested) / len(nested):.3f}, today {sum(today) / len(today):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
