"""Group letters into specific issues (same place + same grievance), BERTopic-style.

A leader does not ask "how many housing letters?" but "which concrete problems are many people
writing about, and where?". An issue here is therefore narrow: the mixing plant next to one estate,
the parking spaces bundled with flats at one project. The method, in the order it runs:

1. Near-duplicates are collapsed first (same normalised title + text): petition campaigns repost
   one text many times, and collapsing keeps the cost proportional to *distinct* letters.
2. Each distinct letter gets two TF-IDF vectors over jieba tokens (title counted twice): one over
   all tokens, one over "grievance" tokens with the named places removed. Places (rivers, roads,
   estates, villages, schools, companies: `丽发新城小区`, `新塘支河`, `58车贷`) and the administrative
   chain (A3区 → 西湖街道 → 茶场村 → 五组, masked or written out) come from `pipeline.places`, the one
   extractor routing and the spaCy ruler use too. Spellings of one name (a swap 铁广/广铁, a
   homophone 滨河苑/滨河院, a look-alike 车贷/车货) become one name when their letters name the same
   district and share the grievance; 一期/二期 and 东/西 never do.
3. Candidate pairs come from a sparse similarity product (never a dense n x n matrix). A pair is
   linked when it is a near-copy (high similarity, no conflicting place), when it names the same
   place and shares grievance words, or, when neither letter names a place, when it is very
   similar. Two letters whose headline places differ are never linked by wording alone: copies of
   one complaint text sent about two estates are two issues. Nor are two letters whose titles name
   different districts: 二中 in B7县 is not 二中 in L3县.
4. Connected components of that graph are the candidate issues; a component that is large or loose
   is split again by average-linkage clustering with a distance threshold (dense, but only inside
   the component), so chains of pairwise links cannot merge unrelated problems. No number of
   clusters is fixed in advance; letters in no group of `min_letters` stay unclustered (-1).
5. Each issue is labelled `place chain + dominant place · c-TF-IDF keywords` (`A3区 新塘支河(东风路路段)
   · 黑臭 …`, the spelling most letters use), described (writers, dates, votes,
   representative letter, issue-type / urgency mix when those columns exist), scored by the heat
   index (`pipeline.heat`) and flagged deep-seated when the evidence says so.

`transform` assigns new letters to the fitted issues (nearest centroid, same-place rule), so an
issue keeps its id across batches; `update` does that and opens new issues, with fresh ids, from
what is left. `save` / `load` keep the state in one file the case store can hold.
"""
from __future__ import annotations

import hashlib
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
from pipeline.heat import deep_seated_evidence, heat_scores, heat_weights
# one place extractor for every stage; extract_places stays importable from here for old callers
from pipeline.places import (  # noqa: F401
    DISTINCT_CHARS, PLACE_CODE, admin_chain, admin_units, extract_places, kind_of, variant_candidates,
)
from pipeline.places import is_weak as _is_weak
from pipeline.places import stem as _stem

STATE_VERSION = 1

# ------------------------------------------------------------------ places from the text

_CODE = re.compile(PLACE_CODE.pattern + "|西地省")


def _district_units(text: str) -> list[str]:
    """The districts / counties (A5区, 上党区, K9县) a text names, in order."""
    return [u.name for u in admin_units(text) if u.kind == "区县" and not u.name.startswith(("A区", "A县"))]
# Words too common in petitions to describe a grievance in a label.
_GENERIC_WORDS = frozenset(
    "建议 希望 请问 咨询 反映 投诉 举报 问题 情况 相关 部门 领导 政府 尊敬 您好 谢谢 感谢 请求 要求 "
    "解决 处理 严重 影响 附近 周边 难道 为什么 什么 怎么 何时 能否 是否 已经 目前 现在 一直 多次 "
    "区域 有关 业主 居民 市民 百姓 群众 我们 本人 小区 社区".split()
)


def _dominant_places(counts: Counter, n: int = 3) -> list[str]:
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


def _trim_place(place: str) -> str:
    """Drop a leading clause the suffix rule swept in: 呼吁长株潭城 -> 长株潭城, 个宜居城 -> 宜居城.

    Uses jieba's part-of-speech tags (verbs, adverbs, time, direction, measure words end a
    clause); only for the few places shown in labels, since tagging costs more than cutting.
    """
    if len(place) <= 3:
        return place
    import jieba.posseg as posseg

    words = list(posseg.cut(place))
    cut = 0
    for k, w in enumerate(words[:-1]):
        # a lone numeral or time character (月, 年) more often begins a name (月皓玻璃) than ends a clause
        lone_number = len(w.word) == 1 and w.flag[0] in "mt"
        if w.flag.startswith(_CUT_AFTER) and w.flag != "vn" and not lone_number:
            cut = sum(len(x.word) for x in words[: k + 1])
    if cut > 3:  # a long cut is more often inside a name (北京顺欣世纪咨询服务有限公司) than a clause
        return place
    rest = place[cut:]
    ok = len(rest) >= 3 and len(_stem(rest)) >= 2 and _stem(rest) != rest and rest[0] not in "省市区县镇乡"
    return rest if ok else place


def _canonical(place: str) -> str:
    """Drop a trailing 小区/社区/项目 so `魅力之城小区` and `魅力之城` compare equal."""
    place = place.replace("·", "").replace(".", "")
    return re.sub(r"(?:小区|社区|项目)$", "", place) or place


def _match_strength(a: frozenset[str], b: frozenset[str]) -> int:
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
            if not _is_weak(common):
                return 2
            best = 1
    return best


def _numbered_apart(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two letters name places that differ only in a number or direction (辉煌国际城一期 / 二期,
    劳动东路 / 劳动西路): two real places, so they are not linked by wording alone."""
    for x in a:
        for y in b:
            if len(x) == len(y) and x != y:
                diff = [k for k in range(len(x)) if x[k] != y[k]]
                if all(x[k] in DISTINCT_CHARS and y[k] in DISTINCT_CHARS for k in diff):
                    return True
    return False


def _places_match(a: frozenset[str], b: frozenset[str]) -> bool:
    return _match_strength(a, b) > 0


def _districts(title: str) -> frozenset[str]:
    """The masked districts a letter's title names. Only the title: the body also names where the
    writer lives or where else something happened (a fraud in L5县 by a company in A4区)."""
    return frozenset(_district_units(title or ""))


def _issue_chain(docs: list[str], district: str = "", min_share: float = 1 / 3) -> list[str]:
    """The administrative chain most of an issue's letters write (市 only when no 区/县 is known):
    each level's most named unit, kept when at least `min_share` of the letters name it."""
    counts: dict[str, Counter] = {}
    for doc in docs:
        for level, unit in admin_chain(doc).items():
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


def place_label(chain: list[str], places: list[str]) -> str:
    """`A3区 西湖街道茶场村五组`, `A3区 新塘支河(东风路路段)`: the chain, then the issue's place (a
    water, bridge or park with the road section most letters name beside it); units the place
    already spells are not repeated."""
    place = places[0] if places else ""
    if place and len(places) > 1 and kind_of(place) in ("water", "bridge", "park") and kind_of(places[1]) == "road":
        place += f"({places[1]})"
    units = [u for u in chain if u and u not in place]
    return " ".join(units + ([place] if place else []))


_DATE_IN_TEXT = re.compile(r"(20[0-9]{2})\s*[年/.-]\s*([0-9]{1,2})\s*[月/.-]\s*([0-9]{1,2})")


def _dates_in(text: str) -> list[pd.Timestamp]:
    out = []
    for y, m, d in _DATE_IN_TEXT.findall(text or ""):
        try:
            out.append(pd.Timestamp(int(y), int(m), int(d)))
        except ValueError:
            continue
    return out


def _districts_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two letters name different districts. Masked codes (A5区) are compared with codes and real
    names (渌口区) with real names: a board that masks most names leaves some real ones, and B5县 may
    be 渌口区."""
    if not a or not b or not a.isdisjoint(b):
        return False
    codes_a = {d for d in a if PLACE_CODE.fullmatch(d)}
    codes_b = {d for d in b if PLACE_CODE.fullmatch(d)}
    real_a, real_b = a - codes_a, b - codes_b
    return bool(codes_a and codes_b) or bool(real_a and real_b)


def _check_heat_weights(weights: dict | None) -> None:
    try:
        heat_weights(weights)
    except (ValueError, TypeError, AttributeError) as error:
        raise PetitionError(f"bad heat_weights: {error}") from error


# ------------------------------------------------------------------ the estimator
def _fit_vectorizer(tokens: list[list[str]], analyzer, max_df: float):
    """TF-IDF over words shared by two letters; a batch of one letter is still a batch.

    When no word is in two letters (one letter, or a few unrelated ones) every word is kept, and
    a batch with no word at all gets one token per letter, so nothing links and nothing crashes.
    """
    shared = Counter(t for toks in tokens for t in set(toks))
    min_df = 2 if any(count >= 2 for count in shared.values()) else 1
    if not shared:
        tokens = [[f"§letter{k}"] for k in range(len(tokens))]
    vectorizer = TfidfVectorizer(analyzer=analyzer, min_df=min_df, max_df=max_df, sublinear_tf=True, dtype=np.float32)
    return vectorizer, vectorizer.fit_transform(tokens)


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
    assign_sim : cosine to an issue centroid needed by `transform` (same-place letters need
        `same_place_sim` instead).
    title_weight : how many times the title counts in the text.
    n_keywords : c-TF-IDF keywords in a label.
    n_jobs : tokenizer processes.
    variant_sim : grievance cosine two spellings of a place name need to be merged as one name.
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

    @staticmethod
    def _dedupe_key(title: str, text: str) -> str:
        norm = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", title + "|" + text)
        return hashlib.blake2b(norm.encode("utf-8"), digest_size=12).hexdigest()

    def _documents(self, titles: list[str], texts: list[str]):
        """Tokens (all / grievance) and places of each distinct document."""
        docs = [((t + "。") * self.title_weight) + x for t, x in zip(titles, texts)]
        places_all = [extract_places(t + "。" + x) for t, x in zip(titles, texts)]
        tokens = self._tok().cut_all(docs, n_jobs=self.n_jobs, progress=self.progress)
        # masked place codes (A市, A3区) say where, not what; places are compared separately
        tokens = [[t for t in toks if not _CODE.fullmatch(t) and t not in _GENERIC_WORDS] for toks in tokens]
        # title character bigrams: 搅拌站 / 搅拌厂 / 搅拌场 share 搅拌 even when jieba cuts them apart
        for toks, title in zip(tokens, titles):
            han = re.sub(r"[^\u4e00-\u9fff]", " ", title)
            toks.extend("§" + han[k:k + 2] for k in range(len(han) - 1) if " " not in han[k:k + 2])
        return docs, tokens, places_all, [extract_places(t) for t in titles]

    @staticmethod
    def _grievance_tokens(tokens: list[str], places: list[str]) -> list[str]:
        if not places:
            return tokens
        joined = "".join(places)
        return [t for t in tokens if (t[1:] if t[0] == "§" else t) not in joined]

    def _canon(self, place: str) -> str:
        """The compared form of a place: trailing 小区/项目 dropped, spelling variants merged."""
        c = _canonical(place)
        return getattr(self, "place_variants_", {}).get(c, c)

    def _place_sets(self, places_all, places_title, keep: set[str]):
        """Per document: all specific places, and the headline places (title, else first named)."""
        full, head = [], []
        for pa, pt in zip(places_all, places_title):
            pa_c = [self._canon(p) for p in pa if self._canon(p) in keep]
            pt_c = [self._canon(p) for p in pt if self._canon(p) in keep]
            full.append(frozenset(pa_c))
            head.append(frozenset(pt_c if pt_c else pa_c[:1]))
        return full, head

    # -------------------------------------------------------------- fit
    def fit(self, letters: pd.DataFrame, y=None):
        self.fit_transform(letters)
        return self

    def fit_transform(self, letters: pd.DataFrame, y=None) -> np.ndarray:
        """Cluster `letters`; returns one issue number per letter (-1 = unclustered)."""
        df = self._check(letters)
        keys = [self._dedupe_key(a, b) for a, b in zip(df["title"], df["text"])]
        df["_doc"] = pd.factorize(pd.Series(keys))[0]
        first = df.drop_duplicates("_doc").sort_values("_doc")
        weights = np.bincount(df["_doc"].to_numpy(), minlength=len(first)).astype(float)
        # distinct writers per distinct text (a letter without a writer id counts as its own writer)
        who_col = next((c for c in ("person_id", "writer_id", "name", "phone", "id_number")
                        if c in df.columns and df[c].notna().any()), None)
        if who_col:
            who = df[who_col].astype("string").fillna("§row" + pd.Series(df.index.astype(str), index=df.index))
            doc_writers = who.groupby(df["_doc"]).nunique().reindex(range(len(first)), fill_value=1).to_numpy()
        else:
            doc_writers = weights.copy()
        titles, texts = first["title"].tolist(), first["text"].tolist()
        _, tokens, places_all, places_title = self._documents(titles, texts)
        n = len(first)

        districts = [_districts(t) for t in titles]

        analyzer = _identity
        # words in 30% of letters say nothing about which problem; on a small batch, idf alone must do
        max_df = 0.3 if n >= 100 else 1.0
        self.vectorizer_, X = _fit_vectorizer(tokens, analyzer, max_df)
        G = normalize(self.vectorizer_.transform(
            [self._grievance_tokens(t, sorted(pa)) for t, pa in zip(tokens, places_all)]))

        # one name for the spellings of one place (滨河苑/滨河院, 58车贷/58车货, 广铁/铁广)
        self.place_variants_ = {}
        self.place_variants_ = self._variant_map(places_all, districts, G, weights)
        # places named by too many letters (物业公司, 开发区) are not specific enough to key on
        doc_freq = Counter(p for pa in places_all for p in {self._canon(q) for q in pa})
        limit = max(50, self.max_place_share * n)
        keep = {p for p, c in doc_freq.items() if c <= limit}
        place_full, place_head = self._place_sets(places_all, places_title, keep)

        labels_doc = self._cluster(X, G, place_full, place_head, districts, weights, doc_writers)
        self._finish(df, labels_doc, X, tokens, place_full, place_head, titles, texts)
        return self.labels_

    def _variant_map(self, places_all, districts, G, weights) -> dict[str, str]:
        """{variant: label form} for place names spelt several ways (a swap, a homophone, a look-alike
        character: `pipeline.places.variant_kind`) whose letters also name the same district (or
        none) and share the grievance (mean grievance vectors' cosine >= variant_sim). The label form
        is the spelling most letters use. 一期/二期, 东/西 are never merged."""
        docs: dict[str, list[int]] = {}
        for d, pa in enumerate(places_all):
            for p in {_canonical(q) for q in pa}:
                docs.setdefault(p, []).append(d)
        parent: dict[str, str] = {}

        def root(x):
            while parent.get(x, x) != x:
                x = parent[x]
            return x

        freq = {p: weights[ds].sum() for p, ds in docs.items()}
        self.variant_evidence_ = []  # (spelling, spelling, how they differ, grievance cosine), for review
        for a, b, kind in variant_candidates(docs):
            if _is_weak(a) and _is_weak(b) and kind_of(a) in ("road", "town", "community"):
                continue  # roads and towns of similar names are common; too little to go on
            da = Counter(x for d in docs[a] for x in districts[d])
            db = Counter(x for d in docs[b] for x in districts[d])
            if da and db and da.most_common(1)[0][0] != db.most_common(1)[0][0]:
                continue
            ga = normalize(sparse.csr_matrix(G[docs[a]].mean(axis=0)))
            gb = normalize(sparse.csr_matrix(G[docs[b]].mean(axis=0)))
            sim = float(ga.multiply(gb).sum())
            self.variant_evidence_.append((a, b, kind, round(sim, 3)))
            if sim < self.variant_sim:
                continue
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[rb] = ra
        groups: dict[str, list[str]] = {}
        for p in parent:
            groups.setdefault(root(p), []).append(p)
        out = {}
        for r, members in groups.items():
            members = set(members) | {r}
            label = min(members, key=lambda m: (-freq.get(m, 0), m))
            out.update({m: label for m in members if m != label})
        return out

    def _pairs(self, X: sparse.csr_matrix, floor: float):
        """Upper-triangle pairs with cosine >= floor, computed in row blocks (sparse, bounded memory)."""
        X = X.tocsr()
        XT = X.T.tocsc()
        rows, cols, vals = [], [], []
        block = 2000
        for start in range(0, X.shape[0], block):
            S = (X[start:start + block] @ XT).tocoo()
            r = S.row + start
            mask = (S.data >= floor) & (S.col > r)
            rows.append(r[mask]); cols.append(S.col[mask]); vals.append(S.data[mask])
        if not rows:
            return np.array([], int), np.array([], int), np.array([], float)
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)

    def _link(self, X, G, place_full, place_head, districts):
        """Which candidate pairs are the same issue, and their combined similarity."""
        floor = min(self.near_dup_sim, self.no_place_sim, 0.08)
        i, j, s = self._pairs(X, floor)
        if len(i) == 0:  # no pair at all (a batch of one): nothing is linked
            return i, j, np.zeros(0, bool), s
        g = np.asarray(G[i].multiply(G[j]).sum(axis=1)).ravel()
        link = np.zeros(len(i), bool)
        comb = s.copy()
        for k in range(len(i)):
            a, b = i[k], j[k]
            comb[k], link[k] = self._combined(s[k], g[k], place_full[a], place_head[a], place_full[b], place_head[b],
                                              districts[a], districts[b])
        return i, j, link, comb

    def _big_enough(self, group, weights, doc_writers) -> bool:
        """min_letters letters, and either two different texts or min_letters different writers
        (one person re-sending one letter is a repeat petition, not a group of letters)."""
        return weights[group].sum() >= self.min_letters and (
            len(group) >= 2 or doc_writers[group].sum() >= self.min_letters)

    def _cluster(self, X, G, place_full, place_head, districts, weights, doc_writers) -> np.ndarray:
        n = X.shape[0]
        i, j, link, comb = self._link(X, G, place_full, place_head, districts)
        A = sparse.coo_matrix((np.ones(int(link.sum())), (i[link], j[link])), shape=(n, n))
        _, comp = connected_components(A, directed=False)
        labels = np.full(n, -1)
        next_label = 0
        order = np.argsort(comp, kind="stable")
        bounds = np.flatnonzero(np.diff(comp[order])) + 1
        for members in np.split(order, bounds):
            if not self._big_enough(members, weights, doc_writers):
                continue
            for group in self._split(members, X, G, place_full, place_head, districts):
                if self._big_enough(group, weights, doc_writers):
                    labels[group] = next_label
                    next_label += 1
        return labels

    def _combined(self, s: float, g: float, pa, ha, pb, hb, da=frozenset(), db=frozenset()) -> tuple[float, bool]:
        """Combined similarity of two letters and whether they may be linked directly.
        Letters headed by different districts (B7县 vs L3县) are about different places, whatever
        they share by name (二中, 碧桂园): only a literal copy may join them."""
        if _districts_conflict(da, db):
            return s - 0.3, s >= 0.97
        if _numbered_apart(ha, pb) or _numbered_apart(hb, pa):
            return s - 0.3, s >= 0.97
        strength = max(_match_strength(ha, pb), _match_strength(hb, pa))
        if strength == 2:
            return 0.5 * s + 0.5 * g + 0.2, g >= self.same_place_sim
        if strength == 1:
            return 0.5 * s + 0.5 * g + 0.05, g >= self.weak_place_sim or s >= self.near_dup_sim
        conflict = bool(ha) and bool(hb) and not _places_match(pa, pb)
        if conflict:
            return s - 0.3, s >= 0.97
        if ha or hb:
            return s, s >= self.near_dup_sim
        return s, s >= self.no_place_sim

    def _split(self, members, X, G, place_full, place_head, districts) -> list[np.ndarray]:
        """Average-linkage split of one component, so chained links cannot merge distinct problems."""
        m = len(members)
        if m <= 2:
            return [members]
        S = (X[members] @ X[members].T).toarray()
        Gm = (G[members] @ G[members].T).toarray()
        D = np.zeros((m, m))
        for x in range(m):
            a = members[x]
            for y in range(x + 1, m):
                b = members[y]
                c, _ = self._combined(S[x, y], Gm[x, y], place_full[a], place_head[a], place_full[b], place_head[b],
                                      districts[a], districts[b])
                D[x, y] = D[y, x] = min(1.0, max(0.0, 1.0 - c))
        condensed = D[np.triu_indices(m, 1)]
        if condensed.max() <= self.split_distance:
            return [members]
        Z = linkage(condensed, method="average")
        parts = fcluster(Z, t=self.split_distance, criterion="distance")
        return [members[parts == p] for p in np.unique(parts)]

    # -------------------------------------------------------------- describe
    def _finish(self, df, labels_doc, X, tokens, place_full, place_head, titles, texts):
        """Letter labels, stable ids, centroids, labels and the issue table."""
        # order issues by size so ids read naturally (I0001 = largest at fit time)
        doc_of = df["_doc"].to_numpy()
        letter_labels = labels_doc[doc_of]
        sizes = Counter(l for l in letter_labels if l >= 0)
        order = {old: new for new, (old, _) in enumerate(sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])))}
        remap = np.array([order.get(l, -1) for l in range(labels_doc.max() + 1)] + [-1])
        labels_doc = remap[labels_doc]
        self.labels_ = labels_doc[doc_of]
        self.issue_ids_ = [f"I{k + 1:04d}" for k in range(len(order))]
        self.next_issue_ = len(order) + 1

        # centroids and places per issue (kept for transform)
        Xn = normalize(X)
        k = len(order)
        if k:
            M = sparse.csr_matrix((np.ones(int((labels_doc >= 0).sum())), (labels_doc[labels_doc >= 0], np.flatnonzero(labels_doc >= 0))), shape=(k, X.shape[0]))
            self.centroids_ = normalize(M @ Xn)
        else:
            self.centroids_ = sparse.csr_matrix((0, X.shape[1]))
        self.issue_places_ = []
        self.issue_districts_ = []
        self.issue_chains_ = []
        for c in range(k):
            cnt, codes = Counter(), Counter()
            for d in np.flatnonzero(labels_doc == c):
                cnt.update(sorted(place_head[d] or place_full[d]))
                # the title says where the problem is; the opening may say where the writer lives
                codes.update({code: 2 for code in _districts(titles[d])})
                codes.update(set(_district_units(texts[d][:200])))
            self.issue_places_.append([_trim_place(p) for p in _dominant_places(cnt)])
            self.issue_districts_.append(min(codes, key=lambda code: (-codes[code], code)) if codes else "")
            self.issue_chains_.append(_issue_chain(
                [titles[d] + "。" + texts[d][:300] for d in np.flatnonzero(labels_doc == c)], self.issue_districts_[-1]))
        self.keywords_ = self._ctfidf(labels_doc, tokens, k)
        # representative: the distinct text closest to the centroid (most typical wording)
        self.rep_doc_ = {}
        for c in range(k):
            docs = np.flatnonzero(labels_doc == c)
            sims = np.asarray((Xn[docs] @ self.centroids_[c].T).todense()).ravel()
            self.rep_doc_[c] = int(docs[int(np.argmax(sims))])
        self.letters_ = df.drop(columns=["_doc"]).assign(issue=self.labels_)
        self.letters_["issue_id"] = [self.issue_ids_[l] if l >= 0 else None for l in self.labels_]
        self.issue_info_ = self._describe(self.letters_, place_full, place_head, doc_of, labels_doc)

    def _ctfidf(self, labels_doc, tokens, k) -> list[list[str]]:
        """Class-based TF-IDF (BERTopic): words frequent in the issue and rare across issues."""
        if not k:
            return []
        vocab = self.vectorizer_.vocabulary_
        rows, cols = [], []
        for d, toks in enumerate(tokens):
            if labels_doc[d] < 0:
                continue
            for t in toks:
                idx = vocab.get(t)
                if idx is not None:
                    rows.append(labels_doc[d]); cols.append(idx)
        C = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(k, len(vocab)))
        tf = normalize(C, norm="l1")
        avg = C.sum() / k
        idf = np.log1p(avg / (np.asarray(C.sum(axis=0)).ravel() + 1e-9))
        W = tf.multiply(idf).tocsr()
        inv = np.array(self.vectorizer_.get_feature_names_out())
        out = []
        for c in range(k):
            row = W.getrow(c)
            top = row.indices[np.argsort(-row.data)]
            words = []
            for t in inv[top]:
                if t.startswith("§") or len(t) < 2 or t in _GENERIC_WORDS or any(t in w or w in t for w in words):
                    continue
                if any(t in p or p in t for p in self.issue_places_[c][:1]) or any(t in u for u in self.issue_chains_[c]):
                    continue
                words.append(t)
                if len(words) == self.n_keywords:
                    break
            out.append(words)
        return out

    def _describe(self, letters, place_full, place_head, doc_of, labels_doc) -> pd.DataFrame:
        cols = letters.columns
        # who wrote: the linker's person_id, else the source's writer id, else the name (only counted)
        writer_col = next((c for c in ("person_id", "writer_id", "name", "phone", "id_number")
                           if c in cols and letters[c].notna().any()), None)
        ref = letters["received_at"].max()
        rows = []
        groups = {c: sub for c, sub in letters[letters["issue"] >= 0].groupby("issue", sort=True)}
        for c, issue_id in enumerate(self.issue_ids_):
            sub = groups[c]
            places = self.issue_places_[c]
            place = places[0] if places else ""
            district = self.issue_districts_[c] if c < len(self.issue_districts_) else ""
            chain = self.issue_chains_[c] if c < len(getattr(self, "issue_chains_", [])) else ([district] if district else [])
            shown = place_label(chain, places)
            label = (shown + " · " if shown else "") + " ".join(self.keywords_[c][: self.n_keywords])
            writers = sub[writer_col].dropna().astype(str) if writer_col else pd.Series(dtype=str)
            up = float(pd.to_numeric(sub["up_votes"], errors="coerce").fillna(0).sum()) if "up_votes" in cols else 0.0
            down = float(pd.to_numeric(sub["down_votes"], errors="coerce").fillna(0).sum()) if "down_votes" in cols else 0.0
            dates = sub["received_at"].dropna()
            if dates.empty:  # no date column: the dates the letters themselves write (时间范围 never empty)
                dates = pd.Series([d for x in sub["title"] + "。" + sub["text"] for d in _dates_in(x)], dtype="datetime64[ns]")
            reps = sub[doc_of[sub.index] == self.rep_doc_[c]].sort_values("received_at")
            rep = reps.iloc[0] if len(reps) else sub.iloc[0]
            row = {
                "issue_id": issue_id,
                "label": label,
                "place": place,
                "district": district,
                "place_chain": " ".join(chain),
                "places": "、".join(places),
                "keywords": " ".join(self.keywords_[c]),
                "n_letters": len(sub),
                "n_distinct_texts": int(len(set(doc_of[sub.index]))),
                "n_writers": int(writers.nunique()) if writer_col else len(sub),
                "first_date": dates.min() if len(dates) else pd.NaT,
                "last_date": dates.max() if len(dates) else pd.NaT,
                "up_votes": up,
                "down_votes": down,
                "representative_id": rep["letter_id"],
                "representative_title": rep["title"],
                "representative_text": rep["text"][:300],
            }
            if "issue_type" in cols:
                row["top_issue_type"] = sub["issue_type"].dropna().astype(str).mode().iloc[0] if sub["issue_type"].notna().any() else None
            elif "label" in cols and sub["label"].notna().any():
                row["top_issue_type"] = sub["label"].dropna().astype(str).mode().iloc[0]
            if "urgency" in cols:
                mix = sub["urgency"].dropna().astype(str).value_counts()
                row["urgency_mix"] = "; ".join(f"{k}:{v}" for k, v in mix.items())
            row.update(deep_seated_evidence(sub["received_at"], writers if writer_col else None))
            rows.append(row)
        info = pd.DataFrame(rows)
        if info.empty:  # no issue (a batch of one letter): the table still has its key columns
            return pd.DataFrame(columns=["heat_rank", "issue_id", "label", "n_letters", "deep_seated", "heat"])
        return self._rank(info, ref)

    def _rank(self, info: pd.DataFrame, ref=None) -> pd.DataFrame:
        """Heat index and heat_rank (1 = hottest) with this model's heat weights."""
        info = info.drop(columns=["heat_rank"], errors="ignore")
        info["heat"] = heat_scores(info, ref_date=ref, weights=self.heat_weights)
        info = info.sort_values(["heat", "n_letters"], ascending=False).reset_index(drop=True)
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
            self.issue_info_ = self._rank(self.issue_info_, ref_date)
        return self.get_issue_info()

    # -------------------------------------------------------------- BERTopic-like accessors
    def _fitted(self):
        if not hasattr(self, "issue_info_"):
            raise PetitionError("the issue clusterer is not fitted yet: call fit(letters) first")

    def get_issue_info(self) -> pd.DataFrame:
        """One row per issue, hottest first (heat_rank 1)."""
        self._fitted()
        return self.issue_info_.copy()

    def get_issue_letters(self, issue_id: str | None = None) -> pd.DataFrame:
        """Letters with their issue_id (all clustered letters, or those of one issue)."""
        self._fitted()
        out = self.letters_[self.letters_["issue"] >= 0]
        if issue_id is not None:
            out = out[out["issue_id"] == issue_id]
        return out.sort_values(["issue_id", "received_at"]).copy()

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
    def transform(self, letters: pd.DataFrame) -> np.ndarray:
        """Existing issue number (index into issue_ids_) for each new letter, -1 when none fits."""
        self._fitted()
        df = self._check(letters)
        if len(df) == 0 or self.centroids_.shape[0] == 0:
            return np.full(len(df), -1)
        _, tokens, places_all, places_title = self._documents(df["title"].tolist(), df["text"].tolist())
        X = normalize(self.vectorizer_.transform(tokens))
        S = (X @ self.centroids_.T).toarray()
        out = np.full(len(df), -1)
        titles = df["title"].tolist()
        for r in range(len(df)):
            heads = frozenset(self._canon(p) for p in (places_title[r] or places_all[r][:1]))
            full = frozenset(self._canon(p) for p in places_all[r])
            districts = _districts(titles[r])
            order = np.argsort(-S[r])[:5]
            for c in order:
                if _districts_conflict(districts, frozenset([self.issue_districts_[c]]) - {""}):
                    continue  # another district's issue (属地): never assigned by wording alone
                ip = frozenset(self.issue_places_[c])
                same = _places_match(heads, ip) or (not heads and _places_match(full, ip))
                conflict = bool(heads) and bool(ip) and not _places_match(full, ip)
                if (same and S[r, c] >= self.same_place_sim + 0.1) or (not conflict and S[r, c] >= self.assign_sim):
                    out[r] = c
                    break
        return out

    def transform_ids(self, letters: pd.DataFrame) -> list[str | None]:
        """Like `transform`, but the persistent issue ids (None when unassigned)."""
        return [self.issue_ids_[c] if c >= 0 else None for c in self.transform(letters)]

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
        claims = []
        for k, issue_id in enumerate(self.issue_ids_):
            votes = old[self.labels_ == k].dropna()
            if len(votes):
                top, count = votes.value_counts().index[0], votes.value_counts().iloc[0]
                if count > 0.5 * (self.labels_ == k).sum():
                    claims.append((count, k, top))
        mapping: dict[int, str] = {}
        taken = set()
        for count, k, top in sorted(claims, reverse=True):
            if top not in taken:
                mapping[k] = top
                taken.add(top)
        next_issue = max(previous.next_issue_, 1)
        for k in range(len(self.issue_ids_)):
            if k not in mapping:
                mapping[k] = f"I{next_issue:04d}"
                next_issue += 1
        renamed = {self.issue_ids_[k]: new for k, new in mapping.items()}
        self.issue_ids_ = [mapping[k] for k in range(len(self.issue_ids_))]
        self.next_issue_ = next_issue
        self.letters_["issue_id"] = self.letters_["issue_id"].map(renamed)
        self.issue_info_["issue_id"] = self.issue_info_["issue_id"].map(renamed)
        return renamed

    def get_params(self, deep: bool = False) -> dict:
        return {k: getattr(self, k) for k in (
            "min_letters", "near_dup_sim", "same_place_sim", "weak_place_sim", "no_place_sim", "split_distance",
            "max_place_share", "assign_sim", "title_weight", "n_keywords", "n_jobs", "heat_weights", "variant_sim")}

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
        vec = TfidfVectorizer(analyzer=_identity, min_df=1, sublinear_tf=True, dtype=np.float32)
        vec.vocabulary_ = state["vocabulary"]
        vec.idf_ = state["idf"]
        model.vectorizer_ = vec
        model.centroids_ = state["centroids"]
        model.issue_ids_ = list(state["issue_ids"])
        model.next_issue_ = state["next_issue"]
        model.issue_places_ = state["issue_places"]
        model.issue_districts_ = state.get("issue_districts", [""] * len(model.issue_places_))
        model.place_variants_ = state.get("place_variants", {})
        model.issue_chains_ = state.get("issue_chains", [[d] if d else [] for d in model.issue_districts_])
        model.keywords_ = state["keywords"]
        model.issue_info_ = state["issue_info"]
        model.letters_ = pd.DataFrame(columns=["letter_id", "title", "text", "received_at", "issue", "issue_id"])
        return model


def _identity(tokens):
    return tokens

