"""Would the second reader do better fitted on real letters as well as probe rounds? Leave one office out.

Why: until stop 60 the second reader (`pipeline.urgency.UrgentSieve`) learnt from probe rounds
only, and each refit on more rounds raised the real letters' highest score under 紧急 towards its
0.92 line, so the refits were not shipped (stops 58, 59). Real letters as examples (the labelled
ones with their labels, the shared ones of `sieve_negatives.csv` as not 紧急) should keep real
letters low. Each office (tipdm, peoples_gas, beijing12345, qingdao12345) is left out in turn: the
reader is fitted on probe rounds 5-LAST plus the other offices' letters
(`fit_sieve.training_letters`, as the shipped one is fitted), and the office's letters are scored.
Counted, for the reader fitted on probe rounds 5-LAST alone and for that refit alike:
- the probe rounds after LAST up to BLIND (kept unread): their 紧急 letters the rules grade below 紧急
  that the reader makes 紧急 (at its line, 40+ characters) or sends to the review band (p >= 0.8),
  and the look-alikes it makes 紧急 or sends to the band;
- the office's real letters the rules grade below 紧急: labelled 紧急 ones it catches, labelled or
  shared not-紧急 ones it sends to the band, and the highest such score (40+ characters), which
  the 0.92 line must stay above.
Counts only: no letter's text is printed.

Run: `.venv/bin/python corpora/urgency/sieve_real_loso.py [LAST] [BLIND]` (default 110 126; about
ten minutes on 2 cores; needs ../shared/data).
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.normalise import to_simplified  # noqa: E402
from pipeline.urgency import UrgencyGrader, UrgentSieve  # noqa: E402

_spec = importlib.util.spec_from_file_location("fit_sieve", Path(__file__).with_name("fit_sieve.py"))
fit_sieve = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fit_sieve)
scores = fit_sieve.scores

OFFICES = ("beijing12345", "peoples_gas", "qingdao12345", "tipdm")


def held_rounds(grader: UrgencyGrader, first: int, last: int) -> pd.DataFrame:
    rows = []
    for n in range(first, last + 1):
        probes = pd.read_csv(Path(__file__).with_name(f"probes{n}.csv"), dtype=str, keep_default_na=False)
        rows += [(to_simplified(t) + "。" + to_simplified(x), u == "紧急") for t, x, u in
                 zip(probes["title"], probes["text"], probes["urgency"])]
    held = pd.DataFrame(rows, columns=["text", "urgent"]).astype({"urgent": bool})  # none held: LAST = BLIND
    held["rules"] = pd.Series([grader.grade(t)["urgency"] == "紧急" for t in held["text"]], dtype=bool)
    return held


def report(name: str, sieve: UrgentSieve, office: str, held, gold, shared) -> None:
    p, long = scores(sieve, held["text"]), held["text"].str.strip().str.len().to_numpy() >= 40
    missed, urgent = ~held["rules"].to_numpy(), held["urgent"].to_numpy()
    made, band = missed & (p >= sieve.urgent_threshold) & long, missed & (p >= sieve.threshold)
    own, theirs = gold[gold["office"] == office], shared[shared["office"] == office]
    pg, ps = scores(sieve, own["_text"]), scores(sieve, theirs["_text"])
    below, is_urgent = own["_below"].to_numpy(), (own["urgency"] == "紧急").to_numpy()
    quiet = np.r_[pg[below & ~is_urgent & (own["_text"].str.strip().str.len() >= 40).to_numpy()],
                  ps[theirs["_below"].to_numpy() & (theirs["_text"].str.strip().str.len() >= 40).to_numpy()]]
    print(f"{office:13s} {name:8s} | held probes: 紧急 made {int((made & urgent).sum())}, band {int((band & urgent).sum())}; "
          f"look-alikes made {int((made & ~urgent).sum())}, band {int((band & ~urgent).sum())} | "
          f"{office}: rules missed {int((below & is_urgent).sum())} 紧急, reader catches {int((below & is_urgent & (pg >= sieve.threshold)).sum())}; "
          f"not 紧急 sent to the band {int((below & ~is_urgent & (pg >= sieve.threshold)).sum())} labelled + "
          f"{int((theirs['_below'].to_numpy() & (ps >= sieve.threshold)).sum())} shared; "
          f"highest below 紧急 {quiet.max() if len(quiet) else 0:.3f}", flush=True)


def main(argv: list[str]) -> int:
    last, blind = (int(a) for a in (argv + ["110", "126"][len(argv):]))
    grader = UrgencyGrader(sieve=None).fit()
    held = held_rounds(grader, last + 1, blind)
    gold, shared = fit_sieve._real_letters()
    gold = gold.assign(_below=grader.transform(gold)["urgency"].to_numpy() != "紧急")
    shared = shared.assign(_below=grader.transform(shared)["urgency"].to_numpy() != "紧急")
    probes = fit_sieve.training_letters(last, probes_only=True)
    alone = UrgentSieve().fit(list(probes["text"]), list(probes["urgent"]))
    for office in OFFICES:
        report("probes", alone, office, held, gold, shared)
        letters = fit_sieve.training_letters(last, exclude_office=office)
        report("+real", UrgentSieve().fit(list(letters["text"]), list(letters["urgent"])), office, held, gold, shared)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
