"""UrgencyGrader: each cue category, each context modifier, each false-positive trap, the CLI,
and the gold-set figures (real letters; skipped without ../shared/data)."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import PetitionError
from pipeline.normalise import clean_text
from pipeline.paths import CORPORA_DIR, SHARED_DATA_DIR
from pipeline.urgency import OUTPUT_COLUMNS, UrgencyGrader, load_lexicon, parse_number

requires_shared_data = pytest.mark.skipif(not (SHARED_DATA_DIR / "hot_messages.xlsx").exists(),
                                          reason=f"real letters not found at {SHARED_DATA_DIR}")
SHARED_FILES = ("hot_messages.xlsx", "replies.xlsx", "unlabeled_messages.xlsx", "labeled_sample.xlsx")


@pytest.fixture(scope="module")
def grader() -> UrgencyGrader:
    return UrgencyGrader().fit()


def level(grader, text):
    return grader.grade(text)["urgency"]


# ---- each cue category fires on a real-style sentence ------------------------------------------
@pytest.mark.parametrize("text, category, expected", [
    ("开发商拖了三年不交房，我们全家实在活不下去了，我今天就去开发商楼顶跳楼。", "自伤威胁", "紧急"),
    ("母亲每天以死相逼，说不让她去就喝农药。", "自伤威胁", "紧急"),
    ("对方扬言要找人打死我全家，我现在都不敢回家。", "暴力威胁", "紧急"),
    ("再拖下去我只能跟他们同归于尽。", "暴力威胁", "紧急"),
    ("如果本月底前还不解决，我们将集体到北京上访。", "越级上访", "紧急"),
    ("问题一天得不到解决，我们就上访到省里、到中央。", "越级上访", "紧急"),
    ("如不能处理，小区业主将联名上访市政府。", "群体行动", "紧急"),
    ("目前全市的士司机大部分罢工，乘客打不到车。", "群体行动", "紧急"),
    ("楼道里煤气泄漏已经两天了，家里有八十岁的老人。", "安全险情", "紧急"),
    ("小区停暖一周，楼里好几位瘫痪老人冻得发抖。", "安全险情", "紧急"),
    ("包工头拖欠我们三十多名农民工工资八个月了，过年回不了家。", "欠薪", "较急"),
    ("工地每天深夜施工，噪音扰民，孩子根本无法入睡。", "污染扰民", "较急"),
    ("楼房墙体开裂，已经被鉴定为危房。", "安全隐患", "较急"),
    ("平台老板卷款跑路，上百名出借人血本无归。", "诈骗", "较急"),
    ("老人重病瘫痪在床，家里无钱医治。", "弱势群体", "较急"),
    ("孩子下周就要开学了，学位问题迫在眉睫。", "时限", "较急"),
    ("此事我们多次反映，至今未解决，已经17年了。", "重复反映", "较急"),
])
def test_each_cue_category(grader, text, category, expected):
    out = grader.grade(text)
    assert category in out["urgency_cues"].split(";")
    assert out["urgency"] == expected
    assert out["urgency_evidence"]


def test_people_and_duration_counts(grader):
    out = grader.grade("开发商欠着300多名业主的房产证，已经整整五年了，多次反映无果。")
    assert "涉及人数" in out["urgency_cues"] and "久拖" in out["urgency_cues"]
    assert "300多名" in out["urgency_evidence"]
    # a date or a room number is not a duration or a head count
    out = grader.grade("2017年3月我在5栋2902户门口看到通知。")
    assert "久拖" not in out["urgency_cues"] and "涉及人数" not in out["urgency_cues"]


@pytest.mark.parametrize("token, value", [("300", 300), ("三百", 300), ("几十", 30), ("上百", 100),
                                          ("十几", 13), ("一百五十", 150), ("两千", 2000), ("三", 3)])
def test_parse_number(token, value):
    assert parse_number(token) == value


# ---- context modifiers: negation, prevention, risk, history, quotes, suggestions ---------------
@pytest.mark.parametrize("text", [
    "请领导放心，我们不会自杀，也不会做违法的事。",           # 否定
    "我们绝不会去北京上访，只希望依法解决。",                 # 否定
    "我们不想拉横幅维权，只想通过正当途径解决。",             # 否定
    "请尽快整改消防通道，以免发生火灾事故。",                 # 防范
    "希望政府妥善处理，防止群体性事件发生。",                 # 防范
    "建议学校开设心理课程，预防学生跳楼轻生。",               # 防范 + 建议
    "村干部说：“你们去北京告也没用。”",                      # 引述
])
def test_modifiers_drop_the_cue(grader, text):
    assert level(grader, text) != "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "如果发生燃气泄漏，后果不堪设想。",          # 条件: a risk, not an event
    "该楼存在火灾隐患，消防通道被堵。",          # 风险 suffix
    "去年我们曾经集体上访过一次。",              # 既往
    "2017年我们已经去过北京上访。",              # 已然 / 过
])
def test_modifiers_demote_to_pressing(grader, text):
    assert level(grader, text) == "较急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "我的工友已经爬上了工地旁边的广告牌，说不给钱就跳下来。",             # heights
    "我们三十多位家长已经约好，明天早上一起去县教育局，不给学位就不走。",  # a gathering fixed for a date
    "来访农民工在接待大厅席地而坐，表示不拿到钱不走。",                    # refusing to leave
    "刚才一楼楼道里的电动车着火了，楼里还有老人没下来。",                  # 即时 promotes an event
    "二十多名讨薪工人与保安发生推搡，有人被打伤，双方还在对峙。",          # 即时 promotes violence
])
def test_happening_now_is_urgent(grader, text):
    assert level(grader, text) == "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "去年小区发生过一次火灾，幸好没有人员伤亡。",                      # an event told after the fact
    "据说长期接触电磁辐射可能引起自杀和白血病。",                      # 亲身: self-harm of nobody in particular
    "彩民因欠码债被逼无奈服毒自杀。",                                  # 亲身: a third party
    "难道一定要去省政府静坐、拉横幅，领导才会重视吗？",                # 反问: a rhetorical question
    "公务员不得组织或者参加罢工、游行、示威等活动。",                  # 法条: quoted rules
    "镇政府说我们重复上访、越级上访。",                                # 引述: an accusation, not a threat
])
def test_context_keeps_these_below_urgent(grader, text):
    assert level(grader, text) != "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "如果再不解决，我们只能去北京上访。",        # a condition does not soften a threat
    "不给钱我就跳楼。",                          # 不 ... 就: a condition, not a negation
    "逼得我不得不去跳楼。",                       # 不得不 is not a negator
])
def test_threats_under_conditions_stay_urgent(grader, text):
    assert level(grader, text) == "紧急", grader.grade(text)


# ---- false-positive traps ----------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "请问游乐场的跳楼机是否属于特种设备？",      # 跳楼机
    "为了减轻生产成本，村民冒险通行。",          # 减轻生产 contains 轻生
    "电梯隔三差五就罢工，请检查质量。",          # a lift 'on strike'
    "上下班高峰路口经常堵路，希望加装红绿灯。",  # traffic jam, not a road blockade
    "石料厂用炸药开山，灰尘很大。",              # explosives at a quarry
    "联通加班太多，难道要几个跳楼的人才能引起重视吗？",  # rhetoric about other people
    "我们只能以跳楼价变卖房产。",                        # 跳楼价 is a fire-sale price
    "业委会制定了一个收费方案要各业主投票。",            # 制定了 is not 定了 (a fixed gathering)
])
def test_false_positive_traps_are_not_urgent(grader, text):
    assert level(grader, text) != "紧急", grader.grade(text)


def test_consultation_is_ordinary(grader):
    out = grader.grade("请问公积金异地贷款需要带哪些材料？")
    assert out == {"urgency": "一般", "urgency_score": 0.0, "urgency_cues": "", "urgency_evidence": ""}


def test_score_bands_follow_levels(grader):
    urgent = grader.grade("我们将集体到北京上访。")["urgency_score"]
    pressing = grader.grade("工地深夜施工噪音扰民，无法入睡。")["urgency_score"]
    ordinary = grader.grade("建议增开一条公交线路。")["urgency_score"]
    assert 0.7 <= urgent <= 1 and 0.35 <= pressing < 0.7 and 0 <= ordinary < 0.35


# ---- table API, lexicon as data, CLI -----------------------------------------------------------
def test_transform_adds_columns_and_keeps_rows(grader):
    letters = pd.DataFrame({"letter_id": ["1", "2", "3"], "title": ["求助", None, "建议"],
                            "text": ["拖欠工资半年了", "我要去北京上访", None]})
    out = grader.transform(letters)
    assert list(out["letter_id"]) == ["1", "2", "3"] and "urgency" not in letters.columns
    assert set(OUTPUT_COLUMNS) <= set(out.columns)
    assert list(out["urgency"]) == ["较急", "紧急", "一般"]


def test_offices_extend_the_lexicon(tmp_path):
    path = tmp_path / "lexicon.csv"
    path.write_text("pattern,category,weight,level,note\n要去市委门口,群体行动,1.0,紧急,local phrase\n不会,否定,0,修饰,\n",
                    encoding="utf-8")
    grader = UrgencyGrader(lexicon=path).fit()
    assert grader.grade("明天我们要去市委门口")["urgency"] == "紧急"
    assert grader.grade("我们不会要去市委门口")["urgency"] == "一般"


def test_bad_lexicon_names_the_row(tmp_path):
    path = tmp_path / "lexicon.csv"
    path.write_text("pattern,category,weight,level,note\n(unclosed,自伤威胁,1,紧急,\n", encoding="utf-8")
    with pytest.raises(PetitionError, match="row 2"):
        load_lexicon(path)


def test_cli_grade_writes_output_and_rejects(tmp_path):
    from pipeline.cli import main
    source = tmp_path / "letters.csv"
    pd.DataFrame({"留言编号": ["a1", "a2", "a3"], "留言主题": ["欠薪", "咨询", ""],
                  "留言详情": ["老板拖欠工资三个月，我们准备集体到省政府上访。", "请问社保怎么转移？", ""]}
                 ).to_csv(source, index=False, encoding="utf-8")
    out = tmp_path / "graded.parquet"
    assert main(["grade", str(source), "--out", str(out)]) == 0
    graded = pd.read_parquet(out)
    assert dict(zip(graded["letter_id"], graded["urgency"])) == {"a1": "紧急", "a2": "一般"}
    assert (tmp_path / "graded.rejects.csv").exists()


# ---- gold set (real letters) -------------------------------------------------------------------
@pytest.fixture(scope="module")
def gold_scores(grader):
    from sklearn.metrics import f1_score, precision_recall_fscore_support
    gold = pd.read_csv(CORPORA_DIR / "urgency" / "gold.csv", dtype=str)
    gold = gold[gold["split"] == "dev"]  # the test split is reported by benchmarks/urgency.py
    wanted = set(gold["source_file"])
    frames = []
    for name in SHARED_FILES:
        if name in wanted:
            raw = pd.read_excel(SHARED_DATA_DIR / name, dtype={"留言编号": str})
            frames.append(pd.DataFrame({"source_file": name, "letter_id": raw["留言编号"],
                                        "title": raw["留言主题"].astype(str).map(clean_text),
                                        "text": raw["留言详情"].astype(str).map(clean_text)}))
    letters = pd.concat(frames).drop_duplicates(["source_file", "letter_id"])
    rows = gold.merge(letters, on=["source_file", "letter_id"], how="left")
    assert rows["text"].notna().all()
    labels = ["紧急", "较急", "一般"]
    ours = grader.transform(rows[["title", "text"]])["urgency"]
    urgent = [c.pattern for c in grader.cues_ if c.level == "紧急"]
    pressing = [c.pattern for c in grader.cues_ if c.level == "较急"]
    base = ["紧急" if any(p.search(t) for p in urgent) else "较急" if any(p.search(t) for p in pressing) else "一般"
            for t in grader.letter_texts(rows)]
    p, r, _, _ = precision_recall_fscore_support(rows["urgency"], ours, labels=labels, zero_division=0)
    return {"precision": p[0], "recall": r[0],
            "macro": f1_score(rows["urgency"], ours, labels=labels, average="macro"),
            "baseline_macro": f1_score(rows["urgency"], base, labels=labels, average="macro")}


@requires_shared_data
def test_gold_set_floor(gold_scores):
    """Regression floor at the measured figures: recall of 紧急 first."""
    assert gold_scores["recall"] >= 0.90
    assert gold_scores["macro"] >= 0.70
    assert gold_scores["macro"] > gold_scores["baseline_macro"] + 0.1


@requires_shared_data
@pytest.mark.xfail(reason="issue 4 targets not met: dev 紧急 recall 0.91, precision 0.64, macro-F1 0.72", strict=True)
def test_gold_set_issue_targets(gold_scores):
    assert gold_scores["recall"] >= 0.95
    assert gold_scores["precision"] >= 0.8
    assert gold_scores["macro"] >= 0.8
