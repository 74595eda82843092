"""`petition train`: learn issue types from labeled letters and save the model with its card."""
from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import pandas as pd

from pipeline.commands._inputs import add_input_arguments, read_inputs
from pipeline.errors import PetitionError
from pipeline.read import ALIASES, _header_key

# Alternatives when the files' label did not map onto `label` (another office's column name).
LABEL_FALLBACKS = ("一级分类", "诉求类型", "内容分类", "问题分类", "分类", "类别", "issue_type")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "train", help="train the issue-type classifier on labeled letters",
        description="Learn issue types from labeled letters (raw letters or pre-segmented text, any taxonomy) "
                    "and write the model, card.json and README.md into --model DIR. Letters without a label "
                    "are ignored; labels with fewer than --min-class-size letters are left out with a warning. "
                    "With --label-col on a unit column (承办单位, 主办单位, 办理单位) it trains a department model: "
                    "set [routing] model to its folder and `petition run` routes by the office's history.",
    )
    add_input_arguments(parser)
    parser.add_argument("--model", required=True, metavar="DIR", help="folder to write the model into")
    parser.add_argument("--label-col", metavar="COLUMN",
                        help="column holding the issue type (default: the column mapped as label, e.g. 一级分类, 诉求类型)")
    parser.add_argument("--hierarchy-col", metavar="COLUMN",
                        help="a finer label column under --label-col (e.g. 二级分类 under 一级分类): the model learns the "
                             "finer classes and adds them up, where that scores better in cross-validation")
    parser.add_argument("--merge-labels", action="store_true",
                        help="count labels written in several ways (其他/其它, 公安政法/公安政法类) under their most frequent "
                             "spelling; without it they are reported and kept apart")
    parser.add_argument("--class-weight", choices=["auto", "none", "balanced"], default="auto",
                        help="weigh letters alike (none), inversely to their class's size (balanced), or let the internal "
                             "cross-validation choose whichever scores better (auto, the default)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0; same data and seed give the same model)")
    parser.add_argument("--cv-folds", type=int, default=5, help="internal cross-validation folds for calibration and the card (default 5)")
    parser.add_argument("--min-class-size", type=int, default=2, help="labels with fewer letters are left out (default 2)")
    parser.add_argument("--review-precision", type=float, default=0.95,
                        help="needs_review marks letters below the confidence at which held-out letters were right this often (default 0.95)")
    parser.set_defaults(func=run)


def labels_of(letters: pd.DataFrame, label_col: str | None) -> pd.Series:
    """The label column the user meant, or a message that names the columns there are."""
    if label_col:
        if label_col in letters.columns:
            return letters[label_col]
        if ALIASES.get(_header_key(label_col)) == "label" and "label" in letters:
            return letters["label"]  # ingestion mapped that header onto `label`
        shown = [c for c in letters.columns if c not in ("source_file", "source_row", "ingest_warnings")]
        raise PetitionError(f"--label-col {label_col!r} is not a column of the input; columns are: {', '.join(shown)}")
    if "label" in letters and letters["label"].notna().any():
        return letters["label"]
    for name in LABEL_FALLBACKS:
        if name in letters and letters[name].notna().any():
            return letters[name]
    raise PetitionError(
        "no label column found: the input has no 一级分类 / 诉求类型 / 分类 / label column with values; "
        "name it with --label-col COLUMN or --map 列名=label")


def run(args) -> int:
    from pipeline.classify import IssueClassifier

    result = read_inputs(args)
    letters = result.letters
    if letters.empty:
        raise PetitionError(f"empty training set: no letters could be read from {', '.join(args.inputs)}")
    labels = labels_of(letters, args.label_col)
    model = IssueClassifier(random_state=args.seed, cv_folds=args.cv_folds, min_class_size=args.min_class_size,
                            review_precision=args.review_precision, merge_labels=args.merge_labels, progress=True,
                            class_weight=None if args.class_weight == "none" else args.class_weight)
    started = time.time()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        model.fit(letters, labels, sources=letters["source_file"].map(lambda s: Path(str(s)).name),
                  hierarchy=labels_of(letters, args.hierarchy_col) if args.hierarchy_col else None)
    for warning in caught:
        if issubclass(warning.category, UserWarning):
            print(f"warning: {warning.message}", file=sys.stderr)
    sources = [f"{Path(f).name}: {n} letters" for f, n in letters["source_file"].map(lambda s: Path(str(s)).name).value_counts(sort=False).items()]
    rebuild = " ".join(["petition train", *args.inputs, "--model", str(args.model), "--seed", str(args.seed)]
                       + (["--label-col", args.label_col] if args.label_col else [])
                       + (["--hierarchy-col", args.hierarchy_col] if args.hierarchy_col else [])
                       + (["--merge-labels"] if args.merge_labels else [])
                       + [f"--map {m}" for m in args.map]
                       + [f"--{flag} {value}" for flag, value, default in (
                           ("cv-folds", args.cv_folds, 5), ("min-class-size", args.min_class_size, 2),
                           ("review-precision", args.review_precision, 0.95)) if value != default])
    model.save(args.model, training_data=sources, rebuild=rebuild)
    print(f"trained on {model.n_train_} letters, {len(model.classes_)} classes, in {time.time() - started:.0f} s")
    if model.cv_report_:
        print(f"cross-validated macro-F1 {model.cv_report_['macro_f1']:.4f}, accuracy {model.cv_report_['accuracy']:.4f} "
              f"({model.cv_report_['folds']}-fold); needs_review below confidence {model.review_threshold_:.3f}")
        hierarchy = model.cv_report_.get("hierarchy")
        if hierarchy and "flat" in hierarchy:
            print(f"hierarchy ({hierarchy['fine_classes']} finer classes): "
                  f"{'used' if hierarchy['used'] else 'not used'}, cross-validated accuracy "
                  f"{hierarchy['hierarchical']['accuracy']:.4f} against {hierarchy['flat']['accuracy']:.4f} flat")
    print(f"wrote {args.model} (model card: {Path(args.model) / 'README.md'})")
    return 0
