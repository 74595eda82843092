"""Whether two `petition run` output folders hold the same files, byte for byte where a file can be.

Run: .venv/bin/python benchmarks/compare_outputs.py REF_DIR NEW_DIR

For speed work on the sinks (issue 19), where every output must stay what it was:
- letters.csv, rejects.csv, report.html: the same bytes;
- letters.parquet: the same frame (columns, dtypes, values);
- triage.xlsx: every part of the zip the same bytes (the sheets' XML, styles, shared strings),
  except docProps/core.xml, which holds the time the workbook was written;
- cases.duckdb: every table the same rows, except the columns that hold a run's id or a clock
  time (run_id, first_run, last_run, updated_run, started_at, finished_at, created_at, merged_at).
Prints one line per file and `IDENTICAL` or the number of files that differ.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # the project root, not this folder: `pipeline` from this checkout
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import zipfile  # noqa: E402

import pandas as pd  # noqa: E402

RUN_COLUMNS = {"run_id", "first_run", "last_run", "updated_run", "started_at", "finished_at", "created_at",
               "merged_at"}


def same_bytes(a: Path, b: Path) -> str:
    return "same bytes" if a.read_bytes() == b.read_bytes() else "DIFFERENT bytes"


def same_parquet(a: Path, b: Path) -> str:
    x, y = pd.read_parquet(a), pd.read_parquet(b)
    try:
        pd.testing.assert_frame_equal(x, y)
    except AssertionError as error:
        return f"DIFFERENT frame: {str(error).splitlines()[0:3]}"
    return f"same frame {x.shape}"


def same_workbook(a: Path, b: Path) -> str:
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        names = sorted(n for n in za.namelist() if n != "docProps/core.xml")
        if names != sorted(n for n in zb.namelist() if n != "docProps/core.xml"):
            return "DIFFERENT parts"
        differ = [n for n in names if za.read(n) != zb.read(n)]
    return f"DIFFERENT parts {differ[:5]}" if differ else f"same parts ({len(names)}, core.xml aside)"


def same_store(a: Path, b: Path) -> str:
    import duckdb

    with duckdb.connect(str(a), read_only=True) as ca, duckdb.connect(str(b), read_only=True) as cb:
        tables = [t for (t,) in ca.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        differ = []
        for table in tables:
            columns = [c for (c,) in ca.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table]).fetchall() if c not in RUN_COLUMNS]
            query = f"SELECT {', '.join(columns)} FROM {table} ORDER BY ALL"
            if ca.execute(query).fetchall() != cb.execute(query).fetchall():
                differ.append(table)
    return f"DIFFERENT tables {differ}" if differ else f"same rows in {len(tables)} tables (run ids and times aside)"


CHECKS = {"letters.csv": same_bytes, "rejects.csv": same_bytes, "report.html": same_bytes,
          "letters.parquet": same_parquet, "triage.xlsx": same_workbook, "cases.duckdb": same_store}


def main() -> None:
    if len(sys.argv) != 3:  # `make benchmarks` runs every file here without arguments: a tool, not a figure
        print(__doc__.split("\n\n")[1])
        return
    ref, new = Path(sys.argv[1]), Path(sys.argv[2])
    different = 0
    for name, check in CHECKS.items():
        if not (ref / name).exists() or not (new / name).exists():
            print(f"{name}: missing in {'ref' if not (ref / name).exists() else 'new'}")
            different += 1
            continue
        verdict = check(ref / name, new / name)
        different += verdict.startswith("DIFFERENT")
        print(f"{name}: {verdict}")
    print("IDENTICAL" if different == 0 else f"{different} files differ")


if __name__ == "__main__":
    main()
