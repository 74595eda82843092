"""Mask petitioners' personal information in everything that leaves the case store.

Lists sent to departments carry only what they need (信访工作条例), and an accuser's identity must
never reach the accused, so every export masks identity the same way: 姓名 王*英, 身份证
110***********1234, 电话 138****5678, 住址 down to the township. `mask_text` does the same inside
free text (phones, ID numbers, the name after 我叫…) for letters quoted in reports.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from pipeline.identity import looks_like_name, split_address, valid_birth_date
from pipeline.prefilter import Prefilter

STAR = "*"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA


def mask_name(value: object) -> object:
    """王秀英 → 王*英, 王英 → 王*, 欧阳秀英 → 欧**英: the surname and last character stay."""
    if _missing(value):
        return value
    text = str(value).strip()
    if len(text) <= 1:
        return STAR if text else text
    if len(text) == 2:
        return text[0] + STAR
    return text[0] + STAR * (len(text) - 2) + text[-1]


def mask_id_number(value: object) -> object:
    """110105194912310021 → 110***********0021: region's first 3 and the last 4 stay."""
    if _missing(value):
        return value
    text = re.sub(r"\s", "", str(value))
    if len(text) <= 7:
        return STAR * len(text)
    return text[:3] + STAR * (len(text) - 7) + text[-4:]


def mask_phone(value: object) -> object:
    """13812345678 → 138****5678; landlines keep their first 3 and last 4 digits likewise."""
    if _missing(value):
        return value
    text = str(value).strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) < 7:
        return STAR * len(digits) if digits else text
    if len(digits) > 11 and digits.startswith("86"):
        digits = digits[2:]
    return digits[:3] + STAR * (len(digits) - 7) + digits[-4:]


def mask_address(value: object) -> object:
    """Keep province/city/county/town (needed for routing by place); mask the rest."""
    if _missing(value):
        return value
    parts = split_address(value)
    kept = "".join(parts[p] or "" for p in ("province", "city", "county", "town"))
    rest = (parts["village"] or "") + (parts["detail"] or "")
    if not kept:
        return STAR * 3 if rest else ""
    return kept + (STAR * 3 if rest else "")


_ID_IN_TEXT = re.compile(r"(?<![\dA-Za-z])(\d{17}[\dXx]|\d{15})(?![\dA-Za-z])")
_ID_CUE = re.compile(r"身份|证件|证号|公民号")


def _id_shaped(number: str, before: str) -> bool:
    """Whether a 15/18-digit number in text is (or may be, typos included) an ID card number:
    it is written after 身份证/证件, or its birth-date digits are a real date. A work-order
    number (工单编号 180427113843671535: "birth" 1138-43-67) or an amount is no ID number."""
    if _ID_CUE.search(before):
        return True
    if len(number) == 18:
        return valid_birth_date(number[6:14])
    return valid_birth_date("19" + number[6:12])


def _mask_id_in_text(match: re.Match) -> str:
    text = match.string
    number = match.group(1)
    if _id_shaped(number, text[max(0, match.start() - 12):match.start()]):
        return mask_id_number(number)
    return number
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)((?:(?:\+|00)?86[-\s]?)?1[3-9]\d(?:[-\s]?\d){8})(?!\d)")
_LANDLINE_IN_TEXT = re.compile(r"(?<![\d-])(\(?0\d{2,3}\)?[-\s]?\d{7,8})(?![\d-])")
# a local landline written without its area code (座机号:62017788) is a phone only by its cue
_CUED_LOCAL_PHONE = re.compile(r"((?:电话|座机|固话|手机|联系方式)(?:号码|号)?\s*[:：是为]?\s*)(\d{7,8})(?![\d-])")
_KINSHIP = "父亲|母亲|丈夫|妻子|老公|老婆|儿子|女儿|老伴|爱人|哥哥|姐姐|弟弟|妹妹"
_NAME_IN_TEXT = re.compile(
    r"((?:我叫|本人叫|本人名叫|我的名字(?:是|叫)|信访人|反映人|姓名|联系人|"
    r"(" + _KINSHIP + r"))[:：]?\s*)"
    r"([\u4e00-\u9fff·]{2,4}?)"
    r"(?=[,，。.、;；:：\s(（!！]|$|是|今年|家住|住在|住|男|女|系|现|身份|电话|手机|联系|的|在|年)"
)


# A person the letter names by their role: in a company it accuses (平台实控人张某, 法人代表王某某,
# 老板张某), an official or cadre (村支书邝某某, 副乡长莫某, 办案民警毛某, 包工头黄某), or a private party,
# the writer included (我是…村民高某某, 业主孙某, 受害人王某, 被告伍某某): no export may show them either, and
# a name written once after its role is masked wherever the letters write it. What may follow the
# name: punctuation, or a word that begins a clause. After an official's or a private party's role
# the words are cut before they count as a name (`_reads_as_person`).
_ROLE_NAME = re.compile(
    r"(?:实际控制人|实控人|控制人|法定代表人|法人代表|法人|董事长|总经理|经理|股东|老板|操纵人|负责人|"
    r"(?P<official>书记|支书|村长|主任|镇长|乡长|所长|局长|队长|组长|科长|股长|院长|校长|站长|厂长|区长|县长|"
    r"市长|处长|审判长|庭长|法官|检察官|民警|警官|干部|工作人员|会计|出纳|包工头|工头)|"
    r"(?P<person>受害人|当事人|被告人|被告|原告|犯罪嫌疑人|嫌疑人|证人|同事|村民|居民|业主|学生|司机|邻居|户主|员工|患者))"
    r"[:：]?\s*"
    r"(?P<name>[\u4e00-\u9fff]{2,3}?)"
    r"(?=[,，。.、;；:：\s(（)）!！]|$|等|及|和|与|的|在|是|为|已|因|将|于|从|不|一直|多次|利用|通过|称|说|表示|"
    r"带|把|让|叫|找|又|也|还|就|却|竟|对|向|给|伙同|串通|私自|擅自|强行|同志)"
)
# An official named before their title, where a letter is addressed or a cadre sent (尊敬的彭某国书记、
# 赵某应市长; 魏书记才指派李某文主任): the name follows a break or a verb of sending and jieba reads
# it as a person (`_names_before_title`); 常务副市长 or 区委书记 are no names
_NAME_TITLE = re.compile(
    r"(?:(?<=[的、，,：:。！!\s致])|(?<=指派|委派|派了|安排|陪同|带领)|^)(?P<name>[\u4e00-\u9fff]{2,3})"
    r"(?=(?:书记|市长|县长|区长|镇长|乡长|局长|主任|厅长|省长|部长|处长|科长|所长|院长|校长)"
    r"(?:[,，、：:!！\s。]|您好|你好|同志|和|与|及|$))"
)
# A list the letter writes with 、 in which one item is a name already found: its other items of two
# or three characters that read as names are names too (钟某风、陈某课、朱某岳、退休干部罗某升)
_LIST_BREAK = re.compile(r"[，,。；;：:！!？?\n（(）)]")
_TITLE_END = re.compile(r"(?:书记|主任|[局县市区镇乡村队科处所院校厂组]长|老师|师傅|经理|总)$")  # 邬书记, 陈局长: a title, not a name
# what ends a place, a body or a thing after a role word (镇长安村: 镇 + 长安村; 会计师班, 物业费)
_NOT_NAME_END = re.compile(r"[村组镇乡街路区县市局所站院校会部处科室队费班厂司店场楼号]$|^.[于的了在和与及是把被]")


# A joint letter's signers: 联名人（共29人）：胡金凤、任月娥、… / 签名：张三，李四 / 联名村民(代表丁春燕):…
# Everyone on the list is a petitioner whose name no export may show, though no cue stands
# before each name and no identity column holds them.
_SIGNER_CUE = r"(?:联名(?:人|者|村民|居民|业主|群众|职工|代表)?|签名(?:人|者)?|签字(?:人|者)?|联署人?|具名人)"
_SIGNER_ITEM = r"(?:(?!等)[\u4e00-\u9fff·]){2,4}(?=[、，,；;\s。.！!）)等]|$)"
_SIGNER_LIST = re.compile(
    r"(" + _SIGNER_CUE + r"\s*(?:[（(][^）)\n]{0,30}[）)])?\s*[:：]\s*)"
    r"(" + _SIGNER_ITEM + r"(?:(?:\s*[、，,；;]\s*|\s+)" + _SIGNER_ITEM + r")*)"
)
_SIGNER_SEPARATOR = re.compile(r"(\s*[、，,；;]\s*|\s+)")


def signer_names(text: object) -> list[str]:
    """The names on a joint letter's signer list (联名人：…、…), in order."""
    if not isinstance(text, str) or not text:
        return []
    return [name for match in _SIGNER_LIST.finditer(text)
            for name in _SIGNER_SEPARATOR.split(match.group(2))[::2] if name]


def _mask_signers(match: re.Match) -> str:
    parts = _SIGNER_SEPARATOR.split(match.group(2))
    return match.group(1) + "".join(part if i % 2 else mask_name(part) for i, part in enumerate(parts))


def mask_text(text: object) -> object:
    """Mask phone numbers, ID numbers and self-introduced names inside free text.

    `我叫王秀英，电话13812345678` → `我叫王*英，电话138****5678`; a joint letter's signer list
    (联名人：胡金凤、任月娥) → 联名人：胡*凤、任*娥. Other numbers (dates, amounts, room
    numbers) are left alone: only 15/18-digit ID shapes, 11-digit mobiles, area-coded landlines
    and 7-8 digit local numbers after 电话/座机/固话 are touched.
    """
    if _missing(text) or not isinstance(text, str) or not text:
        return text
    if _SEVEN_DIGITS.search(text):  # else none of the three can match: most cells have no such number
        text = _ID_IN_TEXT.sub(_mask_id_in_text, text)
        text = _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(1)), text)
        text = _LANDLINE_IN_TEXT.sub(lambda m: mask_phone(m.group(1)), text)
    # the cued patterns only where one of their cue words is (`pipeline.prefilter`): the same
    # result, without a pass of each over every letter that has none
    if _CUED_PHONE_WORDS.may_match(text):
        text = _CUED_LOCAL_PHONE.sub(lambda m: m.group(1) + mask_phone(m.group(2)), text)
    if _SIGNER_WORDS.may_match(text):
        text = _SIGNER_LIST.sub(_mask_signers, text)
    if _NAME_CUE_WORDS.may_match(text):
        text = _NAME_IN_TEXT.sub(_mask_named, text)
    return text


# What every ID number, mobile and area-coded landline above contains: seven digits, with at most
# one space or dash between two (a mobile may be written 138-1234-5678; an ID number and a
# landline's number have seven in a row).
_SEVEN_DIGITS = re.compile(r"\d(?:[-\s]?\d){6}")
_CUED_PHONE_WORDS, _SIGNER_WORDS, _NAME_CUE_WORDS, _ROLE_WORDS = (
    Prefilter(_CUED_LOCAL_PHONE), Prefilter(_SIGNER_LIST), Prefilter(_NAME_IN_TEXT), Prefilter(_ROLE_NAME))


def _mask_named(match: re.Match) -> str:
    cue, kin, name = match.group(1), match.group(2), match.group(3)
    # After 我叫 / 姓名 anything is a name; after a kinship word only what looks like one
    # (儿子王小明 yes; 跟儿子一起走, 儿子走了两年 no), or the text becomes unreadable.
    if kin and not looks_like_name(name):
        return match.group(0)
    return cue + mask_name(name)


# Columns linking adds that re-identify a person and never leave the store.
LINKING_ONLY_COLUMNS = (
    "name_pinyin", "name_partial", "surname", "id_prefix", "id_birth", "addr_village", "identity_from_text",
    "letter_key",  # a hash of the identity: internal to the store
    "writer_key",  # the platform user id as written, unmasked: linking's key, never an export's
    "matter_places",  # the places a letter names, as evidence of identity: linking's, not a list to read
)
def mask_writer_id(value: object) -> object:
    """A platform user id can be a login name or a phone: keep 2 characters each end."""
    if _missing(value):
        return value
    text = str(value)
    return text if len(text) <= 4 else text[:2] + STAR * (len(text) - 4) + text[-2:]


def mask_name_forms(value: object) -> object:
    """`李培栋先生(202);李先生(3)` → `李*东先生(202);李*生(3)`: each written name masked, its
    title and count kept; a surname with a title is masked whole, as `mask_name` does."""
    if _missing(value):
        return value
    from pipeline.identity import _TITLES

    def one(form: str) -> str:
        match = re.fullmatch(r"(.*?)(\(\d+\))?", form)
        name, count = match.group(1), match.group(2) or ""
        title = next((t for t in _TITLES if name.endswith(t) and len(name) > len(t)), "")
        core = name[: len(name) - len(title)]
        if len(core) <= 1:  # 王女士: masked as a whole, as in the name column
            return mask_name(name) + count
        return mask_name(core) + title + count

    return ";".join(one(form) for form in str(value).split(";"))




def _maskable_names(names) -> list[str]:
    """The full names worth finding in text (2-6 Chinese characters, not 匿名), longest first."""
    return sorted({str(n).strip() for n in names if not _missing(n) and len(str(n).strip()) >= 2
                   and re.fullmatch(r"[\u4e00-\u9fff·]{2,6}", str(n).strip()) and str(n).strip() != "匿名"},
                  key=lambda n: (-len(n), n))


def known_names_pattern(names) -> re.Pattern | None:
    """One pattern for every full name the identity columns hold, to find them in text: at each
    place the longest name written there, as an alternation of the names longest first would.

    Why a trie and not that alternation: a run's list holds every writer's name (tens of thousands
    at 10^5 letters), and the regex engine tries an alternation branch by branch wherever a text has
    a surname's character: masking the letters took a third of the write stage's CPU at 3x10^4
    letters. The names folded into a trie (王(?:秀(?:英|兰)|英)) are tried one character at a time;
    each nesting is greedy, so the longest name written at a place wins, and the matches are the
    same (`tests/test_mask.py` checks both on the bundled letters)."""
    unique = _maskable_names(names)
    if not unique:
        return None
    trie: dict = {}
    for name in unique:
        node = trie
        for character in name:
            node = node.setdefault(character, {})
        node[""] = True
    return re.compile(_trie_pattern(trie))


def _trie_pattern(node: dict) -> str:
    """The regex of a trie node's continuations: its children, one per next character (a class for
    the ones that end there and go no further), optional where a name also ends at the node."""
    leaves = [c for c, child in sorted(node.items()) if c and list(child) == [""]]
    branches = [re.escape(c) + _trie_pattern(child) for c, child in sorted(node.items())
                if c and list(child) != [""]]
    if leaves:
        branches.append(re.escape(leaves[0]) if len(leaves) == 1 else "[" + "".join(map(re.escape, leaves)) + "]")
    body = "|".join(branches)
    if "" in node:  # a name ends here: the longer ones first (greedy), else this one
        return "(?:" + body + ")?"
    return body if len(branches) == 1 else "(?:" + body + ")"


# Source and pipeline ids (工单编号, 信件编号, 留言编号 → letter_id; person, case, issue ids; the
# source's own id columns) are ids, not identity: staff look tickets up by their exact text.
SOURCE_ID_COLUMNS = (
    "letter_id", "letter_ids", "near_duplicate_of", "person_id", "joint_letter_group", "case_id",
    "issue_id", "top_letter_id", "source_row", "source_file",
)
_ID_COLUMN_NAME = re.compile(r"(?:编号|单号|工单号|件号|_id|_ids|ID|Id)$")
_IDENTITY_COLUMN_NAME = re.compile(r"身份|证件|证号|电话|手机|号码|账号|帐号")
# A source column named for a person's ID number or contact (身份证号码, 来电人电话/账号, 联系手机)
# is masked whole, whatever its cells look like: `mask_text` knows a phone only by its shape, and
# an 8-digit landline written without its area code (63194155) has none. Only the name's ending
# counts, so 市电话处理方式 (how the call was handled) or 证件类型 stays readable.
_ID_NUMBER_COLUMN_NAME = re.compile(r"(?:身份证|证件|公民身份)(?:号码|号|编号)?$|证号$")
_CONTACT_COLUMN_NAME = re.compile(r"(?:电话|手机|手机号|(?<![单件票])号码|账号|帐号|联系方式|座机|固话)$")


# A source column named for a person (坐席姓名, 受理员, 转办人姓名, 联系人) holds names: the operators'
# and officials' as well as the writer's. Their 工号 (an id column) stays, so a ticket's handler
# can still be found; their names leave the office masked like everyone's.
_PERSON_COLUMN_NAME = re.compile(
    r"(?:姓名|名字|受理员|话务员|接线员|坐席|经办人|承办人|处理人|回访人|联系人|转办人|审核人|录入人|签收人|"
    r"反映人|来电人|投诉人|举报人|信访人|来信人)$")


def mask_contact(value: object) -> object:
    """A cell of a phone-or-account column, whatever its shape: digits masked as a phone
    (63194155 → 631*4155), a login name as a writer id, a written name as a name; a cell the
    source already masked (****, 138****5678) stays as it is."""
    if _missing(value):
        return value
    text = str(value).strip()
    if re.fullmatch(r"[\d\s()+-]*\*{2,}[\d\s()+-]*", text) and len(re.sub(r"\D", "", text)) <= 7:
        return text
    if re.search(r"[\u4e00-\u9fff]", text):
        return mask_name(text)
    if re.search(r"[A-Za-z]", text):
        return mask_writer_id(text)
    return mask_phone(text)


# the letters' phone column may hold an account or an e-mail (a hotline's 来电人电话/账号): `mask_contact`
MASKERS = {
    "name_forms": mask_name_forms,
    "writer_id": mask_writer_id,
    "name": mask_name, "name_clean": mask_name,
    "id_number": mask_id_number, "id_clean": mask_id_number,
    "phone": mask_contact, "phone_clean": mask_phone,
    "address": mask_address,
}


def mask_loose_cell(value: object) -> object:
    """A short cell of no known column (the first row of a file that may have no header, quoted in
    a message): a name masked as a name, phones, ID numbers and any other long number masked."""
    if _missing(value):
        return value
    text = str(value).strip()
    if looks_like_name(text):
        return mask_name(text)
    return re.sub(r"\d{5,}", lambda m: mask_phone(m.group()), mask_text(text))


def identity_column_masker(column: object):
    """The masker for a source column whose name says it holds an ID number, a contact
    (phone/account) or a person's name (坐席姓名, 受理员), else None. Pipeline columns
    (`MASKERS`) have their own."""
    name = str(column).strip()
    if name in MASKERS:
        return None
    if _ID_NUMBER_COLUMN_NAME.search(name):
        return mask_id_number
    if _CONTACT_COLUMN_NAME.search(name):
        return mask_contact
    if _PERSON_COLUMN_NAME.search(name):
        return mask_name
    return None


def is_source_id_column(column: object) -> bool:
    """A column of ids that identity masking never touches: the known id columns, and any
    column named like one (被催办单ID, 工单编号) unless it names an identity (身份证号, 证件编号,
    writer_id, id_number)."""
    name = str(column)
    if name in MASKERS or _IDENTITY_COLUMN_NAME.search(name):
        return False
    return name in SOURCE_ID_COLUMNS or bool(_ID_COLUMN_NAME.search(name))


# surnames that more often begin an ordinary word (和年迈, 查询我, 由于, 相依为命, 左眼)
_WORDLIKE_SURNAMES = set("和查由相左向于时成")
# ... and after a role word (老板都不管, 股东来投资)
_WORDLIKE_AFTER_ROLE = _WORDLIKE_SURNAMES | set("都来")


def role_names(text: str) -> set[str]:
    """The third parties `text` names after their role (`_ROLE_NAME`): two or three characters
    that look like a name and are no dictionary word (负责人信息, 经理明确 are words, 实控人张某 is a
    name). On every shared letter this finds some hundred names, nearly all of people a letter
    accuses or deals with."""
    from pipeline.tokenize import is_dictionary_word

    if not _ROLE_WORDS.may_match(text):
        return set()
    found = set()
    for match in _ROLE_NAME.finditer(text):
        name = match.group("name")
        company_role = not (match.group("official") or match.group("person"))  # no part-of-speech check
        if looks_like_name(name) and name[0] not in _WORDLIKE_AFTER_ROLE \
                and not re.search(r"某|先生|女士|总$|[我你他她们的了呢]$", name) and not _NOT_NAME_END.search(name) \
                and not is_dictionary_word(name) and (company_role or _reads_as_person(text, match)):
            found.add(name)
    return found


def _names_before_title(text: str) -> set[str]:
    """Officials named before their title (`_NAME_TITLE`): no dictionary word, a name's shape, and
    the part-of-speech tagger reads a person, or a surname cut alone, first (彭甫国书记, 赵云应市长,
    彭立国书记: nr; 常务副市长: not)."""
    from pipeline.issue_places import pos_tags
    from pipeline.tokenize import is_dictionary_word

    found = set()
    for match in _NAME_TITLE.finditer(text):
        name = match.group("name")
        if name.endswith("副"):  # 黄熊副书记: the deputy's title begins at 副 (唐副县长: a surname alone)
            name = name[:-1] if len(name) == 3 else ""
        if not name or name.startswith(("谢谢", "祝")) or name.endswith("姓") or not looks_like_name(name) \
                or name[0] in _WORDLIKE_SURNAMES or is_dictionary_word(name) or _NOT_NAME_END.search(name) \
                or re.search(r"某|[我你他她们的了]", name):
            continue
        first = pos_tags(name)[0]  # 彭甫国 is one person; 赵云应 is cut 赵云 + 应, 彭立国 彭 + 立国: a person first
        if first.flag.startswith("nr"):
            found.add(name)
    return found


def listed_with(known: re.Pattern | None, text: str) -> set[str]:
    """The other people of a 、-list in `text` that names someone in `known` (`known_names_pattern`):
    items of two or three characters, the last one's first word when the sentence runs on after it
    (蒋某爱、唐四姑在离我住房一米办养猪场), that read as a name and are no dictionary word. A list of
    people is written item by item; one item known to be a person makes the others people too."""
    from pipeline.issue_places import pos_tags
    from pipeline.tokenize import is_dictionary_word

    if known is None or "、" not in text:
        return set()
    found = set()
    # each stretch between breaks once: a list holding two known names is read once, not twice
    for stretch in _LIST_BREAK.split(text):
        if "、" not in stretch or not known.search(stretch):
            continue
        items = stretch.split("、")
        for k, item in enumerate(items):
            item = item.strip()
            if k == len(items) - 1 and len(item) > 3:  # the list's last item and the words after it
                words = pos_tags(item[:6])
                item = words[0].word if words and words[0].flag.startswith("nr") else ""
            if 2 <= len(item) <= 3 and looks_like_name(item) and item[0] not in _WORDLIKE_SURNAMES \
                    and not is_dictionary_word(item) and not _NOT_NAME_END.search(item) and "某" not in item \
                    and not _TITLE_END.search(item):
                found.add(item)
    return found


# How common a word must be (jieba's count) before a role word's last character and a "name"'s first
# that spell it mean the role was never there (业主任何沟通: 任何), or before a "name" that opens
# with it is read as that word (市长信箱上, 书记村长关系好).
_COMMON_ACROSS, _COMMON_OPENING = 1000, 150


def _reads_as_person(text: str, match: re.Match) -> bool:
    """Whether the characters after an official's title or a private party's role (`_ROLE_NAME`) read
    as a person and not as the words that follow a title (`_person_after_title`, asked once per title,
    name and the three characters after it)."""
    name, start = match.group("name"), match.start("name")
    return _person_after_title(text[match.start():start], name, text[match.end():match.end() + 3],
                               bool(match.group("person")))


@lru_cache(maxsize=50_000)
def _person_after_title(title: str, name: str, after: str, strict: bool = False) -> bool:
    """A name found after a role is masked wherever the letters write it, so 管一下 (请易书记管一下)
    or 关系好 taken for a name would star those words in every letter. The title and what follows
    are cut into words with their parts of speech (`pos_tags`). A surname cut alone (王 + 举贤) is a
    name. Otherwise the name must begin a word (业主任何沟通: 任何), not open with a common word (信箱,
    关系: `dictionary_count`) or with a dictionary verb, adverb, pronoun or particle (原来, 谈谈),
    and not end in one of two characters or more (管 + 一下).

    After a private party's role (`strict`: 村民, 业主, 居民 are followed by every kind of word,
    居民车拥量, 业主普遍认为, 业主安静祥和) the cut must also read a name somewhere in it, the name must
    not run into the next word (何去何从) nor open with a one-character verb, adverb or pronoun (应拿):
    a few real names stay unmasked (居民刘永光), rather than a phrase starred in every letter."""
    from pipeline.issue_places import pos_tags
    from pipeline.tokenize import dictionary_count

    if dictionary_count(title[-1] + name[0]) >= _COMMON_ACROSS:
        return False
    at, end, words = len(title), len(title) + len(name), []
    position = 0
    for word in pos_tags(title + name + after):
        first, position = position, position + len(word.word)
        if position > at and first < end:
            words.append((word, first, position))
    if not words or words[0][1] != at:
        return False
    opening = words[0][0]
    if strict and (words[-1][2] > end or len(opening.word) == 1 and opening.flag[:1] in "vdpcur"
                   or not any(word.flag.startswith("nr") for word, _, _ in words)):
        return False
    if opening.word == name[0] and opening.flag.startswith("nr"):
        return True

    def function_word(word, last):  # a dictionary word of two characters or more, not a name
        return len(word.word) >= 2 and last <= end and word.flag[:1] in "dvrcpmf" \
            and not word.flag.startswith("nr") and dictionary_count(word.word) > 0

    if any(function_word(word, last) for word, _, last in (words[0], words[-1])):
        return False
    return not (len(opening.word) >= 2 and words[0][2] <= end and not opening.flag.startswith("nr")
                and dictionary_count(opening.word) >= _COMMON_OPENING)


def cued_names(columns) -> set[str]:
    """Full names (3 characters, a known surname first) that some text introduces by a cue
    (弟弟李秀博, 我叫…, 联系人…), the names written after a role (`role_names`: 实控人张某, two
    characters too), and every name on a joint letter's signer list (any length): a
    third party named once after a cue is masked wherever else the texts mention them (和李秀博的手机),
    and a signer wherever the letters name them (赵艳等29人联名)."""
    found: set[str] = set()
    for values in columns:
        for text in values:
            if not isinstance(text, str) or not text:
                continue
            found.update(name for name in signer_names(text) if looks_like_name(name))
            found |= role_names(text) | _names_before_title(text)
            for match in _NAME_IN_TEXT.finditer(text):
                name = match.group(3)
                if len(name) == 3 and looks_like_name(name) and name[0] not in _WORDLIKE_SURNAMES \
                        and not re.search(r"某|先生|女士|[我你他她们的了]$", name):
                    found.add(name)
    return found


def _maskers(frame: pd.DataFrame) -> dict:
    """Column -> masker: the pipeline's identity columns and any source column named for one."""
    return {**MASKERS, **{c: m for c in frame.columns if (m := identity_column_masker(c)) is not None}}


def _free_text_columns(frame: pd.DataFrame, text_columns, maskers: dict) -> list:
    """The free-text columns of `frame` to search for names: never an id or identity column."""
    return [c for c in text_columns if not is_source_id_column(c) and c not in maskers and c in frame.columns
            and c not in LINKING_ONLY_COLUMNS]


def names_to_mask(frame: pd.DataFrame, text_columns=("title", "text", "reply_text")) -> list[str]:
    """Every full name `frame` holds: its identity columns' names (name, name_clean) and the names
    its free text introduces by a cue (`cued_names`). Over every letter of a run this is the run's
    one list of names, which `mask_frame(..., names=...)` takes, so that any part of the letters
    masks exactly as the whole batch does (a name written in one letter is masked in all)."""
    columns = _free_text_columns(frame, text_columns, _maskers(frame))
    own = pd.concat([frame[c] for c in ("name", "name_clean") if c in frame.columns]
                    + [pd.Series(dtype=object)]).dropna()
    names = {str(n) for n in own} | cued_names(_distinct(frame[c]) for c in columns)
    # the others of a list that names one of them (钟某风、陈某课、朱某岳): once, over the texts with a 、
    known = known_names_pattern(names)
    listed = {n for c in columns for text in _distinct(frame[c]) for n in listed_with(known, text)}
    return sorted(names | listed)


def _distinct(values, rows: int = 5_000):
    """A column's texts, `rows` at a time as a plain list, each distinct text of those once: the
    cued names of a text are the same each time it is read, and iterating an Arrow-backed column
    cell by cell is slow; a part at a time, not the whole column as Python strings at once. Cells
    that are not text (`cued_names` skips them; a token list cannot be a dict key) are left out.
    (Two columns of one name come as a frame, read as before.)"""
    if not isinstance(values, pd.Series):
        return values
    return (text for start in range(0, len(values), rows)
            for text in dict.fromkeys(v for v in values.iloc[start:start + rows].tolist() if isinstance(v, str)))


def mask_frame(frame: pd.DataFrame, text_columns=("title", "text", "reply_text"), names=None) -> pd.DataFrame:
    """A copy of `frame` fit for export: identity columns masked (the pipeline's, and any source
    column named for an ID number, phone or account: `identity_column_masker`), linking helpers
    dropped, and phones/IDs/names inside the free-text columns masked.

    Names written in the text without a cue (a signature, 来信人:王秀英) are caught by looking for
    every full name in `names`: the run's global list (`names_to_mask` over all its letters), so a
    partition masks as the whole batch does. Without it, the frame's own names are used
    (`names_to_mask(frame)`). Id columns (`is_source_id_column`) are never text-masked, whatever
    `text_columns` says.
    """
    maskers = _maskers(frame)
    text_columns = _free_text_columns(frame, text_columns, maskers)
    if names is None:
        names = names_to_mask(frame, text_columns)
    out = frame.drop(columns=[c for c in LINKING_ONLY_COLUMNS if c in frame.columns])
    pattern = known_names_pattern(names)
    for column, masker in maskers.items():
        if column in out.columns:
            _mask_column(out, frame, column, masker)

    def scrub_text(text):  # the known names first, then what mask_text finds
        if pattern is not None and isinstance(text, str):
            text = pattern.sub(lambda m: mask_name(m.group()), text)
        return mask_text(text)

    # one pass over each text column (no identity column is one: `_free_text_columns`)
    for column in text_columns:
        _mask_column(out, frame, column, scrub_text)
    return out


# rows of an Arrow string column read as Python strings at a time (`_mask_arrow_column`)
MASK_ROWS_AT_ONCE = 10_000


def _mask_column(out: pd.DataFrame, frame: pd.DataFrame, column, function) -> None:
    """`out[column]` masked cell by cell with `function`. A column in which no cell changes keeps
    `frame`'s own values (shared, not copied): most of a run's text columns (departments, issue
    types, cues, evidence) hold nothing to mask, and each masked copy of them was held through
    the whole write stage (issue 19). The cells are the same either way."""
    if _arrow_string(frame[column].dtype) and len(frame) > MASK_ROWS_AT_ONCE:
        try:
            return _mask_arrow_column(out, frame[column], column, function)
        except _NotText:
            pass  # masked as any column is, below
    changed = False

    def noting(value):  # called once per distinct cell (`_map_distinct`)
        nonlocal changed
        result = function(value)
        if not (result is value or (type(result) is str and type(value) is str and result == value)):
            changed = True
        return result

    masked = _map_distinct(out[column].astype(object), noting)
    if changed:  # else every cell is as it was, missing ones too: nothing to replace
        out[column] = _like(masked, frame[column])


class _NotText(Exception):
    """A masker turned a cell into something other than text, or a missing cell into another value."""


def _mask_arrow_column(out: pd.DataFrame, before: pd.Series, column, function) -> None:
    """`_mask_column` for a long Arrow string column: its cells are read as Python strings
    `MASK_ROWS_AT_ONCE` rows at a time, and only the cells that masking changes are replaced, in
    one pass over the column's Arrow array (`replace_with_mask`). Made whole, every text of the
    column was a Python string beside its masked copy: at 10^5 letters the text column alone
    was ~80 MB of strings on top of the write stage's other copies. The same cells as `map`."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    values = out[column]
    where, masked = [], []
    for start in range(0, len(values), MASK_ROWS_AT_ONCE):
        done: dict[str, str] = {}  # each distinct text of a part once, as `_map_distinct`
        for offset, cell in enumerate(values.iloc[start:start + MASK_ROWS_AT_ONCE].astype(object).tolist()):
            if type(cell) is not str:
                if function(cell) is not cell:
                    raise _NotText(column)
                continue
            result = done.get(cell)
            if result is None:
                result = done[cell] = function(cell)
                if type(result) is not str:
                    raise _NotText(column)
            if result != cell:
                where.append(start + offset)
                masked.append(result)
    if not where:
        return  # nothing masked: the column stays shared
    changed = np.zeros(len(values), dtype=bool)
    changed[where] = True
    array = pa.array(values.array)  # the column's own Arrow data, not a copy
    array = pc.replace_with_mask(array, pa.array(changed), pa.array(masked, type=array.type))
    out[column] = pd.Series(before.dtype.__from_arrow__(array), index=values.index, name=values.name)


def _arrow_string(dtype) -> bool:
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def _map_distinct(values: pd.Series, function) -> pd.Series:
    """`values.map(function)` for a function of one cell alone (every masker here), computed once
    per distinct text: a run's columns repeat their departments, urgency cues, places and writers'
    names, and masking every cell afresh was most of the masking's time at 3x10^4 letters.
    A cell that is not a str goes to `function` as it is."""
    done: dict[str, object] = {}

    def once(value):
        if type(value) is not str:
            return function(value)
        if value not in done:
            done[value] = function(value)
        return done[value]

    return values.map(once)


def _like(masked: pd.Series, before: pd.Series) -> pd.Series:
    """A masked column keeps its string dtype: pandas infers `str` from the values, so a part of
    the letters whose column happens to be empty would otherwise come out `object`."""
    if before.dtype != object and pd.api.types.is_string_dtype(before.dtype):
        return masked.astype(before.dtype)
    return masked
