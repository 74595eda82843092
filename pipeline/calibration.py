"""Calibration of the issue classifier's scores: probabilities, class offsets, review thresholds.

A linear model's scores are not probabilities and its argmax favours big classes. These small
functions learn, on out-of-fold scores, the softmax temperature that makes `predict_proba`
calibrated (`fit_temperature`), optional per-class offsets for macro-F1 (`fit_class_bias`), and
the confidence below which a letter needs a person (`review_threshold`).
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """Temperature minimising the log loss of softmax(scores / T) on held-out scores."""
    rows = np.arange(len(y))

    def loss(log_t: float) -> float:
        p = softmax(scores, float(np.exp(log_t)))
        return float(-np.log(np.clip(p[rows, y], 1e-12, None)).mean())

    result = minimize_scalar(loss, bounds=(-6.0, 3.0), method="bounded")
    return float(np.exp(result.x))


def macro_f1(y: np.ndarray, pred: np.ndarray, n_classes: int) -> float:
    matrix = np.bincount(y * n_classes + pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)
    tp = np.diag(matrix).astype(float)
    denominator = matrix.sum(axis=0) + matrix.sum(axis=1)
    return float(np.mean(np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)))


def fit_class_bias(scores: np.ndarray, y: np.ndarray, rounds: int = 3, span: float = 0.3, steps: int = 25) -> np.ndarray:
    """Per-class offsets to held-out scores that maximise macro-F1 (coordinate ascent on a grid).

    A linear SVM trained on unbalanced classes favours the big ones (城乡建设 takes letters from
    交通运输 and 商贸旅游); small offsets learned on out-of-fold scores give the small classes back
    their recall. Gained ~0.003 macro-F1 on held-out folds of all shared letters but lost ~0.01
    on a 1,200-letter subset, so it is an option (`tune_bias`), not the default.
    """
    n_classes = scores.shape[1]
    bias = np.zeros(n_classes)
    best = macro_f1(y, scores.argmax(axis=1), n_classes)
    grid = np.linspace(-span, span, steps)
    for _ in range(rounds):
        improved = False
        for k in range(n_classes):
            for value in grid:
                trial = bias.copy()
                trial[k] = value
                f1 = macro_f1(y, (scores + trial).argmax(axis=1), n_classes)
                if f1 > best + 1e-6:
                    best, bias, improved = f1, trial, True
        if not improved:
            break
    return bias


def review_threshold(confidence: np.ndarray, correct: np.ndarray, precision: float) -> float:
    """Lowest confidence above which held-out letters are right at least `precision` of the time.

    Letters below it are the ones a person must look at. Read off the calibration curve: sort by
    confidence and take the smallest cut whose accepted letters reach the target accuracy.
    """
    order = np.argsort(-confidence)
    conf, ok = confidence[order], correct[order].astype(float)
    accuracy = np.cumsum(ok) / np.arange(1, len(ok) + 1)
    good = np.nonzero(accuracy >= precision)[0]
    if len(good) == 0:
        return 1.0
    return float(np.round(conf[good[-1]], 4))
