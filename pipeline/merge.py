"""The merge with vetoes: scored pairs of letters become persons, unless the evidence conflicts.

Pairs become persons by greedy clustering over their match probabilities, strongest first
(`VetoMerger`), refusing a merge when the two groups carry clearly different names or ID
numbers, or live in different counties with no phone, ID number or account in common (nor is a
link between two letters from different counties used unless they share one). That is what
keeps a family sharing one phone and one address apart, and namesakes (王秀英) in different
places apart even when they write about the same kind of matter: no one is merged on a shared
phone alone, nor on a name alone. A letter carrying only a name or only a (family) phone joins
the person whose complaint it repeats in other words; without such wording it joins no one
unless it is unambiguous.

Besides Splink's pairs, names as hotline records write them give pairs of their own (one store
is one office's records): a rare full name (`rare_names`: counted among persons, so a caller's
2,000 calls do not make 李培栋 common; a given name carried by several surnames, one of the
commonest given names, or a name seen with two ID numbers or in two counties is not rare)
joins its letters by itself (`rare_name_pairs`); a partial name (王先生, from
`pipeline.identity.partial_name`) joins only letters that near-copy the same complaint
(`written_name_pairs`) or re-tell it (`same_matter_pairs`) and carry the same surname and
title's sex. Letters with no name, number or account are never joined to each other by their
wording: a campaign of anonymous copies stays many people. Such a letter only joins, through
weak links (`pipeline.matter`), the one person two or more of whose letters it near-copies.

Pairs are a DataFrame with Splink's columns `letter_key_l`, `letter_key_r`,
`match_probability` (and optionally `reason`). A merge touches only the letters of a pair's
connected component (with every stored letter of the persons it touches), so an engine may run
`VetoMerger` per component.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.persons import _ts, person_id_for

# The most frequent given names in China (the public "most common names" rankings): with any
# common surname they name thousands of people, so the name alone is never one person.
COMMON_GIVEN = frozenset(
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 英 华 玲 红 斌 辉 鹏 飞 波 宇 浩 "
    "秀英 秀兰 秀珍 桂英 桂兰 玉兰 凤英 秀云 建华 建国 建军 国华 国强 志强 志刚 海燕 丽娟 红梅 "
    "晓红 小红 小明 文华 玉梅 玉珍 淑珍 淑华 秀芳 丽华 明华 建平 建明 海涛 志明 永红 春梅 桂芳 "
    "金凤 素英 卫东 卫国 红霞 子涵 浩然 欣怡 梓涵 一诺 雨涵 建伟 建新 文明 俊杰".split())
RARE_NAME_PROB = 0.9      # a rare full name, alone, within one store (one office's records)
WRITTEN_NAME_PROB = 0.85  # a partial name (王先生) and a near copy of the complaint
# A partial name and the same complaint re-told (share of agreeing MinHash positions, the text
# comparison's "near copy" level), compared against the most recent letters of that surname.
SAME_MATTER_SHARE, SAME_MATTER_RECENT = 0.5, 2000


def _given(name: str) -> str:
    return name[2:] if _is_compound(name) else name[1:]


def _is_compound(name: str) -> bool:
    from pipeline.identity import COMPOUND_SURNAMES

    return name.startswith(COMPOUND_SURNAMES)


def rare_names(frame: pd.DataFrame, known_names=()) -> set[str]:
    """The name pinyins (of full names of 3+ characters) that point at one person in `frame`.

    Rarity is counted among persons, not letters: a caller who wrote 2,000 times under 李培栋
    makes that name no commoner. A name is rare when its given name is not one of the
    commonest (COMMON_GIVEN), no two different surnames carry the same given name among the
    distinct names seen in `frame` and `known_names` (王秀英, 李秀英, 张秀英 say 秀英 is common),
    and its letters carry no two
    different ID numbers nor two different counties (namesakes in two places).
    """
    cols = frame[["name_clean", "name_pinyin", "id_clean", "addr_county"]]
    cols = cols[cols["name_clean"].notna() & (cols["name_clean"].str.len() >= 3)]
    if cols.empty:
        return set()
    distinct = pd.Series(pd.unique(pd.concat([cols["name_clean"],
                                              pd.Series(list(known_names), dtype=object)])))
    distinct = distinct[distinct.notna() & (distinct.str.len() >= 3)]
    given = distinct.map(_given)
    surnames_per_given = pd.Series(distinct.str[0].to_numpy(), index=given).groupby(
        level=0).nunique()
    common_given = set(surnames_per_given[surnames_per_given >= 2].index) | COMMON_GIVEN
    cols = cols.assign(_common=cols["name_clean"].map(lambda n: _given(n) in common_given))
    grouped = cols.groupby("name_pinyin", sort=False)
    ok = ~grouped["_common"].any() & (grouped["addr_county"].nunique() <= 1)
    several_ids = grouped["id_clean"].nunique() > 1
    for pinyin in ok[ok & several_ids].index:  # rare: only a typo apart may be one person
        ids = list(cols.loc[cols["name_pinyin"] == pinyin, "id_clean"].dropna().unique())
        ok[pinyin] = all(_ids_compatible(ids[0], i) for i in ids[1:])
    return set(ok[ok].index)


def rare_name_pairs(new: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Pairs joining the letters of each rare full name (see `rare_names`): each new letter to the
    previous letter of that name, new or stored."""
    wanted = ["letter_key", "name_clean", "name_pinyin", "id_clean", "addr_county", "received_at"]
    columns = ["letter_key_l", "letter_key_r", "match_probability"]
    touched = set(new["name_pinyin"].dropna())
    hist = history[history["name_pinyin"].isin(touched)][wanted] if len(history) else None
    both = pd.concat([new[wanted].assign(_new=True)]
                     + ([hist.assign(_new=False)] if hist is not None else []), ignore_index=True)
    stored = history["name_clean"].dropna().unique() if len(history) else ()
    rare = rare_names(both, stored)
    if not rare:
        return pd.DataFrame(columns=columns)
    both = both[both["name_pinyin"].isin(rare)].copy()
    both["_t"] = pd.to_datetime(both["received_at"], errors="coerce")
    both = both.sort_values(["name_pinyin", "_new", "_t", "letter_key"], kind="stable",
                            na_position="last")
    previous = both.groupby("name_pinyin")["letter_key"].shift(1)
    keep = both["_new"].to_numpy() & previous.notna().to_numpy()
    return pd.DataFrame({"letter_key_l": both["letter_key"][keep].to_numpy(),
                         "letter_key_r": previous[keep].to_numpy(),
                         "match_probability": RARE_NAME_PROB}, columns=columns)


def _sexes_agree(a: str, b: str) -> bool:
    """王先生 and 王女士 are two people; 王先生 and 王 (a name written without a title) may be one."""
    tail_a, tail_b = a[len(_surname_of(a)):], b[len(_surname_of(b)):]
    return not tail_a or not tail_b or tail_a == tail_b


def _surname_of(partial: str) -> str:
    return partial[:2] if _is_compound(partial) else partial[:1]


def same_matter_pairs(new: pd.DataFrame, history: pd.DataFrame, new_sig: np.ndarray,
                       hist_sig: np.ndarray | None) -> pd.DataFrame:
    """Letters carrying only a partial name (王先生) and the letters of the same surname (and
    agreeing title) whose wording agrees on at least SAME_MATTER_SHARE of the MinHash positions:
    the same caller re-telling the same matter, in other words than a near copy. Each new letter
    is compared with the SAME_MATTER_RECENT most recent letters of its surname, so the cost
    stays linear in the new letters whatever the store's size."""
    columns = ["letter_key_l", "letter_key_r", "match_probability"]
    empty = np.iinfo(np.uint32).max
    wanted = ["letter_key", "name_clean", "name_partial", "received_at"]
    frames = [new[wanted].assign(_new=True, _row=np.arange(len(new)))]
    if hist_sig is not None and len(history) and len(hist_sig) == len(history):
        # only the stored letters whose partial name begins as a new letter's does can share its
        # surname: the rest of a big store is never compared, so it is not copied either
        initials = set(new["name_partial"].dropna().str[0])
        rows = np.flatnonzero(history["name_partial"].str[0].isin(initials).to_numpy())
        frames.append(history[wanted].iloc[rows].assign(_new=False, _row=rows))
    both = pd.concat(frames, ignore_index=True)
    both = both[both["name_partial"].notna()]
    if not (both["_new"] & both["name_clean"].isna()).any() and not (
            ~both["_new"] & both["name_clean"].isna()).any():
        return pd.DataFrame(columns=columns)  # no partial-only letter anywhere
    both = both.assign(_surname=both["name_partial"].map(_surname_of))
    both["_only"] = both["name_clean"].isna()
    rows: list = []

    def compare(left: pd.DataFrame, right: pd.DataFrame) -> None:
        if left.empty or right.empty:
            return
        right = right.assign(_t=pd.to_datetime(right["received_at"], errors="coerce")) \
            .sort_values("_t", ascending=False, na_position="last").head(SAME_MATTER_RECENT)
        b = np.vstack([(new_sig if is_new else hist_sig)[row]
                       for is_new, row in zip(right["_new"], right["_row"])])
        b_ok = ~(b == empty).all(axis=1)
        rkeys, rparts = right["letter_key"].to_numpy(), right["name_partial"].to_numpy()
        for key, part, row in zip(left["letter_key"], left["name_partial"], left["_row"]):
            a = new_sig[row]
            if (a == empty).all():
                continue
            hits = np.flatnonzero(((b == a).mean(axis=1) >= SAME_MATTER_SHARE) & b_ok
                                  & (rkeys != key))
            rows.extend((key, rkeys[h], WRITTEN_NAME_PROB) for h in hits
                        if _sexes_agree(part, rparts[h]))

    # one side carries only a partial name, one side is new: new partial-only letters against
    # every letter of their surname, new full-named letters against stored partial-only ones
    surnames_new = set(both.loc[both["_new"], "_surname"])
    for surname, group in both[both["_surname"].isin(surnames_new)].groupby("_surname",
                                                                             sort=False):
        compare(group[group["_new"] & group["_only"]], group)
        compare(group[group["_new"] & ~group["_only"]], group[~group["_new"] & group["_only"]])
    return pd.DataFrame(rows, columns=columns)


def written_name_pairs(near: pd.DataFrame, keys_new: list, keys_hist: list,
                        partial: dict, full: dict) -> pd.DataFrame:
    """Near copies of one complaint (MinHash LSH pairs) whose letters carry the same surname
    with agreeing titles, at least one of them no full name (王先生 and 王先生, 王先生 and
    王建国): the same person re-telling the same matter. Two 王先生 with different complaints
    are no near copies and stay apart."""
    columns = ["letter_key_l", "letter_key_r", "match_probability"]
    rows = []
    for i, j, in_history in near[["i", "j", "in_history"]].itertuples(index=False):
        a, b = keys_new[i], (keys_hist[j] if in_history else keys_new[j])
        pa, pb = partial.get(a), partial.get(b)
        if not pa or not pb or (full.get(a) and full.get(b)):
            continue
        if _surname_of(pa) == _surname_of(pb) and _sexes_agree(pa, pb):
            rows.append((a, b, WRITTEN_NAME_PROB))
    return pd.DataFrame(rows, columns=columns)


# ------------------------------------------------------------------------------ clustering
def _names_compatible(a: str, b: str, pinyin) -> bool:
    """Same name as far as a veto can tell: equal, same pinyin, one character off, or the given
    name's characters swapped (周艳群/周群艳 occur for one writer in the real letters)."""
    if a == b or pinyin.get(a) == pinyin.get(b):
        return True
    if len(a) == len(b) >= 3 and a[0] == b[0] and sorted(a) == sorted(b):
        return True
    if len(a) == len(b) >= 3:
        return sum(x != y for x, y in zip(a, b)) <= 1
    return False


def _ids_compatible(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) != len(b):
        return False
    diff = [k for k, (x, y) in enumerate(zip(a, b)) if x != y]
    if len(diff) <= 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] \
        and a[diff[1]] == b[diff[0]]


class Clusters:
    """Union-find whose merges are vetoed when two groups' names or ID numbers clearly differ,
    or when they live in different counties and nothing but a name (and wording) joins them.

    The place veto keeps namesakes apart who write about the same kind of problem (two 王秀英 in
    different counties both asking about 医保 reimbursement): a shared phone, ID number or
    platform account may bridge counties (people move, or write where the dispute is), a name
    may not.
    """

    def __init__(self, keys, names, ids, pinyin, places=None, contacts=None, partials=None):
        from pipeline.identity import name_pinyin

        places, contacts, partials = places or {}, contacts or {}, partials or {}
        self.parent = {k: k for k in keys}
        # the surname (as pinyin) a letter's written name gives, full or partial (王先生)
        self.surnames = {k: ({name_pinyin(_surname_of(partials[k]))} if partials.get(k)
                             else set()) for k in keys}
        self.names = {k: ({names[k]} if names.get(k) else set()) for k in keys}
        self.ids = {k: ({ids[k]} if ids.get(k) else set()) for k in keys}
        self.places = {k: ({places[k]} if places.get(k) else set()) for k in keys}
        self.contacts = {k: set(contacts.get(k) or ()) for k in keys}
        self.pinyin = pinyin
        # letters carrying no identity at all: only matter links (`pipeline.matter`) reach them,
        # and for them any other writer of the matter is a competing person
        self.anonymous = {k for k in keys if not (names.get(k) or ids.get(k) or contacts.get(k)
                                                  or partials.get(k))}
        self._letter = {k: (places.get(k), frozenset(contacts.get(k) or ()), ids.get(k))
                        for k in keys}

    def crosses_places(self, a, b) -> bool:
        """Letters `a` and `b` name different counties and share no phone, ID or account: their
        link is no evidence of one person, however alike the name and the wording."""
        place_a, contacts_a, id_a = self._letter[a]
        place_b, contacts_b, id_b = self._letter[b]
        if not place_a or not place_b or place_a == place_b or contacts_a & contacts_b:
            return False
        return not (id_a and id_b and _ids_compatible(id_a, id_b))

    def find(self, k):
        root = k
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[k] != root:
            self.parent[k], k = root, self.parent[k]
        return root

    def conflict(self, a, b) -> bool:
        na, nb = self.names[a], self.names[b]
        if na and nb and not any(_names_compatible(x, y, self.pinyin) for x in na for y in nb):
            return True
        sa, sb = self.surnames[a], self.surnames[b]
        if not (na and nb) and sa and sb and not (sa & sb):
            return True  # 王先生 is not 李建国
        ia, ib = self.ids[a], self.ids[b]
        if ia and ib:
            if not any(_ids_compatible(x, y) for x in ia for y in ib):
                return True
            return False  # one ID number: the place does not matter
        pa, pb = self.places[a], self.places[b]
        return bool(pa and pb and not (pa & pb) and not (self.contacts[a] & self.contacts[b]))

    def absorb(self, ra, rb) -> None:
        """Make root `ra` the parent of root `rb` (no checks)."""
        self.parent[rb] = ra
        for attr in (self.names, self.ids, self.places, self.contacts, self.surnames):
            attr[ra] |= attr.pop(rb)

    def union(self, a, b) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.conflict(ra, rb):
            return False
        if len(self.names[ra]) + len(self.ids[ra]) < len(self.names[rb]) + len(self.ids[rb]):
            ra, rb = rb, ra
        self.absorb(ra, rb)
        return True



# The order in which the greedy merge takes pairs: strongest first, ties by the letter keys. A
# greedy merge with vetoes depends on the order (a-b then b-c may veto what b-c then a-b joins), and
# pairs of equal probability are common (equal comparison vectors); the order rows arrive in is
# not fixed (DuckDB's threads, Spark's partitions), so ties are broken by the keys, never by it.
PAIR_ORDER = ["match_probability", "letter_key_l", "letter_key_r"]


class VetoMerger:
    """Persons from scored pairs: greedy union strongest first, with `Clusters`' vetoes.

    Parameters
    ----------
    threshold : match probability at which a pair joins two letters.
    attach_floor, attach_min_support : a new letter whose links are all weak (at least
        `attach_floor`, below `threshold`) still joins a person when at least
        `attach_min_support` of that person's letters support it and no other person's do
        (0 turns this off).

    `fit(new, history, pairs)`: `new` the batch's letters (letter_key, received_at and the
    identity columns), `history` the stored letters with their `person_id`, `pairs` as above.
    Stored persons stay whole, and may merge when a new letter proves two of them one person.
    The persons do not depend on the order of the rows of `pairs` (`PAIR_ORDER`). After fit:
    `person_of_` (letter key -> person id, for the new letters and the stored letters of every
    person touched), `prob_of_` (letter key -> the strongest probability that
    placed it), `merged_persons_` (stored person id -> the id it was merged into).
    """

    def __init__(self, threshold: float = 0.7, attach_floor: float = 0.7,
                 attach_min_support: int = 2):
        self.threshold = threshold
        self.attach_floor = attach_floor
        self.attach_min_support = attach_min_support

    def fit(self, new: pd.DataFrame, history: pd.DataFrame, pairs: pd.DataFrame):
        strong = pairs[pairs["match_probability"] >= self.threshold]
        keys = list(new["letter_key"])
        involved = set(pairs["letter_key_l"]) | set(pairs["letter_key_r"])
        # every history letter of a touched person joins the clustering, so vetoes see the
        # person's full set of names and ID numbers (and only those are looked up: a store's
        # 10^6 letters are not put in a dict for a batch)
        touched = set(history.loc[history["letter_key"].isin(involved), "person_id"])
        hist_rows = history[history["person_id"].isin(touched)]
        hist_person = dict(zip(hist_rows["letter_key"], hist_rows["person_id"]))
        clusters = self._clusters(pd.concat([new[_WANTED], hist_rows[_WANTED]]))
        # history persons stay whole: join their letters first
        for _, group in hist_rows.groupby("person_id")["letter_key"]:
            group = list(group)
            for k in group[1:]:
                root_a, root_b = clusters.find(group[0]), clusters.find(k)
                if root_a != root_b:
                    clusters.absorb(root_a, root_b)
        prob_of: dict[str, float] = {}
        ordered = strong.sort_values(PAIR_ORDER, ascending=[False, True, True], kind="stable")
        for a, b, p in ordered[["letter_key_l", "letter_key_r", "match_probability"]].itertuples(
                index=False):
            if a not in clusters.parent or b not in clusters.parent:
                continue
            if clusters.crosses_places(a, b):
                continue
            if clusters.union(a, b):
                for k in (a, b):
                    prob_of[k] = max(prob_of.get(k, 0.0), float(p))
        self._attach_unambiguous(clusters, pairs, set(keys), prob_of)
        self.person_of_ = self._name(clusters, new, hist_rows, hist_person, keys)
        self.prob_of_ = prob_of
        self.merged_persons_ = {
            hist_person[k]: self.person_of_[k] for k in hist_rows["letter_key"]
            if self.person_of_[k] != hist_person[k]
        }
        return self

    @staticmethod
    def _clusters(frame: pd.DataFrame) -> Clusters:
        keys = frame["letter_key"]
        contacts = {k: [f"{tag}:{v}" for tag, v in (("phone", p), ("writer", w)) if v]
                    for k, p, w in zip(keys, frame["phone_clean"], frame["writer_key"])}
        return Clusters(list(keys), dict(zip(keys, frame["name_clean"])),
                        dict(zip(keys, frame["id_clean"])),
                        dict(zip(frame["name_clean"], frame["name_pinyin"])),
                        dict(zip(keys, frame["addr_county"])), contacts,
                        dict(zip(keys, frame["name_partial"])))

    @staticmethod
    def _name(clusters, new, hist_rows, hist_person, keys) -> dict[str, str]:
        """Each cluster's id: an existing person id if it holds history, else a new stable id
        from its first letter."""
        members: dict[str, list[str]] = {}
        for k in clusters.parent:
            members.setdefault(clusters.find(k), []).append(k)
        received = dict(zip(new["letter_key"], new["received_at"]))
        received.update(zip(hist_rows["letter_key"], hist_rows["received_at"]))
        person_of: dict[str, str] = {}
        for group in members.values():
            old = sorted({hist_person[k] for k in group if k in hist_person})
            if old:
                pid = old[0]
            else:
                first = min(group, key=lambda k: (_ts(received.get(k)), k))
                pid = person_id_for(first)
            for k in group:
                person_of[k] = pid
        for k in keys:
            person_of.setdefault(k, person_id_for(k))
        return person_of

    def _attach_unambiguous(self, clusters, all_pairs, new_keys, prob_of) -> None:
        """Join a lone letter to a person when all its weaker links point at that one person.

        A letter carrying only a phone (or only a name) scores below the threshold against each
        of a repeat petitioner's letters, yet when `attach_min_support` of that person's letters
        share it and no other person does, it is theirs. A phone shared by a family points at
        two persons and attaches nowhere; vetoes still apply.
        """
        weak = all_pairs[(all_pairs["match_probability"] >= self.attach_floor)
                         & (all_pairs["match_probability"] < self.threshold)]
        if weak.empty or self.attach_min_support <= 0:
            return
        sizes: dict[str, int] = {}
        for k in clusters.parent:
            root = clusters.find(k)
            sizes[root] = sizes.get(root, 0) + 1
        links: dict[str, list[tuple[str, float]]] = {}
        for a, b, p in weak[["letter_key_l", "letter_key_r", "match_probability"]].itertuples(
                index=False):
            if a in clusters.parent and b in clusters.parent:
                links.setdefault(a, []).append((b, float(p)))
                links.setdefault(b, []).append((a, float(p)))
        for k in sorted(new_keys & set(links)):
            if sizes.get(clusters.find(k), 0) != 1:
                continue  # already placed by a strong link
            targets: dict[str, list[float]] = {}
            for other, p in links[k]:
                root = clusters.find(other)
                if sizes.get(root, 0) < 2 and not clusters.names[root] and not clusters.ids[root] \
                        and not clusters.surnames[root] \
                        and not (k in clusters.anonymous and clusters.contacts[root]):
                    # another lone letter with nothing but a phone or account is no competing
                    # person for a letter with identity of its own; for an anonymous letter
                    # (matter links) anyone who wrote the matter is
                    continue
                targets.setdefault(root, []).append(p)
            if len(targets) != 1:
                continue
            (root, probs), = targets.items()
            if len(probs) >= self.attach_min_support and clusters.union(k, root):
                prob_of[k] = max(probs)
                sizes[clusters.find(k)] = sizes.pop(root, 0) + 1


_WANTED = ["letter_key", "name_clean", "name_pinyin", "name_partial", "id_clean", "addr_county",
           "phone_clean", "writer_key"]
