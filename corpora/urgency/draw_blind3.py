"""Draw the third blind split (`gold_blind3.csv`): the parameters of `draw_blind.py`.

80 random TipDM letters + 60 random Qingdao valid calls, plus every net hit in a further seeded
pool of 300 TipDM letters and 250 Qingdao calls (92 + 2 hits, all kept: no cap was needed). Excludes
every gold file's letters, blind2's included.

Run: `.venv/bin/python corpora/urgency/draw_blind3.py OUT_DIR` (needs ../shared/data).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from draw_blind import Draw, main  # noqa: E402

BLIND3 = Draw(name="blind3", seed=20261201, tipdm_random=80, tipdm_pool=300, qingdao_random=60, qingdao_pool=250)

if __name__ == "__main__":
    main(BLIND3, sys.argv[1] if len(sys.argv) > 1 else "blind3_batch")
