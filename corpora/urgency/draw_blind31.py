"""Draw the thirty-first blind split (`gold_blind31.csv`): the parameters of `draw_blind.py`.

200 random TipDM letters (no Qingdao call: every valid call left is a near-copy of a labelled one),
plus the net hits in a further seeded pool of 5,000 TipDM letters (cut to a seeded 200). Drawn at
stop 36 on the grader of 143f289 (blind30's grader plus stop 35's 停供 lexicon row), twice blind30's
random sample because the pool left after 30 splits holds few net hits; without any letter seen in a
regression diff (seen_in_diffs.csv), read in two halves by two readers. Excludes every gold file's
letters, blind2's to blind30's included, and their near-copies: the same first 30 characters of
cleaned text.

Run: `.venv/bin/python corpora/urgency/draw_blind31.py OUT_DIR` (needs ../shared/data).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from draw_blind import Draw, main  # noqa: E402

BLIND31 = Draw(name="blind31", seed=20261231, tipdm_random=200, tipdm_pool=5000, qingdao_random=0, qingdao_pool=0,
               net_cap=200, near_copies=True, exclude_seen=True,
               seen_rows=254)

if __name__ == "__main__":
    main(BLIND31, sys.argv[1] if len(sys.argv) > 1 else "blind31_batch")
