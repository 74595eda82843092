"""Options every command shares (INPUT..., --encoding, --sheet, --map; --headers, --keep-identity), and reading."""
from __future__ import annotations

import sys

from pipeline.read import IngestResult, parse_column_map, read_letters
from pipeline.write import HEADER_CHOICES, text_columns

MAX_PROBLEMS_SHOWN = 20


def add_input_arguments(parser, required: bool = True) -> None:
    parser.add_argument("inputs", nargs="+" if required else "*", metavar="INPUT",
                        help="letter files or folders (csv, tsv, xlsx, jsonl, parquet)")
    parser.add_argument("--encoding", help="text encoding of csv/tsv/jsonl files (default: detect UTF-8, BOM, GB18030)")
    parser.add_argument("--sheet", help="read only this xlsx sheet (default: every sheet)")
    parser.add_argument("--map", action="append", metavar="源列=field", default=[],
                        help="map a source column onto a letters field, e.g. --map 事项内容=text (repeatable)")
    parser.add_argument("--simplified", action="store_true", help="fold Traditional characters to Simplified in title and text")


def add_headers_argument(parser, default: str | None = "zh") -> None:
    """People read 信件编号; scripts need letter_id. Parquet always keeps the snake_case names."""
    parser.add_argument("--headers", choices=HEADER_CHOICES, default=default,
                        help="column names in CSV/XLSX outputs: zh (信件编号, 标题, ...) or en (letter_id, "
                             f"title, ...); default {default or 'from the config, zh'}; Parquet is always snake_case")


def add_keep_identity_argument(parser) -> None:
    parser.add_argument("--keep-identity", action="store_true",
                        help="write names, ID numbers and phones unmasked (sensitive: for feeding your own tools only)")


def masked_for_export(frame, keep_identity: bool = False):
    """Identity masked in its columns and inside every text column: a remark column (备注) or an
    unparseable date often holds a phone or an ID number. Id columns (letter_id, 工单编号) stay as
    they are: `mask_frame` exempts them (`pipeline.mask.is_source_id_column`)."""
    if keep_identity:
        return frame
    from pipeline.mask import mask_frame

    return mask_frame(frame, text_columns=text_columns(frame))


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


def report_problems(result: IngestResult, stream=None) -> None:
    for line in result.problem_lines(MAX_PROBLEMS_SHOWN):
        print(line, file=stream or sys.stderr)
