"""`petition ingest`: letters from any files into one table plus a rejects file."""
from __future__ import annotations

from pathlib import Path

from pipeline.commands._inputs import (
    add_headers_argument, add_input_arguments, add_keep_identity_argument, masked_for_export, read_inputs,
)
from pipeline.write import write_table


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "ingest", help="read letter files into DIR/letters.parquet and DIR/rejects.csv",
        description="Read letters (csv, tsv, xlsx, jsonl, parquet; files or folders), map their columns, "
                    "clean the text and write DIR/letters.parquet; unusable rows go to DIR/rejects.csv with the reason.",
    )
    add_input_arguments(parser)
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder")
    add_keep_identity_argument(parser)
    add_headers_argument(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    result = read_inputs(args)
    out = Path(args.out)
    letters = masked_for_export(result.letters, args.keep_identity)
    write_table(letters, out / "letters.parquet")
    write_table(result.rejects, out / "rejects.csv", headers=args.headers)
    summary = result.summary()
    print(f"read {summary['rows_read']} rows from {summary['files']} file(s): "
          f"{summary['letters']} letters, {summary['rejects']} rejected, {summary['warnings']} kept with warnings")
    print(f"wrote {out / 'letters.parquet'} ({'identity kept: handle as sensitive' if args.keep_identity else 'identity masked'}) "
          f"and {out / 'rejects.csv'}")
    return 0
