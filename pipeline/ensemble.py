"""The issue classifier's two linear members and their mix, in one weight vector per class.

A linear SVM, and an NBSVM (the same SVM on features scaled by each class's naive-Bayes
log-count ratio, Wang & Manning 2012), mixed either by a fixed average (`nb_weight`) or by a
multinomial logistic regression (the stacker) fitted on their out-of-fold scores. All are linear,
so any mix folds back into one weight row and intercept per class ("full form"): predicting
costs one SVM. `LinearMembers` holds these steps for `IssueClassifier`, which supplies the
parameters (C, nb_weight, stack, stack_C, random_state) and the learned `classes_`/`stack_`.
"""
from __future__ import annotations

import numpy as np
from sklearn.svm import LinearSVC

NB_ALPHA = 1.0  # add-one smoothing of the naive-Bayes n-gram counts


class LinearMembers:
    """Fitting and mixing the members; a base of `IssueClassifier` (it holds no state of its own)."""

    def _svm(self, balanced: bool = False) -> LinearSVC:
        return LinearSVC(C=self.C, class_weight="balanced" if balanced else None, random_state=self.random_state,
                         max_iter=5000)

    def _full_form(self, svm) -> tuple[np.ndarray, np.ndarray]:
        """One weight row and intercept per class of `classes_` (rows of absent classes are zero),
        from any fitted linear classifier (the SVMs, the stacker)."""
        coef = np.zeros((len(self.classes_), svm.coef_.shape[1]))
        intercept = np.zeros(len(self.classes_))
        if len(svm.classes_) == 2 and svm.coef_.shape[0] == 1:  # two classes: one score for classes_[1]
            coef[svm.classes_[0]], coef[svm.classes_[1]] = -svm.coef_[0] / 2, svm.coef_[0] / 2
            intercept[svm.classes_[0]], intercept[svm.classes_[1]] = -svm.intercept_[0] / 2, svm.intercept_[0] / 2
        else:
            coef[svm.classes_] = svm.coef_
            intercept[svm.classes_] = svm.intercept_
        return coef, intercept

    def _fit_members(self, X, y, balanced: bool | None = None) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
        """Full-form weights and intercepts of the SVM and (when used) the naive-Bayes-scaled SVM,
        and which classes were present. A training part with one class (a fold that holds all
        letters of the others) gets constant members that always say that class.

        `balanced` (default: the fitted `balanced_`) weighs each letter inversely to its class's
        size, in the SVM (scikit-learn's "balanced") and in each class's NBSVM (its letters and
        the rest weigh the same): small classes are not outvoted by big ones."""
        if balanced is None:
            balanced = bool(getattr(self, "balanced_", False))
        present = np.unique(y)
        if len(present) < 2:
            intercept = np.zeros(len(self.classes_))
            intercept[present] = 1.0
            constant = (np.zeros((len(self.classes_), X.shape[1])), intercept)
            return [constant] * (2 if self.nb_weight > 0 or self.stack else 1), present
        svm = self._svm(balanced).fit(X, y)
        members = [self._full_form(svm)]
        if self.nb_weight > 0 or self.stack:
            members.append(self._nb_svm(X, y, svm.classes_, balanced))
        return members, svm.classes_

    def _combine(self, members: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """One weight row and intercept per class: the stacker's mix of the members once it is
        fitted (`stack_`), else the SVM averaged with the NBSVM by `nb_weight`."""
        stacker = getattr(self, "stack_", None)
        if stacker is not None:
            mix, offset = stacker
            k = len(self.classes_)
            coef = sum(mix[:, m * k:(m + 1) * k] @ w for m, (w, _) in enumerate(members))
            intercept = offset + sum(mix[:, m * k:(m + 1) * k] @ b for m, (_, b) in enumerate(members))
            return coef, intercept
        return self._average([w for w, _ in members]), self._average([b for _, b in members])

    def _average(self, parts: list[np.ndarray]) -> np.ndarray:
        """The SVM's part (weights or scores) averaged with the NBSVM's by `nb_weight`."""
        if len(parts) > 1 and self.nb_weight > 0:
            return (1 - self.nb_weight) * parts[0] + self.nb_weight * parts[1]
        return parts[0]

    def _fit_stacker(self, Z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Multinomial logistic regression from the members' scores (side by side) to the class:
        its weights in full form (one row per class of `classes_`) and intercepts."""
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=self.stack_C, max_iter=2000).fit(Z, y)
        return self._full_form(model)

    def _nb_svm(self, X, y, present, balanced: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """One-vs-rest SVMs on features scaled by each class's naive-Bayes log-count ratio (NBSVM,
        Wang & Manning 2012): n-grams typical of a class count for more in its own SVM. The scaling
        is folded back into the weights, so predicting costs nothing extra."""
        binary = X.copy()
        binary.data[:] = 1
        total = np.asarray(binary.sum(axis=0), dtype=np.float64).ravel()
        coef = np.zeros((len(self.classes_), X.shape[1]))
        intercept = np.zeros(len(self.classes_))
        for c in present:
            positive = y == c
            in_class = np.asarray(binary[positive].sum(axis=0), dtype=np.float64).ravel()
            p, q = NB_ALPHA + in_class, NB_ALPHA + total - in_class
            ratio = (np.log(p / p.sum()) - np.log(q / q.sum())).astype(np.float32)
            svm = self._svm(balanced).fit(X.multiply(ratio).tocsr(), positive.astype(int))
            coef[c], intercept[c] = svm.coef_[0] * ratio, svm.intercept_[0]
        return coef, intercept


def put_scores(scores: np.ndarray, rows: np.ndarray, present: np.ndarray, fold_scores: np.ndarray) -> None:
    """Write one fold's out-of-fold scores; classes its training part lacked score below all others."""
    scores[np.ix_(rows, present)] = fold_scores
    missing = np.setdiff1d(np.arange(scores.shape[1]), present)
    if len(missing):
        scores[np.ix_(rows, missing)] = fold_scores.min() - 1.0
