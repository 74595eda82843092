"""Draw the second blind split (`gold_blind2.csv`), as it was drawn: the parameters of `draw_blind.py`.

120 random TipDM letters + 40 random Qingdao valid calls, plus every net hit in a further seeded
pool of 250 TipDM letters (no Qingdao pool, no cap). Redrawing it now gives the same letters, in
the same order: its own gold file is not excluded.

Run: `.venv/bin/python corpora/urgency/draw_blind2.py OUT_DIR` (needs ../shared/data).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from draw_blind import Draw, main  # noqa: E402

BLIND2 = Draw(name="blind2", seed=20261202, tipdm_random=120, tipdm_pool=250, qingdao_random=40, qingdao_pool=0)

if __name__ == "__main__":
    main(BLIND2, sys.argv[1] if len(sys.argv) > 1 else "blind2_batch")
