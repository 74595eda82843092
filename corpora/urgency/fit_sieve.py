"""Fit the review band's second readers (`pipeline.urgency.UrgentSieve`): `sieve.json` and `sieve_probes.json`.

The grader reads with both (`EitherSieve`: either sure is enough). `sieve.json` learns from two
kinds of letters (`training_letters`):
- the probe rounds 5-LAST (`probes5.csv` …: letters written and labelled from the rubric by other
  hands, 36 紧急 and 24 look-alikes a round); rounds after LAST stay blind to it;
- real letters (stop 60): every labelled letter with its label (`benchmarks.urgency.load_gold`), and
  the shared letters of `sieve_negatives.csv` as not 紧急 (drawn once by `--draw-negatives`: shared
  letters no label covers that the rules grade below 紧急). Fitted on probes alone, the reader
  scored real letters close to its 紧急 line, and each refit on more rounds came closer; real
  letters keep them low. Since it has seen labelled letters, a figure on them is honest only with
  their office left out: `benchmarks/urgency.py` refits it per office (`exclude_office`), and
  `sieve_real_loso.py` measures the choice.

`sieve_probes.json` is the reader as stop 59 shipped it, from probe rounds 5-106 alone
(`--probes-only 106`): it is surer than the first of emergencies written like an ordinary complaint.

Run: `.venv/bin/python corpora/urgency/fit_sieve.py [LAST] [--hold A-B] [--probes-only]` (default
150 since stop 63, 110 before: rounds 151 on are unseen; `--hold` leaves a block of rounds out as well, kept for a blind look;
`--probes-only` writes `sieve_probes.json` from the probe rounds alone). Needs ../shared/data for
the real letters.
`--draw-negatives` rewrites sieve_negatives.csv (the rules of the day decide which letters qualify).
Deterministic: the same rounds and letters give the same file, on any machine (since stop 64 the
grams tied at the 50,000 cut are kept by their order, not by numpy's CPU-dependent sort).
"""
from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pipeline.normalise import to_simplified  # noqa: E402
from pipeline.urgency import PROBE_SIEVE_PATH, SIEVE_PATH, UrgencyGrader, UrgentSieve  # noqa: E402

HERE = Path(__file__).resolve().parent
NEGATIVES = HERE / "sieve_negatives.csv"
LAST = 150
NEGATIVE_COUNT = 6000


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


@lru_cache(maxsize=1)
def _real_letters() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(labelled letters, shared letters no label covers), each with `_text` as the grader reads it
    and `office`. Read once per process (the shared workbooks take ~30 s, and a leave-one-office-out
    refit asks once per office); callers derive new frames and never change these."""
    from benchmarks.urgency import all_shared_letters, load_gold

    reader = UrgencyGrader(sieve=None)
    gold = load_gold()
    gold = gold.assign(_text=reader.letter_texts(gold))
    shared = all_shared_letters()
    shared = shared.assign(_text=reader.letter_texts(shared), office=shared["source"])
    return gold, shared[~shared["_text"].isin(set(gold["_text"]))]


def real_letters(exclude_office: str | None = None) -> pd.DataFrame:
    """The labelled letters with their labels and the shared letters of `sieve_negatives.csv` as not
    紧急, all but `exclude_office`'s (text, urgent, office)."""
    gold, shared = _real_letters()
    drawn = pd.read_csv(NEGATIVES, dtype=str, keep_default_na=False)
    shared = shared.merge(drawn[["source_file", "letter_id"]], on=["source_file", "letter_id"], validate="one_to_one")
    if len(shared) != len(drawn):
        raise SystemExit(f"{NEGATIVES.name}: {len(drawn) - len(shared)} letters not found in the shared data")
    rows = pd.concat([pd.DataFrame({"text": gold["_text"], "urgent": gold["urgency"] == "紧急", "office": gold["office"]}),
                      pd.DataFrame({"text": shared["_text"], "urgent": False, "office": shared["office"]})],
                     ignore_index=True)
    return rows[rows["office"] != exclude_office].reset_index(drop=True) if exclude_office else rows


def training_letters(last: int = LAST, held: range | tuple = (), exclude_office: str | None = None,
                     probes_only: bool = False) -> pd.DataFrame:
    """What the reader is fitted on: probe rounds 5-`last` (but `held`), then the real letters (but
    `exclude_office`'s) unless `probes_only` (text, urgent)."""
    probes = probe_letters(last, held)
    if probes_only:
        return probes
    return pd.concat([probes, real_letters(exclude_office)[["text", "urgent"]]], ignore_index=True)


def scores(sieve: UrgentSieve, texts) -> np.ndarray:
    """P(紧急) per text, 0 for a text too short to read (for the scripts that left an office out)."""
    return np.array([p if p is not None else 0.0 for p in sieve.probabilities(list(texts))])


def draw_negatives(count: int = NEGATIVE_COUNT) -> pd.DataFrame:
    """`count` shared letters no label covers that the rules (the shipped lexicon, no sieve) grade
    below 紧急, drawn at random (seed 0): most real letters are not urgent, and an unlabelled one
    the rules call 紧急 may be."""
    _, shared = _real_letters()
    rules = UrgencyGrader(sieve=None).fit()
    below = shared[rules.transform(shared)["urgency"].to_numpy() != "紧急"]
    drawn = below.sample(min(count, len(below)), random_state=0)
    return drawn[["source_file", "letter_id", "office"]].sort_values(["office", "source_file", "letter_id"])


def main(argv: list[str]) -> int:
    if "--draw-negatives" in argv:
        drawn = draw_negatives()
        drawn.to_csv(NEGATIVES, index=False)
        print(f"{len(drawn)} shared letters -> {NEGATIVES} ({drawn['office'].value_counts().to_dict()})")
        return 0
    held: range | tuple = ()
    if "--hold" in argv:
        first, _, end = argv.pop(argv.index("--hold") + 1).partition("-")
        argv.remove("--hold")
        held = range(int(first), int(end or first) + 1)
    probes_only = "--probes-only" in argv
    argv = [a for a in argv if a != "--probes-only"]
    last = int(argv[0]) if argv else LAST
    letters = training_letters(last, held, probes_only=probes_only)
    sieve = UrgentSieve().fit(list(letters["text"]), list(letters["urgent"]))
    path = PROBE_SIEVE_PATH if probes_only else SIEVE_PATH
    sieve.save(path)
    print(f"{len(letters)} letters (probe rounds up to {last}"
          + (f", {held.start}-{held.stop - 1} held out" if held else "")
          + ("" if probes_only else ", then the real letters") + f"; {int(letters['urgent'].sum())} 紧急): "
          f"{len(sieve.grams_)} grams -> {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
