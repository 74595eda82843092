"""Every place a letter names, and where it sits in the administrative chain: one extractor for all.

Letters say where a problem is in two ways, and both matter to a leader asking "where?":

- the **administrative chain** 省 → 市 → 区/县 → 镇/街道/乡 → 村/社区 → 组, written out in full
  (`长治市上党区郝家庄镇岭上村`) or masked by the data set (`A市`, `A5区`, `K9县`, also with a space:
  `J10 县`);
- **named places and organisations**, recognised by how their names end: waters (河, 支河, 内河, 溪,
  港, 湖, 渠, 浦, 水库), bridges, parks, roads and 路段, estates (小区, 家园, 花园, 城, 苑 …), villages
  and 组, schools, hospitals, malls, markets, companies, factories and works (搅拌站, 垃圾站).

A name runs from a break (punctuation, an administrative unit, a function word such as 的/在/反映)
to the last place ending within a dozen characters, so a name is never clipped: `茶场村五组` keeps its
村, `某某河某某花园` gives `某某河` and `某某花园`, each whole. Generic phrases (我们小区, 周边小区) are not
names. Clustering (`pipeline.cluster`), the tokenizer (`PLACE_CODE` keeps masked codes whole),
the spaCy ruler (`pipeline.nlp`) and routing (`pipeline.route`, 属地) all use this module, so a
place is the same thing everywhere.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from contextlib import contextmanager
from functools import lru_cache

from pipeline.numbers import parse_number
from pipeline.prefilter import Prefilter

# ------------------------------------------------------------------ masked codes
# Masked place codes of the TipDM data and similar exports: A市, A5区, K9县, B省; a space may
# separate the code from its level (`J10 县`). Group 1 = the code with the space removed.
PLACE_CODE = re.compile(r"([A-Z][0-9]{0,2})\s?(省|市|区|县|镇|乡)")
_CODE_SPACE = re.compile(r"(?<![A-Za-z0-9])([A-Z][0-9]{0,2})[ \u3000](?=[省市区县镇乡])")


def normalise_codes(text: str) -> str:
    """`J10 县` -> `J10县`: one spelling for every masked code (and never a broken name)."""
    return _CODE_SPACE.sub(r"\1", text) if text else ""


def split_codes(text: str) -> list[str]:
    """The text split around masked codes; odd items are codes (`["在", "A5区", "劳动东路"]`)."""
    out = []
    position = 0
    for m in PLACE_CODE.finditer(text):
        out.append(text[position:m.start()])
        out.append(m.group(1) + m.group(2))
        position = m.end()
    out.append(text[position:])
    return out


# ------------------------------------------------------------------ kinds of places
# kind -> name endings. Order inside a kind does not matter; the longest ending wins.
KIND_SUFFIXES: dict[str, tuple[str, ...]] = {
    "water": ("支河", "内河", "河", "溪", "港", "湖", "渠", "浦", "浜", "泾", "涌", "河涌", "水库", "河道"),
    "bridge": ("大桥", "桥"),
    "park": ("公园", "湿地公园", "绿道"),
    "road": ("路段", "大道", "路", "街", "巷", "高速", "隧道", "铁路", "城际铁路", "城铁", "立交桥"),
    "estate": ("国际城", "小区", "花园", "家园", "嘉园", "新城", "新村", "公寓", "大厦", "公馆", "华府", "华庭",
               "名苑", "雅苑", "佳苑", "庭院", "山庄", "城", "苑", "府", "郡", "湾", "园", "宿舍", "安置区"),
    "village": ("村", "组"),
    "community": ("社区",),
    "town": ("镇", "乡", "街道"),
    "school": ("学院", "大学", "中学", "小学", "学校", "幼儿园", "职校"),
    "hospital": ("医院", "卫生院"),
    "mall": ("商城", "商场", "购物中心", "广场", "超市"),
    "market": ("市场", "农贸市场", "菜市场"),
    "company": ("公司", "集团", "车贷", "驾校", "酒店", "宾馆", "建设", "建工", "置业", "地产", "银行", "物流园", "工业园",
                # online lending and investment platforms are named by these (余易贷, 湖楚财富)
                "贷", "财富"),
    "agency": ("管理局", "派出所", "监督所", "管理所", "房管所", "司法所", "税务所", "法院", "检察院", "委员会", "居委会", "村委会", "办事处", "服务中心", "管委会"),
    "factory": ("厂", "搅拌站", "采石场", "养殖场", "砂石场", "垃圾站", "中转站", "变电站", "加油站", "项目"),
}
_KIND_OF = {s: k for k, ss in KIND_SUFFIXES.items() for s in ss}
SUFFIXES = tuple(sorted(_KIND_OF, key=len, reverse=True))
# A water or bridge ending followed by these is a common word, not a name: 河道 is kept as a name
# ending (某某河河道), but 湖南, 渠道, 桥梁, 港口 … are not places ending in 湖/渠/桥/港; nor is the
# 河 of a town named for its river (流沙河镇, 青竹湖镇: the town, then its village, not 镇广胜村).
_NOT_AFTER = {"河": "水流边堤岸畔床面口镇乡沙", "湖": "南北泊水面边镇乡", "渠": "道", "桥": "梁头镇乡", "港": "口澳台币湾镇乡",
             "溪": "流谷湖镇乡", "浦": "东镇乡", "泾": "渭", "涌": "入现出动来进向起泉", "组": "织长成建合员",
             "村": "民委里内长干组局厅", "城": "市管", "贷": "款", "财富": "的", "路": "面灯费况由名牌标", "镇": "长政里民", "乡": "长政里民下亲"}
# and one preceded by these is a common word: 房贷, 网贷, 高利贷 are loans, not lending platforms; 停路边 is parking, 马路 any road, and
# 长河路路边 is 长河路 and its side
_NOT_BEFORE = {"贷": "房网信借利路园额费学款小", "涌": "汹泉奔翻蜂喷", "路": "线思退走迷带让修封停马路"}
_SUFFIX_RE = re.compile("|".join(
    (f"(?<![{_NOT_BEFORE[s]}])" if s in _NOT_BEFORE else "") + re.escape(s)
    + (f"(?![{_NOT_AFTER[s]}])" if s in _NOT_AFTER else "") for s in SUFFIXES))
_PHASE = re.compile(r"(?:[一二三四五六七八九十]|[0-9]{1,2})期")
_PHASE_END = re.compile(r"(?:[一二三四五六七八九十]|[0-9]{1,2})期$")
_STRIP_SUFFIX = re.compile("(?:" + "|".join(map(re.escape, SUFFIXES)) + ")$")

# Places many unrelated letters share (a long road, a town, a utility company): naming the same one
# is weak evidence of the same problem.
WEAK_SUFFIXES = ("城际铁路", "铁路", "路", "大道", "街", "街道", "镇", "乡", "社区", "公司", "集团", "高速",
                 "大桥", "隧道", "市场", "医院", "幼儿园", "银行", "超市", "管理局", "委员会", "管委会", "派出所",
                 "法院", "办事处", "服务中心")

# ------------------------------------------------------------------ breaks
# Words that cannot be inside a place name: a place name starts after them.
_BREAKERS = (
    "的 在 与 及 是 了 对 把 被 给 从 到 向 由 为 将 就 都 也 还 又 但 而 或 这 那 该 此 本 其 "
    "我 我们 你 你们 您 他 她 它 他们 她们 咱们 请 请问 关于 投诉 反映 反应 举报 咨询 建议 希望 要求 强烈 坚决 反对 "
    "加快 组织 临街 沿街 一楼 底层 位于 家住 住在 附近 旁边 周边 门口 对面 里面 楼下 之间 "
    "修建 新建 建设 开设 设置 设立 搬迁 违建 违规 违法 非法 强行 捆绑 销售 购买 "
    "经开区 开发区 高新区 "
    "什么 何时 如何 怎么 为何 能否 是否 可以 不 没有 大量 严重 长期 影响 导致 造成 目前 现在 "
    "立即 马上 尽快 恢复 当时 当天 今天 昨天 今年 去年 前年 明年 最近 近日 之前 以前 至今 近期 晚上 白天 夜间 只要 等 往 已 流入 排入 排到 协调 督促 一个 一家 这条 那条 一条 这座 那座 一座 整条 沿线 两岸 沿岸 沿着 一带 来电 市民 来电人 称 "
    # what a caller does or wants, as a hotline operator writes it down (需要公司, 删除租房公司,
    # 自己4月11号去街道): a verb or pronoun, never part of a place name
    "跑路 诈骗 涉嫌 老板 依法 调查 查处 严惩 打击 侦查 地处 处于 早日 回复 答复 承诺 增加 开通 拆除 改建 扩建 来建 "
    "自己 需要 知道 删除 想要 联系 核实 名下 拨打 查询 审核 注销 取消 按照 属于 通过 去 赴 "
    # what is asked of a place or done at it, and where beside it (建议公开社区党组织经费, 1979年招工进厂,
    # 小区旁变电站, 隔壁变电站, 按政策知青下乡): 公开社区, 招工进厂 and 政策知青下乡 are no names, and a spot
    # beside the estate is not the estate's
    "公开 招工 旁 隔壁 政策 知青 "
    # an operator's 其系 (其系柳河镇西岗村村民: the caller is of), what lies beside (西岗村挨着石桥垃圾中转站),
    # 跟 joining two roads (东风北路跟兴业街路口), and what is asked of a place (请管一管青石镇…)
    "其系 其为 挨着 紧挨着 紧邻 毗邻 邻近 靠着 跟 管一管 "
    # a bus that no longer stops at a village (236路公交调线后水荫村, 不停水荫村站, 撤掉水荫村站)
    "不停 调线后 改线后 撤掉 撤了 坐 乘坐 搭乘 坐落于 坐落在 坐落 坐标 有一所 一所 封路 修路 "
    # what happens at a place or when, as callers say it (整改石冈隧道, 暴雨隧道积水, 每天开车经过石冈隧道, 那个下穿隧道)
    "整改 暴雨 大雨 下雨天 下雨 雨天 傍晚 凌晨 中午 早上 经过 路过 开车 每天 每次 那个 这个 哪个 之后 以后 好几支 好几个 好几家 好几条 "
    # a grid worker's record (巡查发现：供销社旧宿舍…, 复查：…): the record's own words
    "巡查发现 巡查 复查 上报 "
    # what a caller asks done, or must do, before the place (建议清理地铁人民路站, 中间还要过两次马路)
    "清理 要过 "
    # how many, before the kind of place (很多老小区没有车位): no name holds them
    "很多 许多 好多 不少 好些 "
    # what a rule says of a place (细则规定项目竣工后满12个月): the rule's words, never a name
    "规定 细则 "
    # what a letter says it wants or does before a noun (要早餐,要升旗; 2、随着城中城…; 做好市…; 加上城市…;
    # 像木莲中路; 分流香樟路): 要升旗 is no banner (旗) and 随着城 no estate
    "要 随着 做好 加上 像 分流 "
).split()
# What an operator asks an office to do, right before the office (尽快处理西城区市场监督管理局…): a
# break, except where a name goes on with it (污水处理厂, 垃圾处理场, 处理站)
_VERB_BREAK = r"(?=[处解办整])(?:处理|解决|办理|整治)(?![厂场站中所])"
# 和 joins two names (锦绣华庭和东方名苑), except where it starts one (和平里小区, 和顺家园, 和谐家园)
_AND_BREAK = r"和(?![平谐顺美睦煦园苑兴泰畅悦信]|家园|家苑)"
# Who said what (人社局说公司提供的合同有问题, 开发商说小区…): a break, except inside a name (美丽传说, 小说)
_SAY_BREAK = r"(?<![传小])说"
# A date (4月11号, 2024年) or a number glued to a written-out district (50朝阳区) is a break too:
# 朝阳区50朝阳区市场监督管理局 is two mentions, not one name.
_NUMBER_BREAK = (r"[0-9]{2,4}年(?:[0-9]{1,2}月)?(?:[0-9]{1,2}[日号])?|[0-9]{1,2}月(?:[0-9]{1,2}[日号])?"
                 r"|[0-9]+(?=[\u4e00-\u9fff]{0,2}[^\W小社园景片校厂矿营新开发科工业试验库省市区分筑宅活办学商住军灾保护施禁辖0-9A-Za-z_]"
                 r"[区县](?![委政城长级里内域间别]))")
GENERIC_STEMS = frozenset(
    "新农 老旧 整个 周边 相关 其他 所在 同一 大型 安置 老 新 城 市 县 区 乡 村 镇 小 大 中 全体 业主 开发 物业 "
    "政 市政 人民 省 城市 农村 城乡 乡村 住宅 商品 居民 公共 社区 街道 地方 各级 当地 城区 老城 "
    "旧城 主城 县城 新区 高新 经开 公立 私立 民办 国有 民营 外地 本地 临街 沿街 马路 道路 公路 "
    "施工 建筑 物流 贷款 集资 保障 有限 股份 责任 总 分 子 母 校 院 园 花 家 十字 必经之 过马 断头 快速 "
    "水泥 公交线 城市道 小区道 道 线 两个 餐饮服务 文明 际 高速 市委 政府 市政府 委市政 配套 小区配套 "
    "搅拌 混凝土 混凝土搅拌 采石 养殖 砂石 垃圾 变电 加油 大型 新建 修建 违建 违规 非法 国家中心 中心 普惠 普惠性 "
    "公办 附属 自来水 供水 燃气 电力 移动 电信 联通 银行 保险 物业 物业服务 物业管理 置业 地产 "
    "黑臭 臭 污染 河 小河 大河 内 支 水 湖 桥 路段 段 某 某乡 门前 屋后 村里 村口 镇上 乡下 全 各 本 该 这 那 "
    "工作 服务 网络 运营 科技 燃气公 热力 供暖 供热 天然气 暖气 附近 城管 交通 高铁 地铁 公交 "
    "购物 商 工 电 网 进 出 上 下 左 右 东 南 西 北 前 后 一 二 三 两 多 几 小学 中学 有关 相关部门 职能 主管 "
    "政府相关 当地政府 各 人事 派 民政 公安 税务 教育 卫生 财政".split()
)

# ------------------------------------------------------------------ the administrative chain
LEVELS = ("省", "市", "区县", "镇街", "村社区", "组")
# The office's own place columns (`pipeline.read.PLACE_FIELDS`: a board's province/city/county, a
# hotline's 被反映区/街乡镇) and the level of the chain each fills; what an office writes there when it
# does not know is no place.
COLUMN_LEVELS = (("place_province", "省"), ("place_city", "市"), ("place_county", "区县"), ("place_town", "镇街"))
UNKNOWN_PLACE = frozenset({"不详", "未知", "无", "其他", "其它", "-", "—", "/"})


def place_columns(letters) -> "pd.DataFrame":
    """Each letter's office place columns (those of `COLUMN_LEVELS` present), cleaned: an unknown
    (不详) is empty, and a unit that repeats the one above it is written without it (西城区月坛街道
    under 西城区 is 月坛街道). Routing's 属地 joins them; hot-issue labels count them per level."""
    import pandas as pd

    out = pd.DataFrame(index=letters.index)
    above = pd.Series("", index=letters.index)
    for column, _ in COLUMN_LEVELS:
        if column not in letters.columns:
            continue
        values = letters[column].astype("object").where(letters[column].notna(), "").astype(str).str.strip()
        values = values.where(~values.isin(UNKNOWN_PLACE), "")
        values = pd.Series([v[len(a):] if a and v.startswith(a) and len(v) > len(a) else v
                            for v, a in zip(values, above)], index=letters.index)
        out[column] = values
        above = values.where(values != "", above)
    return out
_HAN = r"[\u4e00-\u9fff]"
# One unit per level; stems are short (长治市, 上党区, 郝家庄镇, 岭上村), and endings that are not
# administrative (小区, 园区, 景区, 城镇, 农村, 社区 after 小; 停放区, 候车区, 服务区) are excluded by the
# character before them.
_CODE_AT = r"[A-Z][0-9]{0,2}"
_LEVEL_RE = {
    "省": re.compile(rf"{_CODE_AT}省|{_HAN}{{2,3}}?省"),
    # not a market (顺河路夜市, 超市, 菜市, 集市) nor 股市, 门市
    "市": re.compile(rf"{_CODE_AT}市|{_HAN}{{1,3}}?[^\W夜超菜集股闹门黑早0-9A-Za-z_]市(?![场民委政区长级属直容貌])"),
    "区县": re.compile(rf"{_CODE_AT}(?:区|县)|{_HAN}{{1,3}}?[^\W小社园景片校厂矿营新开发科工业试验库省市区分筑宅活办学商住军灾保护施禁辖去到回进往赴货放车候烟务客0-9A-Za-z_](?:区|县|旗)(?![委政城长级里内域间别])"),
    "镇街": re.compile(rf"{_CODE_AT}(?:镇|乡)|{_HAN}{{1,4}}?[^\W城乡小集0-9A-Za-z_](?:镇|街道|乡)(?![村下长政里民镇])"),
    "村社区": re.compile(rf"{_HAN}{{1,5}}?[^\W农乡山小本我全该各0-9A-Za-z_](?:村|社区)(?![民委里内长干组])"),
    # a group is named by a number (五组, 3组) or, right after its village, by a word (金鼎村七里组)
    "组": re.compile(rf"(?:[一二三四五六七八九十]{{1,3}}|[0-9]{{1,2}}|{_HAN}{{1,2}})(?:组|队)(?![织长成建合员])"),
}


# The last character of every unit `_LEVEL_RE` matches (街道 ends in 道), and the longest unit it
# matches (a village: five characters, one more, 社区): a chain can start only where one of these
# characters follows within that reach.
_UNIT_END = re.compile("[省市区县旗镇乡道村组队]")
_UNIT_MAX_LENGTH = 8


@dataclass(frozen=True)
class Place:
    """One place as written: its full name, its kind (water, road, estate … or an admin level)."""

    name: str
    kind: str
    start: int
    end: int


@lru_cache(maxsize=65536)
def kind_of(name: str) -> str:
    """`某某河` -> water, `岭上村` -> village, `A5区` -> 区县; '' when the ending is not a place's.
    Kept per name: the scan asks it of every name it finds, spelling variants of every pair."""
    code = PLACE_CODE.fullmatch(name)
    if code:
        level = code.group(2)
        return {"省": "省", "市": "市", "区": "区县", "县": "区县", "镇": "镇街", "乡": "镇街"}[level]
    m = _STRIP_SUFFIX.search(_PHASE_END.sub("", name))
    return _KIND_OF[m.group()] if m else ""


def is_weak(place: str) -> bool:
    """A road, town or utility many unrelated letters name: weak evidence of the same problem."""
    return place.endswith(WEAK_SUFFIXES)


# Kinds of place that name one spot (not a road, town or company many unrelated letters name)
SPOT_KINDS = ("water", "bridge", "park", "estate", "village", "school", "hospital", "mall", "market", "factory")


def is_spot(place: str) -> bool:
    """A named spot: a river, bridge, park, estate, village, school, hospital, market or factory whose
    name is not a common one (`is_weak`: 人民医院, 农贸市场 …)."""
    return kind_of(place) in SPOT_KINDS and not is_weak(place)


@lru_cache(maxsize=65536)
def stem(place: str) -> str:
    """The name without its ending: `魅力之城小区` -> `魅力之城`, `某某河` -> `某某`. Kept per name
    (the scan asks it of every candidate name and part)."""
    return _STRIP_SUFFIX.sub("", _PHASE_END.sub("", place))


@lru_cache(maxsize=1)
def _break_re() -> re.Pattern:
    codes = r"[A-Z][0-9]{0,2}(?:省|市|区|县)"
    words = "|".join(sorted(map(re.escape, _BREAKERS), key=len, reverse=True))
    # The lookaheads only say which character each alternative can start with, so the same
    # breaks are found; a position no break word starts at is rejected by one character-class
    # test instead of by trying every word (half the time of the whole scan, which every letter
    # goes through two or three times: routing, linking, clustering).
    first = "".join(sorted({re.escape(w[0]) for w in _BREAKERS}))
    return re.compile(r"[^\u4e00-\u9fffA-Za-z0-9·]+|(?=[0-9A-Z])(?:" + _NUMBER_BREAK + "|" + codes + ")"
                      + "|(?=[" + first + "])(?:" + words + ")|" + _VERB_BREAK + "|" + _SAY_BREAK + "|" + _AND_BREAK)


@lru_cache(maxsize=4)
def _breaks(text: str) -> tuple[re.Match, ...]:
    """Every break of a text, found once for the chain and the names of the same text (`where`)."""
    return tuple(_break_re().finditer(text))


def admin_chain(text: str) -> dict[str, str]:
    """The first full administrative chain the text writes, one unit per level.

    `山西省长治市上党区郝家庄镇岭上村` -> {省: 山西省, 市: 长治市, 区县: 上党区, 镇街: 郝家庄镇, 村社区: 岭上村};
    `A3区西湖街道茶场村五组` -> {区县: A3区, 镇街: 西湖街道, 村社区: 茶场村, 组: 五组}. A chain starts
    at a break (punctuation, a function word); units of one chain follow each other directly.
    The longest chain wins (the first among equals).
    """
    text = normalise_codes(text or "")
    best: dict[str, str] = {}
    for start in _reachable_starts(text):
        chain = {u.kind: u.name for u in _chain_units(text, start)}
        if len(chain) > len(best):
            best = chain
        if len(best) >= 4:
            break
    return best


def admin_units(text: str) -> list[Place]:
    """Every administrative unit of every chain in the text, in order (duplicates kept)."""
    text = normalise_codes(text or "")
    out: list[Place] = []
    covered = -1
    for start in _chain_starts(text):
        if start < covered:
            continue
        units = _chain_units(text, start)
        out.extend(units)
        covered = units[-1].end if units else start
    return out


def _chain_units(text: str, position: int) -> list[Place]:
    """The units of the chain starting at `position`. A district or county written in full with a
    long stem (石景山区) counts only inside a chain (after its 市, or before its 镇/街道): alone, a
    word ending in 区 is more often no district at all (建筑物区)."""
    units: list[Place] = []
    for level in LEVELS:
        if level == "组" and not (units and units[-1].kind == "村社区"):
            break
        m = _unit(level, text, position)
        if m:
            units.append(Place(m.group(), level, m.start(), m.end()))
            position = m.end()
    for k, u in enumerate(units):
        if u.kind == "区县" and not PLACE_CODE.fullmatch(u.name) and len(u.name) > 3:
            before = k > 0 and units[k - 1].kind in ("省", "市")
            after = k + 1 < len(units) and units[k + 1].kind == "镇街"
            if not (before or after):
                return units[:k]
    return units


def _reachable_starts(text: str) -> list[int]:
    """The `_chain_starts` with a unit's last character (`_UNIT_END`) within a unit's length, in
    order, each once: no unit, so no chain, can begin at any other. A letter has some ninety
    breaks and a handful of such characters, so the starts are looked up from the characters,
    among the breaks' ends and the masked codes' starts (`_gap_bounds`)."""
    unit_ends = [m.start() for m in _UNIT_END.finditer(text)]
    if not unit_ends:
        return []
    starts, ends = _gap_bounds(text)
    codes = _code_starts(text, starts)
    reachable: set[int] = set()
    for end in unit_ends:
        low = end - _UNIT_MAX_LENGTH + 1
        if low <= 0:
            reachable.add(0)
        reachable.update(ends[bisect_left(ends, low):bisect_right(ends, end)])
        reachable.update(codes[bisect_left(codes, low):bisect_right(codes, end)])
    return sorted(reachable)


_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")  # a masked code's first character
_CAPITAL = re.compile("[A-Z]")


def _code_starts(text: str, starts: list[int]) -> list[int]:
    """The starts of the breaks that are masked codes (A5区), in order: a break starting with a
    capital, found from the text's few capitals rather than by reading every break."""
    out, breaks = [], _breaks(text)
    for m in _CAPITAL.finditer(text):
        k = bisect_left(starts, m.start())
        if k < len(starts) and starts[k] == m.start() and PLACE_CODE.fullmatch(breaks[k].group()):
            out.append(m.start())
    return out


def _chain_starts(text: str):
    yield 0
    for m in _breaks(text):
        if PLACE_CODE.fullmatch(m.group()):
            yield m.start()  # a code begins a chain itself
        yield m.end()


# a unit never begins with a clause word: 希望东城区 is 希望 + 东城区
_NOT_UNIT_START = re.compile("|".join(sorted((re.escape(b) for b in _BREAKERS if len(b) > 1), key=len, reverse=True))
                             + "|[的在是了对把被给从到向由为将就都也还又但而或这那该此我你您他她它请说要像]")


def _unit(level: str, text: str, position: int):
    m = _LEVEL_RE[level].match(text, position)
    if m and not PLACE_CODE.match(m.group()):
        inner = _NOT_UNIT_START.search(m.group(), 0, len(m.group()) - 1)
        if inner:
            return _unit(level, text, position + inner.end()) if inner.start() == 0 else None
    return m


# ------------------------------------------------------------------ named places
def extract_places(text: str) -> list[str]:
    """Named places and organisations in order of appearance (nested names give each level).

    `A5区劳动东路魅力之城小区` -> `劳动东路魅力之城小区`, `劳动东路`, `魅力之城小区`. A name runs from a
    break (punctuation, an administrative unit such as A2区 or 上党区, a function word or caller verb
    such as 需要/删除, a date, a number glued to a district) to the last
    place ending within twelve characters. Generic phrases (我们小区, 周边小区) are dropped.
    """
    return [p.name for p in find_places(text)]


# The transient column a run's tokenize stage fills with each letter's places (the scan of title +
# " " + text), read by routing's 属地 (`where`), linking's matter places (`places_of_text`) and
# clustering: a run scans each letter once. Before, routing filled the scan memo, linking read it,
# and clustering scanned every letter again (the run empties the memo before clustering,
# `pipeline.timing.forget_memos`): 3.2 s of the 9,943 shared letters' 45 s.
LETTER_PLACES = "letter_places"


def letter_places(titles: list[str], texts: list[str]) -> list[tuple[Place, ...]]:
    """`find_places(title + " " + text)` of each letter, scanned without the memo: the column holds
    them (the memo would hold them twice, under their texts, through classification's peak)."""
    return [tuple(_scan_places(t + " " + x)) if (t or x) else () for t, x in zip(titles, texts)]


def letter_place_names(titles: list[str], texts: list[str], places=None) -> list[list[str]]:
    """The names of each letter's places (`letter_places`, scanned here unless given), one string
    object per distinct name (many letters name one estate)."""
    names: dict[str, str] = {}
    if places is None:
        places = (find_places(t + " " + x) for t, x in zip(titles, texts))
    return [[names.setdefault(p.name, p.name) for p in found] for found in places]


def find_places(text: str) -> list[Place]:
    """Like `extract_places`, with each name's kind and position.

    Routing (属地) and clustering read the places of the same letters (title + " " + text), so the
    answers are kept for the last PLACE_CACHE_TEXTS texts: a batch is scanned once, not once per
    stage (not inside `uncached`)."""
    if not text:
        return []
    return list(_find_places(text) if _CACHING[0] else _scan_places(text))


@contextmanager
def uncached():
    """Scan every text afresh while inside, and hold no answer. For a batch of more letters than
    the cache holds: each stage reads the letters in the same order, so by the time the next stage
    asks for a letter the least-recently-used cache has dropped it (no hit at all), yet it would
    hold PLACE_CACHE_TEXTS texts and their places (about 110 MB) through linking and clustering."""
    previous = _CACHING[0]
    _CACHING[0] = False
    _find_places.cache_clear()
    try:
        yield
    finally:
        _CACHING[0] = previous


PLACE_CACHE_TEXTS = 50_000
_CACHING = [True]  # False inside `uncached`


def caching() -> bool:
    """Whether scans are kept (False inside `uncached`): a run's tokenize stage carries the batch's
    places (`LETTER_PLACES`) only then. At 10^5 letters the column held ~130 MB from tokenizing to
    clustering and took the run's peak from 1.92 to 2.05 GB (issue 19's bound is 2 GB), for 4% of
    its CPU; there, as the memo does, each stage scans for itself and nothing is held."""
    return _CACHING[0]


def places_of_text(text: str, title: str | None, combined: tuple[Place, ...] | None = None) -> list[Place]:
    """`find_places(text)`, read off the scan of `title + " " + text` that routing and clustering
    make of the same letter (`combined`: the run's `LETTER_PLACES`; else kept by `find_places`),
    so linking does not scan the text again.

    Why it is the same: the space is a break that no name, break word or organisation context
    crosses, so the text's places are the combined scan's places after the title, shifted. The
    one exception is a masked code the space would split (`A5` + ` 区...`, joined by
    `normalise_codes`): such a text is scanned alone."""
    if not text:
        return []
    given = combined
    head, body = normalise_codes(title or ""), normalise_codes(text)
    combined = (title or "") + " " + text
    if normalise_codes(combined) != head + " " + body:
        return find_places(text)
    offset = len(head) + 1
    scanned = find_places(combined) if given is None else given
    return [Place(p.name, p.kind, p.start - offset, p.end - offset) for p in scanned if p.start >= offset]


@lru_cache(maxsize=PLACE_CACHE_TEXTS)
def _find_places(text: str) -> tuple[Place, ...]:
    return tuple(_scan_places(text))


# a bus route: its number and 路, not a crossing, a section or a house number (12路口, 3路段, 5路号)
# a station named before its lettered exit, or after 地铁 (地铁望山站B口, 望山站B出口, 地铁望山站)
_STATION_CHAR = r"(?:(?![某出的线路号口在到去从坐乘经过])[\u4e00-\u9fff])"
_STATION_EXIT = re.compile(rf"(?:地铁|轻轨)?({_STATION_CHAR}{{2,4}}站)(?=[A-Z][0-9]?(?:出口|口|出入口))"
                           rf"|(?<=地铁)({_STATION_CHAR}{{2,4}}站)")
_BUS_ROUTE = re.compile(r"(?<![0-9A-Za-z.])[0-9]{1,3}路(?![口段号边旁面灯由过])")


def _scan_places(text: str, every_segment: bool = False) -> list[Place]:
    """The places of a text, stretch by stretch between its breaks.

    Only the stretches that can hold a name are read (`_name_segments`: about one in six): the
    others hold no name ending and, in a text without an organisation's context word, nothing
    else a name is made of. `every_segment` reads them all (the same answer, for the tests)."""
    text = normalise_codes(text)
    found: list[Place] = []
    breaks = _breaks(text)
    starts, ends = _gap_bounds(text)
    # an organisation named by what follows it needs one of those words somewhere in the text
    org_context = _ORG_CONTEXT_WORDS.may_match(text)
    segments = range(len(breaks) + 1) if every_segment else _name_segments(text, starts, ends, org_context)
    for k in segments:
        position = ends[k - 1] if k else 0
        end = starts[k] if k < len(starts) else len(text)
        breaker = breaks[k - 1].group() if k else ""
        segment = text[position:end]
        # the district / city part of a chain is a break, not part of a name; so is the 市 of a
        # masked county-level city (A8县市流沙河镇: the town is 流沙河镇, not 市流沙河镇)
        skip = _leading_admin(segment)
        if not skip and segment.startswith("市") and _COUNTY_CODE.fullmatch(breaker) and not _CITY_WORD.match(segment):
            skip = 1
        names = (skip >= 4 and segment.startswith("城市", skip - 2) and _names_through_city(segment, skip, position)
                 or _names_in(segment[skip:], position + skip))
        if skip and names and names[0].kind == "agency" and names[0].start == position + skip:
            # 东城区市场监督管理局 is not 朝阳区市场监督管理局: an office keeps the unit it serves
            unit = _chain_units(segment, 0)[-1] if _chain_units(segment, 0) else None
            if unit and unit.end == skip:
                first = names[0]
                names[0] = Place(unit.name + first.name, first.kind, position + unit.start, first.end)
        if not names and breaker == "和":
            # 和 is a conjunction, and the first character of many estate names (和顺家园, 和平小区);
            # it may begin a name, but not make one of a generic word (和物业公司)
            names = [p for p in _names_in(breaker + segment, position - 1) if stem(p.name)[1:] not in GENERIC_STEMS]
        if names and breaker in _NAME_INNER and names[0].start == position and names[0].kind in ("company", "agency", "school"):
            # 顺欣世纪咨询服务有限公司: 咨询 breaks clauses, but is also inside company names
            previous = _segment_start(text, starts, ends, k - 1)  # where the stretch before this one's name began
            head = re.search(r"[\u4e00-\u9fff]{2,8}$", text[max(previous, position - len(breaker) - 8):position - len(breaker)])
            if head:
                first = names[0]
                whole = head.group() + breaker + first.name
                lead = _leading_admin(whole)
                whole = whole[lead:]
                names[0] = Place(whole, first.kind, first.end - len(whole), first.end)
        if org_context and (not names or names[0].start > position + skip):
            names = _context_org(text[position + skip:position + skip + 16], len(segment) - skip, position + skip) + names
        found.extend(names)
    # a bus route is named by its number (16路撤线, 坐236路), which the name endings never read as a
    # name; a route a name already covers (青龙镇16路) is that name's
    for m in _BUS_ROUTE.finditer(text):
        if not any(p.start <= m.start() < p.end for p in found):
            found.append(Place(m.group(), "road", m.start(), m.end()))
    # a metro station by its exit (地铁望山站B口, 望山站B出口): a spot the name endings never read
    for m in _STATION_EXIT.finditer(text):
        g = 1 if m.group(1) else 2
        if m.group(g)[:-1] in ("公交", "地铁", "汽车", "火车", "高铁", "客运", "轻轨"):
            continue  # a kind of station, not one
        if not any(p.start <= m.start(g) < p.end for p in found):
            found.append(Place(m.group(g), "station", m.start(g), m.end(g)))
    # where along a water the letter means (沙溪涌上沙段, 沙溪涌(上沙村段)): a section, read as a road
    # section is (the label shows it beside the water: 沙溪涌(上沙段))
    for p in [p for p in found if p.kind == "water"]:
        m = _SECTION.match(text, p.end)
        if m and not any(q.start <= m.start(1) < q.end for q in found if q is not p):
            found.append(Place(m.group(1), "road", m.start(1), m.end(1)))
    # 十六路 is 16路: one route, however the letter writes its number
    found = [Place(f"{parse_number(p.name[:-1]):.0f}路", p.kind, p.start, p.end) if _CN_ROUTE.fullmatch(p.name) else p
             for p in found]
    return sorted(found, key=lambda p: p.start)


# a section named right after a water: two to four characters and 段, not a stage or a time (阶段, 时段,
# 这一段) nor a works lot (二标段)
_SECTION = re.compile(r"[（(]?((?![这那该此全整一每各本某标时阶地手])[\u4e00-\u9fff]{2,3}(?<![标路河])段)")
# with 十 or 百 only: 五一路 and 八一路 are roads, not routes 51 and 81
_CN_ROUTE = re.compile(r"[一二三四五六七八九两]?[十百][一二三四五六七八九十零]{0,3}路")


@lru_cache(maxsize=4)
def _gap_bounds(text: str) -> tuple[list[int], list[int]]:
    """Where each break of a text (`_breaks`) starts and ends: stretch k runs from the end of
    break k-1 (0 for the first) to the start of break k (the text's end for the last)."""
    breaks = _breaks(text)
    return [m.start() for m in breaks], [m.end() for m in breaks]


def _segment_start(text: str, starts: list[int], ends: list[int], k: int) -> int:
    """Where stretch k's names may begin: after the 省/市/区县 it starts with (0 before the first)."""
    if k < 0:
        return 0
    position = ends[k - 1] if k else 0
    end = starts[k] if k < len(starts) else len(text)
    return position + _leading_admin(text[position:end])


# the last character of every name ending: a stretch without one ends no name
_NAME_END = re.compile("[" + "".join(sorted({re.escape(s[-1]) for s in SUFFIXES})) + "]")


def _name_segments(text: str, starts: list[int], ends: list[int], org_context: bool) -> list[int]:
    """The stretches (numbered as in `_gap_bounds`) `_scan_places` must read, in order: those
    holding a name ending's last character, and with `org_context` those where an organisation's
    context word begins three or more characters in, or right at the stretch's end (`_context_org`:
    the name before it lies inside the stretch). From any other stretch no name can come: every
    name `_names_in` finds ends in a name ending inside the stretch (also after 和)."""
    chosen = set()
    for m in _NAME_END.finditer(text):
        k = bisect_right(ends, m.start())  # the breaks ending at or before the character
        if k == len(starts) or m.start() < starts[k]:
            chosen.add(k)
    if org_context:
        for m in _ORG_WORD_AT.finditer(text):
            k = bisect_left(starts, m.start())  # the first break starting at or after the word
            if m.start() >= (ends[k - 1] if k else 0) + 3:
                chosen.add(k)
    return sorted(chosen)


# What is said of an organisation (its staff, its boss, a fraud, a platform): a name without a
# company ending right before these is an organisation (西地省惠伏天下工作人员涉嫌诈骗, 聚利网平台).
# 老板 after a surname is a person (安装队周老板: the crew's boss Zhou), not an organisation's boss. The
# commonest surnames only (`pipeline.identity.SURNAMES` has ~300, which imports this module, and
# characters such as 金, 华 or 龙 also end a company's own name: 鑫金老板 is that shop's boss)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范廖贾夏韦付邹孟熊秦邱尹薛闫段雷侯史陶黎贺顾毛郝龚邵钱严覃戴莫孔汤"
_ORG_WORDS = (rf"工作人员|涉嫌|(?<![{_SURNAMES}])老板|实控人|实际控制人|董事长|(?<=网)平台|跑路|非法集资|诈骗|"
              r"骗取|卷款|不兑付|未兑付|还未兑付|暴雷|爆雷|出借人|投资人|受害人|受害者|[\u4e00-\u9fff]某(?![\u4e00-\u9fff]某)")
_ORG_CONTEXT = re.compile(rf"([\u4e00-\u9fff]{{3,6}}?)(?:{_ORG_WORDS})")
# where a context word begins (its lookarounds read no further than `_context_org`'s window does)
_ORG_WORD_AT = re.compile(f"(?={_ORG_WORDS})")


_ORG_CONTEXT_WORDS = Prefilter(_ORG_CONTEXT)


def _context_org(text: str, within: int, offset: int) -> list[Place]:
    """An organisation named at the start of a stretch (its first `within` characters) without a
    company ending (富惠天下, 聚利网), recognised by what follows it. Generic words (政府工作人员,
    有人涉嫌) are no name."""
    m = _ORG_CONTEXT.match(text)
    if not m or m.end(1) > within:
        return []
    name = m.group(1)
    if name[0] in _FUNCTION_CHARS or name in GENERIC_STEMS or name[:2] in GENERIC_STEMS and len(name) <= 3 or _NOT_ORG.search(name) or _SUFFIX_RE.search(name):
        return []
    return [Place(name, "company", offset, offset + len(name))]


_FUNCTION_CHARS = frozenset("的在是了对把被给从到向由为将就都也还又但而或这那该此我你您他她它请并和与及让叫被使其")
# words that make a stretch a description, not a name (有人, 网友, 政府, 相关, 部门 …)
_NOT_ORG = re.compile("有人|网友|政府|部门|相关|单位|个人|一些|很多|多家|公安|法院|领导|人员|干部|村民|居民|业主|"
                      "群众|百姓|市民|老人|学生|家长|员工|工人|他人|别人|不法|犯罪|嫌疑|网络|电信|非法|违法|平台|公司|以|为|其|某|"
                      "男|女|对方|一名|一位|一个|邻居|朋友|亲戚|儿子|女儿|父亲|母亲|丈夫|妻子|老公|老婆|"
                      # a kind of shop and what happened to it, not a shop's name (美容院闭店跑路, 健身房换老板)
                      "闭店|关门|倒闭|停业|换$|^(?:健身房|健身馆|美容院|美容店|理发店|游泳馆|培训班|托管班|机构|商家|门店|店铺)")
_UTILITY = re.compile("燃气|天然气|热力|供热|供暖|供水|自来水|水务|电力|供电|电网|物业|银行|移动|电信|联通|保险|公交|地铁|燃")
# Words of a company's business or legal form, after its own name (富惠天下商务有限公司 -> 富惠天下):
# letters name a company by its core as often as in full, and misspell the core.
_FORM_WORDS = ("(?:股份|责任)?有限(?:责任)?公司|公司|集团|商务|信息|服务|咨询|投资|科技|网络|实业|发展|贸易|管理|"
               "资产|金融|电子|互联网|置业|地产|房地产|开发|建设|工程|企业|控股|文化|传播|传媒|教育|培训")
_COMPANY_FORM = re.compile(f"(?:{_FORM_WORDS}|实业发展)+$")


def company_core(name: str) -> str:
    """`富惠天下商务有限公司` -> `富惠天下`, `聚利人普惠投资有限公司` -> `聚利人普惠`; '' when the name
    is only its form (物业公司) or the core is generic or too short to tell companies apart."""
    m = _COMPANY_FORM.search(name)
    if not m or m.start() == 0:
        return ""
    core = name[:m.start()]
    if _UTILITY.search(core):
        return ""  # 华润燃气, 长安天然气: a utility serves a whole city; its core is no more specific than its name
    if len(core) < 3 and not (len(core) == 2 and m.end() - m.start() >= 4) or core in GENERIC_STEMS or _NOT_ORG.search(core):
        return ""
    return core


def short_name(name: str) -> str:
    """A company's name without its business or legal form, as letters write it (`华润燃气公司` ->
    `华润燃气`, `北京顺欣世纪咨询服务有限公司` -> `北京顺欣世纪`): '' when no form ends it or what is
    left is too short or generic to be a name. Unlike `company_core`, a utility keeps its name: this
    only tells whether a letter writes a name already chosen, it links nothing."""
    m = _COMPANY_FORM.search(name)
    core = name[:m.start()] if m else ""
    return core if len(core) >= 3 and core not in GENERIC_STEMS and stem(core) not in GENERIC_STEMS else ""


_FORM_WORD_AT_END = re.compile(f"(?:{_FORM_WORDS})$")  # one form word (company_key takes them off one by one)


_LEGAL_FORM = re.compile("公司|集团|置业|地产")


def company_key(name: str) -> str:
    """The shortest form letters write a company by, its form words taken off one at a time while
    three or more characters of name are left (`湘远建设工程有限公司` -> `湘远建设`: 湘远 alone is too
    short to tell companies apart; `宏盛纺织有限公司` -> `宏盛纺织`; `恒晟置业` stays): every longer
    form contains it, so a letter that writes any of them writes it. '' for a form without a name
    (物业公司), a generic one, or a name without a legal or property-business form (公司, 集团,
    置业, 地产): a suffix rule reads 小区绿化建设 and 经济技术开发 as companies."""
    if not _LEGAL_FORM.search(name):
        return ""
    key = name
    while (m := _FORM_WORD_AT_END.search(key)) and m.start() >= 3:
        key = key[:m.start()]
    if key == name and not _FORM_WORD_AT_END.search(name):
        return ""
    return key if len(key) >= 3 and key not in GENERIC_STEMS and stem(key) not in GENERIC_STEMS \
        and not _NOT_ORG.search(key) else ""


# function words that also occur inside organisation names
# a town's own school, clinic or market keeps the town in its name (白马桥镇中心小学)
_TOWN_OWN = ("school", "hospital", "market")
_NAME_INNER = frozenset("咨询 建设 开发 销售 服务 投诉 组织 影响 修建 新建".split())


_ADMIN_END = re.compile("[省市区县旗]")
_COUNTY_CODE = re.compile(r"[A-Z][0-9]{0,2}[区县]")
# words that begin with 市 after a county's code: the city's own offices and institutions (A8县市场监督管理局)
_CITY_WORD = re.compile("市(?:场|人民|中|第|公安|政|委|民|区|级|直|属|一|二|三|四|五|六|七|八|九|十)")


def _leading_admin(segment: str) -> int:
    """Length of the 省/市/区县 units a segment starts with (长治市上党区 of 长治市上党区郝家庄镇)."""
    if not _ADMIN_END.search(segment):
        return 0
    position = 0
    for unit in _chain_units(segment, 0):
        if unit.kind in ("省", "市", "区县"):
            position = unit.end
    return position




def _names_in(segment: str, offset: int) -> list[Place]:
    """Place names (and their parts) in one stretch of text between breaks."""
    found: list[Place] = []
    if len(segment) < 2:
        return found
    start = 0
    while start < len(segment) - 1:
        piece = segment[start:start + 12]
        match = None
        for m in _SUFFIX_RE.finditer(piece):
            if m.end() >= 3 or (m.group() == "组" and m.end() >= 2):
                match = m  # the longest name ending in a suffix wins
        if not match:
            break
        end = match.end()
        phase = _PHASE.match(segment, start + end)
        if phase and kind_of(piece[:end]) == "estate":  # 辉煌国际城二期 is a place of its own
            end = phase.end() - start
        name = segment[start:start + end]
        # a 组 belongs to its village: 茶场村五组, never a bare 五组 name
        name_stem = stem(name)
        if name.endswith(("政府", "市委", "党委")):
            # 丫江桥镇政府: the town is a place, its government an office of it (not an estate in 府)
            name, name_stem = name[:-2], stem(name[:-2])
            if (len(name) < 3 or kind_of(name) not in ("town", "village", "community") or len(name_stem) > 4
                    or name_stem.endswith(("镇", "乡", "村"))):
                start += end
                continue
            end -= 2
        if _is_name(name, name_stem):
            at = offset + start
            parts = _components(name)
            tail = name[parts[-1][0] + len(parts[-1][1]):] if parts else ""
            # 东良镇农村: the tail 农村 is no name, so only 东良镇 is one (茶场村五组 keeps its 组)
            # a town's own school, clinic or market (白马桥镇中心小学, 东良镇卫生院) is a place of its own
            town_own = kind_of(tail) in _TOWN_OWN and kind_of(parts[-1][1]) in ("town", "village")
            if not stem(tail) or tail.endswith("组") or _is_name(tail, stem(tail)) or town_own:
                found.append(Place(name, kind_of(name), at, at + len(name)))
            found.extend(Place(p, kind_of(p), at + k, at + k + len(p)) for k, p in parts)
            core = company_core(name) if kind_of(name) == "company" else ""
            if core and core not in {p for _, p in parts} and not _SUFFIX_RE.search(core):
                found.append(Place(core, "company", at, at + len(core)))
        start += end
    return found



def _is_name(name: str, name_stem: str) -> bool:
    if name.endswith("车贷"):
        return True
    if name.endswith("组"):
        return bool(re.search(r"(?:村|社区)(?:[一二三四五六七八九十]{1,3}|[0-9]{1,2}|[\u4e00-\u9fff]{1,2})组$", name))
    return len(name_stem) >= 2 and name_stem not in GENERIC_STEMS and not name_stem.isdigit()


_CITY_INNER = ("城市", "城际")
# what stands before 城市 in a phrase about cities (省会城市, 一线城市, 美化城市), not in an estate's name
# (besides the generic stems: 大, 各, 中心 …)
_CITY_PHRASE_HEADS = frozenset("省会 超大 特大 中小 副中心 一线 二线 三线 新一线 准一线 很多 许多 好多 全国 "
                               "国际 宜居 智慧 海绵 园林 旅游 美化 根据 发展 建设 管理 提升 提高 质疑".split())


def _names_through_city(segment: str, skip: int, position: int) -> list[Place]:
    """The names of a stretch read from its start, when the 市 it opens with (`skip` characters, a
    unit ending in 城市) is the inside of an estate's, a mall's or a company's name that runs on
    (恒大城市之光小区, 方略城市广场, 南湖新城市开发有限公司); else [] (the stretch is read after the 市).
    Not a city's: a city whose stem ends in 城 has a one-character head (晋城市, 白城市); a phrase
    about cities (省会城市, 城市圈) has a head of its own, or names a road or a park after it."""
    units = _chain_units(segment, 0)
    if not units or units[-1].kind != "市" or units[-1].end != skip:
        return []
    head = units[-1].name[:-2]
    if len(head) < 2 or head in GENERIC_STEMS or head in _CITY_PHRASE_HEADS or segment.startswith(("圈", "群", "带"), skip):
        return []  # 长株潭城市圈, 城市群: a region
    whole = _names_in(segment, position)
    if whole and whole[0].start == position + units[-1].start and whole[0].end > position + skip \
            and kind_of(whole[0].name) in ("estate", "company", "mall"):
        return whole
    return []


def _components(name: str) -> list[tuple[int, str]]:
    """`劳动东路魅力之城小区` -> `劳动东路`, `魅力之城小区`: each level of a nested name, whole."""
    parts, last = [], 0
    for m in _SUFFIX_RE.finditer(name):
        if name.startswith(_CITY_INNER, m.end() - 1):
            continue  # 万科城市花园, 中建城际公馆: 城市 and 城际 are words inside a name, no 城 ends there
        if m.end() - last >= 3 and m.end() < len(name) or (last and m.end() == len(name) and m.end() - last >= 2):
            piece = name[last:m.end()]
            piece_stem = stem(piece)
            if piece.endswith("组"):
                last = m.end()
                continue
            if not piece_stem and parts and parts[-1][0] + len(parts[-1][1]) == last:
                parts[-1] = (parts[-1][0], parts[-1][1] + piece)  # 东风路 + 路段: one part
                last = m.end()
                continue
            if piece.startswith("·"):  # 伊景园·滨河苑: the dot joins two parts of one name, it starts none
                last, piece, piece_stem = last + 1, piece[1:], piece_stem[1:]
            if len(piece_stem) >= 2 and piece_stem not in GENERIC_STEMS and not piece.endswith("政府"):
                parts.append((last, piece))
            last = m.end()
    return [(k, p) for k, p in parts if p != name]


def leading_water(name: str) -> str:
    """The water a nested name opens with (`柳塘港柳岸花园` -> `柳塘港`), or '' when it opens with
    none or the rest is too short to be a place of its own."""
    parts = _components(name)
    if not parts or parts[0][0] != 0 or kind_of(parts[0][1]) != "water":
        return ""
    rest = name[len(parts[0][1]):]
    # a town or road named for its river (捞刀河街道高源村, 浏阳河路) runs on from it: no water then a place
    if len(rest) < 3 or rest.startswith(("街道", "镇", "乡", "路", "街", "大道", "段", "社区")):
        return ""
    return parts[0][1]


# entity labels of the spaCy ruler (pipeline.nlp) by kind of the last part of a span
ENTITY_LABEL = {"estate": "ESTATE", "school": "SCHOOL", "company": "ORG", "agency": "ORG", "factory": "ORG",
                "hospital": "ORG", "mall": "ORG", "market": "ORG"}


def place_spans(text: str) -> list[tuple[int, int, str]]:
    """Character spans of whole places, chain and name together: `A7县春华镇金鼎村七里组` (PLACE),
    `A5区魅力之城小区` (ESTATE), `A市程明物业管理有限公司` (ORG). For entity rulers and highlighting."""
    text = normalise_codes(text or "")
    items = sorted(admin_units(text) + find_places(text), key=lambda p: (p.start, -p.end))
    spans: list[list] = []
    for item in items:
        if spans and item.start < spans[-1][1]:
            if item.end > spans[-1][1]:  # overlapping: extend the span, its kind is the later part's
                spans[-1][1], spans[-1][2] = item.end, item.kind
            continue
        if spans and item.start == spans[-1][1]:
            spans[-1][1], spans[-1][2] = item.end, item.kind
            continue
        spans.append([item.start, item.end, item.kind])
    return [(a, b, ENTITY_LABEL.get(kind, "PLACE")) for a, b, kind in spans]


def where(text: str, names: list[str] | None = None) -> str:
    """Where a letter's problem is, for 属地 routing and lists: the admin chain and the first named
    place not already in it (`A3区西湖街道茶场村五组`, `上党区郝家庄镇岭上村`, `A5区劳动东路魅力之城小区`).

    A name that writes its own units (`东城区市场监督管理局`, `清河街道安宁庄东路`) keeps them and takes
    only the chain's higher levels, so no unit is written twice (never `东城区东城区市场监督管理局`)
    and an office of another district is not put under the letter's (`朝阳区市场监督管理局`, not
    `西城区朝阳区市场监督管理局`). `names`: `extract_places(text)` when the caller has them (the
    names of the run's `LETTER_PLACES`); the same names, as the scan reads codes normalised."""
    text = normalise_codes(text or "")
    chain = admin_chain(text)
    joined = chain_text(chain)
    for name in extract_places(text) if names is None else names:
        if name in joined:
            continue
        own = _chain_units(name, 0)
        if own and own[-1].end < len(name):
            return _collapse(chain_text(chain, LEVELS[:LEVELS.index(own[0].kind)]) + name)
        return _collapse(joined + name if not joined.endswith(name) else joined)
    return joined


# a unit written twice in a row (中关村中关村管委会, 龙湾屯镇龙湾屯镇市场) is written once
_REPEATED_UNIT = re.compile(r"([\u4e00-\u9fffA-Z0-9]{1,8}?(?:省|市|区|县|旗|镇|乡|街道|村|社区))\1")


def _collapse(place: str) -> str:
    return _REPEATED_UNIT.sub(r"\1", place)


# 集中问题 (`pipeline.concentrate`) count a letter under the first of these units its 属地 names
AREA_LEVELS = ("区县", "市", "省")


def area_of(place) -> str:
    """The county a 属地 names, else its city, else its province; "" when it names none."""
    return _area(admin_chain(place if isinstance(place, str) else ""))


def city_of(place) -> str:
    """The city a 属地 names, "" when it names none."""
    return admin_chain(place if isinstance(place, str) else "").get("市", "")


def areas(places) -> tuple[list[str], list[str]]:
    """`area_of` and `city_of` of each 属地, its chain read once."""
    chains = [admin_chain(p if isinstance(p, str) else "") for p in places]
    return [_area(chain) for chain in chains], [chain.get("市", "") for chain in chains]


def _area(chain: dict[str, str]) -> str:
    return next((chain[level] for level in AREA_LEVELS if chain.get(level)), "")


def chain_text(chain: dict[str, str], levels=LEVELS) -> str:
    """`{区县: A3区, 镇街: 西湖街道, 村社区: 茶场村}` -> `A3区西湖街道茶场村`."""
    return "".join(chain[level] for level in levels if chain.get(level))


# ------------------------------------------------------------------ spelling variants
# Characters whose difference makes two real places (一期/二期, 东路/西路, 3栋/5栋, 新村/老村): when both
# differing characters are among them it is never a typo (新/鑫 may be: a homophone).
DISTINCT_CHARS = frozenset("一二三四五六七八九十百零〇两0123456789东西南北中上下前后左右内外新老大小")
LOOKALIKE_SIMILARITY = 0.88


def variant_kind(a: str, b: str) -> str | None:
    """How `b` may be a misspelling of `a`: 'swap' (two neighbours swapped: 铁广/广铁),
    'homophone' (same pinyin: 滨河苑/滨河院), 'lookalike' (one character of the same shape:
    58车贷/58车货); None when they are not variants or differ in a number or direction.

    This is the spelling test only; whether two letters mean the same place also needs the same
    district and grievance (`IssueClusterer` checks that before merging).
    """
    if a == b or len(a) != len(b) or len(a) < 3 or kind_of(a) != kind_of(b):
        return None  # an estate is not a road (云栖谷 / 云栖路), whatever the spelling
    diff = [k for k in range(len(a)) if a[k] != b[k]]
    if any(a[k] in DISTINCT_CHARS and b[k] in DISTINCT_CHARS for k in diff):  # 新/老 yes, 新/鑫 no
        return None
    if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
        return "swap"
    if len(diff) > 2 or len(a) - len(diff) < 2:
        return None
    if all(_pinyin(a[k]) & _pinyin(b[k]) for k in diff):
        return "homophone"
    if len(diff) == 1 and glyph_similarity(a[diff[0]], b[diff[0]]) >= LOOKALIKE_SIMILARITY:
        return "lookalike"
    return None


@lru_cache(maxsize=65536)
def _pinyin(char: str) -> frozenset[str]:
    """Every toneless reading of a character (多音字 have several), as pypinyin's Style.NORMAL
    writes it (ü as v)."""
    readings = _reading_table().get(ord(char))
    if not readings:
        return frozenset({char})  # pypinyin gives a character it cannot read back as itself
    return frozenset(_toneless(r) for r in readings.split(","))


@lru_cache(maxsize=1)
def _reading_table() -> dict[int, str]:
    """pypinyin's table of each character's readings, read from its file: importing pypinyin loads
    its phrase table too (some 40 MB in memory at 10^5 letters), which single characters never use."""
    import importlib.util
    import json
    from pathlib import Path

    folder = Path(importlib.util.find_spec("pypinyin").origin).parent
    return {int(k): v for k, v in json.loads((folder / "pinyin_dict.json").read_text(encoding="utf-8")).items()}


def _toneless(reading: str) -> str:
    """A reading without its tone marks, ü as v and ê kept, as pypinyin's Style.NORMAL writes it."""
    bare = unicodedata.normalize("NFD", reading).replace("u\u0308", "v").replace("e\u0302", "ê")
    return "".join(c for c in bare if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _font():
    from pathlib import Path

    import mplfonts
    from PIL import ImageFont

    return ImageFont.truetype(str(Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"), 32)


@lru_cache(maxsize=8192)
def _glyph(char: str):
    import numpy as np
    from PIL import Image, ImageDraw
    from scipy.ndimage import gaussian_filter

    image = Image.new("L", (36, 36), 0)
    ImageDraw.Draw(image).text((2, -6), char, fill=255, font=_font())
    vector = gaussian_filter(np.asarray(image, dtype=float) / 255, 1).ravel()
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def glyph_similarity(a: str, b: str) -> float:
    """Cosine of the two characters' blurred glyphs in the shipped CJK font (货/贷 0.94, 东/西 0.59):
    a look-alike measure that needs no table of confusable characters."""
    if not (_HAN_CHAR.fullmatch(a) and _HAN_CHAR.fullmatch(b)):
        return 0.0
    return float(_glyph(a) @ _glyph(b))


_HAN_CHAR = re.compile(r"[\u4e00-\u9fff]")


def _bucket_keys(name: str):
    """`variant_candidates`' buckets of a name: its letters sorted, and each way of leaving one out."""
    yield "sorted", "".join(sorted(name))
    for k in range(len(name)):
        yield "one", k, name[:k] + name[k + 1:]


def variant_candidates(names) -> list[tuple[str, str, str]]:
    """Pairs (a, b, kind) among `names` that `variant_kind` calls variants, found through buckets
    (same letters in another order; all but one character alike; same pinyin), never all pairs."""
    names = sorted(set(n for n in names if len(n) >= 3))
    # Two passes: count each bucket's names, then gather names only for the buckets of 2 to 50.
    # Most keys (a batch's 27,000 names make some 190,000) hold one name: a list for each was most
    # of this function's time and, living to its end, set off the collector's full passes over
    # the run's heap. The groups are the same, in the same order (a key's first name).
    sizes = Counter(key for name in names for key in _bucket_keys(name))
    buckets: dict[tuple, list[str]] = {key: [] for key, size in sizes.items() if 2 <= size <= 50}
    del sizes
    for name in names:
        for key in _bucket_keys(name):
            group = buckets.get(key)
            if group is not None:
                group.append(name)
    seen, out = set(), []
    for group in buckets.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if (a, b) in seen:
                    continue
                seen.add((a, b))
                kind = variant_kind(a, b)
                if kind:
                    out.append((a, b, kind))
    return out
