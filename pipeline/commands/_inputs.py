"""Input options every command shares (INPUT..., --encoding, --sheet, --map), and their reading."""
from __future__ import annotations

import sys

from pipeline.read import IngestResult, parse_column_map, read_letters

MAX_PROBLEMS_SHOWN = 20


def add_input_arguments(parser, required: bool = True) -> None:
    parser.add_argument("inputs", nargs="+" if required else "*", metavar="INPUT",
                        help="letter files or folders (csv, tsv, xlsx, jsonl, parquet)")
    parser.add_argument("--encoding", help="text encoding of csv/tsv/jsonl files (default: detect UTF-8, BOM, GB18030)")
    parser.add_argument("--sheet", help="read only this xlsx sheet (default: every sheet)")
    parser.add_argument("--map", action="append", metavar="源列=field", default=[],
                        help="map a source column onto a letters field, e.g. --map 事项内容=text (repeatable)")
    parser.add_argument("--simplified", action="store_true", help="fold Traditional characters to Simplified in title and text")


def read_inputs(args, inputs=None) -> IngestResult:
    """Read the letters the user named and tell them, file by row by column, what went wrong."""
    result = read_letters(
        inputs if inputs is not None else args.inputs,
        encoding=args.encoding,
        sheet=args.sheet,
        column_map=parse_column_map(args.map),
        simplify=args.simplified,
        progress=True,
    )
    report_problems(result)
    return result


def report_problems(result: IngestResult, stream=sys.stderr) -> None:
    """One line per file, column and reason, with the rows it concerns (ranges, not 500 lines)."""
    groups: dict[tuple, list[int]] = {}
    for kind, frame in (("rejected", result.rejects), ("kept", result.warnings)):
        for row in frame.itertuples():
            key = (kind, str(row.source_file), _text(row.column), str(row.reason))
            groups.setdefault(key, [])
            if _text(row.source_row):
                groups[key].append(int(row.source_row))
    for shown, ((kind, source, column, reason), rows) in enumerate(groups.items()):
        if shown == MAX_PROBLEMS_SHOWN:
            print(f"  ... and {len(groups) - shown} more (see rejects.csv and the ingest_warnings column)", file=stream)
            break
        where = source + (f", {_ranges(rows)}" if rows else "") + (f", column {column}" if column else "")
        print(f"  {kind}: {where}: {reason}", file=stream)


def _text(value) -> str:
    return "" if value is None or value != value else str(value)


def _ranges(rows: list[int]) -> str:
    rows = sorted(rows)
    spans, start, end = [], rows[0], rows[0]
    for row in rows[1:]:
        if row == end + 1:
            end = row
            continue
        spans.append((start, end))
        start = end = row
    spans.append((start, end))
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans[:6]) + (" ..." if len(spans) > 6 else "")
    return ("row " if len(rows) == 1 else f"rows ({len(rows)}) ") + text
