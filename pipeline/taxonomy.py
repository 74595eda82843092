"""An office's issue taxonomy (一级/二级/三级分类) as data, and 2nd/3rd-level suggestions from it.

Offices label letters only at the top level, so the classifier learns that level alone. The
lower levels have no labels to learn from; instead they are *suggested* from the taxonomy's own
terms: a sub-category whose name's two-character words (物业服务 → 物业, 服务) occur in the letter
scores high. Bigrams
that many taxonomy terms share (管理, 问题) count for little, so 拖欠工资 beats 工资福利 when a
letter is about unpaid wages. Scores are in [0, 1] and the output columns say "suggestion":
they are a starting point for the person routing the letter, not a prediction.

The shipped taxonomy (corpora/taxonomy/taxonomy.csv) is the public TipDM 2020 competition's;
pass another file (CSV or XLSX with columns 一级分类, 二级分类, 三级分类) for another office.
"""
from __future__ import annotations

import math
import re
from operator import add
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from pipeline.errors import PetitionError
from pipeline.paths import CORPORA_DIR

DEFAULT_TAXONOMY = CORPORA_DIR / "taxonomy" / "taxonomy.csv"
# words that stand for a term in letters (电梯 for 特种设备管理): a letter whose title or text (twice) writes them is on it
DEFAULT_TERM_WORDS = CORPORA_DIR / "taxonomy" / "term_words.csv"
LEVEL_COLUMNS = ("level1", "level2", "level3")
_HEADERS = {
    "一级分类": "level1", "二级分类": "level2", "三级分类": "level3",
    "level1": "level1", "level2": "level2", "level3": "level3",
}
# Catch-all names carry no evidence: never suggested on their words.
CATCH_ALL = frozenset({"其他", "其它", "综合", "其他问题"})
SUGGESTION_COLUMNS = ["issue_level2_suggestion", "issue_level2_score", "issue_level3_suggestion", "issue_level3_score"]
_NOT_TERM = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")


def _term_grams(terms: list[str]) -> dict[str, set[str]]:
    """The two-character words of each taxonomy term (jieba's search-mode cut): 物业服务 → 物业, 服务.

    A term's overlapping bigrams include the seams between its words (业服 in 物业服务), which no
    letter contains and which, being rare among terms, weighed the most: a letter about 物业 covered
    only a third of 物业服务. Terms without two-character words keep their bigrams.
    """
    from pipeline.tokenize import Tokenizer

    cutter = Tokenizer(hmm=False)
    grams = {}
    for term in terms:
        words = {w for w in cutter.cut_for_search(_NOT_TERM.sub("", term)) if len(w) == 2}
        grams[term] = words or _bigrams(term)
    return grams


def _bigrams(text: str) -> set[str]:
    text = _NOT_TERM.sub("", text)
    if len(text) < 2:
        return {text} if text else set()
    return set(map(add, text, text[1:]))  # text[i] + text[i + 1]: the slices, made in C (a letter's ~370)


class TermWords(NamedTuple):
    """The term words file (`load_term_words`), column by column."""

    words: dict[str, list[str]]         # 术语 → 关键词: the words that stand for a term
    across: dict[str, frozenset[str]]   # 跨类转办 = 是: term → 保留类别, the types whose letters keep their route
    title_only: frozenset[str]          # 只看标题 = 是: terms only a title names (物业不管 said in passing)
    despite: dict[str, list[str]]       # 例外词: words that, in a title, route a kept type's letter across too
    yields: dict[str, frozenset[str]]   # 让位于: terms that take a letter naming both (物业停水 is the 物业科's)


def load_term_words(path: str | Path) -> TermWords:
    """The term words of a CSV with columns 术语 and 关键词 (words separated by spaces), and optional
    跨类转办, 保留类别, 只看标题, 例外词 and 让位于 (`TermWords`). 例外词 are for a kept type the model often gives
    the term's letters: a gas works' fumes typed 环境保护 stay the environment's, but a title that says
    停气 is a gas cut whatever the type (People's Daily typed seven such letters 环境保护)."""
    path = Path(path)
    if not path.exists():
        raise PetitionError(f"term words file not found: {path}")
    table = pd.read_csv(path, dtype=str, encoding="utf-8-sig").fillna("")
    if not {"术语", "关键词"} <= set(table.columns):
        raise PetitionError(f"{path}: the term words file needs columns 术语 and 关键词")
    rows = [row for row in table.to_dict("records") if row["术语"].strip()]
    words = {row["术语"].strip(): row["关键词"].split() for row in rows}
    across = {row["术语"].strip(): frozenset(row.get("保留类别", "").split())
              for row in rows if row.get("跨类转办", "").strip() == "是"}
    title_only = frozenset(row["术语"].strip() for row in rows if row.get("只看标题", "").strip() == "是")
    despite = _per_term(rows, "例外词", str.split)
    yields = _per_term(rows, "让位于", lambda cell: frozenset(cell.split()))
    return TermWords(words, across, title_only, despite, yields)


def _per_term(rows: list[dict], column: str, value) -> dict:
    """{term: value(cell)} over the rows whose `column` is filled (an optional column of the file)."""
    return {row["术语"].strip(): value(row.get(column, "")) for row in rows if row.get(column, "").strip()}


class Taxonomy:
    """The 3-level taxonomy table (`level1`, `level2`, `level3`) and suggestions under a level 1.

    Parameters
    ----------
    table : DataFrame with columns level1, level2, level3 (or 一级分类, 二级分类, 三级分类).
    min_score : suggestions scoring below this are left empty.
    term_words : {term: words}: a letter whose title writes a term's words, or whose text writes them
        twice, is on that term (scores it 1), for terms letters never name (a lift letter says 电梯,
        not 特种设备管理).
    across : {term: types kept}: the terms whose words route a letter of another type (`named_path`),
        except letters of the kept types (gas: a gas works' fumes typed 环境保护 stay the environment's).
    title_only : terms named only by a title that writes their words, never by the text alone: a
        letter about a night market or an illegal extension says 物业不管 twice and is not a
        property-management letter.
    despite : {term: words}: a title writing one of them routes a letter across even from a kept type.
    yields : {term: terms}: a letter that names the term and one of these is about the other one only
        (an estate whose 物业 cuts the water is a property-management letter, not a water-supply one).
    """

    def __init__(self, table: pd.DataFrame, min_score: float = 0.3, term_words: dict[str, list[str]] | None = None,
                 across: dict[str, frozenset[str]] | None = None, title_only: frozenset[str] = frozenset(),
                 despite: dict[str, list[str]] | None = None, yields: dict[str, frozenset[str]] | None = None):
        table = table.rename(columns={c: _HEADERS.get(str(c).strip(), c) for c in table.columns})
        missing = [c for c in LEVEL_COLUMNS if c not in table]
        if missing:
            raise PetitionError(
                f"taxonomy table lacks column(s) {missing}: it needs 一级分类, 二级分类, 三级分类 (or level1..3)")
        table = table[list(LEVEL_COLUMNS)].astype("object")
        table = table.map(lambda v: None if v is None or v != v or not str(v).strip() else str(v).strip())
        table = table.dropna(subset=["level1"]).drop_duplicates().reset_index(drop=True)
        if table.empty:
            raise PetitionError("the taxonomy table has no rows")
        self.table = table
        self.min_score = min_score
        self.term_words = {t: list(w) for t, w in (term_words or {}).items() if w}
        self.across = {t: kept for t, kept in (across or {}).items() if t in self.term_words}
        self.title_only = frozenset(title_only)
        self.yields = {t: frozenset(y) for t, y in (yields or {}).items() if t in self.term_words and y}
        by_key: dict[str, list] = {}  # for `named_terms`: the words by their first two characters
        for term, words in self.term_words.items():
            for word in words:
                by_key.setdefault(word[:2], []).append((term, word))
        self._words_by_key = by_key
        self.despite = {t: list(w) for t, w in (despite or {}).items() if t in self.across}
        # each term's path, once (the router looks one up per letter that names a term)
        self._paths: dict = {}
        for row in table.itertuples(index=False):
            for term, path in ((row.level3, (row.level1, row.level2, row.level3)), (row.level2, (row.level1, row.level2, None))):
                if term and term not in self._paths:
                    self._paths[term] = path
        self._idf: dict | None = None  # with `_grams`, built when a suggestion first needs them
        self._weight_cache: dict = {}
        self._gram_sets: dict = {}  # term -> its grams, beside `_weight_cache`'s pairs
        self._subtrees: dict = {}

    @classmethod
    def load(cls, path: str | Path | None = None, min_score: float = 0.3,
             term_words: str | Path | None = DEFAULT_TERM_WORDS) -> "Taxonomy":
        """Read a CSV or XLSX taxonomy (default: the shipped TipDM taxonomy), with the words that
        stand for its terms (`term_words`: a CSV of 术语, 关键词 separated by spaces; None for none)."""
        path = Path(path) if path else DEFAULT_TAXONOMY
        if not path.exists():
            raise PetitionError(f"taxonomy file not found: {path}")
        try:
            if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
                table = pd.read_excel(path)
            else:
                table = pd.read_csv(path, encoding="utf-8-sig")
        except Exception as error:  # noqa: BLE001 - any parse failure is the user's file
            raise PetitionError(f"cannot read taxonomy {path}: {type(error).__name__}: {error}") from error
        if not term_words:
            return cls(table, min_score=min_score)
        words = load_term_words(term_words)
        return cls(table, min_score=min_score, term_words=words.words, across=words.across,
                   title_only=words.title_only, despite=words.despite, yields=words.yields)

    @property
    def level1(self) -> list[str]:
        return list(pd.unique(self.table["level1"]))

    def children(self, level1: str, level2: str | None = None) -> list[str]:
        rows = self.table[self.table["level1"] == level1]
        if level2 is None:
            return [v for v in pd.unique(rows["level2"]) if v]
        return [v for v in pd.unique(rows[rows["level2"] == level2]["level3"]) if v]

    def _coverage(self, term: str | None, grams: set[str]) -> float:
        """IDF-weighted share of the term's bigrams found in the letter."""
        weights, total = self._weights(term)
        if not total or self._gram_sets[term].isdisjoint(grams):
            return 0.0  # what the sum below gives when no gram is there (most terms of most letters), in C
        return sum(w for g, w in weights if g in grams) / total

    def _gram_weights(self) -> tuple[dict, dict]:
        """Each term's words and their IDF over the terms, built once when a suggestion needs them:
        the cut needs the segmenter's dictionary, which routing by term words alone does not."""
        if self._idf is None:
            terms = [t for t in pd.unique(self.table[["level2", "level3"]].to_numpy().ravel()) if t]
            self._grams = _term_grams(terms)
            df: dict[str, int] = {}
            for term in terms:
                for gram in self._grams[term]:
                    df[gram] = df.get(gram, 0) + 1
            n = len(terms) + 1
            self._idf = {g: math.log(n / c) + 0.1 for g, c in df.items()}
        return self._grams, self._idf

    def _weights(self, term: str | None) -> tuple[list, float]:
        """The term's (bigram, IDF) pairs and their sum, computed once per term."""
        if term not in self._weight_cache:
            if not term or term in CATCH_ALL:
                self._weight_cache[term] = ([], 0.0)
            else:
                grams, idf = self._gram_weights()
                pairs = [(g, idf.get(g, 1.0)) for g in (grams.get(term) or _bigrams(term))]
                self._weight_cache[term] = (pairs, sum(w for _, w in pairs))
                self._gram_sets[term] = frozenset(g for g, _ in pairs)
        return self._weight_cache[term]

    def _subtree(self, level1: str) -> list[tuple[str, list[str]]]:
        """(level2, its level3 terms) under `level1`, in table order, computed once per level 1:
        suggesting for 10,000 letters filtered and grouped the table 10,000 times."""
        if level1 not in self._subtrees:
            rows = self.table[self.table["level1"] == level1]
            self._subtrees[level1] = [(level2, [l3 for l3 in group["level3"] if l3])
                                      for level2, group in rows.groupby("level2", sort=False)]
        return self._subtrees[level1]

    def suggest(self, text: str, level1: str, title: str = "") -> dict:
        """Best 2nd and 3rd level under `level1` for one letter (`text` holds its title too), each
        with a score in [0, 1]."""
        empty = dict.fromkeys(SUGGESTION_COLUMNS)
        subtree = self._subtree(level1)
        if not subtree or not text:
            return empty
        grams = _bigrams(text)
        named = self.named_terms(text, title)
        titled = {term for term in named if self.in_title(term, title)}
        # a term the letter names by the office's own words beats any term its bigrams only touch
        # (燃气公司私自停气 named 燃气供应, yet 安全隐患's bigrams covered it fully and won)
        subtree = [(l2, l3s) for l2, l3s in subtree if l2 in named or any(t in named for t in l3s)] or subtree
        best2, score2, best3, score3 = None, 0.0, None, 0.0
        for level2, level3s in subtree:
            s2 = 1.0 if level2 in named else self._coverage(level2, grams)
            # a tie goes to a term the title names (a title 公交不便 whose bigrams also covered 小区管理
            # went to 小区管理 by the later name in code-point order, which still breaks the ties
            # left: preferring the term the text names most moved planning and power-line letters
            # that say 公交 or 地铁 twice to transport, and a blind reader disagreed)
            s3s = [(1.0 if l3 in named else self._coverage(l3, grams), l3 in titled, l3) for l3 in level3s]
            top3 = max(s3s, default=(0.0, False, None))
            # a sub-category is as likely as its own name or its best child says
            combined = max(s2, top3[0]) * 0.8 + min(s2, top3[0]) * 0.2
            if combined > score2:
                best2, score2 = level2, combined
                best3, score3 = (top3[2], 0.7 * top3[0] + 0.3 * s2) if top3[0] > 0 else (None, 0.0)
        result = dict(empty)
        if best2 is not None and score2 >= self.min_score:
            result["issue_level2_suggestion"], result["issue_level2_score"] = best2, round(score2, 3)
            if best3 is not None and score3 >= self.min_score:
                result["issue_level3_suggestion"], result["issue_level3_score"] = best3, round(score3, 3)
        return result

    def named_terms(self, text: str, title: str = "") -> dict[str, int]:
        """{term: how often its words occur} for the terms a letter names by the words that stand for
        them: in its title, or twice in its text (`text` holds the title too). One passing 电梯 in a
        letter about an estate's income is not a lift letter; a title 人民取暖 over three lines about
        the gas being cut is a heating letter, though the body says 取暖 nowhere."""
        # a word occurs only where its first two characters do: count only the words whose two
        # characters the letter holds (a letter holds few of the 200-odd words, and counting each was
        # a second of the route stage on 10,000 letters)
        present = {text[i:i + 2] for i in range(len(text) - 1)}
        counts: dict[str, int] = {}
        for key in present.intersection(self._words_by_key):
            for term, word in self._words_by_key[key]:
                n = text.count(word)
                if n:
                    counts[term] = counts.get(term, 0) + n
        # in the term words' order (the set above has none: a tie between terms must break the same way every run)
        named = {term: counts[term] for term in self.term_words if term in counts
                 and ((counts[term] >= 2 and term not in self.title_only) or self.in_title(term, title))}
        return {term: n for term, n in named.items() if self.yields.get(term, frozenset()).isdisjoint(named)}

    def in_title(self, term: str, title: str) -> bool:
        """Whether `title` writes one of `term`'s words: a title says what a letter is about."""
        return any(word in title for word in self.term_words[term])

    def word_of(self, term: str, text: str) -> str:
        """The word of `term` that `text` writes most (the first such in the row on a tie): what a
        routing reason shows as the letter's own evidence (来信写到“垃圾站”)."""
        return max(self.term_words[term], key=text.count)

    def path(self, term: str) -> tuple[str, str | None, str | None] | None:
        """(一级, 二级, 三级) of a 2nd- or 3rd-level term, the first row that holds it; None if none does."""
        return self._paths.get(term)

    def named_under(self, title: str, text: str, level1: str,
                    named: dict[str, int] | None = None) -> tuple[str, str | None, str | None] | None:
        """The path of the term under `level1` that the letter names most by its words (`named_terms`,
        or `named` when the caller has them), or None. Named terms only: under 城乡建设 the bigram
        suggestion sent a lift retrofit and a roof repair to 城市管理局 for their 小区, where an
        office's class says 城乡建设 and nothing finer."""
        named = self.named_terms(text, title) if named is None else named
        named = {term: n for term, n in named.items() if (self.path(term) or (None,))[0] == level1}
        return self.path(max(named, key=named.get)) if named else None

    def named_path(self, title: str, text: str, level1: str | None,
                   named: dict[str, int] | None = None) -> tuple[tuple, str] | None:
        """The taxonomy path of a term that routes across types (`across`) which a letter typed
        `level1` is about, with the word that named it: its title names the term and its words name
        it at least twice (`text` holds the title too); the most named if several; None if none, if
        the term is under `level1` already, or if `level1` is one the term leaves alone (unless the
        title writes one of the term's `despite` words: 停气 in a letter typed 环境保护). TipDM's
        offices filed gas companies' letters under 商贸旅游 as often as 城乡建设, and the classifier
        learnt both: the words say the letter is about gas, and the taxonomy says where gas sits.
        `named`: the letter's `named_terms`, when the caller has them."""
        named = self.named_terms(text, title) if named is None else named
        named = {term: n for term, n in named.items()
                 if n >= 2 and term in self.across and self.in_title(term, title)
                 and (level1 not in self.across[term] or any(w in title for w in self.despite.get(term, ())))}
        if not named:
            return None
        term = max(named, key=named.get)  # ties: the file's order (dicts keep it)
        path = self.path(term)
        if path is None or path[0] == level1:
            return None
        return path, self.word_of(term, text)

    def suggest_all(self, texts: list[str], level1: list[str], titles: list[str] | None = None) -> pd.DataFrame:
        """`suggest` for many letters: one row per letter with the four suggestion columns."""
        titles = titles if titles is not None else [""] * len(texts)
        rows = [self.suggest(t or "", l1, h or "") for t, l1, h in zip(texts, level1, titles)]
        frame = pd.DataFrame(rows, columns=SUGGESTION_COLUMNS)
        for column in ("issue_level2_score", "issue_level3_score"):
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
        for column in ("issue_level2_suggestion", "issue_level3_suggestion"):
            frame[column] = frame[column].astype("str")
        return frame

    def add_suggestions(self, letters: pd.DataFrame) -> pd.DataFrame:
        """The classified letters (with `issue_type`) with the four suggestion columns added."""
        from pipeline.tokenize import column_strings, letter_texts

        out = letters.copy()
        if len(out) == 0:
            for column in SUGGESTION_COLUMNS:
                out[column] = pd.Series(dtype="float64" if column.endswith("score") else "str")
            return out
        suggestions = self.suggest_all(letter_texts(out), out["issue_type"].tolist(), column_strings(out, "title"))
        for column in SUGGESTION_COLUMNS:
            out[column] = suggestions[column].to_numpy()
        return out

    def coverage_of(self, labels) -> float:
        """Share of the given top-level labels that this taxonomy knows (0 means: wrong taxonomy)."""
        labels = list(labels)
        known = set(self.level1)
        return float(np.mean([l in known for l in labels])) if labels else 0.0
