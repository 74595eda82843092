"""`petition grade`: every letter with its urgency (紧急/较急/一般), score, cues and evidence."""
from __future__ import annotations

from pathlib import Path

from pipeline.commands._inputs import (
    add_headers_argument, add_input_arguments, add_keep_identity_argument, masked_for_export, read_inputs,
)
from pipeline.errors import PetitionError
from pipeline.urgency import COMPOSE_PATH, LEXICON_PATH, UrgencyGrader
from pipeline.write import write_table

SUFFIXES = (".csv", ".tsv", ".xlsx", ".parquet")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "grade", help="grade urgency (紧急/较急/一般) of every letter, with the cues that fired",
        description="Read letters, grade each one 紧急 / 较急 / 一般 from the cue lexicon read in context "
                    "and its compositional frames (compose.csv), read in context (negation, prevention, reported "
                    "history, quotes), and write every letter with the columns urgency, urgency_score, "
                    "urgency_cues, urgency_evidence and urgency_review (not 紧急, but a person must read it "
                    "today: the grader is unsure). Rejected rows go to "
                    "<out stem>.rejects.csv next to the output.",
    )
    add_input_arguments(parser)
    parser.add_argument("--out", required=True, metavar="FILE", help="output file: .csv, .tsv, .xlsx or .parquet")
    add_headers_argument(parser)
    add_keep_identity_argument(parser)
    parser.add_argument("--lexicon", metavar="CSV", help=f"cue lexicon to use (default: {LEXICON_PATH.name} shipped in corpora/urgency)")
    parser.add_argument("--compose", metavar="CSV",
                        help=f"compositional cues (word classes and frames) to use (default: {COMPOSE_PATH.name} shipped in corpora/urgency)")
    parser.set_defaults(func=run)


def run(args) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in SUFFIXES:
        raise PetitionError(f"--out {out}: use a file name ending in {', '.join(SUFFIXES)}")
    grader = UrgencyGrader(lexicon=args.lexicon, compose=args.compose or "default").fit()  # a bad lexicon fails before the slow read
    result = read_inputs(args)
    graded = grader.transform(result.letters, progress=True)
    write_table(masked_for_export(graded, args.keep_identity), out, headers=args.headers)
    rejects_path = out.with_name(f"{out.stem}.rejects.csv")
    write_table(result.rejects, rejects_path, headers=args.headers)
    counts = graded["urgency"].value_counts()
    print(f"graded {len(graded)} letters: " + ", ".join(f"{level} {int(counts.get(level, 0))}" for level in ("紧急", "较急", "一般"))
          + f"; review band {int(graded['urgency_review'].sum())}")
    print(f"wrote {out} and {rejects_path} ({len(result.rejects)} rejected rows)")
    return 0
