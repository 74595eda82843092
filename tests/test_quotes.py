"""The clauses the sheets show behind a verdict (pipeline.quotes), on letters of the bundled corpus."""
from __future__ import annotations

import pytest

from pipeline.quotes import quote_evidence
from pipeline.urgency import UrgencyGrader

GROUP = ("下周一组里十户人去市政府。我们杨柳村7组十户人的承包地被村里租掉两年了,租金一分没见到,复核也做完了,没有任何说法。"
         "我们已经商量好,下周一全组老老少少去市政府门口坐着,不解决就不回去。")
POISON = ("拆我的房子我就喝农药死在这里。我是K9县石门镇柏树村的,我家老屋根本没有签拆迁协议,补偿款一分钱没拿,今天镇里带了挖机和"
          "二十多个人来,说是违建要强拆。我已经把农药瓶子拿在手上了,他们敢动我的房子我就当场喝下去。求求领导马上派人来制止!")
MANHOLE = "井盖缺失。来电人反映A5区圭塘街道万家丽路辅道有一个雨水井盖缺失,已有人用树枝插着做记号,请尽快补上。"


@pytest.fixture(scope="module")
def grader() -> UrgencyGrader:
    return UrgencyGrader(refiner=None).fit()


def test_overlapping_cues_are_shown_as_one_whole_clause(grader):
    evidence = grader.grade(GROUP)["urgency_evidence"]
    # two cues overlap in one clause without either holding the other (the phrases the sheets showed before)
    assert "已经商量好,下周一全组" in evidence and "商量好,下周一全组老老少少去市政府门口" in evidence
    quoted = quote_evidence(GROUP, evidence)
    assert quoted.count("下周一全组") == 1, quoted
    assert "「我们已经商量好,下周一全组老老少少去市政府门口坐着」" in quoted, quoted


def test_a_phrase_cut_mid_word_is_shown_in_its_whole_clause(grader):
    evidence = grader.grade(POISON)["urgency_evidence"]
    assert "补偿款一分钱没;" in evidence + ";"
    quoted = quote_evidence(POISON, evidence)
    assert "「补偿款一分钱没拿」" in quoted, quoted


def test_a_frame_s_parts_sentences_apart_are_each_quoted_in_the_letter_s_order(grader):
    evidence = grader.grade(POISON)["urgency_evidence"]
    assert "今天…马上派人" in evidence
    quoted = quote_evidence(POISON, evidence)
    today, hurry = quoted.index("「今天镇里带了挖机和二十多个人来」"), quoted.index("「求求领导马上派人来制止」")
    assert quoted.index("「拆我的房子我就喝农药死在这里」") < today < hurry, quoted
    assert "…" not in quoted  # no clause is longer than the reach, so none is cut


def test_readings_and_review_reasons_stay_with_their_clause():
    text = "老屋墙体开裂随时可能倒塌。墙下就是村里小孩上学走的路,随时可能倒下来,村里说房主在外地联系不上。"
    quoted = quote_evidence(text, "倒塌[条件];联系不上[即时];上学走的路,随时可能倒下;墙体开裂")
    assert quoted == "「老屋墙体开裂随时可能倒塌」[条件]「墙下就是村里小孩上学走的路,随时可能倒下来」「村里说房主在外地联系不上」[即时]"
    review = quote_evidence(MANHOLE, "井盖;尽快;待复核:井盖缺失(缺:有人经过);模型一般(p=0.11)")
    assert review == "「井盖缺失」「请尽快补上」;模型一般(p=0.11);待复核:(同上)(缺:有人经过)"


def test_what_no_clause_holds_is_kept_as_it_is():
    # a second reader's note and a phrase the text does not hold are not lost
    assert quote_evidence(MANHOLE, "模型紧急(p=0.93)「园方现在不让我们看监控」") == "模型紧急(p=0.93)「园方现在不让我们看监控」"
    assert quote_evidence(MANHOLE, "井盖;塌陷[即时]") == "「井盖缺失」;塌陷[即时]"
    assert quote_evidence(MANHOLE, "") == "" and quote_evidence("", "井盖") == "井盖"


def test_a_clause_with_no_punctuation_is_cut_at_the_reach_and_says_so():
    text = "那个就是我们村头那座桥" * 5 + "桥面今天塌了一个大洞" + "学生还在从旁边走过去没人拦着" * 4
    quoted = quote_evidence(text, "塌了")
    assert quoted.startswith("「…") and quoted.endswith("…」") and len(quoted) < 2 * 30 + 10, quoted


def test_a_bracket_the_letter_never_closed_splits_nothing():
    # a shared letter's phrase (电梯经常出事(经常故障停车…) swallowed every cue after it into one raw item
    text = "电梯经常出事(经常故障停车,掉层。物业敷衍,多次反映无果,安全得不到保障。"
    quoted = quote_evidence(text, "电梯经常出事(经常故障停车,掉层;敷衍;多次反映;无果;安全")
    assert quoted == "「电梯经常出事(经常故障停车,掉层」「物业敷衍」「多次反映无果」「安全得不到保障」", quoted


def test_a_long_letter_shows_its_most_urgent_clauses_first_and_counts_the_rest():
    from pipeline.quotes import BUDGET

    clauses = [f"第{i}件事已经反映了很多很多次还是没有任何结果" for i in range(12)]
    text = "，".join(clauses) + "，我明天就去省里上访。"
    evidence = ";".join(["明天就去省里上访"] + [f"第{i}件事已经反映" for i in range(12)])
    quoted = quote_evidence(text, evidence)
    assert "「我明天就去省里上访」" in quoted and quoted.endswith("句)"), quoted
    assert len(quoted) < BUDGET + 40


def test_a_title_clause_reads_see_the_title_and_a_review_reason_quoted_already_reads_as_above():
    # the sheets show the title beside 依据原文; a review reason about a clause the cues quoted repeats nothing
    assert quote_evidence(MANHOLE, "井盖;尽快;待复核:井盖缺失(缺:有人经过);模型一般(p=0.11)", title_end=4) == \
        "(见标题)「请尽快补上」;模型一般(p=0.11);待复核:(见标题)(缺:有人经过)"
    two = "井盖缺失,有人经过。" + MANHOLE[5:]
    assert quote_evidence(two, "井盖[即时];有人经过[条件]", title_end=9) == "(见标题)[即时/条件]"
    body = MANHOLE[5:]
    assert quote_evidence(body, "井盖缺失;尽快;待复核:井盖缺失(缺:有人经过)/尽快") == \
        "「来电人反映A5区圭塘街道万家丽路辅道有一个雨水井盖缺失」「请尽快补上」;待复核:(同上)(缺:有人经过)(同上)"


def test_a_clause_that_ends_inside_a_bracket_runs_on_to_its_close():
    # a joint letter's count and signers in brackets, a colon inside them: no quote shows half a pair
    text = "联名村民(共27人:张某、李某等)要求下周一全组去市政府。"
    assert quote_evidence(text, "联名村民") == "「联名村民(共27人:张某、李某等)…」"
    far = "联名村民(共27人:" + "张某、" * 20 + "等)要求下周一去市政府。"
    assert quote_evidence(far, "联名村民") == "「联名村民(共27人…」"
