"""`petition evaluate`: score a trained issue-type model on any labeled letters."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.commands._inputs import add_input_arguments, read_inputs
from pipeline.commands.train import labels_of
from pipeline.errors import PetitionError
from pipeline.paths import MODELS_DIR


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="macro-F1, per-class precision/recall/F1 and confusion matrix of a model on labeled letters",
        description="Classify labeled letters with --model and print macro-F1, per-class precision, recall and F1, "
                    "and the confusion matrix. Letters whose label the model does not know are counted apart.",
    )
    add_input_arguments(parser)
    parser.add_argument("--model", default=str(MODELS_DIR / "default"), metavar="DIR", help="trained model folder (default: models/default)")
    parser.add_argument("--label-col", metavar="COLUMN", help="column holding the true issue type (default: the mapped label column)")
    parser.set_defaults(func=run)


def evaluation_report(truth, predicted, confidence, needs_review, classes) -> dict:
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

    truth, predicted = np.asarray(truth, dtype=object), np.asarray(predicted, dtype=object)
    labels = sorted(set(classes) | set(truth))
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    per_class = pd.DataFrame({"precision": p, "recall": r, "f1": f, "letters": s}, index=labels)
    per_class = per_class[per_class["letters"] > 0]
    present = list(per_class.index)
    matrix = pd.DataFrame(confusion_matrix(truth, predicted, labels=labels), index=labels, columns=labels)
    matrix = matrix.loc[present, [c for c in labels if c in present or matrix[c].sum()]]
    correct = truth == predicted
    review = np.asarray(needs_review, dtype=bool)
    return {
        "letters": len(truth),
        "macro_f1": float(f1_score(truth, predicted, labels=present, average="macro", zero_division=0)),
        "accuracy": float(correct.mean()),
        "per_class": per_class,
        "confusion": matrix,
        "flagged": int(review.sum()),
        "accuracy_flagged": float(correct[review].mean()) if review.any() else float("nan"),
        "accuracy_not_flagged": float(correct[~review].mean()) if (~review).any() else float("nan"),
        "unknown_labels": sorted(set(truth) - set(classes)),
    }


def run(args) -> int:
    from pipeline.classify import IssueClassifier

    model = IssueClassifier.load(args.model)
    model.progress = True
    result = read_inputs(args)
    letters = result.letters
    labels = labels_of(letters, args.label_col)
    known = labels.notna() & labels.astype("str").str.strip().ne("")
    letters, labels = letters[known.to_numpy()], labels[known].astype("str").str.strip()
    if letters.empty:
        raise PetitionError("nothing to evaluate: no letter in the input has a label")
    classified = model.classify(letters)
    report = evaluation_report(labels.to_numpy(), classified["issue_type"].to_numpy(),
                               classified["issue_confidence"].to_numpy(), classified["needs_review"].to_numpy(),
                               list(model.classes_))
    print(f"letters: {report['letters']}   macro-F1: {report['macro_f1']:.4f}   accuracy: {report['accuracy']:.4f}")
    if report["unknown_labels"]:
        print(f"labels the model was not trained on (always wrong): {', '.join(report['unknown_labels'])}")
    print(f"needs_review: {report['flagged']} letters (accuracy {report['accuracy_flagged']:.3f}; "
          f"others {report['accuracy_not_flagged']:.3f})")
    print("\nper class:")
    print(report["per_class"].to_string(float_format=lambda v: f"{v:.3f}"))
    print("\nconfusion matrix (rows: true, columns: predicted):")
    with pd.option_context("display.width", 250, "display.max_columns", 50):
        print(report["confusion"].to_string())
    return 0
