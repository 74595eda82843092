"""Draw the thirtieth blind split (`gold_blind30.csv`): the parameters of `draw_blind.py`.

100 random TipDM letters (no Qingdao call: every valid call left is a near-copy of a labelled one), plus the net hits in a further seeded pool
of 2,500 TipDM letters (cut to a seeded 200). Drawn at stop 33 after blind29, the same way, on the same grader (b499b3b), without any letter seen in a regression diff (seen_in_diffs.csv), read in two halves by two readers, so its
first look adds a larger sample of letters nobody had read. Excludes every gold file's
letters, blind2's to blind29's included, and their near-copies: the
same first 30 characters of cleaned text.

Run: `.venv/bin/python corpora/urgency/draw_blind30.py OUT_DIR` (needs ../shared/data).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from draw_blind import Draw, main  # noqa: E402

BLIND30 = Draw(name="blind30", seed=20261230, tipdm_random=100, tipdm_pool=2500, qingdao_random=0, qingdao_pool=0,
              net_cap=200, near_copies=True, exclude_seen=True,
              seen_rows=254)

if __name__ == "__main__":
    main(BLIND30, sys.argv[1] if len(sys.argv) > 1 else "blind30_batch")
