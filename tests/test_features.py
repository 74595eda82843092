"""The classifier's features: vocabularies saved packed, read back as the same dicts."""
import pickle

from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.classify import IssueClassifier
from pipeline.features import PackedVocabulary, pack_vectorizers, unpack_vectorizers

DOCS = ["物业 费 上涨 小区 停车", "拆迁 安置 补偿 不到位", "小区 停车 难 物业 不管"]


def test_a_packed_vocabulary_unpacks_to_the_same_dict_in_the_same_order():
    vectorizer = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, ngram_range=(1, 2)).fit(DOCS)
    vocabulary = dict(vectorizer.vocabulary_)
    packed = pack_vectorizers([("word", vectorizer, 1.0), ("none", None, 0.5)])
    assert isinstance(packed[0][1].vocabulary_, PackedVocabulary)
    assert vectorizer.vocabulary_ == vocabulary  # the model's own vectorizer is left as it was
    restored = pickle.loads(pickle.dumps(packed))
    unpack_vectorizers(restored)
    assert list(restored[0][1].vocabulary_.items()) == list(vocabulary.items())
    assert restored[1] == ("none", None, 0.5)
    assert (restored[0][1].transform(DOCS) != vectorizer.transform(DOCS)).nnz == 0


def test_a_term_holding_the_separator_stays_a_dict():
    assert not PackedVocabulary.packs({"a\x00b": 0})
    assert PackedVocabulary.packs({"a b": 0}) and not PackedVocabulary.packs(None)


def test_a_model_saved_with_plain_dicts_still_loads():
    """Models saved before the vocabularies were packed hold dicts; both states load alike."""
    vectorizer = TfidfVectorizer(token_pattern=r"\S+", lowercase=False).fit(DOCS)
    old, new = IssueClassifier.__new__(IssueClassifier), IssueClassifier.__new__(IssueClassifier)
    old.__setstate__(pickle.loads(pickle.dumps({"vectorizers_": [("word", vectorizer, 1.0)]})))
    new.__setstate__(pickle.loads(pickle.dumps({"vectorizers_": pack_vectorizers([("word", vectorizer, 1.0)])})))
    assert old.vectorizers_[0][1].vocabulary_ == new.vectorizers_[0][1].vocabulary_ == vectorizer.vocabulary_
    assert isinstance(new.vectorizers_[0][1].vocabulary_, dict)

