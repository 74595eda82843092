"""Cue families, not phrases: each kind of 紧急 letter in the rubric (../shared/urgency_rubric.md)
in wordings no cue was written from, and plain letters that share their words and must stay below
紧急. Written from the rubric's kinds, not from letters; the letters are in benchmarks/urgency.py."""
from __future__ import annotations

import pytest

from pipeline.errors import PetitionError
from pipeline.paths import CORPORA_DIR
from pipeline.urgency import UrgencyGrader


@pytest.fixture(scope="module")
def grader():
    return UrgencyGrader().fit()


@pytest.mark.parametrize("text", [
    # an occupied house cracking, sinking or tilting from works or mining
    "煤矿在村子底下开采，村里好几户人家的房子墙裂了大口子，地面还在下陷，老人孩子晚上都不敢睡在屋里。",
    "隔壁工地挖基坑后，我们这栋居民楼明显倾斜，楼里还住着三十多户人家。",
    "市民来电反映，小区6号楼因周边施工出现严重裂缝，居民担心楼房倒塌，要求尽快处置。",
    # a building over a street that may fall, no barrier
    "拆迁拆了一半的楼房一直没人管，墙体摇摇欲坠，紧挨着马路，过往行人和车辆很多。",
    "老街上一栋危楼外墙随时可能掉下来，下面是菜市场，每天人来人往，连个警示牌都没有。",
    # lifts that keep trapping or dropping people and still run
    "我们楼的电梯三天两头关人，前天又把一位老人困在里面一个多小时，现在照样在用。",
    "单元电梯多次突然下滑，已经有居民被困受伤，物业不停用也不维修。",
    # no heating, gas or water in winter for the elderly, infants or the sick
    "零下二十度的天气，小区已经停暖五天了，家里有瘫痪在床的老母亲，实在扛不住了。",
    "寒冬腊月燃气公司给我们整栋楼断了气，楼里大多是七八十岁的老人，屋里冷得像冰窖。",
    "供热公司到现在还不供暖，室内温度只有8度，孩子才三个月大，已经冻病了。",
    # a group action being organised, or material collected for one
    "业主们已经商量好了，下周一起去市政府门口拉横幅。",
    "村民们正在联名签字，准备集体到县里上访。",
    # a trip to the province or Beijing, as what the writer will do
    "如果这次还不给解决，我就去北京国家信访局反映。",
    "区里再推下去，我们只好到省里去上访了。",
    # the writer's life threatened now
    "放高利贷的人扬言不还钱就要我的命，天天派人在我家门口蹲守。",
    "讨债公司的人拿着刀到我家来，说要砍死我全家，我现在不敢回家。",
    # self-harm, conditional
    "工资再拖着不发，我只能从公司楼顶跳下去了。",
    # a gas leak, a dangerous site with no barrier
    "楼道里燃气味很大，已经好几天了，燃气公司一直没来人。",
    "路边挖了一个两米多深的大坑，没有任何围挡，每天都有学生从旁边经过。",
    "施工队把小区的天然气管道挖断了，到现在还没人来处理。",
    # added after the blind2 first look (the kinds it missed, in other words)
    "如果这个月还不解决，我们全体村民将选出代表去市里上访。",              # the whole side, conditional
    "镇里执意要建焚烧厂，我们村民将誓死保卫自己的家园。",                  # a vow to resist
    "今天突然来了十几个人，正在强行拆我家的围墙，还打伤了我父亲。",        # violence under way today
    "采石场天天放炮，村里十几户民居的房屋都震出了裂缝，还在继续开采。",    # village houses cracking
])
def test_each_kind_in_new_words_is_urgent(grader, text):
    assert grader.grade(text)["urgency"] == "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "去年我家房子因为施工出现裂缝，施工方已经赔偿并修好了。",        # repaired: history
    "建议对辖区危房进行排查，防止发生倒塌事故。",                    # a suggestion, prevention
    "请问小区电梯年检是什么时候？",                                  # a question
    "冬天供暖费能不能按实际面积收取？家里有老人，希望优惠。",        # no outage
    "我们希望政府能重视这个问题，不要让群众去上访。",                # a wish, nobody's plan
    "十年前我们村曾经集体上访过，后来问题解决了。",                  # a past group petition
    "听说隔壁小区有人跳楼了，希望加强心理疏导。",                    # someone else, past
    "商场搞跳楼价促销，噪音太大。",                                  # 跳楼价
    "我会继续向有关部门反映，直到问题解决。",                        # 继续反映: no level, no group
    "问题不解决我还会去上访。",                                      # 上访 with no level and no group: 较急
    "请问去北京办理护照需要什么材料？",                              # Beijing as a place
    "领导说你们有本事去北京告啊，我们觉得很无奈。",                  # an official's words
    "电梯经常坏，希望物业加强维护。",                                # no one trapped
    "暖气不太热，室温20度，希望提高一点。",                          # warm enough
    "单位制度不合理，老人看病报销难，冬季也一样。",                  # 制度 is no temperature, no outage
    "对方在合同里威胁说要追究我们的法律责任。",                      # a legal threat, no danger
    "交房前验房发现毛坯房楼板多处开裂，业主要求开发商整改。",        # cracks in a flat nobody lives in yet
    "开发商不兑现承诺，全体业主将依法维权。",                        # 维权 is no trip, no gathering
    "施工单位下周要围挡封路，请提前公告。",                          # 封路 for roadworks is no protest
])
def test_plain_letters_sharing_the_words_stay_below_urgent(grader, text):
    assert grader.grade(text)["urgency"] != "紧急", grader.grade(text)


def test_an_unquoted_pattern_with_a_comma_is_an_error_naming_the_row(tmp_path):
    path = tmp_path / "compose.csv"
    original = (CORPORA_DIR / "urgency" / "compose.csv").read_text(encoding="utf-8")
    path.write_text(original.rstrip("\n") + "\nslot,menace,讨债.{0,4}公司,debt collectors,\n", encoding="utf-8")
    rows = original.rstrip("\n").count("\n") + 2
    with pytest.raises(PetitionError, match=f"row {rows}.*quote"):
        UrgencyGrader(refiner=None, compose=path).fit()
    quoted = tmp_path / "quoted.csv"
    quoted.write_text(original.rstrip("\n") + '\nslot,menace,"讨债.{0,4}公司",debt collectors,\n', encoding="utf-8")
    UrgencyGrader(refiner=None, compose=quoted).fit()


def test_signals_count_cue_families_without_changing_the_grade(grader):
    text = "如果这次还不给解决，我就去北京国家信访局反映。"
    signals: dict = {}
    assert grader.grade_rules(text, signals=signals) == grader.grade_rules(text)
    assert signals["rules:紧急"] == 1.0 and signals.get("frame:higher_level:kept", 0) >= 1.0, signals
    signals = {}
    assert grader.grade_rules("我们不会去北京上访。", signals=signals)["urgency"] != "紧急"
    assert signals["rules:紧急"] == 0.0 and signals.get("tag:否定", 0) >= 1.0, signals  # dropped, and why
    assert any(k.endswith(":dropped") for k in signals), signals
