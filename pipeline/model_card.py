"""The issue-type model's card: what a reader needs to trust a trained `IssueClassifier`.

`card(model)` gathers the training data, classes, cross-validated scores, settings and versions;
`cv_scores` turns the model's out-of-fold predictions into the card's scores (per class, confusion
matrix, calibration curve, review figures); `write_card` writes meta.json (what `load` checks),
card.json and README.md (`card_markdown`) beside the model file. Apart from the estimator, so the
estimator stays about learning and predicting.
"""
from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

META_FILE = "meta.json"
CARD_FILE = "card.json"
README_FILE = "README.md"
META_KEYS = ("model", "format_version", "package_version", "trained_at", "versions", "classes")


def package_version() -> str:
    try:
        from importlib.metadata import version

        return version("petition-pipeline")
    except Exception:  # noqa: BLE001 - running from a source tree without installation
        return "unknown"


def card(model, format_version: int) -> dict:
    """What a reader needs to trust the model: data, classes, scores, settings, versions."""
    import sklearn

    return {
        "model": "IssueClassifier",
        "format_version": format_version,
        "package_version": package_version(),
        "trained_at": model.trained_at_,
        "training_letters": model.n_train_,
        "segmented_letters": model.n_segmented_,
        "letters_without_label_ignored": model.n_unlabeled_ignored_,
        "classes": list(map(str, model.classes_)),
        "class_counts": model.class_counts_,
        "dropped_labels": model.dropped_labels_,
        "review_threshold": model.review_threshold_,
        "review_thresholds_per_class": model.review_thresholds_,
        "label_variants": model.label_variants_,
        "merged_labels": model.merged_labels_,
        "review_precision": model.review_precision,
        "temperature": round(model.temperature_, 4),
        "class_bias": {str(c): round(float(b), 4) for c, b in zip(model.classes_, model.bias_)},
        "features": int(model.n_features_),
        "weights": "float16" if getattr(model, "quantised_", False) else "float64",
        "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in model.get_params().items()},
        "cross_validation": model.cv_report_,
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
    }


def write_card(card: dict, directory: str | Path, training_data: list[str] | None = None,
               rebuild: str | None = None) -> None:
    """meta.json (the version stamp `load` checks), card.json and README.md into `directory`."""
    from pipeline.write import atomic_path, write_json

    directory = Path(directory)
    card = dict(card)
    if training_data is not None:
        card["training_data"] = training_data
    if rebuild:
        card["rebuild"] = rebuild
    write_json({k: card[k] for k in META_KEYS}, directory / META_FILE)
    write_json(card, directory / CARD_FILE)
    with atomic_path(directory / README_FILE) as temporary:
        temporary.write_text(card_markdown(card), encoding="utf-8")


def cv_scores(y, pred, classes, confidence, correct, threshold, review) -> dict:
    """The card's scores from out-of-fold predictions: per class, confusion matrix, calibration, review."""
    labels = np.arange(len(classes))
    precision, recall, f1, support = precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    matrix = confusion_matrix(y, pred, labels=labels)
    bins = np.linspace(0, 1, 11)
    curve = []
    for lo, hi in zip(bins[:-1], bins[1:]):
        inside = (confidence >= lo) & (confidence < hi if hi < 1 else confidence <= hi)
        if inside.any():
            curve.append({"confidence": f"{lo:.1f}-{hi:.1f}", "letters": int(inside.sum()),
                          "mean_confidence": round(float(confidence[inside].mean()), 3),
                          "accuracy": round(float(correct[inside].mean()), 3)})
    return {
        "macro_f1": round(float(f1_score(y, pred, labels=labels, average="macro", zero_division=0)), 4),
        "accuracy": round(float(correct.mean()), 4),
        "per_class": {str(c): {"precision": round(float(p), 4), "recall": round(float(r), 4),
                               "f1": round(float(f), 4), "support": int(s)}
                      for c, p, r, f, s in zip(classes, precision, recall, f1, support)},
        "confusion_matrix": {"labels": list(map(str, classes)), "rows_true_cols_predicted": matrix.tolist()},
        "calibration_curve": curve,
        "review": {
            "threshold": threshold,
            "share_flagged": round(float(review.mean()), 4),
            "accuracy_not_flagged": round(float(correct[~review].mean()), 4) if (~review).any() else None,
            "accuracy_flagged": round(float(correct[review].mean()), 4) if review.any() else None,
        },
    }


def card_markdown(card: dict) -> str:
    """The model card as a page a person reads."""
    lines = [
        "# Issue-type model", "",
        f"- trained: {card['trained_at']} with petition-pipeline {card['package_version']} "
        f"(model format {card['format_version']})",
        f"- training letters: {card['training_letters']} ({card['segmented_letters']} pre-segmented)",
    ]
    for source in card.get("training_data") or []:
        lines.append(f"  - {source}")
    if card.get("rebuild"):
        lines.append(f"- rebuild (same data and seed give the same model): `{card['rebuild']}`")
    if card["dropped_labels"]:
        lines.append("- labels left out (fewer than {} letters): {}".format(
            card["params"]["min_class_size"], ", ".join(f"{k} ({v})" for k, v in card["dropped_labels"].items())))
    lines += ["", "## Classes", "", "| class | training letters |", "| --- | ---: |"]
    lines += [f"| {c} | {card['class_counts'][c]} |" for c in card["classes"]]
    cv = card.get("cross_validation")
    if cv:
        lines += [
            "", f"## Cross-validated scores ({cv['folds']}-fold, near-duplicate letters kept in one fold)", "",
            f"macro-F1 **{cv['macro_f1']:.4f}**, accuracy {cv['accuracy']:.4f}"
            + (f" (per-class score offsets tuned on these folds; without them macro-F1 "
               f"{cv.get('macro_f1_without_class_bias', float('nan')):.4f})"
               if any(card.get("class_bias", {}).values()) else ""), "",
            "| class | precision | recall | F1 | letters |", "| --- | ---: | ---: | ---: | ---: |",
        ]
        for c, s in cv["per_class"].items():
            lines.append(f"| {c} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} |")
        if cv.get("by_source"):
            lines += ["", "Per source file (the same out-of-fold predictions)", "",
                      "| source | letters | accuracy | macro-F1 |", "| --- | ---: | ---: | ---: |"]
            lines += [f"| {k} | {v['letters']} | {v['accuracy']:.4f} | {v['macro_f1']:.4f} |" for k, v in cv["by_source"].items()]
        choices = [(name, cv.get(key)) for name, key in (("stacking", "stack_choice"), ("hierarchy", "hierarchy"))]
        for name, choice in choices:
            if choice and "flat" in choice:
                lines.append(f"\n{name}: {'used' if choice['used'] else 'not used'} (out-of-fold accuracy "
                             f"{choice['hierarchical']['accuracy']:.4f} with {choice['fine_classes']} finer classes, "
                             f"{choice['flat']['accuracy']:.4f} flat)")
            elif choice:
                lines.append(f"\n{name}: {'used' if cv.get('stacked') else 'not used'} (out-of-fold accuracy / macro-F1 "
                             f"stacked {choice['stacked']['accuracy']:.4f} / {choice['stacked']['macro_f1']:.4f}, "
                             f"averaged {choice['averaged']['accuracy']:.4f} / {choice['averaged']['macro_f1']:.4f})")
        weighting = cv.get("class_weight_choice")
        if weighting:
            lines.append(f"\nclass weights: {'balanced' if cv.get('balanced') else 'none'} (out-of-fold accuracy / macro-F1 "
                         f"balanced {weighting['balanced']['accuracy']:.4f} / {weighting['balanced']['macro_f1']:.4f}, "
                         f"none {weighting['none']['accuracy']:.4f} / {weighting['none']['macro_f1']:.4f})")
        labels = cv["confusion_matrix"]["labels"]
        lines += ["", "Confusion matrix (rows: true class, columns: predicted)", "",
                  "| | " + " | ".join(labels) + " |", "| --- |" + " ---: |" * len(labels)]
        for label, row in zip(labels, cv["confusion_matrix"]["rows_true_cols_predicted"]):
            lines.append(f"| {label} | " + " | ".join(map(str, row)) + " |")
        review = cv["review"]
        lines += [
            "", "## Confidence and review", "",
            f"`issue_confidence` is a calibrated probability (softmax of the SVM scores, temperature "
            f"{card['temperature']} fitted on out-of-fold scores). Letters below **{card['review_threshold']}** "
            f"are marked `needs_review`: above it, held-out letters were right at least "
            f"{card['review_precision']:.0%} of the time. On the held-out letters {review['share_flagged']:.1%} "
            f"were flagged; accuracy {review['accuracy_not_flagged']} unflagged vs {review['accuracy_flagged']} flagged.",
            "", "| confidence | letters | mean confidence | accuracy |", "| --- | ---: | ---: | ---: |",
        ]
        for b in cv["calibration_curve"]:
            lines.append(f"| {b['confidence']} | {b['letters']} | {b['mean_confidence']} | {b['accuracy']} |")
    versions = ", ".join(f"{k} {v}" for k, v in card["versions"].items())
    lines += ["", "## Settings", "", f"- parameters: `{json.dumps(card['params'], ensure_ascii=False)}`",
              f"- features: {card['features']}" + (f", weights {card['weights']}" if card.get("weights") else ""),
              f"- versions: {versions}", ""]
    return "\n".join(lines)
