"""Issue-type classification of letters, with calibrated confidence and the words behind it.

Intake staff route letters by issue type, so the classifier must be right, say how sure it is,
and show why. `IssueClassifier` learns whatever labels an office uses (nothing assumes the
TipDM classes) from raw letters and from pre-segmented text (tokens joined by spaces, stop
words removed, as in `labeled_segmented.csv`). Both are brought to one form before
featurising: content tokens without stop words, and the Han characters of those tokens run
together, so character n-grams do not depend on spaces or on how a letter was segmented.

Features: TF-IDF word 1-2grams, TF-IDF character 1-3grams (weighted 1.5), and the opening
tokens of the letter (its title, or the first words where the title is inside the text) as
their own block, in Han character 1-2grams: like the body's character block, it does not depend
on how the title was segmented (+0.0025 grouped 5-fold macro-F1 over the title's words, and
+0.002 to +0.003 on two other fold partitions, at no cost when predicting; see `head_chars`).
The model has two members, a linear SVM and an NBSVM (the same SVM on features scaled by each
class's naive-Bayes log-count ratio), mixed by a multinomial logistic regression (the stacker)
fitted on their out-of-fold scores from the internal cross-validation, which the model runs
anyway for calibration. Members and stacker are linear, so the mix folds back into one weight
vector per class and predicting costs no more than one SVM. Grouped 5-fold macro-F1 on the shared
letters (`benchmarks/classify.py`): SVM 0.9193, SVM and NBSVM averaged 0.9257, with the title
in characters 0.9282, stacked 0.9313 (better on every fold). With few letters per class, or a
few tiny classes beside big ones, the stacker overfits: it is kept only when its own out-of-fold
scores beat the plain average's (see `stack_min_per_class`).

Small, messy taxonomies (an office's own: long-tailed, with template notes and spelling variants)
get: tiny classes learned rather than dropped (`min_class_size`), near-duplicate groups too big
for one fold dealt across folds (`split_large_groups`), class-balanced weights where the internal
folds say they pay (`class_weight`), per-class review thresholds, an optional
label hierarchy (`fit(..., hierarchy=)`), and spelling variants reported or merged
(`merge_labels`). Time-split figures on the shared hotline files: benchmarks/taxonomy.py.
Measured and not adopted, on held-out folds: averaging with logistic regression, SGD or naive
Bayes (no gain), always-on class weights (+0.002; now chosen per training set, `class_weight`), LSA dimensions (+0.001, slow), relabelling
near-duplicates to their majority label (no gain), self-training on the ~7,000 unlabeled shared
letters (-0.006 macro-F1: they come from another period and mix), dropping training letters the
cross-validation disbelieves (-0.002), character 4-grams (no gain), adding per-block SVMs as
stacker members (no gain over the two members), blending in k-nearest-letter votes (no gain),
pairwise specialists for 城乡建设 vs 交通运输 / 商贸旅游 (-0.002), a Crammer-Singer or hinge-loss
SVM (no gain), word 1-3grams (no gain), re-cutting pre-segmented letters with our jieba (no gain);
on the shipped model's own letters and folds (benchmarks/classify_variants.py, issue 17): C 0.6,
the title block at weight 0.5 or 2, near-copies weighed 1/(group size), and a taxonomy-prior block
(per class, its 二级/三级 terms found) all within 0.001 of the shipped accuracy or below it.
Probabilities are the model's scores through a softmax whose temperature is fitted on
out-of-fold scores, so `predict_proba` is calibrated while the decision (argmax) stays the
model's. The same out-of-fold predictions (the stacker refitted without each fold), with
near-duplicate letters kept in the same fold, give the model card's cross-validated scores and
the `needs_review` threshold.

This module is the estimator (fit, predict, classify, explain, prune, save, load). Its parts live
beside it: the feature blocks in `pipeline.features`, the members and stacker in
`pipeline.ensemble`, temperature, class offsets and review thresholds in `pipeline.calibration`,
label spellings in `pipeline.labels`, the card in `pipeline.model_card`, letter texts and tokens
in `pipeline.tokenize`, and the worker processes in `pipeline.workers`. A run that tokenizes
letters once passes them as `tokens=` (see `tokenize`) and lends its `WorkerPool` as `pool=`.
"""
from __future__ import annotations

import json
import re
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold

from pipeline.calibration import fit_class_bias, fit_temperature, macro_f1, review_threshold, softmax
from pipeline.ensemble import LinearMembers, put_scores
from pipeline.errors import PetitionError
from pipeline.features import NGRAMS_1_2, LetterFeatures, pack_vectorizers, unpack_vectorizers
from pipeline.labels import label_variants
from pipeline import model_card
from pipeline.model_card import CARD_FILE, META_FILE, README_FILE, cv_scores, package_version
from pipeline.tokenize import is_segmented, letter_texts, tokenize_letters
from pipeline.workers import WorkerPool, one_off_or

__all__ = [  # names other modules import from here (some now live in calibration, model_card, tokenize)
    "IssueClassifier", "FORMAT_VERSION", "MODEL_FILE", "META_FILE", "CARD_FILE", "README_FILE", "OUTPUT_COLUMNS",
    "fit_class_bias", "fit_temperature", "review_threshold", "is_segmented", "letter_texts", "tokenize_letters",
    "label_variants", "near_duplicate_groups", "split_large_groups",
]

FORMAT_VERSION = 1
MODEL_FILE = "model.joblib"
FINE_CLASS_SIZE = 5  # a finer class of a hierarchy needs this many letters to be learned apart
# Letters featurised at a time in this process: the n-gram lookups hold about 30 kB per letter
# (100,000 letters at once peaked at 4.8 GB); rows do not depend on their neighbours.
FEATURE_CHUNK = 2000
MIN_PARALLEL_LETTERS = 400  # fewer letters are featurised in this process: a fork costs more than it saves
OUTPUT_COLUMNS = ["issue_type", "issue_confidence", "issue_top3", "needs_review"]

_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")


def near_duplicate_groups(texts: list[str], threshold: float = 0.3, seed: int = 1) -> np.ndarray:
    """Group id per text; texts whose Han character bigrams overlap (Jaccard >= threshold) share one.

    Used to keep a letter and its re-submissions (or its raw and segmented copies) in the same
    cross-validation fold, so scores are not inflated by the model seeing the test letter. Every
    MinHash LSH candidate pair joins its group unchecked (`pipeline.minhash.groups`, verify=False):
    the folds would rather hold a letter's copies together than keep an exact threshold.
    """
    from datasketch.hashfunc import sha1_hash32

    from pipeline import minhash

    def hashes(index: int, text: str) -> np.ndarray:
        han = _NOT_HAN.sub("", text)
        shingles = {han[k:k + 2] for k in range(len(han) - 1)} or {han or f"\x00{index}"}
        return np.array([sha1_hash32(s.encode("utf-8")) for s in shingles], dtype=np.uint64)

    signatures = minhash.signatures_of_hashes(
        (hashes(i, text) for i, text in enumerate(texts)), num_perm=64, seed=seed)
    return minhash.groups(signatures, threshold, verify=False)


def split_large_groups(groups: np.ndarray, y: np.ndarray, folds: int) -> np.ndarray:
    """Cut near-duplicate groups larger than a fold's share of their main class into such chunks.

    Near-duplicate groups keep a letter and its copies in one fold. But a hotline's template
    notes (hundreds of "未反映具体问题。") are one group too, and holding that group out takes most
    of a class out of the training part: the out-of-fold scores come out wrong-signed and the
    calibration and stacker learn from them. A group may hold at most 1/`folds` of its most
    common label's letters; larger ones are dealt out in order into chunks of that size.
    """
    groups = np.asarray(groups).copy()
    counts = np.bincount(y)
    next_id = int(groups.max()) + 1 if len(groups) else 0
    ids, sizes = np.unique(groups, return_counts=True)
    for group in ids[sizes > 2]:
        members = np.nonzero(groups == group)[0]
        limit = max(2, int(counts[np.bincount(y[members]).argmax()] // folds))
        if len(members) > limit:
            chunks = -(-len(members) // limit)
            for k in range(1, chunks):
                groups[members[k::chunks]] = next_id
                next_id += 1
    return groups


class IssueClassifier(LetterFeatures, LinearMembers, ClassifierMixin, BaseEstimator):
    """Learn an office's issue types from labeled letters; predict with calibrated confidence.

    Parameters
    ----------
    C : regularisation of the linear SVM (smaller: smoother).
    word_ngrams, char_ngrams : n-gram ranges of the word and character TF-IDF blocks.
    head_tokens, head_weight : how many opening tokens form the title block, and its weight.
    head_chars : featurise the title block as Han character 1-2grams (True) or as words (False,
        as in models saved before this option). benchmarks/classify.py: 0.9282 ± 0.0024 grouped
        5-fold macro-F1 against 0.9257 ± 0.0048 for words (better on 3 of 5 folds); on two other
        grouped fold partitions (seeds 1, 2) +0.0024 and +0.0029. Keeping both blocks was no better.
    char_weight : weight of the character block (character n-grams carry more than words here:
        they survive segmentation differences between raw and pre-segmented text).
    min_df : drop n-grams seen in fewer training letters (keeps the model small).
    max_features : cap on each block's vocabulary (None: no cap).
    cv_folds : folds of the internal cross-validation (calibration, card, threshold); 0 skips it.
    review_precision : `needs_review` flags letters below the confidence at which held-out
        letters were right this often.
    tune_bias : learn per-class score offsets on the out-of-fold scores that maximise macro-F1
        (off by default: +0.003 on the full shared set, -0.01 on a 1,200-letter set).
    min_class_size : labels with fewer letters are dropped from training with a warning (a label
        seen once is often a typo). Tiny classes above it are learned, not dropped: offices'
        taxonomies are long-tailed (Beijing 12345: 28 of 46 handling units have under 5 letters
        in a month), and a model that cannot name them is wrong on every such letter. The internal
        folds follow the big classes; a class with fewer letters than folds is missing from some
        training parts, where its out-of-fold scores are set below all others (its letters count
        as errors in the card), and it gets the global review threshold. Keeping classes of 2-4
        letters (the old cut was 5) took the time-split accuracy on Beijing 12345's 承办单位 from
        0.549 to 0.637 and on its 二级分类 from 0.613 to 0.677 (benchmarks/taxonomy.py).
    hmm : let jieba's HMM guess unknown words when cutting raw letters. Off by default: it costs
        a third of the tokenising time and made no difference to cross-validated macro-F1
        (0.9205 off vs 0.9193 on; raw letters 0.914 vs 0.915, within fold noise).
    nb_weight : share of the naive-Bayes-scaled SVM (NBSVM) when the members are averaged rather
        than stacked (no stacker, or too few letters); the rest is the plain SVM. Half and half
        scored 0.9251 cross-validated macro-F1 against 0.9193 for the SVM alone
        and 0.9240 for NBSVM alone; anywhere from 0.33 to 0.6 gave 0.925 (benchmarks/classify.py).
    stack : mix the SVM and the NBSVM with a multinomial logistic regression (C=`stack_C`) fitted on
        their out-of-fold scores from the internal cross-validation, instead of the fixed
        `nb_weight` average (needs cv_folds >= 2). It learns how far to trust each member for each
        class, and folds back into one weight vector per class, so predicting costs nothing extra.
        Grouped 5-fold macro-F1 0.9313 against 0.9282 for the average (benchmarks/classify.py,
        better on every fold; with C=1 the same experiment gave 0.9300).
    stack_min_per_class : consider stacking only when the training set averages at least this many
        letters per class; below that the stacker's 2K weights per class overfit the out-of-fold
        scores. On subsets of the shared letters (3 draws each, 2,000 held-out letters) stacking
        changed macro-F1 by -0.25 at 150 letters, -0.04 at 400, +0.001 at 1,200, +0.002 at 2,500
        and +0.006 at 5,000 (7 classes). Above it the stacker is kept only if its own out-of-fold
        scores (stacker refitted without each fold) beat the plain average's (accuracy plus
        macro-F1): stacking where it pays, whatever the class counts (card: `stack_choice`).
    merge_labels : count labels written in several ways (其他/其它) under their most frequent
        spelling. Off by default: they are reported (`label_variants_`, a warning), not merged.
    min_review_letters : a class predicted at least this often on held-out letters gets its own
        `needs_review` threshold (read off its own calibration); rarer classes use the global one.
    class_weight : None (every letter weighs the same), "balanced" (each letter inversely to its
        class's size, in both members) or "auto" (the default: the internal cross-validation scores
        both and keeps the better, accuracy plus macro-F1, on the same held-out letters; card:
        `class_weight_choice`, model: `balanced_`). An office's taxonomy is long-tailed, and unweighted
        the big classes outvote the small ones; on some files that costs, on others it does not
        (time split inside the training months, benchmarks/taxonomy.py: Beijing 12345's 二级分类
        and 承办单位 +0.014 each with balanced weights, its 一级分类 -0.028, the gas board -0.004),
        so the model measures it on its own letters rather than a fixed rule. Costs a second
        cross-validation when fitting, nothing when predicting. Without internal folds "auto" is None.
    random_state, n_jobs, progress : seeds, cores for tokenising, progress bars on stderr.
    """

    def __init__(
        self,
        C: float = 0.3,
        word_ngrams: tuple[int, int] = NGRAMS_1_2,
        char_ngrams: tuple[int, int] = (1, 3),
        head_tokens: int = 12,
        head_weight: float = 1.0,
        head_chars: bool = True,
        char_weight: float = 1.5,
        min_df: int = 2,
        max_features: int | None = None,
        cv_folds: int = 5,
        review_precision: float = 0.95,
        tune_bias: bool = False,
        min_class_size: int = 2,
        hmm: bool = False,
        nb_weight: float = 0.5,
        stack: bool = True,
        stack_C: float = 0.1,
        stack_min_per_class: int = 50,
        merge_labels: bool = False,
        min_review_letters: int = 30,
        class_weight: str | None = "auto",
        random_state: int = 0,
        n_jobs: int = 2,
        progress: bool = False,
    ):
        self.C = C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.head_tokens = head_tokens
        self.head_weight = head_weight
        self.head_chars = head_chars
        self.char_weight = char_weight
        self.min_df = min_df
        self.max_features = max_features
        self.cv_folds = cv_folds
        self.review_precision = review_precision
        self.tune_bias = tune_bias
        self.min_class_size = min_class_size
        self.hmm = hmm
        self.nb_weight = nb_weight
        self.stack = stack
        self.stack_C = stack_C
        self.stack_min_per_class = stack_min_per_class
        self.merge_labels = merge_labels
        self.min_review_letters = min_review_letters
        self.class_weight = class_weight
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress

    # ------------------------------------------------------------------ features

    def _tokens(self, texts: list[str]) -> list[list[str]]:
        return tokenize_letters(texts, n_jobs=self.n_jobs, progress=self.progress, hmm=self.hmm)

    def _transform(self, texts: list[str], tokens: list[list[str]] | None = None,
                   pool: WorkerPool | None = None) -> sp.csr_matrix:
        """Features of many letters, each worker process tokenising and vectorising its chunks.

        Tokenising (jieba) is pure Python, so it runs in the workers (the run's `pool`, else one
        forked for this call), which vectorise their chunks too; this process only stacks the
        sparse rows. Given `tokens` (see `tokenize`), only the vectorised n-gram lookups are
        left, and they run here: sending every letter's tokens to the workers and the rows back
        costs more CPU than the lookups. Small batches stay in this process.
        """
        if tokens is not None and len(tokens) <= FEATURE_CHUNK:
            return self._features(tokens)
        if tokens is not None:  # in chunks: a batch's n-gram keys at once would take gigabytes
            return sp.vstack([self._features(tokens[i:i + FEATURE_CHUNK])
                              for i in range(0, len(tokens), FEATURE_CHUNK)], format="csr")
        with one_off_or(pool, self.n_jobs) as workers:
            if not workers.parallel(len(texts), MIN_PARALLEL_LETTERS):
                return self._features(tokenize_letters(texts, n_jobs=1, hmm=self.hmm))
            tokenize_letters(["预热"], n_jobs=1, hmm=self.hmm)  # load the dictionary before forking, so workers share it
            self._fast_vectorizers()  # and the n-gram index
            size = max(100, -(-len(texts) // (workers.jobs * 6)))
            chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
            key = ("classify", id(self), self.n_features_, getattr(self, "quantised_", False))
            parts = workers.map(_features_of_texts, chunks, key=key, obj=self, desc="classifying",
                                progress=self.progress)
        return sp.vstack(parts, format="csr")

    def _chunk_scores(self, texts: list[str], tokens: list[list[str]] | None = None,
                      pool: WorkerPool | None = None) -> np.ndarray:
        """`_scores(_transform(...))`, the features of each chunk scored and dropped before the next
        is made: a batch's feature rows at once grow with the batch (~10 kB a letter, 3.1 GB
        peak at 100,000 letters), its scores take one number per class. A row's score depends on
        that row alone, so the scores are the same as from the stacked matrix."""
        if tokens is not None:
            return np.vstack([self._scores(self._features(tokens[i:i + FEATURE_CHUNK]))
                              for i in range(0, max(len(tokens), 1), FEATURE_CHUNK)])
        with one_off_or(pool, self.n_jobs) as workers:
            if not workers.parallel(len(texts), MIN_PARALLEL_LETTERS):
                return self._chunk_scores(texts, tokenize_letters(texts, n_jobs=1, hmm=self.hmm))
            tokenize_letters(["预热"], n_jobs=1, hmm=self.hmm)  # load the dictionary before forking, so workers share it
            self._fast_vectorizers()  # and the n-gram index
            size = max(100, min(FEATURE_CHUNK, -(-len(texts) // (workers.jobs * 6))))
            chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
            key = ("classify", id(self), self.n_features_, getattr(self, "quantised_", False))
            parts = workers.map(_scores_of_texts, chunks, key=key, obj=self, desc="classifying",
                                progress=self.progress)
        return np.vstack(parts)

    def tokenize(self, X, pool: WorkerPool | None = None) -> list[list[str]]:
        """Each letter's tokens as this model reads them (its `hmm` setting), to compute once and
        pass as `tokens=` to `classify`, `predict_proba` or `predict`."""
        return tokenize_letters(letter_texts(X), n_jobs=self.n_jobs, progress=self.progress, hmm=self.hmm, pool=pool)

    def _scores(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef_.T, dtype=np.float64) + self.intercept_ + self.bias_

    # ------------------------------------------------------------------ fit

    def fit(self, X, y=None, groups=None, sources=None, hierarchy=None):
        """Learn from letters (DataFrame with title/text, or a list of texts) and their labels.

        `y` defaults to the `label` column of X. `groups` (optional) keeps letters with the same
        group id in the same internal fold; by default near-duplicates are grouped (see
        `split_large_groups`). `sources` (optional, one name per letter, e.g. the file) adds
        cross-validated scores per source to the card. `hierarchy` (optional, one lower-level label
        per letter, e.g. 二级分类 when y is 一级分类) lets the model learn the finer classes and add
        their probabilities up to the top level, where that pays (see `_fit_hierarchy`).

        Label names that differ only in writing (其他/其它, 公安政法/公安政法类, full- and half-width
        brackets) are reported in `label_variants_` and a warning; with `merge_labels=True` each
        is counted under its most frequent spelling (recorded in `merged_labels_`), never silently.
        """
        texts = letter_texts(X)
        if y is None:
            if not isinstance(X, pd.DataFrame) or "label" not in X:
                raise PetitionError("no labels: pass y or a letters table with a `label` column")
            y = X["label"]
        labels = pd.Series(np.asarray(y, dtype=object)).map(
            lambda v: None if v is None or v != v or not str(v).strip() else str(v).strip())
        if len(labels) != len(texts):
            raise PetitionError(f"{len(texts)} letters but {len(labels)} labels")
        self.label_variants_ = label_variants(labels.dropna())
        self.merged_labels_ = {}
        if self.label_variants_:
            shown = "; ".join(" / ".join(f"{k} ({v})" for k, v in group.items()) for group in self.label_variants_)
            if self.merge_labels:
                self.merged_labels_ = {v: next(iter(g)) for g in self.label_variants_ for v in list(g)[1:]}
                labels = labels.map(lambda v: self.merged_labels_.get(v, v))
                warnings.warn(f"labels written in several ways were merged under their most frequent spelling: {shown}",
                              UserWarning, stacklevel=2)
            else:
                warnings.warn(f"labels that differ only in writing are kept apart: {shown} "
                              "(merge them with merge_labels=True, `petition train --merge-labels`)", UserWarning, stacklevel=2)
        keep = labels.notna().to_numpy(dtype=bool) & np.array([bool(t.strip()) for t in texts], dtype=bool)
        self.n_unlabeled_ignored_ = int((~keep).sum())
        if not keep.any():
            raise PetitionError("empty training set: no letter has both text and a label")
        counts = labels[keep].value_counts()
        rare = counts[counts < self.min_class_size]
        self.dropped_labels_ = {str(k): int(v) for k, v in rare.items()}
        if len(rare):
            warnings.warn(
                f"labels with fewer than {self.min_class_size} letters were left out of training "
                f"(too few to learn and calibrate): {', '.join(f'{k} ({v})' for k, v in rare.items())}",
                UserWarning, stacklevel=2,
            )
            keep &= ~labels.isin(rare.index).to_numpy()
        if keep.sum() == 0 or labels[keep].nunique() < 2:
            raise PetitionError(
                f"training needs at least two labels with {self.min_class_size} or more letters each; "
                f"found: {', '.join(f'{k} ({v})' for k, v in counts.items()) or 'none'}")
        index = np.nonzero(keep)[0]
        texts = [texts[i] for i in index]
        source_names = None if sources is None else np.asarray(pd.Series(list(sources)).astype(str))[index]
        y_text = labels.iloc[index].to_numpy()
        self.classes_ = np.array(sorted(set(y_text)), dtype=object)
        y_codes = np.searchsorted(self.classes_, y_text)
        self.class_counts_ = {str(k): int(v) for k, v in zip(*np.unique(y_text, return_counts=True))}

        tokens = self._tokens(texts)
        X_all = self._fit_features(tokens)
        self.n_features_ = X_all.shape[1]
        self.temperature_ = 1.0
        self.bias_ = np.zeros(len(self.classes_))
        self.review_threshold_ = 0.0
        self.cv_report_ = None
        self.stack_ = None
        self.balanced_ = self.class_weight == "balanced"
        self.review_thresholds_ = {}
        # folds follow the big classes: a class with fewer letters than folds is missing from some
        # training parts and scores lowest there (see `min_class_size`)
        folds = min(self.cv_folds, int(np.bincount(y_codes).max())) if self.cv_folds else 0
        if folds >= 2:
            if groups is None:
                groups = split_large_groups(near_duplicate_groups(texts), y_codes, folds)
            else:
                groups = np.asarray(groups)[index]
            self._cross_validate(X_all, y_codes, groups, folds, source_names)
        self.fine_ = None
        if hierarchy is not None and folds >= 2:
            lower = pd.Series(np.asarray(hierarchy, dtype=object)).iloc[index]
            self._fit_hierarchy(texts, y_text, lower.to_numpy(), groups, y_codes, source_names)
        # Refit on all letters: averaging the fold models instead (scores on the calibration's
        # scale) cost 0.01-0.02 macro-F1 on held-out letters, more than calibration gains.
        self.coef_, self.intercept_ = self._combine(self._fit_members(X_all, y_codes)[0])
        self.trained_at_ = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.n_train_ = len(texts)
        self.n_segmented_ = int(sum(is_segmented(t) for t in texts))
        return self

    def _fit_hierarchy(self, texts, y_text, lower, groups, y_codes, sources) -> None:
        """Learn the finer classes (parent/child pairs with at least `FINE_CLASS_SIZE` letters; the
        rest stay under their parent's name) and keep that model if its out-of-fold probabilities,
        added up to the top level, beat the flat model's (accuracy plus macro-F1).

        A top-level class of an office's taxonomy is often several unlike things (企业服务 holds
        营业执照 and 税务); a linear model separates the parts more easily than the whole. The
        comparison is on the same letters, each model's folds kept apart from its training.
        """
        child = [None if c is None or c != c or not str(c).strip() else str(c).strip() for c in lower]
        pair = np.array([f"{p}/{c}" if c else p for p, c in zip(y_text, child)], dtype=object)
        counts = pd.Series(pair).value_counts()
        least = max(self.min_class_size, FINE_CLASS_SIZE)
        fine = np.array([f if counts[f] >= least else p for f, p in zip(pair, y_text)], dtype=object)
        fine_counts = pd.Series(fine).value_counts()
        for parent in set(y_text):  # a parent's few unrefined letters join its biggest child
            if 0 < fine_counts.get(parent, 0) < least:
                children = [f for f in fine_counts.index if f != parent and f.startswith(parent + "/")]
                if children:
                    fine[fine == parent] = max(children, key=lambda f: (fine_counts[f], f))
        parent_of = dict(zip(fine, y_text))
        report = {"fine_classes": int(len(set(fine))), "used": False}
        if len(set(fine)) > len(self.classes_):
            model = type(self)(**{**self.get_params(), "stack": False, "progress": False})
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(texts, fine, groups=groups)
            proba = getattr(model, "_oof_proba", None)
            if proba is not None:
                to_parent = np.zeros((len(model.classes_), len(self.classes_)))
                to_parent[np.arange(len(model.classes_)), np.searchsorted(self.classes_, [parent_of[f] for f in model.classes_])] = 1
                lifted = proba @ to_parent
                for name, p in (("flat", self._oof_proba), ("hierarchical", lifted)):
                    report[name] = self._oof_figures(y_codes, p)
                model.__dict__.pop("_oof_proba", None)
                if sum(report["hierarchical"].values()) > sum(report["flat"].values()):
                    self.fine_, self.fine_to_parent_, report["used"] = model, to_parent, True
                    self._review_and_report(lifted, y_codes, sources)
        self.cv_report_["hierarchy"] = report

    def _cross_validate(self, X, y, groups, folds: int, sources=None) -> None:
        """Out-of-fold scores → stack or not, temperature, review thresholds, the card's honest scores."""
        splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=self.random_state)
        with warnings.catch_warnings():  # "the least populated class has only N members": known, see min_class_size
            warnings.simplefilter("ignore", UserWarning)
            splits = list(splitter.split(X, y, groups))
        if self.progress:
            from tqdm import tqdm

            splits_shown = tqdm(splits, desc="cross-validating", unit="fold")
        else:
            splits_shown = splits
        weightings = [False, True] if self.class_weight == "auto" else [self.balanced_]
        runs = {}  # per weighting, per member: out-of-fold scores, one column per class
        for train, test in splits_shown:
            for balanced in weightings:
                members, present = self._fit_members(X[train], y[train], balanced)
                runs.setdefault(balanced, [np.zeros((len(y), len(self.classes_))) for _ in members])
                for scores, (coef, intercept) in zip(runs[balanced], members):
                    put_scores(scores, test, present, np.asarray(X[test] @ coef[present].T) + intercept[present])
        weighting = None
        if len(weightings) > 1:  # class weights where they pay on these held-out letters (see class_weight)
            weighting = {("balanced" if b else "none"): self._oof_figures(y, self._average(runs[b])) for b in weightings}
            self.balanced_ = sum(weighting["balanced"].values()) > sum(weighting["none"].values())
        member_scores = runs[self.balanced_]
        scores = self._average(member_scores)
        choice = None
        if self.stack and len(member_scores) > 1 and len(y) >= self.stack_min_per_class * len(self.classes_):
            # the stacked model's own out-of-fold scores: the stacker refitted without each fold
            Z = np.hstack(member_scores)
            stacked = np.zeros((len(y), len(self.classes_)))
            for train, test in splits:
                mix, offset = self._fit_stacker(Z[train], y[train])
                present = np.unique(y[train])
                put_scores(stacked, test, present, Z[test] @ mix[present].T + offset[present])
            # stack only where it pays on these held-out letters: with few letters per class, or
            # folds that miss a class, the stacker learns the folds' quirks (it once inverted a
            # two-class model whose out-of-fold scores were wrong-signed)
            choice = {name: self._oof_figures(y, s) for name, s in (("averaged", scores), ("stacked", stacked))}
            if sum(choice["stacked"].values()) > sum(choice["averaged"].values()):
                scores = stacked
                self.stack_ = self._fit_stacker(Z, y)
        unbiased_f1 = macro_f1(y, scores.argmax(axis=1), len(self.classes_))
        self.bias_ = fit_class_bias(scores, y) if self.tune_bias else np.zeros(len(self.classes_))
        scores = scores + self.bias_
        self.temperature_ = fit_temperature(scores, y)
        proba = softmax(scores, self.temperature_)
        self._oof_proba = proba  # for the hierarchy's comparison; not saved
        self.cv_report_ = {"macro_f1_without_class_bias": round(unbiased_f1, 4), "stack_choice": choice,
                           "class_weight_choice": weighting, "balanced": bool(self.balanced_),
                           "stacked": self.stack_ is not None, "folds": folds,
                           "groups": int(len(np.unique(groups))), "temperature": round(self.temperature_, 4)}
        self._review_and_report(proba, y, sources)

    def _oof_figures(self, y: np.ndarray, scores: np.ndarray) -> dict:
        """Accuracy and macro-F1 of out-of-fold scores: what the fit's choices compare."""
        pred = scores.argmax(axis=1)
        return {"accuracy": round(float(np.mean(pred == y)), 4), "macro_f1": round(macro_f1(y, pred, len(self.classes_)), 4)}

    def _review_and_report(self, proba: np.ndarray, y: np.ndarray, sources=None) -> None:
        """Review thresholds and the card's scores from out-of-fold probabilities."""
        pred = proba.argmax(axis=1)
        confidence = proba.max(axis=1)
        correct = pred == y
        self.review_threshold_ = review_threshold(confidence, correct, self.review_precision)
        # per predicted class where the class was predicted often enough to read its own curve
        self.review_thresholds_ = {
            str(c): review_threshold(confidence[pred == k], correct[pred == k], self.review_precision)
            for k, c in enumerate(self.classes_) if (pred == k).sum() >= self.min_review_letters}
        review = confidence < self._thresholds_for(pred)
        self.cv_report_.update(cv_scores(y, pred, self.classes_, confidence, correct, self.review_threshold_, review))
        self.cv_report_["review_thresholds_per_class"] = self.review_thresholds_
        if sources is not None:
            self.cv_report_["by_source"] = {
                str(name): {"letters": int((sources == name).sum()),
                            "accuracy": round(float(correct[sources == name].mean()), 4),
                            "macro_f1": round(float(f1_score(y[sources == name], pred[sources == name], average="macro",
                                                             zero_division=0)), 4)}
                for name in pd.unique(sources)}

    # ------------------------------------------------------------------ predict

    def _check(self) -> None:
        if not hasattr(self, "coef_"):
            raise PetitionError("the classifier is not trained: run `petition train` or call fit first")

    def decision_function(self, X, tokens: list[list[str]] | None = None, pool: WorkerPool | None = None) -> np.ndarray:
        """Scores per class (with a hierarchy: log-probabilities, the finer classes' added up).

        `tokens`: the letters' tokens from `tokenize` (or `pipeline.tokenize.letter_tokens` with
        this model's `hmm`), computed once by the run; `pool`: the run's worker pool."""
        self._check()
        if getattr(self, "fine_", None) is not None:
            return np.log(np.clip(self.predict_proba(X, tokens, pool), 1e-12, None))
        texts = letter_texts(X)
        if tokens is not None and len(tokens) != len(texts):
            raise PetitionError(f"{len(texts)} letters but {len(tokens)} token lists")
        return self._chunk_scores(texts, tokens, pool)

    def predict_proba(self, X, tokens: list[list[str]] | None = None, pool: WorkerPool | None = None) -> np.ndarray:
        """Calibrated probability of each class (columns in `classes_` order)."""
        if getattr(self, "fine_", None) is not None:
            return self.fine_.predict_proba(X, tokens, pool) @ self.fine_to_parent_
        return softmax(self.decision_function(X, tokens, pool), self.temperature_)

    def predict(self, X, tokens: list[list[str]] | None = None, pool: WorkerPool | None = None) -> np.ndarray:
        self._check()
        return self.classes_[self.decision_function(X, tokens, pool).argmax(axis=1)]

    def classify(self, letters: pd.DataFrame, tokens: list[list[str]] | None = None,
                 pool: WorkerPool | None = None) -> pd.DataFrame:
        """The letters with `issue_type`, `issue_confidence`, `issue_top3` and `needs_review` added
        (`tokens` and `pool` as in `decision_function`)."""
        self._check()
        out = letters.copy()
        if len(out) == 0:
            for column in OUTPUT_COLUMNS:
                out[column] = pd.Series(dtype="object")
            return out
        proba = self.predict_proba(letters, tokens, pool)
        top = np.argsort(-proba, axis=1)[:, :3]
        rows = np.arange(len(proba))
        confidence = proba[rows, top[:, 0]]
        out["issue_type"] = pd.array(self.classes_[top[:, 0]].astype(str), dtype="str")
        out["issue_confidence"] = np.round(confidence, 4)
        out["issue_top3"] = [
            "; ".join(f"{self.classes_[k]} {proba[i, k]:.2f}" for k in top[i]) for i in rows
        ]
        out["needs_review"] = confidence < self._thresholds_for(top[:, 0])
        return out

    def _thresholds_for(self, predicted: np.ndarray) -> np.ndarray:
        """The review threshold of each letter's predicted class (the global one for classes
        predicted too rarely on held-out letters to have their own)."""
        own = getattr(self, "review_thresholds_", None) or {}
        table = np.array([own.get(str(c), self.review_threshold_) for c in self.classes_], dtype=float)
        return table[predicted]

    # ------------------------------------------------------------------ explain

    def _feature_terms(self) -> list[str]:
        terms = getattr(self, "_terms", None)
        if terms is None:
            terms = []
            for name, vectorizer, _ in self.vectorizers_:
                if vectorizer is not None:
                    terms.extend(vectorizer.get_feature_names_out().tolist())
            self._terms = terms
        return terms

    def explain(self, X, top: int = 10, label=None) -> list[list[tuple[str, float]]]:
        """For each letter, the words that pushed it towards its predicted class (or `label`).

        A word's weight is its TF-IDF value times the SVM weight for the class, summed over the
        word, character and title blocks where the same string appears; single characters are
        left out because a reader cannot act on them.
        """
        self._check()
        features = self._transform(letter_texts(X))
        scores = self._scores(features)
        coef = self.coef_
        terms = self._feature_terms()
        result = []
        for i in range(features.shape[0]):
            if label is None:
                k = int(scores[i].argmax())
            else:
                matches = np.nonzero(self.classes_ == label)[0]
                if not len(matches):
                    raise PetitionError(f"unknown label {label!r}; the model knows: {', '.join(self.classes_)}")
                k = int(matches[0])
            row = features.getrow(i)
            weights: dict[str, float] = {}
            for j, value in zip(row.indices, row.data):
                term = terms[j]
                if len(term.replace(" ", "")) < 2:
                    continue
                weights[term] = weights.get(term, 0.0) + float(value * coef[k, j])
            ranked = sorted(((t, w) for t, w in weights.items() if w > 0), key=lambda tw: -tw[1])
            result.append([(t, round(w, 4)) for t, w in ranked[:top]])
        return result

    # ------------------------------------------------------------------ size

    def prune(self, n_features: int | None = None, quantise: bool = True) -> "IssueClassifier":
        """Keep the `n_features` n-grams (None: all) with the largest weight for any class; with
        `quantise`, store the weights in float16.

        A model trained on ~10,000 letters has ~1 million n-grams, most seen in two letters with a
        weight near zero: 48 MB on disk. The n-grams a decision turns on are few. Pruning keeps
        those with the largest absolute weight in any class (ties by column, so it is
        deterministic), drops the others from the vectorizers' vocabularies, and, with
        `quantise`, rounds the weights to float16 (3 significant digits) in memory and on disk.
        Letters lose the pruned n-grams' share of their TF-IDF norm, so scores change a little:
        say how much on real letters when you use it (models/build_default.py does: agreement
        with the unpruned model on the unlabeled shared letters). On the shipped model (956,000
        n-grams, 15 classes) float16 alone took model.joblib from 48 to 19 MB and changed none
        of 6,959 decisions; pruning to 400,000 n-grams gave 9 MB but changed 1.1% of them.
        """
        self._check()
        if n_features is None or n_features >= self.coef_.shape[1]:
            n_features = self.coef_.shape[1]
        importance = np.abs(self.coef_).max(axis=0)
        keep = np.sort(np.argsort(-importance, kind="stable")[:n_features])
        offset, kept_blocks = 0, []
        for name, vectorizer, weight in self.vectorizers_:
            size = 0 if vectorizer is None else len(vectorizer.vocabulary_)
            if vectorizer is not None:
                local = keep[(keep >= offset) & (keep < offset + size)] - offset
                new_index = {old: new for new, old in enumerate(local)}
                terms = sorted(((t, new_index[c]) for t, c in vectorizer.vocabulary_.items() if c in new_index),
                               key=lambda tc: tc[1])
                idf = vectorizer.idf_[local]
                vectorizer.vocabulary_ = dict(terms)
                vectorizer.idf_ = idf
            kept_blocks.append((name, vectorizer, weight))
            offset += size
        self.vectorizers_ = kept_blocks
        coef = self.coef_[:, keep]
        self.coef_ = coef.astype(np.float16).astype(np.float32) if quantise else coef
        self.quantised_ = bool(quantise)
        self.n_features_ = len(keep)
        self._fast = self._terms = None
        if getattr(self, "fine_", None) is not None:
            self.fine_.prune(n_features, quantise)
        return self

    # ------------------------------------------------------------------ persistence

    @property
    def version_(self) -> str:
        """Which model made a prediction, for run manifests: format and training date."""
        return f"IssueClassifier format {FORMAT_VERSION}, trained {getattr(self, 'trained_at_', None)}"

    def __setstate__(self, state):
        state.setdefault("hmm", True)  # models saved before these options were cut with the HMM,
        state.setdefault("nb_weight", 0.0)  # and were a plain SVM
        state.setdefault("head_chars", False)  # and had the title block in words,
        state.setdefault("stack", False)  # and averaged their two members
        state.setdefault("stack_C", 0.1)
        state.setdefault("stack_min_per_class", 300)
        state.setdefault("stack_", None)
        state.setdefault("merge_labels", False)
        state.setdefault("min_review_letters", 30)
        state.setdefault("review_thresholds_", {})
        state.setdefault("label_variants_", [])
        state.setdefault("merged_labels_", {})
        state.setdefault("fine_", None)
        state.setdefault("class_weight", None)  # models saved before class weights weighed letters alike
        state.setdefault("balanced_", False)
        if state.get("quantised_"):
            state["coef_"] = state["coef_"].astype(np.float32)
        unpack_vectorizers(state.get("vectorizers_") or [])
        self.__dict__.update(state)

    def __getstate__(self):
        # The training date lives in meta.json and the card, not in the pickle, so retraining on
        # the same data with the same seed writes a byte-identical model file.
        state = dict(self.__dict__)
        state.pop("trained_at_", None)
        state.pop("_terms", None)
        state.pop("_fast", None)
        state.pop("_oof_proba", None)
        if state.get("quantised_"):  # exactly representable: prune() rounded them
            state["coef_"] = self.coef_.astype(np.float16)
        if state.get("vectorizers_"):
            state["vectorizers_"] = pack_vectorizers(state["vectorizers_"])
        return state

    def save(self, directory: str | Path, training_data: list[str] | None = None, rebuild: str | None = None) -> Path:
        """Write the model, its version stamp and its card (card.json, README.md) into `directory`."""
        import joblib

        from pipeline.write import atomic_path

        self._check()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for _, vectorizer, _ in self.vectorizers_:
            if vectorizer is not None:  # a memory address scikit-learn caches: differs on every run
                vectorizer.__dict__.pop("_stop_words_id", None)
        with atomic_path(directory / MODEL_FILE) as temporary:
            joblib.dump(self, temporary, compress=3)
        model_card.write_card(self.card(), directory, training_data, rebuild)
        return directory

    def card(self) -> dict:
        """The model card (`pipeline.model_card`): data, classes, scores, settings, versions."""
        self._check()
        return model_card.card(self, FORMAT_VERSION)

    @classmethod
    def load(cls, directory: str | Path) -> "IssueClassifier":
        """Read a saved model; a clear error if it is missing or from an incompatible version."""
        import joblib
        import sklearn

        directory = Path(directory)
        meta_path, model_path = directory / META_FILE, directory / MODEL_FILE
        if not meta_path.exists() or not model_path.exists():
            raise PetitionError(
                f"no issue-type model in {directory} (expected {META_FILE} and {MODEL_FILE}); "
                f"train one with `petition train LETTERS --model {directory}`")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise PetitionError(f"{meta_path}: unreadable model description ({error})") from error
        if meta.get("model") != "IssueClassifier" or meta.get("format_version") != FORMAT_VERSION:
            raise PetitionError(
                f"{directory}: model format {meta.get('model')} v{meta.get('format_version')} "
                f"(package {meta.get('package_version')}) is not supported by this version "
                f"(IssueClassifier v{FORMAT_VERSION}, package {package_version()}); retrain it with `petition train`")
        trained_with = meta.get("versions", {}).get("scikit-learn")
        if trained_with and trained_with.split(".")[:2] != sklearn.__version__.split(".")[:2]:
            warnings.warn(
                f"{directory} was trained with scikit-learn {trained_with}, this is {sklearn.__version__}; "
                "if predictions look wrong, retrain with `petition train`", UserWarning, stacklevel=2)
        try:
            model = joblib.load(model_path)
        except Exception as error:  # noqa: BLE001 - a corrupt or foreign file
            raise PetitionError(f"{model_path}: cannot load the model ({type(error).__name__}: {error}); "
                                "retrain it with `petition train`") from error
        if not isinstance(model, cls):
            raise PetitionError(f"{model_path} does not hold an IssueClassifier")
        model.trained_at_ = meta.get("trained_at")
        return model


def _features_of_texts(model: IssueClassifier, texts: list[str]) -> sp.csr_matrix:
    """Tokens and features of one chunk, in a worker (the model and dictionary came by fork)."""
    return model._features(tokenize_letters(texts, n_jobs=1, hmm=model.hmm))


def _scores_of_texts(model: IssueClassifier, texts: list[str]) -> np.ndarray:
    """Scores of one chunk, in a worker: only the scores come back (a chunk's features, pickled
    back and stacked, held every letter's feature row in this process at once)."""
    return model._scores(_features_of_texts(model, texts))
