"""FastTfidf must give exactly scikit-learn's TF-IDF rows, on real letters and on awkward input."""
from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.ngrams import FastTfidf
from pipeline.read import read_letters
from pipeline.tokenize import Tokenizer

_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")


@pytest.fixture(scope="module")
def token_docs(sample_dir):
    letters = read_letters(sample_dir).letters
    tokens = Tokenizer().cut_all((letters["title"].fillna("") + " " + letters["text"].fillna("")).tolist(), n_jobs=1)
    words = [" ".join(t) for t in tokens]
    chars = [_NOT_HAN.sub("", "".join(t)) for t in tokens]
    return words, chars


def _same(vectorizer, fit_docs, docs):
    vectorizer.fit(fit_docs)
    fast = FastTfidf(vectorizer)
    expected, got = vectorizer.transform(docs), fast.transform(docs)
    assert got.shape == expected.shape
    assert abs(expected - got).max() < 1e-6 if expected.nnz else got.nnz == 0
    return fast


def test_word_unigrams_and_bigrams_match_sklearn_on_unseen_letters(token_docs):
    words, _ = token_docs
    vectorizer = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    fast = _same(vectorizer, words[::2], words[1::2])  # half the letters are new to the vocabulary
    assert fast.kind == "word"


def test_character_trigrams_match_sklearn_including_empty_and_spaced_text(token_docs):
    _, chars = token_docs
    vectorizer = TfidfVectorizer(analyzer="char", lowercase=False, ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    docs = chars[1::2] + ["", "油", "拖欠  工资", "𠮷野家门口占道"]  # empty, one char, double space, outside the BMP
    fast = _same(vectorizer, chars[::2] + ["𠮷野家", "𠮷野家"], docs)
    assert fast.kind == "char"


def test_word_trigrams_do_not_cross_letters():
    vectorizer = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, ngram_range=(1, 3), sublinear_tf=True)
    fit = ["小区 停车 收费", "停车 收费 太高", "收费 太高 小区"]
    fast = _same(vectorizer, fit, ["小区 停车", "收费 太高 小区 停车 收费", "未知 词"])
    row = fast.transform(["小区", "停车 收费"])  # "小区 停车 收费" spans the two letters: not counted
    assert row[0].nnz == 1 and row[1].nnz == 3


def test_settings_it_cannot_reproduce_fall_back_to_sklearn():
    vectorizer = TfidfVectorizer(lowercase=True).fit(["Parking Fees", "parking lot"])
    fast = FastTfidf(vectorizer)
    assert fast.kind is None
    assert np.allclose(fast.transform(["PARKING"]).toarray(), vectorizer.transform(["PARKING"]).toarray())
