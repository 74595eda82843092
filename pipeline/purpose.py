"""信访目的: what a letter asks for, beside what it is about.

An office records each letter's purpose (domain.md: 求决 / 申诉 / 建议 / 咨询 / 揭发控告): a demand
for a solution is a department's work with a 60-day clock, a question wants an answer, a suggestion
wants a reading, an appeal reopens a decision, and an accusation is confidential. A leader's list of
hard cases reads differently when the letters are suggestions: hot_messages' most prolific writer
sent 45 "请A市加快…力度" letters, one case high on the list by count alone (`rank.leader_list`).

The rules read the words that say what the writer wants, where they are said: a hotline operator's
note opens with who called and what for ("企业咨询，", "市民反映，": Beijing 12345), which decides;
else the title, the headline of the request (the text of a letter with a title tells the story, and
"我想咨询…但电话打不通" in it is a complaint's); else, for a call's note without a title, its opening.
A letter's text (the writer's part: not an operator's note, nor an office's reply after 工单流转) is
read second, for what a headline often leaves unsaid: a proposal or an appeal under a title that only
names the place or the office ("反映…的问题").

- 揭发控告: every letter the router sends to 纪检监察 (its accusation rule, `route.is_accusation`:
  举报, 检举 with an official named, 贪污, 受贿 …, or the model's 纪检监察 type), given as `accused`,
  so the purpose and the confidential flag never disagree;
- 申诉: a decision contested: in the headline 复查, 复核, 复议, 申诉, 不服…决定/判决/处理, or a result
  already given called wrong or asked to be redone (质疑…回复/回帖, 处理结果/认定/鉴定结论…不认可/有异议/
  错误, 重新认定/鉴定/核定, 判决不公, 罚款/处罚…不合理); in the text, a ruling called unfair, a
  violation record called wrong or made without notice (错抄, 不明不白, 无法更正), a decision asked to
  be reconsidered (重新考虑/核定/评估 …);
- 咨询: a question for information (咨询, 请问, 询问, 想了解, 如何办理, 怎样…办理/开具, 需要什么材料,
  哪个部门, 何时…开工/通车/试运营 of a public work, a yes/no question ending in 吗 with or without the
  question mark, not a rhetorical one), unless it asks about a wrong done to the writer ("咨询欠薪维权
  途径" wants the wages; "何时恢复供气" wants the gas back), or its text proposes (below: 建议);
- 建议: a proposal in the headline (建议, 提议, 建言, 希望/能否/呼吁…增设/加开/优化/出台, 是否考虑…,
  加快…力度), unless it also complains (投诉, 举报, 拖欠, 扰民 …): "建议彻查" in a complaint is a
  demand; or in the text (建议…, 提出…意见/看法, 供…参考, 是否/是不是可以…考虑, 可以出台/考虑增加…)
  when the letter tells of no wrong done to the writer or the neighbours (噪音, 污染, 违建, 拖欠, 停气,
  破损 …, `_HARM`) and its headline asks nothing for the writer (请求解决/要求退还 …);
- 求决: everything else: a complaint or a request to solve something (投诉, 反映, 请求解决).

Hotline files give their own type (Beijing 12345's 工单类型 诉求/咨询/建议, a board's 投诉/建言/咨询,
Qingdao's 来电类别 求助/咨询); `benchmarks/purpose.py` scores the rules against each of them and
against a reader's blind labels of TipDM letters (`corpora/purpose/`).
"""
from __future__ import annotations

import re

PURPOSES = ("求决", "申诉", "建议", "咨询", "揭发控告")

# how much of the text, after the title, may announce the purpose (a question or a proposal says so early)
OPENING = 80

_APPEAL = re.compile(r"复查|复核|复议|申诉|不服.{0,12}(决定|判决|裁定|处理|结论|答复|认定|结果)|再审|请求撤销.{0,10}决定")
# an appeal told without those words: a result already given (a reply, a finding, a ruling, a penalty)
# that the writer says is wrong and wants redone. In the headline: "质疑…的回帖", "对处理结果不认可",
# "要求重新认定", "判决不公", "认定错误", "罚款不合理" (a clerk's 申诉: the decision is made, the writer
# contests it; "对答复不认可，要求继续督办" in Beijing's notes wants the matter done, and the
# operator's opening decides those)
_CONTESTED = re.compile(
    r"质疑.{0,40}(回复|答复|回帖|处理结果|处理意见|调查结果|认定|鉴定|结论|判决|裁决)|"
    r"(结果|处理决定|处理意见|认定|鉴定结论|处罚决定|判决|裁决|答复意见)"
    r".{0,6}(不服|不认可|不认同|有异议|不公(?![开示布])|错误|有误|不合理)|"
    r"重新(认定|鉴定|核定|核算|评估|评定|审理|裁决|丈量|测量|测绘)|"
    r"(判决|裁定|裁决|审判|判案).{0,4}(不公(?![开示布])|欠公|错误|有误)|枉法裁判|错判|冤假错案|"
    r"(罚款|处罚|罚单|扣分|违章记录|违法记录).{0,6}(错误|有误|不合理|不公(?![开示布])|冤枉)"
)
# the same told in the text of a letter whose title says neither (a message board's titles often name
# only the office or the place): a ruling called unfair ("审判欠公平"), a violation record called wrong
# or made without notice ("违章记录…不明不白", "错抄违章车辆信息"), a decision the writer asks to be
# reconsidered ("请领导重新考虑" about an allowance cut)
_CONTESTED_TOLD = re.compile(
    r"(判决|裁定|裁决|审判|判案).{0,4}(不公(?![开示布])|欠公|错误|有误)|枉法裁判|错判|冤假错案|"
    r"重新(认定|鉴定|核定|核算|评估|评定|审理|裁决|考虑)|"
    r"(违章|违法记录|罚款|处罚|罚单|扣分).{0,20}(错抄|错录|录错|有误|冤枉|不明不白|无法更正|没法更正|申请更正|予以更正)|"
    r"(错抄|错录|录错|误录).{0,8}(违章|车辆|车牌|信息)"
)
_QUESTION = re.compile(
    r"咨询|请问|询问|问询|问问|想了解|想问|了解一下|如何办理|怎么办理|怎样办理|如何申请|怎么申请|怎样申请|"
    r"需要(什么|哪些)(材料|手续|条件|证明)|需(提供|准备)(什么|哪些)|哪个部门|向哪个|到哪里|去哪里办|在哪里办|"
    r"是否(可以|能够|需要|符合|属于)|能否享受|可否|有没有相关政策|政策是(什么|怎样)|"
    # "怎样在本市开具婚育证明?": how to get a paper done
    r"(怎样|如何|怎么)(才能|可以|能)?(在.{0,8})?(办理|打|开具|申请|领取|补办|查询|缴纳)|"
    # "地铁四号线何时会试运营?": when a public work starts (not "何时恢复供气", "何时能通": a supply
    # cut off is a demand)
    r"(何时|什么时候|啥时候)(会|能|将|进行|开始)?(施工|开工|动工|开建|试运营|运营|通车|开通|建成|改造|拆迁|征收|改成|改为|移交|出台|实施|公布)"
)
# a yes/no question in a title: "…可以在F5县开出租车吗?", "A市也会全面实行垃圾分类吗?", "…收费上调是
# 合理的吗" (the question mark is not always typed); a rhetorical one ("单单给运华小区停气吗") is a complaint
_YES_NO = re.compile(r"(?<!难道)(吗|么)\s*[?？]*\s*$")
_RHETORICAL = re.compile(r"难道|凭什么|单单|还有没有|有人管|谁来管|没人管|管不管")
_PROPOSAL = re.compile(r"建议|提议|建言|倡议|献策|意见和建议|提个醒|"
                       r"(恳请|希望|能否|可否|应该|应当|呼吁|盼).{0,8}(增设|增开|加开|开通|加装|设置|设立|建立|推行|探索|优化|改进|建个|建一|出台|做好.{0,6}规划)|"
                       r"(是否|能否|可否)(可以)?考虑|"
                       r"加[快大强].{0,16}(力度|步伐)")  # "请A市加快轨道交通建设力度": a policy, not a grievance
# a proposal told in the text of a letter whose title says neither or asks a question ("咨询某县代课教师
# 资格问题" … "强烈建议各校公布教师资格证"): 建议 (not an operator's "建议耐心等待" or the People's Daily
# board's "#人民建议#" tag, nor advice the writer was given: "医生建议我们转院", an office's "建议诉讼"),
# "提出一些看法和建议，供政府参考", "是否考虑…", "本市是不是也可以这样考虑",
# "可以出台一定的制度", "请政府考虑增加…": read only when the letter tells of no wrong done to the writer
# (`_HARM`)
_PROPOSAL_TOLD = re.compile(
    r"(?<!人民)(?<!批评与)(?<!多次)建议(?!耐心|等待|#|无效|未果|没用|诉讼|起诉|[我你您他她其]|本人|来电人|市民|企业)|提出.{0,8}(意见|看法|建言)|供.{0,6}参考|"
    r"(是否|能否|可否|是不是)(也)?(可以)?.{0,8}考虑|"
    r"(考虑|可以|应该|应当)(出台|增加|增设|加开|开通|修建|新建|设置|规划|投入|建一|建个)"
)
# a wrong done to the writer or the neighbours, told anywhere in the letter: its "建议" asks for it to be
# put right (a demand), "建议取消停车场" beside "噪音污染" included
_HARM = re.compile(
    r"投诉|举报|控告|拖欠|欠薪|讨薪|扰民|噪音|噪声|污染|粉尘|油烟|恶臭|违建|违章建筑|违法|违规|"
    r"被骗|诈骗|骗取|强拆|强行|破裂|损坏|破坏|漏水|停水|停电|停气|停暖|断气|不达标|乱收费|多收|"
    r"退款|退费|赔偿|维权|质疑|不作为|安全隐患"
)
# a headline asking for the writer's own matter to be solved ("请求解决我家宅基地问题", "要求退还押金"):
# a demand, whatever its text goes on to suggest
_DEMAND = re.compile(r"(请求|要求|恳请|希望|请)(政府|领导|有关部门|相关部门)?(尽快|早日|及时)?"
                     r"(解决|处理|落实|帮助|帮忙|给予|退还|归还|发放|补发|兑现|赔|办理)")
# where the writer stops: an office's reply or a hotline's transfer note follows the request in some
# files (Beijing 12345: "工单流转：…核实：…建议转至…"), and its 建议 is the office's
_REPLY = re.compile(r"工单流转|处理结果[：:]|回复如下|答复如下|经核实")
# an operator's note whose opening is not the usual "市民反映，" ("****2层214，来电反映…问题。"): the
# operator's title is the headline and the note's words are the operator's, not the writer's
_OPERATOR_NOTE = re.compile(r"来电(反映|咨询|投诉|求助|建议|称|表示)|来话人|来电人")
# a hotline operator's opening: who called and what for (Beijing 12345: 企业咨询， / 市民反映，); a bare
# "求助，" opens a writer's own plea (TipDM), not an operator's note
_OPERATOR = re.compile(r"\s*(?:(?:市民|企业|来电人|来电|群众|网民|居民|先生|女士)(?:来电)?(咨询|询问|建议|反映|投诉|求助)|"
                       r"(?:来电)?(咨询|询问|建议|反映|投诉))[，,：:]")
_OPERATOR_SAYS = {"咨询": "咨询", "询问": "咨询", "建议": "建议", "反映": "求决", "投诉": "求决", "求助": "求决"}
_COMPLAINT = re.compile(r"投诉|举报|控告|严查|查处|彻查|打击|追责|维权|讨要|拖欠|欠薪|赔偿|退款|强拆|被骗|扰民")


def purpose_of(title: str, text: str, accused: bool = False) -> str:
    """The letter's purpose, one of `PURPOSES` (module docstring); `accused`: the router sends it
    to 纪检监察 (confidential)."""
    title, text = title or "", text or ""
    if accused:
        return "揭发控告"
    # what the writer asks, where it is said: a hotline operator's note opens by saying so ("企业咨询，",
    # "市民反映，"); a title is a headline of the request (the text of a letter with a title goes on
    # to tell the story, "我想咨询…但电话打不通" in a complaint); a call's note without either says it
    # in its opening
    head = title if title.strip() else text[:OPENING]
    if _APPEAL.search(head) or _CONTESTED.search(head):
        return "申诉"
    said = _OPERATOR.match(text)
    if said:
        return _OPERATOR_SAYS[said.group(1) or said.group(2)]
    # the text of a letter with a title may still say what the headline does not (a proposal, an appeal);
    # a call's note without a title has said it in its opening, which is the head
    body = text if title.strip() and not _OPERATOR_NOTE.search(text) else ""
    body = body[:_REPLY.search(body).start()] if _REPLY.search(body) else body
    proposes = bool(_PROPOSAL_TOLD.search(body)) and not _HARM.search(f"{title} {body}")
    if _QUESTION.search(head) or (_YES_NO.search(head) and not _RHETORICAL.search(head)):
        # a question about a wrong done to the writer ("咨询欠薪维权途径") still wants it put right; a
        # question whose text proposes ("请问公交站旁可以放公共自行车吗?" … "是不是也可以这样考虑")
        # is a suggestion
        if _COMPLAINT.search(head):
            return "求决"
        return "建议" if proposes else "咨询"
    if _PROPOSAL.search(head):
        return "求决" if _COMPLAINT.search(head) else "建议"
    if _CONTESTED_TOLD.search(body):
        return "申诉"
    if proposes and not _COMPLAINT.search(head) and not _DEMAND.search(head):
        return "建议"
    return "求决"


def purposes(titles, texts, accused) -> list[str]:
    """`purpose_of` for each letter."""
    return [purpose_of(t, x, a) for t, x, a in zip(titles, texts, accused)]
