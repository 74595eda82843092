"""Group letters into specific issues (same place + same grievance), BERTopic-style.

A leader does not ask "how many housing letters?" but "which concrete problems are many people
writing about, and where?". An issue here is therefore narrow: the mixing plant next to one estate,
the parking spaces bundled with flats at one project. Near-duplicates (same normalised title +
text: a campaign reposting one text) are collapsed first, so the cost follows *distinct* letters.
Then five steps, each a method with plain inputs and outputs, so an engine can distribute them
(`pipeline.spark_cluster` runs the same methods on Spark; `fit` runs them in order here):

a. `letter_features` (row-wise): jieba tokens (title counted twice, masked codes and generic words
   dropped, title character bigrams added: 搅拌站 / 搅拌厂 share 搅拌), "grievance" tokens (the named
   places removed), the places the letter and its title name (rivers, roads, estates, villages,
   schools, companies: `丽发新城小区`, `新塘支河`, from `pipeline.places`, the one extractor) and
   the districts its title names.
b. `fit_vocabulary` (a reduce): TF-IDF vocabulary and idf from document frequencies; then
   `fit_places`: spellings of one name (a swap 铁广/广铁, a homophone 滨河苑/滨河院, a look-alike
   车贷/车货) become one name (`name_canon`, for labels) on district, grievance or frequency evidence
   (`variants_agree`; 一期/二期 and 东/西 never), and link letters (`_canon`) only when their letters
   also share the grievance; places too many letters name are dropped as keys.
c. `candidate_pairs` (pairwise): pairs over the lowest similarity any rule uses, from a sparse
   product (never a dense n x n matrix); of those, `linked_pairs` scores the near-copies and the
   pairs sharing a place (`matching_pairs`, found by lookup), and `score_pair`'s rule
   (`pair_rule`, decided once per pair of place signatures by `PairRules`) decides each. A
   pair is linked when it is a near-copy (no conflicting place), when it names the same place and
   shares grievance words, or, when neither letter names a place, when it is very similar. Letters
   whose headline places differ are never linked by wording alone (one complaint text sent about
   two estates is two issues), nor letters whose titles name different districts (二中 in B7县 is
   not 二中 in L3县), nor, when a batch holds several cities, letters the office filed under
   different cities (its 所属市 column: 阳光花园 in 澄州市 is not 阳光花园 in 青阳市); parts and
   issues of different cities are not joined again either, unless one company names both.
d. `component_issues`: a connected component of the linked pairs that is large or loose is split
   by average-linkage clustering with a distance threshold (dense, but only inside the component),
   so chains of links cannot merge unrelated problems; then `rejoin_parts` joins parts again whose
   grievance agrees when one part's letters name the other's place (one issue written as the
   station, the village beside it and "our village" is one issue, not four); groups under
   `min_letters` stay unclustered (-1). `join_groups` then joins issues of different components
   that are one problem (`pipeline.issue_merge`: a project's unpaid wages written by its name, its
   contractor and bare; a plant's dust and its night noise; an estate written by four names in one
   office unit with one grievance). `describe_places`, `keywords` and `issue_row` then label each issue `place chain +
   dominant place · c-TF-IDF keywords` (`A3区 新塘支河(东风路路段) · 黑臭 …`, the spelling most
   letters use; a place or unit only when a third of the issue's letters name it) and describe it
   (writers, dates, votes, representative letter, issue-type / urgency mix when those columns
   exist, deep-seated evidence).
e. `rank` (one row per issue): the heat index (`pipeline.heat`) and heat_rank.
f. `absorb`: each distinct text left out of every issue joins the issue its wording alone fits
   (`transform`'s rule, `fitting_issue`: a letter naming no place, 附近河涌, or a spelling
   no other letter uses, 砂溪涌, agrees with no one letter enough to link, yet reads like the whole
   issue), and the issues are numbered and labelled again.

`transform` assigns new letters to the fitted issues (nearest centroid, no place in conflict), so an
issue keeps its id across batches; `update` does that and opens new issues, with fresh ids, from
what is left. `save` / `load` keep the state in one file the case store can hold.
"""
from __future__ import annotations

import hashlib
import itertools
import os
import pickle
import re
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from pipeline.errors import PetitionError
from pipeline.issue_letters import IssueLetters
from pipeline.issue_merge import (
    RULE_SHARE, RULE_WORDS, IssueEvidence, batch_name_kinds, company_names, evidence_names, issue_evidence, join_issues,
    join_notes, name_kind, part_name,
)
from pipeline.mask import known_names_pattern
from pipeline.heat import heat_order, heat_scores, heat_weights, rank_range
from pipeline.issue_places import (
    UNIT_MIN_SHARE, batch_constants, canonical, cell_units, districts_conflict,
    dominant_places, full_chain, issue_chain, match_strength, matching_pairs, numbered_apart, place_label,
    letter_group, main_group, majority_city, office_city, places_match, pos_tags, reads_as_name, site_districts,
    spot_names,
    title_districts, title_groups, trim_place, with_office_cities, without_marks, RULE_MARK,
)
# one place extractor for every stage; extract_places stays importable from here for old callers
from pipeline.places import (  # noqa: F401
    COLUMN_LEVELS, GENERIC_STEMS, PLACE_CODE, UNKNOWN_PLACE, admin_chain, extract_places, is_spot, is_weak, kind_of,
    letter_place_names, short_name, stem, variant_candidates,
)
from pipeline.prefilter import WordScan
from pipeline.timing import gc_paused, give_back

STATE_VERSION = 1
# the label of an issue whose letters write no word a label could show (only names, only characters)
NO_WORDS = "(无具体内容)"
# What a label shows where its place goes when no place, town or district is the issue's (a third
# of its letters would name it, `describe_places`): many letters asking how to claim wages, or
# twenty cities' heating, are one matter but no one place, and a bare list of words read as a spot
PLACELESS = "无共同地点"
# the label's place for an issue with no common place whose letters mostly name a rule or tariff
# (`RULE_WORDS`): one concrete matter written from many places, not a kind of request
PLACELESS_RULE = "多地同一规定"


def person_names(names, titles, texts) -> set[str]:
    """The full names of people the letters hold: the name column's (`clean_name`) and those their
    titles and texts introduce by a cue (`cued_names`)."""
    from pipeline.identity import clean_name
    from pipeline.mask import cued_names

    return {n for n in (clean_name(v) for v in dict.fromkeys(names)) if n} | cued_names([titles, texts])


def name_fragments(pattern, docs) -> frozenset[str]:
    """Every piece (two characters or more) of every name (`pattern`: `known_names_pattern` of the
    batch's `person_names`) that an issue's letters (`docs`) write: none is a keyword of its label.

    Why: a caller who wrote their own name into most of their calls made a piece of it (the first
    two characters of a three-character name, as the segmenter cut it) a keyword of their issue,
    and labels go on every list and into the report; masking the whole name in the texts never
    touches a piece of it in a label. Only names the issue's own letters write count: a word that
    is also part of someone's name elsewhere in the batch (孙子 of a writer 孙子轩) stays a word."""
    if pattern is None:
        return frozenset()
    names = {m.group() for doc in docs for m in pattern.finditer(doc)}
    return frozenset(name[i:j] for name in names for i in range(len(name)) for j in range(i + 2, len(name) + 1))


# What is said of a person right after their name (夏庭卷了我的钱, 夏庭还钱, 夏庭他们, 夏庭说) or who
# they are right before it (老板夏庭): a two-character word so used is a name, not a matter
_PERSON_AFTER = re.compile(r"(?:卷|骗|还钱|他们|她们|等人|本人|说|称|承诺|答应|拖欠|欠|跑|带着|一伙|一家|夫妇|老板|总)")
_PERSON_BEFORE = re.compile(r"(?:老板|负责人|法人|经理|董事长|总经理|主任|书记|村长|队长|包工头|老赖|骗子)$")


def person_words(docs, words) -> frozenset[str]:
    """Words (of `words`, an issue's tokens) that name a person, never a label word (labels go on
    every list and into the report): a word of three or four characters that starts with a surname
    and is no dictionary word (孙国强, 赵长林, 陈德明家: people letters name without any cue the masker
    reads), and a two-character one that the issue's letters also use as a person at least a third of
    the times they write it (`_PERSON_AFTER`, `_PERSON_BEFORE`): 夏庭 of hot_messages' fraud issue
    (夏庭卷了我, 夏庭还钱) labelled it, while 房本, 支河 and 柳浦 are words a surname begins, and stay."""
    from pipeline.identity import looks_like_name
    from pipeline.tokenize import is_dictionary_word

    out = set()
    for w in {w for w in words if 2 <= len(w) <= 4 and looks_like_name(w)}:
        if is_dictionary_word(w):
            continue
        if len(w) > 2:
            out.add(w)
            continue
        seen = used = 0
        for doc in docs:
            for m in re.finditer(re.escape(w), doc):
                seen += 1
                used += bool(_PERSON_AFTER.match(doc, m.end()) or _PERSON_BEFORE.search(doc, 0, m.start()))
        if seen and 3 * used >= seen:
            out.add(w)
    return frozenset(out)


def place_pieces(place: str, docs, words) -> frozenset[str]:
    """Words (of `words`, the issue's tokens) that straddle the issue's place where its letters write
    them: 沙溪涌上沙段 is cut 沙溪/涌上/沙段, and 涌上 said nothing of the grievance. A word counts
    when at least half of the letters that write it write it across the place's edge."""
    if not place:
        return frozenset()
    out = set()
    for w in {w for w in words if len(w) >= 2 and w not in place}:
        joins = [place + w[k:] for k in range(1, len(w)) if place.endswith(w[:k])] + \
                [w[:-k] + place for k in range(1, len(w)) if place.startswith(w[-k:])]
        if not joins:
            continue
        holding = [d for d in docs if w in d]
        if holding and 2 * sum(any(j in d for j in joins) for d in holding) >= len(holding):
            out.add(w)
    return frozenset(out)


# Kinds of place that say where a letter's writer is or where the matter lies (an estate, village,
# road, water, district), not what the matter is: a factory, school, market or company may be both
LOCATING_KINDS = frozenset({"water", "bridge", "park", "road", "estate", "village", "community", "town",
                            "省", "市", "区县", "镇街"})


def located_words(doc_places, doc_words, chain=()) -> frozenset[str]:
    """Words (two characters or more) that, in at least half of an issue's letters writing them, are
    part of a locating place those letters name (`LOCATING_KINDS`) or of the issue's district and
    chain: never a label word. Why: an issue with no common place was labelled by the estates its
    writers live in (石埠区 · 港城 花园 锦绣 华庭, of 港城花园 and 锦绣华庭), and issues with one by the
    pieces of their own district or a neighbouring road (青山区 绕城高速 · 青山 匝道, 光明桥 · 建设路 跃进桥).
    A label's words say what is wrong; where it is stands in the place part. The pieces of a
    factory, market or company stay (the 搅拌站 of 鑫达搅拌站 is the matter), and so does a word that
    is no name (`_names_a_place`): the extractor sometimes sweeps a clause into a name (求审计上湾村,
    采石场修复道路), and 审计 is what the letters ask for. `doc_places`: each letter's places;
    `doc_words`: each letter's tokens."""
    chain = [u for u in chain if u]
    holding, inside = Counter(), Counter()
    for places, words in zip(doc_places, doc_words):
        locating = [p for p in places if kind_of(p) in LOCATING_KINDS] + chain
        for w in {w for w in words if len(w) >= 2 and not w.startswith("§")}:
            holding[w] += 1
            inside[w] += any(w in p for p in locating)
    return frozenset(w for w, n in inside.items() if n and 2 * n >= holding[w] and _names_a_place(w))


# part-of-speech tags of the words that can be a piece of a place's name: nouns, names, idioms
# (跃进桥 is tagged one) and words the tagger does not know; verbs, adjectives, adverbs, numbers and
# distinguishing words (二期) are what a clause swept into a name, or tell two places apart
_NAME_TAGS = ("n", "i", "j", "l", "x", "eng")


def _names_a_place(word: str) -> bool:
    """Whether a word can be a piece of a locating place's name: a noun or unknown run by its
    tags, and not itself a factory, school, market or company (`kind_of`)."""
    kind = kind_of(word)
    if kind and kind not in LOCATING_KINDS:
        return False
    tags = pos_tags(word)
    return len(tags) > 1 or tags[0].flag.startswith(_NAME_TAGS)


def hidden_words(names, docs, words, doc_places, places, chain) -> frozenset[str]:
    """The words never to label an issue with, from its letters (`docs`, their tokens `words` and
    places `doc_places`) and its places and chain: pieces of people's names (`name_fragments`,
    `person_words`), words only garbled text holds (`unreadable_words`), and pieces of places
    (`place_pieces`, `located_words`). Both engines call it, so their labels agree."""
    distinct = {w for ws in words for w in ws}
    return (name_fragments(names, docs) | unreadable_words(docs, words) | person_words(docs, distinct)
            | place_pieces(places[0] if places else "", docs, distinct) | located_words(doc_places, words, chain))


def garbled_spans(doc: str) -> list[tuple[int, int]]:
    """The stretches of `doc` that are text decoded with the wrong code page (start, end): the
    clauses around a run of garble characters (`_GARBLE`, each within GARBLE_GAP of the next) that
    holds a private-use or replacement character, or two garble characters of any kind. One stray
    kana in a sentence (第ニ十条, a typo for 二) is no stretch."""
    hits = [m.start() for m in _GARBLE.finditer(doc)]
    spans: list[tuple[int, int]] = []
    k = 0
    while k < len(hits):
        j = k
        while j + 1 < len(hits) and hits[j + 1] - hits[j] <= GARBLE_GAP:
            j += 1
        first, last = hits[k], hits[j]
        if j > k or _STRONG.match(doc, first):
            before = [m.end() for m in _CLAUSE_BREAK.finditer(doc, 0, first)]
            after = _CLAUSE_BREAK.search(doc, last + 1)
            spans.append((before[-1] if before else 0, after.start() if after else len(doc)))
        k = j + 1
    return spans


def unreadable_words(docs, tokens) -> frozenset[str]:
    """The words of an issue's letters (`docs`, their `tokens`) that occur only inside garbled
    stretches (`garbled_spans`): none is a keyword of its label.

    Why: a few Qingdao notes hold a passage decoded with the wrong code page (private-use code
    points between common characters); the segmenter cuts it into pseudo-words that the copies of
    the note share, and one issue was labelled "芯志 祷瓜纸 锲凡 约旱". Measured alternatives fail:
    asking a keyword to be in jieba's dictionary would drop 95 of TipDM's 752 keywords (连廊, 封窗,
    停暖, 普惠园: real words the dictionary lacks), and asking it to be in two letters keeps the
    garble, which five copies of one note share. Letters without a garble character cost one scan."""
    readable, garbled, words = [], [], set()
    for doc, toks in zip(docs, tokens):
        spans = garbled_spans(doc)
        if not spans:
            readable.append(doc)
            continue
        words.update(toks)
        start = 0
        for a, b in spans:
            readable.append(doc[start:a])
            garbled.append(doc[a:b])
            start = b
        readable.append(doc[start:])
    if not garbled:
        return frozenset()
    clean, noise = "\x00".join(readable), "\x00".join(garbled)
    return frozenset(t for t in words if t in noise and t not in clean)


def _bare(text: str) -> str:
    """A title or text with its dots (· and .) taken out, as a place's written forms are looked for in
    it (describe_places' support and title_concreteness, one rule)."""
    return text.replace("·", "").replace(".", "")
COPY_SIM = 0.97  # cosine of a literal copy: links letters whatever their places say
# Roads that are one of their name in a city (a tunnel, an expressway, a railway): their spellings
# are judged as an estate's, not as a street's (`IssueClusterer.variants_agree`)
ONE_OF_A_KIND_ROADS = ("隧道", "立交桥", "高速", "铁路", "城铁")
# `IssueClusterer.rejoin_parts`: the share of one part's letters that must name a place of the
# other part (a place a third of that part's letters name) for the two to be one issue again
REJOIN_NAMED_SHARE = 0.5
# Candidate pairs are found PAIR_BLOCK_ROWS rows at a time, fewer when the batch is large: at most
# PAIR_BLOCK_ENTRIES row x column products per block (about half are non-zero, 12 bytes each).
# The blocks' product and its kept pairs are the transient of the pair search: on 2x10^4 replicated
# letters 20M products a block peaked 140 MB over the search's start, 5M 89 MB, in less CPU
# (8.1 -> 6.8 s: smaller products stay in cache); the pairs and their values are the same.
# The columns are taken PAIR_BLOCK_COLUMNS letters at a time: the product needs them transposed,
# and transposing all of them at once was a copy of the whole matrix (66 MB at 10^5 letters, held at
# the pair search's peak: 163 MB over its start, 137 MB with the chunks, the same 755,478 links).
PAIR_BLOCK_ROWS, PAIR_BLOCK_ENTRIES, PAIR_BLOCK_COLUMNS = 2000, 5_000_000, 10_000
# columns that say who wrote, best first: the linker's person_id, else the source's writer id, else the name
WRITER_COLUMNS = ("person_id", "writer_id", "name", "phone", "id_number")
# Every column `fit` reads (the issues and the issue table depend on no other): a run passes only
# these, so the copies fitting makes of its letters do not carry the run's other columns.
LETTER_COLUMNS = ("letter_id", "title", "text", "received_at", *WRITER_COLUMNS, "up_votes", "down_votes",
                  "issue_type", "label", "urgency", *(column for column, _ in COLUMN_LEVELS))
# Pairs whose grievance cosine is computed at once in `linked_pairs` (each pair's two rows are
# gathered: a block of a 100,000-letter batch can ask for millions of pairs).
COSINE_CHUNK = 50_000
# Letters whose words `term_counts` gathers at once (the rest of the batch is summed in afterwards).
TERM_COUNT_LETTERS = 5_000
# Letters whose TF-IDF rows `vectors` makes at once.
VECTOR_ROWS = 10_000
# Letters `transform` (a new batch against a saved state's issues) decides at once: their
# similarities to every old issue are one dense block (50,000 letters x 4,000 issues was 1.6 GB,
# and the batch's features beside it: a 50,000-letter batch with a --store peaked at 7.6 GB).
TRANSFORM_ROWS = 2_000

# A word in more than MAX_DF of a batch's distinct texts (a batch of MAX_DF_MIN_DOCS or more) says
# nothing about which problem a letter is about, when that many different people write it; the
# same counted in writers (`fit_vocabulary`).
MAX_DF, MAX_DF_MIN_DOCS = 0.3, 100

_CODE = re.compile(PLACE_CODE.pattern + "|西地省")
# Words too common in petitions to describe a grievance in a label.
_GENERIC_WORDS = frozenset(
    "建议 希望 请问 咨询 反映 投诉 举报 问题 情况 相关 部门 领导 政府 尊敬 您好 谢谢 感谢 请求 要求 "
    "解决 处理 严重 影响 附近 周边 难道 为什么 什么 怎么 何时 能否 是否 已经 目前 现在 一直 多次 "
    "区域 有关 业主 居民 市民 百姓 群众 我们 本人 小区 社区 发生".split()
)
# Two-character words that carry no matter of their own, for labels: a pronoun with a verb (我测),
# a verb with its aspect particle or 在 (做过, 放在), a number with its measure word (一道, 一座), a
# negated modal (没能), someone coming or going to look (来测, 去查: a follow-up asking for a visit)
_NO_MATTER = re.compile(r"[我你他她它咱][\u4e00-\u9fff]|[\u4e00-\u9fff][过了着在]"
                        r"|[一两几][个道条次些件种下座栋块位名家处所辆台片间层]|[没不未][能会要想敢]|[来去][测查看找]")
# Words of pace, degree and attitude: how a letter feels about its matter, never what the matter is
# (a board's 请加快体育强省建设力度 was labelled 力度、强省、加快、体育; 刻不容缓, 何年何月, 何去何从,
# 置之不理 headed others), and pronoun-like pointers (该栋, 该校, 本组, 何方). Left out of labels only.
_MANNER_WORDS = frozenset(
    "加快 力度 步伐 刻不容缓 日益严重 置之不理 长期存在 常年 迟迟 按时 同样 正常 正好 好多 剩下 有损于 "
    "办成 地处 缺少 优化 走不动 没拿到 太忙 好差 有利 踏实 之地 之风 何去何从 何年何月 何时能 何方 "
    "有何 一批 进一步 尽早 早日 抓紧 务必 切实 一定 真正 完全 根本 始终 依然 仍然 越来越 非常 特别 "
    "昔日 去往 里面 以北 以南 以东 以西 大自然 景致 海阔天空 不屑一顾 无法无天 有着落 懒得 数辆 "
    "分钟 公斤 公顷 每平方 平方米".split()
)
_POINTER = re.compile(r"该[\u4e00-\u9fff]|本[组村栋楼户队]|何(?:时|去|年|方|处|在|日)[\u4e00-\u9fff]*")
# A run the segmenter cut across two words, no dictionary word (`_cut_across`): with a function
# character in it (城到 of 深业城到站, 日至 of 8日至10日, 水是, 往河, 涌里, 那座), or two characters
# of which one ends an office's name or a province's (建局 of 住房和城乡建设局, 管局, 强省, 省高); not
# 区 or 市, which also make words the dictionary lacks (区片 of 区片综合地价, a building's 高区)
_ACROSS_FUNCTION = re.compile(r"[到至是有得往里那这的把被从向]")
_ACROSS_UNIT = re.compile(r"[局省所处科]")
# A person an operator or a masked export names by surname alone (李某, 赵某某): never a label word
_PSEUDONYM = re.compile(r"[\u4e00-\u9fff]某某?")
# A caller as an operator addresses them (陈女士, 王先生, 李阿姨): a person, never a label word
_ADDRESSED = re.compile(r"[\u4e00-\u9fff]{1,2}(?:先生|女士|小姐|阿姨|师傅|大爷|大妈|老伯)")
# Words of the office's handling and follow-up register: who called back, which unit is to answer
# within how many working days, that nobody has replied yet. They describe the process, never the
# grievance, and are left out of labels only (they still count as words when letters are compared).
# A hotline operator writes them into every note ("请责任单位落实处理给予答复", "至今无人沟通",
# "同…号件，再次来电"), so a repeat caller's issues were labelled by them (Qingdao: "回复 工作日内
# 上级部门", "给予 责任单位 得到 反馈", "至今 无人 沟通 属实") instead of by the matter.
_HANDLING_WORDS = frozenset(
    "来电 来话 来话人 来电人 致电 回电 去电 同电 号件 工单 再次 先生 女士 "
    "回复 答复 反馈 回访 告知 转办 交办 承办 催办 督办 落实 处理结果 办理结果 办理情况 处理情况 "
    "工作日 工作日内 责任单位 承办单位 相关单位 有关单位 上级部门 相关部门 有关部门 职能部门 主管部门 "
    "给予 得到 收到 至今 无人 未果 仍未 沟通 继续 最新 上述 以上 此事 对此 询问 表示 属实 核实 "
    "尽快 及时 不满 诉求 回答".split()
)
# Words that name no grievance in a label: a company at large, and how long or how many (一个多月,
# 三周, 千户, 两起: People's Daily's "公司 号房 武汉市 一个多月" for a gas cut of four months).
_LABEL_NOISE = frozenset("公司 有限公司 有限责任公司 集团公司 股份有限公司 块钱".split())
# (numerals alone stay: 三一 is a company, 十一 a holiday)
_QUANTITY = re.compile(r"第[一二三四五六七八九十\d]+|[一二三四五六七八九十百千万两几半多\d]+(?:个)?多?"
                       r"(?:天|日|月|年|周|星期|小时|分钟|次|户|人|起|栋|号|元|块|多)多?")


def _cut_across(word: str) -> bool:
    """A keyword the segmenter made by cutting across two words, which says nothing to a leader
    (`_ACROSS_FUNCTION`, `_ACROSS_UNIT`). Dictionary words stay (到期, 局长), and so do runs the
    dictionary lacks that read as one word (停暖, 黑臭, 挖机, 泥头车, 110kv)."""
    from pipeline.tokenize import is_dictionary_word

    if is_dictionary_word(word):
        return False
    return bool(_ACROSS_FUNCTION.search(word)) or (len(word) == 2 and bool(_ACROSS_UNIT.search(word)))


def _names_no_grievance(word: str, vocabulary: set[str]) -> bool:
    """A word a label leaves out (`IssueClusterer.keywords`): a company at large, a quantity or
    duration, a city, province or county (武汉市; not a 区: 居民区 and 别墅区 parse as districts), or
    the same named bare where the letters also write it with 市 or 省 (大连, 湖北)."""
    if word in _LABEL_NOISE or _QUANTITY.fullmatch(word):
        return True
    if word[-1] in "市省县" and 3 <= len(word) <= 5 and "".join(admin_chain(word).values()) == word:
        return True
    return 2 <= len(word) <= 3 and (word + "市" in vocabulary or word + "省" in vocabulary)


# Characters that text decoded with the wrong code page is made of, and a letter seldom holds:
# private-use code points and U+FFFD (bytes no character maps to), and, two or more together,
# bopomofo, kana, Cyrillic and accented Latin letters (× and ÷ are arithmetic: not counted).
_GARBLE_STRONG = "\ue000-\uf8ff\ufffd"
_GARBLE_WEAK = "\u3040-\u30ff\u3100-\u312f\u0400-\u04ff\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_GARBLE = re.compile(f"[{_GARBLE_STRONG}{_GARBLE_WEAK}]")
_STRONG = re.compile(f"[{_GARBLE_STRONG}]")
# a clause ends at sentence punctuation (an undecodable byte often shows as "?")
_CLAUSE_BREAK = re.compile(r"[。！？；，、,;!?\n]")
GARBLE_GAP = 20  # garbled characters this close together belong to one garbled stretch


def _check_heat_weights(weights: dict | None) -> None:
    try:
        heat_weights(weights)
    except (ValueError, TypeError, AttributeError) as error:
        raise PetitionError(f"bad heat_weights: {error}") from error


def _identity(tokens):
    return tokens


def _vectorizer(vocabulary: dict[str, int], idf: np.ndarray) -> TfidfVectorizer:
    """A fitted TF-IDF vectorizer over token lists, from its vocabulary and idf."""
    vec = TfidfVectorizer(analyzer=_identity, min_df=1, sublinear_tf=True, dtype=np.float32)
    vec.vocabulary_ = vocabulary
    vec.idf_ = idf
    return vec


def tfidf_rows(vectorizer: TfidfVectorizer, docs: list[list[str]]) -> sparse.csr_matrix:
    """`vectorizer.transform(docs)` (a `_vectorizer`: token lists, sublinear tf, l2 norm), the same
    matrix to the bit, with the words counted in bulk.

    Why: sklearn's `_count_vocab` counts each token in a Python loop (a dict per letter), most of
    `vectors` (0.9 of 11 s of the cluster stage on the 9,943 shared letters). Here every token is
    looked up at once (`map(dict.get)`), and (row, column) keys are counted by one sort
    (`np.unique`): the counts are whole numbers, so the matrix is sklearn's, indices sorted as its
    `sort_indices` leaves them, int32 index arrays as it makes them. Then the steps of
    `TfidfTransformer.transform` (sklearn 1.x) in its order: log(tf) + 1 in float32, times idf,
    l2 row norm."""
    vocabulary = vectorizer.vocabulary_
    n_rows, n_cols = len(docs), len(vocabulary)
    lengths = np.fromiter(map(len, docs), np.int64, count=n_rows)
    columns = np.fromiter(map(vocabulary.get, itertools.chain.from_iterable(docs), itertools.repeat(-1)), np.int64,
                          count=int(lengths.sum()))
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
    known = columns >= 0  # out-of-vocabulary words are left out, as sklearn leaves them
    width = max(n_cols, 1)  # (row, column) -> one key
    keys, counts = np.unique(rows[known] * width + columns[known], return_counts=True)
    indptr = np.zeros(n_rows + 1, np.int64)
    np.cumsum(np.bincount(keys // width, minlength=n_rows), out=indptr[1:])
    index = np.int32 if indptr[-1] <= np.iinfo(np.int32).max else np.int64
    X = sparse.csr_matrix((counts.astype(vectorizer.dtype), (keys % width).astype(index),
                           indptr.astype(index)), shape=(n_rows, n_cols))
    X.has_sorted_indices = True
    if vectorizer.sublinear_tf:
        np.log(X.data, X.data)
        X.data += 1.0
    X.data *= vectorizer.idf_[X.indices]
    return normalize(X, norm=vectorizer.norm, copy=False)


def document_frequencies(tokens) -> Counter:
    """In how many letters each token occurs (step b's map side; an engine may count it itself)."""
    return Counter(t for toks in tokens for t in set(toks))


def doc_writer_matrix(doc: np.ndarray, who: pd.Series, n_docs: int) -> sparse.csr_matrix:
    """Which writers sent each distinct text (n_docs x writers, 1 where the writer sent it): `doc`
    numbers each letter's distinct text, `who` says who wrote it (`writer_column`, a letter without
    one its own writer)."""
    codes, uniques = pd.factorize(who.to_numpy())
    M = sparse.csr_matrix((np.ones(len(codes), np.float32), (np.asarray(doc), codes)), shape=(n_docs, len(uniques)))
    M.data[:] = 1.0  # a writer who sent one text twice sent it
    return M


def writer_frequencies(items, wanted, doc_writers: sparse.csr_matrix) -> dict[str, int]:
    """How many different writers wrote each of the `wanted` items (words or places), given each
    distinct text's items (`items`) and `doc_writer_matrix`. Only the few items over a cap are
    asked for, so the count stays small whatever the batch."""
    wanted = sorted(wanted)
    if not wanted:
        return {}
    index = {t: k for k, t in enumerate(wanted)}
    rows, cols = [], []
    for d, toks in enumerate(items):
        for k in {index[t] for t in toks if t in index}:
            rows.append(k)
            cols.append(d)
    T = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(wanted), doc_writers.shape[0]))
    W = (T @ doc_writers).tocsr()
    return {t: int(W.indptr[k + 1] - W.indptr[k]) for t, k in index.items()}


# The rules of `IssueClusterer.score_pair`, as `pair_rule` names them: a literal copy only (places
# or districts in conflict), a near-copy (a headline place on one side), `no_place_sim` (no headline
# place), the grievance cosine (a shared specific place), it or a near-copy (a shared weak place),
# a strong grievance cosine (no shared place, both letters about a rule: `SAME_RULE_SIM`).
RULE_COPY, RULE_HEADED, RULE_NO_PLACE, RULE_SAME_PLACE, RULE_WEAK_PLACE, RULE_SAME_RULE = range(6)
# A city-wide rule (a parking-fee rule named from 21 roads) is written from each caller's own
# place: two letters that both name a rule (`RULE_WORDS`) and share no place link on a grievance
# cosine as strong as the district join asks of two issues (2.25 x rejoin_sim), not on a near-copy.
SAME_RULE_SIM = 0.45
_RULE, _NONE = frozenset([RULE_MARK]), frozenset()


def _rule_mark(title: str, text: str) -> frozenset[str]:
    """{RULE_MARK} for a letter whose title or text names a rule, else empty (found once per letter)."""
    return _RULE if RULE_WORDS.search(title) or RULE_WORDS.search(text) else _NONE
RULE_PAIR_FLOOR = 0.15  # the cosine a pair of rule letters needs to be scored at all


class PairRules:
    """`IssueClusterer.pair_rule` for many pairs of one batch's letters, decided once per pair of
    place signatures (a letter's places, headline places and title districts): copies and letters
    about one estate share few signatures, and a Python call per pair of letters cost 21 s of the
    cluster stage at 100,000 letters (2.8 million pairs)."""

    def __init__(self, model: "IssueClusterer", place_full, place_head, districts):
        keys: dict[tuple, int] = {}
        self.model = model
        self.sig = np.array([keys.setdefault((f, h, d), len(keys)) for f, h, d in zip(place_full, place_head, districts)],
                            np.int64)
        self.signatures = list(keys)

    def rules(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """The rule of each pair (i[k], j[k]) of letters (row numbers of the batch)."""
        u = max(len(self.signatures), 1)
        distinct, inverse = np.unique(self.sig[i] * u + self.sig[j], return_inverse=True)
        rule = np.zeros(len(distinct), np.int8)
        for k, key in enumerate(distinct.tolist()):
            (fa, ha, da), (fb, hb, db) = self.signatures[key // u], self.signatures[key % u]
            rule[k] = self.model.pair_rule(fa, ha, fb, hb, da, db)
        return rule[inverse.ravel()]

    def decide(self, i, j, s, g) -> tuple[np.ndarray, np.ndarray]:
        """(combined similarity, linked) of each pair, as `score_pair` gives them."""
        combined, link = self.model.rule_outcome(self.rules(np.asarray(i, np.int64), np.asarray(j, np.int64)), s, g)
        return np.asarray(combined), np.asarray(link, bool)


def row_cosines(A: sparse.csr_matrix, B: sparse.csr_matrix) -> np.ndarray:
    """Cosine of row k of A with row k of B, for rows already normalised."""
    return np.asarray(A.multiply(B).sum(axis=1)).ravel()


def writer_column(letters: pd.DataFrame) -> str | None:
    """The column that says who wrote (a letter without it counts as its own writer)."""
    return next((c for c in WRITER_COLUMNS if c in letters.columns and letters[c].notna().any()), None)


def dedupe_key(title: str, text: str) -> str:
    """The same key for letters whose title and text differ only in punctuation and spacing."""
    norm = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", title + "|" + text)
    return hashlib.blake2b(norm.encode("utf-8"), digest_size=12).hexdigest()


def office_cells(letters: pd.DataFrame, columns: tuple[str, ...]) -> list | None:
    """Each letter's first filled cell among the office's own place `columns` (blank, 不详, 无 …
    are empty), None where all are empty; None when the file has none of the columns."""
    cols = [c for c in columns if c in letters.columns]
    if not cols:
        return None
    cells = letters[cols].astype("string").apply(lambda col: col.str.strip()).mask(lambda t: t.isin(UNKNOWN_PLACE) | (t == ""))
    return cells.bfill(axis=1).iloc[:, 0].astype(object).where(lambda c: c.notna(), None).tolist()


def office_units(letters: pd.DataFrame) -> list | None:
    """Each letter's finest unit in the office's own place columns: its street or town
    (place_town: a grid platform's 街道) where the file has one, else its district or county
    (place_county); None when the file has neither column."""
    return office_cells(letters, ("place_town", "place_county"))


def office_cities(letters: pd.DataFrame) -> list | None:
    """Each letter's city in the office's own columns (place_city), None where blank; None when the
    file has no such column."""
    return office_cells(letters, ("place_city",))


def letter_districts(office, title_districts) -> list[str]:
    """Each distinct letter's district for `pipeline.issue_merge`: the office's own unit
    (`office_units` locally; the same cells cleaned in SQL on Spark) where it has one, else the one
    district its title names, else ''."""
    cells = office if office is not None else [None] * len(title_districts)
    named = [without_marks(d) for d in title_districts]
    return [cell if cell else next(iter(d)) if len(d) == 1 else "" for cell, d in zip(cells, named)]


def first_rows(doc: pd.Series) -> np.ndarray:
    """Row position of each distinct text's first letter, in `doc` order: `doc` numbers texts in
    the order they first occur (`pd.factorize`), so these are the rows of
    `drop_duplicates(doc).sort_values(doc)`, without copying the letters' columns."""
    return np.flatnonzero(~doc.duplicated().to_numpy())


def _grievance_tokens(tokens: list[str], places: list[str]) -> list[str]:
    if not places:
        return tokens
    joined = "".join(places)
    return [t for t in tokens if (t[1:] if t[0] == "§" else t) not in joined]


def _top(counts: Counter) -> str:
    """The most counted key, ties to the first by name: `most_common` breaks ties by insertion
    order, which followed a frozenset's (the hash seed's) and Spark's row order, so two runs of the
    same code merged different spellings (1 of 849 at 2x10^4 letters)."""
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


def _place_weights(docs: dict[str, list[int]], weights: np.ndarray) -> dict[str, np.float64]:
    """{place: weights[rows].sum()} for every place's rows, in one `np.bincount` instead of a NumPy
    call per place (28,000 places on the shared letters). The weights are letter counts, whole
    numbers, so any order of adding gives the same sums."""
    sizes = np.fromiter(map(len, docs.values()), np.int64, count=len(docs))
    rows = np.fromiter(itertools.chain.from_iterable(docs.values()), np.int64, count=int(sizes.sum()))
    sums = np.bincount(np.repeat(np.arange(len(docs)), sizes), weights=weights[rows], minlength=len(docs))
    return dict(zip(docs, sums))


def _mean_directions(G: sparse.csr_matrix, row_lists: list) -> sparse.csr_matrix:
    """Row k is the normalised mean of `G[row_lists[k]]` (`normalize(csr_matrix(G[rows].mean(axis=0)))`),
    the same bits, for many row lists at once.

    Why: fit_places asks the mean direction of every place in a variant pair (638 places on the
    shared letters), and asking it place by place made a dense row as wide as the vocabulary, turned
    it back into a sparse one and normalised it alone, 0.7 s of the cluster stage. Here the rows'
    entries are gathered once and summed per (list, word) as scipy's mean sums them: each entry
    scaled first by 1/len(rows) in G's float32, then added in row order to a float32 zero
    (`np.add.at` adds in array order; scipy's mean is a ones-row product that adds row after row).
    G's entries are TF-IDF weights, all positive, so no sum is zero and the nonzero words are the
    rows' words, in column order as `csr_matrix` of a dense row keeps them; the l2 norm is taken
    per row, so normalising the rows together is normalising each alone."""
    n_lists, n_cols = len(row_lists), G.shape[1]
    sizes = np.fromiter(map(len, row_lists), np.int64, count=n_lists)
    rows = np.fromiter(itertools.chain.from_iterable(row_lists), np.int64, count=int(sizes.sum()))
    starts, ends = G.indptr[rows].astype(np.int64), G.indptr[rows + 1].astype(np.int64)
    per_row = ends - starts
    owner = np.repeat(np.repeat(np.arange(n_lists, dtype=np.int64), sizes), per_row)  # the list of each entry
    # the entries of the rows, row after row: each row's first entry, then its next ones
    entry = np.repeat(starts - np.concatenate([[0], np.cumsum(per_row)[:-1]]), per_row) + np.arange(per_row.sum())
    scale = (1.0 / np.maximum(sizes, 1)).astype(G.dtype)  # 1/len(rows) in G's dtype, as scipy scales by it
    values = G.data[entry] * scale[owner]
    keys, at = np.unique(owner * n_cols + G.indices[entry], return_inverse=True)
    sums = np.zeros(len(keys), G.dtype)
    np.add.at(sums, at.ravel(), values)
    indptr = np.zeros(n_lists + 1, np.int64)
    np.cumsum(np.bincount(keys // n_cols, minlength=n_lists), out=indptr[1:])
    means = sparse.csr_matrix((sums, (keys % n_cols).astype(G.indices.dtype), indptr.astype(G.indices.dtype)),
                              shape=(n_lists, n_cols))
    means.has_sorted_indices = True
    return normalize(means)


def _trimmed(place: str, named: Counter, docs=()) -> str:
    """`trim_place`, unless what it would cut begins another name the issue's letters write: 启明 of
    启明实验学校 is tagged a verb, but the letters also write 启明学校, so it is the name's, not a
    clause's (呼吁 of 呼吁长株潭城铁 begins no name). Nor when the letters (`docs`) write the cut
    part with the next character in another place (启智星教育, 启智星高新校区 beside 启智星培训学校):
    启智 is a rare verb and 启智星 a training school's name, which the label showed as 星培训学校."""
    rest = trim_place(place)
    head = place[: len(place) - len(rest)]
    if head and any(other != place and other.startswith(head) for other in named):
        return place
    if len(head) >= 2 and rest:  # a word cut off (启智), not a preposition or a verb of one character (至, 办)
        stem_ = head + rest[0]
        if any(stem_ in doc.replace(place, "") for doc in docs):
            return place
    return rest


def cluster_docs(titles, texts, title_weight: int) -> list[str]:
    """What the clusterer cuts per letter: the title `title_weight` times, then the text. A run's
    tokenization pass cuts the same strings (`pipeline.stages.TokenizeStage`)."""
    return [((t + "。") * title_weight) + x for t, x in zip(titles, texts)]


def most_typical(rows, centroid) -> int:
    """Index of the row closest to the centroid (an issue's representative wording). Similarities
    are rounded to 9 decimals first, so near-identical wordings tie exactly and the first row wins,
    whichever order an engine summed the centroid in."""
    similarity = np.asarray((rows @ centroid.T).todense()).ravel()
    return int(np.argmax(np.round(similarity, 9)))


class IssueClusterer:
    """Cluster letters into specific issues; see the module docstring for the method.

    Parameters
    ----------
    min_letters : smallest issue (letters, duplicates included); smaller groups stay unclustered.
    near_dup_sim : cosine at or above which two letters are near-copies of one complaint.
    same_place_sim : grievance cosine needed to link two letters naming the same specific place.
    weak_place_sim : the same when the shared place is a road, town or company many letters name.
    no_place_sim : cosine needed to link letters when neither names a specific place.
    split_distance : average-linkage distance threshold used to split a loose component.
    max_place_share : a "place" named in more than this share of letters is too generic to key on.
    assign_sim : cosine to an issue centroid needed by `transform` and `absorb`.
    title_weight : how many times the title counts in the text.
    n_keywords : c-TF-IDF keywords in a label.
    n_jobs : tokenizer processes.
    variant_sim : grievance cosine two spellings of a place name need to be merged as one name.
    rejoin_sim : grievance cosine two parts of a split component need to be one issue again, when
        one part's letters name the other's place (`rejoin_parts`); None = never rejoin.
    heat_weights : overrides of `pipeline.heat.DEFAULT_HEAT_WEIGHTS` (letters, writers, votes,
        recency, half_life_days, burst, burst_min_letters, persistence, persistence_months), e.g.
        `{"persistence": 0.25}` for an office that ranks chronic problems higher. None = defaults.
    """

    def __init__(
        self,
        min_letters: int = 3,
        near_dup_sim: float = 0.6,
        same_place_sim: float = 0.12,
        weak_place_sim: float = 0.2,
        no_place_sim: float = 0.45,
        split_distance: float = 0.8,
        max_place_share: float = 0.2,
        assign_sim: float = 0.35,
        title_weight: int = 2,
        n_keywords: int = 4,
        n_jobs: int = 2,
        heat_weights: dict | None = None,
        variant_sim: float = 0.3,
        rejoin_sim: float | None = 0.2,
        tokenizer=None,
        progress: bool = False,
    ):
        self.min_letters = min_letters
        self.near_dup_sim = near_dup_sim
        self.same_place_sim = same_place_sim
        self.weak_place_sim = weak_place_sim
        self.no_place_sim = no_place_sim
        self.split_distance = split_distance
        self.max_place_share = max_place_share
        self.assign_sim = assign_sim
        self.title_weight = title_weight
        self.n_keywords = n_keywords
        self.n_jobs = n_jobs
        self.heat_weights = heat_weights
        self.variant_sim = variant_sim
        self.rejoin_sim = rejoin_sim
        _check_heat_weights(heat_weights)  # fail at construction, not after an expensive fit
        self.tokenizer = tokenizer
        self.progress = progress

    # -------------------------------------------------------------- preparation
    def _tok(self):
        if self.tokenizer is None:
            from pipeline.tokenize import Tokenizer

            self.tokenizer = Tokenizer()
        return self.tokenizer

    @staticmethod
    def _check(letters: pd.DataFrame) -> pd.DataFrame:
        if not isinstance(letters, pd.DataFrame):
            raise PetitionError("IssueClusterer needs a letters table (pandas DataFrame)")
        if "text" not in letters.columns and "title" not in letters.columns:
            raise PetitionError("the letters table has neither a 'title' nor a 'text' column to cluster on")
        out = letters.reset_index(drop=True).copy()
        for col in ("title", "text"):
            if col not in out.columns:
                out[col] = ""
            out[col] = out[col].fillna("").astype(str)
        if "letter_id" not in out.columns:
            out["letter_id"] = [str(i) for i in range(len(out))]
        if "received_at" in out.columns:
            out["received_at"] = pd.to_datetime(out["received_at"], errors="coerce")
        else:
            out["received_at"] = pd.NaT
        return out


    def _canon(self, place: str) -> str:
        """The compared form of a place, for linking letters: trailing 小区/项目 dropped, spellings
        merged whose letters share the grievance (`place_variants_`)."""
        c = canonical(place)
        return getattr(self, "place_variants_", {}).get(c, c)

    def name_canon(self, place: str) -> str:
        """The one name of a place, for labels and the place column: every spelling judged the
        same name (`name_variants_`: same district, or shared grievance, see `variants_agree`),
        in the form most letters use."""
        c = canonical(place)
        return getattr(self, "name_variants_", {}).get(c, self._canon(place))

    # -------------------------------------------------------------- fit: the steps in order
    def fit(self, letters: pd.DataFrame, y=None, tokens=None, places=None, release_tokens: bool = False):
        self.fit_transform(letters, tokens=tokens, places=places, release_tokens=release_tokens)
        return self

    def fit_transform(self, letters: pd.DataFrame, y=None, tokens=None, places=None,
                      release_tokens: bool = False) -> np.ndarray:
        """Cluster `letters`; returns one issue number per letter (-1 = unclustered). `tokens`: each
        letter's cut of `cluster_docs` (a run's one tokenization pass), instead of cutting here;
        `places`: each letter's `pipeline.places.letter_places`, instead of scanning here.
        `release_tokens`: the caller hands the token lists over, and each is emptied once the
        features are made from it. A run's token column is read by no one after this stage, but
        its frame holds the lists through the whole fit (about 200 MB at 10^5 letters, under the
        cluster stage's peak)."""
        df = self._check(letters)
        df["_doc"] = pd.factorize(pd.Series([dedupe_key(a, b) for a, b in zip(df["title"], df["text"])]))[0]
        first = first_rows(df["_doc"])
        n = len(first)
        weights = np.bincount(df["_doc"].to_numpy(), minlength=n).astype(float)
        # distinct writers per distinct text (a letter without a writer id counts as its own writer)
        who_col = writer_column(df)
        row_ids = "§row" + pd.Series(df.index.astype(str), index=df.index)
        who = df[who_col].astype("string").fillna(row_ids) if who_col else row_ids
        writers = doc_writer_matrix(df["_doc"].to_numpy(), who, n)
        doc_writers = np.diff(writers.indptr).astype(float)
        del who, row_ids
        given = None if tokens is None else [tokens[k] for k in first]
        named = None if places is None else [places[k] for k in first]
        feats = self.letter_features(df["title"].iloc[first].tolist(), df["text"].iloc[first].tolist(),  # a
                                     tokens=given, grievance=False,  # grievance made part by part in `vectors`
                                     places=named)
        del given, named
        if release_tokens and tokens is not None:
            for toks in tokens:
                toks.clear()
        # the batch's texts, read as Python strings for the features (~260 MB at 10^5 letters), are
        # freed now; glibc keeps freed blocks unless handed back, and what follows (the vectors, the
        # pair blocks) is fresh large arrays that do not reuse them: the stage's peak carried both
        give_back()
        doc_freq = document_frequencies(feats["tokens"])                                    # b
        self.fit_vocabulary(doc_freq, n, writer_frequencies(feats["tokens"], self.common_words(doc_freq, n), writers),
                            writers.shape[1])
        del doc_freq
        feats["districts"] = with_office_cities(feats["districts"].tolist(), office_cities(df.iloc[first]))
        X, G = self.vectors(feats)
        place_full, place_head = self.fit_places(feats, G, weights, writers)
        districts = feats["districts"].tolist()
        i, j = self.linked_pairs(X, G, place_full, place_head, districts)                  # c
        _, comp = connected_components(                                                     # d
            sparse.coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n)), directed=False)
        groups = []
        order = np.argsort(comp, kind="stable")
        for members in np.split(order, np.flatnonzero(np.diff(comp[order])) + 1):
            if not self._big_enough(weights[members], doc_writers[members]):
                continue
            for group in self.component_issues(X[members], G[members], [place_full[m] for m in members],
                                               [place_head[m] for m in members], [districts[m] for m in members],
                                               weights[members], doc_writers[members]):
                groups.append(members[group])
        docs = [t + "。" + x for t, x in zip(df["title"].iloc[first], df["text"].iloc[first])]   # e
        office = office_units(df.iloc[first])
        labels_doc = np.full(n, -1)
        for label, group in enumerate(self.join_groups(groups, G, place_full, docs, letter_districts(office, districts),
                                                       [office_city(d) for d in districts], weights,
                                                       [letter_group(d) for d in districts],
                                                       [RULE_MARK in d for d in districts])):
            labels_doc[group] = label
        del docs, office
        # labelling reads neither the grievance rows nor the raw TF-IDF rows, only their normalised
        # copy: each is let go before the next is made (at 10^5 letters about 100 MB each)
        del G
        Xn = normalize(X)
        del X
        # f. the issues numbered by size and placed (centroids, places, districts: what `absorb`
        # asks), then the texts left out join the issue their wording fits; labelled once, after
        labels_doc = self._by_size(df["_doc"].to_numpy(), labels_doc)
        placed = {}  # an issue's places, by its members: those absorb leaves alone are not read twice
        self._issue_geometry(labels_doc, Xn, place_full, place_head, df.iloc[first], placed)
        left_out = labels_doc < 0
        labels_doc = self.absorb(labels_doc, Xn, feats, districts)
        del districts
        df["_worded"] = (left_out & (labels_doc >= 0))[df["_doc"].to_numpy()]  # joined by wording alone
        self._finish(df, labels_doc, Xn, feats, place_full, place_head, placed)
        return self.labels_

    # -------------------------------------------------------------- a. per-letter features (row-wise)
    def letter_features(self, titles: list[str], texts: list[str], n_jobs: int | None = None,
                        tokens: list[list[str]] | None = None, grievance: bool = True,
                        places: list[list[str]] | None = None) -> pd.DataFrame:
        """One row per letter: `tokens` (title counted `title_weight` times, masked place codes and
        generic words dropped: places are compared separately; title character bigrams added),
        `grievance` (the tokens not inside a named place; left out with grievance=False, for
        `vectors` to make), `places` (named in title or text), `title_places` and `districts`
        (those the title names, its village groups, and `RULE_MARK` when title or text names a
        rule). Any partition gives the same rows."""
        # title + " " + text as routing reads it (a space and 。 are the same break); a run hands
        # over its tokenize stage's scan (`places`), which routing read too
        places = letter_place_names(titles, texts, places)
        names = {p: p for ps in places for p in ps}  # the title's places share the letters' strings
        if tokens is None:
            tokens = self._tok().cut_all(cluster_docs(titles, texts, self.title_weight),
                                         n_jobs=self.n_jobs if n_jobs is None else n_jobs, progress=self.progress)
        # each distinct token tested once (a batch's 1.4 million tokens are some 60,000 words)
        dropped = {t for t in {t for toks in tokens for t in toks} if _CODE.fullmatch(t) or t in _GENERIC_WORDS}
        tokens = [[t for t in toks if t not in dropped] for toks in tokens]
        bigrams: dict[str, str] = {}  # one string per distinct bigram, not one per letter naming it
        for toks, title in zip(tokens, titles):
            han = re.sub(r"[^\u4e00-\u9fff]", " ", title)
            toks.extend(bigrams.setdefault(b, b) for b in ("§" + han[k:k + 2] for k in range(len(han) - 1)
                                                            if " " not in han[k:k + 2]))
        features = {"tokens": tokens}
        if grievance:
            features["grievance"] = [_grievance_tokens(t, sorted(p)) for t, p in zip(tokens, places)]
        features.update({
            "places": places,
            "title_places": [[names.setdefault(p, p) for p in extract_places(t)] for t in titles],
            # a title's districts and village groups, and whether the letter is about a rule
            "districts": [title_districts(t) | title_groups(t) | _rule_mark(t, x) for t, x in zip(titles, texts)],
        })
        return pd.DataFrame(features, columns=list(features))

    # -------------------------------------------------------------- b. vocabulary and places (a reduce)
    @staticmethod
    def common_words(doc_freq: dict[str, int], n_docs: int, writer_freq: dict[str, int] | None = None,
                     n_writers: int = 0) -> set[str]:
        """Words too common to tell one problem from another: in over MAX_DF of the distinct texts
        of a batch of MAX_DF_MIN_DOCS or more (来电, 企业, 停气) and, when the writers are known
        (`writer_freq`: writers of each such word, `writer_frequencies`), written by over MAX_DF of
        a batch's writers, MAX_DF_MIN_DOCS writers or more.

        Why writers: a word common because many people write it is the batch's vocabulary; a word
        common because one person wrote it into every call is that person's matter. A repeat
        caller's file (Qingdao: 207 of 223 distinct texts about one police station keeping one
        man's phones and cash, 11 writers) lost every word of the matter (扣留, 手机, 归还: 72
        words) to the cap, so the letters were compared on their follow-up tails only (至今无人
        沟通, 工作日内回复) and the matter was split into 15 issues labelled by those tails. On the
        other shared sources every word the cap drops is written by many people (TipDM's 年,
        Beijing's 来电 and 营业执照, the gas board's 停气): unchanged there. The writer test only
        keeps words the letter test would drop, never drops more."""
        if n_docs < MAX_DF_MIN_DOCS:
            return set()
        over = {t for t, c in doc_freq.items() if c > MAX_DF * n_docs}
        if writer_freq is None:
            return over
        if n_writers < MAX_DF_MIN_DOCS:
            return set()
        return {t for t in over if writer_freq.get(t, n_writers) > MAX_DF * n_writers}

    def fit_vocabulary(self, doc_freq: dict[str, int], n_docs: int, writer_freq: dict[str, int] | None = None,
                       n_writers: int = 0) -> TfidfVectorizer:
        """TF-IDF over the words shared by two letters (all words when none is), dropping the words
        `common_words` calls too common (they say nothing about which problem; `writer_freq` and
        `n_writers` as there); without writers, the same vocabulary and idf as sklearn's
        TfidfVectorizer (max_df=MAX_DF) fitted on the letters. A batch with no word at all gets one
        token per letter, so nothing links and nothing crashes."""
        min_df = 2 if any(c >= 2 for c in doc_freq.values()) else 1
        common = self.common_words(doc_freq, n_docs, writer_freq, n_writers)
        terms = sorted(t for t, c in doc_freq.items() if c >= min_df and t not in common)
        if not terms:
            doc_freq = {f"§letter{k}": 1 for k in range(n_docs)}
            terms = sorted(doc_freq)
        df = np.array([doc_freq[t] for t in terms], dtype=np.float32) + np.float32(1)  # smoothed, as sklearn
        idf = np.full_like(df, n_docs + 1)
        idf /= df
        np.log(idf, out=idf)
        idf += 1.0
        self.vectorizer_ = _vectorizer({t: k for k, t in enumerate(terms)}, idf)
        return self.vectorizer_

    def vectors(self, features: pd.DataFrame) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """X (TF-IDF rows over all tokens) and G (normalised rows over grievance tokens), made
        VECTOR_ROWS letters at a time: each row is made alone (counts, idf, norm), so the parts
        stacked are the matrices made at once, without a whole batch's transient counts. Without
        a `grievance` column (`letter_features(grievance=False)`) each part's grievance tokens are
        made, used and dropped here."""
        tokens, places = features["tokens"].tolist(), features["places"].tolist()
        grievance = features["grievance"].tolist() if "grievance" in features.columns else None
        if not tokens:
            return self.vectorizer_.transform([]), normalize(self.vectorizer_.transform([]))
        X, G = [], []
        for start in range(0, len(tokens), VECTOR_ROWS):
            part = slice(start, start + VECTOR_ROWS)
            words = grievance[part] if grievance is not None else \
                [_grievance_tokens(t, sorted(p)) for t, p in zip(tokens[part], places[part])]
            X.append(tfidf_rows(self.vectorizer_, tokens[part]))
            G.append(normalize(tfidf_rows(self.vectorizer_, words)))
        return sparse.vstack(X, format="csr"), sparse.vstack(G, format="csr")

    def fit_places(self, features: pd.DataFrame, G, weights, writers: sparse.csr_matrix | None = None
                   ) -> tuple[list[frozenset], list[frozenset]]:
        """Learn one name per place spelt several ways (`place_variants_`) and the batch's specific
        places a letter may write bare (`spot_names_`), drop places named by
        too many letters (物业公司, 开发区: not specific enough to key on; `too_common`, counted in
        writers too when `writers`, the `doc_writer_matrix`, is given) and return each letter's
        places and headline places (`place_sets`). The collector is paused (`gc_paused`): each
        place's letters and district counts, the spelling buckets and the place sets are some
        100,000 containers on the shared letters, all living to the end, and set off full passes."""
        with gc_paused():
            return self._fit_places(features, G, weights, writers)

    def _fit_places(self, features: pd.DataFrame, G, weights, writers: sparse.csr_matrix | None = None
                    ) -> tuple[list[frozenset], list[frozenset]]:
        docs: dict[str, list[int]] = {}
        for d, pa in enumerate(features["places"]):
            for p in {canonical(q) for q in pa}:
                docs.setdefault(p, []).append(d)
        # each letter's districts proper once, not once for every place it names
        districts = [without_marks(d) for d in features["districts"].tolist()]
        self.place_variants_ = {}
        pairs = self.variant_pairs({p: Counter(x for d in ds for x in districts[d]) for p, ds in docs.items()})
        # a place in many pairs: its mean direction once
        paired = list({q for a, b, _ in pairs for q in (a, b)})
        means = _mean_directions(G, [docs[p] for p in paired]) if paired else None
        directions = {p: means[k] for k, p in enumerate(paired)}
        sims = [float(directions[a].multiply(directions[b]).sum()) for a, b, _ in pairs]
        del directions
        freq = _place_weights(docs, weights)
        self.place_variants_ = self.merge_variants(pairs, sims, freq)
        self.spot_names_ = spot_names(freq)
        self.company_names_ = company_names(freq)
        self.name_kinds_ = batch_name_kinds(Counter(q for pa in features["places"] for q in pa))
        named = [{self._canon(q) for q in pa} for pa in features["places"]]
        doc_freq = Counter(p for ps in named for p in ps)
        over = self.too_common(doc_freq, len(features))
        if writers is None or not over:
            return self.place_sets(features, over)
        place_writers = writer_frequencies(named, over, writers)  # asked for the few places over the cap only
        del named
        return self.place_sets(features, self.too_common(doc_freq, len(features), place_writers, writers.shape[1]))

    def too_common(self, doc_freq: dict[str, int], n_docs: int, writer_freq: dict[str, int] | None = None,
                   n_writers: int = 0) -> set[str]:
        """Places named by more than max_place_share of the letters (and over 50 of them) and, when
        the writers are known (`writer_freq`, as in `common_words`), by more than that share of the
        writers (and over 50 of them): a road one caller names in 207 of 223 calls (Qingdao's
        瑞昌路) is that caller's place, not a name everyone writes. A named spot (`is_spot`: a river,
        estate, school …) is never too common: in a file of one city's river complaints, or of one
        estate's, the spot most letters name is the hot spot itself (丽发新城 in 66 of 216 letters
        was dropped, and its mixing-plant issue fell apart into four)."""
        limit = max(50, self.max_place_share * n_docs)
        over = {p for p, c in doc_freq.items() if c > limit and not is_spot(p)}
        if writer_freq is None:
            return over
        limit = max(50, self.max_place_share * n_writers)
        return {p for p in over if writer_freq.get(p, n_writers) > limit}

    def variant_pairs(self, place_districts: dict[str, Counter]) -> list[tuple[str, str, str]]:
        """Candidate spellings of one place (a, b, how they differ: `pipeline.places.variant_kind`)
        among the places named, given the districts their letters' titles name. Places of different
        districts are two places; a pair that differs only in its first character, when the rest is
        itself a name (于燃气公司 / 有燃气公司: a clause character swept in), is no pair. Keeps in
        `variant_districts_` whether both spellings' letters name the same district ("same"), one
        does ("one") or neither ("none"), for `merge_variants`."""
        out = []
        self.variant_districts_ = {}
        for a, b, kind in variant_candidates(place_districts):
            rest = stem(a[1:])
            if a[1:] == b[1:] and (a[1:] in place_districts or len(rest) >= 2 and rest in GENERIC_STEMS):
                continue
            da, db = place_districts[a], place_districts[b]
            if da and db and _top(da) != _top(db):
                continue
            self.variant_districts_[(a, b)] = "same" if da and db else ("one" if da or db else "none")
            out.append((a, b, kind))
        return out

    def merge_variants(self, pairs, sims, freq: dict[str, float]) -> dict[str, str]:
        """{variant: label form} for linking: candidate pairs whose letters share the grievance
        (cosine of the mean grievance vectors >= variant_sim) and that `variants_agree` calls one
        name, named by the spelling most letters use. Every pair `variants_agree` calls one name
        (district and frequency evidence included) goes to `name_variants_`, which names issues:
        a spelling is the same name whatever the letter asks, but one letter spelling an estate
        differently about another grievance must not tie two of the estate's problems together.
        Keeps (spelling, spelling, kind, cosine) in `variant_evidence_` for review."""
        self.variant_evidence_ = [(a, b, kind, round(sim, 3)) for (a, b, kind), sim in zip(pairs, sims)]
        named = [(a, b) for (a, b, kind), sim in zip(pairs, sims) if self.variants_agree(a, b, kind, sim, freq)]
        self.name_variants_ = self._union_labels(named, freq)
        return self._union_labels([(a, b) for (a, b, kind), sim in zip(pairs, sims)
                                   if (a, b) in set(named) and sim >= self.variant_sim], freq)

    @staticmethod
    def _union_labels(edges, freq: dict[str, float]) -> dict[str, str]:
        """{member: label} of the groups the edges join, each labelled by its most used spelling."""
        parent: dict[str, str] = {}

        def root(x):
            while parent.get(x, x) != x:
                x = parent[x]
            return x

        for a, b in edges:
            if root(a) != root(b):
                parent[root(b)] = root(a)
        groups: dict[str, list[str]] = {}
        for p in parent:
            groups.setdefault(root(p), []).append(p)
        out = {}
        for r, members in groups.items():
            members = set(members) | {r}
            label = min(members, key=lambda m: (-freq.get(m, 0), m))
            out.update({m: label for m in members if m != label})
        return out

    def variants_agree(self, a: str, b: str, kind: str, sim: float, freq: dict[str, float]) -> bool:
        """Whether two spellings (a candidate pair of `variant_pairs`: a swap, a homophone or a
        look-alike apart, districts not in conflict) are one name. Evidence, any of:
        - their letters share the grievance (cosine of the mean grievance vectors >= variant_sim);
        - both spellings' letters name the same district: two specific names (an estate, village,
          school, company) a typo apart in one district are one place;
        - only one spelling's letters name a district: a long name (6+ characters), or a name of
          4+ characters whose rarer spelling is used by at most two letters and the other by at
          least twice as many (a typo of a known name);
        - neither names a district: a long name (6+ characters).
        Roads and towns, which many real names share across a district, need the same district
        and a rare spelling (at most three letters, the other at least twice as many) or near-copy
        letters (cosine >= near_dup_sim), never a swap alone (滨湖路 / 湖滨路 may both exist). A
        tunnel, an expressway or a railway (`ONE_OF_A_KIND_ROADS`) is one of its name in a city, as
        an estate is: 石岗隧道 / 石冈隧道 / 石刚隧道 are one tunnel when their letters share the grievance."""
        district = getattr(self, "variant_districts_", {}).get((a, b), "none")
        fa, fb = freq.get(a, 0), freq.get(b, 0)
        rare, known = min(fa, fb), max(fa, fb)
        if is_weak(a) and is_weak(b) and kind_of(a) in ("road", "town", "community") and not a.endswith(ONE_OF_A_KIND_ROADS):
            typo = kind != "swap" and rare <= 3 and known >= 2 * rare
            return district == "same" and (typo or sim >= self.near_dup_sim)
        if sim >= self.variant_sim or district == "same":
            return True
        if district == "one":
            return len(a) >= 6 or (len(a) >= 4 and rare <= 2 and known >= 2 * rare)
        return len(a) >= 6

    def place_sets(self, features: pd.DataFrame, drop: set[str]) -> tuple[list[frozenset], list[frozenset]]:
        """Per letter: its specific places (not in `drop`), and its headline places (the title's,
        else the first named)."""
        full, head = [], []
        seen: dict[frozenset, frozenset] = {}  # one object per distinct set: copies name the same places
        for pa, pt in zip(features["places"], features["title_places"]):
            pa_c = [self._canon(p) for p in pa if self._canon(p) not in drop]
            pt_c = [self._canon(p) for p in pt if self._canon(p) not in drop]
            f, h = frozenset(pa_c), frozenset(pt_c if pt_c else pa_c[:1])
            full.append(seen.setdefault(f, f))
            head.append(seen.setdefault(h, h))
        return full, head

    # -------------------------------------------------------------- c. candidate pairs and their acceptance
    @property
    def pair_floor(self) -> float:
        """The lowest cosine any linking rule can accept: pairs below it are never candidates."""
        return min(self.near_dup_sim, self.no_place_sim, 0.08)

    def candidate_pairs(self, X: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Upper-triangle pairs (i, j, cosine) at or over `pair_floor`, in row blocks (bounded memory)."""
        rows, cols, vals = [], [], []
        for r, c, v in self.pair_blocks(X):
            rows.append(r); cols.append(c); vals.append(v)
        if not rows:
            return np.array([], int), np.array([], int), np.array([], float)
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)

    def pair_blocks(self, X: sparse.csr_matrix):
        """`candidate_pairs` one block of rows against one chunk of columns at a time.

        Most pairs of letters share some word, so a block's product holds about half of its rows
        times its columns: 2,000 rows of a 100,000-letter batch made a 6 GB product. The rows of a
        group of `PAIR_BLOCK_ROWS` are multiplied with the columns from the group on (pairs below
        the diagonal are never kept), `PAIR_BLOCK_COLUMNS` columns at a time, in blocks of rows
        small enough for `PAIR_BLOCK_ENTRIES` products. Each cosine is summed over the same terms
        in the same order whatever the block or chunk (a row of X times a transposed column), so
        the pairs and their values do not depend on the sizes; their order does (a batch of at most
        `PAIR_BLOCK_COLUMNS` letters is one chunk), and no caller reads it: the links only make
        connected components."""
        X = X.tocsr()
        n = X.shape[0]
        XT = X.T  # X's own arrays read by column: no copy
        for group in range(0, n, PAIR_BLOCK_ROWS):
            end = min(group + PAIR_BLOCK_ROWS, n)
            for first in range(group, n, PAIR_BLOCK_COLUMNS):
                # one chunk's columns transposed for the product, converted once for the group's blocks
                XTc = None  # the last chunk's copy goes first
                XTc = XT[:, first:first + PAIR_BLOCK_COLUMNS].tocsr()
                step = max(16, min(PAIR_BLOCK_ROWS, PAIR_BLOCK_ENTRIES // XTc.shape[1]))
                for start in range(group, end, step):
                    S = X[start:min(start + step, end)] @ XTc
                    found = np.flatnonzero(S.data >= self.pair_floor)
                    r = np.searchsorted(S.indptr, found, side="right") - 1 + start
                    c = S.indices[found].astype(np.int64) + first
                    v = S.data[found]
                    del S
                    upper = c > r
                    yield r[upper], c[upper], v[upper]

    def linked_pairs(self, X, G, place_full, place_head, districts) -> tuple[np.ndarray, np.ndarray]:
        """(i, j) of the candidate pairs `accept_pairs` links, decided block by block, so a batch's
        candidate pairs (tens of millions at 100,000 letters) are never held at once. A pair that
        no rule of `score_pair` can link is not scored: it needs a cosine of at least the lowest
        place-free threshold, or a shared place (`matching_pairs`: a headline place of one matching
        a place of the other, the only pairs `pair_rule` lets link on the grievance cosine) and a
        grievance cosine of at least the lowest same-place threshold.
        The same links as `accept_pairs` over `candidate_pairs`."""
        n = X.shape[0]
        placed = matching_pairs(place_head, place_full)
        eps = 1e-6  # asks a little more than the rules could link: score_pair decides
        s_min = min(self.near_dup_sim, self.no_place_sim, COPY_SIM) - eps
        g_min = min(self.same_place_sim, self.weak_place_sim) - eps
        rules = PairRules(self, place_full, place_head, districts)
        ruled = np.array([RULE_MARK in d for d in districts], bool)  # letters about a rule
        keep_i, keep_j = [], []
        for i, j, s in self.pair_blocks(X):
            wordy = s >= s_min
            if ruled.any():
                wordy = wordy | (ruled[i] & ruled[j] & (s >= RULE_PAIR_FLOOR))
            key = i * n + j
            at = np.minimum(np.searchsorted(placed, key), max(len(placed) - 1, 0))
            ask = wordy | (placed[at] == key) if len(placed) else wordy
            i, j, s, wordy = i[ask], j[ask], s[ask], wordy[ask]
            g = np.concatenate([row_cosines(G[i[k:k + COSINE_CHUNK]], G[j[k:k + COSINE_CHUNK]])
                                for k in range(0, len(i), COSINE_CHUNK)] or [np.zeros(0, G.dtype)])
            ask = wordy | (g >= g_min)
            i, j = i[ask], j[ask]
            _, link = rules.decide(i, j, s[ask], g[ask])
            keep_i.append(i[link]); keep_j.append(j[link])
        if not keep_i:
            return np.array([], np.int64), np.array([], np.int64)
        return np.concatenate(keep_i), np.concatenate(keep_j)

    def accept_pairs(self, i, j, s, g, place_full, place_head, districts) -> tuple[np.ndarray, np.ndarray]:
        """`score_pair` for each candidate pair (i[k], j[k]) with cosine s[k] and grievance cosine g[k]:
        (linked, combined similarity)."""
        combined, link = PairRules(self, place_full, place_head, districts).decide(i, j, s, g)
        return link, combined

    def pair_rule(self, pa, ha, pb, hb, da=frozenset(), db=frozenset()) -> int:
        """Which rule of `score_pair` two letters meet, from their places, headline places and title
        districts alone (the cosines only decide within the rule): one of the RULE_* codes.
        Letters headed by different districts (B7县 vs L3县) are about different places, whatever
        they share by name (二中, 碧桂园): only a literal copy may join them."""
        if districts_conflict(da, db) or numbered_apart(ha, pb) or numbered_apart(hb, pa):
            return RULE_COPY
        strength = max(match_strength(ha, pb), match_strength(hb, pa))
        if strength:
            return RULE_SAME_PLACE if strength == 2 else RULE_WEAK_PLACE
        if RULE_MARK in da and RULE_MARK in db:
            return RULE_SAME_RULE
        if ha and hb and not places_match(pa, pb):
            return RULE_COPY
        return RULE_HEADED if (ha or hb) else RULE_NO_PLACE

    def rule_outcome(self, rule, s, g):
        """(combined similarity, linked) of pairs meeting `rule` (a code, or one per pair) with
        cosines s and grievance cosines g: `score_pair`'s arithmetic, on scalars or arrays alike."""
        combined = np.where(rule == RULE_COPY, s - 0.3, s)
        combined = np.where(rule == RULE_SAME_PLACE, 0.5 * s + 0.5 * g + 0.2, combined)
        combined = np.where(rule == RULE_WEAK_PLACE, 0.5 * s + 0.5 * g + 0.05, combined)
        combined = np.where(rule == RULE_SAME_RULE, 0.5 * s + 0.5 * g, combined)
        thresholds = np.select([rule == RULE_COPY, rule == RULE_HEADED, rule == RULE_NO_PLACE],
                               [COPY_SIM, self.near_dup_sim, self.no_place_sim], self.near_dup_sim)
        link = s >= thresholds
        link = np.where(rule == RULE_SAME_PLACE, g >= self.same_place_sim, link)
        link = np.where(rule == RULE_WEAK_PLACE, (g >= self.weak_place_sim) | link, link)
        link = np.where(rule == RULE_SAME_RULE, g >= SAME_RULE_SIM, link)
        return combined, link

    def score_pair(self, s: float, g: float, pa, ha, pb, hb, da=frozenset(), db=frozenset()) -> tuple[float, bool]:
        """Combined similarity of two letters and whether they may be linked directly, from their
        cosine s, grievance cosine g, places, headline places and title districts (`pair_rule`):
        a shared specific place links on the grievance cosine, a shared weak one on it or a
        near-copy cosine; a headline place on one side only needs a near-copy, none on either
        side `no_place_sim`; places in conflict need a literal copy."""
        combined, link = self.rule_outcome(self.pair_rule(pa, ha, pb, hb, da, db), s, g)
        return combined[()], bool(link)

    # -------------------------------------------------------------- d. components -> issues
    def _big_enough(self, weights, doc_writers) -> bool:
        """min_letters letters, and either two different texts or min_letters different writers
        (one person re-sending one letter is a repeat petition, not a group of letters)."""
        return weights.sum() >= self.min_letters and (len(weights) >= 2 or doc_writers.sum() >= self.min_letters)

    def component_issues(self, X, G, place_full, place_head, districts, weights, doc_writers) -> list[np.ndarray]:
        """The issues in one connected component (arguments: its letters' rows), as row indices.
        A loose component is split by average linkage on 1 - combined similarity, so chained links
        cannot merge distinct problems; groups too small to be an issue are dropped."""
        m = len(weights)
        if not self._big_enough(weights, doc_writers):
            return []
        groups = [np.arange(m)]
        if m > 2:
            upper = np.triu_indices(m, 1)
            s, g = (X @ X.T).toarray()[upper], (G @ G.T).toarray()[upper]
            condensed = np.zeros(len(s))
            condensed[:] = np.minimum(1.0, np.maximum(0.0, 1.0 - self.combined(s, g, place_full, place_head,
                                                                             districts, upper)))
            if condensed.max() > self.split_distance:
                parts = fcluster(linkage(condensed, method="average"), t=self.split_distance, criterion="distance")
                groups = self.rejoin_parts([np.flatnonzero(parts == p) for p in np.unique(parts)], G, place_full,
                                           districts)
        return [g for g in groups if self._big_enough(weights[g], doc_writers[g])]

    def rejoin_parts(self, groups: list[np.ndarray], G, place_full, districts=None) -> list[np.ndarray]:
        """Join again the parts of a split component that are one issue named in several ways.

        Average linkage splits where pairs of letters are, on average, far apart; one issue whose
        letters name the transfer station, the village beside it or only "our village", or the estate
        and only the road it is on, has many such pairs, and came out as three or four parts of a
        few letters each (on two corpora written by other hands, about half of an issue's letters
        sat outside its main part, and small parts were dropped as too small). Two parts are joined
        when their grievance centroids agree (cosine >= `rejoin_sim`) and at least half of one
        part's letters (`REJOIN_NAMED_SHARE`) name a place that a third of the other part's letters
        name (a road, town or company many places share needs 1.5 x `rejoin_sim`; a river or lake is
        no evidence at all: its spots are the issues, and joining the parts that named only the river
        put black water at three spots and two rivers into one issue on river2_synthetic): the
        estate's heating and the same estate's parking fee differ in grievance, and two estates'
        heating name no common place. A writer's letters about several places of one
        district share wording, not places, and stay apart; so do parts the office filed under
        different cities (`districts`' office cities: 阳光花园 in two cities is two estates). Parts
        joined through a third are one. Arguments are the component's (its letters' grievance rows,
        places and districts); the parts come back in the order of their first letter."""
        if self.rejoin_sim is None or len(groups) < 2:
            return groups
        cities = [majority_city([office_city(districts[m]) for m in g]) if districts is not None else "" for g in groups]
        village_groups = [main_group([letter_group(districts[m]) for m in g]) if districts is not None else "" for g in groups]
        centroids = normalize(sparse.csr_matrix(np.vstack([np.asarray(G[g].sum(axis=0)) for g in groups])))
        sims = (centroids @ centroids.T).toarray()
        named = [[place_full[m] for m in g] for g in groups]
        common = [{p for p, k in Counter(p for ps in names for p in ps).items() if k >= UNIT_MIN_SHARE * len(names)}
                  for names in named]

        def names_place_of(a: int, b: int, weak: bool) -> bool:
            """At least half of part b's letters name a place of part a (a weak one too when `weak`; a
            water never)."""
            places = {p for p in common[a] if kind_of(p) != "water" and (weak or not is_weak(p))}
            return bool(places) and sum(bool(ps & places) for ps in named[b]) >= REJOIN_NAMED_SHARE * len(named[b])

        def one_issue(a: int, b: int) -> bool:
            """A specific place (an estate, a village, a station) shared with the grievance, or a weak one
            (a road, a town, a company: 中燃燃气公司 serves towns in many cities) with half as much
            agreement again (on the national gas board, three letters from two cities about that
            company's quotas were joined at rejoin_sim)."""
            if cities[a] and cities[b] and cities[a] != cities[b]:
                return False
            if village_groups[a] and village_groups[b] and village_groups[a] != village_groups[b]:
                return False  # 下湾村三组 and 四组: two groups' disputes
            if sims[a, b] >= 1.5 * self.rejoin_sim and (names_place_of(a, b, True) or names_place_of(b, a, True)):
                return True
            return sims[a, b] >= self.rejoin_sim and (names_place_of(a, b, False) or names_place_of(b, a, False))

        parent = list(range(len(groups)))

        def root(x: int) -> int:
            while parent[x] != x:
                x = parent[x]
            return x

        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                if one_issue(a, b):
                    parent[max(root(a), root(b))] = min(root(a), root(b))
        joined: dict[int, list[np.ndarray]] = {}
        for k, g in enumerate(groups):
            joined.setdefault(root(k), []).append(g)
        return [np.sort(np.concatenate(parts)) for _, parts in sorted(joined.items())]

    def join_groups(self, groups: list[np.ndarray], G, place_full, docs, districts, cities=None,
                    weights=None, groups_of=None, rules_of=None) -> list[np.ndarray]:
        """The batch's issues (rows of each) with those that are one problem joined
        (`pipeline.issue_merge`), in the order of their first issue. `districts`: each letter's
        (`letter_districts`); `cities`: each letter's office city ('' for none); `weights`: the
        letters each row stands for (1 each when not given), for 合并依据; `groups_of`: each letter's
        village group (`letter_group`, '' for none); `rules_of`: whether each names a rule (`RULE_MARK`
        among its districts, found once by `letter_features`)."""
        anchors = frozenset().union(*(self.part_anchors([place_full[d] for d in g]) for g in groups))
        evidence = [self.issue_evidence(G[g], [place_full[d] for d in g], [docs[d] for d in g], [districts[d] for d in g],
                                        anchors, None if cities is None else [cities[d] for d in g],
                                        None if groups_of is None else [groups_of[d] for d in g],
                                        None if rules_of is None else [rules_of[d] for d in g]) for g in groups]
        why: dict[tuple[int, int], str] = {}
        joined = join_issues(evidence, self.rejoin_sim, getattr(self, "name_kinds_", {}), why)
        sizes = [int(weights[g].sum()) if weights is not None else len(g) for g in groups]
        # one per joined group, read by `_finish`
        self._join_notes = join_notes(joined, why, [(part_name(e), n) for e, n in zip(evidence, sizes)])
        return [np.sort(np.concatenate([groups[c] for c in cs])) for cs in joined]

    def part_anchors(self, place_full) -> frozenset[str]:
        """The names a third of one issue's letters give by the extractor (its places; a company by
        its `company_key`): the only names worth looking for where other issues' letters write them
        bare (滨江一品 of 滨江一品项目, 东湖名邸 of 东湖名邸小区). Reading whether each string found is a
        name (`reads_as_name`, a part-of-speech cut) for every specific name of the batch was most of
        the join's cost at 10^5 letters (20 of 23 s)."""
        counts = Counter(n for ps in place_full for n in evidence_names(ps, "", self._canon, None, ()))
        return frozenset(n for n, k in counts.items() if k >= UNIT_MIN_SHARE * len(place_full))

    def issue_evidence(self, G, place_full, docs, districts, anchors: frozenset[str] = frozenset(),
                       cities: list[str] | None = None, groups: list[str] | None = None,
                       rules: list[bool] | None = None) -> IssueEvidence:
        """One issue's `IssueEvidence` from its distinct letters (grievance rows, places, title + text,
        district, office city, village group, whether each names a rule); letters are read for the
        batch's specific names that are `anchors` (`part_anchors` of all issues), written bare."""
        kinds = getattr(self, "name_kinds_", {})
        batch = (getattr(self, "spot_names_", ()), getattr(self, "company_names_", ()), anchors)
        kept = getattr(self, "_bare_scan_of", None)
        if kept is None or any(a is not b for a, b in zip(kept[0], batch)):
            bare = tuple(n for n in (*batch[0], *batch[1]) if n in anchors and name_kind(n, kinds))
            self._bare_scan_of = kept = (batch, bare, WordScan([bare]), {})
        names = [evidence_names(ps, _bare(doc), self._canon, kept[2], kept[1]) for ps, doc in zip(place_full, docs)]
        waters = [any(kind_of(p) == "water" for p in ps) for ps in place_full]
        return issue_evidence(G, names, kinds, districts, waters, memo=kept[3], cities=cities, rules=rules, groups=groups)

    def combined(self, s, g, place_full, place_head, districts, pairs) -> np.ndarray:
        """`score_pair`'s combined similarity of many pairs (x, y) = `pairs`, cosines s and grievance
        cosines g (`PairRules`: the rule decided once per pair of place signatures)."""
        combined, _ = PairRules(self, place_full, place_head, districts).decide(pairs[0], pairs[1], s, g)
        return combined

    def describe_places(self, place_full, place_head, titles, texts) -> tuple[list[str], str, list[str]]:
        """An issue's places (most named first, fuller names preferred), district and administrative
        chain, from its distinct letters. The title says where the problem is; the opening may say
        where the writer lives or comes from, so title districts count twice, a district written
        right before the issue's place twice too, and the writer's home county (从K9县过来的)
        not at all (`site_districts`).

        A place is the issue's only when at least a third of its letters name it (`UNIT_MIN_SHARE`,
        the share `issue_chain` asks of every level of the chain): twenty letters titled 供暖不达标
        from twenty cities, one of which names its estate, are a topic, and a label naming that
        estate would tell a leader the problem is there. Without such a place, the district too
        needs a third of the letters; beside a place it stays (it says where the place is, and
        letters that name the place without a district do not contradict it). When the extractor
        gives no place a third of the letters name, the letters are read again for the batch's
        `spot_names_`, the names other letters write with their suffix (滨江一品 of 滨江一品项目)."""
        cnt = Counter()
        named = []
        for full, head in zip(place_full, place_head):
            names = sorted({self.name_canon(p) for p in (head or full)})
            cnt.update(names)
            named.append(names)
        need = UNIT_MIN_SHARE * len(titles)
        plain = [_bare(t + "。" + x) for t, x in zip(titles, texts)]

        def support(place: str) -> int:
            """Letters that write the place, name it or a fuller name, or name a specific part of it
            (滨河苑 of 伊景园滨河苑); a road, town or office inside it (瑞昌路, 市场监督管理局) is
            shared by many places and is not the place."""
            forms = self.written_forms(place)
            return sum(any(place in q or q in place and not is_weak(q) for q in names) or any(f in doc for f in forms)
                       for names, doc in zip(named, plain))

        places = [p for p in (_trimmed(q, cnt, plain) for q in dominant_places(cnt)) if support(p) >= need]
        if not places and getattr(self, "spot_names_", None):
            # the extractor finds a name by its suffix; a letter that writes it bare (我在滨江一品做过小工)
            # has none, and an issue of such letters was labelled by its words alone
            scan = self._spot_scan()
            for names, doc in zip(named, plain):
                names.extend(sorted({n for n in scan.found(doc) or () if n not in names and reads_as_name(n)}))
            cnt = Counter(p for names in named for p in set(names))
            places = [p for p in (_trimmed(q, cnt, plain) for q in dominant_places(cnt)) if support(p) >= need]
        codes, coded = Counter(), []
        for title, text in zip(titles, texts):
            in_title, in_text = title_districts(title), site_districts(text[:200], places)
            codes.update({code: 2 for code in in_title})
            codes.update(in_text)
            coded.append(in_title | set(in_text))
        district = min(codes, key=lambda code: (-codes[code], code)) if codes else ""
        if district and not places and sum(district in c for c in coded) < need:
            district = ""
        chain = issue_chain([t + "。" + x[:300] for t, x in zip(titles, texts)], district, UNIT_MIN_SHARE)
        return places, district, chain

    def term_counts(self, labels_doc: np.ndarray, tokens, k: int) -> sparse.csr_matrix:
        """Occurrences of each vocabulary word in each issue (k x vocabulary), for `keywords`."""
        vocab = self.vectorizer_.vocabulary_
        tokens = list(tokens)
        C = sparse.csr_matrix((k, len(vocab)))
        # TERM_COUNT_LETTERS letters at a time: a whole batch's (issue, word) entries as Python lists
        # were about 0.5 GB at 100,000 letters. The counts are whole numbers, so summing the parts
        # gives the same matrix, in the same (canonical) form.
        for start in range(0, len(labels_doc), TERM_COUNT_LETTERS):
            rows, cols = [], []
            for label, toks in zip(labels_doc[start:start + TERM_COUNT_LETTERS], tokens[start:start + TERM_COUNT_LETTERS]):
                if label >= 0:
                    idx = [vocab[t] for t in toks if t in vocab]
                    rows.extend([label] * len(idx)); cols.extend(idx)
            C = C + sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(k, len(vocab)))
        C.sum_duplicates()
        return C

    def keywords(self, C: sparse.csr_matrix, hidden: list[frozenset[str]] | None = None) -> list[list[str]]:
        """Class-based TF-IDF (BERTopic) over the issues' word counts C: words frequent in the issue
        and rare across issues, not generic, not of the handling register (`_HANDLING_WORDS`: a
        label says what the matter is, not that it awaits a reply) nor of pace and attitude
        (`_MANNER_WORDS`, `_POINTER`: 加快, 力度, 何年何月, 该栋), not a person named by surname alone
        (`_PSEUDONYM`: 李某) nor a run cut across two words (`_cut_across`: 城到, 建局), not the issue's place or chain
        or a piece of another spelling of the place (惠富 of 惠富天下, for 富惠天下), not in `hidden[c]`
        (a piece of a person's name its letters write, `name_fragments`; a word only garbled text
        holds, `unreadable_words`). Needs issue_places_ and issue_chains_."""
        k = C.shape[0]
        if not k:
            return []
        tf = normalize(C, norm="l1")
        idf = np.log1p(C.sum() / k / (np.asarray(C.sum(axis=0)).ravel() + 1e-9))
        W = tf.multiply(idf).tocsr()
        inv = np.array(self.vectorizer_.get_feature_names_out())
        # a city or province named bare (武汉, 大连, 湖北) where the letters also write it with its suffix
        vocabulary = set(inv.tolist())
        spellings: dict[str, list[str]] = {}  # a place -> its other spellings (惠富天下 of 富惠天下): no keyword either
        for variant, place in getattr(self, "place_variants_", {}).items():
            spellings.setdefault(place, []).append(variant)
        out = []
        for c in range(k):
            row = W.getrow(c)
            words, names = [], hidden[c] if hidden else frozenset()
            head = self.issue_places_[c][:1]
            spelt = [v for p in head for v in spellings.get(p, ())]
            ranked = inv[row.indices[np.argsort(-row.data)]]
            for t in ranked:
                if t.startswith("§") or len(t) < 2 or t in _GENERIC_WORDS or t in _HANDLING_WORDS or t in names \
                        or t in _MANNER_WORDS or (len(t) == 2 and _NO_MATTER.fullmatch(t)) or _ADDRESSED.fullmatch(t) \
                        or _POINTER.fullmatch(t) or _PSEUDONYM.fullmatch(t) \
                        or any(t in w or w in t for w in words) or _names_no_grievance(t, vocabulary) \
                        or _cut_across(t):
                    continue
                if any(t in p or p in t for p in head) or any(t in u for u in self.issue_chains_[c]) \
                        or any(t in v for v in spelt):
                    continue
                words.append(t)
                if len(words) == self.n_keywords:
                    break
            if not words and not self.issue_places_[c] and not self.issue_chains_[c]:
                # nothing but common words (calls that say only 某某先生来电): those, or say so, never an empty label
                words = [t for t in ranked
                         if not t.startswith("§") and len(t) >= 2 and t not in names][: self.n_keywords] or [NO_WORDS]
            out.append(words)
        return out

    def _by_size(self, doc_of: np.ndarray, labels_doc: np.ndarray) -> np.ndarray:
        """Issue numbers by size in letters (duplicates counted; ties by the number they had), -1
        kept; `_join_notes` (one per old number) follow their issues."""
        sizes = Counter(l for l in labels_doc[doc_of] if l >= 0)
        order = {old: new for new, (old, _) in enumerate(sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])))}
        notes = self.__dict__.pop("_join_notes", None)
        if notes is not None:
            self._join_notes = [""] * len(order)
            for old, new in order.items():
                self._join_notes[new] = notes[old] if old < len(notes) else ""
        return np.array([order.get(l, -1) for l in range(labels_doc.max() + 1)] + [-1])[labels_doc]

    def _issue_geometry(self, labels_doc, Xn, place_full, place_head, firsts: pd.DataFrame, placed: dict | None = None):
        """Each issue's members (distinct-text rows), and the state `transform` and `absorb` read:
        its centroid (the normalised mean of its letters' rows of `Xn`), places, district and chain
        (`describe_places`). `firsts`: the first letter of each distinct text; `placed`: places
        already described, by the members' bytes (read and filled). Returns (members, described)."""
        k = int(labels_doc.max()) + 1
        members = [np.flatnonzero(labels_doc == c) for c in range(k)]
        M = sparse.csr_matrix((np.ones(int((labels_doc >= 0).sum())), (labels_doc[labels_doc >= 0],
                               np.flatnonzero(labels_doc >= 0))), shape=(k, Xn.shape[0]))
        self.centroids_ = normalize(M @ Xn) if k else sparse.csr_matrix((0, Xn.shape[1]))
        titles, texts = firsts["title"].tolist(), firsts["text"].tolist()
        placed = {} if placed is None else placed
        described = []
        for ds in members:
            key = ds.tobytes()
            if key not in placed:
                placed[key] = self.describe_places([place_full[d] for d in ds], [place_head[d] for d in ds],
                                                   [titles[d] for d in ds], [texts[d] for d in ds])
            described.append(placed[key])
        self.issue_places_ = [p for p, _, _ in described]
        self.issue_districts_ = [d for _, d, _ in described]
        self.issue_chains_ = [c for _, _, c in described]
        return members, described

    def _finish(self, df, labels_doc, Xn, feats, place_full, place_head, placed: dict | None = None):
        """Issue numbers by size (I0001 = largest at fit time), centroids, places, keywords, the
        table. `Xn`: the letters' TF-IDF rows, normalised."""
        doc_of = df["_doc"].to_numpy()
        labels_doc = self._by_size(doc_of, labels_doc)
        self.labels_ = labels_doc[doc_of]
        k = int(labels_doc.max()) + 1
        self.issue_ids_ = [f"I{c + 1:04d}" for c in range(k)]
        self.next_issue_ = k + 1
        self.issue_join_notes_ = (self.__dict__.pop("_join_notes", None) or [""] * k)[:k]
        first = first_rows(df["_doc"])
        members, described = self._issue_geometry(labels_doc, Xn, place_full, place_head, df.iloc[first], placed)
        titles, texts = df["title"].iloc[first].tolist(), df["text"].iloc[first].tolist()
        names = known_names_pattern(person_names(df["name"].dropna().tolist() if "name" in df.columns else [],
                                                 titles, texts))
        tokens = feats["tokens"].tolist()
        hidden = [hidden_words(names, [titles[d] + "。" + texts[d] for d in ds], [tokens[d] for d in ds],
                               [place_full[d] for d in ds], places, [district, *chain])
                  for (places, district, chain), ds in zip(described, members)]
        del titles, texts, names, tokens
        give_back()  # the texts read again for the labels, as after the features
        self.__dict__.pop("_spot_scan_of", None)  # rebuilt on demand; a saved model does not carry it
        self.__dict__.pop("_bare_scan_of", None)
        self.keywords_ = self.keywords(self.term_counts(labels_doc, feats["tokens"], k), hidden)
        del hidden
        # representative: the distinct text closest to the centroid (most typical wording)
        self.rep_doc_ = {c: int(ds[most_typical(Xn[ds], self.centroids_[c])]) for c, ds in enumerate(members)}
        self.letters_ = df.drop(columns=["_doc", "_worded"], errors="ignore").assign(issue=self.labels_)
        # a letter that joined its issue by its wording alone (`absorb`), no pair of letters agreeing:
        # the analyst checks these first when an issue looks mixed
        self.letters_["issue_by_wording"] = df["_worded"].to_numpy() if "_worded" in df else False
        self.letters_["issue_id"] = [self.issue_ids_[l] if l >= 0 else None for l in self.labels_]
        self.place_constants_ = batch_constants(df)
        letters = IssueLetters(df, writer_column(self.letters_))
        rows = [self._issue_row(letters, pos, c) for c, pos in letters.groups(self.labels_)]
        self.issue_info_ = self.rank(pd.DataFrame(rows), self.letters_["received_at"].max())

    def issue_row(self, sub: pd.DataFrame, c: int, writer_col: str | None) -> dict:
        """Issue `c`'s row of the issue table from its letters (with their `_doc`), for an engine
        that hands over one issue's letters at a time (`pipeline.spark_cluster`)."""
        return self._issue_row(IssueLetters(sub, writer_col), np.arange(len(sub)), c)

    def _issue_row(self, letters: IssueLetters, pos: np.ndarray, c: int) -> dict:
        """One issue's row of the issue table, from its letters (positions `pos` in `letters`):
        label, places, counts, dates (the dates the letters write when there is no date column),
        votes, the representative letter, issue-type and urgency mix, deep-seated evidence."""
        places, district, chain = self.issue_places_[c], self.issue_districts_[c], self.issue_chains_[c]
        if letters.place_cells:  # the office's place columns: province, city …
            cells = {column: [values[p] for p in pos] for column, values in letters.place_cells.items()}
            chain = full_chain(chain, cell_units(cells, getattr(self, "place_constants_", frozenset())))
        shown = place_label(chain, places)
        if not shown:
            ruled = sum(RULE_WORDS.search(f"{letters.title[p]}。{letters.text[p]}") is not None for p in pos)
            shown = PLACELESS_RULE if ruled >= RULE_SHARE * len(pos) else ""
        first, last = letters.date_range(pos)
        rep = letters.representative(pos, self.rep_doc_[c])
        notes = getattr(self, "issue_join_notes_", ())  # a model loaded from a state file has none
        row = {
            "issue_id": self.issue_ids_[c],
            "label": (shown or PLACELESS) + " · " + " ".join(self.keywords_[c][: self.n_keywords]),
            "place": places[0] if places else "",
            "district": district,
            "place_chain": " ".join(chain),
            "places": "、".join(places),
            "keywords": " ".join(self.keywords_[c]),
            "n_letters": len(pos),
            "n_distinct_texts": len(set(letters.doc[pos].tolist())),
            "n_by_wording": int(letters.worded[pos].sum()),
            "n_writers": letters.n_writers(pos),
            "n_contacts": letters.n_contacts(pos),
            "title_concreteness": self.title_concreteness([letters.title[p] for p in pos], places[0] if places else ""),
            "first_date": first,
            "last_date": last,
            **letters.vote_sums(pos),
            "representative_id": letters.letter_id[rep],
            "representative_title": letters.title[rep],
            "representative_text": letters.text[rep][:300],
            # which rows the batch-level join made one, and why (`pipeline.issue_merge.join_notes`)
            "join_note": notes[c] if c < len(notes) else "",
        }
        # 主要类别: the office file's class where a letter has one, else the classifier's: Qingdao's
        # 243 calls about a police station are 公安政法类 in the file and were shown as the model's
        # 商贸旅游 beside the 公安局 routing (unclassified letters without the file's class: no column)
        has_kind, kind = letters.top_kind(pos)
        if has_kind:
            row["top_issue_type"] = kind
        mix = letters.urgency_mix(pos)
        if mix is not None:
            row["urgency_mix"] = mix
        row.update(letters.evidence(pos))
        return row

    def written_forms(self, place: str) -> set[str]:
        """The ways a letter writes `place`: every spelling this model calls its one name (the label
        form included) and, for a company, the name without its form (`华润燃气公司`: `华润燃气`);
        forms of three or more characters only."""
        name = self.name_canon(place)
        forms = {place, canonical(place), name} | self._spellings().get(name, set())
        forms |= {short for f in forms if (short := short_name(f))}
        # two characters are a word more often than a name (公开社区 without 社区 is 公开)
        return {f for f in forms if len(f) >= 3}

    def _spot_scan(self) -> WordScan:
        """`spot_names_` in one automaton, built once per model (and per Spark worker), dropped
        before the model is saved (`_finish`)."""
        kept = getattr(self, "_spot_scan_of", None)
        if kept is None or kept[0] is not self.spot_names_:
            self._spot_scan_of = kept = (self.spot_names_, WordScan([self.spot_names_]))
        return kept[1]

    def _spellings(self) -> dict[str, set[str]]:
        """Each name's spellings: the place and name variants inverted (a name variant wins where
        both spell one string). Kept while the variant tables are the same objects: the labels ask
        it once per issue and per candidate place, and a scan of the tables per ask grew with the
        batch squared (issues x variants)."""
        tables = (getattr(self, "place_variants_", {}), getattr(self, "name_variants_", {}))
        kept = getattr(self, "_spellings_of", None)
        if kept is None or kept[0] is not tables[0] or kept[1] is not tables[1]:
            spellings: dict[str, set[str]] = {}
            for spelling, label in {**tables[0], **tables[1]}.items():
                spellings.setdefault(label, set()).add(spelling)
            self._spellings_of = kept = (*tables, spellings)
        return kept[2]

    def title_concreteness(self, titles, place: str) -> float:
        """Share of the letters whose title names the issue's place (or a spelling of it): how
        concretely the letters themselves say where the problem is (0 without a place). A title
        that writes the name (`A市鹏基诺亚山林即将成为…` names 诺亚山林) names it, whether or not the
        extractor finds it there (an estate without 小区, a name cut with a verb in front:
        `…接管湖楚财富…` reads as the lake `政府接管湖`); otherwise a place the extractor finds
        in the title that is the issue's place or holds it (`诺亚山林小区`), or a 3+ character part
        of it, counts."""
        if not place or not len(titles):
            return 0.0
        target = self.name_canon(place)
        written = self.written_forms(place)
        hits = 0
        for title, count in Counter(titles).items():  # each distinct title read once (re-sent letters)
            plain = _bare(title)
            if any(s in plain for s in written):
                hits += count
                continue
            names = [self.name_canon(p) for p in extract_places(title)]
            hits += count * any(target in n or (n in target and len(n) >= 3) for n in names)
        return round(hits / len(titles), 3)

    # -------------------------------------------------------------- e. heat (one row per issue)
    def rank(self, info: pd.DataFrame, ref=None) -> pd.DataFrame:
        """Heat index and heat_rank (1 = hottest) with this model's heat weights. Equal heat and size
        are ranked by label, not by issue number: numbers of equal-size issues depend on the order
        an engine found their components in, the label does not. rank_best and rank_worst are the
        ranks it takes when any one heat weight moves by 20% (`pipeline.heat.rank_range`)."""
        if info.empty:  # no issue (a batch of one letter): the table still has its key columns
            return pd.DataFrame(columns=["heat_rank", "issue_id", "label", "n_letters", "deep_seated", "heat"])
        info = info.drop(columns=["heat_rank", "rank_best", "rank_worst"], errors="ignore")
        info["heat"] = heat_scores(info, ref_date=ref, weights=self.heat_weights)
        info["rank_best"], info["rank_worst"] = rank_range(info, ref, self.heat_weights)
        info = info.iloc[heat_order(info, info["heat"])].reset_index(drop=True)
        info.insert(0, "heat_rank", np.arange(1, len(info) + 1))
        return info

    def rerank(self, heat_weights: dict | None = None, ref_date=None) -> pd.DataFrame:
        """Re-score the fitted issues with other heat weights (no re-clustering); returns the table.

        `ref_date` defaults to the last letter of the fit, as in `fit`.
        """
        self._fitted()
        _check_heat_weights(heat_weights)
        self.heat_weights = heat_weights
        if ref_date is None and len(self.letters_) and self.letters_["received_at"].notna().any():
            ref_date = self.letters_["received_at"].max()
        if len(self.issue_info_):
            self.issue_info_ = self.rank(self.issue_info_, ref_date)
        return self.get_issue_info()

    # -------------------------------------------------------------- BERTopic-like accessors
    def _fitted(self):
        if not hasattr(self, "issue_info_"):
            raise PetitionError("the issue clusterer is not fitted yet: call fit(letters) first")

    def get_issue_info(self) -> pd.DataFrame:
        """One row per issue, hottest first (heat_rank 1)."""
        self._fitted()
        return self.issue_info_.copy()

    def get_issue_letters(self, issue_id: str | None = None, columns: list[str] | None = None) -> pd.DataFrame:
        """Letters with their issue_id (all clustered letters, or those of one issue); `columns`:
        only those the model has, in the same order (a run attaching issue ids needs three, and copying the
        texts of 10^5 letters to drop them cost ~200 MB at the cluster stage's end)."""
        self._fitted()
        order = ["issue_id", "received_at"]
        if columns is not None:  # a state saved before a column existed (issue_by_wording) lacks it
            columns = [c for c in columns if c in self.letters_.columns]
        kept = self.letters_ if columns is None else self.letters_[list(dict.fromkeys([*columns, "issue", *order]))]
        out = kept[kept["issue"] >= 0]
        if issue_id is not None:
            out = out[out["issue_id"] == issue_id]
        out = out.sort_values(order)
        return (out if columns is None else out[columns]).copy()

    def monthly_counts(self, top_n: int = 10) -> pd.DataFrame:
        """Letters per month (rows) for the `top_n` hottest issues (columns)."""
        self._fitted()
        top = self.issue_info_.head(top_n)["issue_id"].tolist()
        sub = self.letters_[self.letters_["issue_id"].isin(top)].dropna(subset=["received_at"])
        if sub.empty:
            return pd.DataFrame()
        month = sub["received_at"].dt.to_period("M")
        table = pd.crosstab(month, sub["issue_id"]).reindex(columns=top, fill_value=0)
        full = pd.period_range(table.index.min(), table.index.max(), freq="M")
        return table.reindex(full, fill_value=0)

    def visualize_monthly(self, top_n: int = 10, ax=None):
        """Matplotlib figure: letters per month for the hottest issues (deep-seated ones dashed)."""
        import matplotlib.pyplot as plt

        from pipeline.plots import use_chinese_font

        use_chinese_font()
        table = self.monthly_counts(top_n)
        if ax is None:
            fig, ax = plt.subplots(figsize=(11, 5.5))
        else:
            fig = ax.figure
        info = self.issue_info_.set_index("issue_id")
        x = [p.to_timestamp() for p in table.index]
        for issue_id in table.columns:
            row = info.loc[issue_id]
            style = "--" if row["deep_seated"] else "-"
            ax.plot(x, table[issue_id].to_numpy(), style, marker="o", ms=3,
                    label=f"#{row['heat_rank']} {issue_id} {row['label'][:28]}")
        ax.set_title(f"热点问题月度留言数 (前{len(table.columns)}) · 虚线 = 深层次问题")
        ax.set_ylabel("留言数 / 月")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.autofmt_xdate()
        fig.tight_layout()
        return fig

    # -------------------------------------------------------------- incremental
    def transform(self, letters: pd.DataFrame, tokens=None) -> np.ndarray:
        """Existing issue number (index into issue_ids_) for each new letter, -1 when none fits
        (`tokens` as in `fit_transform`)."""
        self._fitted()
        df = self._check(letters)
        if len(df) == 0 or self.centroids_.shape[0] == 0:
            return np.full(len(df), -1)
        titles, texts = df["title"].tolist(), df["text"].tolist()
        # cut at once (one worker pool), decided a part at a time
        tokens = list(tokens) if tokens is not None else self._tok().cut_all(
            cluster_docs(titles, texts, self.title_weight), n_jobs=self.n_jobs, progress=self.progress)
        return np.concatenate([
            self._assign(titles[start:start + TRANSFORM_ROWS], texts[start:start + TRANSFORM_ROWS],
                         tokens[start:start + TRANSFORM_ROWS])
            for start in range(0, len(df), TRANSFORM_ROWS)])

    def _assign(self, titles: list[str], texts: list[str], tokens) -> np.ndarray:
        """`transform` for one part of the letters: each letter is decided alone."""
        feats = self.letter_features(titles, texts, tokens=tokens, grievance=False)
        X = normalize(tfidf_rows(self.vectorizer_, list(feats["tokens"])))
        return self.fitting_issues(X, feats["places"].tolist(), feats["title_places"].tolist(), feats["districts"].tolist())

    def fitting_issues(self, Xn: sparse.csr_matrix, places, title_places, districts) -> np.ndarray:
        """`fitting_issue` for each row of `Xn` (normalised TF-IDF rows) with its places, title
        places and districts; the cosines to the centroids are made `TRANSFORM_ROWS` rows at a time
        (dense: 70,000 left-out texts against 5,000 issues would be 2.8 GB at once)."""
        out = np.full(Xn.shape[0], -1)
        for start in range(0, Xn.shape[0], TRANSFORM_ROWS):
            S = (Xn[start:start + TRANSFORM_ROWS] @ self.centroids_.T).toarray()
            # most letters come near no issue: only rows reaching `assign_sim` somewhere are read
            for r in np.flatnonzero(S.max(axis=1) >= self.assign_sim):
                k = start + r
                out[k] = self.fitting_issue(S[r], places[k], title_places[k], districts[k])
        return out

    def fitting_issue(self, sims: np.ndarray, places, title_places, districts) -> int:
        """The issue (number) one letter fits, -1 for none, from its cosines to the issue centroids
        (`sims`) and its places: the first of its five nearest issues of no other district (属地)
        whose places do not conflict with the letter's headline place, with a cosine of `assign_sim`.

        A shared place alone does not assign: an issue is a place and a grievance. Until stop 58 a
        letter naming the issue's place joined at a cosine of `same_place_sim` + 0.1 (0.22); fitted
        on the earlier 70% of each of the twenty keyed synthetic files and given the rest, that rule
        put 75 letters the place-free rule had not, 16 of them in their own issue, 38 of no issue
        and 21 in another grievance at the same estate (the place-free rule: 655, 56 and 20)."""
        heads = frozenset(self._canon(p) for p in (title_places or places[:1]))
        full = frozenset(self._canon(p) for p in places)
        top = np.argpartition(-sims, 4)[:5] if len(sims) > 5 else np.arange(len(sims))
        for c in top[np.argsort(-sims[top], kind="stable")]:
            if sims[c] < self.assign_sim:
                break  # the rest are further still
            if districts_conflict(districts, frozenset([self.issue_districts_[c]]) - {""}):
                continue  # another district's issue (属地): never assigned by wording alone
            ip = frozenset(self.issue_places_[c])
            if not (heads and ip and not places_match(full, ip)):
                return int(c)
        return -1

    def absorb(self, labels_doc: np.ndarray, Xn: sparse.csr_matrix, feats: pd.DataFrame, districts) -> np.ndarray:
        """Each distinct text left out of every issue joins the issue its wording fits
        (`fitting_issue`), as a letter of the next batch would: the issue number of every distinct
        text. Reads the issues' centroids, places and districts (`_issue_geometry`).

        Linking asks a pair of letters to agree; a letter that names no place (附近河涌, 家旁边的市场)
        or a spelling no other letter uses (砂溪涌, 东市场) agrees with no single letter enough, yet
        its words sit close to the whole issue's. On the twenty keyed synthetic files of
        `benchmarks/hotspots.py` this joins 239 letters: 186 to their own issue, 49 that belong to
        none, 4 to another. A shared place alone would add mostly letters of none (94 of 109 under
        a cosine of 0.35: another grievance at the same estate)."""
        left = np.flatnonzero(labels_doc < 0)
        if not len(left) or self.centroids_.shape[0] == 0:
            return labels_doc
        places, title_places = feats["places"].tolist(), feats["title_places"].tolist()
        joined = labels_doc.copy()
        joined[left] = self.fitting_issues(Xn[left], [places[d] for d in left], [title_places[d] for d in left],
                                           [districts[d] for d in left])
        return joined

    def transform_ids(self, letters: pd.DataFrame, tokens=None) -> list[str | None]:
        """Like `transform`, but the persistent issue ids (None when unassigned)."""
        return [self.issue_ids_[c] if c >= 0 else None for c in self.transform(letters, tokens)]

    def update(self, letters: pd.DataFrame) -> list[str | None]:
        """Assign a new batch: existing issues keep their ids; what is left may open new issues.

        The vectorizer stays as fitted (ids and centroids remain comparable); new issues get ids
        after the highest id used so far. Returns the issue id of each letter of the batch.
        """
        self._fitted()
        assigned = self.transform(letters)
        ids: list[str | None] = [self.issue_ids_[c] if c >= 0 else None for c in assigned]
        rest = self._check(letters)[assigned < 0]
        if len(rest) >= self.min_letters:
            fresh = IssueClusterer(**self.get_params())
            fresh.tokenizer = self.tokenizer
            fresh.fit(rest)
            for k, new_id in enumerate(fresh.issue_ids_):
                ids_new = f"I{self.next_issue_:04d}"
                self.next_issue_ += 1
                self.issue_ids_.append(ids_new)
                vec = normalize(self.vectorizer_.transform(fresh._tok().cut_all(
                    [((t + "。") * self.title_weight) + x for t, x in zip(
                        fresh.letters_.loc[fresh.labels_ == k, "title"], fresh.letters_.loc[fresh.labels_ == k, "text"])], n_jobs=1)))
                self.centroids_ = sparse.vstack([self.centroids_, normalize(sparse.csr_matrix(vec.mean(axis=0)))]).tocsr()
                self.issue_places_.append(fresh.issue_places_[k])
                self.issue_districts_.append(fresh.issue_districts_[k])
                self.issue_chains_.append(fresh.issue_chains_[k])
                self.keywords_.append(fresh.keywords_[k])
                for pos, lab in zip(np.flatnonzero(assigned < 0), fresh.labels_):
                    if lab == k:
                        ids[pos] = ids_new
        return ids

    def relabel_from(self, old_ids: list[str | None], previous: "IssueClusterer") -> dict[str, str]:
        """Give this fit's issues the ids of a previous fit where they continue an old issue.

        `old_ids` is `previous.transform_ids(letters)` for the letters this model was fitted on.
        An issue whose letters mostly (> 50%) fall in one old issue takes that id (the largest
        such issue wins a tie); every other issue gets a fresh id after the previous highest, so
        ids are never reused for a different problem. Returns {temporary id: final id}.
        """
        self._fitted()
        old = pd.Series(old_ids, index=self.letters_.index)
        votes = [old[self.labels_ == k].dropna().value_counts() for k in range(len(self.issue_ids_))]
        mapping = self.inherited_ids(votes, np.bincount(self.labels_[self.labels_ >= 0], minlength=len(self.issue_ids_)),
                                     previous.next_issue_)
        renamed = {self.issue_ids_[k]: new for k, new in mapping.items()}
        self.issue_ids_ = [mapping[k] for k in range(len(self.issue_ids_))]
        self.letters_["issue_id"] = self.letters_["issue_id"].map(renamed)
        self.issue_info_["issue_id"] = self.issue_info_["issue_id"].map(renamed)
        return renamed

    def inherited_ids(self, votes: list[pd.Series], sizes, previous_next: int) -> dict[int, str]:
        """{issue number: final id} from each issue's votes (old id -> letters, most first) and
        letter counts; sets next_issue_. The rule of `relabel_from`, for engines that count votes."""
        claims = []
        for k, v in enumerate(votes):
            if len(v) and v.iloc[0] > 0.5 * sizes[k]:
                claims.append((v.iloc[0], k, v.index[0]))
        mapping: dict[int, str] = {}
        taken = set()
        for count, k, top in sorted(claims, reverse=True):
            if top not in taken:
                mapping[k] = top
                taken.add(top)
        next_issue = max(previous_next, 1)
        for k in range(len(self.issue_ids_)):
            if k not in mapping:
                mapping[k] = f"I{next_issue:04d}"
                next_issue += 1
        self.next_issue_ = next_issue
        return mapping

    def get_params(self, deep: bool = False) -> dict:
        return {k: getattr(self, k) for k in (
            "min_letters", "near_dup_sim", "same_place_sim", "weak_place_sim", "no_place_sim", "split_distance",
            "max_place_share", "assign_sim", "title_weight", "n_keywords", "n_jobs", "heat_weights", "variant_sim",
            "rejoin_sim")}

    def save(self, path: str | Path) -> Path:
        """Write the fitted state (vocabulary, idf, centroids, ids, places) atomically."""
        self._fitted()
        path = Path(path)
        state = {
            "version": STATE_VERSION,
            "params": self.get_params(),
            "vocabulary": self.vectorizer_.vocabulary_,
            "idf": self.vectorizer_.idf_,
            "centroids": self.centroids_,
            "issue_ids": self.issue_ids_,
            "next_issue": self.next_issue_,
            "issue_places": self.issue_places_,
            "issue_districts": self.issue_districts_,
            "issue_chains": self.issue_chains_,
            "place_variants": self.place_variants_,
            "name_variants": getattr(self, "name_variants_", {}),
            "keywords": self.keywords_,
            "issue_info": self.issue_info_,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "IssueClusterer":
        """Read a state written by `save` (only load files this tool wrote: it is a pickle)."""
        try:
            with open(path, "rb") as handle:
                state = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError) as error:
            raise PetitionError(f"cannot read issue state {path}: {error}") from error
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            raise PetitionError(f"{path} is not an issue state file of this version")
        model = cls(**state["params"])
        model.vectorizer_ = _vectorizer(state["vocabulary"], state["idf"])
        model.centroids_ = state["centroids"]
        model.issue_ids_ = list(state["issue_ids"])
        model.next_issue_ = state["next_issue"]
        model.issue_places_ = state["issue_places"]
        model.issue_districts_ = state.get("issue_districts", [""] * len(model.issue_places_))
        model.place_variants_ = state.get("place_variants", {})
        model.name_variants_ = state.get("name_variants", {})
        model.issue_chains_ = state.get("issue_chains", [[d] if d else [] for d in model.issue_districts_])
        model.keywords_ = state["keywords"]
        model.issue_info_ = state["issue_info"]
        model.letters_ = pd.DataFrame(columns=["letter_id", "title", "text", "received_at", "issue", "issue_id"])
        return model

