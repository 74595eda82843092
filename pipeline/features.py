"""The issue classifier's features: three TF-IDF blocks over a letter's content tokens.

Word 1-2grams; Han character 1-3grams of the tokens run together (weighted `char_weight`), so
they do not depend on spaces or on how a letter was segmented; and the opening tokens (the title,
or the first words where the title is inside the text) as their own block, in Han character
1-2grams when `head_chars`. Fitting learns the vocabularies (`vectorizers_`); transforming uses
numpy lookups built from them (`pipeline.ngrams.FastTfidf`, same values, faster). `LetterFeatures`
holds these steps for `IssueClassifier`, which supplies the parameters.
"""
from __future__ import annotations

import copy
import re

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")
# One tuple object for the title block's n-grams and the default word n-grams, as when both were
# literals of one module: pickle stores a shared object once, so a model saved by this code is
# byte for byte the one the code before the split saved (`make models` reproducible).
NGRAMS_1_2 = (1, 2)


def _documents(tokens: list[list[str]], head_tokens: int, head_chars: bool = False) -> tuple[list[str], list[str], list[str]]:
    words = [" ".join(t) for t in tokens]
    chars = [_NOT_HAN.sub("", "".join(t)) for t in tokens]
    if head_chars:
        heads = [_NOT_HAN.sub("", "".join(t[:head_tokens])) for t in tokens]
    else:
        heads = [" ".join(t[:head_tokens]) for t in tokens]
    return words, chars, heads


class LetterFeatures:
    """Fitting and applying the TF-IDF blocks; a base of `IssueClassifier`."""

    def _vectorizers(self, n_letters: int) -> list[tuple[str, TfidfVectorizer, float]]:
        min_df = self.min_df if n_letters >= 10 * self.min_df else 1
        common = dict(sublinear_tf=True, min_df=min_df, max_features=self.max_features, dtype=np.float32)
        max_df = 0.5 if n_letters >= 50 else 1.0
        if self.head_chars:
            head = TfidfVectorizer(analyzer="char", lowercase=False, ngram_range=NGRAMS_1_2, max_df=max_df, **common)
        else:
            head = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, **common)
        return [
            ("word", TfidfVectorizer(token_pattern=r"\S+", lowercase=False, ngram_range=tuple(self.word_ngrams),
                                     max_df=max_df, **common), 1.0),
            ("char", TfidfVectorizer(analyzer="char", lowercase=False, ngram_range=tuple(self.char_ngrams),
                                     max_df=max_df, **common), float(self.char_weight)),
            ("head", head, float(self.head_weight)),
        ]

    def _fit_features(self, tokens: list[list[str]]) -> sp.csr_matrix:
        docs = _documents(tokens, self.head_tokens, self.head_chars)
        self.vectorizers_ = []
        self._fast = None
        blocks = []
        for (name, vectorizer, weight), doc in zip(self._vectorizers(len(tokens)), docs):
            try:
                blocks.append(vectorizer.fit_transform(doc) * weight)
                vectorizer.stop_words_ = None  # the pruned n-grams: large, and only for inspection
            except ValueError:  # empty vocabulary: e.g. no Han text at all in a tiny set
                vectorizer = None
                blocks.append(sp.csr_matrix((len(doc), 0), dtype=np.float32))
            self.vectorizers_.append((name, vectorizer, weight))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def _fast_vectorizers(self) -> list:
        """Numpy lookups for the fitted vectorizers (built once per loaded model, not saved)."""
        fast = getattr(self, "_fast", None)
        if fast is None:
            from pipeline.ngrams import FastTfidf

            fast = self._fast = [None if v is None else FastTfidf(v) for _, v, _ in self.vectorizers_]
        return fast

    def _features(self, tokens: list[list[str]]) -> sp.csr_matrix:
        docs = _documents(tokens, self.head_tokens, self.head_chars)
        blocks = []
        for (name, vectorizer, weight), fast, doc in zip(self.vectorizers_, self._fast_vectorizers(), docs):
            if vectorizer is None:
                blocks.append(sp.csr_matrix((len(doc), 0), dtype=np.float32))
            else:
                blocks.append(fast.transform(doc) * weight)
        return sp.hstack(blocks, format="csr", dtype=np.float32)


# ---------------------------------------------------------------------- saving the vocabularies

_TERM_SEPARATOR = "\x00"  # never inside a term: terms are Han characters or tokens joined by spaces


class PackedVocabulary:
    """A fitted vectorizer's vocabulary as the model file stores it: every term in one string and
    the columns in one array, instead of a dict of a million entries.

    Why: joblib reads a model through Python's pure-Python unpickler, which took about 4 s for the
    shipped model's three vocabularies (956,000 terms), once per run and per worker that loads it;
    one string and one array it reads in a fraction of that. `unpack` gives the same dict, in the
    same order."""

    def __init__(self, vocabulary: dict[str, int]):
        self.terms = _TERM_SEPARATOR.join(vocabulary)
        self.columns = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))

    @classmethod
    def packs(cls, vocabulary) -> bool:
        """Whether `vocabulary` is a dict whose terms the separator can join (always, for ours)."""
        return isinstance(vocabulary, dict) and all(_TERM_SEPARATOR not in t for t in vocabulary)

    def unpack(self) -> dict[str, int]:
        terms = self.terms.split(_TERM_SEPARATOR) if len(self.columns) else []
        return dict(zip(terms, self.columns.tolist()))


def pack_vectorizers(vectorizers: list) -> list:
    """`vectorizers_` as saved: copies whose vocabularies are `PackedVocabulary` (the model's own
    vectorizers are left as they are)."""
    packed = []
    for name, vectorizer, weight in vectorizers:
        if vectorizer is not None and PackedVocabulary.packs(getattr(vectorizer, "vocabulary_", None)):
            vectorizer = copy.copy(vectorizer)
            vectorizer.vocabulary_ = PackedVocabulary(vectorizer.vocabulary_)
        packed.append((name, vectorizer, weight))
    return packed


def unpack_vectorizers(vectorizers: list) -> None:
    """Undo `pack_vectorizers` in place, on a model just read (models saved before it hold dicts)."""
    for _, vectorizer, _ in vectorizers:
        if isinstance(getattr(vectorizer, "vocabulary_", None), PackedVocabulary):
            vectorizer.vocabulary_ = vectorizer.vocabulary_.unpack()
