"""信访目的: what a letter asks for, beside what it is about.

An office records each letter's purpose (domain.md: 求决 / 申诉 / 建议 / 咨询 / 揭发控告): a demand
for a solution is a department's work with a 60-day clock, a question wants an answer, a suggestion
wants a reading, an appeal reopens a decision, and an accusation is confidential. A leader's list of
hard cases reads differently when the letters are suggestions: hot_messages' most prolific writer
sent 45 "请A市加快…力度" letters, one case high on the list by count alone (`rank.leader_list`).

The rules read the words that say what the writer wants, where they are said: a hotline operator's
note opens with who called and what for ("企业咨询，", "市民反映，": Beijing 12345), which decides;
else the title, the headline of the request (the text of a letter with a title tells the story, and
"我想咨询…但电话打不通" in it is a complaint's); else, for a call's note without a title, its opening:

- 揭发控告: every letter the router sends to 纪检监察 (its accusation rule, `route.is_accusation`:
  举报, 检举 with an official named, 贪污, 受贿 …, or the model's 纪检监察 type), given as `accused`,
  so the purpose and the confidential flag never disagree;
- 申诉: a decision contested (复查, 复核, 复议, 申诉, 不服…决定/判决/处理);
- 咨询: a question for information (咨询, 请问, 询问, 想了解, 如何办理, 需要什么材料, 哪个部门, a
  yes/no question), unless it asks about a wrong done to the writer ("咨询欠薪维权途径" wants the wages);
- 建议: a proposal (建议, 提议, 建言, 希望/能否…增设/加开/优化, 加快…力度), unless it also complains
  (投诉, 举报, 拖欠, 扰民 …): "建议彻查" in a complaint is a demand;
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

_APPEAL = re.compile(r"复查|复核|复议|申诉|不服.{0,12}(决定|判决|裁定|处理|结论|答复|认定)|再审|请求撤销.{0,10}决定")
_QUESTION = re.compile(
    r"咨询|请问|询问|问询|问问|想了解|想问|了解一下|如何办理|怎么办理|怎样办理|如何申请|怎么申请|怎样申请|"
    r"需要(什么|哪些)(材料|手续|条件|证明)|需(提供|准备)(什么|哪些)|哪个部门|向哪个|到哪里|去哪里办|在哪里办|"
    r"是否(可以|能够|需要|符合|属于)|能否享受|可否|有没有相关政策|政策是(什么|怎样)"
)
# a yes/no question in a title: "…可以在F5县开出租车吗?", "A市也会全面实行垃圾分类吗?"
_YES_NO = re.compile(r"(吗|么)\s*[?？]+\s*$")
_PROPOSAL = re.compile(r"建议|提议|建言|倡议|献策|意见和建议|提个醒|"
                       r"(恳请|希望|能否|可否|应该|应当).{0,8}(增设|增开|加开|开通|加装|设置|设立|建立|推行|探索|优化|改进|建个|建一)|"
                       r"加[快大强].{0,16}(力度|步伐)")  # "请A市加快轨道交通建设力度": a policy, not a grievance
# a hotline operator's opening: who called and what for (Beijing 12345: 企业咨询， / 市民反映，)
_OPERATOR = re.compile(r"\s*(?:市民|企业|来电人|来电|群众|网民|居民|先生|女士)?(?:来电)?(咨询|询问|建议|反映|投诉|求助)[，,：:]")
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
    if _APPEAL.search(head):
        return "申诉"
    said = _OPERATOR.match(text)
    if said:
        return _OPERATOR_SAYS[said.group(1)]
    if _QUESTION.search(head) or _YES_NO.search(head):
        # a question about a wrong done to the writer ("咨询欠薪维权途径") still wants it put right
        return "求决" if _COMPLAINT.search(head) else "咨询"
    if _PROPOSAL.search(head):
        return "求决" if _COMPLAINT.search(head) else "建议"
    return "求决"


def purposes(titles, texts, accused) -> list[str]:
    """`purpose_of` for each letter."""
    return [purpose_of(t, x, a) for t, x, a in zip(titles, texts, accused)]
