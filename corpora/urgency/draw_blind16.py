"""Draw the sixteenth blind split (`gold_blind16.csv`): the parameters of `draw_blind.py`.

70 random TipDM letters (no Qingdao call: every valid call left is a near-copy of a labelled one), plus the net hits in a further seeded pool
of 400 TipDM letters (cut to a seeded 120). Drawn after stop 26's literal-rubric frames and blind15's fixes, so its
first look says whether they carry to letters nobody had read. Excludes every gold file's
letters, blind2's to blind15's included, and their near-copies: the
same first 30 characters of cleaned text.

Run: `.venv/bin/python corpora/urgency/draw_blind16.py OUT_DIR` (needs ../shared/data).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from draw_blind import Draw, main  # noqa: E402

BLIND16 = Draw(name="blind16", seed=20261216, tipdm_random=70, tipdm_pool=400, qingdao_random=0, qingdao_pool=0,
              net_cap=120, near_copies=True)

if __name__ == "__main__":
    main(BLIND16, sys.argv[1] if len(sys.argv) > 1 else "blind16_batch")
