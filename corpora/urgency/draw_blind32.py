"""Draw the thirty-second blind split (`gold_blind32.csv`): the parameters of `draw_blind.py`.

200 random TipDM letters and the net hits of a further seeded pool of 5,000, drawn at stop 36 after
blind31's labels were stored, the same way and on the same grader (143f289: no grader change followed
blind31), read in two halves by two readers. Excludes every gold file's letters, blind2's to blind31's
included, and their near-copies: the same first 30 characters of cleaned text.

Run: `.venv/bin/python corpora/urgency/draw_blind32.py OUT_DIR` (needs ../shared/data).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from draw_blind import Draw, main  # noqa: E402

BLIND32 = Draw(name="blind32", seed=20261232, tipdm_random=200, tipdm_pool=5000, qingdao_random=0, qingdao_pool=0,
               net_cap=200, near_copies=True, exclude_seen=True,
               seen_rows=254)

if __name__ == "__main__":
    main(BLIND32, sys.argv[1] if len(sys.argv) > 1 else "blind32_batch")
