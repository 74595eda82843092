"""Where should the second reader's short line stand? Every probe round's first look, pooled.

Why: the second readers (`sieve.json`, `sieve_probes.json`) have not been refitted since stop 63, so
their score of a probe text is the score it had at that round's first look, and each round stores
what the grader of its day decided then (`first_look`, `corpora/urgency/probesN.csv`). For a lower
short line than the shipped one, this counts the texts of `urgent_min_chars`-`short_chars` - 1
characters that the grader of the day left below 紧急 and that the line would have made 紧急: the 紧急
texts it would have found, the look-alikes it would have promoted, and in how many waves (four
rounds) such a look-alike occurs. Rounds FIRST-LAST, both written after the readers were fitted.
The line must also stay above every real letter of that length below 紧急: `sieve_short_loso.py`.
Counts only: no text is printed.

Run: `.venv/bin/python corpora/urgency/short_line_pool.py [FIRST] [LAST]` (default 151 to the last round).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pipeline.normalise import to_simplified  # noqa: E402
from pipeline.urgency import UrgencyGrader  # noqa: E402

HERE = Path(__file__).resolve().parent
CANDIDATES = (0.90, 0.89, 0.88, 0.87, 0.86, 0.85)


def first_looks(first: int, last: int) -> pd.DataFrame:
    frames = []
    for n in range(first, last + 1):
        path = HERE / f"probes{n}.csv"
        if path.exists():
            probes = pd.read_csv(path, dtype=str, keep_default_na=False)
            frames.append(pd.DataFrame({
                "round": n, "urgent": probes["urgency"] == "紧急", "first": probes["first_look"],
                "text": [to_simplified(t) + "。" + to_simplified(x) for t, x in zip(probes["title"], probes["text"])]}))
    return pd.concat(frames, ignore_index=True)


def main(argv: list[str]) -> int:
    rounds = [int(p.stem[6:]) for p in HERE.glob("probes*.csv")]
    first, last = (int(a) for a in (argv + ["151", str(max(rounds))][len(argv):]))
    sieve = UrgencyGrader(refiner=None).fit().sieve_
    letters = first_looks(first, last)
    length = letters["text"].str.strip().str.len()
    letters = letters[(letters["first"] != "紧急") & (length >= sieve.urgent_min_chars) & (length < sieve.short_chars)]
    letters = letters.assign(p=[p or 0.0 for p in sieve.probabilities(list(letters["text"]))])
    shipped = sieve.short_urgent_threshold
    print(f"rounds {first}-{last}: texts of {sieve.urgent_min_chars}-{sieve.short_chars - 1} characters the grader "
          f"of the day left below 紧急 at the first look: {len(letters)}; shipped short line {shipped:g}")
    for line in sorted({*CANDIDATES, shipped}, reverse=True):
        low, high = min(line, shipped), max(line, shipped)
        moved = letters[(letters["p"] >= low) & (letters["p"] < high)]
        sign = "+" if line < shipped else "-"
        waves = moved.loc[~moved["urgent"], "round"].sub(first).floordiv(4).nunique()
        print(f"  line {line:g}: 紧急 texts {sign}{int(moved['urgent'].sum())}, look-alikes {sign}{int((~moved['urgent']).sum())} "
              f"(in {waves} waves of four rounds)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
