"""One problem found as several issues: the batch-level join of issues that name the same thing.

Issues are made inside connected components of linked letters (`IssueClusterer.component_issues`,
which already rejoins the parts of one component). A problem written about in several ways can
leave no letter link between its groups at all: on the bundled corpus the wage arrears of one
building project came out as six issues (the project named in some, the contractor's short name
in others, bare without a suffix in others: 我在滨江一品做过小工), and a mixing plant's dust and its
night noise beside one estate as two, so the same problem stood at #3, #8, #11 … of a leader's list.

Two issues are one when a name is shared by both (a third of each one's letters, half of one's:
the rule `rejoin_parts` applies inside a component) and their grievances agree. How much agreement
depends on what the name is:
- a factory, works, project or specific company (`OBJECT`): the thing complained about, so its
  dust and its noise, its unpaid wages and the request for an IOU, are one problem
  (0.5 x `rejoin_sim`);
- an estate, village, school, park or other spot (`SPOT`): where the problem is, and one estate
  has many problems (heating, parking fees), so as much as inside a component (`rejoin_sim`);
- a utility that serves a whole city (`UTILITY`): 1.5 x `rejoin_sim`;
- waters, roads, towns and districts: never (a river's spots are its issues; a road or town is
  shared by unrelated problems).
Letters count a name whether the extractor found it or the letter writes it bare, where some
issue's letters give it by the extractor (`IssueClusterer.part_anchors`): the batch's specific names
(`spot_names`) and companies by their shortest written form (`company_key`).

Without a shared name, two issues of one district (`issue_district`: the office's own column, else
the district a title names, for half of the letters) are one when their grievances agree strongly
(`NEED[DISTRICT]` = 2.25 x `rejoin_sim`): a stalled estate written as its marketing name, its
registered name, its developer's project and its street number (city_synthetic: four issues of
15, 13, 6 and 3 letters) shares no string, only its district and what the letters ask. Issues a
water places (a third of their letters name one) never join this way: on two river corpora the
same district held black water at several spots of one river, which are issues of their own. Nor
do two issues whose main names differ only in a number or direction (一期/二期, 东/西), nor, when
the office's file holds several cities, issues filed under different cities (a 阳光花园 in each is
two estates), unless the name they share is a company's (a chain's collapse in every city).
A rule or tariff a whole city's letters object to (a new metered heating charge, a wage-deposit
rule) is written from each writer's own estate or firm, so its letters come out as an issue per
estate with no name or district in common. Two issues each of whose letters mostly name a rule
(`RULE_WORDS`: 新规, 细则, 阶梯, 计量收费, 这项规定…; `RULE_SHARE` of them) are one when their grievances agree
as strongly as a district's (`NEED[RULE]`), wherever they are, unless filed under different cities.
And an issue about a rule never joins an issue that is not on the district rule alone: a tariff
and a pressure failure of one gas company in one district are two problems.
Both engines call `issue_evidence` per issue and `join_issues` on the evidence of all issues
(bounded by the issues, not the letters). `join_notes` says, per joined row, how many rows it was
made of and why (the 热点问题 sheet's 合并依据): an analyst who doubts a join can check it.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize

from pipeline.issue_places import UNIT_MIN_SHARE, canonical, main_group, majority_city, numbered_apart, pos_tags, reads_as_name
from pipeline.places import GENERIC_STEMS, company_key, is_weak, kind_of, stem
from pipeline.prefilter import WordScan

OBJECT, SPOT, UTILITY, DISTRICT, RULE = "object", "spot", "utility", "district", "rule"
# grievance agreement each kind of shared name asks, in units of rejoin_sim; DISTRICT: no shared name,
# the same district only; RULE: no shared name or district, both about a rule
NEED = {OBJECT: 0.5, SPOT: 1.0, UTILITY: 1.5, DISTRICT: 2.25, RULE: 2.25}
# what a letter objecting to a rule or tariff writes: a new or named rule, not 按规定 or 按政策 (a
# cold home's letter cites the rule on room heat) nor 标准 alone (不达标 is a complaint of heat)
RULE_WORDS = re.compile(r"新规|细则|实施办法|收费标准|收费办法|计量收费|阶梯|出台|一刀切|新政|新办法|新标准|新的收费|"
                        r"新的?规定|新的?政策|(这|该|此)(项|个|条)?(规定|政策)|规定要求|政策规定")
RULE_SHARE = 0.5  # share of an issue's letters that name a rule for the issue to be about one
# share of one issue's letters that must name the shared name (a third of the other's must too)
NAMED_SHARE = 0.5
_PART = re.compile(r"[0-9一二三四五六七八九十东西南北]")  # what names a phase, block or side after an estate's name
_SPOT_KINDS = ("estate", "village", "community", "school", "hospital", "mall", "market", "park", "bridge")
_UTILITY_WORDS = ("燃气", "天然气", "热力", "供热", "供暖", "供水", "自来水", "水务", "电力", "供电", "电网",
                  "物业", "银行", "移动", "电信", "联通", "保险", "公交", "地铁")


class IssueEvidence(NamedTuple):
    """What `join_issues` needs of one issue: its grievance rows summed, its distinct letters, per
    shared-able name (`name_kind`) the letters naming it, its district (`issue_district`), the
    share of its letters that name a water, the office city half its letters were filed under
    (`pipeline.issue_places.majority_city`; '' when the file has no city column or one city), and the
    share of its letters that name a rule."""
    grievance: sparse.csr_matrix
    n_letters: int
    names: Counter
    district: str = ""
    water_share: float = 0.0
    city: str = ""
    rule_share: float = 0.0  # share of its letters that name a rule (`RULE_WORDS`)
    group: str = ""  # the village group its letters' titles name (`pipeline.issue_places.main_group`)

    @property
    def about_rule(self) -> bool:
        return self.rule_share >= RULE_SHARE


def name_kind(name: str, kinds: dict[str, str]) -> str | None:
    """OBJECT, SPOT, UTILITY or None (no evidence) for a name as `evidence_names` gives it; `kinds`:
    the batch's kind of each canonical name from its written forms (`batch_name_kinds`: 滨江一品 is
    the 项目 of 滨江一品项目, an object)."""
    if len(name) < 3 or stem(name) in GENERIC_STEMS or name in GENERIC_STEMS or name.endswith("政府"):
        return None  # 人民政府 ends as an estate (华府) does
    kind = kinds.get(name) or kind_of(name)
    if kind == "company" and (kinds.get(name) != "company" or _common_words(name)):
        return None  # a company is evidence by its `company_key` only, and one that is a name
    if kind in ("factory", "company"):
        return UTILITY if any(w in name for w in _UTILITY_WORDS) else OBJECT
    if kind in _SPOT_KINDS and not is_weak(name):
        return SPOT
    return None


@lru_cache(maxsize=65536)
def _common_words(name: str) -> bool:
    """Whether a company key is common words only (小区绿化 of 小区绿化置业, 经济技术 of
    经济技术开发集团: a suffix rule's catch, or a company named by what it does), not a name
    (湘远建设, 宏盛纺织, 恒暖热力)."""
    return all(w.flag in ("n", "vn", "v") and len(w.word) >= 2 for w in pos_tags(name))


def batch_name_kinds(raw_counts: Counter) -> dict[str, str]:
    """Name -> the kind most of its written forms have, from the batch's places as written (each
    form -> the letters writing it): the canonical form drops 小区/社区/项目, and with them what the
    name is; a company is known by its `company_key` (湘远建设 of 湘远建设工程有限公司)."""
    votes: dict[str, Counter] = {}
    for raw, count in raw_counts.items():
        k = kind_of(raw)
        if k == "company":
            if key := company_key(raw):
                votes.setdefault(key, Counter())[k] += count
        elif k:
            votes.setdefault(canonical(raw), Counter())[k] += count
    return {c: min(v, key=lambda k: (-v[k], k)) for c, v in votes.items()}


def company_names(freq: dict[str, float]) -> tuple[str, ...]:
    """The batch's companies by their shortest written form (`company_key`), for a company two or
    more letters name: 湘远建设 of 湘远建设工程有限公司, which letters write as 湘远建设的项目部."""
    keys = Counter()
    for place, w in freq.items():
        if kind_of(place) == "company" and (key := company_key(place)):
            keys[key] += w
    return tuple(sorted(k for k, w in keys.items() if w >= 2))


def evidence_names(places, doc: str, canon, scan: WordScan | None, bare: tuple[str, ...]) -> set[str]:
    """The names one letter gives as evidence: its places (`canon`: the clusterer's compared form,
    a company by its `company_key`) and the batch's `bare` names it writes without a suffix; an
    estate's name is not counted beside its own phase or block (辉煌国际城 beside 辉煌国际城二期)."""
    names = {company_key(p) if kind_of(p) == "company" else canon(p) for p in places} - {""}
    found = scan.found(doc) if scan is not None else None
    if found is None:
        found = {n for n in bare if n in doc}
    names |= {n for n in found if reads_as_name(n)}
    # 辉煌国际城 before 辉煌国际城二期 is that phase, not a third place both phases share
    return {n for n in names if not any(m != n and m.startswith(n) and _PART.match(m, len(n)) for m in names)}


def issue_district(districts: list[str]) -> str:
    """The district at least half of an issue's letters give (each letter's: the office's column,
    else the one district its title names; '' for none), else ''."""
    counts = Counter(d for d in districts if d)
    if not counts:
        return ""
    district, count = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return district if count >= 0.5 * len(districts) else ""


def issue_evidence(G: sparse.csr_matrix, names: list[set[str]], kinds: dict[str, str],
                   districts: list[str] | None = None, waters: list[bool] | None = None,
                   memo: dict[str, str | None] | None = None, cities: list[str] | None = None,
                   rules: list[bool] | None = None, groups: list[str] | None = None) -> IssueEvidence:
    """One issue's evidence from its distinct letters' grievance rows, `evidence_names`, districts,
    whether each names a water, office cities, whether each names a rule, and village groups.
    `memo`: `name_kind` per name, kept across a batch's issues."""
    memo = {} if memo is None else memo
    counts = Counter()
    for ns in names:
        for n in ns:
            if n not in memo:
                memo[n] = name_kind(n, kinds)
            if memo[n]:
                counts[n] += 1
    return IssueEvidence(sparse.csr_matrix(np.ones((1, G.shape[0]))) @ G, len(names), counts,  # sparse: V is wide
                         issue_district(districts or []), sum(waters) / len(names) if waters and names else 0.0,
                         majority_city(cities or []), sum(rules) / len(names) if rules and names else 0.0,
                         main_group(groups or []))


def join_issues(evidence: list[IssueEvidence], rejoin_sim: float | None, kinds: dict[str, str],
                why: dict[tuple[int, int], str] | None = None) -> list[list[int]]:
    """Groups of issue numbers that are one problem (see the module docstring), each sorted, in the
    order of their first issue; issues joined through a third are one. `why`, when given, receives
    the reason of each pair joined ((a, b) -> 同名「…」 or 同属… , for `join_notes`)."""
    k = len(evidence)
    if rejoin_sim is None or k < 2:
        return [[c] for c in range(k)]
    holders: dict[str, list[int]] = {}
    for c, e in enumerate(evidence):
        for name, count in e.names.items():
            if count >= UNIT_MIN_SHARE * e.n_letters:
                holders.setdefault(name, []).append(c)
    shared = {name: cs for name, cs in sorted(holders.items()) if len(cs) >= 2}
    # issues of one district that a water does not place (a river's spots are its issues)
    placed: dict[str, list[int]] = {}
    for c, e in enumerate(evidence):
        if e.district and e.water_share < UNIT_MIN_SHARE:
            placed.setdefault(e.district, []).append(c)
    parent = list(range(k))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(a: int, b: int, reason: str) -> None:
        if why is not None:
            why.setdefault((min(a, b), max(a, b)), reason)
        a, b = root(a), root(b)
        parent[max(a, b)] = min(a, b)

    rows = normalize(sparse.vstack([e.grievance for e in evidence]).tocsr())

    def agreeing(cs: list[int], need: float):
        """Pairs (x, y), x < y, of positions in `cs` whose issues' grievances agree at `need`."""
        sims = (rows[cs] @ rows[cs].T).toarray()
        return zip(*np.nonzero(np.triu(sims >= need, 1)))

    def apart(a: int, b: int) -> bool:
        """Filed under different cities (a 阳光花园 in each is two estates), or of two groups of a
        village (下湾村三组 and 四组)."""
        ea, eb = evidence[a], evidence[b]
        return bool(ea.city and eb.city and ea.city != eb.city or ea.group and eb.group and ea.group != eb.group)

    for name, cs in shared.items():
        share = [evidence[c].names[name] / evidence[c].n_letters for c in cs]
        chain = kinds.get(name) == "company"  # one company's stores in many cities may be one problem
        for x, y in agreeing(cs, NEED[name_kind(name, kinds)] * rejoin_sim):
            if max(share[x], share[y]) >= NAMED_SHARE and (chain or not apart(cs[x], cs[y])):
                join(cs[x], cs[y], f"同名「{name}」且诉求相近")
    for district, cs in sorted(placed.items()):
        if len(cs) < 2:
            continue
        main = [frozenset(n for n, v in evidence[c].names.items() if v >= NAMED_SHARE * evidence[c].n_letters) for c in cs]
        for x, y in agreeing(cs, NEED[DISTRICT] * rejoin_sim):
            # 辉煌国际城一期 / 二期: two real places, whatever their lifts have in common
            if not numbered_apart(main[x], main[y]) and not apart(cs[x], cs[y]) \
                    and evidence[cs[x]].about_rule == evidence[cs[y]].about_rule:
                join(cs[x], cs[y], f"同属{district}且诉求很相近")
    ruled = [c for c, e in enumerate(evidence) if e.about_rule and e.water_share < UNIT_MIN_SHARE]
    if len(ruled) >= 2:
        for x, y in agreeing(ruled, NEED[RULE] * rejoin_sim):
            if not apart(ruled[x], ruled[y]):
                join(ruled[x], ruled[y], "都针对同一规定且诉求很相近")
    groups: dict[int, list[int]] = {}
    for c in range(k):
        groups.setdefault(root(c), []).append(c)
    return [groups[r] for r in sorted(groups)]


def join_notes(groups: list[list[int]], why: dict[tuple[int, int], str],
               parts: list[tuple[str, int]] | None = None) -> list[str]:
    """What an analyst reads in 合并依据: for each group of joined issues, how many rows it was, the
    rows by name with their letters (with `parts`, each issue's `part_name` and letters: 「滨江一品
    23封2行、湘远建设 15封4行」, so they can be found again in letters.csv by those names), and why they
    are one (the distinct reasons of its joined pairs); '' for an issue joined to none."""
    notes = []
    pairs = sorted(why.items())  # once, not per group: a batch of 10^5 letters has thousands of issues
    for group in groups:
        if len(group) < 2:
            notes.append("")
            continue
        members = set(group)
        reasons = dict.fromkeys(r for (a, b), r in pairs if a in members and b in members)
        named = ""
        if parts is not None:
            rows, letters = Counter(), Counter()
            for k in group:
                rows[parts[k][0]] += 1
                letters[parts[k][0]] += parts[k][1]
            shown = sorted(letters, key=lambda n: (-letters[n], n))
            named = "（" + "、".join(f"{n} {letters[n]}封" + (f"{rows[n]}行" if rows[n] > 1 else "")
                                    for n in shown[:PARTS_SHOWN]) + ("等" if len(shown) > PARTS_SHOWN else "") + "）"
        notes.append(f"由{len(group)}行合并{named}：" + "；".join(reasons))
    return notes


PARTS_SHOWN = 5  # a row joined under more names shows the five with most letters, then 等


def part_name(part: IssueEvidence) -> str:
    """The name a joined row goes by: its most-named place (ties: the first in character order, as
    either engine counts them), else its district."""
    return min(part.names, key=lambda n: (-part.names[n], n), default="") or part.district or "无地名"
