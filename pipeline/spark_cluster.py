"""Hot issues on Spark: the steps of `pipeline.cluster.IssueClusterer`, distributed.

Each step calls the estimator's own method, so a pair of letters is judged by the same rule on
both engines; only the plumbing differs. Nothing collects all letters on the driver: what
reaches it is bounded by the vocabulary, the distinct place names, or the issues.

a. distinct texts (the same dedupe key) get their features per partition (`mapInPandas`,
   `letter_features`; jieba loads once per Python worker);
b. document frequencies are a Spark aggregation; the vocabulary (words in 2+ letters) is fitted
   on the driver and broadcast with the model; place spellings (`variant_pairs`,
   `merge_variants`) and too-common places come from per-place aggregates;
c. candidate pairs come from blocks instead of the all-pairs sparse product: letters sharing a
   specific place, a rare word (in at most `max_block` letters), or a near-copy pair (MinHash
   band-key join, `pipeline.spark_graph.minhash_band_pairs`). The rows are shuffled once by block
   key, each carrying its letter's vectors, and the cosines of many blocks are one sparse product
   (`_block_similarities`, `_block_pairs`: the local engine's arithmetic); only pairs at or over `pair_floor`
   leave it, as ids and two cosines. Their place sets (a few strings) are joined on and
   `score_pair` decides. Before issue 18's rework every candidate pair was joined to both
   letters' full vectors (two shuffles of fat rows), which made this step 60% of the engine's
   time on 10^4 letters and ran a 1 GB driver out of memory;
d. connected components of the linked pairs (`pipeline.spark_graph.connected_components`),
   then per component `component_issues` (`applyInPandas`, dense only inside a component); per
   part its `issue_evidence`, and the parts that are one problem joined on the driver
   (`pipeline.issue_merge.join_issues`, one row per part); per issue `describe_places`, the centroid, the representative text and word counts, and per
   issue `issue_row` over its letters; `keywords` runs on the driver over the issues' counts;
e. `rank` (heat) on the issue table, one row per issue.

Issue ids persist through the same state file as the local engine (`relabel_from`'s rule,
`inherited_ids`). The blocking join is the one approximation: a pair the local engine links
through common words only (no shared place, no rare word, no near-copy) is not a candidate.
"""
from __future__ import annotations

import pickle
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.preprocessing import normalize

from pipeline.cluster import (
    MAX_DF, MAX_DF_MIN_DOCS, WRITER_COLUMNS, IssueClusterer, dedupe_key, hidden_words, letter_districts, most_typical,
    person_names, row_cosines,
)
from pipeline.issue_merge import IssueEvidence, batch_name_kinds, company_names, join_issues, join_notes, part_name
from pipeline.issue_places import CITY_MARK, MARKS, RULE_MARK, batch_constants, canonical, letter_group, office_city, spot_names
from pipeline.places import COLUMN_LEVELS, UNKNOWN_PLACE
from pipeline.mask import known_names_pattern
from pipeline.calls import spark_filter
from pipeline.spark_session import INPUT_ORDER

_PARAMS = ("min_letters", "near_dup_sim", "same_place_sim", "weak_place_sim", "no_place_sim", "split_distance",
           "max_place_share", "assign_sim", "title_weight", "n_keywords", "heat_weights", "variant_sim", "rejoin_sim")
_TOKENIZER = None  # one jieba per Python worker, however many tasks it runs


def clusterer_from_settings(settings=None) -> IssueClusterer:
    """The estimator with the `[cluster]` settings (when the config has that section)."""
    section = settings.section("cluster") if settings is not None else {}
    return IssueClusterer(n_jobs=1, **{k: v for k, v in section.items() if k in _PARAMS})


def _worker_model(bc) -> IssueClusterer:
    global _TOKENIZER
    model = bc.value
    if model.tokenizer is None:
        if _TOKENIZER is None:
            from pipeline.tokenize import Tokenizer

            _TOKENIZER = Tokenizer()
        model.tokenizer = _TOKENIZER
    return model


def _names_pattern(letters, docs):
    """`known_names_pattern` of the whole batch's `person_names`, as the local engine builds it: the
    distinct names come to the driver, the names the distinct texts introduce by a cue are found
    per partition."""
    names = [r[0] for r in letters.select("name").distinct().collect()] if "name" in letters.columns else []

    def cued(rows):
        part = [(r[0], r[1]) for r in rows]
        yield sorted(person_names([], [t for t, _ in part], [x for _, x in part]))

    found = person_names([n for n in names if n is not None], [], [])
    for names_of_part in docs.select("title", "text").rdd.mapPartitions(cued).collect():
        found.update(names_of_part)
    return known_names_pattern(found)


def _csr(indices, values, width: int) -> sparse.csr_matrix:
    """Rows given as (index array, value array) pairs."""
    indices, values = list(indices), list(values)
    lengths = [len(i) for i in indices]
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    idx = np.concatenate([np.asarray(i, np.int64) for i in indices]) if indices else np.zeros(0, np.int64)
    val = np.concatenate([np.asarray(v, np.float32) for v in values]) if values else np.zeros(0, np.float32)
    return sparse.csr_matrix((val, idx, indptr), shape=(len(indices), width))


def _writers_of(items, wanted, doc_who) -> dict[str, int]:
    """How many different writers wrote each of the `wanted` items (`items`: doc, item rows; one
    row per item a distinct text holds), from the (doc, who) pairs: `writer_frequencies` on Spark.
    Only the few items over a cap are asked for."""
    from pyspark.sql import functions as F

    if not wanted:
        return {}
    rows = items.where(F.col("item").isin(sorted(wanted))).join(doc_who, "doc") \
        .groupBy("item").agg(F.countDistinct("who").alias("n")).collect()
    return {r["item"]: int(r["n"]) for r in rows}


def _sets(column) -> list[frozenset]:
    return [frozenset(x) for x in column]


def cluster_issues(spark, letters_sdf, settings=None, state_path: str | Path | None = None,
                   max_block: int = 100, model: IssueClusterer | None = None):
    """(letters with issue_id, hot_issue_label, deep_seated, issue_by_wording; the issue table as pandas), as
    `PetitionRun.cluster` gives them locally. `letters_sdf` needs letter_id and title or text."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from pipeline.spark_graph import connected_components, minhash_band_pairs

    model = model or clusterer_from_settings(settings)
    cols = letters_sdf.columns
    # the letters' order as read when the engine numbered them; else as they stand (no shuffle yet)
    order = F.col(INPUT_ORDER).cast("long") if INPUT_ORDER in cols else F.monotonically_increasing_id()
    base = letters_sdf.withColumn("_row", order).localCheckpoint()
    letters = base
    letters = letters.where(spark_filter(cols))  # calls with no request form no issue (`pipeline.calls`)
    for col in ("title", "text"):
        letters = letters.withColumn(col, F.coalesce(F.col(col).cast("string"), F.lit("")) if col in cols else F.lit(""))
    letters = letters.withColumn("received_at", F.col("received_at").cast("timestamp") if "received_at" in cols
                                 else F.lit(None).cast("timestamp"))
    # one pass for the column that says who wrote (the first with a value) and the last date (heat's reference)
    seen = letters.agg(F.max("received_at").alias("ref"), *[F.count(c).alias(c) for c in WRITER_COLUMNS if c in cols]).first()
    writer_col = next((c for c in WRITER_COLUMNS if c in cols and seen[c]), None)
    key = F.udf(dedupe_key, T.StringType())
    letters = letters.withColumn("_key", key("title", "text"))
    # a distinct text is known by its first letter's row number (the local engine's order)
    who = F.coalesce(F.col(writer_col).cast("string"), F.concat(F.lit("§row"), F.col("_row").cast("string"))) \
        if writer_col else F.col("_row").cast("string")
    # the office's own unit of the first letter (`pipeline.issue_merge`, `office_units`): its street or town,
    # else its district, where the file has the columns
    units = [F.nullif(F.trim(F.col(c).cast("string")), F.lit("")) for c in ("place_town", "place_county") if c in cols]
    units = [F.when(~u.isin(*sorted(UNKNOWN_PLACE)), u) for u in units]
    office = F.coalesce(*units) if units else F.lit(None).cast("string")
    # and its city (`office_cities`), which vetoes links and joins when the batch holds several
    city = F.nullif(F.trim(F.col("place_city").cast("string")), F.lit("")) if "place_city" in cols else None
    city = F.when(~city.isin(*sorted(UNKNOWN_PLACE)), city) if city is not None else F.lit(None).cast("string")
    docs = letters.groupBy("_key").agg(
        F.min_by(F.struct("_row", "title", "text", office.alias("office"), city.alias("city")), "_row").alias("first"),
        F.count("*").alias("weight"), F.countDistinct(who).alias("writers"))
    docs = docs.select(F.col("first._row").alias("doc"), "first.title", "first.text", "first.office", "first.city",
                       "weight", "writers", "_key")
    letters = letters.join(docs.select("_key", F.col("doc").alias("_doc")), "_key").drop("_key").localCheckpoint()
    docs = docs.drop("_key").localCheckpoint()
    n = docs.count()

    # a. features, row-wise
    bc = spark.sparkContext.broadcast(model)
    strings = T.ArrayType(T.StringType())
    feat_schema = T.StructType([T.StructField("doc", T.LongType())] + [
        T.StructField(c, strings) for c in ("tokens", "grievance", "places", "title_places", "districts")])

    several_cities = docs.select("city").where(F.col("city").isNotNull()).distinct().limit(2).count() >= 2

    def features(batches):
        m = _worker_model(bc)
        for b in batches:
            f = m.letter_features(b["title"].tolist(), b["text"].tolist(), n_jobs=1)
            if several_cities:  # `with_office_cities`, told by the driver that the batch has two or more
                f["districts"] = [d | {CITY_MARK + c} if isinstance(c, str) else d for d, c in zip(f["districts"], b["city"])]
            f["districts"] = [sorted(d) for d in f["districts"]]
            yield f.assign(doc=b["doc"].to_numpy())[["doc", "tokens", "grievance", "places", "title_places", "districts"]]

    feats = docs.select("doc", "title", "text", "city").mapInPandas(features, feat_schema).localCheckpoint()

    # b. vocabulary: document frequencies aggregated here, the (bounded) vocabulary fitted on the driver;
    # the few words over the cap are counted in writers too (`IssueClusterer.common_words`)
    df_table = feats.select(F.explode(F.array_distinct("tokens")).alias("token")).groupBy("token").count()
    doc_who = letters.select(F.col("_doc").alias("doc"), who.alias("who")).distinct()
    over = {r["token"]: r["count"] for r in df_table.where(F.col("count") > MAX_DF * n).collect()} \
        if n >= MAX_DF_MIN_DOCS else {}
    # the batch's writers are counted only when a word or a place is over its cap (one more job)
    n_writers = doc_who.select("who").distinct().count() if over else 0
    word_writers = _writers_of(feats.select("doc", F.explode(F.array_distinct("tokens")).alias("item")), over, doc_who)
    common = model.common_words(over, n, word_writers, n_writers)
    shared = df_table.where(F.col("count") >= 2).limit(1).count() > 0
    kept = df_table.where((F.col("count") >= (2 if shared else 1)) & ~F.col("token").isin(sorted(common)))
    model.fit_vocabulary({r["token"]: r["count"] for r in kept.collect()}, n, word_writers, n_writers)
    bc = spark.sparkContext.broadcast(model)

    vec_schema = T.StructType([T.StructField("doc", T.LongType()), T.StructField("gi", T.ArrayType(T.IntegerType())),
                               T.StructField("gv", T.ArrayType(T.FloatType()))])

    def grievance_vectors(batches):
        m = _worker_model(bc)
        for b in batches:
            G = normalize(m.vectorizer_.transform(list(b["grievance"]))).tocsr()
            rows = [G.getrow(k) for k in range(G.shape[0])]
            yield pd.DataFrame({"doc": b["doc"], "gi": [r.indices.tolist() for r in rows], "gv": [r.data.tolist() for r in rows]})

    gvec = feats.select("doc", "grievance").mapInPandas(grievance_vectors, vec_schema)
    V = len(model.vectorizer_.vocabulary_)

    # b. places: spellings of one place from per-place aggregates, then the too-common ones
    canon = F.udf(lambda ps: sorted({canonical(p) for p in ps}), strings)
    per_place = feats.select("doc", F.explode(canon("places")).alias("place"), "districts") \
        .join(docs.select("doc", "weight"), "doc")
    place_rows = per_place.select("place", F.explode_outer("districts").alias("district"), "doc", "weight") \
        .groupBy("place", "district").agg(F.count("doc").alias("n")).collect()
    place_districts: dict[str, Counter] = {}
    for r in place_rows:
        c = place_districts.setdefault(r["place"], Counter())
        if r["district"] is not None and not r["district"].startswith(MARKS):  # as `without_marks`
            c[r["district"]] += r["n"]
    freq = {r["place"]: float(r["w"]) for r in per_place.groupBy("place").agg(F.sum("weight").alias("w")).collect()}
    pairs = model.variant_pairs(place_districts)
    sims = []
    if pairs:
        wanted = sorted({p for a, b, _ in pairs for p in (a, b)})
        sums = (per_place.where(F.col("place").isin(wanted)).select("place", "doc").join(gvec, "doc")
                .select("place", F.explode(F.arrays_zip("gi", "gv")).alias("e"))
                .groupBy("place", F.col("e.gi").alias("i")).agg(F.sum("e.gv").alias("v")).collect())
        # one sparse row per place: a dense vocabulary-wide row per place took the driver to 8.5 GB
        # on 50,000 replicated letters (thousands of spellings x a six-figure vocabulary)
        at = {p: k for k, p in enumerate(wanted)}
        unit = normalize(sparse.csr_matrix(
            ([float(r["v"]) for r in sums], ([at[r["place"]] for r in sums], [int(r["i"]) for r in sums])),
            shape=(len(wanted), V)))
        a_rows = unit[[at[a] for a, _, _ in pairs]]
        b_rows = unit[[at[b] for _, b, _ in pairs]]
        sims = np.asarray(a_rows.multiply(b_rows).sum(axis=1)).ravel().astype(float).tolist()
    model.place_variants_ = {}
    model.place_variants_ = model.merge_variants(pairs, sims, freq)
    model.spot_names_ = spot_names(freq)
    model.company_names_ = company_names(freq)
    written = feats.select(F.explode("places").alias("raw")).groupBy("raw").count().collect()
    model.name_kinds_ = batch_name_kinds(Counter({r["raw"]: r["count"] for r in written}))
    bc = spark.sparkContext.broadcast(model)
    canon_v = F.udf(lambda ps: sorted({bc.value._canon(p) for p in ps}), strings)
    named = feats.select("doc", F.explode(canon_v("places")).alias("item"))
    counts = named.groupBy("item").count()
    limit = max(50, model.max_place_share * n)
    over = {r["item"]: r["count"] for r in counts.where(F.col("count") > limit).collect()}
    if over and not n_writers:
        n_writers = doc_who.select("who").distinct().count()
    drop = model.too_common(over, n, _writers_of(named, over, doc_who), n_writers)

    # c. per distinct text: its vectors and place sets; candidate pairs by blocking; each pair scored
    row_schema = T.StructType([T.StructField("doc", T.LongType())] + [
        T.StructField(c, T.ArrayType(T.IntegerType() if c.endswith("i") else T.FloatType())) for c in ("xi", "xv", "gi", "gv")] + [
        T.StructField(c, strings) for c in ("full", "head", "districts")])

    def vectors(batches):
        m = _worker_model(bc)
        for b in batches:
            X, G = m.vectors(b)
            full, head = m.place_sets(b, drop)
            X, G = X.tocsr(), G.tocsr()
            yield pd.DataFrame({
                "doc": b["doc"],
                "xi": [X.indices[X.indptr[k]:X.indptr[k + 1]].tolist() for k in range(len(b))],
                "xv": [X.data[X.indptr[k]:X.indptr[k + 1]].tolist() for k in range(len(b))],
                "gi": [G.indices[G.indptr[k]:G.indptr[k + 1]].tolist() for k in range(len(b))],
                "gv": [G.data[G.indptr[k]:G.indptr[k + 1]].tolist() for k in range(len(b))],
                "full": [sorted(s) for s in full], "head": [sorted(s) for s in head], "districts": b["districts"]})

    rows = feats.mapInPandas(vectors, row_schema).localCheckpoint()
    rare = df_table.where(F.col("count") <= max_block).select("token")
    keys = feats.select("doc", F.explode(F.array_distinct("tokens")).alias("token")).join(rare, "token") \
        .select("doc", F.concat(F.lit("w:"), "token").alias("key")).union(
        rows.select("doc", F.explode("full").alias("place")).select("doc", F.concat(F.lit("p:"), "place").alias("key")))
    # a key of one letter makes no pair; one of over 5 * max_block letters is too common to block on
    small = keys.groupBy("key").count().where((F.col("count") >= 2) & (F.col("count") <= 5 * max_block)).select("key")
    copies = minhash_band_pairs(docs.select(F.col("doc").alias("id"), F.concat_ws("。", "title", "text").alias("text")),
                                threshold=0.5).select(F.col("id_l").alias("a"), F.col("id_r").alias("b")).localCheckpoint()
    # a near-copy pair is a block of its own two letters
    pair_key = F.concat(F.lit("c:"), F.col("a").cast("string"), F.lit(":"), F.col("b").cast("string"))
    members = keys.join(small, "key").select("doc", "key").union(
        copies.select(F.col("a").alias("doc"), pair_key.alias("key"))).union(
        copies.select(F.col("b").alias("doc"), pair_key.alias("key")))
    blocked = members.join(rows.select("doc", "xi", "xv", "gi", "gv"), "doc") \
        .repartition("key").sortWithinPartitions("key", "doc")
    sims = blocked.mapInPandas(lambda batches: _block_similarities(_worker_model(bc), batches, V),
                               "a long, b long, s float, g float").dropDuplicates(["a", "b"])
    side_a = rows.select(*[F.col(c).alias(f"{c}_a") for c in ("doc", "full", "head", "districts")])
    side_b = rows.select(*[F.col(c).alias(f"{c}_b") for c in ("doc", "full", "head", "districts")])
    joined = sims.join(side_a, F.col("a") == F.col("doc_a")).join(side_b, F.col("b") == F.col("doc_b"))

    def score(batches):
        m = _worker_model(bc)
        for b in batches:
            if not len(b):
                continue
            link = _accept(m, b, b["s"].to_numpy(np.float32), b["g"].to_numpy(np.float32))
            yield pd.DataFrame({"src": b["a"].to_numpy()[link], "dst": b["b"].to_numpy()[link]})

    edges = joined.mapInPandas(score, "src long, dst long")
    comps = connected_components(edges, rows.select(F.col("doc").alias("node"))).withColumnRenamed("node", "doc")

    # d. components -> issues (only components big enough to hold one)
    members = comps.join(docs.select("doc", "weight", "writers"), "doc")
    big = members.groupBy("component").agg(F.sum("weight").alias("w"), F.count("*").alias("m"),
                                            F.sum("writers").alias("wr")) \
        .where((F.col("w") >= model.min_letters) & ((F.col("m") >= 2) | (F.col("wr") >= model.min_letters)))
    todo = members.join(big.select("component"), "component").join(rows, "doc")

    def split(pdf):
        m = _worker_model(bc)
        pdf = pdf.sort_values("doc")
        groups = m.component_issues(_csr(pdf["xi"], pdf["xv"], V), _csr(pdf["gi"], pdf["gv"], V), _sets(pdf["full"]),
                                    _sets(pdf["head"]), _sets(pdf["districts"]), pdf["weight"].to_numpy().astype(float),
                                    pdf["writers"].to_numpy().astype(float))
        out = [(d, int(pdf["component"].iloc[0]), p) for p, grp in enumerate(groups) for d in pdf["doc"].to_numpy()[grp]]
        return pd.DataFrame(out, columns=["doc", "component", "part"])

    parts = todo.groupBy("component").applyInPandas(split, "doc long, component long, part int").localCheckpoint()

    # e. parts that are one problem (`pipeline.issue_merge`): the names some part's letters give (its
    # anchors), then each part's evidence, joined on the driver
    def anchors_of(pdf):
        return pd.DataFrame({"name": sorted(_worker_model(bc).part_anchors(_sets(pdf["full"])))}, dtype=object)

    named = parts.join(rows.select("doc", "full"), "doc").groupBy("component", "part") \
        .applyInPandas(anchors_of, "name string").distinct().collect()
    anchors_bc = spark.sparkContext.broadcast(frozenset(r["name"] for r in named))

    def evidence(pdf):
        m = _worker_model(bc)
        pdf = pdf.sort_values("doc")
        office = pdf["office"].tolist() if pdf["office"].notna().any() else None
        districts = _sets(pdf["districts"])
        e = m.issue_evidence(_csr(pdf["gi"], pdf["gv"], V), _sets(pdf["full"]), (pdf["title"] + "。" + pdf["text"]).tolist(),
                             letter_districts(office, districts), anchors_bc.value, [office_city(d) for d in districts],
                             [letter_group(d) for d in districts], [RULE_MARK in d for d in districts])
        return pd.DataFrame([{"component": int(pdf["component"].iloc[0]), "part": int(pdf["part"].iloc[0]),
                              "n": e.n_letters, "gi": e.grievance.indices.tolist(), "gv": e.grievance.data.tolist(),
                              "names": list(e.names), "counts": list(e.names.values()), "district": e.district,
                              "water_share": e.water_share, "city": e.city, "rule_share": e.rule_share, "village_group": e.group}])

    found = sorted(parts.join(rows.select("doc", "gi", "gv", "full", "districts"), "doc")
                   .join(docs.select("doc", "title", "text", "office"), "doc")
                   .groupBy("component", "part").applyInPandas(
                       evidence, "component long, part int, n int, gi array<int>, gv array<double>, names array<string>, "
                                 "counts array<int>, district string, water_share double, city string, rule_share double, village_group string").collect(),
                   key=lambda r: (r["component"], r["part"]))
    why: dict[tuple[int, int], str] = {}
    evidence = [IssueEvidence(_csr([r["gi"]], [r["gv"]], V), r["n"], Counter(dict(zip(r["names"], r["counts"]))),
                              r["district"], r["water_share"], r["city"], r["rule_share"], r["village_group"]) for r in found]
    joined = join_issues(evidence, model.rejoin_sim, model.name_kinds_, why)
    head = {(found[c]["component"], found[c]["part"]): (found[g[0]]["component"], found[g[0]]["part"])
            for g in joined for c in g}
    sizes, part_letters = Counter(), {}
    for r in parts.join(docs.select("doc", "weight"), "doc").groupBy("component", "part").agg(F.sum("weight").alias("n")).collect():
        sizes[head[(r["component"], r["part"])]] += r["n"]
        part_letters[(r["component"], r["part"])] = int(r["n"])
    # issue numbers as the local engine gives them: by size, then by the component and part order of
    # the joined parts' first
    order = sorted(sizes, key=lambda h: (-sizes[h], h))
    k = len(order)
    note_of = {(found[g[0]]["component"], found[g[0]]["part"]): note for g, note in zip(joined, join_notes(
        joined, why, [(part_name(e), part_letters[(r["component"], r["part"])]) for e, r in zip(evidence, found)]))}
    model.issue_join_notes_ = [note_of[h] for h in order]
    number_of = {h: c for c, h in enumerate(order)}
    number = spark.createDataFrame([(cp[0], cp[1], number_of[h]) for cp, h in sorted(head.items())],
                                   "component long, part int, issue int")
    doc_issue = parts.join(number, ["component", "part"]).select("doc", "issue").localCheckpoint()

    desc_schema = "issue int, places array<string>, district string, chain array<string>, rep long, " \
                  "ci array<int>, cv array<double>, ti array<int>, tc array<long>, hidden array<string>"
    names_bc = spark.sparkContext.broadcast(_names_pattern(letters, docs))

    def describe(pdf):
        m = _worker_model(bc)
        pdf = pdf.sort_values("doc")
        places, district, chain = m.describe_places(_sets(pdf["full"]), _sets(pdf["head"]), pdf["title"].tolist(),
                                                     pdf["text"].tolist())
        Xn = normalize(_csr(pdf["xi"], pdf["xv"], V))
        centroid = normalize(sparse.csr_matrix(Xn.sum(axis=0)))
        rep = int(pdf["doc"].iloc[most_typical(Xn, centroid)])
        vocab = m.vectorizer_.vocabulary_
        terms = Counter(vocab[t] for toks in pdf["tokens"] for t in toks if t in vocab)
        docs = (pdf["title"] + "。" + pdf["text"]).tolist()
        return pd.DataFrame([{"issue": int(pdf["issue"].iloc[0]), "places": places, "district": district, "chain": chain,
                              "rep": rep, "ci": centroid.indices.tolist(), "cv": centroid.data.tolist(),
                              "ti": list(terms), "tc": list(terms.values()),
                              "hidden": sorted(hidden_words(names_bc.value, docs, pdf["tokens"].tolist(), _sets(pdf["full"]),
                                                            places, [district, *chain]))}])

    def describe_issues(doc_issue):
        """The fitted state of the issues `doc_issue` numbers (their places, district, chain,
        representative text, centroid and keywords), set on `model` as the local `_finish` does."""
        described = doc_issue.join(rows.select("doc", "xi", "xv", "full", "head"), "doc").join(
            docs.select("doc", "title", "text"), "doc").join(feats.select("doc", "tokens"), "doc") \
            .groupBy("issue").applyInPandas(describe, desc_schema).collect()
        described = sorted(described, key=lambda r: r["issue"])
        model.issue_ids_ = [f"I{c + 1:04d}" for c in range(k)]
        model.next_issue_ = k + 1
        model.issue_places_ = [list(r["places"]) for r in described]
        model.issue_districts_ = [r["district"] for r in described]
        model.issue_chains_ = [list(r["chain"]) for r in described]
        model.rep_doc_ = {r["issue"]: r["rep"] for r in described}
        model.centroids_ = _csr([r["ci"] for r in described], [r["cv"] for r in described], V) if k \
            else sparse.csr_matrix((0, V))
        C = sparse.csr_matrix(_csr([r["ti"] for r in described], [r["tc"] for r in described], V), dtype=float)
        model.keywords_ = model.keywords(C, [frozenset(r["hidden"]) for r in described])

    describe_issues(doc_issue)
    # the texts `absorb` joins (by their wording alone), marked on their letters; none until it runs
    worded = spark.createDataFrame([], "_doc long, _worded boolean")
    # f. texts left out of every issue join the one their wording alone fits (`IssueClusterer.absorb`);
    # the issues are then numbered by size again and described again, as the local engine does
    if k:
        abc = spark.sparkContext.broadcast(model)

        def absorb(batches):
            m = _worker_model(abc)
            for b in batches:
                yield pd.DataFrame({"doc": b["doc"], "issue": m.fitting_issues(
                    normalize(_csr(b["xi"], b["xv"], V)), [list(p) for p in b["places"]],
                    [list(t) for t in b["title_places"]], [frozenset(d) for d in b["districts"]])})

        left = rows.select("doc", "xi", "xv", "districts").join(doc_issue.select("doc"), "doc", "left_anti") \
            .join(feats.select("doc", "places", "title_places"), "doc")
        extra = left.mapInPandas(absorb, "doc long, issue int").where(F.col("issue") >= 0).localCheckpoint()
        if extra.limit(1).count():
            worded = extra.select(F.col("doc").alias("_doc"), F.lit(True).alias("_worded"))
            doc_issue = doc_issue.union(extra)
            now = dict(doc_issue.join(docs.select("doc", "weight"), "doc").groupBy("issue")
                       .agg(F.sum("weight").alias("n")).collect())
            again = sorted(range(k), key=lambda c: (-now[c], c))
            model.issue_join_notes_ = [model.issue_join_notes_[c] for c in again]
            renumber = spark.createDataFrame([(c, new) for new, c in enumerate(again)], "issue int, new int")
            doc_issue = doc_issue.join(renumber, "issue").select("doc", F.col("new").alias("issue")).localCheckpoint()
            describe_issues(doc_issue)
    # the office's place columns: the province and city every letter writes are left out of labels
    # (distinct pairs are few: a country's cities)
    place_cols = [c for c, _ in COLUMN_LEVELS if c in letters.columns]
    top_cols = [c for c in ("place_province", "place_city") if c in place_cols]
    model.place_constants_ = batch_constants(letters.select(*top_cols).distinct().toPandas()) if top_cols \
        else frozenset()
    bc = spark.sparkContext.broadcast(model)

    keep_cols = [c for c in ("letter_id", "title", "text", "received_at", writer_col, "up_votes", "down_votes",
                             "issue_type", "label", "urgency", *place_cols) if c and c in letters.columns]
    clustered = letters.select(*keep_cols, "_doc", "_row").join(doc_issue.withColumnRenamed("doc", "_doc"), "_doc")
    clustered = clustered.join(worded, "_doc", "left").withColumn("_worded", F.coalesce("_worded", F.lit(False)))

    def issue_rows(pdf):
        m = _worker_model(bc)
        # the issue's letters in the local engine's order (its representative letter is the first
        # of the earliest date: ties go by that order)
        pdf = pdf.sort_values("_row", kind="stable").drop(columns="_row").reset_index(drop=True)
        pdf["received_at"] = pd.to_datetime(pdf["received_at"])
        c = int(pdf["issue"].iloc[0])
        return pd.DataFrame({"issue": [c], "row": [pickle.dumps(m.issue_row(pdf.drop(columns=["issue"]), c, writer_col))]})

    got = clustered.groupBy("issue").applyInPandas(issue_rows, "issue int, row binary").collect()
    info = pd.DataFrame([pickle.loads(r["row"]) for r in sorted(got, key=lambda r: r["issue"])])
    ref = seen["ref"]

    # issue ids that persist across runs, by the local engine's rule
    if state_path is not None and Path(state_path).exists() and k:
        previous = IssueClusterer.load(state_path)
        pbc = spark.sparkContext.broadcast(previous)

        def old_ids(batches):
            p = _worker_model(pbc)
            for b in batches:
                yield pd.DataFrame({"_doc": b["_doc"], "issue": b["issue"], "old": p.transform_ids(b)})

        votes_rows = clustered.select("_doc", "issue", "letter_id", "title", "text").mapInPandas(
            old_ids, "_doc long, issue int, old string").where(F.col("old").isNotNull()) \
            .groupBy("issue", "old").count().collect()
        votes = [pd.Series(dtype=float) for _ in range(k)]
        for c in range(k):
            mine = sorted(((r["count"], r["old"]) for r in votes_rows if r["issue"] == c), key=lambda x: (-x[0], x[1]))
            votes[c] = pd.Series([x[0] for x in mine], index=[x[1] for x in mine], dtype=float)
        sizes_k = info["n_letters"].to_numpy() if len(info) else np.zeros(0)
        mapping = model.inherited_ids(votes, sizes_k, previous.next_issue_)
        renamed = {model.issue_ids_[c]: mapping[c] for c in range(k)}
        model.issue_ids_ = [mapping[c] for c in range(k)]
        info["issue_id"] = info["issue_id"].map(renamed)

    model.issue_info_ = model.rank(info, ref)
    if state_path is not None and k:
        model.save(state_path)
    elif state_path is not None:
        model.issue_info_ = model.rank(pd.DataFrame(), ref)
        model.save(state_path)

    issues = model.issue_info_
    by_id = issues.set_index("issue_id") if k else None
    table = spark.createDataFrame(
        [(c, i, str(by_id.at[i, "label"]), bool(by_id.at[i, "deep_seated"])) for c, i in enumerate(model.issue_ids_)],
        "issue int, issue_id string, hot_issue_label string, deep_seated boolean")
    out = base
    ids = letters.select("_row", "_doc").join(doc_issue.withColumnRenamed("doc", "_doc"), "_doc").join(table, "issue") \
        .join(worded, "_doc", "left")
    out = out.join(ids.select("_row", "issue_id", "hot_issue_label", "deep_seated",
                              F.col("_worded").alias("issue_by_wording")), "_row", "left") \
        .withColumn("deep_seated", F.coalesce("deep_seated", F.lit(False))) \
        .withColumn("issue_by_wording", F.coalesce("issue_by_wording", F.lit(False))).drop("_row")
    return out, issues


def _block_similarities(model: IssueClusterer, batches, width: int):
    """(a, b, s, g) for every pair of letters a < b that share a block key, with cosine s at or
    over the model's `pair_floor` (g: the grievance cosine). The rows come sorted by key, then
    letter: each block's vectors arrive once and its pairs' cosines come from one sparse product
    over many blocks (`_block_pairs`), so a pair's vectors never travel through a shuffle as a pair. A block may span two Arrow batches:
    its first part waits for the rest. A pair sharing several keys is found once per key (the
    caller drops the repeats; the cosines are the same)."""
    carry, done = None, set()
    for batch in batches:
        if carry is not None:
            batch = pd.concat([carry, batch], ignore_index=True)
        if not len(batch):
            continue
        keys = batch["key"].to_numpy()
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        carry = batch.iloc[starts[-1]:].reset_index(drop=True)
        if len(starts) > 1:
            _check_contiguous(done, keys[starts[:-1]])
            yield _block_pairs(model, batch.iloc[:starts[-1]].reset_index(drop=True), width)
    if carry is not None and len(carry):
        _check_contiguous(done, carry["key"].to_numpy()[:1])
        yield _block_pairs(model, carry, width)


def _check_contiguous(done: set, starting) -> None:
    """A key met again after another one means the rows did not come sorted by key: its block
    would be cut in two and pairs lost without a word. Fail instead."""
    starting = list(starting)
    if done.intersection(starting) or len(set(starting)) < len(starting):
        raise RuntimeError("cluster blocks did not arrive sorted by key (a Spark plan change?)")
    done.update(starting)


# how many products (a block's rows squared, summed over the blocks) one sparse product holds at most
BLOCK_PRODUCT_ENTRIES = 2_000_000


def _block_pairs(model: IssueClusterer, batch: pd.DataFrame, width: int) -> pd.DataFrame:
    """The pairs of `_block_similarities` for whole blocks (rows sorted by key).

    Many blocks make one sparse product: each block's rows get a vocabulary of their own (column
    = block number x width + word), so a product holds only pairs within a block, and each cosine
    is summed over the same words in the same order as the block's own product (and the local
    engine's): the same float32 values, bit for bit. One scipy product per block cost more in
    scipy's checks and conversions than in arithmetic: 36,802 blocks on 5,000 letters, most of the
    cluster stage's Python time."""
    keys, docs = batch["key"].to_numpy(), batch["doc"].to_numpy()
    bounds = np.r_[np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]), len(keys)]
    X, G = _csr(batch["xi"], batch["xv"], width), _csr(batch["gi"], batch["gv"], width)
    sizes = np.diff(bounds)
    found_a, found_b, found_s, found_g = [], [], [], []
    first = 0  # the first block of the product being gathered
    while first < len(sizes):
        last, entries = first, 0
        while last < len(sizes) and (last == first or entries + sizes[last] ** 2 <= BLOCK_PRODUCT_ENTRIES):
            entries += int(sizes[last]) ** 2
            last += 1
        lo, hi = bounds[first], bounds[last]
        part = X[lo:hi]
        block = np.repeat(np.arange(last - first, dtype=np.int64), sizes[first:last])
        columns = part.indices.astype(np.int64) + np.repeat(block, np.diff(part.indptr)) * width
        own = sparse.csr_matrix((part.data, columns, part.indptr), shape=(hi - lo, (last - first) * width))
        S = (own @ own.T).tocoo()
        first = last
        keep = (S.row < S.col) & (S.data >= model.pair_floor)
        i, j = S.row[keep] + lo, S.col[keep] + lo
        if not len(i):
            continue
        found_a.append(np.minimum(docs[i], docs[j]))
        found_b.append(np.maximum(docs[i], docs[j]))
        found_s.append(S.data[keep])
        found_g.append(row_cosines(G[i], G[j]))
    if not found_a:
        return pd.DataFrame({"a": np.zeros(0, np.int64), "b": np.zeros(0, np.int64),
                             "s": np.zeros(0, np.float32), "g": np.zeros(0, np.float32)})
    return pd.DataFrame({"a": np.concatenate(found_a), "b": np.concatenate(found_b),
                         "s": np.concatenate(found_s).astype(np.float32), "g": np.concatenate(found_g).astype(np.float32)})


def _accept(model: IssueClusterer, b: pd.DataFrame, s: np.ndarray, g: np.ndarray) -> np.ndarray:
    """`score_pair` over a batch of joined pairs (columns *_a, *_b)."""
    n = len(b)
    i, j = np.arange(n), np.arange(n) + n
    link, _ = model.accept_pairs(i, j, s, g, _sets(b["full_a"]) + _sets(b["full_b"]),
                                 _sets(b["head_a"]) + _sets(b["head_b"]), _sets(b["districts_a"]) + _sets(b["districts_b"]))
    return link
