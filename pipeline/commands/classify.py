"""`petition classify`: add issue type, calibrated confidence, top 3 and review flag to letters."""
from __future__ import annotations

from pathlib import Path

from pipeline.commands._inputs import (
    add_headers_argument, add_input_arguments, add_keep_identity_argument, masked_for_export, read_inputs,
)
from pipeline.errors import PetitionError
from pipeline.paths import MODELS_DIR
from pipeline.write import write_table

SUFFIXES = (".csv", ".tsv", ".xlsx", ".parquet")
DEFAULT_MODEL = MODELS_DIR / "default"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "classify", help="classify letters by issue type, with confidence and a review flag",
        description="Add issue_type, issue_confidence (calibrated probability), issue_top3 and needs_review to "
                    "every letter, plus 2nd/3rd-level suggestions from the taxonomy (issue_level2_suggestion, "
                    "issue_level3_suggestion with scores; suggestions, not predictions).",
    )
    add_input_arguments(parser)
    parser.add_argument("--model", default=str(DEFAULT_MODEL), metavar="DIR", help="trained model folder (default: models/default)")
    parser.add_argument("--out", required=True, metavar="FILE", help="output file: .csv, .tsv, .xlsx or .parquet")
    parser.add_argument("--taxonomy", metavar="FILE", help="3-level taxonomy CSV/XLSX for the suggestions (default: corpora/taxonomy/taxonomy.csv)")
    add_headers_argument(parser)
    add_keep_identity_argument(parser)
    parser.add_argument("--no-suggestions", action="store_true", help="skip the 2nd/3rd-level suggestions")
    parser.set_defaults(func=run)


def run(args) -> int:
    from pipeline.classify import IssueClassifier
    from pipeline.taxonomy import Taxonomy

    out = Path(args.out)
    if out.suffix.lower() not in SUFFIXES:
        raise PetitionError(f"--out {out}: use a file name ending in {', '.join(SUFFIXES)}")
    model = IssueClassifier.load(args.model)  # a bad model fails before the slow read
    model.progress = True
    taxonomy = None if args.no_suggestions else Taxonomy.load(args.taxonomy)
    result = read_inputs(args)
    classified = model.classify(result.letters)
    if taxonomy is not None and len(classified):
        if taxonomy.coverage_of(model.classes_) == 0:
            print("note: the taxonomy knows none of the model's classes; no 2nd/3rd-level suggestions")
        classified = taxonomy.add_suggestions(classified)
    write_table(masked_for_export(classified, args.keep_identity), out, headers=args.headers)
    rejects_path = out.with_name(f"{out.stem}.rejects.csv")
    write_table(result.rejects, rejects_path, headers=args.headers)
    if len(classified):
        counts = classified["issue_type"].value_counts()
        print(f"classified {len(classified)} letters: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        print(f"{int(classified['needs_review'].sum())} need review (confidence below {model.review_threshold_:.3f})")
    print(f"wrote {out} and {rejects_path} ({len(result.rejects)} rejected rows)")
    return 0
