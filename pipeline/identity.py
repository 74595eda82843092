"""Clean the petitioner's identity fields so the same person looks the same in every letter.

Linking compares identities, and raw intake fields disagree in form more often than in
substance: 15-digit old ID cards, `+86 138-1234-5678`, `王秀英女士`, Traditional characters,
an address written with or without its province. Everything here turns such variants into one
canonical form, and rejects values that cannot be right (a failed GB 11643 checksum, a birth date
in the future), because a wrong identifier links strangers. Identity written only inside the
letter (我叫…, 身份证号…, 电话…) fills fields the intake form left empty.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from pipeline.matter import matter_places
from pipeline.places import LETTER_PLACES
from pipeline.normalise import to_simplified

# ---------------------------------------------------------------- ID cards (GB 11643-1999)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_NON_ID = re.compile(r"[\s\-]")


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character (0-9 or X) for the first 17 digits of an ID number."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def valid_birth_date(yyyymmdd: str, today: date | None = None) -> bool:
    """Whether 8 digits are a birth date an ID card can carry (1890-01-01 up to today)."""
    return _valid_birth(yyyymmdd, today)


def _valid_birth(yyyymmdd: str, today: date | None = None) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    today = today or date.today()
    return date(1890, 1, 1) <= born <= today


def id_15_to_18(old: str) -> str:
    """Convert a first-generation 15-digit ID (YYMMDD birth, no check digit) to 18 digits."""
    first17 = old[:6] + "19" + old[6:15]
    return first17 + id_check_digit(first17)


def clean_id_number(value: object) -> str | None:
    """Return a valid 18-character ID number (upper-case X), or None when it cannot be valid.

    15-digit numbers are converted; spaces and dashes are dropped; a lower-case x is accepted.
    A failed checksum or an impossible birth date gives None: a mistyped ID must not become
    somebody else's.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = _NON_ID.sub("", str(value)).upper()
    if text.endswith(".0") and len(text) == 17:  # a spreadsheet read the number as a float
        text = text[:-2]
    if re.fullmatch(r"\d{15}", text):
        if not _valid_birth("19" + text[6:12]):
            return None
        return id_15_to_18(text)
    if not re.fullmatch(r"\d{17}[\dX]", text):
        return None
    if not _valid_birth(text[6:14]) or id_check_digit(text[:17]) != text[17]:
        return None
    return text


def loose_id_number(value: object) -> str | None:
    """An 18-character ID-shaped string even when its checksum fails (kept for fuzzy matching).

    A clerk's single-digit typo makes the checksum fail but still points at the right person when
    the name agrees; linking compares these only at the "one character apart" level.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = _NON_ID.sub("", str(value)).upper()
    strict = clean_id_number(text)
    if strict:
        return strict
    if re.fullmatch(r"\d{17}[\dX]", text):
        return text
    if re.fullmatch(r"\d{15}", text):
        return id_15_to_18(text)
    return None


# ---------------------------------------------------------------- phones
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}")
_THREE_DIGIT_AREAS = ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029")


def clean_phone(value: object) -> str | None:
    """Return a phone as bare digits: 11-digit mobile, or landline with its area code.

    `+86`, `0086`, `86-`, spaces, dashes, dots and brackets are dropped, so
    `+86 138-1234-5678` and `13812345678` compare equal. 7-8 digit local numbers without an
    area code are kept as they are; anything else gives None.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    digits = re.sub(r"\D", "", text)
    if not digits:
        return None
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) >= 11:
        rest = digits[2:]
        if _MOBILE.fullmatch(rest):
            digits = rest
        elif 9 <= len(rest) <= 11 and not rest.startswith("1"):
            digits = rest if rest.startswith("0") else "0" + rest
    if re.fullmatch(r"[48]00\d{7}", digits):
        return None  # company service numbers identify no petitioner
    if len(digits) in (10, 11, 12) and digits[0] in "23456789" and not _MOBILE.fullmatch(digits):
        digits = "0" + digits  # a landline written without the trunk 0 after +86
    if _MOBILE.fullmatch(digits):
        return digits
    if _LANDLINE.fullmatch(digits):
        area = 3 if digits.startswith(_THREE_DIGIT_AREAS) else 4
        local = digits[area:]
        if 7 <= len(local) <= 8:
            return digits
        return None
    if re.fullmatch(r"[2-9]\d{6,7}", digits):
        return digits
    return None


# ---------------------------------------------------------------- names
_TITLES = (
    "老先生", "老太太", "老大爷", "老同志", "老人家", "先生", "女士", "小姐", "老人", "同志", "大爷",
    "大妈", "大娘", "阿姨", "师傅", "老师", "同学", "夫人", "太太", "老伯", "奶奶", "爷爷",
    "婆婆", "爹爹", "阿婆", "老太", "老汉", "伯伯", "叔叔", "大姐", "大哥", "大嫂", "嫂子", "姐", "哥",
)
_NAME_JUNK = re.compile(r"[^\u3400-\u9fff·•]")
_PLACEHOLDER = re.compile(r"某|匿名|无名|不详|未知|网友|市民|群众|村民|居民|业主|来电|来话|反映人")
# What an operator writes after the caller's name in the 来电人 field ("高书翰来电", "李培栋市民").
_NAME_TAIL = re.compile(r"(?:来电|来话|反映|市民|本人)+$")
_MALE_TITLES = {"先生", "老先生", "大爷", "老大爷", "大哥", "叔叔", "伯伯", "老伯", "爷爷", "老汉", "师傅"}
_FEMALE_TITLES = {"女士", "小姐", "阿姨", "大妈", "大娘", "奶奶", "婆婆", "阿婆", "大姐", "大嫂", "嫂子",
                  "夫人", "太太", "老太", "老太太"}


def _name_and_title(value: object) -> tuple[str, str]:
    """The written name without junk, tails and titles, and the last title stripped ("" if none)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "", ""
    text = to_simplified(str(value))
    text = re.sub(r"[(\[（【].*?[)\]）】]", "", text)  # (代), (家属) and similar notes
    text = _NAME_JUNK.sub("", text).replace("•", "·").strip("·")
    text = _NAME_TAIL.sub("", text) or text
    title, changed = "", True
    while changed and text:
        changed = False
        for candidate in _TITLES:
            if text.endswith(candidate) and len(text) > len(candidate):
                text, changed = text[: -len(candidate)], True
                title = title or candidate
    return text, title


def clean_name(value: object) -> str | None:
    """Return the full name in Simplified characters, without titles, spaces or punctuation.

    `王秀英女士` → `王秀英`, `陳 建國` → `陈建国`, `高书翰来电` → `高书翰`. Placeholders (王某某,
    匿名, 市民), a title alone (先生, 女士) and a surname with a title (王先生: see
    `partial_name`) give None: they identify no one by themselves. Latin-script names are not
    handled (they do not occur in these letters).
    """
    text, _ = _name_and_title(value)
    if text in _TITLES or not 2 <= len(text.replace("·", "")) <= 6 or _PLACEHOLDER.search(text):
        return None
    return text


def partial_name(value: object) -> str | None:
    """The surname and the written title's sex: 王先生 → 王先生, 李培栋先生 → 李先生, 张女士 /
    张阿姨 → 张女士, 李培栋 → 李; a title alone (先生, 市民) gives None.

    A hotline operator often writes only 王先生: no name, but evidence that joins letters which
    share it and the same matter. It never links by itself (a city has thousands of 王先生).
    """
    text, title = _name_and_title(value)
    sex = "先生" if title in _MALE_TITLES else "女士" if title in _FEMALE_TITLES else ""
    if not text or _PLACEHOLDER.search(text):
        return None
    if text.startswith(COMPOUND_SURNAMES) and (len(text) == 2 or clean_name(value)):
        return text[:2] + sex
    if text[0] in SURNAMES and (len(text) == 1 or clean_name(value)):
        return text[0] + sex
    return None


@lru_cache(maxsize=200_000)
def name_pinyin(name: str | None) -> str | None:
    """Toneless pinyin of a name, so homophone mis-writings (王秀英/王秀瑛) compare equal."""
    if not isinstance(name, str) or not name:
        return None
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name.replace("·", "")))


# ---------------------------------------------------------------- addresses
_PROVINCE = re.compile(r"^(.{2,7}?(?:省|自治区|特别行政区)|北京市|天津市|上海市|重庆市)")
_CITY = re.compile(r"^(.{1,9}?(?:自治州|地区|市|州(?!市)|盟))")
_COUNTY = re.compile(r"^(.{1,9}?(?:区|县|旗|市))")
_TOWN = re.compile(r"^(.{1,10}?(?:街道办事处|街道办|街道|镇|乡))")
_VILLAGE = re.compile(
    r"^(.{1,14}?(?:村委会|居委会|村|社区|小区|花园|家园|公寓|新城|苑|庭|院|里|大厦|广场))"
)
_NOT_COUNTY = ("小区", "社区", "园区", "景区", "校区", "城区", "片区", "开发区", "新区")
ADDRESS_PARTS = ("province", "city", "county", "town", "village")


def split_address(value: object) -> dict[str, str | None]:
    """Split an address into province/city/county/town/village-or-estate where it can be seen.

    Parts are matched left to right by their administrative suffix (省, 市, 区/县, 街道/镇/乡,
    村/社区/小区/苑...); a part that is not written stays None. Masked place codes (A市, A3区,
    K9县) split the same way. `detail` keeps what is left (road, building, room).
    """
    out: dict[str, str | None] = dict.fromkeys((*ADDRESS_PARTS, "detail"))
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return out
    text = re.sub(r"\s+", "", to_simplified(str(value)))
    text = re.sub(r"^(?:中国|中华人民共和国)", "", text)
    if not text:
        return out
    for part, pattern in (("province", _PROVINCE), ("city", _CITY), ("county", _COUNTY),
                          ("town", _TOWN), ("village", _VILLAGE)):
        match = pattern.match(text)
        if not match:
            continue
        found = match.group(1)
        if part == "county" and found.endswith(_NOT_COUNTY):
            continue
        if part == "city" and out["province"] is None and found.endswith("市"):
            # a lone "X市" may be a county-level city; it is still the city-level key we have
            pass
        end = match.end()
        if part == "village":  # 枫林苑小区, 金桂园小区: take the whole estate name
            for suffix in ("小区", "花园", "家园", "社区", "新村", "村"):
                if text.startswith(suffix, end):
                    found, end = found + suffix, end + len(suffix)
                    break
        out[part] = found
        text = text[end:]
    out["detail"] = text or None
    return out


# ---------------------------------------------------------------- identity inside the letter
# Common Chinese surnames (the ~300 most frequent single ones and the usual compound ones): a name
# found in free text must start with one, or "本人认为…" would give the name 认为.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
    "覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒"
    "阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古"
    "吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇"
    "桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉"
    "伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏"
    "鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯"
    "元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
                     "宇文", "司徒", "夏侯", "令狐", "端木", "西门", "南宫", "独孤", "呼延", "万俟")


_NOT_NAMES = {"曾经", "确实", "多次", "认为", "现在", "目前", "已经", "一直", "也是", "就是", "只是",
              "还是", "本来", "非常", "特此", "和联", "于是", "方便", "高度", "严重", "成为", "全部",
              "和家人", "和妻子", "和丈夫", "和父母", "和孩子", "江边", "向领导", "向政府", "向您",
              # words after 本人 that start with a surname (本人房屋是空置的: a shared letter's 房屋 was masked
              # as a name, 房*, in every letter that says 房屋)
              "房屋", "房子", "房产", "许多", "车辆", "金额", "余额", "全家", "安全", "包括", "方面"}


def looks_like_name(text: str | None) -> bool:
    """Two to four characters starting with a known surname (a compound one needs three)."""
    if not text or not 2 <= len(text) <= 4 or text in _NOT_NAMES:
        return False
    if text.startswith(COMPOUND_SURNAMES):
        return len(text) >= 3
    return text[0] in SURNAMES

_NAME_IN_TEXT = re.compile(
    r"(?:我叫|本人叫|本人名叫|我的名字(?:是|叫)|信访人[:：]?|反映人[:：]?|姓名[:：]|联系人[:：]?|"
    r"本人[:：])\s*([\u4e00-\u9fff·]{2,4}?)"
    r"(?=[,，。.、;；:：\s(（!！]|$|是|今年|家住|住在|住|男|女|系|现|身份|电话|手机|联系|的|在|年)"
    r"|本人([\u4e00-\u9fff]{2,3}?)[,，]?(?=是|系|男,|女,|身份证|电话|现年|今年|家住)"
)
_ID_IN_TEXT = re.compile(r"(?<![\dA-Za-z])(\d{6}(?:19|20)\d{9}[\dXx]|\d{15})(?![\dA-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:(?:\+|00)?86[-\s]?)?(1[3-9]\d(?:[-\s]?\d){8})(?!\d)")
_LANDLINE_IN_TEXT = re.compile(r"(?<![\d-])(\(?0\d{2,3}\)?[-\s]?\d{7,8})(?![\d-])")
# A number in the text is the writer's own only after a cue that says so (我的电话, 联系电话,
# 来电人电话, 本人手机 ...) with no one else named in between: hotline texts are full of the numbers
# of shops, 物业, police stations, officials and relatives.
_OWN_PHONE_CUE = re.compile(r"(?:我的?|本人|自己的?|来电人|来话人|反映人|信访人|联系|回电|号码|"
                            r"电话|手机|座机|固话|联系方式)")
_OTHER_PHONE_CUE = re.compile(
    r"物业|商家|商户|店|公司|单位|派出所|公安|民警|警察|工作人员|经理|老板|负责人|客服|司机|房东|"
    r"中介|医院|学校|社区|街道|政府|局|所长|主任|书记|村委|居委|对方|他的?|她的?|其|儿子|女儿|"
    r"父亲|母亲|丈夫|妻子|老公|老婆|弟弟|哥哥|姐姐|妹妹|朋友|邻居|同事|亲戚|家属|拨打|举报电话|热线")
# Operators write the caller in the third person at the start: 李培栋先生反映：…, 高书翰来电，
# 市民王先生来电称…, 来电人李某表示…
_OPERATOR_NAME = re.compile(
    r"^\s*(?:市民|来电人|来话人|诉求人|反映人|群众)?[:：]?\s*"
    r"([\u4e00-\u9fff]{1,4}?)(先生|女士|小姐|阿姨|大爷|师傅)?"
    r"(?=(?:未|没有|再次|又|多次|曾)?(?:来电|来话|反映|表示|致电|咨询|求助|投诉|诉求|询问))"
)


def _own_phone(text: str) -> str | None:
    """The first phone number in `text` that a cue marks as the writer's own (see above)."""
    spans = [(m.start(), m.group(1)) for m in _MOBILE_IN_TEXT.finditer(text)]
    spans += [(m.start(), m.group(1)) for m in _LANDLINE_IN_TEXT.finditer(text)]
    for start, raw in sorted(spans):
        before = text[max(0, start - 10):start]
        cue = None
        for cue in _OWN_PHONE_CUE.finditer(before):
            pass
        if cue is None:
            continue
        if _OTHER_PHONE_CUE.search(before):
            continue
        phone = clean_phone(raw)
        if phone:
            return phone
    return None


def extract_identity(text: object) -> dict[str, str | None]:
    """Find the writer's own name, ID number and phone written inside the letter text.

    The name counts only in self-identifying patterns (我叫…, 本人…, 姓名:…) or where a hotline
    operator names the caller at the start (李培栋先生反映：…, 高书翰来电); a surname with a
    title there (王先生反映) gives only `name_partial`. The first valid ID number is the
    writer's; a phone only when a cue marks it as the writer's own (`_own_phone`).
    """
    out: dict[str, str | None] = {"name": None, "name_partial": None, "id_number": None,
                                  "phone": None}
    if not isinstance(text, str) or not text:
        return out
    for match in _NAME_IN_TEXT.finditer(text):
        candidate = clean_name(match.group(1) or match.group(2))
        if looks_like_name(candidate):
            out["name"] = candidate
            break
    if out["name"] is None:
        match = _OPERATOR_NAME.match(text)
        if match:
            written = match.group(1) + (match.group(2) or "")
            candidate = clean_name(written)
            if looks_like_name(candidate) and len(candidate) >= 3 - bool(match.group(2)):
                out["name"] = candidate
            if (out["name"] or len(match.group(1)) == 1) and match.group(1)[0] in SURNAMES:
                out["name_partial"] = partial_name(written)
    elif out["name"]:
        out["name_partial"] = partial_name(out["name"])
    for match in _ID_IN_TEXT.finditer(text):
        raw = match.group(1)
        if len(raw) == 15 and "身份" not in text[max(0, match.start() - 12):match.start()]:
            continue
        found = clean_id_number(raw)
        if found:
            out["id_number"] = found
            break
    out["phone"] = _own_phone(text)
    return out


# ---------------------------------------------------------------- the whole table
IDENTITY_COLUMNS = (
    "name_clean", "name_pinyin", "name_partial", "surname", "id_clean", "id_prefix", "id_birth", "phone_clean",
    "addr_province", "addr_city", "addr_county", "addr_town", "addr_village", "writer_key",
    "identity_from_text", "matter_places",
)


def _given_name_of(field: str | None, written: str | None) -> bool:
    """The name field holds only the given name of the full name written in the text (培栋 of
    李培栋): the surname was dropped, not a different person named."""
    if not field or not written or len(written) <= len(field) or len(field) < 2:
        return False
    surname = 2 if written.startswith(COMPOUND_SURNAMES) else 1
    return written[surname:] == field


def _objects(series: pd.Series) -> pd.Series:
    """Object dtype with None for every missing value (pandas may hand back NaN)."""
    series = series.astype(object)
    return series.where(series.notna(), None)


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype(object).where(frame[name].notna(), None)
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def clean_identity(letters: pd.DataFrame, from_text: bool = True) -> pd.DataFrame:
    """Return `letters` with canonical identity columns added (see IDENTITY_COLUMNS).

    The raw `name`, `id_number`, `phone`, `address` and `writer_id` stay as they were; the
    added columns are what linking compares. With `from_text`, fields the intake left empty are
    filled from the letter text, and `identity_from_text` says which were.
    """
    out = letters.copy()
    names = _objects(_col(letters, "name").map(clean_name))
    partials = _objects(_col(letters, "name").map(partial_name))
    ids = _objects(_col(letters, "id_number").map(loose_id_number))
    phones = _objects(_col(letters, "phone").map(clean_phone))
    from_text_flags = [""] * len(letters)
    if from_text and "text" in letters.columns:
        texts = _col(letters, "text").tolist()
        names_l, ids_l, phones_l = names.tolist(), ids.tolist(), phones.tolist()
        partials_l = partials.tolist()
        for i, text in enumerate(texts):
            if names_l[i] and ids_l[i] and phones_l[i]:
                continue
            found = extract_identity(text)
            flags = []
            if names_l[i] is None and found["name"] is None and partials_l[i] is None:
                partials_l[i] = found["name_partial"]
            if _given_name_of(names_l[i], found["name"]):
                # the field wrote the given name alone (培栋先生), the operator's text the whole
                # name (李培栋先生反映): one person, written whole
                names_l[i], partials_l[i] = found["name"], found["name_partial"]
                flags.append("name")
            for key, values in (("name", names_l), ("id_number", ids_l), ("phone", phones_l)):
                if values[i] is None and found[key]:
                    values[i] = found[key]
                    flags.append(key)
            from_text_flags[i] = ",".join(flags)
        names = pd.Series(names_l, index=letters.index, dtype=object)
        ids = pd.Series(ids_l, index=letters.index, dtype=object)
        phones = pd.Series(phones_l, index=letters.index, dtype=object)
        partials = pd.Series(partials_l, index=letters.index, dtype=object)
    # a full name found in the text gives its surname too
    partials = partials.where(partials.notna(), names.map(partial_name))
    out["name_clean"] = names
    out["name_pinyin"] = names.map(name_pinyin)
    out["name_partial"] = partials
    out["surname"] = partials.map(
        lambda n: (n[:2] if n.startswith(COMPOUND_SURNAMES) else n[0]) if isinstance(n, str)
        else None)
    out["id_clean"] = ids
    out["id_prefix"] = ids.map(lambda v: v[:6] if isinstance(v, str) else None)
    out["id_birth"] = ids.map(lambda v: v[6:14] if isinstance(v, str) else None)
    out["phone_clean"] = phones
    parts = _col(letters, "address").map(split_address)
    for part in ADDRESS_PARTS:
        out[f"addr_{part}"] = parts.map(lambda p, part=part: p[part])
    writer = _col(letters, "writer_id").map(
        lambda v: re.sub(r"\s+", "", str(v)) or None if v is not None else None
    )
    out["writer_key"] = writer
    out["identity_from_text"] = pd.Series(from_text_flags, index=letters.index).replace("", None)
    # what the letter is about, where identity runs out (`pipeline.matter`)
    if from_text:  # the title too, so the scan of title and text that routing made is reused
        scanned = letters[LETTER_PLACES].tolist() if LETTER_PLACES in letters.columns else [None] * len(letters)
        out["matter_places"] = [matter_places(text, title or "", places) for text, title, places
                                in zip(_col(letters, "text").tolist(), _col(letters, "title").tolist(), scanned)]
    else:
        out["matter_places"] = None
    for column in IDENTITY_COLUMNS:
        out[column] = _objects(out[column])
    return out
