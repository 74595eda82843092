"""What the workbook's derived columns mean, in the office's words, built from the run's settings.

Why: an analyst who opens only triage.xlsx sees 排名区间 "13至17", a 优先分 of 148 or a 热度指数 of
41.2, and nothing says what they are; report.html explained them, the workbook did not. So each
derived column carries a note on its header cell (`column_notes`, shown when the pointer rests on
it), the 说明 sheet lists every note (`guide_sheet`), and the 今日紧急 sheet shows, in view, what its
queue cannot promise (`today_caveat`): an empty or short queue is no all-clear, and an analyst who
reads it as one is the failure the urgency issue names.

The texts are built from the settings the stages read (priority and case weights, the backlog
limit, the heat weights, the queue's days), so a changed config changes its explanation. The
measured misses are the pooled blind first looks of `corpora/urgency/gold_blind*.csv`
(`BLIND_FIRST_LOOKS`); a test recomputes them from those files, so a new blind split cannot leave
the caveat behind.
"""
from __future__ import annotations

import pandas as pd

from pipeline.config import Settings
from pipeline.heat import (DEEP_MAX_PEAK_SHARE, DEEP_MIN_ACTIVE_MONTHS, DEEP_MIN_LETTERS, DEEP_MIN_SPAN_DAYS,
                           DEEP_MIN_WRITERS, RANK_RANGE_CHANGE, heat_weights)
from pipeline.quotes import BUDGET, REACH
from pipeline.rank import TODAY_EARLIER, TODAY_NEW, TODAY_REVIEW, TODAY_URGENT
from pipeline.urgency import UrgentSieve

# The grader's first looks, frozen before each split's labels were read, pooled over blind4 to
# blind32 (corpora/urgency/README.md, "Stop 36"). "clear" and "borderline" follow the readers' own
# notes: a reader who weighed 紧急 against 较急 began the reason with "borderline".
BLIND_FIRST_LOOKS = {
    "splits": ("blind4", "blind32"), "count": 29,
    "urgent": 215, "found": 91, "found_or_review": 119,
    "clear": 57, "clear_found": 41, "borderline": 158, "borderline_found": 50,
}

# The router against readers on letters nobody tuned it on (corpora/routing/gold_routing15.csv to
# …18.csv, stop 45, benchmarks/routing.py, pooled: 15 and 16 drawn after round 9, 17 and 18 after
# round 12, and no row written from their misses, which were never read): the share sent where a
# reader would send it, told beside 责任部门 (message-board letters apart: TipDM's 560, where routing
# is hardest). Four golds pooled, as one gold's readers moved the figure more than the code did
# (0.725 to 0.800 on the same router). Stop 47's house-quality and water-supply rows moved three of
# their letters right (599 -> 602): their words were chosen after reading every gold's house and
# water letters, these four's included, so those three are development (`seen`, which the
# note says); blind, it was 599 (0.767)
ROUTING_FIRST_LOOK = {"gold": ("gold_routing15.csv", "gold_routing16.csv", "gold_routing17.csv", "gold_routing18.csv"),
                      "letters": 781, "right": 0.771, "board_letters": 560, "board_right": 0.693, "seen": 3}

# 集中问题 against readers, letter by letter, at its final rule (corpora/hotspots/concentrations_first_look3.csv,
# stop 38, and …4.csv, stop 39: the rows of the terms stop 39's routing added): the share of a row's
# letters that belong to its area and kind of problem, the two looks pooled
CONCENTRATED_FIRST_LOOK = {"gold": ("concentrations_first_look3.csv", "concentrations_first_look4.csv"),
                           "letters": 269, "belong": 248}

# Probe rounds written from the rubric by helpers who saw nothing else, scored blind (corpora/urgency/README.md,
# stops 68-73): the rounds of short texts (mostly 15-60 characters) and those of mixed length, each at its first
# look, on the grader of its day, pooled as (found, 紧急 texts); tests/test_explain.py recounts them from the files.
SHORT_ROUNDS = (*range(271, 285), 287, 288, 289, 291, 293, *range(295, 301), 302, 303, 304, 306, 307, 308, 309, 311, 312, 313, 315, 316, 317, 319, 320, 321, 323, 324, 325, 327, 328, 329, 331, 332, 333, 335, 336, 337, 339, 340, 341, 343, 344, 345, 347, 348, 349, 351, 352, 353, 355, 356, 357, 359, 360, 361, 363, 364, 365, 367, 368, 369, 371, 372, 373)
MIXED_ROUNDS = (*range(259, 271), 285, 286, 290, 292, 294, 301, 305, 310, 314, 318, 322, 326, 330, 334, 338, 342, 346, 350, 354, 358, 362, 366, 370, 374)
SHORT_FIRST_LOOKS = {"short": (2539, 2880), "other": (1246, 1296)}

GUIDE_SHEET = "说明"
GUIDE_COLUMNS = ("工作表", "列名", "说明")
# the key of notes that hold on every sheet where their column appears
EVERY_SHEET = "*"


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def today_caveat() -> str:
    """What the 今日紧急 queue misses, measured on letters the grader had never seen."""
    m = BLIND_FIRST_LOOKS
    return (f"自动分级会漏判: 在从未见过的来信上(最近{m['count']}次盲测合计), 它只判出{m['urgent']}封紧急来信中的"
            f"{m['found']}封({_percent(m['found'], m['urgent'])}), 连同待复核来信也只有{m['found_or_review']}封"
            f"({_percent(m['found_or_review'], m['urgent'])}); 漏掉的多是读信人自己也犹豫的边界情形(有人居住的房屋开裂、"
            f"向\"更高一级\"申诉、检验建议停用仍在运行的电梯): 读信人认为明确的紧急来信{m['clear']}封中判出"
            f"{m['clear_found']}封, 边界情形{m['borderline']}封中判出{m['borderline_found']}封。"
            f"一两句话的短信、留言最容易漏判: 按细则自拟的来信盲测, 短信式的判出{_percent(*SHORT_FIRST_LOOKS['short'])}, "
            f"其余{_percent(*SHORT_FIRST_LOOKS['other'])}。"
            "队列为空不等于没有紧急来信; 请当日浏览较急来信的标题。")


def concentrated_caveat(outline: dict, rows: int, min_writers: int) -> str:
    """How 集中问题 counts, and for an empty sheet why it is empty, in view on the sheet: headers
    alone look like a broken run, and an analyst cannot tell that from "nothing concentrated".
    `outline`: `concentrate.outline` (or the Spark engine's), `rows`: the table's row count."""
    m = CONCENTRATED_FIRST_LOOK
    level = "市" if outline["by_city"] else "区县; 只写到市的按市"
    rule = (f"怎样计数: 同一属地({level})、同一事项(分派所依的分类 · 细项)的来信, 不同信访人不少于{min_writers}人列为一行"
            f"(配置 [lists] concentrated_min_writers)。只计原文写出了该细项用语的来信: 细项只是由词语搭配推测的来信不计, "
            f"无诉求来电和检举公职人员的保密来信也不计。本批{outline['letters']}封来信中计入{outline['counted']}封。"
            f"读信人盲测: 行内来信{m['letters']}封中{m['belong']}封({_percent(m['belong'], m['letters'])})确属该地该类问题。"
            "热点问题是一处一事, 集中问题是一地一类, 同一封信可以两处都在。")
    if rows:
        return rule
    largest = outline["largest"]
    if largest is None:
        why = "本批没有集中问题: 没有来信同时写明属地和细项用语, 无从计数。"
    else:
        area, matter, writers = largest
        why = (f"本批没有集中问题(不是运行出错): 同一属地同一事项的信访人最多{writers}人({area} · {matter}), "
               f"未达{min_writers}人。来信积累更多后再看, 或调低配置 [lists] concentrated_min_writers。")
    return f"{why}\n\n{rule}"


def _heat_formula(settings: Settings) -> str:
    w = heat_weights(settings.values.get("heat"))

    def share(key: str, what: str) -> str:
        return f"({1 - w[key]:.2f}+{w[key]:.2f}·{what})"

    return (f"10·({w['letters']:g}·ln(1+留言数)+{w['writers']:g}·ln(1+人次)+{w['votes']:g}·ln(1+点赞与反对数))"
            f" × {share('recency', '时近')} × {share('burst', '集中')} × {share('concreteness', '具体')}"
            f" × {share('persistence', '持续')}")


def column_notes(settings: Settings) -> dict[str, dict[str, str]]:
    """Header notes: {sheet: {column: note}}, with `EVERY_SHEET` for the notes that hold wherever
    their column appears; a sheet's own note for a column wins over the general one."""
    p = lambda key, default: settings.get("priority", key, default)  # noqa: E731
    limit = settings.get("backlog", "limit_days", 60)
    new_days = settings.get("lists", "today_new_days", 7)
    w = heat_weights(settings.values.get("heat"))
    priority = (f"越高越应先办。紧急+{p('urgent', 100.0):g}, 较急+{p('pressing', 40.0):g}; 同一信访人每多一封此前来信"
                f"+{p('per_repeat', 4.0):g}(最多10封); 联名或集体信访+{p('joint_letter', 10.0):g}; 属热点问题"
                f"+{p('hot_issue', 8.0):g}, 深层次问题再+{p('deep_seated', 12.0):g}; 未办结每月+{p('per_month_open', 2.0):g}"
                f"(最多24个月), 超过{limit}天成为积案再+{p('overdue', 25.0):g}。各项写在「优先理由」里, 权重见配置[priority]。")
    c = lambda key, default: settings.get("cases", key, default)  # noqa: E731
    case_priority = (f"案件(同一热点问题的来信, 或同一信访人就同一类问题的来信)的优先分 = 其中最紧要一封来信的优先分"
                     f" + 每多一封来信+{c('per_letter', 3.0):g}(最多{c('letters_cap', 10)}封) + 首末来信之间每一年"
                     f"+{c('per_year', 4.0):g}(最多{c('years_cap', 5.0):g}年) + 每多一位信访人+{c('per_writer', 2.0):g}"
                     f"(最多{c('writers_cap', 20)}人); 5人及以上反映的热点问题按集体访"
                     f"+{p('joint_letter', 10.0):g}(该信已计联名或集体信访的不重复加)。越高越宜领导包案。")
    deep = (f"是: 来信持续至少{DEEP_MIN_SPAN_DAYS}天、至少{DEEP_MIN_ACTIVE_MONTHS}个月有来信且分两波以上、至少"
            f"{DEEP_MIN_LETTERS}封, 没有哪30天集中了{DEEP_MAX_PEAK_SHARE:.0%}以上的来信, 并且至少{DEEP_MIN_WRITERS}人来信"
            "或有人反复来信。依据见「深层次依据」列。")
    sieve = UrgentSieve()  # the review and 紧急 lines the shipped second reader is fitted with
    # two learned readers write into the same cell as the rules' phrases: a reviewer must tell them apart
    evidence = ("线索所在的来信原句, 按来信顺序, 每句只列一次(句子过长时只取线索前后各"
                f"{REACH}字, 以…标出; 先列最紧急的线索, 约{BUDGET}字后其余只计句数, 如「(另2句)」), 供核对; 句后方括号是规则对该句的"
                "读法, 如[往事][条件/假设][即时]。线索的原始片段见"
                " letters.csv 的「紧急依据」列。「模型较急/模型一般(p=…)」是在较急与一般之间复判的模型改了规则的判定"
                "(p为判为较急的把握); 「模型复核/模型紧急(p=…)」是按字词读紧急的第二读者(p为紧急的把握): "
                f"p≥{sieve.threshold:g}送人工复核, 来信{sieve.urgent_min_chars}字以上且p≥{sieve.urgent_threshold:g}"
                f"(不足{sieve.short_chars}字的短信p≥{sieve.short_urgent_threshold:g})判为紧急, "
                "「」内是它最看重的一句, 从那里读起。两者可同在一格: 前者只定较急还是一般, 后者只说要不要今天请人看。"
                # the rules' own review reasons (UrgencyGrader.grade_rules) are read by people too
                "「待复核:」后是要人读信的原因: 「…」(缺:有人经过)是只差括号里这一项的紧急线索(如写了井盖缺失, 没写有人经过), "
                "请读信看那一项; 排除的紧急线索:「…」是读作已化解或已过去的紧急线索; 「半数紧急线索」是紧急线索分量过半、"
                "未到紧急。")
    return {
        EVERY_SHEET: {
            "问题类型": "模型按来信内容自动判定的问题类型。",
            "信访目的": ("来信所求(求决/申诉/建议/咨询/揭发控告), 按标题、热线工单话务员的开头(「企业咨询」「市民反映」等)"
                     "和正文中的用语自动判定; 揭发控告与纪检监察分派同一规则。咨询要答复, 建议供参阅, 不一定要办理; "
                     "无具体诉求的来电留空。判为建议、咨询时多半可信, 但许多建议和申诉认不出来(盲测140封: 建议17封认出7封, "
                     "申诉6封一封未认出), 标为求决的也可能是建议或申诉。"),
            "分类置信度": "模型对所判问题类型的把握(0-1)。低于该类型的复核阈值(按交叉验证定出)的来信列入「需人工复核」。",
            "紧急程度": ("按紧急程度规则自动判定(紧急/较急/一般)。自动判定会漏判紧急来信, "
                     "见「今日紧急」表的提示; 「一般」不等于已确认不急。"),
            "紧急线索": "判定所依据的线索类别; 方括号内是线索被降级的原因, 如[往事]读作过去的事, [条件/假设]读作假设。",
            "依据原文": evidence,
            "责任部门": ("按问题类型和路由表(或历史承办模型)分派" + (
                "; 来信原带分类(如一级分类)且该分类在路由表中时, 按原分类分派, 分派依据写明原分类与模型所判"
                if settings.get("routing", "file_class", True) else "") + "。检举控告公职人员或单位的来信只派纪检监察, "
                     "不出现在其他部门的清单中。无具体诉求的来电留综合科存档, 不转部门(letters.csv 的「无具体诉求」列标出这些来电)。"
                     "燃气、供暖、营业执照等来信不论模型判为哪一类, 都转其主管部门, 分派依据写「来信多次写到…」; "
                     "按来信自己写到的词选中路由表某一行时, 分派依据写「来信写到…」(没有这句, 是模型或相近字词猜的细项)。"
                     f"自动分派是建议: 在{ROUTING_FIRST_LOOK['letters']}封由人核对的来信上"
                     f"(其中{ROUTING_FIRST_LOOK['seen']}封在调整路由表时读过, 其余未参与调试), "
                     f"{ROUTING_FIRST_LOOK['right']:.1%}分派到了核对人认可的部门(其中留言板来信{ROUTING_FIRST_LOOK['board_letters']}封为"
                     f"{ROUTING_FIRST_LOOK['board_right']:.1%}: 写到楼盘、道路的来信常在住建、城管、规划、交通之间难分), 转办前请看分派依据。"),
            "优先分": priority,
            "优先理由": "构成优先分的各项, 可逐项对照来信核对; 「常规来信」表示没有加分项。",
            "第几次来信": "同一信访人(按姓名、电话、证件号等自动关联, 见信访人编号)的第几封来信。",
            "信访人编号": "自动关联出的同一信访人的编号, 不是身份信息; 同一编号的来信视为同一人所写。",
            "所属热点问题": ("该信所属热点问题的标签(地点 · 诉求), 见「热点问题」表。没写地点或地名写法少见的来信, "
                       "措辞与某问题的来信整体相近时也归入该问题(「热点问题来信」表的「按措辞归入」为是; letters.csv 的「按措辞归入问题」为 True; petition hotspots 的热点问题留言表在「归入方式」标出), "
                       "个别可能归错, 可按问题ID逐封核对。"),
            "已等待天数": f"未办结来信自收信至统计日的天数; 超过{limit}天(信访工作条例的办理时限)为积案。",
            "候选分类": "模型认为最可能的三个问题类型及其概率, 供复核时选择。",
            "保密": "是: 检举控告类来信, 信访人身份只给纪检监察。",
            "无具体诉求": ("是: 热线来电类别为无效(骚扰、无声等), 或话务员注明未反映具体问题、来电辱骂。"
                      "留综合科存档, 不转部门, 不计入热点问题与需人工复核; 仍计入该来电人的来电次数。"),
        },
        "今日紧急": {
            "今日队列": (f"{TODAY_URGENT}: 自动判为紧急。{TODAY_REVIEW}: 有紧急线索但被降级(如读作往事或假设), "
                     "须当日由人读信确认。"),
            "收信时段": (f"{TODAY_NEW}: 统计日前{new_days}日内收到(或没有日期)。{TODAY_EARLIER}: 更早收到、至今没有"
                     "办结记录的紧急来信, 紧急情况没人办结就没有过去。"),
        },
        "各部门待办": {
            "待办": "没有答复或办结记录的来信数。",
            "积案": f"超过{limit}天仍未办结的来信数。",
            "无具体诉求": "其中无具体诉求的来电数(骚扰、无声、未反映具体问题等), 都留综合科存档; 全部减去它即该部门要办的来信。",
        },
        "领导包案建议": {
            "信访人编号": "案件的信访人编号(自动关联出, 不是身份信息); 多人反映的热点问题列出最紧要的三位, 「等N人」为总人数。",
            "信访人数": "案件来信的不同信访人数; 5人及以上按集体访加分, 理由中写「集体反映」。",
            "事项": ("案件所涉问题: 来信属于某个热点问题的, 写该问题的标签; 否则写来信分派所依的问题类型(一级): "
                   "来信原带分类的按原分类, 否则按模型所判(写到燃气、供暖等的按其所属类), 与责任部门一致; "
                   "案件各信分派所依的细分相同时在后面写上细分(如「城乡建设 · 燃气供应」)。"
                   "责任部门按来信的二、三级分类和路由表细分, 所以「城乡建设」一案可由城市管理局或住房和城乡建设局(物业科)承办。"),
            "优先分": case_priority,
            "理由": ("案件中最紧要一封来信的优先理由; 「同一信访人累计来信N封,本事项M封」: N 是该信访人到本事项"
                   "最近一封来信为止的全部来信(含其他事项和此前批次), M 即本行的信件数; 「K名信访人共M封来信」: "
                   "多人反映的热点问题。"),
            "未办结": "案件中没有答复或办结记录的来信数。",
            "最高紧急程度": "案件各来信中最高的紧急程度。",
        },
        "热点问题": {
            "热度排名": "按热度指数从高到低的名次。",
            "热度指数": (f"= {_heat_formula(settings)}。人次: 每人每个自然月只计一次; 时近: 最近一封来信每过"
                     f"{w['half_life_days']:g}天减半; 集中: 最集中30天的来信占比; 具体: 标题写明地点的来信占比; "
                     f"持续: 有人超过{limit}天后再次来信。只用于排序, 没有单位; 权重见配置[heat]。"),
            "排名区间": (f"任一热度权重上下变动{RANK_RANGE_CHANGE:.0%}时该问题可能的名次, 如「13至17」; 区间相交的问题"
                     "热度难分先后, 不宜据名次取舍。只写一个数表示名次不随权重变动。"),
            "是否深层次问题": deep,
            "深层次依据": "判定深层次问题所用的数字: 跨度(主体跨度)、有来信的月数、波次、最集中30天占比、人数、反复来信人数。",
            "合并依据": ("本行由几组来信合并而成时, 写明几行、各行以哪个地名为主及其来信数(如「滨江一品 24封2行、"
                     "湘远建设 14封4行」)、为何是一件事: 「同名「某项目」且诉求相近」(同一项目、小区、"
                     "村或公司的不同写法), 「同属某区且诉求很相近」(同一区县或街道、诉求几乎一样), 「都针对同一规定且诉求很相近」"
                     "(一项收费或政策规定, 来信各自写自己的小区或道路)。空白: 没有合并。"
                     "不同城市(文件的所属市列)的同名小区不合并, 同一村的不同村民小组(三组、四组)也不合并; "
                     "同一公司在多个城市的来信可以合并。怀疑合并有误时, 按"
                     "问题ID筛选 letters.csv 的来信逐封核对。"),
            "留言人数": "来信的不同信访人数。",
            "按措辞归入": ("其中没有与哪封来信足够相近、按措辞与本问题来信整体相近而归入的来信数(多是没写地点或地名写法少见的来信)。"
                      "这些来信个别可能归错; 问题看起来混杂时先核对它们: 「热点问题来信」表中该问题ID下「按措辞归入」为是的即是"
                      "(该表只列最热的几个问题, 其余问题在 letters.csv 按问题ID筛选, 「按措辞归入问题」为 True)。"),
            "单人反复": "是: 全部来信出自同一信访人, 是一人反复反映(见重复信访人), 不是多人反映的热点。",
            "时间范围": "最早与最近一封来信的日期。",
            "地点/人群": ("来信所指的地点(省 → 市 → 区/县 → 镇/街道 → 村/社区 → 组, 再到具体地点)或人群。来信没写的"
                      "省、市、区县, 取自来信文件自带的属地列(如留言板的省份/城市、热线的被反映区), 须过半来信一致; "
                      "全部来信同属的省、市不写。河流与小区并提时写作 河名(小区)。「无共同地点」: 没有哪个地点(或区县)有三分之一的"
                      "来信写到, 是一类诉求(如咨询欠薪维权途径、多地供暖不达标), 不是某一处的具体问题。「多地同一规定」: "
                      "同样没有共同地点, 但过半来信针对同一项规定或收费(如停车收费新规), 是一件具体的事, 来信各自写自己的小区或道路。"),
            "主要类别": "问题各来信最多的类别: 来信文件自带分类(如一级分类)的用它, 没有的用模型判定的问题类型。",
        },
        "热点问题来信": {
            "热度排名": "来信所属热点问题的名次, 同「热点问题」表; 只列最热的几个问题(配置[lists] hot_issue_letters), 其余在 letters.csv 按问题ID筛选。",
            "按措辞归入": ("是: 这封来信没有与哪封来信足够相近, 按措辞与本问题来信整体相近而归入(多是没写地点或地名写法少见的来信), "
                      "个别可能归错, 问题看起来混杂时先读这些。否: 至少与本问题的一封来信相近(同一地点、同一诉求)。"),
        },
        "集中问题": {
            "属地": ("来信属地所在的区县, 没写区县的按市, 再没有按省; 来信分属多个市时(如全国或全省的留言板), 写了市的来信按市计。"
                   "写法取多数来信的写法(如「辽宁省大连市」)。"),
            "问题": ("来信分派所依的问题类型及其细分(如「城乡建设 · 燃气供应」), 同领导包案建议的「事项」; 只计入原文写到该细分"
                   "用语的来信(见 letters.csv「细项见于原文」), 只有类型、或细分只是模型推测的来信不计入。"),
            "信访人数": "该属地反映该问题的不同信访人数; 不少于配置[lists] concentrated_min_writers 人才列入。",
            "含热点问题数": "这些来信分属的热点问题个数; 为0表示没有哪一处具体地点集中, 是多处同类问题。",
            "主要热点问题": "这些来信中来信最多的热点问题。",
            "责任部门": "多数来信的责任部门。",
            "代表信件": "其中最紧要的一封来信。",
            "来信最多的月份": "这些来信最多的自然月(相同时取最早的), 看问题何时集中爆发, 如冬季停气。",
        },
        "重复信访人": {
            "来信数": "自动关联到该信访人的来信数。",
            "月均来信": "首末来信之间平均每月的来信数。",
            "姓名写法": "各来信中该信访人姓名的不同写法及其出现次数(已脱敏)。",
        },
    }


SHEET_PURPOSES = {
    "今日紧急": ("今天必须有人处置的来信: 未办结的紧急来信和待复核来信, 近几日新收的在前。待复核的是要人扫一眼的, "
             "不是第二份紧急名单: 从共享真实来信的待复核者中随机读30封, 没有一封明确紧急, 约四分之一值得当天细看。"),
    "各部门待办": "各责任部门的待办、全部、紧急和积案来信数, 及其中无具体诉求的来电数。",
    "领导包案建议": ("最难、最久、最反复的案件, 供领导包案: 同一热点问题的来信不论谁写都是一案(群体性事项), "
               "其余是同一信访人就同一类问题的来信。一地多处的同类问题(如一个市多个村停气)不成一案, 见「集中问题」。"),
    "重复信访人": "写过不止一封信的信访人, 来信最多的在前(身份信息已脱敏)。",
    "热点问题": "多人反映的同一具体问题(同一地点、同一诉求), 按热度排序。无具体诉求的来电(来电类别为无效, 或话务员注明"
            "未反映具体问题)不计入, 仍在来信明细中, 件数见 report.html。一个问题的几种写法已尽量并成一行: 写到同一项目、"
            "工厂或公司(含不带后缀的简写, 如只写「湘远建设」)且诉求相近的, 同一小区、村且诉求一致的, 以及同一区县"
            "(或街道)内诉求高度一致的几行会并为一行, 标签用来信最常写的名称; 河流各处、一期与二期不并。只用地标、楼号、门牌"
            "指代地点(如「菜市场门口」「12号楼」)或用词差别很大时, 同一地点同一诉求的来信会落在几行里, 也可能不成行(在十套"
            "另写的测试来信上, 同一问题的任两封来信平均约七成落在同一行, 网格巡查记录不到一半); 留言数是下限, "
            "地点相同、诉求相同的几行请合并看。",
    "热点问题来信": ("最热的几个热点问题的来信, 热度高的问题在前、每个问题内按来信时间; 用于逐封核对一个问题是否混杂, "
               "或转交相关部门(不带信访人身份)。"),
    "集中问题": ("同一区县(或市、省)多人反映的同一类问题, 信访人多的在前: 热点问题是一处一事, 这里是一地多处的同类问题"
             "(如一个市多个村的燃气停供)。检举控告和无具体诉求的来电不计入。"),
    "积案": "超过办理时限仍未办结的来信。",
    "需人工复核": ("问题类型把握不大、需要人确认分类的来信; 无具体诉求的来电不列入; 来信文件自带的分类(一级分类)"
              "对得上路由表类型的来信已由人分类, 也不列入。"),
    "待办-<部门>": "每个部门未办结的来信; 检举控告类来信只在纪检监察的清单中, 且只有它带信访人身份。",
}


def guide_sheet(settings: Settings) -> pd.DataFrame:
    """The 说明 sheet: what each sheet is for, the queue's caveat, then every column note."""
    rows = [(sheet, "(整表)", purpose) for sheet, purpose in SHEET_PURPOSES.items()]
    rows.append(("今日紧急", "(提示)", today_caveat()))
    for sheet, notes in column_notes(settings).items():
        where = "各表" if sheet == EVERY_SHEET else sheet
        rows.extend((where, column, note) for column, note in notes.items())
    return pd.DataFrame(rows, columns=list(GUIDE_COLUMNS))


def notes_for(sheet: str, notes: dict[str, dict[str, str]]) -> dict[str, str]:
    """The header notes of one sheet: the general ones, then its own over them."""
    return {**notes.get(EVERY_SHEET, {}), **notes.get(sheet, {})}
