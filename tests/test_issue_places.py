"""How places compare and how an issue's place is named (`pipeline.issue_places`)."""
import subprocess
import sys

import pytest

from pipeline.issue_places import _pos_tags_on_route, pos_tags, trim_place


def _as_pairs(words):
    return [(w.word, w.flag) for w in words]


def test_pos_tags_on_jieba_rs_route_are_posseg_tags(sample_dir):
    """The tags `trim_place` reads come off jieba-rs's route with posseg's own tables: word for word
    and tag for tag what `jieba.posseg.cut` gives, on every place the bundled letters name, on the
    start of every title (codes, digits, Latin letters, punctuation) and on runs posseg guesses."""
    import jieba.posseg as posseg

    from pipeline.places import extract_places
    from pipeline.read import read_letters
    from pipeline.tokenize import _rust_jieba

    rust = _rust_jieba(None)
    if rust is None:
        pytest.skip("rjieba is not installed: pos_tags is posseg itself")
    letters = read_letters([sample_dir]).letters
    texts = set()
    for title, text in zip(letters["title"].fillna(""), letters["text"].fillna("")):
        texts.update(extract_places(f"{title} {text}"))
        texts.add(title[:12])
    texts |= {"呼吁长株潭城铁", "个宜居城", "A5区劳动东路魅力之城小区", "58车贷", "QQ群3.5万人", "J10县城关镇", "", "长株潭"}
    assert len(texts) > 900
    guessed = 0
    for text in sorted(texts):
        ours = _pos_tags_on_route(text, rust, posseg.dt)
        assert ours is not None, text
        assert _as_pairs(ours) == _as_pairs(posseg.cut(text)), text
        guessed += any(w.flag in ("nr", "ns", "nz") for w in ours)
    assert guessed > 100


def test_trimming_a_place_does_not_load_jiebas_dictionary():
    """`trim_place` tags without jieba's own dictionary (about a second to load): in a fresh
    process, trimming leaves it unloaded and trims as before."""
    code = ("import jieba; from pipeline.issue_places import trim_place; "
            "assert trim_place('呼吁长株潭城铁') == '长株潭城铁' and trim_place('个宜居城') == '宜居城'; "
            "print(jieba.dt.initialized)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    from pipeline.tokenize import _rust_jieba

    assert out[-1] == ("True" if _rust_jieba(None) is None else "False")


def test_pos_tags_fall_back_to_posseg_once_jiebas_dictionary_is_loaded():
    import jieba

    jieba.dt.initialize()
    assert _as_pairs(pos_tags("呼吁长株潭城铁")) == [("呼吁", "v"), ("长", "a"), ("株", "q"), ("潭", "n"), ("城铁", "n")]
    assert trim_place("呼吁长株潭城铁") == "长株潭城铁"
