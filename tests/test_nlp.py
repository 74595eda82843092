"""spaCy pipeline: jieba tokens in, places and identity numbers out as entities."""
import pytest

from pipeline.nlp import make_nlp
from pipeline.tokenize import Tokenizer


@pytest.fixture(scope="module")
def nlp():
    return make_nlp()


def entities(nlp, text):
    return {(e.text, e.label_) for e in nlp(text).ents}


def test_tokens_are_the_tokenizers(nlp):
    text = "反映A5区魅力之城小区油烟扰民问题"
    assert [t.text for t in nlp(text)] == Tokenizer().cut(text, keep_stopwords=True)


def test_places_estates_schools_and_organisations(nlp):
    found = entities(nlp, "本人系A7县春华镇金鼎村七里组村民,反映A5区魅力之城小区油烟扰民")
    assert ("A7县春华镇金鼎村七里组", "PLACE") in found
    assert ("A5区魅力之城小区", "ESTATE") in found
    assert ("A市A6区育才实验学校", "SCHOOL") in entities(nlp, "A市A6区育才实验学校乱收费")
    assert ("A市程明物业管理有限公司", "ORG") in entities(nlp, "投诉A市程明物业管理有限公司")


def test_clause_words_are_not_part_of_names(nlp):
    found = entities(nlp, "投诉魅力之城小区物业")
    assert not any(text.startswith("投诉") for text, _ in found)


def test_phone_and_id_numbers(nlp):
    found = entities(nlp, "我的电话13812345678,身份证430102199001011234")
    assert ("13812345678", "PHONE") in found
    assert ("430102199001011234", "ID_NUMBER") in found


def test_doc_places_extension(nlp):
    assert nlp("A3区西湖建筑集团占道施工")._.places == ["A3区西湖建筑集团"]
