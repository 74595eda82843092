"""How high do real letters below 紧急 score on the second readers, by length, each office left out?

Why: `UrgentSieve` grades a letter 紧急 above a line, one for texts under `short_chars` (80) and one
for longer ones, and each line must stay above every real letter that the rules grade below 紧急
(stops 70, 71). `sieve.json` learnt from the labelled letters themselves, so their scores on it are
in-sample; here each office (beijing12345, peoples_gas, qingdao12345, tipdm) is left out of a refit
in turn (probe rounds 5-150 and the other offices' letters, as `fit_sieve.py` fits the shipped one),
and the office's letters are scored by the pair the grader reads with: the higher of that refit and
the probe-only reader (`sieve_probes.json`, which saw no real letter).

Prints, per office, labelled and shared letters, and length (25-79, 80+): how many the rules grade
below 紧急, the highest score of those not labelled 紧急, how many of them reach each candidate line,
and how many labelled 紧急 letters the rules miss and the reader catches at each line. Counts only:
no letter's text is printed.

Run: `.venv/bin/python corpora/urgency/sieve_short_loso.py` (about three minutes; needs ../shared/data).
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pipeline.urgency import PROBE_SIEVE_PATH, UrgencyGrader, UrgentSieve  # noqa: E402

_spec = importlib.util.spec_from_file_location("fit_sieve", Path(__file__).with_name("fit_sieve.py"))
fit_sieve = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fit_sieve)
scores = fit_sieve.scores

OFFICES = ("beijing12345", "peoples_gas", "qingdao12345", "tipdm")
LINES = (0.86, 0.87, 0.88, 0.90, 0.92)
LENGTHS = ((25, 80), (80, None))


def main() -> int:
    rules = UrgencyGrader(sieve=None).fit()
    gold, shared = fit_sieve._real_letters()
    gold = gold.assign(_below=rules.transform(gold)["urgency"].to_numpy() != "紧急")
    shared = shared.assign(_below=rules.transform(shared)["urgency"].to_numpy() != "紧急")
    probe_only = UrgentSieve.load(PROBE_SIEVE_PATH)
    for office in OFFICES:
        letters = fit_sieve.training_letters(fit_sieve.LAST, exclude_office=office)
        refit = UrgentSieve().fit(list(letters["text"]), list(letters["urgent"]))
        for kind, frame in (("labelled", gold[gold["office"] == office]), ("shared", shared[shared["office"] == office])):
            length = frame["_text"].str.strip().str.len().to_numpy()
            p = np.maximum(scores(refit, frame["_text"]), scores(probe_only, frame["_text"]))
            below = frame["_below"].to_numpy()
            urgent = (frame["urgency"] == "紧急").to_numpy() if kind == "labelled" else np.zeros(len(frame), bool)
            for low, high in LENGTHS:
                rows = below & (length >= low) & (length < (high or np.inf))
                quiet = p[rows & ~urgent]
                span = f"{low}-{high - 1}" if high else f"{low}+"
                print(f"{office:13s} {kind:8s} {span} characters: {int(rows.sum())} below 紧急, "
                      f"highest not 紧急 {quiet.max() if len(quiet) else 0:.3f}; "
                      f"not 紧急 at each line {dict((x, int((quiet >= x).sum())) for x in LINES)}; "
                      f"紧急 the rules miss {int((rows & urgent).sum())}, caught at each line "
                      f"{dict((x, int((rows & urgent & (p >= x)).sum())) for x in LINES)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
