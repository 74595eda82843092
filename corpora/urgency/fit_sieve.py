"""Fit the review band's second reader (`pipeline.urgency.UrgentSieve`) and write `sieve.json`.

It learns from the probe rounds only (`probes5.csv` … `probesLAST.csv`: letters written and
labelled from the rubric by other hands, 36 紧急 and 24 look-alikes a round), never from the real
labelled letters, so every figure on real letters (gold, the shared letters, the benchmark's
leave-one-source-out) is out of sample, and rounds after LAST stay blind to it.

Run: `.venv/bin/python corpora/urgency/fit_sieve.py [LAST] [--hold A-B]` (default 106: rounds 107 on
are unseen; `--hold` leaves a block of rounds out as well, kept for a blind look).
Deterministic: the same rounds give the same file.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pipeline.normalise import to_simplified  # noqa: E402
from pipeline.urgency import SIEVE_PATH, UrgentSieve  # noqa: E402

HERE = Path(__file__).resolve().parent


def probe_letters(last: int, held: range | tuple = ()) -> pd.DataFrame:
    """Every probe round up to `last` but those `held` out, each text as the reader hands it over
    (title。text, simplified)."""
    frames = []
    for path in sorted(HERE.glob("probes*.csv"), key=lambda p: int(p.stem[6:])):
        if int(path.stem[6:]) <= last and int(path.stem[6:]) not in held:
            probes = pd.read_csv(path, dtype=str, keep_default_na=False)
            frames.append(pd.DataFrame({"text": [to_simplified(t) + "。" + to_simplified(x)
                                                  for t, x in zip(probes["title"], probes["text"])],
                                        "urgent": probes["urgency"] == "紧急"}))
    return pd.concat(frames, ignore_index=True)


def main(argv: list[str]) -> int:
    held: range | tuple = ()
    if "--hold" in argv:
        first, _, end = argv.pop(argv.index("--hold") + 1).partition("-")
        argv.remove("--hold")
        held = range(int(first), int(end or first) + 1)
    last = int(argv[0]) if argv else 106
    letters = probe_letters(last, held)
    sieve = UrgentSieve().fit(list(letters["text"]), list(letters["urgent"]))
    sieve.save(SIEVE_PATH)
    print(f"{len(letters)} probe letters (rounds up to {last}"
          + (f", {held.start}-{held.stop - 1} held out" if held else "") + f", {int(letters['urgent'].sum())} 紧急): "
          f"{len(sieve.grams_)} grams -> {SIEVE_PATH} ({SIEVE_PATH.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
