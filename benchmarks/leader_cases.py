"""领导包案建议 per source: what the leaders' list holds when a case is a hot issue's letters, whoever
wrote them (stop 37), against a case per writer (before).

A leader takes on a case: one petitioner's matter, or one concentrated problem many people write
about (群体性信访事项). Until stop 37 a case was always one writer's, so on a message board where
every writer writes once the list was the 紧急 letters again, and the writers of one issue filled
several rows. For each source this runs the whole job (`PetitionRun`, the code's own settings,
as of 2026-11-25) and prints, for the whole case table and for the leaders' list (the top
`[lists] leader_cases` cases):
- cases: how many cases the batch makes;
- rows repeating an issue: list rows whose hot issue an earlier row of the list already holds;
- group rows: list rows of five or more writers (集体访), and of two or more;
- letters behind the list: how many letters the list's rows stand for (a leader who takes on the
  list takes on these letters);
- big issues on the list: of the hot issues five or more people wrote about, how many the list
  holds.
- matters split: a writer's letters in no hot issue, of one routed type (the type the router
  used, `routed_type`: the office's class where the file gives one), that fall into more than one case;
- writers on two rows: list rows of one writer whose writer an earlier one-writer row already holds;
- rows naming another type: one-writer list rows whose 事项 is no hot issue and names a type other
  than the one its top letter was routed by (「政法 · 复议申请」 → 住房和城乡建设局).
"Before (per writer)" is the same letters through the same ranker with each letter's hot issue
made its writer's own matter, which is exactly the case key before stop 37 (writer|issue, else
writer|type). "Stop 37" is stop 37's key: the routed type and term dropped, so a case follows
the model's type.

Run: `PYTHONPATH=$PWD .venv/bin/python benchmarks/leader_cases.py [--sources NAME ...]`
(about 1.5 min; needs ../shared/data for all but the bundled corpus).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from pipeline.config import load_settings  # noqa: E402
from pipeline.paths import SHARED_DATA_DIR  # noqa: E402
from pipeline.rank import GROUP_WRITERS, case_keys, leader_list  # noqa: E402
from pipeline.run import PetitionRun  # noqa: E402

DATA = SHARED_DATA_DIR.parent
SOURCES = {
    "sample (bundled)": [ROOT / "corpora" / "sample" / "letters_xinfang.csv", ROOT / "corpora" / "sample" / "hotline_12345.xlsx"],
    "hot_messages": [DATA / "tipdm2020c" / "hot_messages.xlsx"],
    "replies": [DATA / "tipdm2020c" / "replies.xlsx"],
    "beijing12345": [DATA / "more_sources" / "beijing12345_2024.csv"],
    "peoples_gas": [DATA / "more_sources" / "peoples_gas_2022_2023.csv"],
    "qingdao12345": [DATA / "more_sources" / "qingdao12345_two_callers.xlsx"],
}
AS_OF = "2026-11-25"


def per_writer_cases(ranker, letters: pd.DataFrame) -> pd.DataFrame:
    """The case table as it was before stop 37: a hot issue is each writer's own matter."""
    issue = letters["issue_id"].where(letters["issue_id"].notna() & (letters["issue_id"].astype(str) != ""))
    return ranker.cases(letters.drop(columns=["routed_type", "routed_term"])
                        .assign(issue_type=issue.fillna(letters["issue_type"]), issue_id=None))


def stop37_cases(ranker, letters: pd.DataFrame) -> pd.DataFrame:
    """The case table as it was in stop 37: a case follows the model's type, not the routed one."""
    return ranker.cases(letters.drop(columns=["routed_type", "routed_term"]))


def type_figures(cases: pd.DataFrame, letters: pd.DataFrame, keys: pd.Series, limit: int) -> dict:
    """How a case table's matters agree with the type each letter was routed by (module docstring);
    `keys` is each letter's case key under that table's rule."""
    writer = letters["person_id"].fillna(letters["letter_id"])
    own = letters["issue_id"].isna() & ~letters["no_request"].astype(bool)
    routed = letters["routed_type"].fillna(letters["issue_type"]).fillna("未分类")
    split = keys[own].groupby([writer[own], routed[own]]).nunique()
    top_routed = cases["top_letter_id"].map(letters.set_index("letter_id")["routed_type"].fillna("未分类"))
    listed = leader_list(cases, limit)
    alone = listed["writers"] == 1
    named = listed["matter"].str.split(" · ").str[0]
    labelled = listed["matter"].isin(set(letters["hot_issue_label"].dropna()))
    return {"matters split": int((split > 1).sum()),
            "writers on two rows": int(listed.loc[alone, "person_id"].duplicated().sum()),
            "rows naming another type": int((alone & ~labelled & (named != top_routed[listed.index])).sum())}


def list_figures(cases: pd.DataFrame, letters: pd.DataFrame, limit: int) -> dict:
    """The figures of one case table (see the module docstring); `letters` gives each case's issue."""
    issue_of = letters.set_index("letter_id")["issue_id"]
    listed = leader_list(cases, limit)
    issues = listed["top_letter_id"].map(issue_of)
    writers = letters[letters["issue_id"].notna()].groupby("issue_id")["person_id"].nunique()
    big = set(writers[writers >= GROUP_WRITERS].index)
    in_list = set(issues.dropna())
    listed_writers = listed["writers"] if "writers" in listed else pd.Series(1, index=listed.index)
    return {
        "cases": len(cases),
        "rows repeating an issue": int(issues.dropna().duplicated().sum()),
        f"rows of >={GROUP_WRITERS} writers": int((listed_writers >= GROUP_WRITERS).sum()),
        "rows of >=2 writers": int((listed_writers >= 2).sum()),
        "letters behind the list": int(listed["letters"].sum()),
        f"issues of >={GROUP_WRITERS} writers listed": f"{len(big & in_list)}/{len(big)}",
    }


def source_runs(description: str):
    """The settings and, per source the command line names (`--sources`, default all), the whole
    job's run as of AS_OF: yields (settings, name, job, result); a source whose files are missing is
    said and skipped."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sources", nargs="*", default=list(SOURCES), choices=list(SOURCES))
    args = parser.parse_args()
    settings = load_settings()
    settings.values.setdefault("run", {})["as_of"] = AS_OF
    for name in args.sources:
        paths = SOURCES[name]
        if not all(p.exists() for p in paths):
            print(f"{name}: not found ({', '.join(map(str, paths))}), skipped")
            continue
        job = PetitionRun(settings, progress=False)
        with tempfile.TemporaryDirectory() as out:
            result = job.run([str(p) for p in paths], out_dir=out)
        yield settings, name, job, result
        print(f"{name}: {len(result.letters)} letters done", flush=True)


def main() -> None:
    rows, limit = [], 20
    for settings, name, job, result in source_runs(__doc__.splitlines()[0]):
        limit = settings.get("lists", "leader_cases", 20)
        ranker = job.stages_["rank"].ranker()
        letters = result.letters
        by_model = letters.drop(columns=["routed_type", "routed_term"])
        issue = letters["issue_id"].where(letters["issue_id"].notna() & (letters["issue_id"].astype(str) != ""))
        for when, cases, keys in (
                ("before (per writer)", per_writer_cases(ranker, letters),
                 case_keys(by_model.assign(issue_type=issue.fillna(letters["issue_type"]), issue_id=None))),
                ("stop 37", stop37_cases(ranker, letters), case_keys(by_model)),
                ("now", result.cases, case_keys(letters))):
            rows.append({"source": name, "letters": len(letters), "cases by": when, **list_figures(cases, letters, limit),
                         **type_figures(cases, letters, keys, limit)})
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"\n领导包案建议: the top {limit} cases (calls with no request left out, as the sheet does)")
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
