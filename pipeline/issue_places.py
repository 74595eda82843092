"""How the places of two letters compare, and how an issue's place is named.

The pure rules behind `pipeline.cluster`: both engines (the local `IssueClusterer` and
`pipeline.spark_cluster`) call them, so a pair of letters is judged the same way wherever it is
compared. Places themselves come from `pipeline.places`, the one extractor.
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from functools import lru_cache

import numpy as np
import pandas as pd

from pipeline.places import (
    COLUMN_LEVELS, DISTINCT_CHARS, GENERIC_STEMS, LEVELS, PLACE_CODE, admin_chain, admin_units, is_weak, kind_of,
    leading_water, normalise_codes, place_columns, stem,
)


def district_places(text: str) -> list:
    """The districts / counties (A5区, 上党区, K9县) a text names, in order, as `Place`s (with
    where they stand); 'A区' and 'A县' are words (a district, a county), not names."""
    return [u for u in admin_units(text) if u.kind == "区县" and not u.name.startswith(("A区", "A县"))]


def district_units(text: str) -> list[str]:
    """The districts / counties (A5区, 上党区, K9县) a text names, in order."""
    return [u.name for u in district_places(text)]


def dominant_places(counts: Counter, n: int = 3) -> list[str]:
    """Most named places of an issue, each replaced by a fuller name most letters also use.

    `滨河苑` (55 letters) becomes `伊景园滨河苑` (40) because over half the letters say it in full.
    """
    out: list[str] = []
    # ties broken by name, not by set order (which changes from run to run)
    for place, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        best = place
        while True:
            longer = [(c, p) for p, c in counts.items() if p != best and best in p and c >= 0.5 * count]
            if not longer:
                break
            best = max(longer, key=lambda cp: (cp[0], len(cp[1]), cp[1]))[1]
        # the fuller name, else the name itself (东风路路段 beside 新塘支河, not 新塘支河东风路路段 again)
        fresh = [c for c in (best, place) if not any(c in o or o in c for o in out)]
        if fresh:
            out.append(fresh[0])
        if len(out) == n:
            break
    return out


_CUT_AFTER = ("v", "d", "t", "f", "q", "m", "i", "p", "c", "r")


@lru_cache(maxsize=65536)
def trim_place(place: str) -> str:
    """Drop a leading clause the suffix rule swept in: 呼吁长株潭城铁 -> 长株潭城铁, 个宜居城 -> 宜居城.

    Uses jieba's part-of-speech tags (verbs, adverbs, time, direction, measure words end a
    clause); only for the places labels may show, since tagging costs more than cutting, and each
    name tagged once (issues of one batch share their estates and roads).
    """
    if len(place) <= 3:
        return place
    words = pos_tags(place)
    cut = 0
    for k, w in enumerate(words[:-1]):
        # a lone numeral or time character (月, 年) more often begins a name (月皓玻璃) than ends a
        # clause; so does a lone measure character after the first word (长/株/潭城铁), while one
        # opening the place ends the clause before it (一个 | 宜居城)
        lone_number = len(w.word) == 1 and (w.flag[0] in "mt" or (w.flag[0] == "q" and k > 0))
        if w.flag.startswith(_CUT_AFTER) and w.flag != "vn" and not lone_number:
            cut = sum(len(x.word) for x in words[: k + 1])
    if cut > 3:  # a long cut is more often inside a name (北京顺欣世纪咨询服务有限公司) than a clause
        return place
    rest = place[cut:]
    ok = len(rest) >= 3 and len(stem(rest)) >= 2 and stem(rest) != rest and rest[0] not in "省市区县镇乡"
    return rest if ok else place


def pos_tags(text: str) -> list:
    """`list(jieba.posseg.cut(text))`, word for word and tag for tag, without loading jieba's own
    dictionary: the route comes from jieba-rs (`pipeline.tokenize._rust_jieba`, the same dictionary
    and total, so the same route; the clusterer's tokens are cut with it already), the tags and
    the guesses for unknown runs from posseg's own tables. Loading jieba's dictionary was about a
    second of the cluster stage, for a few hundred short place names. Where the route cannot be
    read back (an all-letter dictionary word), or jieba's dictionary is loaded or changed
    already, or jieba-rs is missing, posseg itself cuts."""
    import jieba
    import jieba.posseg as posseg

    from pipeline.tokenize import _rust_jieba

    dt = posseg.dt
    rust = None if dt.tokenizer.initialized or dt.tokenizer.dictionary != jieba.DEFAULT_DICT \
        or jieba.pool is not None else _rust_jieba(None)
    words = None if rust is None else _pos_tags_on_route(text, rust, dt)
    return list(posseg.cut(text)) if words is None else words


_ALNUM = re.compile(r"[a-zA-Z0-9]+")


def _pos_tags_on_route(text: str, rust, dt) -> list | None:
    """posseg's `__cut_internal` with HMM, its `__cut_DAG` walking the route jieba-rs cuts (None
    when that route is ambiguous: an all-letter word jieba-rs may have joined)."""
    import jieba.posseg as posseg

    pair, tags, detail = posseg.pair, dt.word_tag_tab, dt._POSTokenizer__cut_detail
    out = []
    for block in posseg.re_han_internal.split(text):
        if posseg.re_han_internal.match(block):
            route = []
            for word in rust.cut(block, False):
                if len(word) > 1 and _ALNUM.fullmatch(word):  # jieba-rs joins single letters and digits
                    if rust.has_word(word):
                        return None  # ... or it is one dictionary word: only jieba's walk knows
                    route.extend(word)
                else:
                    route.append(word)
            buf = ""
            for word in route + [None]:
                if word is not None and len(word) == 1:
                    buf += word
                    continue
                if len(buf) == 1:
                    out.append(pair(buf, tags.get(buf, "x")))
                elif buf and not rust.has_word(buf):
                    out.extend(detail(buf))
                elif buf:
                    out.extend(pair(c, tags.get(c, "x")) for c in buf)
                buf = ""
                if word is not None:
                    out.append(pair(word, tags.get(word, "x")))
        else:
            for x in posseg.re_skip_internal.split(block):
                if posseg.re_skip_internal.match(x):
                    out.append(pair(x, "x"))
                else:
                    for xx in x:
                        if posseg.re_num.match(xx):
                            out.append(pair(xx, "m"))
                        elif posseg.re_eng.match(x):
                            out.append(pair(xx, "eng"))
                        else:
                            out.append(pair(xx, "x"))
    return out


def forget_tagger() -> None:
    """Unload jieba's part-of-speech tagger and default dictionary, which the first `trim_place`
    loads (about 115 MB: the tagger's word tags, 48 MB, at import, the dictionary at the first
    cut) and which the process otherwise holds to its end. A run calls it when clustering is done
    (`ClusterStage.release`): nothing after clustering tags a word, and the rank stage, the store
    and the files need the memory. The next `trim_place` loads both again, with the same tags.

    This package uses jieba's default tokenizer (`jieba.dt`) only through the tagger (its own
    cutting has tokenizers of its own, `pipeline.tokenize`), so resetting it to its state at
    import (uninitialised: loaded on its next cut) takes nothing from another caller but the
    loaded dictionary."""
    posseg = sys.modules.pop("jieba.posseg", None)
    if posseg is None:
        return
    jieba = sys.modules["jieba"]
    jieba.__dict__.pop("posseg", None)  # the package's attribute for the submodule
    jieba.dt.__init__(jieba.dt.dictionary)
    import gc

    gc.collect()  # a module's functions and its globals are a cycle: the word tags wait for the collector


_ESTATE_END = re.compile(r"(?:小区|社区|项目)$")


@lru_cache(maxsize=65536)
def canonical(place: str) -> str:
    """Drop a trailing 小区/社区/项目 so `魅力之城小区` and `魅力之城` compare equal. Kept per name:
    linking asks it of the same few thousand names ~250,000 times per 10^4 letters."""
    place = place.replace("·", "").replace(".", "")
    return _ESTATE_END.sub("", place) or place


def spot_names(freq: dict[str, float]) -> tuple[str, ...]:
    """The places (`canonical` forms) two or more letters of a batch name, whole and specific (not a
    road, town or company at large, `is_weak`): the names a letter may also write bare, without
    the suffix the extractor knows them by (滨江一品项目, 我在滨江一品做过小工)."""
    return tuple(sorted(p for p, w in freq.items()
                        if w >= 2 and len(p) >= 3 and not is_weak(p) and stem(p) not in GENERIC_STEMS))


_CLAUSE_FLAGS = ("q", "d", "c", "p", "r", "u", "t", "v", "zg")  # measure, adverb, conjunction, … verb
_NAME_FLAGS = ("ns", "nt", "nz", "nr")  # place, organisation, other proper names, person
_NUMBERED_PART = re.compile(r"[0-9一二三四五六七八九十]+[栋号幢楼层]")


@lru_cache(maxsize=65536)
def reads_as_name(name: str) -> bool:
    """Whether `name`, found written bare in a letter (`spot_names`), reads as a name and not as the
    words a suffix rule swept into one (大部分小区, 个问题小区, 商品房小区 give 大部分, 个问题, 商品房): not one
    common dictionary word (商品房, 信访局; a place word such as 清水河 stays); not opening with a measure
    word, a number written out, a verb, adverb or time word, or a bare 市/县/镇 (个问题, 多次找, 要西城,
    夜宵店, 县农村); not ending in a verb (房地产开发, 无法满足); not a numbered block (14栋). 滨江一品,
    58车贷, 湘远建设 and 小干言村 are names."""
    words = pos_tags(name)
    if not words or _NUMBERED_PART.fullmatch(name):
        return False
    first, last = words[0], words[-1]
    if len(words) == 1:
        return first.flag.startswith(_NAME_FLAGS)
    if first.flag.startswith(_CLAUSE_FLAGS) or (first.flag == "m" and not first.word.isdigit()):
        return False
    if first.word in ("省", "市", "区", "县", "镇", "乡", "村"):
        return False
    return not (last.flag.startswith("v") and last.flag != "vn")


def match_strength(a: frozenset[str], b: frozenset[str]) -> int:
    """2 = share a specific place (estate, village, project), 1 = only a weak one, 0 = none."""
    if not a or not b:
        return 0
    best = 0
    for x in a:
        for y in b:
            if x == y:
                common = x
            elif len(x) >= 3 and len(y) >= 3 and (x in y or y in x):
                common = x if len(x) < len(y) else y
            else:
                continue
            if not is_weak(common):
                return 2
            best = 1
    return best


def _substrings(name: str) -> set[str]:
    """Every piece of 3 or more characters of a place name (the name itself included)."""
    return {name[a:b] for a in range(len(name)) for b in range(a + 3, len(name) + 1)}


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """np.unique by sorting: numpy's hash-based unique took 8 of the 12 s at 10^5 letters."""
    keys = np.sort(keys)
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if len(keys) else keys


# raw letter pairs gathered before duplicates are dropped (one common place can name thousands)
_PAIR_CHUNK = 1_000_000


def matching_pairs(heads: list[frozenset[str]], places: list[frozenset[str]]) -> np.ndarray:
    """Every pair of letters (a < b) where one letter's headline place matches a place of the
    other (`match_strength` > 0 either way), as sorted keys a * n + b, n = len(heads).

    Why: only such a pair can be linked on a shared place; every other link needs a high cosine.
    The pairs come from the places, not from comparing letters: each distinct headline place is
    matched once to the distinct places equal to it, containing it, or contained in it (the rule of
    `match_strength`: from 3 characters), by looking its pieces and theirs up in the other set,
    so the cost follows the pairs that share a place, not the square of the batch."""
    n = len(heads)
    named: dict[str, list[int]] = {}
    for b, names in enumerate(places):
        for y in names:
            named.setdefault(y, []).append(b)
    headed: dict[str, list[int]] = {}
    for a, names in enumerate(heads):
        for x in names:
            headed.setdefault(x, []).append(a)
    matches: dict[str, set[str]] = {x: {x} for x in headed if x in named}
    for y in named:  # a headline place inside a longer place
        if len(y) >= 3:
            for piece in _substrings(y) & headed.keys():
                matches.setdefault(piece, set()).add(y)
    for x in headed:  # a place inside a longer headline place
        if len(x) >= 3:
            for piece in _substrings(x) & named.keys():
                matches.setdefault(x, set()).add(piece)
    found, gathered, raw = [], [], 0
    for x, matched in matches.items():
        b = np.concatenate([np.asarray(named[y], np.int64) for y in matched])
        letters_a = headed[x]
        step = max(1, _PAIR_CHUNK // len(b))
        for start in range(0, len(letters_a), step):
            a = np.asarray(letters_a[start:start + step], np.int64)
            lo, hi = np.minimum.outer(a, b).ravel(), np.maximum.outer(a, b).ravel()
            gathered.append((lo * n + hi)[lo != hi])
            raw += len(gathered[-1])
            if raw > _PAIR_CHUNK:  # a letter naming two matched places pairs twice: duplicates go here
                found.append(_sorted_unique(np.concatenate(gathered)))
                gathered, raw = [], 0
    found.append(_sorted_unique(np.concatenate(gathered)) if gathered else np.zeros(0, np.int64))
    return _sorted_unique(np.concatenate(found))


def numbered_apart(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two letters name places that differ only in a number or direction (辉煌国际城一期 / 二期,
    劳动东路 / 劳动西路): two real places, so they are not linked by wording alone."""
    for x in a:
        for y in b:
            if len(x) == len(y) and x != y:
                diff = [k for k in range(len(x)) if x[k] != y[k]]
                if all(x[k] in DISTINCT_CHARS and y[k] in DISTINCT_CHARS for k in diff):
                    return True
    return False


def places_match(a: frozenset[str], b: frozenset[str]) -> bool:
    return match_strength(a, b) > 0


def title_districts(title: str) -> frozenset[str]:
    """The masked districts a letter's title names. Only the title: the body also names where the
    writer lives or where else something happened (a fraud in L5县 by a company in A4区)."""
    return frozenset(district_units(title or ""))


# An issue's place, district or chain unit must be named by at least this share of its letters: one
# letter's place among many letters that name another or none is that letter's, not the issue's.
UNIT_MIN_SHARE = 1 / 3


# The writer's own address (…电话…，住A9县双江镇石板村7组。/ 家住 / 住址:): where the writer lives,
# not where the problem is; up to the clause's end.
_WRITER_ADDRESS = re.compile(
    r"(?:家住|现住|住在|居住在|居住于|户籍地|住址|地址|(?<=[,，、;；\s])住)[:：]?"
    r"(?=[A-Z]?[0-9]{0,2}[\u4e00-\u9fff]{0,4}(?:省|市|区|县|镇|乡|街道|村|社区))[^,，。；;！!？?\n]{2,40}"
)


def without_writer_address(doc: str) -> str:
    """The text without the clause that says where the writer lives."""
    return _WRITER_ADDRESS.sub("", doc)


# Where the writer comes from (我是泥工，从K9县过来的 / 来自K9县 / 老家是A9县): a migrant worker's home
# county, not where the site is. 从 only before a verb of coming (从A5区政府门口经过 is a route).
_WRITER_ORIGIN = re.compile(
    r"从[A-Z]?[0-9]{0,2}[\u4e00-\u9fff]{0,4}?[市区县](?=过来|来的|来到|来此|出来)"
    r"|(?:来自|老家(?:是|在)?|籍贯(?:是|为)?)[A-Z]?[0-9]{0,2}[\u4e00-\u9fff]{0,4}?[省市区县]"
)


def site_districts(text: str, places: list[str] = ()) -> Counter:
    """The districts a letter's words give as where its problem is, with their weight: none for
    the writer's home county (从K9县过来的), two (as a title's) where it stands right before one of
    `places` (A4区滨江一品项目), else one. Seven letters of workers from K9县 about a site in A4区
    labelled their wages issue K9县. The writer's address counts: a household's own flat, shop or
    estate is often the problem (住A2区育才巷… about 育才巷's demolition)."""
    doc = _WRITER_ORIGIN.sub("", normalise_codes(text))
    out: Counter = Counter()
    for unit in district_places(doc):
        after = doc[unit.end:unit.end + 16]
        weight = 2 if any(after.lstrip("的 ").startswith(p) for p in places) else 1
        out[unit.name] = max(out[unit.name], weight)
    return out


def issue_chain(docs: list[str], district: str = "", min_share: float = UNIT_MIN_SHARE) -> list[str]:
    """The administrative chain most of an issue's letters write (市 only when no 区/县 is known):
    each level's most named unit, kept when at least `min_share` of the letters name it. A writer's
    address does not count: one writer of three giving theirs (住A9县双江镇石板村7组) labelled a
    company's wage issue with the writer's village."""
    counts: dict[str, Counter] = {}
    for doc in docs:
        for level, unit in admin_chain(without_writer_address(doc)).items():
            counts.setdefault(level, Counter())[unit] += 1
    chain = []
    for level in ("市", "区县", "镇街", "村社区", "组"):
        if level == "区县" and district:
            chain.append(district)
            continue
        if level == "市" and (district or counts.get("区县")):
            continue
        if level not in counts:
            continue
        unit, n = min(counts[level].items(), key=lambda kv: (-kv[1], kv[0]))
        if n >= min_share * len(docs):
            chain.append(unit)
    return chain


def batch_constants(letters: pd.DataFrame) -> frozenset[str]:
    """The province and city every letter of a batch that writes one writes (a provincial hotline's
    江苏省): a label need not repeat them, as TipDM's labels start below the one city, A市."""
    cells = place_columns(letters)
    out = set()
    for column in ("place_province", "place_city"):
        if column in cells.columns:
            written = set(cells[column]) - {""}
            if len(written) == 1:
                out |= written
    return frozenset(out)


def column_units(letters: pd.DataFrame, skip: frozenset[str] = frozenset(), min_share: float = 0.5
                 ) -> list[tuple[str, str]]:
    """(level, unit) of an issue's office place columns, highest first: each level's unit written
    for more than `min_share` of its letters. A level no letter fills is passed over; the first the
    letters do not agree on ends the chain (the towns below two counties are not one town's).
    Units in `skip` (`batch_constants`) are left out."""
    cells = place_columns(letters)
    return cell_units({column: cells[column].tolist() for column in cells.columns}, skip, min_share)


def cell_units(cells: dict[str, list[str]], skip: frozenset[str] = frozenset(), min_share: float = 0.5
               ) -> list[tuple[str, str]]:
    """`column_units` of cells `place_columns` has cleaned (column -> one string per letter, "" for
    none): a batch cleans its columns once and hands each issue its letters' cells."""
    out = []
    for column, level in COLUMN_LEVELS:
        if column not in cells:
            continue
        written = Counter(v for v in cells[column] if v)
        if not written:
            continue
        unit, n = min(written.items(), key=lambda kv: (-kv[1], kv[0]))
        if n <= min_share * len(cells[column]):
            break
        if unit not in skip:
            out.append((level, unit))
    return out


def full_chain(chain: list[str], columns: list[tuple[str, str]]) -> list[str]:
    """The issue's chain with its office columns' units (`column_units`) where its letters' words
    leave them out: a national board's letters name their county and village, the board's columns
    the province and city a leader needs to place them. A column unit the words already spell is
    not repeated; where the words name another unit at a level the columns fill, the columns stop
    above it (the words' district, and what lies in it, is what the letters are about)."""
    def rank(unit: str) -> int:
        levels = [LEVELS.index(level) for level in admin_chain(unit)]
        return min(levels) if levels else len(LEVELS)

    written = {level: unit for unit in chain for level in admin_chain(unit)}
    added = []
    for level, unit in columns:
        if any(unit in u or u in unit for u in chain):
            continue
        if level in written:
            break
        added.append((LEVELS.index(level), unit))
    if not added:
        return chain
    return [unit for _, unit in sorted(added + [(rank(u), u) for u in chain], key=lambda ru: ru[0])]


# Endings of a river or channel (not a lake, which often names an area: 梅溪湖, 青竹湖); a river's name is
# short (新塘支河, 龙王港): a long one is a clause swept in (地铁3号线成功穿越京港)
RIVER_ENDINGS = ("河", "港", "浦", "渠", "溪", "浜", "泾", "涌", "河道")


def place_label(chain: list[str], places: list[str]) -> str:
    """`A3区 西湖街道茶场村五组`, `A3区 新塘支河(东风路路段)`: the chain, then the issue's place (a
    water, bridge or park with the road section most letters name beside it; a river the letters
    name beside another place, with that place: `新塘支河(幸福家园)`, or whose name runs into it:
    `柳塘港柳岸花园` is `柳塘港(柳岸花园)`); units the place already spells are not repeated."""
    place = places[0] if places else ""
    if place and len(places) > 1 and kind_of(place) in ("water", "bridge", "park") and kind_of(places[1]) == "road":
        place += f"({places[1]})"
    elif place and kind_of(place) != "water":
        # a river a third of the letters name beside an estate, village or road: the river, where along
        # it (新塘支河(幸福家园)); labelled by the estate alone, a city's river complaints lost their rivers
        river = next((p for p in places[1:] if p.endswith(RIVER_ENDINGS) and len(p) <= 6 and p not in place), "")
        opening = leading_water(place)
        if not river and opening.endswith(RIVER_ENDINGS) and len(opening) <= 6:
            # a name that runs the river into the estate (柳塘港柳岸花园段): the river, then the estate
            river, place = opening, place[len(opening):]
        if river:
            place = f"{river}({place})"
    units = [u for u in chain if u and u not in place]
    return " ".join(units + ([place] if place else []))


_DATE_IN_TEXT = re.compile(r"(20[0-9]{2})\s*[年/.-]\s*([0-9]{1,2})\s*[月/.-]\s*([0-9]{1,2})")


def dates_in(text: str) -> list[pd.Timestamp]:
    out = []
    for y, m, d in _DATE_IN_TEXT.findall(text or ""):
        try:
            out.append(pd.Timestamp(int(y), int(m), int(d)))
        except ValueError:
            continue
    return out


# A letter's office city (`with_office_cities`) rides in its set of districts under this mark.
CITY_MARK = "§市:"


def with_office_cities(districts: list[frozenset[str]], cities: list | None) -> list[frozenset[str]]:
    """Each letter's districts with its office city (the file's 所属市 cell) added under
    `CITY_MARK`, when the batch's letters come from more than one city: a province's platform
    holds a 阳光花园 in two cities whose lifts trap people, and the letters rarely write the city."""
    if cities is None or len({c for c in cities if c}) < 2:
        return districts
    return [d | {CITY_MARK + c} if c else d for d, c in zip(districts, cities)]


# A village group (村民小组) a letter's title names rides there too, under this mark: 下湾村三组 and
# 四组 are two groups of one village with two compensation disputes, and their letters share every
# other word (township_synthetic).
GROUP_MARK = "§组:"
# And whether the letter is about a rule (`pipeline.issue_merge.RULE_WORDS`): such letters link across places.
RULE_MARK = "§规"
MARKS = "§"  # what the marks start with
_GROUP = re.compile(r"(?<![0-9一二三四五六七八九十])(?:第)?([一二三四五六七八九十]{1,3}|[0-9]{1,2})(?:村民小组|村民组|组|队)(?![织长成建合员件])")
_NUMERALS = {c: k for k, c in enumerate("一二三四五六七八九十", 1)}


def title_groups(title: str) -> frozenset[str]:
    """The village groups a title names (下湾三组, 4组, 第四村民小组, 三队), each as `GROUP_MARK` and its
    number (三组 and 3组 are one)."""
    numbers = (_group_number(m.group(1)) for m in _GROUP.finditer(title or ""))
    return frozenset(GROUP_MARK + str(n) for n in numbers if n is not None)


def _group_number(n: str) -> int | None:
    """三 -> 3, 十二 -> 12, 二十一 -> 21, 12 -> 12; None for what is no one number (二三组: groups two
    and three, 十十)."""
    if n.isdigit():
        return int(n)
    if len(n) == 1:
        return _NUMERALS[n]
    tens, ten, ones = n.partition("十")
    if not ten or len(tens) > 1 or len(ones) > 1 or "十" in ones or tens == "十":
        return None
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[ones] if ones else 0)


def without_marks(districts) -> frozenset[str]:
    """The districts proper: without the office city's and the village groups' marks."""
    return frozenset(d for d in districts if not d.startswith(MARKS))


def letter_group(districts) -> str:
    """The one village group a letter's title names ('' for none or several)."""
    groups = [d for d in districts if d.startswith(GROUP_MARK)]
    return groups[0][len(GROUP_MARK):] if len(groups) == 1 else ""


def main_group(groups: list[str]) -> str:
    """The village group of a group of letters: the one a third of them name, more than any other
    ('' for none): most letters of a group's dispute do not write its number."""
    counts = Counter(g for g in groups if g)
    if not counts:
        return ""
    (group, count), *rest = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return group if count >= UNIT_MIN_SHARE * len(groups) and (not rest or rest[0][1] < count) else ""


def office_city(districts) -> str:
    """The office city a letter's districts carry (`with_office_cities`), '' for none."""
    return next((d[len(CITY_MARK):] for d in sorted(districts) if d.startswith(CITY_MARK)), "")


def majority_city(cities: list[str]) -> str:
    """The city at least half of a group's letters were filed under, else ''."""
    counts = Counter(c for c in cities if c)
    if not counts:
        return ""
    city, count = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return city if count >= 0.5 * len(cities) else ""


def districts_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two letters name different districts or village groups, or the office filed them under
    different cities.
    Masked codes (A5区) are compared with codes and real names (渌口区) with real names: a board
    that masks most names leaves some real ones, and B5县 may be 渌口区."""
    if not a or not b:
        return False
    city_a, city_b = {d for d in a if d.startswith(CITY_MARK)}, {d for d in b if d.startswith(CITY_MARK)}
    if city_a and city_b and city_a.isdisjoint(city_b):
        return True
    group_a, group_b = {d for d in a if d.startswith(GROUP_MARK)}, {d for d in b if d.startswith(GROUP_MARK)}
    if group_a and group_b and group_a.isdisjoint(group_b):
        return True
    a, b = without_marks(a), without_marks(b)
    if not a or not b or not a.isdisjoint(b):
        return False
    codes_a = {d for d in a if PLACE_CODE.fullmatch(d)}
    codes_b = {d for d in b if PLACE_CODE.fullmatch(d)}
    real_a, real_b = a - codes_a, b - codes_b
    return bool(codes_a and codes_b) or bool(real_a and real_b)

