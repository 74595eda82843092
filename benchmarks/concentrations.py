"""集中问题 per source: what the sheet holds, and how much of it no hot issue or leader's case did.

For each source this runs the whole job (`PetitionRun`, the code's own settings, as of 2026-11-25)
and prints:
- level: whether the letters counted by county or by city (`concentrate.city_level`);
- rows: concentrations of `[lists] concentrated_min_writers` or more writers, and how many letters
  and writers they hold;
- outside hot issues: of those letters, how many are in no hot issue (what the hot-issue sheet
  cannot show: the same kind of problem in many places of one area);
- on the leaders' list: of the top 10 rows' letters, how many the 领导包案建议 list holds;
- the top rows, for judgement: area, matter, writers, letters, 紧急, hot issues.

Run: `PYTHONPATH=$PWD .venv/bin/python benchmarks/concentrations.py [--sources NAME ...]`
(about 1.5 min; needs ../shared/data for all but the bundled corpus).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from benchmarks.leader_cases import source_runs  # noqa: E402
from pipeline import concentrate  # noqa: E402
from pipeline.rank import case_keys, leader_list  # noqa: E402

SHOWN = 10


def figures(letters: pd.DataFrame, cases: pd.DataFrame, min_writers: int, leader: int) -> tuple[dict, pd.DataFrame]:
    """One source's figures (module docstring) and its top rows."""
    table = concentrate.concentrations(letters, min_writers)
    counted = concentrate.counted_letters(letters)
    by_city = counted.attrs.get("by_city")
    counted = counted[counted["_area"] != ""]
    writers = counted.groupby(["_area", "_matter"])["_writer"].transform("nunique")
    held = counted[writers >= min_writers]
    # the top rows' letters: the groups with most writers, then letters (the table's order)
    size = held.groupby(["_area", "_matter"]).agg(w=("_writer", "nunique"), n=("letter_id", "size"))
    top_keys = set(size.sort_values(["w", "n"], ascending=False).head(SHOWN).index)
    top_letters = held[[key in top_keys for key in zip(held["_area"], held["_matter"])]]
    listed = leader_list(cases, leader)["case_id"]
    # a listed case id is its key, or 多人|key for a hot issue several people wrote about
    listed = {c.removeprefix("多人|") for c in listed}
    on_list = int(case_keys(letters).loc[top_letters.index].isin(listed).sum())
    out = {"level": "city" if by_city else "county",
           "rows": len(table), "letters in rows": len(held), "writers in rows": int(held["_writer"].nunique()),
           "outside hot issues": int(held["issue_id"].isna().sum()) if "issue_id" in held else len(held),
           f"top {SHOWN} rows' letters on the leaders' list": f"{on_list}/{len(top_letters)}"}
    return out, table.head(SHOWN)


def main() -> None:
    rows, tops, min_writers = [], {}, 5
    for settings, name, _, result in source_runs(__doc__.splitlines()[0]):
        min_writers = settings.get("lists", "concentrated_min_writers", 5)
        figure, top = figures(result.letters, result.cases, min_writers, settings.get("lists", "leader_cases", 20))
        rows.append({"source": name, "letters": len(result.letters), **figure})
        tops[name] = top
    with pd.option_context("display.width", 220, "display.max_columns", 20, "display.max_colwidth", 40):
        print(f"\n集中问题: rows of >= {min_writers} writers")
        print(pd.DataFrame(rows).to_string(index=False))
        for name, top in tops.items():
            print(f"\n{name}: top {SHOWN}")
            print(top[["area", "matter", "writers", "letters", "urgent_letters", "hot_issues", "department"]].to_string(index=False))


if __name__ == "__main__":
    main()
