"""信访目的: what a letter asks for, by the words that say so."""
import pandas as pd
import pytest

from pipeline.purpose import PURPOSES, purpose_of
from tests.conftest import requires_shared_data


@pytest.mark.parametrize("title, text, purpose", [
    ("咨询A市户口迁移问题", "我想把户口迁到A市, 需要什么材料?", "咨询"),
    ("建议增开夜间公交", "晚上下班没有公交, 建议增开夜间线路。", "建议"),
    ("投诉物业乱收费", "物业每月多收停车费, 请相关部门查处。", "求决"),
    ("对门面评估结果有异议申请复核", "评估结果明显偏低, 申请复核。", "申诉"),
    # a suggestion that is a complaint is a demand: the writer wants something stopped
    ("建议彻查A市某公司拖欠工资", "公司拖欠工资半年, 建议彻查。", "求决"),
    # the story of a complaint may say the writer wanted to ask: the title is the request
    ("社保所电话打不通的问题", "市民反映，自己要咨询社保卡丢失补办的问题，但是电话一直打不通。", "求决"),
])
def test_the_title_says_what_the_letter_asks_for(title, text, purpose):
    assert purpose_of(title, text) == purpose


@pytest.mark.parametrize("title, text", [
    # a reply, a finding or an assessment already given, called wrong in the headline
    ("质疑区住建局对楼房裂缝问题的答复", "答复说裂缝不影响安全, 与事实不符。"),
    ("对征收评估结果不认可", "评估结果明显偏低, 周边同类房屋都比我们高。"),
    ("要求重新认定工伤等级", "伤情明显比认定的重。"),
    ("对调解结果不服", "调解员只听对方一面之词。"),
    # told in the text under a title that only names the matter
    ("关于某区法院的案子", "一审审判欠公平, 法院认定事实错误, 请上级法院主持公道。"),
    ("高速路口电子抓拍的问题", "我的违章记录里多了三条, 从未收到告知, 不明不白被记录了。"),
    ("交管平台的问题", "交警队错抄违章车辆信息, 我的车从没去过那里, 没法更正。"),
    ("关于乡村教师生活补贴的问题", "今年补贴标准下调, 与小学老师一样, 这合理吗? 请领导重新考虑一下。"),
])
def test_a_decision_already_made_and_contested_is_an_appeal(title, text):
    """申诉 without 复查/复核/不服: a result given to the writer that the writer says is wrong."""
    assert purpose_of(title, text) == "申诉"


@pytest.mark.parametrize("title, text, purpose", [
    # a proposal told in the text of a letter whose headline only names the matter
    ("关于某区公交线路的问题", "政务中心附近公交车太少, 建议增开一条线路经过政务中心。", "建议"),
    ("反映新区配套设施的问题", "新区入住的人越来越多, 是否考虑在城北建一所公办幼儿园?", "建议"),
    ("关于教师节收礼的看法", "教育部门可以出台制度, 规定老师只能收学生的贺卡。", "建议"),
    ("反映某镇音乐茶座的事", "我们向政府提出一些看法, 供政府参考。", "建议"),
    ("希望某街道做好交通规划建设", "每天最早的班车七点半才到, 路上要两个小时。", "建议"),
    # a question whose text proposes is a suggestion
    ("请问本市可以设置公共自行车吗?", "外地很多城市都有刷卡的公共自行车, 本市是不是也可以考虑一下?", "建议"),
    ("咨询某县代课教师资格问题", "很多代课老师没有教师资格证, 强烈建议各校张榜公布。", "建议"),
    # a wrong done to the writer or the neighbours stays a demand, whatever it suggests
    ("小区旁搅拌站的问题", "搅拌站噪音很大, 粉尘污染严重, 建议立即搬走。", "求决"),
    ("某路燃气管道的问题", "电动车停在燃气管道下面, 多次建议无效, 麻烦领导尽快处理!", "求决"),
    ("请求解决孩子入学问题", "孩子在本区上学难, 建议教育局统筹安排。", "求决"),
    ("某小区连续停气", "已经停气三天, 希望领导解决。#人民建议#", "求决"),
    ("某小区水管破裂", "水管破裂一个月没人修, 建议区里主要负责人来走访。", "求决"),
    # a result withheld is no result contested; advice the writer was given is no proposal
    ("第三方检测结果不公开", "检测做了三次, 结果一直不告诉业主。", "求决"),
    ("母亲住院报销的问题", "医生建议我们去省里的医院手术, 现在报销不了。", "求决"),
    # an office's reply after the request is not the writer's: its 建议 does not count
    ("协调尽快办理广告审查问题", "****，来电反映协调尽快办理广告审查问题。工单流转：某委核实：建议该机构向区卫健委咨询。", "求决"),
    ("某平台无法登录问题", "1.系统提示登录失败。工单流转：某局核实：非我局职能，建议转至统一身份认证平台处理。", "求决"),
])
def test_a_proposal_told_in_the_text_is_a_suggestion_unless_the_letter_complains(title, text, purpose):
    assert purpose_of(title, text) == purpose


@pytest.mark.parametrize("title, text, purpose", [
    ("某地铁线何时会试运营?", "", "咨询"),
    ("地铁站南出入口何时施工", "北侧出入口已现雏形, 南边一直未见动工。", "咨询"),
    ("怎样在本市开具婚育证明?", "户口在学校, 学校说开不了。", "咨询"),
    ("机动车检测收费上调是合理的吗", "想请相关部门看看此收费是否符合文件标准。", "咨询"),
    # a writer's own "求助，" is no operator's note: the title's question decides
    ("咨询事业单位人事档案问题", "求助，能否告知聘用审批表是否在个人档案里?", "咨询"),
    # a supply cut off, a rhetorical question and "怎么办" want something done
    ("小区燃气何时恢复", "", "求决"),
    ("过年了单单给我们小区停气吗", "", "求决"),
    ("停气一个多月了我们该怎么办", "一个多月了还不告诉什么时候能供气。", "求决"),
])
def test_questions_a_title_asks_without_the_word(title, text, purpose):
    assert purpose_of(title, text) == purpose


def test_an_operator_s_note_is_read_by_its_opening_not_its_words():
    """Beijing's notes tell the caller's dissatisfaction with a reply ("对答复不认可，要求继续督办"): the
    caller wants the matter done (诉求), and the operator's opening says so."""
    assert purpose_of("营业执照迟迟不核发", "企业反映，…对答复不认可，要求继续督办。") == "求决"
    assert purpose_of("某局不给办理许可问题", "****，来电反映…自己不认可，建议相关部门重新考虑。") == "求决"


def test_a_hotline_operator_s_opening_decides_and_an_accusation_is_confidential():
    """Beijing 12345's operators open each note with who called and what for (企业咨询，/市民反映，);
    the opening decides over the title's words. An accusation (the router's rule) is 揭发控告 whatever
    its words (the router passes every letter it sends to 纪检监察), so the purpose never disagrees with
    the confidential flag."""
    assert purpose_of("核实分公司是否可以从事总公司的经营内容", "企业咨询，分公司的营业执照经营范围…") == "咨询"
    assert purpose_of("是否需要交滞纳金才可以作废营业执照", "企业反映，养殖场已关了五六年…") == "求决"
    assert purpose_of("建议增设公交站", "企业建议：在园区门口增设一处公交站。") == "建议"
    assert purpose_of("咨询政策", "", accused=True) == "揭发控告"
    # a call's note without a title says it in its opening
    assert purpose_of("", "来电咨询公租房申请条件。") == "咨询"


def test_the_run_gives_every_letter_a_purpose_and_none_to_a_call_with_no_request(sample_run):
    letters = sample_run.letters
    empty = letters["no_request"].astype(bool)
    assert letters.loc[~empty, "purpose"].isin(PURPOSES).all() and letters.loc[empty, "purpose"].isna().all()
    # the bundled office's suggestions and questions are told apart from its complaints
    counts = letters["purpose"].value_counts()
    assert counts["求决"] > counts["咨询"] >= 50 and counts["建议"] >= 50
    said = letters.set_index("title")["purpose"]
    assert said["建议增开夜间公交"] == "建议" and said["咨询临时用地审批"] == "咨询"
    confidential = letters["confidential"].astype(bool)
    assert ((letters["purpose"] == "揭发控告") == confidential).all() and confidential.sum() >= 5


@requires_shared_data
def test_beijing_operators_purposes_are_read_from_their_notes(shared_dir):
    """Beijing 12345 records each work order's type (工单类型: 诉求, 投诉, 咨询, 建议). Development
    figure: the rules were revised after reading this file's misses (benchmarks/purpose.py)."""
    frame = pd.read_csv(shared_dir.parent / "more_sources" / "beijing12345_2024.csv", dtype=str)
    said = [purpose_of(t, x) for t, x in zip(frame["标题"].fillna(""), frame["主要内容"].fillna(""))]
    gold = frame["工单类型"].str.strip().map({"诉求": "求决", "投诉": "求决", "咨询": "咨询", "建议": "建议"})
    said = pd.Series(said).replace({"申诉": "求决", "揭发控告": "求决"})
    assert (said == gold).mean() >= 0.95  # all 求决 would be 0.82
    asked = gold == "咨询"
    assert (said[asked] == "咨询").mean() >= 0.9 and (gold[said == "咨询"] == "咨询").mean() >= 0.9
