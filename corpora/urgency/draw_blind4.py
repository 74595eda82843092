"""Draw the fourth blind split (`gold_blind4.csv`): the parameters of `draw_blind.py`.

50 random TipDM letters + 20 random Qingdao valid calls, plus the net hits in a further seeded pool
of 400 TipDM letters (cut to a seeded 110) and 200 Qingdao calls. Weighted to the net because 紧急
letters are rare (about 3% of TipDM letters, none of Qingdao's random calls so far): a recall figure
needs them. Excludes every gold file's letters, blind2's and blind3's included.

Run: `.venv/bin/python corpora/urgency/draw_blind4.py OUT_DIR` (needs ../shared/data).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from draw_blind import Draw, main  # noqa: E402

BLIND4 = Draw(name="blind4", seed=20261202, tipdm_random=50, tipdm_pool=400, qingdao_random=20, qingdao_pool=200,
              net_cap=110)

if __name__ == "__main__":
    main(BLIND4, sys.argv[1] if len(sys.argv) > 1 else "blind4_batch")
