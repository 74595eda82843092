"""The Splink linkage model: compared fields and levels, EM training, the saved model, scoring.

Probabilistic record linkage (Fellegi-Sunter) over the cleaned identity fields of
`pipeline.identity`: name (exact / same pinyin / one character off), ID number (exact / one
character off / region and birth date), phone, address (village / town / county), the
platform's writer id, and the letter's wording (share of agreeing MinHash positions of
character 4-gram shingles: near copy / same wording / shared phrases), since a repeat petitioner
re-sends and rewrites the same complaint. Candidate pairs come from blocking on phone, ID prefix
+ birth date, name pinyin + place, and writer id: wording is compared only between letters that
already share an identity field, never used to find them. The m/u weights are EM-estimated on
the batch itself when it is big enough (`train_model`), otherwise read from
`models/linking/splink_model.json` (`load_model`), trained on the linking benchmark
(`benchmarks/linking.py --train`) and never downloaded.

Every function that runs Splink takes its database API (`db_api`): DuckDB in one process (the
default, a fresh in-memory DuckDB per call), `splink.backends.spark.SparkAPI` on a cluster.
The SQL of the comparison levels and blocking rules is DuckDB's.
"""
from __future__ import annotations

import json
import logging
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import PetitionError
from pipeline.paths import MODELS_DIR

DEFAULT_MODEL_PATH = MODELS_DIR / "linking" / "splink_model.json"
# The columns Splink compares (all produced by pipeline.identity.clean_identity).
COMPARE_COLUMNS = (
    "name_clean", "name_pinyin", "id_clean", "id_prefix", "id_birth", "phone_clean",
    "addr_county", "addr_town", "addr_village", "writer_key",
)
log = logging.getLogger(__name__)


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
    from pipeline import minhash

    return minhash.signatures(frame["text"], num_perm=num_perm)


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


_EQUALITY = re.compile(r"^\(?\s*l\.(\w+)\s*=\s*r\.(\w+)\s*\)?$")


def rule_columns(rule: str) -> tuple[str, ...] | None:
    """The columns a blocking rule joins on when it is equalities only (`l.X = r.X AND ...`);
    None for any other rule (a function, an inequality, a column against another)."""
    columns = []
    for part in re.split(r"\s+AND\s+", rule.strip(), flags=re.IGNORECASE):
        match = _EQUALITY.match(part.strip())
        if not match or match.group(1) != match.group(2):
            return None
        columns.append(match.group(1))
    return tuple(columns)


def reachable(history: pd.DataFrame, new: pd.DataFrame, rules) -> pd.Series:
    """History letters some blocking rule can pair with a letter of `new`: for one rule, each of
    its columns holds a value a new letter holds too. Only these can be scored against the batch
    (no term frequencies are used, so the others change no score), and without the rest Splink's
    tables hold the part of a big store a batch can touch, not the whole store. All True when a
    rule is not equalities only."""
    reach = pd.Series(False, index=history.index)
    held: dict[str, pd.Series] = {}  # per column: the history letters holding a new letter's value
    for rule in rules:
        columns = rule_columns(rule)
        if columns is None or any(c not in history.columns or c not in new.columns for c in columns):
            return pd.Series(True, index=history.index)
        both = pd.Series(True, index=history.index)
        for column in columns:
            if column not in held:
                held[column] = history[column].isin(new[column].dropna().unique())
            both &= held[column]
        reach |= both
    return reach


def _has_identity(frame: pd.DataFrame) -> pd.Series:
    return frame[["name_clean", "id_clean", "phone_clean", "writer_key"]].notna().any(axis=1)


def _duckdb_api():
    """A fresh in-memory DuckDB for Splink (the local default)."""
    import duckdb
    from splink import DuckDBAPI

    return DuckDBAPI(duckdb.connect())


def _close(db_api) -> None:
    con = getattr(db_api, "duckdb_con", None)
    if con is not None:
        con.close()


def train_model(letters: pd.DataFrame, seed: int = 42, max_pairs: float = 2e6,
                signatures: np.ndarray | None = None, db_api=None) -> dict:
    """EM-estimate the linkage model on cleaned letters; return the Splink settings dict.

    u from random sampling, then m by EM under three blocking rules so each comparison is
    estimated from pairs not chosen by its own field. The prior (probability that two random
    letters are the same person) comes from the pairs deterministic rules find. `signatures`
    (MinHash rows aligned with `letters`, else made from `letters["text"]`) feed the text
    comparison; without any text the model has no text comparison at all. `db_api`: Splink's
    database API (default: a fresh in-memory DuckDB, closed afterwards).
    """
    from splink import Linker

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
    own = db_api is None
    db_api = _duckdb_api() if own else db_api
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
    if own:
        _close(db_api)
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


def select_model(letters: pd.DataFrame, train: str = "never", model_path: Path | str | None = None,
                 min_train_letters: int = 3000, scale_prior: bool = True, seed: int = 42,
                 signatures: np.ndarray | None = None, db_api=None) -> tuple[dict, str]:
    """The model to link `letters` (history and new, cleaned) with, and where it came from
    ("em" or the saved model's path).

    `train` "auto" EM-estimates the model when at least `min_train_letters` letters carry two
    identity fields and EM gives a plausible model; "always" insists (PetitionError if EM
    fails); otherwise the saved model is used, its prior lowered in proportion when more
    letters are linked than it was trained on (`scale_prior`): in a store ten times bigger a
    random pair is ten times less likely to be one person. `signatures`: MinHash rows aligned
    with `letters`, for EM's text comparison.
    """
    if train in ("auto", "always"):
        personal = letters[["name_clean", "id_clean", "phone_clean"]].notna().sum(axis=1) >= 2
        if int(personal.sum()) >= min_train_letters or train == "always":
            try:
                return train_model(letters, seed=seed, signatures=signatures, db_api=db_api), "em"
            except Exception as error:  # noqa: BLE001 - EM failing is expected on small data
                if train == "always":
                    raise PetitionError(f"EM could not train the linking model: {error}")
                log.info("EM training failed (%s); using the saved model", error)
    path = model_path or DEFAULT_MODEL_PATH
    saved = load_model(path)
    settings = saved["splink"]
    if scale_prior and saved.get("letters"):
        # only ever lowered: a batch of five letters says nothing about how often strangers
        # collide, and a raised prior would link namesakes on the name alone
        n = max(len(letters), saved["letters"])
        prior = settings["probability_two_random_records_match"] * saved["letters"] / n
        settings = {**settings, "probability_two_random_records_match": prior}
    return settings, str(path)


def score_pairs(settings: dict, new: pd.DataFrame, history: pd.DataFrame, threshold: float,
                new_signatures: np.ndarray | None = None,
                history_signatures: np.ndarray | None = None, extra_rules=(),
                db_api=None) -> pd.DataFrame:
    """Blocking and scoring: the pairs (letter_key_l, letter_key_r, match_probability) at or
    above `threshold` among the new letters and between them and `history`.

    Only letters carrying a name, ID number, phone or writer id take part. `extra_rules` are
    blocking rules added to the model's. `db_api`: Splink's database API (default: a fresh
    in-memory DuckDB, closed afterwards). Sorted by the letter keys.
    """
    from splink import Linker

    _quiet_splink()
    rules = [r["blocking_rule"] if isinstance(r, dict) else r
             for r in settings["blocking_rules_to_generate_predictions"]] + list(extra_rules)
    keep = _has_identity(new).to_numpy()
    new_in = _splink_input(new[keep], None if new_signatures is None else new_signatures[keep])
    hist_in = None
    if len(history):
        usable = history_signatures is not None and len(history_signatures) == len(history)
        keep = (_has_identity(history) & reachable(history, new[keep], rules)).to_numpy()
        hist_in = _splink_input(history[keep], history_signatures[keep] if usable else None)
    columns = ["letter_key_l", "letter_key_r", "match_probability"]
    if len(new_in) == 0:
        return pd.DataFrame(columns=columns)
    own = db_api is None
    db_api = _duckdb_api() if own else db_api
    new_sdf = db_api.register(new_in, table_name="new_letters")
    linker = Linker(new_sdf, settings, log_level=None)
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
    if own:
        _close(db_api)
    pairs = pd.concat(frames, ignore_index=True)
    pairs["letter_key_l"] = pairs["letter_key_l"].astype(object)
    pairs["letter_key_r"] = pairs["letter_key_r"].astype(object)
    # DuckDB's threads return rows in no fixed order: sorted, a rerun gives the same pairs
    return pairs.sort_values(["letter_key_l", "letter_key_r"], kind="stable",
                             ignore_index=True)
