"""Choose the sieve's regularisation on probe waves held out in turn; print what each choice costs on real letters.

Why: the sieve (`pipeline.urgency.UrgentSieve`) is fitted on probe rounds only, so its settings
must be chosen on probe rounds it was not fitted on, and never on the newest rounds kept for a
blind look. Each wave (four rounds: 71-74 … up to LAST) is left out in turn, the sieve is fitted on
the other rounds from 5 to LAST, and the wave's letters are scored. Counted: the wave's 紧急 letters
the rules grade below 紧急 that the sieve is sure enough of for 紧急 (at the C's line, text of 40+
characters) or for the review band (p >= 0.8), and the look-alikes at the line. Then, fitted on all
of 5-LAST: the highest score among the real letters the rules grade below 紧急 (labelled and shared,
40+ characters), which each line must stay above.

Run: `.venv/bin/python corpora/urgency/sieve_waves.py [LAST] [C:LINE ...]`
(default 94 and 2:0.9 4:0.9 8:0.92 16:0.94 32:0.96; about five minutes on 2 cores; needs ../shared/data).
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.urgency import all_shared_letters, load_gold  # noqa: E402  (loaders only)
from pipeline.urgency import UrgencyGrader, UrgentSieve  # noqa: E402

_spec = importlib.util.spec_from_file_location("fit_sieve", Path(__file__).with_name("fit_sieve.py"))
fit_sieve = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fit_sieve)


def scores(sieve: UrgentSieve, texts: list[str]) -> np.ndarray:
    return np.array([np.nan if p is None else p for p in sieve.probabilities(texts)])


def main(argv: list[str]) -> int:
    last = int(argv[0]) if argv and ":" not in argv[0] else 94
    choices = [a for a in argv if ":" in a] or ["2:0.9", "4:0.9", "8:0.92", "16:0.94", "32:0.96"]
    letters = fit_sieve.probe_letters(last)
    rounds = np.repeat(np.arange(5, last + 1), 60)  # every round 5..LAST holds 60 letters
    assert len(rounds) == len(letters), "a probe round without 60 letters"
    rules = UrgencyGrader(sieve=None).fit()
    below = np.array([rules.grade(t)["urgency"] != "紧急" for t in letters["text"]])
    shipped = UrgentSieve()  # its review line and the shortest text it grades 紧急, as the grader uses them
    urgent = letters["urgent"].to_numpy()
    long_ = letters["text"].str.strip().str.len().to_numpy() >= shipped.urgent_min_chars
    real_texts = []
    for frame in (load_gold(), all_shared_letters()):
        graded = rules.transform(frame)
        texts = rules.letter_texts(frame)
        real_texts += [t for t, u in zip(texts, graded["urgency"])
                       if u != "紧急" and len(t.strip()) >= shipped.urgent_min_chars]
    waves = [range(a, a + 4) for a in range(71, last - 2, 4)]
    missed = sum(int((urgent & below & np.isin(rounds, list(w))).sum()) for w in waves)
    print(f"waves {waves[0].start}-{waves[-1].stop - 1} held out in turn: {missed} 紧急 letters the rules miss")
    print("C      line  sure for 紧急  p>=0.8  look-alikes at the line  highest real score (fit on 5-LAST)")
    for choice in choices:
        c, line = (float(x) for x in choice.split(":"))
        found = review = false = 0
        for wave in waves:
            out = np.isin(rounds, list(wave))
            sieve = UrgentSieve(C=c).fit(list(letters["text"][~out]), list(urgent[~out]))
            p = scores(sieve, list(letters["text"][out]))
            u, b, n = urgent[out], below[out], long_[out]
            found += int((u & b & n & (p >= line)).sum())
            review += int((u & b & (p >= shipped.threshold)).sum())
            false += int((~u & b & n & (p >= line)).sum())
        top = np.nanmax(scores(UrgentSieve(C=c).fit(list(letters["text"]), list(urgent)), real_texts))
        print(f"{c:<6g} {line:<5g} {found:>12} {review:>7} {false:>24} {top:>12.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
