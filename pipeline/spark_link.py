"""Person linking on Spark: the local linker's steps, distributed, with the same answers.

`link_persons(spark, letters, history, settings)` adds to a Spark DataFrame of letters the
columns `PetitionerLinker.link` adds (identity columns, letter_key, LINK_COLUMNS). Nothing is
collected on the driver; every step runs the local code on a bounded piece:

1. identity preparation (`clean_identity`, `letter_keys`, the MinHash signatures of
   `NearDuplicates`) per partition through mapInPandas;
2. pairwise scores from Splink's Spark backend with the shipped model (models/linking, prior
   scaled to the letters linked, as locally), within the batch and against the history;
3. the linker's other pair sources, each on its natural group: near-duplicate pairs from the
   MinHash band-key join (`pipeline.spark_graph`), partial-name pairs on those, same-matter pairs
   per surname, rare-full-name pairs per name pinyin (both on buckets of whole groups,
   `pipeline.spark_buckets`: one Python call per bucket, not per group), and the matter as evidence
   (`anonymous_pairs`: an anonymous letter near-copying identified ones, as `pipeline.matter`);
4. connected components in Spark over every pair the merge may use (>= the attach floor) and
   the history persons they touch; the vetoed greedy merge (`merge.VetoMerger`) runs
   on buckets of whole components through applyInPandas. A component holds letters joined by identity-blocked
   pairs, so its size is bounded by the largest set of letters sharing a phone, ID number,
   account or name chain; `max_component` guards against a giant one (a hotline's own number
   written in thousands of letters): such a component keeps only its pairs at or above the
   threshold, which the vetoes bound further;
5. persons: ids as the local ones (`person_id_for(first letter key)`; history persons keep their
   ids), repeat_count and first_seen by window functions over history and batch;
6. near duplicates and joint letters per component of the near-duplicate pairs.

The model is the saved one (the local linker's default, train="never"): EM on Spark is not
done here.
"""
from __future__ import annotations

import copy
import hashlib
import uuid

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from pipeline import merge, splink_model
from pipeline.identity import IDENTITY_COLUMNS, clean_identity
from pipeline.link import PetitionerLinker
from pipeline.minhash import NearDuplicates, lsh_params
from pipeline.persons import _ts, letter_keys
from pipeline.spark_buckets import BUCKET, with_bucket
from pipeline.spark_graph import band_pairs, connected_components

PAIR_COLUMNS = ["letter_key_l", "letter_key_r", "match_probability"]
PAIR_SCHEMA = "letter_key_l string, letter_key_r string, match_probability double"
HISTORY_COLUMNS = ["letter_key", "letter_id", "received_at", "person_id", *IDENTITY_COLUMNS]


def spark_jars() -> str:
    """The jar a session needs for Splink's string functions (damerau_levenshtein): pass it as
    `spark.jars` when building the session."""
    from splink.backends.spark import similarity_jar_location

    return similarity_jar_location()


def make_linker(settings) -> PetitionerLinker:
    """The local linker with the `[link]` settings: its parameters, merge and vetoes."""
    link = {} if settings is None else dict(getattr(settings, "values", {}).get("link", {}))
    known = ("threshold", "near_duplicate_threshold", "num_perm", "attach_min_support",
             "attach_min_bits", "max_name_pairs", "model_path", "scale_prior", "matter_min_share")
    return PetitionerLinker(**{k: v for k, v in link.items() if k in known})


def _model(linker: PetitionerLinker, n_letters: int) -> dict:
    """The saved model, its prior scaled to `n_letters` as the local linker scales it (only the
    number of letters matters for the saved model, so none are collected)."""
    settings, linker.model_source_ = splink_model.select_model(
        pd.DataFrame(index=pd.RangeIndex(n_letters)), train="never",
        model_path=linker.model_path, scale_prior=linker.scale_prior)
    return settings


# ------------------------------------------------------------------------------ 1. preparation
def _schema_with(df: DataFrame, extra: list[tuple[str, T.DataType]]) -> T.StructType:
    fields = [f for f in df.schema.fields if f.name not in {n for n, _ in extra}]
    return T.StructType(fields + [T.StructField(n, t) for n, t in extra])


def prepare(letters: DataFrame, num_perm: int = 64) -> DataFrame:
    """Identity columns, letter_key and the MinHash signature (`sig`, null when the text is too
    short) per letter, computed per partition by the local functions."""
    extra = [(c, T.StringType()) for c in IDENTITY_COLUMNS]
    extra += [("letter_key", T.StringType()),
              ("sig", T.ArrayType(T.LongType()))]
    if "received_at" in letters.columns:
        letters = letters.withColumn("received_at", F.col("received_at").cast("timestamp"))
    else:
        letters = letters.withColumn("received_at", F.lit(None).cast("timestamp"))
    schema = _schema_with(letters, extra)
    names = [f.name for f in schema.fields]
    empty = np.iinfo(np.uint32).max

    def run(batches):
        finder = NearDuplicates(num_perm=num_perm)
        for batch in batches:
            out = clean_identity(batch) if "name_clean" not in batch.columns else batch.copy()
            if "letter_key" not in batch.columns:
                out["letter_key"] = letter_keys(out)
            rows = finder.signatures(out["text"] if "text" in out.columns else [""] * len(out))
            ok = ~(rows == empty).all(axis=1)
            out["sig"] = [r.astype(np.int64).tolist() if good else None
                          for r, good in zip(rows, ok)]
            for column in IDENTITY_COLUMNS:
                out[column] = out[column].astype(object).where(out[column].notna(), None)
            yield out[names]

    return letters.mapInPandas(run, schema)


# ------------------------------------------------------------------------------ 2. Splink
def _spark_condition(sql: str) -> str:
    """A comparison level's DuckDB condition in Spark SQL. The list functions of the text
    comparison are Spark's array functions; the rest is transpiled by sqlglot, which above all
    turns DuckDB's quoted identifiers ("name_clean_l" IS NULL) into Spark's backticks: in Spark
    SQL a double-quoted name is a string literal, never null, so every null level would fall
    through to "else" and each missing field would count as a disagreement."""
    import sqlglot

    if sql.strip().upper() == "ELSE":
        return sql
    sql = (sql.replace("len(list_intersect(text_sig_l, text_sig_r))",
                       "size(array_intersect(text_sig_l, text_sig_r))")
           .replace("len(text_sig_l)", "size(text_sig_l)"))
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


def _spark_settings(settings: dict) -> dict:
    """The saved (DuckDB) model with its SQL written for Spark."""
    settings = copy.deepcopy(settings)
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = _spark_condition(level["sql_condition"])
    settings["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": r["blocking_rule"] if isinstance(r, dict) else r, "sql_dialect": "spark"}
        for r in settings["blocking_rules_to_generate_predictions"]]
    settings["sql_dialect"] = "spark"
    return settings


def _splink_frame(prepared: DataFrame, num_perm: int) -> DataFrame:
    """The compared columns of letters carrying identity, with the position-tagged signature
    (`text_sig`) the text comparison counts agreeing positions of."""
    shift = max(num_perm - 1, 1).bit_length()
    has_identity = F.lit(False)
    for column in ("name_clean", "id_clean", "phone_clean", "writer_key"):
        has_identity = has_identity | F.col(column).isNotNull()
    tagged = F.transform("sig", lambda v, i: F.shiftleft(F.shiftright(v, shift), shift)
                         .bitwiseOR(i.cast("long")))
    return prepared.where(has_identity).select(
        "letter_key", *splink_model.COMPARE_COLUMNS, tagged.alias("text_sig"))


def score_pairs(spark: SparkSession, new: DataFrame, history: DataFrame | None,
                model: dict, threshold: float, name_alone: bool, num_perm: int) -> DataFrame:
    """Splink (Spark backend) pairs at or above `threshold`, new x new and new x history."""
    import warnings

    from splink import Linker
    from splink.backends.spark import SparkAPI

    db_api = SparkAPI(spark_session=spark, break_lineage_method="persist")
    run = uuid.uuid4().hex[:12]  # table names are per call: a session links many batches
    settings = _spark_settings(model)
    rules = [r["blocking_rule"] for r in settings["blocking_rules_to_generate_predictions"]]
    if name_alone:
        rules.append("l.name_pinyin = r.name_pinyin")
    new_sdf = db_api.register(_splink_frame(new, num_perm),
                              table_name=f"spark_new_letters_{run}")
    linker = Linker(new_sdf, settings, log_level=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frames = [linker.inference.predict_within(
            new_sdf, threshold_match_probability=threshold, warning_mode="never",
            blocking_rules_to_generate_predictions=rules).as_spark_dataframe()]
        if history is not None:
            hist_sdf = db_api.register(_splink_frame(history, num_perm),
                                       table_name=f"spark_history_letters_{run}")
            frames.append(linker.inference.predict_between(
                new_sdf, hist_sdf, threshold_match_probability=threshold, warning_mode="never",
                blocking_rules_to_generate_predictions=rules).as_spark_dataframe())
    out = frames[0].select(*PAIR_COLUMNS)
    for frame in frames[1:]:
        out = out.union(frame.select(*PAIR_COLUMNS))
    return out.localCheckpoint()


# ------------------------------------------------------------------------------ 3. other pairs
def _empty_sig(num_perm: int) -> np.ndarray:
    return np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)


def _sig_rows(values, num_perm: int) -> np.ndarray:
    rows = [np.asarray(v, dtype=np.uint32) if v is not None and len(v) else _empty_sig(num_perm)
            for v in values]
    return np.vstack(rows) if rows else np.zeros((0, num_perm), np.uint32)


def written_name_pairs(near: DataFrame, both: DataFrame) -> DataFrame:
    """`merge.written_name_pairs` on the near-duplicate pairs: partial names of one surname and
    agreeing titles."""
    names = both.select("letter_key", "name_partial", "name_clean")
    joined = (near.join(names.toDF("key_l", "partial_l", "full_l"), "key_l")
              .join(names.toDF("key_r", "partial_r", "full_r"), "key_r")
              .where(F.col("partial_l").isNotNull() & F.col("partial_r").isNotNull()
                     & (F.col("full_l").isNull() | F.col("full_r").isNull())))

    def run(batches):
        for b in batches:
            keep = [merge._surname_of(x) == merge._surname_of(y) and merge._sexes_agree(x, y)
                    for x, y in zip(b["partial_l"], b["partial_r"])]
            part = b[keep]
            yield pd.DataFrame({"letter_key_l": part["key_l"], "letter_key_r": part["key_r"],
                                "match_probability": merge.WRITTEN_NAME_PROB})

    return joined.mapInPandas(run, PAIR_SCHEMA)


def same_matter_pairs(new: DataFrame, history: DataFrame | None, num_perm: int) -> DataFrame:
    """`merge.same_matter_pairs` on buckets of whole surnames of the written (partial) name: the
    local function compares only letters of one surname, so a bucket of surnames gives the pairs
    each surname would give alone (`spark_buckets`)."""
    cols = ["letter_key", "name_clean", "name_partial", "received_at", "sig"]
    both = new.select(*cols, F.lit(True).alias("_new"))
    if history is not None:
        both = both.unionByName(history.select(*cols, F.lit(False).alias("_new")))
    both = both.where(F.col("name_partial").isNotNull())
    surname = F.udf(merge._surname_of, "string")
    both = with_bucket(both.withColumn("_surname", surname("name_partial")), "_surname")

    def run(group: pd.DataFrame) -> pd.DataFrame:
        if not group["_new"].any():
            return pd.DataFrame(columns=PAIR_COLUMNS)
        new_g, hist_g = group[group["_new"]], group[~group["_new"]]
        hist_sig = _sig_rows(hist_g["sig"], num_perm) if len(hist_g) else None
        return merge.same_matter_pairs(new_g.reset_index(drop=True), hist_g.reset_index(drop=True),
                                  _sig_rows(new_g["sig"], num_perm), hist_sig)[PAIR_COLUMNS]

    return both.groupBy(BUCKET).applyInPandas(run, PAIR_SCHEMA)


def rare_name_pairs(new: DataFrame, history: DataFrame | None) -> DataFrame:
    """`merge.rare_name_pairs` on buckets of whole name pinyins (`spark_buckets`): the local
    function judges and pairs each pinyin's letters apart. Whether a given name is common depends
    on every name seen (王秀英, 李秀英 make 秀英 common): per given name, the smallest and largest
    full name stand for all (they differ in surname exactly when two surnames carry it), and the
    bucket's other names are names seen too, so they change no verdict."""
    cols = ["letter_key", "name_clean", "name_pinyin", "id_clean", "addr_county", "received_at"]
    both = new.select(*cols, F.lit(True).alias("_new"))
    if history is not None:
        both = both.unionByName(history.select(*cols, F.lit(False).alias("_new")))
    given = F.udf(lambda n: merge._given(n) if n else None, "string")
    named = both.where(F.col("name_clean").isNotNull() & (F.length("name_clean") >= 3)) \
        .withColumn("_given", given("name_clean"))
    known = named.groupBy("_given").agg(F.array(F.min("name_clean"), F.max("name_clean"))
                                        .alias("_known"))
    touched = named.where("_new").select("name_pinyin").distinct()
    rows = with_bucket(named.join(touched, "name_pinyin").join(known, "_given"), "name_pinyin")

    def run(group: pd.DataFrame) -> pd.DataFrame:
        known_names = sorted({n for arr in group["_known"] for n in arr})
        new_g = group[group["_new"]][cols]
        # names seen elsewhere enter as stored names of no pinyin: they only count surnames
        hist_g = pd.concat([group[~group["_new"]][cols],
                            pd.DataFrame({"name_clean": known_names})], ignore_index=True)
        return merge.rare_name_pairs(new_g.reset_index(drop=True), hist_g)[PAIR_COLUMNS]

    return rows.groupBy(BUCKET).applyInPandas(run, PAIR_SCHEMA)


def anonymous_pairs(new: DataFrame, history: DataFrame | None, probability: float,
                    min_share: float, num_perm: int) -> DataFrame:
    """`matter.anonymous_pairs` on Spark: weak pairs (letter_key_l: a new letter carrying no
    identity, letter_key_r: a new or stored letter carrying some) whose signatures agree on at
    least `min_share` of their positions and whose named places agree (`matter.places_agree`).

    The same pairs as the local function: candidates from the band-key join of the anonymous
    letters against the identified ones (`lsh_params(min_share)`, as `minhash.pairs`), at most
    `matter.MAX_CANDIDATES` per anonymous letter, kept in the local function's order (stored
    letters first, the last in the store's order, `letter_key`, first; then the batch's, the
    last read first), then the share and the places checked. Nothing is collected: the join is
    bounded by the band buckets of the anonymous letters."""
    from pipeline import matter
    from pipeline.minhash import lsh_params
    from pipeline.spark_graph import agreeing_share, band_keys
    from pipeline.spark_session import INPUT_ORDER

    if min_share <= 0:
        return new.sparkSession.createDataFrame([], PAIR_SCHEMA)

    def identified(frame: DataFrame):
        present = F.lit(False)
        for column in matter.ANCHOR_COLUMNS:
            if column in frame.columns:
                present = present | F.col(column).isNotNull()
        return present

    def side(frame: DataFrame, stored: bool, order):
        places = F.col("matter_places") if "matter_places" in frame.columns else F.lit(None).cast("string")
        return frame.where(F.col("sig").isNotNull()).select(
            "letter_key", "sig", places.alias("places"), F.lit(stored).alias("_stored"),
            order.alias("_order"), identified(frame).alias("_identified"))

    order_new = F.col(INPUT_ORDER).cast("long") if INPUT_ORDER in new.columns else F.lit(None).cast("long")
    letters = side(new, False, order_new)
    anonymous = letters.where(~F.col("_identified"))
    anchors = letters.where("_identified")
    if history is not None:
        anchors = anchors.unionByName(side(history, True, F.lit(None).cast("long")).where("_identified"))
    bands, rows = lsh_params(min_share, num_perm)
    keys_l = band_keys(anonymous.select(F.col("letter_key").alias("id"), "sig"), bands, rows)
    keys_r = band_keys(anchors.select(F.col("letter_key").alias("id"), "sig"), bands, rows)
    cand = keys_l.withColumnRenamed("id", "letter_key_l").join(
        keys_r.withColumnRenamed("id", "letter_key_r"), ["band", "key"]) \
        .select("letter_key_l", "letter_key_r").distinct()
    right = anchors.select(F.col("letter_key").alias("letter_key_r"), F.col("sig").alias("sig_r"),
                           F.col("places").alias("places_r"), "_stored", "_order")
    first = Window.partitionBy("letter_key_l").orderBy(
        F.col("_stored").desc(), F.col("_order").desc_nulls_last(), F.col("letter_key_r").desc())
    cand = cand.join(right, "letter_key_r").withColumn("_rank", F.row_number().over(first)) \
        .where(F.col("_rank") <= matter.MAX_CANDIDATES)
    left = anonymous.select(F.col("letter_key").alias("letter_key_l"), F.col("sig").alias("sig_l"),
                            F.col("places").alias("places_l"))
    pairs = cand.join(left, "letter_key_l")
    split = lambda c: F.split(F.col(c), "[" + matter.PLACE_SEPARATOR + "]")  # noqa: E731
    places_agree = (F.coalesce(F.col("places_l"), F.lit("")) == "") \
        | (F.coalesce(F.col("places_r"), F.lit("")) == "") | F.arrays_overlap(split("places_l"), split("places_r"))
    return pairs.where((agreeing_share("sig_l", "sig_r") >= min_share) & places_agree).select(
        "letter_key_l", "letter_key_r", F.lit(float(probability)).alias("match_probability"))


# ------------------------------------------------------------------------------ 4. merge
MERGE_COLUMNS = ["letter_key", "name_clean", "name_pinyin", "name_partial", "id_clean",
                 "addr_county", "phone_clean", "writer_key", "received_at"]


def merge_components(new: DataFrame, history: DataFrame | None, pairs: DataFrame,
                     linker: PetitionerLinker, max_component: int) -> DataFrame:
    """(letter_key, person_id, person_match_prob) for every letter in a component of the
    pairs, by the local merge with vetoes (`merge.VetoMerger`) run on buckets of whole
    components (`spark_buckets`): no pair joins two components, so the greedy merge and its
    vetoes place each component's letters as they would with the component alone (the local
    engine runs one merge over the whole batch)."""
    nodes_new = new.select(*MERGE_COLUMNS, F.lit(None).cast("string").alias("person_id"),
                           F.lit(True).alias("_new"))
    edges = pairs.select(F.col("letter_key_l").alias("src"), F.col("letter_key_r").alias("dst"))
    nodes = nodes_new
    if history is not None:
        involved = pairs.select(F.col("letter_key_l").alias("letter_key")).union(
            pairs.select(F.col("letter_key_r").alias("letter_key"))).distinct()
        touched = history.join(involved, "letter_key").select("person_id").distinct()
        hist_rows = history.join(touched, "person_id")
        # a history person stays whole: its letters are one component with its person node
        edges = edges.union(hist_rows.select(F.col("letter_key").alias("src"),
                                             F.concat(F.lit("~"), "person_id").alias("dst")))
        nodes = nodes.unionByName(hist_rows.select(*MERGE_COLUMNS, "person_id",
                                                   F.lit(False).alias("_new")))
    comp = connected_components(edges).withColumnRenamed("node", "letter_key")
    sizes = comp.groupBy("component").agg(F.count("*").alias("_size"))
    comp = comp.join(sizes, "component").localCheckpoint()
    nodes = with_bucket(nodes.join(comp.select("letter_key", "component"), "letter_key"),
                        "component").localCheckpoint()
    keyed = pairs.join(comp.select(F.col("letter_key").alias("letter_key_l"), "component",
                                   "_size"), "letter_key_l")
    # a giant component keeps only its strong pairs (see the module docstring)
    keyed = with_bucket(keyed.where((F.col("_size") <= max_component)
                                    | (F.col("match_probability") >= linker.threshold))
                        .drop("_size"), "component").localCheckpoint()
    threshold, floor, support = (linker.threshold, linker._attach_floor(),
                                 linker.attach_min_support)

    def run(rows: pd.DataFrame, pairs_c: pd.DataFrame) -> pd.DataFrame:
        for column in MERGE_COLUMNS[:-1] + ["person_id"]:  # the vetoes test None, not NaN
            rows[column] = rows[column].astype(object).where(rows[column].notna(), None)
        new_c = rows[rows["_new"]].reset_index(drop=True)
        hist_c = rows[~rows["_new"]].reset_index(drop=True)
        pairs_c = pairs_c.sort_values(["match_probability", "letter_key_l", "letter_key_r"],
                                      ascending=[False, True, True], kind="stable")
        merger = merge.VetoMerger(threshold, floor, support).fit(new_c, hist_c,
                                                                 pairs_c[PAIR_COLUMNS])
        person_of, prob_of = merger.person_of_, merger.prob_of_
        keys = list(person_of)
        return pd.DataFrame({"letter_key": keys, "person_id": [person_of[k] for k in keys],
                             "person_match_prob": [prob_of.get(k, np.nan) for k in keys]})

    return nodes.groupBy(BUCKET).cogroup(keyed.groupBy(BUCKET)).applyInPandas(
        run, "letter_key string, person_id string, person_match_prob double")


# ------------------------------------------------------------------------------ 5-6. assemble
def _person_id_col(key):
    """`person_id_for` as a column expression."""
    return F.concat(F.lit("P"), F.upper(F.substring(F.sha1(F.concat(F.lit("person:"), key)),
                                                      1, 10)))


def _joint_id(first: str) -> str:
    return "J" + hashlib.sha1(("joint:" + first).encode()).hexdigest()[:8].upper()


def near_duplicate_links(near: DataFrame, rows: DataFrame) -> DataFrame:
    """(letter_key, near_duplicate_of, joint_letter_group) per component of the near-duplicate
    pairs: the earliest letter is the original, and a group spanning persons is a joint letter
    (as `PetitionerLinker` does). `rows`: letter_key, received_at, letter_id,
    person_id of the new and the history letters."""
    comp = connected_components(near.select(F.col("key_l").alias("src"),
                                            F.col("key_r").alias("dst")))
    grouped = comp.withColumnRenamed("node", "letter_key").join(rows, "letter_key")

    def run(group: pd.DataFrame) -> pd.DataFrame:
        order = sorted(range(len(group)), key=lambda i: (
            _ts(group["received_at"].iloc[i]), str(group["letter_id"].iloc[i]),
            group["letter_key"].iloc[i]))
        group = group.iloc[order]
        first_key, first_id = group["letter_key"].iloc[0], group["letter_id"].iloc[0]
        near_of = [None] + [first_id] * (len(group) - 1)
        joint = _joint_id(first_key) if group["person_id"].nunique(dropna=False) > 1 else None
        return pd.DataFrame({"letter_key": group["letter_key"], "near_duplicate_of": near_of,
                             "joint_letter_group": joint})

    return grouped.groupBy("component").applyInPandas(
        run, "letter_key string, near_duplicate_of string, joint_letter_group string")


def link_persons(spark: SparkSession, letters: DataFrame, history: DataFrame | None = None,
                 settings=None, max_component: int = 100_000,
                 linker: PetitionerLinker | None = None) -> DataFrame:
    """`letters` with the identity columns, letter_key, `sig` and LINK_COLUMNS, as
    `PetitionerLinker().link` gives them; `history`: earlier linked letters (letter_key,
    letter_id, received_at, person_id, the identity columns, and `sig` for near-duplicates
    against them), e.g. a previous output of this function. `linker`: the parameters to use
    (default: from `settings`); afterwards it holds the model used (`settings_`), so
    `linker.model_version()` names it as the local engine's run.json does."""
    linker = linker or make_linker(settings)
    num_perm = linker.num_perm
    prepared = prepare(letters, num_perm).localCheckpoint()
    new = prepared.dropDuplicates(["letter_key"])
    if history is not None:
        if "sig" not in history.columns:
            history = history.withColumn("sig", F.lit(None).cast("array<bigint>"))
        history = history.withColumn("received_at", F.col("received_at").cast("timestamp"))
        new = new.join(history.select("letter_key"), "letter_key", "left_anti")
    new = new.localCheckpoint()
    n_new = new.count()
    n_hist = history.count() if history is not None else 0
    linker.settings_ = _model(linker, n_new + n_hist)

    # name-alone blocking while it stays small (the local `_name_pairs`)
    counts = new.groupBy("name_pinyin").count().where(F.col("name_pinyin").isNotNull())
    name_pairs = counts.select(F.sum(F.col("count") * (F.col("count") - 1) / 2)).first()[0] or 0
    if history is not None:
        hist_counts = history.groupBy("name_pinyin").agg(F.count("*").alias("h"))
        name_pairs += counts.join(hist_counts, "name_pinyin").select(
            F.sum(F.col("count") * F.col("h"))).first()[0] or 0
    floor = min(linker.threshold, linker._attach_floor())
    scored = score_pairs(spark, new, history, linker.settings_, floor,
                         name_pairs <= linker.max_name_pairs, num_perm)

    # near duplicates: the band-key join over new and history signatures, new letters in each
    bands, rows_per_band = lsh_params(linker.near_duplicate_threshold, num_perm)
    sigs = new.select(F.col("letter_key").alias("id"), "sig", F.lit(True).alias("_new"))
    if history is not None:
        sigs = sigs.union(history.select(F.col("letter_key").alias("id"), "sig",
                                         F.lit(False).alias("_new")))
    near = band_pairs(sigs.select("id", "sig"), linker.near_duplicate_threshold, bands,
                      rows_per_band)
    if history is not None:
        is_new = sigs.select("id", "_new")
        near = (near.join(is_new.toDF("id_l", "new_l"), "id_l")
                .join(is_new.toDF("id_r", "new_r"), "id_r").where("new_l OR new_r"))
    near = near.select(F.col("id_l").alias("key_l"), F.col("id_r").alias("key_r")) \
        .localCheckpoint()

    both = new.select("letter_key", "name_partial", "name_clean")
    if history is not None:
        both = both.union(history.select("letter_key", "name_partial", "name_clean"))
    pairs = (scored.union(rare_name_pairs(new, history))
             .union(written_name_pairs(near, both))
             .union(same_matter_pairs(new, history, num_perm))
             .union(anonymous_pairs(new, history, linker._weak_probability(),
                                    linker.matter_min_share, num_perm)))
    # one row per pair, at its strongest
    pairs = pairs.withColumn("_a", F.least("letter_key_l", "letter_key_r")) \
        .withColumn("_b", F.greatest("letter_key_l", "letter_key_r")) \
        .groupBy("_a", "_b").agg(F.max("match_probability").alias("match_probability")) \
        .select(F.col("_a").alias("letter_key_l"), F.col("_b").alias("letter_key_r"),
                "match_probability").localCheckpoint()

    merged = merge_components(new, history, pairs, linker, max_component).localCheckpoint()
    person = new.select("letter_key", "received_at").join(merged, "letter_key", "left") \
        .withColumn("person_id", F.coalesce("person_id", _person_id_col(F.col("letter_key"))))
    timeline = person.select("letter_key", "received_at", "person_id")
    if history is not None:
        # history persons merged by this batch move to the id they were merged into
        remap = history.select("letter_key", F.col("person_id").alias("old")).join(
            merged.select("letter_key", F.col("person_id").alias("new_id")), "letter_key")
        remap = remap.groupBy("old").agg(F.min("new_id").alias("new_id"))
        hist_people = history.select("letter_key", "received_at", "person_id").join(
            remap.withColumnRenamed("old", "person_id"), "person_id", "left").select(
            "letter_key", "received_at",
            F.coalesce("new_id", "person_id").alias("person_id"))
        timeline = timeline.unionByName(hist_people)
    order = Window.partitionBy("person_id").orderBy(F.col("received_at").asc_nulls_last(),
                                                    "letter_key")
    timeline = timeline.select(
        "letter_key", "person_id", F.row_number().over(order).alias("repeat_count"),
        F.min("received_at").over(Window.partitionBy("person_id")).alias("first_seen"))

    near_rows = new.select("letter_key", "received_at", "letter_id")
    if history is not None:
        near_rows = near_rows.unionByName(history.select("letter_key", "received_at",
                                                         "letter_id"))
    near_rows = near_rows.join(timeline.select("letter_key", "person_id"), "letter_key")
    links = near_duplicate_links(near, near_rows)

    out = prepared.join(timeline, "letter_key", "left") \
        .join(merged.select("letter_key", "person_match_prob"), "letter_key", "left") \
        .join(links, "letter_key", "left")
    if "head_count" in out.columns:  # a letter signed by several people is a joint letter
        joint = F.when(F.col("head_count").cast("double") >= 2,
                       F.concat(F.lit("J"), F.upper(F.substring(
                           F.sha1(F.concat(F.lit("joint:"), "letter_key")), 1, 8))))
        out = out.withColumn("joint_letter_group", F.coalesce("joint_letter_group", joint))
    return out
