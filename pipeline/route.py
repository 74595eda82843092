"""Which department handles a letter, and which letters must bypass departments altogether.

属地管理, 分级负责: an office sends each matter to the department responsible for its issue
type, by a routing table it maintains (corpora/routing/routing.csv). A letter that reports
or accuses an official or a unit (检举, 控告, 揭发, 举报 with someone named) goes to the
discipline-inspection queue instead, flagged `confidential`, because the law forbids passing
it or its writer's identity to the person or unit accused.

Offices also record which unit handled each past case (承办单位, 主办单位, 办理单位). A model
trained on that column (`petition train --label-col 承办单位 --model models/units`) is a learned
routing table: set `[routing] model` and the router sends each letter where the office sent
letters like it, when the model is sure (its confidence is at or above the class's review
threshold, the one behind `needs_review`). Otherwise the hand table decides, as before. The
纪检监察 rule sits on top of both. `routing_reason` starts with who decided: 纪检监察规则,
历史承办模型 or 路由表 (or 人工分派 when not even the table knows the type).

A hotline call with no request (`pipeline.calls`: typed 无效, or an operator's note 未反映具体问题)
is no department's work: it stays with the intake desk (the fallback department), flagged
`no_request`, with the reason 无具体诉求. A department's list then holds only matters to handle
(the shared Qingdao export: 8,661 of its 8,908 calls).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.calls import no_request_calls
from pipeline.errors import PetitionError
from pipeline.paths import CORPORA_DIR
from pipeline.places import LETTER_PLACES, LEVELS, admin_chain, areas, place_columns, where
from pipeline.purpose import purposes

DEFAULT_TABLE = CORPORA_DIR / "routing" / "routing.csv"

ACCUSATION = re.compile(r"检举|控告|揭发|举报|实名举报|贪污|受贿|索贿|挪用|侵吞|截留|私分|以权谋私|滥用职权|违纪")
OFFICIAL = re.compile(
    r"书记|村支书|支书|村主任|主任|镇长|乡长|县长|市长|区长|局长|科长|所长|站长|队长|院长|校长|干部|公职人员|"
    r"工作人员|村委会?|居委会|党支部|[镇乡区县市]政府|街道办|派出所|城管|执法人员|民警|辅警|村干部|"
    r"拆迁办|征收办|国土局|国土所|工商所|税务所|财政所|规划局|住建局|房管局|国资委|管委会|[区县园]管理委员会|法官|"
    r"村账务|村财务"
)
# Misconduct words strong enough alone when an official is named: 贪污 needs no 举报 to be an accusation.
MISCONDUCT = re.compile(r"贪污|受贿|索贿|挪用|侵吞|截留|私分|以权谋私|滥用职权|吃拿卡要|违纪违法")
# Misconduct words that also name what others do (开发商包庇, a bus company's 渎职 in a passing
# remark): an accusation only with an official within NEAR_OFFICIAL characters (派出所徇私枉法,
# 村支书骗取国家征收款: routing readers sent such letters to 纪检监察; stop 43, golds 1-8); so do
# 套取 (a company's 套取 of subsidies, a headmaster's of school funds) and 打击报复
MISCONDUCT_NEAR = re.compile(r"徇私枉法|包庇|渎职|骗取国家|套取|权钱交易|官商勾结|打击报复")
NEAR_OFFICIAL = 15
# After a reporting verb, these say the official named next is who heard the report, not who is
# accused (举报给城管队, 举报后社区工作人员来协调, 举报之后科室工作人员回复, 举报无果)
TO_WHOM = re.compile(r"给|到|后|之后|以后|过|无果|未果|也|都|电话|热线|平台|信箱")
# ... and an official's title inside a business or an owners' body is not a public office
# (业委会主任, 信用社工作人员): the words just before it say so
NOT_PUBLIC = re.compile(r"(?:业委会|业主委员会|物业|公司|银行|信用社|商场|酒店|快递|驾校|医院)\w{0,3}$")
# ... nor is the official the letter is written to (尊敬的胡书记, 沈书记您好, 再次向沈书记举报) or who
# answered it (收到县住建局回复): a board's letters to a party secretary about a company's 侵吞
# accused no one in office
ADDRESSED_BEFORE = re.compile(r"(?:尊敬的|敬爱的|致|向|给|请|收到)[\u4e00-\u9fff]{0,3}$")
ADDRESSED_AFTER = re.compile(r"[,，!！\s]?(?:您好|你好)|同志|阁下|[:：]")
# the reporting verb's object ends with its sentence: 举报A7县某小区1栋违建。沈书记您好 accuses no 书记
SENTENCE_END = re.compile(r"[。！？!?\n]")
NO_REQUEST_REASON = "无具体诉求: 来电类别无效或话务员注明未反映具体问题, 留综合科存档, 不转办"


class Router:
    """Add `department`, `routing_reason`, `confidential`, `place` (属地, `pipeline.places.where`),
    its area, the type and term it was routed by, `purpose` (信访目的, `pipeline.purpose`) and
    `no_request` to every letter.

    Parameters
    ----------
    table : routing CSV with 一级分类, 二级分类 (may be empty), 责任部门 (default: the shipped table).
        Its 二级分类 may name a 2nd- or a 3rd-level term of the taxonomy (物业服务 is a 3rd-level
        term under 城乡建设/住房保障与房地产): a letter's suggested 3rd level is tried first, then its 2nd.
        An optional column 须原文点名 = 是 keeps a row for letters whose own words name its term:
        违章建筑 → 城市管理局 (拆违), where the term's bigram suggestion (建筑) took planning-file
        and crossroads letters that belong with 城乡规划's planning bureau.
    fallback_department : for issue types the table does not know; every letter gets a department.
    discipline_department : the queue for accusations against officials.
    model : folder of a department model (an IssueClassifier trained on a unit column); None
        routes by the table alone.
    file_class : route by the class the office's own file gives a letter (its 一级分类, `label`)
        when that class names one of the table's types (公安政法类 → 政法), rather than by the
        predicted one: intake staff who classified the letter know better than a model (on the
        bundled corpus the file's class is right on 99% of the letters, the model on 86%; on
        Qingdao the model typed 243 calls about a police station 商贸旅游, the file 公安政法类).
        Such a letter's `needs_review` is cleared: a person has classified it. Its section is the
        term its words name under that class (物业费 under 城乡建设 → 物业科), else the class's default.
    taxonomy : taxonomy file whose term words (`pipeline.taxonomy`, rows with 跨类转办) route a
        letter across types: a letter the model typed 商贸旅游 whose title and text name gas (燃气公司
        停气) goes where the 燃气供应 row sends it (城市建设和市政管理 → 城市管理局). Gas, heating and
        business registration are their authority's whatever the model typed (the People's Daily
        board sent 37 gas letters to the commerce bureau before); a person's class is never
        overruled. None: types alone.
    """

    def __init__(self, table: str | Path | None = None, fallback_department: str = "信访局综合科",
                 discipline_department: str = "纪检监察", model: str | Path | None = None, file_class: bool = True,
                 taxonomy: str | Path | None = None):
        self.table = table
        self.taxonomy = taxonomy
        self.fallback_department = fallback_department
        self.discipline_department = discipline_department
        self.model = model
        self.file_class = file_class

    def fit(self, letters=None):
        try:
            table = pd.read_csv(self.table or DEFAULT_TABLE, dtype=str, keep_default_na=False)
        except FileNotFoundError:
            raise PetitionError(f"routing table not found: {self.table}") from None
        missing = {"一级分类", "二级分类", "责任部门"} - set(table.columns)
        if missing:
            raise PetitionError(f"routing table {self.table}: missing column(s) {sorted(missing)}")
        self.by_type_ = {(r["一级分类"], r["二级分类"]): r["责任部门"] for _, r in table.iterrows()}
        # rows for a term only a letter's own words may route by, not a bigram suggestion of it
        self.named_only_ = {(r["一级分类"], r["二级分类"]) for _, r in table.iterrows() if r.get("须原文点名", "").strip() == "是"}
        self.types_ = sorted({kind for kind, _ in self.by_type_}, key=len, reverse=True)
        self.model_ = None
        if self.model:
            from pipeline.classify import IssueClassifier

            self.model_ = IssueClassifier.load(self.model)
        self.taxonomy_ = None
        if self.taxonomy:
            from pipeline.taxonomy import Taxonomy

            self.taxonomy_ = Taxonomy.load(self.taxonomy)
        return self

    def learned(self, letters: pd.DataFrame) -> pd.DataFrame | None:
        """The department model's unit, confidence and whether it is sure, per letter (None without a model)."""
        if getattr(self, "model_", None) is None or len(letters) == 0:
            return None
        columns = [c for c in ("title", "text") if c in letters]
        classified = self.model_.classify(letters[columns])
        return pd.DataFrame({"unit": classified["issue_type"].to_numpy(), "confidence": classified["issue_confidence"].to_numpy(),
                             "sure": ~classified["needs_review"].to_numpy(dtype=bool)}, index=letters.index)

    def table_type(self, label) -> str | None:
        """The table's type an office's own class names, or None: the same name, or one inside the
        other once 类 and 问题 are dropped (公安政法类 → 政法, 环境保护问题 → 环境保护); the first
        level of a path (交通管理->车辆管理). A class that names no type, or two, routes as before."""
        if label is None or not isinstance(label, str):
            return None
        name = re.split(r"->|/|>|-", label.strip())[0].replace("问题", "").removesuffix("类").strip()
        if len(name) < 2 or name in ("其他", "其它"):
            return None
        if name in self.types_:
            return name
        named = [t for t in self.types_ if t in name or name in t]
        return named[0] if len(named) == 1 else None

    def department_for(self, issue_type: str | None, level2: str | None = None, level3: str | None = None,
                       named: bool = True, level2_named: bool = False) -> tuple[str, str]:
        """(department, reason) of a type and its suggested terms, the finest the table has a row
        for; a row marked 须原文点名 only when `named` (the letter's own words name its finest term)
        or, for a row of the 2nd level, `level2_named` (they name the 2nd level: 体育馆 names 体育
        while the suggested 3rd level, 体育事业, is only a bigram guess)."""
        for sub in (level3, level2):
            named_here = (named and sub == (level3 or level2)) or (level2_named and sub == level2)
            if sub and (issue_type, sub) in self.named_only_ and not named_here:
                continue
            if sub and (issue_type, sub) in self.by_type_:
                return self.by_type_[(issue_type, sub)], f"路由表: {issue_type}/{sub}"
        if issue_type and (issue_type, "") in self.by_type_:
            return self.by_type_[(issue_type, "")], f"路由表: {issue_type}"
        return self.fallback_department, f"人工分派: 分类“{issue_type or '未知'}”不在路由表, 转综合科"

    def _suggested_under(self, level1: str, title: str, text: str, named: dict | None = None) -> tuple[str | None, str | None]:
        """The 2nd and 3rd level under the office's class `level1` that the letter's words name
        (`Taxonomy.named_under`; the run's suggestions were made under the model's type): an office
        that classed 物业费上涨 城乡建设 sends it to the 物业科, not to 住建 at large. (None, None)
        without a taxonomy or a named term."""
        path = self.taxonomy_.named_under(title, text, level1, named) if self.taxonomy_ is not None else None
        return (path[1], path[2]) if path else (None, None)

    def _path(self, kind, sub, subsub, own: str | None, label, title: str, text: str) -> tuple[tuple, str, bool, bool]:
        """The (type, 2nd, 3rd level) a letter is routed by, the note its reason carries, whether
        the letter's own words name that finest term (`Taxonomy.named_terms`; a bigram suggestion
        does not: 小区管理 took any letter that names an estate), and whether they name its 2nd
        level (a 须原文点名 row of it may act). The office's class with the term its words name
        under it (`label` is that class as the file wrote it); else a term of another type the
        letter is about (a model's type gives way to it, a person's class does not: a gas
        price question the office classed 经济管理 is the price bureau's); else the model's type and
        its suggestions."""
        kind = _clean(kind)
        # the terms the letter's words name, read once for the three uses below
        named = self.taxonomy_.named_terms(text, title) if self.taxonomy_ is not None else {}
        if own is not None and own != kind:  # the office's class; the suggestions were under the model's
            under = self._suggested_under(own, title, text, named)
            return (own, *under), f" (来信原分类「{label}」, 模型判为{kind or '未知'})", any(under), under[0] in named
        across = self.taxonomy_.named_path(title, text, kind, named) if self.taxonomy_ is not None and own is None else None
        if across is not None:
            path, word = across
            return tuple(path), f" (来信多次写到“{word}”, 模型判为{kind or '未知'})", True, path[1] in named
        sub, subsub = _clean(sub), _clean(subsub)
        return (kind, sub, subsub), "", (subsub or sub) in named, sub in named

    def _named_word(self, path: tuple, words: bool, level2_words: bool, text: str) -> str:
        """The word that named the letter's routed term, for its reason (来信写到“垃圾站”): a clerk
        checking a row sees why it took the letter (a 体育 row for a pool, not for a PE exam). Empty
        when the letter's words name no term of its path (a bigram suggestion or the type alone)."""
        term = (path[2] or path[1]) if words else (path[1] if level2_words else None)
        if term is None or self.taxonomy_ is None or term not in self.taxonomy_.term_words:
            return ""
        return f" (来信写到“{self.taxonomy_.word_of(term, text)}”)"

    def transform(self, letters: pd.DataFrame) -> pd.DataFrame:
        if not hasattr(self, "by_type_"):
            self.fit()
        out = letters.copy()
        text = (out["title"].fillna("") + " " + out["text"].fillna("")).astype(str)
        accusation = text.map(is_accusation)
        issue = out["issue_type"] if "issue_type" in out else pd.Series([None] * len(out), index=out.index)
        none = pd.Series([None] * len(out), index=out.index)
        level2 = out["issue_level2_suggestion"] if "issue_level2_suggestion" in out else none
        level3 = out["issue_level3_suggestion"] if "issue_level3_suggestion" in out else none
        empty = no_request_calls(out).to_numpy(dtype=bool)
        learned = self.learned(out)
        own = [None] * len(out)
        if self.file_class and "label" in out:  # a file's classes are few: each is looked up once
            types = {label: self.table_type(label) for label in pd.unique(out["label"])}
            own = [types.get(label) for label in out["label"]]  # a NaN not found is no class either
        from pipeline.tokenize import column_strings  # here: importing the router needs no segmenter

        # what a letter is about: its title, or its opening where it has none (a hotline's 主要内容)
        titles = [t if t else body[:30] for t, body in zip(column_strings(out, "title"), column_strings(out, "text"))]
        departments, reasons, paths, worded = [], [], [], []
        for i, (accused, kind, sub, subsub) in enumerate(zip(accusation, issue, level2, level3)):
            # the type (and term) the letter is routed by: the office's class, a term of another
            # type its words name, or the model's; a call with no request has none worth routing by
            path, note, words, level2_words = ((_clean(kind), None, None), "", False, False) if empty[i] else \
                self._path(kind, sub, subsub, own[i], out["label"].iloc[i] if own[i] else None, titles[i], text.iat[i])
            paths.append(path)
            worded.append(words)
            # a classifier still names a type for a call with no request (纪检监察 for 2,763 of
            # Qingdao's "自言自语,未反映具体问题"); its text accusing someone still goes to 纪检监察, confidential
            if accused or (kind == self.discipline_department and not empty[i]):
                departments.append(self.discipline_department)
                reasons.append("纪检监察规则: 检举控告公职人员或单位, 转纪检监察, 信访人信息保密")
                continue
            if empty[i]:
                departments.append(self.fallback_department)
                reasons.append(NO_REQUEST_REASON)
                continue
            if learned is not None and learned["sure"].iloc[i]:
                departments.append(learned["unit"].iloc[i])
                reasons.append(f"历史承办模型: 同类来信由{learned['unit'].iloc[i]}承办 (置信度 {learned['confidence'].iloc[i]:.2f})")
                continue
            department, reason = self.department_for(*path, named=words, level2_named=level2_words)
            reason += note or self._named_word(path, words, level2_words, text.iat[i])
            if learned is not None:
                reason += f" (历史承办模型不确定: {learned['unit'].iloc[i]} {learned['confidence'].iloc[i]:.2f})"
            departments.append(department)
            reasons.append(reason)
        out["department"] = departments
        out["routing_reason"] = reasons
        if "needs_review" in out:
            # a letter the office's own file classes under a table type was classified by a person:
            # its type needs no second look (the bundled corpus listed 138 such letters of 139 in
            # 需人工复核, where the model was unsure and the file's 一级分类 was not)
            by_office = np.fromiter((o is not None for o in own), bool, len(out))
            out["needs_review"] = out["needs_review"].fillna(False).astype(bool) & ~by_office
        out["confidential"] = out["department"] == self.discipline_department
        # 属地: where the problem is, by the extractor clustering and the spaCy ruler use; the
        # office's own columns for it (被反映区, a board's province/city/county) come first
        named = ([[p.name for p in found] for found in out[LETTER_PLACES]] if LETTER_PLACES in out
                 else [None] * len(out))  # the run's one scan
        out["place"] = [with_written_place(w, where(t, n)) for w, t, n in zip(written_place(out), text, named)]
        # its county, else city or province, and its city: 集中问题 count by one of them
        out["area"], out["area_city"] = areas(out["place"])
        # the type and finest term the letter was routed by, for the cases a leader reads
        # (`rank.case_keys`): one writer's 13 letters the office classed 城乡建设 and the model typed
        # four ways were four cases, one of them 「政法 · 复议申请」 → 住房和城乡建设局
        out["routed_type"] = [path[0] for path in paths]
        out["routed_term"] = [path[2] or path[1] for path in paths]
        out["routed_term_named"] = worded  # the letter's own words name that term (集中问题 count only these)
        # 信访目的: what the letter asks for (`pipeline.purpose`); a letter for 纪检监察 (an accusation,
        # or one the model typed so) is 揭发控告, as it is confidential; a call with no request asks for nothing
        asked = purposes(column_strings(out, "title"), column_strings(out, "text"), out["confidential"])
        out["purpose"] = [None if e else p for p, e in zip(asked, empty)]
        out["no_request"] = empty  # last, in the order of the route stage's declared schema (the Spark engine's)
        return out


def with_written_place(written: str, found: str) -> str:
    """属地 from the office's place columns (`written`) and what the letter's text names (`found`):
    the text's place under the columns' higher units (灵石县 + 静升镇煤气公司); the columns alone when
    the text names another unit at a level they fill (the hotline's 被反映区 is the office's own
    assignment) or nothing."""
    if not written or not found:
        return written or found
    columns, text = admin_chain(written), admin_chain(found)
    if any(text.get(level, unit) != unit for level, unit in columns.items()):
        return written
    top = min((LEVELS.index(level) for level in text), default=len(LEVELS))
    higher = "".join(unit for level, unit in columns.items() if LEVELS.index(level) < top and unit not in found)
    return higher + found


def written_place(letters: pd.DataFrame) -> list[str]:
    """Per letter, the units its place columns write, highest first (`山西省太原市尖草坪区`), "" when none."""
    cells = place_columns(letters)
    if cells.columns.empty:
        return [""] * len(letters)
    out = []
    for row in cells.itertuples(index=False, name=None):
        units: list[str] = []
        for value in row:
            if value and not any(value in u for u in units):
                units = [u for u in units if u not in value] + [value]
        out.append("".join(units))
    return out


def is_accusation(text: str) -> bool:
    """An accusation names both a wrongdoing or reporting verb and an official or public unit."""
    if not text:
        return False
    if MISCONDUCT.search(text) and _names_official(text):
        return True
    for match in MISCONDUCT_NEAR.finditer(text):
        if _names_official(text[max(0, match.start() - NEAR_OFFICIAL): match.end() + NEAR_OFFICIAL]):
            return True
    for match in ACCUSATION.finditer(text):
        if TO_WHOM.match(text, match.end()):
            continue
        accused = SENTENCE_END.split(text[match.end(): match.end() + 25], 1)[0]  # who is accused follows the verb
        if text.startswith("的", max(0, match.start() - 1)):  # 关于某某工商所集体不上班的举报: it precedes
            accused = SENTENCE_END.split(text[max(0, match.start() - 25): match.start()])[-1]
        if _names_official(accused):
            return True
    return False


# The longest run NOT_PUBLIC and ADDRESSED_BEFORE read before an official (业主委员会 + 3): each
# official is checked against these characters only, not the whole text before it
BEFORE_OFFICIAL = 8


def _names_official(window: str) -> bool:
    """`window` names an official or a public unit, not a business's or an owners' body's, nor the
    official the letter is addressed to (`ADDRESSED_BEFORE`, `ADDRESSED_AFTER`)."""
    for found in OFFICIAL.finditer(window):
        before = max(0, found.start() - BEFORE_OFFICIAL)
        if not NOT_PUBLIC.search(window, before, found.start()) \
                and not ADDRESSED_BEFORE.search(window, before, found.start()) \
                and not ADDRESSED_AFTER.match(window, found.end()):
            return True
    return False


def _clean(value) -> str | None:
    if value is None or pd.isna(value) or value == "":
        return None
    return str(value).split(" ")[0].split("(")[0]
