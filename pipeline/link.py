"""Link letters to petitioners, and find copy-paste repeats and joint letters.

A case manager must see that a letter comes from someone who has written eleven times about the
same dispute even when the name is mis-written, the phone changed and no one copied the ID. Two
signals do that:

* Probabilistic record linkage (Fellegi-Sunter, Splink on DuckDB) over the cleaned identity
  fields of `pipeline.identity`: name (exact / same pinyin / one character off), ID number
  (exact / one character off), phone, address (village / town / county), the platform's
  writer id, and the letter's wording (share of agreeing MinHash positions of character 4-gram
  shingles: near copy / same wording / shared phrases), since a repeat petitioner re-sends and
  rewrites the same complaint. Candidate pairs come from blocking on phone, ID prefix + birth
  date, name pinyin + place, and writer id: wording is compared only between letters that
  already share an identity field, never used to find them. The m/u weights are EM-estimated:
  on the batch itself when it is big
  enough, otherwise from `models/linking/splink_model.json`, trained on the linking benchmark
  (`benchmarks/linking.py --train`) and never downloaded.
* Near-duplicate text (datasketch MinHash LSH over character 4-gram shingles), which on its own
  finds copy-paste repeats (`near_duplicate_of`) and letters copied by several people
  (`joint_letter_group`).

* Names as hotline records write them (one store is one office's records): a rare full name
  (`rare_names`: counted among persons, so a caller's 2,000 calls do not make 李裴东 common; a
  given name carried by several surnames, one of the commonest given names, or a name seen with
  two ID numbers or in two counties is not rare) joins its letters by itself; a partial name
  (王先生, from `pipeline.identity.partial_name`) joins only letters that near-copy the same
  complaint (MinHash LSH, the near-duplicate pairs) and carry the same surname and title's sex.
  Letters with no name, number or account join no one by their wording alone: a campaign of
  anonymous copies stays many people.

Pairs become persons by greedy clustering over the Splink probabilities, strongest first, that
refuses a merge when the two groups carry clearly different names or ID numbers, or live in
different counties with no phone, ID number or account in common (nor is a link between two
letters from different counties used unless they share one). That is what keeps a family sharing
one phone and one address apart, and namesakes (王秀英) in different places apart even when they
write about the same kind of matter: no one is merged on a shared phone alone, nor on a name
alone. A letter carrying only a name or only a (family) phone joins the person whose complaint
it repeats in other words; without such wording it joins no one unless it is unambiguous.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import PetitionError
from pipeline.identity import IDENTITY_COLUMNS, clean_identity
from pipeline.paths import MODELS_DIR

DEFAULT_MODEL_PATH = MODELS_DIR / "linking" / "splink_model.json"
LINK_COLUMNS = (
    "person_id", "person_match_prob", "repeat_count", "first_seen", "near_duplicate_of",
    "joint_letter_group",
)
# The columns Splink compares (all produced by pipeline.identity.clean_identity).
COMPARE_COLUMNS = (
    "name_clean", "name_pinyin", "id_clean", "id_prefix", "id_birth", "phone_clean",
    "addr_county", "addr_town", "addr_village", "writer_key",
)
log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------ keys
def letter_keys(letters: pd.DataFrame) -> pd.Series:
    """A stable key per letter: the same letter re-ingested from any file gets the same key.

    Built from letter_id, received_at and text, so two different letters that happen to share
    a letter_id (two systems numbering from 1) stay distinct.
    """
    def part(column: str) -> pd.Series:
        if column not in letters.columns:
            return pd.Series([""] * len(letters), index=letters.index)
        values = letters[column]
        if column == "received_at":
            values = pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m-%dT%H:%M:%S")
        return values.astype(object).where(values.notna(), "").astype(str)

    joined = part("letter_id") + "\x1f" + part("received_at") + "\x1f" + part("text")
    return joined.map(lambda s: hashlib.sha1(s.encode("utf-8")).hexdigest()[:20]).astype(object)


def person_id_for(first_key: str) -> str:
    """A person's id is derived from their first letter's key: stable across runs."""
    return "P" + hashlib.sha1(("person:" + first_key).encode()).hexdigest()[:10].upper()


# ------------------------------------------------------------------------------ splink model
def _levels(column: str, *levels: tuple[str, str]) -> list[dict]:
    out = [{
        "sql_condition": f'"{column}_l" IS NULL OR "{column}_r" IS NULL',
        "label_for_charts": "null", "is_null_level": True,
    }]
    out += [{"sql_condition": sql, "label_for_charts": label} for label, sql in levels]
    out.append({"sql_condition": "ELSE", "label_for_charts": "else"})
    return out


def splink_settings(probability_two_random_records_match: float = 1e-4) -> dict:
    """The linkage model: which fields are compared, at which levels, and how pairs are blocked."""
    comparisons = [
        {"output_column_name": "name", "comparison_levels": _levels(
            "name_clean",
            ("exact", "name_clean_l = name_clean_r"),
            ("same pinyin", "name_pinyin_l = name_pinyin_r"),
            ("one character off",
             "length(name_clean_l) >= 3 AND levenshtein(name_clean_l, name_clean_r) <= 1"),
        )},
        {"output_column_name": "id_number", "comparison_levels": _levels(
            "id_clean",
            ("exact", "id_clean_l = id_clean_r"),
            ("one character off", "damerau_levenshtein(id_clean_l, id_clean_r) <= 1"),
            ("same region and birth date",
             "id_prefix_l = id_prefix_r AND id_birth_l = id_birth_r"),
        )},
        {"output_column_name": "phone", "comparison_levels": _levels(
            "phone_clean",
            ("exact", "phone_clean_l = phone_clean_r"),
            ("one digit off", "damerau_levenshtein(phone_clean_l, phone_clean_r) <= 1"),
        )},
        {"output_column_name": "address", "comparison_levels": [
            {"sql_condition": "(addr_county_l IS NULL AND addr_village_l IS NULL) OR "
                              "(addr_county_r IS NULL AND addr_village_r IS NULL)",
             "label_for_charts": "null", "is_null_level": True},
            {"sql_condition": "addr_village_l = addr_village_r AND "
                              "coalesce(addr_county_l = addr_county_r, true)",
             "label_for_charts": "same village or estate"},
            {"sql_condition": "addr_town_l = addr_town_r AND "
                              "coalesce(addr_county_l = addr_county_r, true)",
             "label_for_charts": "same town"},
            {"sql_condition": "addr_county_l = addr_county_r", "label_for_charts": "same county"},
            {"sql_condition": "ELSE", "label_for_charts": "else"},
        ]},
        {"output_column_name": "writer", "comparison_levels": _levels(
            "writer_key", ("exact", "writer_key_l = writer_key_r"),
        )},
        {"output_column_name": "text", "comparison_levels": _levels(
            "text_sig", *[(label, f"{_TEXT_AGREEMENT} >= {share} * len(text_sig_l)")
                          for label, share in TEXT_LEVELS],
        )},
    ]
    blocking = [
        "l.phone_clean = r.phone_clean",
        "l.id_prefix = r.id_prefix AND l.id_birth = r.id_birth",
        "l.name_pinyin = r.name_pinyin AND l.addr_county = r.addr_county",
        "l.name_pinyin = r.name_pinyin AND l.id_prefix = r.id_prefix",
        "l.name_pinyin = r.name_pinyin AND l.addr_village = r.addr_village",
        "l.writer_key = r.writer_key",
    ]
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "letter_key",
        "probability_two_random_records_match": probability_two_random_records_match,
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in blocking
        ],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "em_convergence": 0.0001,
        "max_iterations": 25,
    }


# A platform account is one person's: documented default, since the benchmark hides writer ids
# and EM cannot see them. m: share of a person's letters sent from the same account;
# u: chance two strangers share an account (only by data error).
WRITER_M_EXACT, WRITER_U_EXACT = 0.9, 1e-6


def _set_writer_weights(settings: dict) -> dict:
    for comparison in settings["comparisons"]:
        if comparison["output_column_name"] != "writer":
            continue
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            if level["label_for_charts"] == "exact":
                level["m_probability"], level["u_probability"] = WRITER_M_EXACT, WRITER_U_EXACT
            else:
                level["m_probability"] = 1 - WRITER_M_EXACT
                level["u_probability"] = 1 - WRITER_U_EXACT
    return settings


# Letter text as a comparison: the share of MinHash positions (character 4-gram shingles, the
# near-duplicate signatures) on which two letters agree estimates the Jaccard similarity of their
# wording. A repeat petitioner re-sends, extends and rewrites the same complaint; a namesake or a
# relative sharing the phone writes about something else. Only pairs blocked on identity are
# compared: text never links two letters by itself (joint letters are many people).
TEXT_LEVELS = (("near copy", 0.5), ("same wording", 0.12), ("shared phrases", 0.04))
_TEXT_AGREEMENT = "len(list_intersect(text_sig_l, text_sig_r))"


def _text_sig_array(signatures: np.ndarray | None, n: int):
    """Position-tagged MinHash rows as an Arrow list column (null where the text is too short),
    so `len(list_intersect(a, b))` counts the positions on which two signatures agree."""
    import pyarrow as pa

    if signatures is None or len(signatures) == 0:
        return pa.nulls(n, type=pa.list_(pa.uint32()))
    signatures = np.asarray(signatures, dtype=np.uint32)
    num_perm = signatures.shape[1]
    shift = max(num_perm - 1, 1).bit_length()
    empty = (signatures == np.iinfo(np.uint32).max).all(axis=1)
    tagged = ((signatures >> np.uint32(shift)) << np.uint32(shift)) | np.arange(
        num_perm, dtype=np.uint32)
    values = pa.array(tagged.reshape(-1), type=pa.uint32())
    offsets = pa.array(np.arange(0, (len(tagged) + 1) * num_perm, num_perm, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, values, mask=pa.array(empty))


def _text_signatures(frame: pd.DataFrame, num_perm: int = 64) -> np.ndarray | None:
    if "text" not in frame.columns:
        return None
    return NearDuplicates(num_perm=num_perm).signatures(frame["text"])


def _quiet_splink() -> None:
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _splink_input(frame: pd.DataFrame, signatures: np.ndarray | None = None):
    """The compared columns as an Arrow table; `signatures` (MinHash rows aligned with `frame`)
    become the `text_sig` column."""
    import pyarrow as pa

    data = frame[["letter_key", *COMPARE_COLUMNS]].copy()
    for column in data.columns:
        data[column] = data[column].astype(object).where(data[column].notna(), None)
        data[column] = data[column].astype("string[pyarrow]")
    table = pa.Table.from_pandas(data.reset_index(drop=True), preserve_index=False)
    return table.append_column("text_sig", _text_sig_array(signatures, len(data)))


def _has_identity(frame: pd.DataFrame) -> pd.Series:
    return frame[["name_clean", "id_clean", "phone_clean", "writer_key"]].notna().any(axis=1)


def train_model(letters: pd.DataFrame, seed: int = 42, max_pairs: float = 2e6,
                signatures: np.ndarray | None = None) -> dict:
    """EM-estimate the linkage model on cleaned letters; return the Splink settings dict.

    u from random sampling, then m by EM under three blocking rules so each comparison is
    estimated from pairs not chosen by its own field. The prior (probability that two random
    letters are the same person) comes from the pairs deterministic rules find. `signatures`
    (MinHash rows aligned with `letters`, else made from `letters["text"]`) feed the text
    comparison; without any text the model has no text comparison at all.
    """
    import duckdb
    from splink import DuckDBAPI, Linker

    _quiet_splink()
    keep = _has_identity(letters).to_numpy()
    if signatures is None:
        signatures = _text_signatures(letters)
    data = _splink_input(letters[keep], None if signatures is None else signatures[keep])
    if len(data) < 50:
        raise PetitionError(f"only {len(data)} letters carry identity fields: too few to train")
    settings = splink_settings()
    if data.column("text_sig").null_count == len(data):  # EM cannot weigh what it never sees
        settings["comparisons"] = [c for c in settings["comparisons"]
                                   if c["output_column_name"] != "text"]
    db_api = DuckDBAPI(duckdb.connect())
    sdf = db_api.register(data, table_name="letters_for_training")
    linker = Linker(sdf, _set_writer_weights(settings), log_level=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        linker.training.estimate_probability_two_random_records_match(
            ["l.id_clean = r.id_clean",
             "l.phone_clean = r.phone_clean AND l.name_clean = r.name_clean"],
            recall=0.8,
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
        for rule in ("l.phone_clean = r.phone_clean",
                     "l.name_pinyin = r.name_pinyin AND l.addr_county = r.addr_county",
                     "l.id_prefix = r.id_prefix AND l.id_birth = r.id_birth"):
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, fix_u_probabilities=True, estimate_without_term_frequencies=True,
            )
    settings = _decontaminate_u(linker.misc.save_model_to_json())
    settings = _set_writer_weights(_regularise(settings))
    _check_trained(settings)
    return settings


def _decontaminate_u(settings: dict) -> dict:
    """Remove the true matches that random sampling counts as non-matches.

    Random pairs include true matches at rate λ; when one petitioner writes dozens of letters
    that inflates u for every agreement level (u_obs = λ·m + (1-λ)·u). An ID number shared by
    two strangers would otherwise look as common as a petitioner writing twice.
    """
    lam = settings["probability_two_random_records_match"]
    for comparison in settings["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        corrected = [max(((lv.get("u_probability") or 0.0) - lam * (lv.get("m_probability") or 0.0))
                         / (1 - lam), 1e-7) for lv in levels]
        total = sum(corrected)
        for lv, u in zip(levels, corrected):
            lv["u_probability"] = u / total
    return settings


def _regularise(settings: dict, floor: float = 1e-4) -> dict:
    """Keep EM's m/u away from 0 and 1, and give unobserved levels a small documented m.

    A level EM never saw (or saw only one way) otherwise gets m = 1e-53 and a weight of
    -170 bits, and one stray field would veto a link that every other field supports.
    """
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            for key, low in (("m_probability", floor), ("u_probability", floor / 100)):
                value = level.get(key)
                if value is None or not np.isfinite(value):
                    value = low
                level[key] = float(min(max(value, low), 1 - floor))
    return settings


def _check_trained(settings: dict) -> None:
    """Refuse a model whose agreement weights point the wrong way (EM on too little data)."""
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level") or level["label_for_charts"] != "exact":
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            if m is None or u is None or not (m > u):
                raise PetitionError(
                    f"EM gave an implausible weight for {comparison['output_column_name']}"
                )


def load_model(path: Path | str = DEFAULT_MODEL_PATH) -> dict:
    """Read a saved model: {"splink": settings, "letters": n, ...}."""
    path = Path(path)
    if not path.exists():
        raise PetitionError(
            f"linking model {path} is missing: run `python benchmarks/linking.py --train`"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def _name_pairs(new: pd.DataFrame, history: pd.DataFrame | None) -> int:
    """How many pairs blocking on the name alone would generate (new x new and new x history)."""
    counts = new["name_pinyin"].dropna().value_counts()
    total = int((counts * (counts - 1) // 2).sum())
    if history is not None and len(history):
        hist_counts = history["name_pinyin"].dropna().value_counts()
        total += int((counts * hist_counts.reindex(counts.index).fillna(0)).sum())
    return total


# ------------------------------------------------------------------------------ near duplicates
def _shingle_hashes(text: str, k: int) -> np.ndarray:
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < k:
        return np.zeros(0, dtype=np.uint64)
    n = len(codes) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * np.uint64(1_000_003) + codes[j:n + j]
        h ^= h >> np.uint64(29)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(32)
    return np.unique(h & np.uint64(0xFFFFFFFF))


def _near_dup_text(text: object) -> str:
    if not isinstance(text, str):
        return ""
    # punctuation and spacing differ between copies; characters carry the content
    return "".join(ch for ch in text if ch.isalnum())


@dataclass
class NearDuplicates:
    """Near-duplicate letters by MinHash LSH (datasketch) over character shingles.

    `signatures(texts)` gives one MinHash per letter (uint32 rows, storable); `pairs(...)` finds
    pairs whose estimated Jaccard similarity of shingle sets is at least `threshold`. Letters
    shorter than `min_chars` characters are never near-duplicates: "同上" matches everything.
    Each letter keeps at most `max_candidates` links, so mass campaigns stay linear in memory.
    """

    threshold: float = 0.8
    num_perm: int = 64
    shingle: int = 4
    min_chars: int = 30
    seed: int = 1
    max_candidates: int = 20
    _template: object = field(default=None, init=False, repr=False)

    def _minhash(self, hashvalues=None):
        from datasketch import MinHash

        if self._template is None:
            self._template = MinHash(num_perm=self.num_perm, seed=self.seed)
        return MinHash(num_perm=self.num_perm, hashfunc=int, hashvalues=hashvalues,
                       permutations=self._template.permutations, scheme=self._template.scheme)

    def signatures(self, texts) -> np.ndarray:
        """One MinHash signature per text; an all-max row marks a text too short to compare."""
        texts = list(texts)
        out = np.full((len(texts), self.num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
        for i, text in enumerate(texts):
            clean = _near_dup_text(text)
            if len(clean) < self.min_chars:
                continue
            m = self._minhash()
            m.update_batch(_shingle_hashes(clean, self.shingle))
            out[i] = m.hashvalues
        return out

    def _lean(self, row: np.ndarray):
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self.seed, hashvalues=row, scheme="affine32")

    def pairs(self, new: np.ndarray, history: np.ndarray | None = None) -> pd.DataFrame:
        """Pairs (i, j, in_history, similarity): i indexes `new`; j indexes `new` (j < i) or,
        when `in_history`, `history`. Similarity is the MinHash estimate of Jaccard."""
        from datasketch import MinHashLSH

        empty = np.iinfo(np.uint32).max
        history = history if history is not None else np.zeros((0, self.num_perm), np.uint32)
        lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)
        new_ok = (new != empty).any(axis=1)
        hist_ok = (history != empty).any(axis=1)
        with lsh.insertion_session() as session:
            for j in np.flatnonzero(hist_ok):
                session.insert(~int(j), self._lean(history[j]), check_duplication=False)
            for i in np.flatnonzero(new_ok):
                session.insert(int(i), self._lean(new[i]), check_duplication=False)
        left, right = [], []
        for i in np.flatnonzero(new_ok):
            found = [key for key in lsh.query(self._lean(new[i])) if key < 0 or key < i]
            if len(found) > self.max_candidates:
                # a campaign of thousands of identical letters: a few links per letter keep the
                # group connected without listing every pair
                found = sorted(found)[: self.max_candidates]
            left.extend([int(i)] * len(found))
            right.extend(int(key) for key in found)
        columns = ["i", "j", "in_history", "similarity"]
        if not left:
            return pd.DataFrame(columns=columns)
        left_a, right_a = np.array(left), np.array(right)
        in_history = right_a < 0
        j = np.where(in_history, ~right_a, right_a)
        others = np.empty((len(j), new.shape[1]), dtype=new.dtype)
        others[in_history] = history[j[in_history]]
        others[~in_history] = new[j[~in_history]]
        similarity = (new[left_a] == others).mean(axis=1)
        keep = similarity >= self.threshold
        return pd.DataFrame({"i": left_a[keep], "j": j[keep], "in_history": in_history[keep],
                             "similarity": similarity[keep]}, columns=columns)


# ------------------------------------------------------------------------------ written names
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

    Rarity is counted among persons, not letters: a caller who wrote 2,000 times under 李裴东
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


def _rare_name_pairs(new: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
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


def _same_matter_pairs(new: pd.DataFrame, history: pd.DataFrame, new_sig: np.ndarray,
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
        frames.append(history[wanted].assign(_new=False, _row=np.arange(len(history))))
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


def _written_name_pairs(near: pd.DataFrame, keys_new: list, keys_hist: list,
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


class _Clusters:
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


# ------------------------------------------------------------------------------ the linker
class PetitionerLinker:
    """Assign each letter a person, a repeat count, near-duplicate and joint-letter links.

    Parameters
    ----------
    threshold : match probability at which two letters are taken to be the same person.
    train : "auto" re-estimates the model by EM when the letters (history + new) hold at least
        `min_train_letters` letters with identity and EM gives a plausible model; "never" uses
        the saved model; "always" insists on EM (PetitionError if it cannot).
    model_path : the saved model (default models/linking/splink_model.json).
    scale_prior : lower the prior "two random letters are the same person" in proportion when
        more letters are linked than the model was trained on: in a store ten times bigger a
        random pair is ten times less likely to be one person.
    near_duplicate_threshold : MinHash Jaccard at which two texts are near-duplicates.
    attach_min_support, attach_min_bits : a letter whose links are all weak (below
        `threshold`, but each with a Bayes factor of at least `attach_min_bits` bits, e.g. one
        exact phone or name and nothing contradicting) still joins a
        person when at least this many of that person's letters support it and no other
        person's do (0 turns this off).
    max_name_pairs : also block on the name alone (finding letters that carry nothing but a
        name) while that adds at most this many pairs; big stores skip it.

    After `link(...)`: `settings_` (the Splink model used), `model_source_` ("em" or the path
    of the saved model), `pairs_` (scored pairs at or above threshold), `merged_persons_`
    (history person id -> the id it was merged into), `signatures_` (letter_key -> MinHash row,
    for the store), `near_duplicate_pairs_`. `persons_table(linked)` gives the persons.
    """

    def __init__(self, threshold: float = 0.7, train: str = "never",
                 model_path: Path | str | None = None, min_train_letters: int = 3000,
                 scale_prior: bool = True, near_duplicate_threshold: float = 0.8,
                 num_perm: int = 64, attach_min_support: int = 2, attach_min_bits: float = 10.0,
                 max_name_pairs: int = 2_000_000, seed: int = 42):
        self.threshold = threshold
        self.train = train
        self.model_path = model_path
        self.min_train_letters = min_train_letters
        self.scale_prior = scale_prior
        self.near_duplicate_threshold = near_duplicate_threshold
        self.num_perm = num_perm
        self.attach_min_support = attach_min_support
        self.attach_min_bits = attach_min_bits
        self.max_name_pairs = max_name_pairs
        self.seed = seed

    # -- model -------------------------------------------------------------------------------
    def _settings_for(self, letters: pd.DataFrame, signatures: tuple | None = None) -> dict:
        """The model to link with; `signatures` = (history rows or None, new rows), aligned with
        `letters` (history first), for EM's text comparison."""
        saved = None
        if self.train in ("auto", "always"):
            personal = letters[["name_clean", "id_clean", "phone_clean"]].notna().sum(axis=1) >= 2
            enough = int(personal.sum()) >= self.min_train_letters
            if enough or self.train == "always":
                try:
                    rows = None
                    if signatures is not None:
                        hist, new = signatures
                        if hist is None:
                            hist = np.full((len(letters) - len(new), new.shape[1]),
                                           np.iinfo(np.uint32).max, np.uint32)
                        rows = np.vstack([hist, new])
                    settings = train_model(letters, seed=self.seed, signatures=rows)
                    self.model_source_ = "em"
                    return settings
                except Exception as error:  # noqa: BLE001 - EM failing is expected on small data
                    if self.train == "always":
                        raise PetitionError(f"EM could not train the linking model: {error}")
                    log.info("EM training failed (%s); using the saved model", error)
        saved = load_model(self.model_path or DEFAULT_MODEL_PATH)
        self.model_source_ = str(self.model_path or DEFAULT_MODEL_PATH)
        settings = saved["splink"]
        if self.scale_prior and saved.get("letters"):
            # only ever lowered: a batch of five letters says nothing about how often strangers
            # collide, and a raised prior would link namesakes on the name alone
            n = max(len(letters), saved["letters"])
            prior = settings["probability_two_random_records_match"] * saved["letters"] / n
            settings = {**settings, "probability_two_random_records_match": prior}
        return settings

    def model_version(self) -> str:
        """A short hash of the model in use, recorded with every prediction in the store."""
        blob = json.dumps(getattr(self, "settings_", {}), sort_keys=True, default=str)
        return hashlib.sha1(blob.encode()).hexdigest()[:12]

    # -- pairs -------------------------------------------------------------------------------
    def _score_pairs(self, new: pd.DataFrame, history: pd.DataFrame,
                     new_signatures: np.ndarray | None = None,
                     history_signatures: np.ndarray | None = None) -> pd.DataFrame:
        import duckdb
        from splink import DuckDBAPI, Linker

        _quiet_splink()
        keep = _has_identity(new).to_numpy()
        new_in = _splink_input(new[keep], None if new_signatures is None
                               else new_signatures[keep])
        hist_in = None
        if len(history):
            keep = _has_identity(history).to_numpy()
            usable = history_signatures is not None and len(history_signatures) == len(history)
            hist_in = _splink_input(history[keep],
                                    history_signatures[keep] if usable else None)
        columns = ["letter_key_l", "letter_key_r", "match_probability"]
        if len(new_in) == 0:
            return pd.DataFrame(columns=columns)
        db_api = DuckDBAPI(duckdb.connect())
        new_sdf = db_api.register(new_in, table_name="new_letters")
        linker = Linker(new_sdf, self.settings_, log_level=None)
        threshold = min(self.threshold, self._attach_floor())
        rules = [r["blocking_rule"] if isinstance(r, dict) else r
                 for r in self.settings_["blocking_rules_to_generate_predictions"]]
        if _name_pairs(new, history if len(history) else None) <= self.max_name_pairs:
            rules = rules + ["l.name_pinyin = r.name_pinyin"]
        frames = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            within = linker.inference.predict_within(
                new_sdf, threshold_match_probability=threshold, warning_mode="never",
                blocking_rules_to_generate_predictions=rules)
            frames.append(within.as_pandas_dataframe()[columns])
            if hist_in is not None and len(hist_in):
                hist_sdf = db_api.register(hist_in, table_name="history_letters")
                between = linker.inference.predict_between(
                    new_sdf, hist_sdf, threshold_match_probability=threshold,
                    warning_mode="never", blocking_rules_to_generate_predictions=rules)
                frames.append(between.as_pandas_dataframe()[columns])
        db_api.duckdb_con.close()
        pairs = pd.concat(frames, ignore_index=True)
        pairs["letter_key_l"] = pairs["letter_key_l"].astype(object)
        pairs["letter_key_r"] = pairs["letter_key_r"].astype(object)
        return pairs

    # -- main --------------------------------------------------------------------------------
    def link(self, letters: pd.DataFrame, history: pd.DataFrame | tuple | None = None,
             history_signatures: np.ndarray | None = None) -> pd.DataFrame:
        """Return `letters` with identity columns and LINK_COLUMNS added.

        `history` holds earlier letters already linked (as `CaseStore.history()` returns them:
        letter_key, letter_id, received_at, label, person_id and the identity columns);
        `history_signatures` their MinHash rows, aligned with `history`. New letters join
        history persons; history persons may merge when a new letter proves them one person.
        """
        if isinstance(history, tuple):  # CaseStore.history() gives (frame, signatures)
            history, history_signatures = history
        if "name_clean" not in letters.columns:
            letters = clean_identity(letters)
        letters = letters.copy()
        if "letter_key" not in letters.columns:
            letters["letter_key"] = letter_keys(letters)
        history = history if history is not None else pd.DataFrame(
            columns=["letter_key", "letter_id", "received_at", "person_id", *IDENTITY_COLUMNS])
        if "received_at" not in letters.columns:
            letters["received_at"] = pd.NaT
        letters["received_at"] = pd.to_datetime(letters["received_at"], errors="coerce")
        new = letters.drop_duplicates("letter_key")
        new = new[~new["letter_key"].isin(set(history["letter_key"]))]

        both = pd.concat([history[["letter_key", *IDENTITY_COLUMNS]],
                          new[["letter_key", *IDENTITY_COLUMNS]]], ignore_index=True)
        new_signatures = NearDuplicates(num_perm=self.num_perm).signatures(
            new["text"] if "text" in new.columns else [""] * len(new))
        self.signatures_ = dict(zip(new["letter_key"], new_signatures))
        if history_signatures is None or len(history_signatures) != len(history):
            history_signatures = None
        self.settings_ = self._settings_for(both, (history_signatures, new_signatures))
        pairs = self._score_pairs(new, history, new_signatures, history_signatures)
        finder = NearDuplicates(threshold=self.near_duplicate_threshold, num_perm=self.num_perm)
        usable = history_signatures is not None and len(history) > 0
        near = finder.pairs(new_signatures, history_signatures if usable else None)
        hist_keys = list(history["letter_key"]) if usable else []
        frames = [pairs, _rare_name_pairs(new, history)]
        frames.append(_written_name_pairs(
            near, list(new["letter_key"]), hist_keys,
            dict(zip(both["letter_key"], both["name_partial"])),
            dict(zip(both["letter_key"], both["name_clean"]))))
        frames.append(_same_matter_pairs(new, history, new_signatures,
                                         history_signatures if usable else None))
        pairs = pd.concat([f for f in frames if len(f)], ignore_index=True) \
            if any(len(f) for f in frames[1:]) else pairs
        pairs = pairs.sort_values("match_probability", ascending=False, kind="stable") \
            .drop_duplicates(["letter_key_l", "letter_key_r"])
        self.pairs_ = pairs[pairs["match_probability"] >= self.threshold]

        person_of, prob_of = self._cluster(new, history, pairs)
        out = self._assemble(letters, new, history, person_of, prob_of)
        out = self._near_duplicates(out, new, history, near)
        # letters already in the history keep the links found when they were new
        for column in ("person_match_prob", "near_duplicate_of", "joint_letter_group"):
            if column in history.columns and len(history):
                stored = out["letter_key"].map(dict(zip(history["letter_key"], history[column])))
                out[column] = out[column].where(out[column].notna(), stored)
        out.attrs["merged_persons"] = dict(self.merged_persons_)
        out.attrs["linker_version"] = self.model_version()
        return out

    def _cluster(self, new, history, all_pairs):
        pairs = all_pairs[all_pairs["match_probability"] >= self.threshold]
        hist_person = dict(zip(history["letter_key"], history["person_id"]))
        keys = list(new["letter_key"])
        involved = set(all_pairs["letter_key_l"]) | set(all_pairs["letter_key_r"])
        hist_keys = [k for k in involved if k in hist_person]
        # every history letter of a touched person joins the clustering, so vetoes see the
        # person's full set of names and ID numbers
        touched = {hist_person[k] for k in hist_keys}
        hist_rows = history[history["person_id"].isin(touched)]
        wanted = ["letter_key", "name_clean", "name_pinyin", "name_partial", "id_clean",
                  "addr_county", "phone_clean", "writer_key"]
        all_frame = pd.concat([new[wanted], hist_rows[wanted]])
        names = dict(zip(all_frame["letter_key"], all_frame["name_clean"]))
        ids = dict(zip(all_frame["letter_key"], all_frame["id_clean"]))
        pinyin = dict(zip(all_frame["name_clean"], all_frame["name_pinyin"]))
        places = dict(zip(all_frame["letter_key"], all_frame["addr_county"]))
        contacts = {k: [f"{tag}:{v}" for tag, v in (("phone", p), ("writer", w)) if v]
                    for k, p, w in zip(all_frame["letter_key"], all_frame["phone_clean"],
                                       all_frame["writer_key"])}
        clusters = _Clusters(list(all_frame["letter_key"]), names, ids, pinyin, places, contacts,
                             dict(zip(all_frame["letter_key"], all_frame["name_partial"])))
        # history persons stay whole: join their letters first
        for _, group in hist_rows.groupby("person_id")["letter_key"]:
            group = list(group)
            for k in group[1:]:
                root_a, root_b = clusters.find(group[0]), clusters.find(k)
                if root_a != root_b:
                    clusters.absorb(root_a, root_b)
        prob_of: dict[str, float] = {}
        ordered = pairs.sort_values("match_probability", ascending=False, kind="stable")
        for a, b, p in ordered[["letter_key_l", "letter_key_r", "match_probability"]].itertuples(
                index=False):
            if a not in clusters.parent or b not in clusters.parent:
                continue
            if clusters.crosses_places(a, b):
                continue
            if clusters.union(a, b):
                for k in (a, b):
                    prob_of[k] = max(prob_of.get(k, 0.0), float(p))
        self._attach_unambiguous(clusters, all_pairs, set(keys), prob_of)
        # name each cluster: an existing person id if it holds history, else a new stable id
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
        self.merged_persons_ = {
            hist_person[k]: person_of[k] for k in hist_rows["letter_key"]
            if person_of[k] != hist_person[k]
        }
        return person_of, prob_of

    def _attach_floor(self) -> float:
        """The match probability of a pair whose Bayes factor is `attach_min_bits`, under the
        prior in use: the same evidence at any store size, however small the prior gets."""
        prior = self.settings_["probability_two_random_records_match"]
        odds = prior / (1 - prior) * 2.0 ** self.attach_min_bits
        return min(odds / (1 + odds), self.threshold)

    def _attach_unambiguous(self, clusters, all_pairs, new_keys, prob_of) -> None:
        """Join a lone letter to a person when all its weaker links point at that one person.

        A letter carrying only a phone (or only a name) scores below the threshold against each
        of a repeat petitioner's letters, yet when `attach_min_support` of that person's letters
        share it and no other person does, it is theirs. A phone shared by a family points at
        two persons and attaches nowhere; vetoes still apply.
        """
        weak = all_pairs[(all_pairs["match_probability"] >= self._attach_floor())
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
                if sizes.get(root, 0) < 2 and not clusters.names[root] and not clusters.ids[root]:
                    continue  # another anonymous lone letter is no competing person
                targets.setdefault(root, []).append(p)
            if len(targets) != 1:
                continue
            (root, probs), = targets.items()
            if len(probs) >= self.attach_min_support and clusters.union(k, root):
                prob_of[k] = max(probs)
                sizes[clusters.find(k)] = sizes.pop(root, 0) + 1

    def _assemble(self, letters, new, history, person_of, prob_of):
        hist_person = dict(zip(history["letter_key"], history["person_id"]))
        hist_person.update({k: v for k, v in person_of.items() if k in hist_person})
        out = letters.copy()
        out["person_id"] = out["letter_key"].map(lambda k: person_of.get(k, hist_person.get(k)))
        out["person_match_prob"] = out["letter_key"].map(prob_of).astype(float)
        # repeat counts and first dates over all the person's letters, history included
        hist = history[["letter_key", "received_at"]].copy()
        hist["person_id"] = hist["letter_key"].map(hist_person)
        hist["received_at"] = pd.to_datetime(hist["received_at"], errors="coerce")
        timeline = pd.concat([hist, new[["letter_key", "received_at"]].assign(
            person_id=new["letter_key"].map(person_of))], ignore_index=True)
        timeline = timeline.drop_duplicates("letter_key")
        timeline = timeline.sort_values(["person_id", "received_at", "letter_key"],
                                        na_position="last", kind="stable")
        timeline["repeat_count"] = timeline.groupby("person_id").cumcount() + 1
        first_seen = timeline.groupby("person_id")["received_at"].min()
        repeat = dict(zip(timeline["letter_key"], timeline["repeat_count"]))
        out["repeat_count"] = out["letter_key"].map(repeat).astype("Int64")
        out["first_seen"] = out["person_id"].map(first_seen)
        self.timeline_ = timeline
        return out

    def _near_duplicates(self, out, new, history, pairs):
        """`pairs`: NearDuplicates.pairs of the new letters' signatures (against the history's
        when it has signatures)."""
        hist_frame = history if pairs["in_history"].astype(bool).any() else history.iloc[0:0]
        new_keys = list(new["letter_key"])
        hist_keys = list(hist_frame["letter_key"])
        received = dict(zip(new["letter_key"], new["received_at"]))
        received.update(zip(hist_frame["letter_key"],
                            pd.to_datetime(hist_frame["received_at"], errors="coerce")))
        letter_id = dict(zip(new["letter_key"], new.get("letter_id", new["letter_key"])))
        letter_id.update(zip(hist_frame["letter_key"], hist_frame["letter_id"]))
        person = dict(zip(out["letter_key"], out["person_id"]))
        hist_person = dict(zip(hist_frame["letter_key"], hist_frame["person_id"]))
        for k, v in hist_person.items():
            person.setdefault(k, self.merged_persons_.get(v, v))
        parent: dict[str, str] = {}

        def find(k):
            parent.setdefault(k, k)
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for i, j, in_history in pairs[["i", "j", "in_history"]].itertuples(index=False):
            a = new_keys[i]
            b = hist_keys[j] if in_history else new_keys[j]
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[rb] = ra
        groups: dict[str, list[str]] = {}
        for k in list(parent):
            groups.setdefault(find(k), []).append(k)
        near_of: dict[str, object] = {}
        joint_of: dict[str, str] = {}
        for group in groups.values():
            group.sort(key=lambda k: (_ts(received.get(k)), str(letter_id.get(k)), k))
            first = group[0]
            for k in group[1:]:
                near_of[k] = letter_id.get(first)
            if len({person.get(k) for k in group}) > 1:
                gid = "J" + hashlib.sha1(("joint:" + first).encode()).hexdigest()[:8].upper()
                for k in group:
                    joint_of[k] = gid
        # a letter signed or brought by several people (人数 >= 2) is a joint letter by itself
        if "head_count" in new.columns:
            counts = pd.to_numeric(new["head_count"], errors="coerce")
            for k in new.loc[counts >= 2, "letter_key"]:
                joint_of.setdefault(
                    k, "J" + hashlib.sha1(("joint:" + k).encode()).hexdigest()[:8].upper())
        out["near_duplicate_of"] = out["letter_key"].map(near_of).astype(object)
        out["joint_letter_group"] = out["letter_key"].map(joint_of).astype(object)
        self.near_duplicate_pairs_ = pairs
        return out


def _ts(value) -> float:
    if value is None or pd.isna(value):
        return math.inf
    return pd.Timestamp(value).timestamp()


# ------------------------------------------------------------------------------ persons
def persons_table(linked: pd.DataFrame) -> pd.DataFrame:
    """One row per person: most frequent identity values, letter count, dates, issue types.

    `linked` holds every letter of the persons wanted (history included) with person_id and the
    identity columns. Identity is unmasked here: mask it (pipeline.mask.mask_frame) to export.
    The phone is the most recent one written; name, ID number and address the most frequent.
    For a case manager: `name_forms` (every written form with its count), `phone_count`,
    `letters_per_month` (over the months from first to last letter, at least one) and
    `top_matters` (hot issue where known, else issue type; the three commonest, with counts).
    Sorted by letters, then the most recent contact.
    """
    frame = linked[linked["person_id"].notna()].copy()
    frame["received_at"] = pd.to_datetime(frame.get("received_at"), errors="coerce")
    frame = frame.sort_values(["person_id", "received_at"], na_position="first", kind="stable")
    grouped = frame.groupby("person_id", sort=False)
    persons = pd.DataFrame({
        "letter_count": grouped.size(),
        "first_seen": grouped["received_at"].min(),
        "last_seen": grouped["received_at"].max(),
    })

    def most_frequent(column: str) -> pd.Series:
        if column not in frame.columns:
            return pd.Series(dtype=object)
        counts = frame[["person_id", column]].dropna().value_counts().reset_index(name="n")
        counts = counts.sort_values(["person_id", "n", column], ascending=[True, False, True])
        return counts.drop_duplicates("person_id").set_index("person_id")[column]

    def joined(column: str, counted: bool) -> pd.Series:
        if column not in frame.columns:
            return pd.Series(dtype=object)
        part = frame[["person_id", column]].dropna()
        part = part.assign(**{column: part[column].astype(str)})
        if counted:
            counts = part.value_counts().reset_index(name="n")
            counts = counts.sort_values(["person_id", "n", column], ascending=[True, False, True])
            part = counts.assign(**{column: counts[column] + "(" + counts["n"].astype(str) + ")"})
            part = part[["person_id", column]]
        return part.groupby("person_id", sort=False)[column].agg(";".join)

    persons["name"] = most_frequent("name_clean")
    persons["id_number"] = most_frequent("id_clean")
    if "phone_clean" in frame.columns:
        persons["phone"] = grouped["phone_clean"].last()
    persons["address"] = most_frequent("address")
    writers = frame[["person_id", "writer_key"]].dropna().drop_duplicates() \
        if "writer_key" in frame.columns else frame.iloc[0:0][["person_id"]].assign(writer_key="")
    persons["writer_ids"] = writers.sort_values("writer_key").groupby("person_id")[
        "writer_key"].agg(";".join)
    # the office's own label where it has one, else the classifier's
    if "issue_type" in frame.columns:
        label = frame["label"] if "label" in frame.columns else None
        frame["_issue"] = frame["issue_type"] if label is None else label.where(
            label.notna(), frame["issue_type"])
    elif "label" in frame.columns:
        frame["_issue"] = frame["label"]
    persons["issue_types"] = joined("_issue", counted=True)
    # what a case manager reads first: every form of the name seen, how many phones, how often
    # they call, and about what
    frame["_name_form"] = _name_forms(frame)
    persons["name_forms"] = joined("_name_form", counted=True)
    persons["phone_count"] = (grouped["phone_clean"].nunique() if "phone_clean" in frame.columns
                              else 0)
    months = ((persons["last_seen"] - persons["first_seen"]).dt.days / 30.44).clip(lower=1.0)
    persons["letters_per_month"] = (persons["letter_count"] / months.fillna(1.0)).round(1)
    if "hot_issue_label" in frame.columns and frame["hot_issue_label"].notna().any():
        frame["_matter"] = frame["hot_issue_label"].where(frame["hot_issue_label"].notna(),
                                                          frame.get("_issue"))
    else:
        frame["_matter"] = frame.get("_issue")
    persons["top_matters"] = joined("_matter", counted=True).map(
        lambda v: ";".join(v.split(";")[:3]) if isinstance(v, str) else v)
    persons["letter_ids"] = joined("letter_id", counted=False)
    persons = persons.reset_index().rename(columns={"index": "person_id"})
    columns = ["person_id", "name", "name_forms", "id_number", "phone", "phone_count", "address",
               "writer_ids", "letter_count", "first_seen", "last_seen", "letters_per_month",
               "top_matters", "issue_types", "letter_ids"]
    for column in columns:
        if column not in persons.columns:
            persons[column] = None
    # most letters first, then the most recently heard from
    persons = persons[columns].sort_values(["letter_count", "last_seen", "person_id"],
                                           ascending=[False, False, True], kind="stable",
                                           na_position="last")
    return persons.reset_index(drop=True)


def _name_forms(frame: pd.DataFrame) -> pd.Series:
    """The name as each letter wrote it (李裴东先生, 李先生, 高树海来电 → 高树海), or the name found
    in its text; None where the letter names no one (市民, 先生, ***)."""
    from pipeline.identity import clean_name, partial_name

    raw = frame["name"] if "name" in frame.columns else pd.Series(None, index=frame.index)
    found = frame["name_clean"] if "name_clean" in frame.columns else raw.map(lambda v: None)
    partial = frame["name_partial"] if "name_partial" in frame.columns else found

    def form(value, name, part):
        if isinstance(value, str) and (clean_name(value) or partial_name(value)):
            text = re.sub(r"[^\u3400-\u9fff·]", "", value)
            return re.sub(r"(?:来电|来话|市民)+$", "", text) or text
        if isinstance(name, str):
            return name
        return part if isinstance(part, str) and len(part) > 1 else None

    return pd.Series([form(v, n, p) for v, n, p in zip(raw, found, partial)], index=frame.index,
                     dtype=object)
