"""Routing against readers: the department the router gives each letter of the routing golds
(`corpora/routing/gold_routing*.csv`, drawn by `corpora/routing/draw_routing_gold.py`), per source.

Readers named the department that should handle each letter, and one more a reasonable dispatcher
could pick (`also_ok`), from the letter alone and a division-of-work guide, without seeing the
router's answer. A letter counts as routed right when the router's department is either; "office"
also counts the right office with another section (住房和城乡建设局 for its 物业科).

Each code version runs in its own process, as `petition run` does: the file read by the reader,
classify (model and taxonomy suggestions) and route, built from the code's own default settings.

Run: `PYTHONPATH=$PWD .venv/bin/python benchmarks/routing.py [--code DIR ...]` (DIR: another
checkout, e.g. `git worktree add /tmp/before f5b32a9`; default: this one). Needs ../shared/data.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from pipeline.paths import SHARED_DATA_DIR  # noqa: E402

GOLD = ROOT / "corpora" / "routing" / "gold_routing.csv"  # the first; main() scores every gold_routing*.csv
DATA = SHARED_DATA_DIR.parent
FILES = {"hot_messages.xlsx": "tipdm2020c/hot_messages.xlsx", "replies.xlsx": "tipdm2020c/replies.xlsx",
         "unlabeled_messages.xlsx": "tipdm2020c/unlabeled_messages.xlsx",
         "labeled_sample.xlsx": "tipdm2020c/labeled_sample.xlsx",
         "beijing12345_2024.csv": "more_sources/beijing12345_2024.csv",
         "peoples_gas_2022_2023.csv": "more_sources/peoples_gas_2022_2023.csv",
         "qingdao12345_two_callers.xlsx": "more_sources/qingdao12345_two_callers.xlsx"}

# runs inside the checkout measured: only APIs every version since stop 30 has
ROUTE_SCRIPT = """
import json, sys
import pandas as pd
from pipeline.config import load_settings
from pipeline.read import read_letters
from pipeline.stages import ClassifyStage, RouteStage
wanted = json.loads(sys.stdin.read())
settings = load_settings()
classify, route = ClassifyStage.from_settings(settings), RouteStage.from_settings(settings)
rows = []
for path, ids in wanted.items():
    letters = read_letters([path]).letters
    letters = letters[letters["letter_id"].astype(str).isin(set(ids))].reset_index(drop=True)
    routed = route.transform(classify.transform(letters))
    rows += [[path, str(i), d] for i, d in zip(routed["letter_id"], routed["department"])]
print(json.dumps(rows, ensure_ascii=False))
"""


def routed(code: Path, gold: pd.DataFrame) -> pd.DataFrame:
    """(source_file, letter_id, routed) for the gold letters, by the checkout at `code`."""
    wanted = {str(DATA / FILES[f]): sorted(g["letter_id"]) for f, g in gold.groupby("source_file")}
    env = dict(os.environ, PYTHONPATH=str(code))
    done = subprocess.run([sys.executable, "-c", ROUTE_SCRIPT], input=json.dumps(wanted), capture_output=True,
                          text=True, cwd=code, env=env, check=True)
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    out = pd.DataFrame(rows, columns=["path", "letter_id", "routed"])
    out["source_file"] = out["path"].map(lambda p: Path(p).name)
    return out.drop(columns="path").drop_duplicates(["source_file", "letter_id"])


def office(name: str) -> str:
    return re.sub(r"\(.*?\)|（.*?）", "", str(name or ""))


def score(gold: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    rows = gold.merge(answers, on=["source_file", "letter_id"], how="left")
    ok = [r in (d, a) for r, d, a in zip(rows["routed"], rows["department"], rows["also_ok"])]
    ok_office = [office(r) in (office(d), office(a)) for r, d, a in zip(rows["routed"], rows["department"], rows["also_ok"])]
    rows = rows.assign(right=ok, right_office=ok_office, missing=rows["routed"].isna())
    table = rows.groupby("source").agg(letters=("right", "size"), right=("right", "mean"),
                                       right_office=("right_office", "mean"), missing=("missing", "sum"))
    table.loc["all"] = [len(rows), rows["right"].mean(), rows["right_office"].mean(), rows["missing"].sum()]
    return table.round(3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", nargs="*", default=[str(ROOT)], help="checkouts to measure (default: this one)")
    args = parser.parse_args(argv)
    for path in sorted(GOLD.parent.glob("gold_routing*.csv")):
        gold = pd.read_csv(path, dtype=str, keep_default_na=False)
        print(f"\n==== {path.name}: {len(gold)} letters, {gold['source'].value_counts().to_dict()}")
        for code in args.code:
            print(f"\n== code: {code}")
            print(score(gold, routed(Path(code), gold)).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
