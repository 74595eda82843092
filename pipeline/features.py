"""The issue classifier's features: three TF-IDF blocks over a letter's content tokens.

Word 1-2grams; Han character 1-3grams of the tokens run together (weighted `char_weight`), so
they do not depend on spaces or on how a letter was segmented; and the opening tokens (the title,
or the first words where the title is inside the text) as their own block, in Han character
1-2grams when `head_chars`. Fitting learns the vocabularies (`vectorizers_`); transforming uses
numpy lookups built from them (`pipeline.ngrams.FastTfidf`, same values, faster). `LetterFeatures`
holds these steps for `IssueClassifier`, which supplies the parameters.
"""
from __future__ import annotations

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
