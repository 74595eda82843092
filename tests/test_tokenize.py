"""Tokenization: jieba's segmentation, faster, plus the petition dictionary and place codes."""
from __future__ import annotations

import jieba
import pytest

from pipeline.errors import PetitionError
from pipeline.read import read_letters
from pipeline.tokenize import STOPWORDS, USER_DICT, FastSegmenter, Tokenizer
from tests.conftest import requires_shared_data


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer()


def test_place_codes_stay_whole(tokenizer):
    tokens = tokenizer.cut("A市A5区魅力之城小区和K9县春华镇的问题")
    assert "A市" in tokens and "A5区" in tokens and "K9县" in tokens


def test_stop_words_and_punctuation_are_dropped_but_raw_mode_keeps_them(tokenizer):
    text = "尊敬的领导，我们小区的噪音非常严重！"
    content = tokenizer.cut(text)
    raw = tokenizer.cut(text, keep_stopwords=True)
    assert "噪音" in content
    assert "的" not in content and "，" not in content and "!" not in content
    assert "".join(raw) == text


@pytest.mark.skipif(not USER_DICT.exists(), reason="petition dictionary not built yet")
def test_domain_terms_survive_only_with_the_dictionary():
    plain = Tokenizer(user_dict=None, stopwords=None)
    ours = Tokenizer(stopwords=None)
    kept = 0
    for term, sentence in [
        ("息诉罢访", "经多次协调仍未息诉罢访"),
        ("拆迁安置", "拆迁安置房至今没有交付"),
        ("物业费", "物业公司强行收取物业费"),
        ("噪音扰民", "夜间施工噪音扰民"),
    ]:
        assert any(term in token for token in ours.cut(sentence)), term  # kept in one piece
        kept += not any(term in token for token in plain.cut(sentence))
    assert kept >= 2  # the dictionary changes segmentation, not just confirms it


def test_stopword_list_ships():
    assert STOPWORDS.exists()


def test_cut_all_matches_cut_and_handles_missing_text(tokenizer):
    texts = ["A5区油烟扰民", None, "", "工地拖欠农民工工资"] * 200
    assert tokenizer.cut_all(texts, n_jobs=2) == [tokenizer.cut(t or "") for t in texts]


@requires_shared_data
def test_fast_segmenter_is_token_for_token_jieba_on_real_letters(shared_dir):
    letters = read_letters(shared_dir / "hot_messages.xlsx").letters.head(600)
    texts = (letters["title"] + " " + letters["text"]).tolist()
    plain = jieba.Tokenizer()
    plain.initialize()
    fast = FastSegmenter(plain)
    assert [fast.lcut(t) for t in texts] == [plain.lcut(t) for t in texts]
    bulk = Tokenizer(user_dict=None, stopwords=None, keep_place_codes=False)
    assert bulk.cut_all(texts, n_jobs=2, keep_stopwords=True) == [plain.lcut(t) for t in texts]


@requires_shared_data
def test_fast_segmenter_without_hmm_is_jieba_without_hmm(shared_dir):
    letters = read_letters(shared_dir / "hot_messages.xlsx").letters.head(600)
    texts = (letters["title"] + " " + letters["text"]).tolist() + ["ab中c12x", "A5区abc德雅苑1栋2单元"]
    plain = jieba.Tokenizer()
    plain.initialize()
    fast = FastSegmenter(plain, hmm=False)
    expected = [plain.lcut(t, HMM=False) for t in texts]
    assert [fast.lcut(t) for t in texts] == expected
    assert expected != [plain.lcut(t) for t in texts]  # the HMM really is off: it joins unknown words


def test_dictionary_fixes_every_recorded_real_case():
    """corpora/dict/segmentation_cases.csv: real sentences plain jieba cuts wrong."""
    import pandas as pd

    cases = pd.read_csv(USER_DICT.parent / "segmentation_cases.csv")
    ours, plain = Tokenizer(stopwords=None), Tokenizer(user_dict=None, stopwords=None)
    assert len(cases) >= 40
    fixed = [row.term in ours.cut(row.text, keep_stopwords=True) for row in cases.itertuples()]
    broken_before = [row.term not in plain.cut(row.text, keep_stopwords=True) for row in cases.itertuples()]
    assert all(fixed), cases[[not f for f in fixed]][["text", "term"]].head().to_string()
    assert all(broken_before)


def test_a_missing_user_dictionary_is_an_error_naming_the_file(tmp_path):
    missing = tmp_path / "no_such_userdict.txt"
    with pytest.raises(PetitionError, match="no_such_userdict.txt"):
        Tokenizer(user_dict=missing).cut("物业费乱收费")


@pytest.mark.parametrize("hmm", [True, False])
def test_the_rust_segmenter_is_jieba_with_the_petition_dictionary(hmm, sample_dir):
    """jieba-rs with jieba's dictionary total and jieba's own HMM step: the same tokens as jieba
    (the full check, every shared text cell: benchmarks/segmenter_identity.py)."""
    pytest.importorskip("rjieba")
    from pipeline.tokenize import RustSegmenter, _jieba, _segmenter

    ours = _segmenter(str(USER_DICT), hmm)
    assert isinstance(ours, RustSegmenter)
    letters = read_letters([sample_dir / "letters_xinfang.csv", sample_dir / "hotline_12345.xlsx"]).letters
    texts = (letters["title"].fillna("") + " " + letters["text"].fillna("")).tolist()
    # near-ties (both words of count 3), digits the HMM of jieba-rs would join, a rare Han character
    texts += ["，我想掏心掏肺地", "地址*1层1-8-258，实际办公地", "雁栖镇范各庄村505-2，登记机关", "龘䶮鿏字"]
    reference = _jieba(str(USER_DICT))
    assert [ours.lcut(t) for t in texts] == [reference.lcut(t, HMM=hmm) for t in texts]


def test_search_mode_cut_is_jiebas(sample_dir):
    """`Tokenizer.cut_for_search` (the taxonomy's term words) gives jieba's search-mode words, in
    order, with and without the HMM, on every bundled letter's title and opening."""
    from pipeline.read import read_letters

    letters = read_letters([sample_dir]).letters
    texts = letters["title"].fillna("").tolist() + [t[:200] for t in letters["text"].fillna("")]
    for hmm in (False, True):
        tokenizer = Tokenizer(hmm=hmm)
        assert [tokenizer.cut_for_search(t) for t in texts] == [
            list(tokenizer.jieba.cut_for_search(t, HMM=hmm)) for t in texts]
    assert "物业" in Tokenizer(hmm=False).cut_for_search("物业服务纠纷")


def test_main_dictionary_repeats_are_read_once_and_stay_the_same(monkeypatch):
    """The segmenter without a user dictionary (the cluster stage's place tagger) reuses the
    repeat count the one with it read; the figure is the file's, and asking for words still reads it."""
    import pipeline.tokenize as tokenize

    monkeypatch.setattr(tokenize, "_REPEATED", [])
    counts, repeated = tokenize._main_counts({"信访", "不存在的词语"})
    assert counts == {"信访": counts["信访"]} and counts["信访"] > 0 and repeated > 0
    opened = []
    monkeypatch.setattr(tokenize, "open", lambda *a, **k: opened.append(a) or open(*a, **k), raising=False)
    assert tokenize._main_counts(set()) == ({}, repeated)
    assert opened == []
    assert tokenize._main_counts({"信访"}) == ({"信访": counts["信访"]}, repeated)
    assert len(opened) == 1


def test_kept_tokens_are_one_object_per_word_and_split_segmented_agrees(tokenizer):
    from pipeline.tokenize import split_segmented

    first = tokenizer.cut("小区业主反映物业费问题，物业费太高")
    second = tokenizer.cut("物业费")
    assert first.count("物业费") == 2 and first[first.index("物业费")] is second[0]
    segmented = "小区 业主 的 物业费 ， 123 问题"
    assert tokenizer.kept(segmented.split()) == split_segmented(segmented, tokenizer._stop)


def test_unsegmented_joins_a_word_by_word_text_and_leaves_a_letter_alone():
    """A deaf writer's text message puts a space between words; readers that match phrases as letters
    write them (the urgency grader's 不想活了) need it joined. A raw letter with a stray space, and
    the Latin words in it, stay as they are."""
    from pipeline.tokenize import unsegmented

    message = "残联 说 不 管 我 没 办法 了 今天 晚上 就 走 不 想 活 了 对不起 我 妈"
    assert unsegmented(message) == "残联说不管我没办法了今天晚上就走不想活了对不起我妈"
    letter = "我家住在XX小区 3栋，楼下的KTV每天夜里两点还在唱歌，孩子明天要考试。"
    assert unsegmented(letter) == letter
    assert unsegmented("微信 WeChat 群 里 说 明天 一起 去") == "微信 WeChat 群里说明天一起去"


def test_is_dictionary_word_asks_what_the_full_segmenter_knows():
    """`is_dictionary_word` reads the bare jieba-rs dictionary and the user dictionary's words:
    the same answers as the segmenter built with the user dictionary."""
    pytest.importorskip("rjieba")
    from pipeline.tokenize import USER_DICT, _rust_jieba, _userdict_entries, is_dictionary_word

    full = _rust_jieba(str(USER_DICT))
    if full is None:
        pytest.skip("the segmenter is jieba's here")
    added = [word for word, _, _ in _userdict_entries(str(USER_DICT))]
    text = "市民反映小区物业费上涨问题，息诉罢访，实控人张某拖欠工资，负责人信息不明，经理明确答复"
    strings = {text[k:k + n] for n in (1, 2, 3, 4) for k in range(len(text) - n + 1)}
    for word in [*added, *strings, "不在任何词典里的词", "\x00\x01"]:
        assert is_dictionary_word(word) == full.has_word(word), word
