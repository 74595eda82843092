"""The taxonomy loads as data and suggests sensible lower levels, marked as suggestions."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import PetitionError
from pipeline.taxonomy import DEFAULT_TAXONOMY, SUGGESTION_COLUMNS, Taxonomy


@pytest.fixture(scope="module")
def taxonomy():
    return Taxonomy.load()


def test_shipped_taxonomy_has_three_levels_and_fifteen_top_classes(taxonomy):
    assert DEFAULT_TAXONOMY.exists()
    assert len(taxonomy.level1) == 15 and "城乡建设" in taxonomy.level1
    assert "安全生产" in taxonomy.children("城乡建设")
    assert "安全隐患" in taxonomy.children("城乡建设", "安全生产")


def test_shipped_csv_matches_the_shared_xlsx(shared_dir):
    shared = Taxonomy.load(shared_dir / "taxonomy.xlsx").table
    shipped = Taxonomy.load().table
    pd.testing.assert_frame_equal(shared, shipped)


def test_suggests_lower_levels_from_the_letters_words(taxonomy):
    s = taxonomy.suggest("A3区大道施工围墙占用人行道, 存在严重安全隐患, 请求整改", "城乡建设")
    assert s["issue_level2_suggestion"] == "安全生产"
    assert s["issue_level3_suggestion"] == "安全隐患"
    assert 0.5 < s["issue_level3_score"] <= 1.0
    wages = taxonomy.suggest("公司拖欠工资半年, 多次讨要无果", "劳动和社会保障")
    assert wages["issue_level2_suggestion"] is not None and "工资" in wages["issue_level2_suggestion"] + str(wages["issue_level3_suggestion"])


def test_a_lift_letter_is_on_special_equipment_though_it_never_names_the_term(taxonomy, sample_dir):
    """TipDM files lift letters under 商贸旅游 (质监), and they write 电梯, never 特种设备管理: the term's
    words (corpora/taxonomy/term_words.csv) put them there; without them the suggestion was 物价监督
    or nothing, and the letter went to the commerce bureau."""
    from pipeline.read import read_letters

    letters = read_letters([sample_dir]).letters
    trapped = letters.loc[letters["title"].fillna("").str.contains("电梯困人"), ["title", "text"]].iloc[0]
    text = "。".join(trapped)
    s = taxonomy.suggest(text, "商贸旅游")
    assert (s["issue_level2_suggestion"], s["issue_level3_suggestion"]) == ("质监检验检疫", "特种设备管理")
    plain = Taxonomy.load(term_words=None).suggest(text, "商贸旅游")
    assert plain["issue_level3_suggestion"] != "特种设备管理"
    # under another top class the words suggest nothing of 质监
    assert taxonomy.suggest(text, "城乡建设")["issue_level2_suggestion"] != "质监检验检疫"


def test_one_passing_mention_of_a_lift_does_not_make_a_lift_letter(taxonomy, sample_dir):
    """A letter about an estate's shared income names 电梯广告 once: it is not about special equipment,
    so its words must name the term twice (a title and its text) before they count."""
    from pipeline.read import read_letters
    from pipeline.tokenize import letter_texts

    letters = read_letters([sample_dir]).letters
    income = letters[letters["title"].fillna("").str.contains("公共收益公开")]
    text = letter_texts(income)[0]
    assert text.count("电梯") == 1
    assert taxonomy.suggest(text, "商贸旅游")["issue_level3_suggestion"] != "特种设备管理"
    assert "特种设备管理" not in taxonomy.named_terms(text)


def test_no_suggestion_without_evidence_or_for_unknown_classes(taxonomy):
    assert taxonomy.suggest("您好, 谢谢", "城乡建设")["issue_level2_suggestion"] is None
    assert taxonomy.suggest("安全隐患", "企业服务") == dict.fromkeys(SUGGESTION_COLUMNS)
    assert taxonomy.coverage_of(["企业服务", "住房"]) == 0.0


def test_suggest_all_has_the_suggestion_columns(taxonomy):
    frame = taxonomy.suggest_all(["拖欠工资", "学校乱收费"], ["劳动和社会保障", "教育文体"])
    assert list(frame.columns) == SUGGESTION_COLUMNS and len(frame) == 2


def test_another_offices_taxonomy_and_bad_files(tmp_path):
    own = pd.DataFrame({"level1": ["住房", "住房"], "level2": ["物业", "公积金"], "level3": ["物业收费", "提取"]})
    own.to_csv(tmp_path / "t.csv", index=False)
    t = Taxonomy.load(tmp_path / "t.csv")
    assert t.suggest("物业收费太高", "住房")["issue_level2_suggestion"] == "物业"
    pd.DataFrame({"a": [1]}).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(PetitionError, match="一级分类"):
        Taxonomy.load(tmp_path / "bad.csv")
    with pytest.raises(PetitionError, match="not found"):
        Taxonomy.load(tmp_path / "missing.csv")


def test_named_terms_counts_what_counting_every_word_counts(taxonomy, sample_dir):
    """`named_terms` counts only the words whose first two characters a letter holds (a second of
    the route stage on 10,000 letters, counting all 200-odd words in each): on every bundled letter it
    gives what counting every word gives, in the same order (a tie between terms breaks the same way)."""
    from pipeline.read import read_letters

    def every_word(text, title):
        counts = {term: sum(text.count(w) for w in words) for term, words in taxonomy.term_words.items()}
        return {term: n for term, n in counts.items() if (n >= 2 and term not in taxonomy.title_only)
                or (n and any(w in title for w in taxonomy.term_words[term]))}

    letters = read_letters([sample_dir]).letters
    named = 0
    for title, text in zip(letters["title"].fillna(""), letters["text"].fillna("")):
        got = taxonomy.named_terms(f"{title} {text}", title)
        assert list(got.items()) == list(every_word(f"{title} {text}", title).items())
        named += bool(got)
    assert named >= 50
