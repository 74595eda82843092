"""`petition inspect`: what is in these files, before anything is run on them."""
from __future__ import annotations

from pipeline.commands._inputs import add_input_arguments, read_inputs


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "inspect", help="summarise letter files: rows, mapped columns, date range, rejects",
        description="Read letter files and print, per file, the rows, the columns mapped onto letter fields, "
                    "the date range and what would be rejected. Writes nothing.",
    )
    add_input_arguments(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    result = read_inputs(args)
    letters = result.letters
    for info in result.files:
        print(f"\n{info['file']}")
        if info.get("error"):
            print(f"  unreadable: {info['error']}")
            continue
        print(f"  rows {info['rows']}, letters {info['letters']}, rejected {info['rejects']}")
        mapped = info.get("columns_mapped") or {}
        print("  columns: " + (", ".join(f"{src}→{dst}" for src, dst in mapped.items()) or "none recognised"))
        mine = letters[letters["source_file"] == info["file"]]
        dates = mine["received_at"].dropna()
        if len(dates):
            print(f"  dates: {dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d} ({len(mine) - len(dates)} without a date)")
        if mine["label"].notna().any():
            counts = mine["label"].value_counts()
            print(f"  labels: {len(counts)} classes, " + ", ".join(f"{k} {v}" for k, v in counts.head(8).items()))
        extra = [c for c in mine.columns if c not in _KNOWN and mine[c].notna().any()]
        if extra:
            print("  kept as-is: " + ", ".join(extra))
    summary = result.summary()
    print(f"\ntotal: {summary['rows_read']} rows, {summary['letters']} letters, {summary['rejects']} rejected, "
          f"{summary['warnings']} warnings")
    return 0


from pipeline.read import LETTER_FIELDS, OPTIONAL_FIELDS  # noqa: E402

_KNOWN = set(LETTER_FIELDS) | set(OPTIONAL_FIELDS) | {"ingest_warnings"}
