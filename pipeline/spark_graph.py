"""Graph building blocks on Spark: connected components and MinHash near-duplicate pairs.

Persons (linked letters) and hot issues (similar letters) are both connected components of a
pair graph. On one machine a union-find does it; on Spark nothing may be collected to the
driver, so the components are computed with the large-star / small-star algorithm (Kiveris et
al., "Connected Components in MapReduce and Beyond", 2014): each round is two joins and a
group-by, the number of rounds grows with log(n), and every round's edges are checkpointed
locally so the lineage stays one round long. GraphFrames would need jars from the network.

`minhash_band_pairs` is the band-key join that replaces datasketch's in-memory LSH index: the
same signatures (`pipeline.minhash`), the same (bands, rows) split datasketch
chooses for the threshold, candidate pairs from letters sharing a band key, then the estimated
Jaccard filter. The pairs are those of `NearDuplicates.pairs` except for buckets larger than
`max_candidates` (mass campaigns), where each letter keeps links to the bucket's first members
only: the group stays connected and the pair count stays linear.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from pipeline.minhash import NearDuplicates, lsh_params


# ------------------------------------------------------------------------------ components
def _large_star(edges: DataFrame) -> DataFrame:
    """Each node links its larger neighbours to the smallest node of its neighbourhood."""
    both = edges.select("src", "dst").union(edges.select(F.col("dst").alias("src"),
                                                         F.col("src").alias("dst")))
    low = both.groupBy("src").agg(F.min("dst").alias("m"))
    low = low.select("src", F.least("src", "m").alias("m"))
    return (both.join(low, "src").where(F.col("dst") > F.col("src"))
            .select(F.col("dst").alias("src"), F.col("m").alias("dst")).distinct())


def _small_star(edges: DataFrame) -> DataFrame:
    """Each node links itself and its smaller neighbours to the smallest of them."""
    oriented = edges.select(F.greatest("src", "dst").alias("src"),
                            F.least("src", "dst").alias("dst")).where(F.col("src") != F.col("dst"))
    low = oriented.groupBy("src").agg(F.min("dst").alias("m"))
    out = oriented.join(low, "src").select(F.col("dst").alias("src"), F.col("m").alias("dst"))
    out = out.union(low.select("src", F.col("m").alias("dst")))
    return out.where(F.col("src") != F.col("dst")).distinct()


def connected_components(edges: DataFrame, vertices: DataFrame | None = None,
                         max_rounds: int = 100) -> DataFrame:
    """(node, component) for every node of `edges` (columns src, dst; any orderable type).

    The component id is the smallest node id of the component, so it is deterministic and
    independent of partitioning. `vertices` (a DataFrame with a `node` column) adds nodes
    without edges, each its own component. Edges are checkpointed locally each round (no
    checkpoint directory needed), so the plan never grows with the number of rounds.
    """
    current = edges.select("src", "dst").where(
        F.col("src").isNotNull() & F.col("dst").isNotNull() & (F.col("src") != F.col("dst")))
    current = current.select(F.greatest("src", "dst").alias("src"),
                             F.least("src", "dst").alias("dst")).distinct().localCheckpoint()
    for _ in range(max_rounds):
        current = _small_star(_large_star(current)).localCheckpoint()
        # converged when the edges form disjoint stars: every leaf (src) has one centre (dst)
        # and no centre is anyone's leaf
        roles = current.select(F.col("src").alias("node"), F.lit(1).alias("leaf"),
                               F.lit(0).alias("centre")).union(
            current.select(F.col("dst").alias("node"), F.lit(0), F.lit(1)))
        bad = roles.groupBy("node").agg(F.sum("leaf").alias("leaf"),
                                        F.max("centre").alias("centre"))
        if bad.where((F.col("leaf") > 1) | ((F.col("leaf") > 0) & (F.col("centre") > 0))) \
                .limit(1).count() == 0:
            break
    else:
        raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
    leaves = current.select(F.col("src").alias("node"), F.col("dst").alias("component"))
    roots = current.select(F.col("dst").alias("node"), F.col("dst").alias("component"))
    out = leaves.union(roots).distinct()
    if vertices is not None:
        alone = vertices.select("node").distinct().join(out, "node", "left_anti")
        out = out.union(alone.select("node", F.col("node").alias("component")))
    return out


# ------------------------------------------------------------------------------ near duplicates
def signatures(df: DataFrame, num_perm: int = 64, id_col: str = "id",
               text_col: str = "text") -> DataFrame:
    """(id, sig: array<bigint>) per row, computed per partition with `NearDuplicates`; texts
    too short to compare get a null signature."""
    id_type = df.schema[id_col].dataType
    schema = T.StructType([T.StructField(id_col, id_type),
                           T.StructField("sig", T.ArrayType(T.LongType()))])
    empty = np.iinfo(np.uint32).max

    def run(batches):
        finder = NearDuplicates(num_perm=num_perm)
        for batch in batches:
            rows = finder.signatures(batch[text_col].tolist())
            ok = ~(rows == empty).all(axis=1)
            sig = [row.astype(np.int64).tolist() if good else None
                   for row, good in zip(rows, ok)]
            yield pd.DataFrame({id_col: batch[id_col], "sig": sig})

    return df.select(id_col, text_col).mapInPandas(run, schema)


def band_pairs(sigs: DataFrame, threshold: float, bands: int, rows: int,
               max_candidates: int = 20, id_col: str = "id") -> DataFrame:
    """(id_l, id_r, similarity), id_l < id_r, from signatures (id, sig): a band-key join, then
    the share of agreeing positions (MinHash's Jaccard estimate) >= `threshold`."""
    keyed = band_keys(sigs, bands, rows, id_col)
    # rank members within a bucket: in a bucket of thousands (a campaign of copies) each
    # member links to the first `max_candidates` only
    rank = F.row_number().over(Window.partitionBy("band", "key").orderBy(id_col))
    keyed = keyed.withColumn("rank", rank)
    left = keyed.select("band", "key", F.col(id_col).alias("id_l"), F.col("rank").alias("rl"))
    right = keyed.where(F.col("rank") <= max_candidates).select(
        "band", "key", F.col(id_col).alias("id_r"), F.col("rank").alias("rr"))
    cand = (left.join(right, ["band", "key"]).where(F.col("rr") < F.col("rl"))
            .select(F.least("id_l", "id_r").alias("id_l"), F.greatest("id_l", "id_r").alias("id_r"))
            .distinct())
    sig_l = sigs.select(F.col(id_col).alias("id_l"), F.col("sig").alias("sig_l"))
    sig_r = sigs.select(F.col(id_col).alias("id_r"), F.col("sig").alias("sig_r"))
    scored = cand.join(sig_l, "id_l").join(sig_r, "id_r").select(
        "id_l", "id_r", agreeing_share("sig_l", "sig_r").alias("similarity"))
    return scored.where(F.col("similarity") >= threshold)


def band_keys(sigs: DataFrame, bands: int, rows: int, id_col: str = "id") -> DataFrame:
    """(id, band, key) per signature and band, null signatures left out: equal keys in a band
    mean the band's `rows` positions agree (up to a 64-bit hash collision), as
    `minhash.band_keys`; the table an equi-join on (band, key) turns into candidate pairs."""
    return sigs.where(F.col("sig").isNotNull()).select(
        id_col, F.posexplode(F.array(*[
            F.xxhash64(F.slice("sig", b * rows + 1, rows)) for b in range(bands)
        ])).alias("band", "key"))


def agreeing_share(sig_l: str, sig_r: str):
    """The share of positions on which two signatures agree (MinHash's Jaccard estimate,
    `minhash.similarity`), as a column expression."""
    agree = F.aggregate(F.zip_with(sig_l, sig_r, lambda x, y: F.when(x == y, 1).otherwise(0)),
                        F.lit(0), lambda acc, x: acc + x)
    return agree / F.size(sig_l)


def minhash_band_pairs(df: DataFrame, num_perm: int = 64, bands: int | None = None,
                       threshold: float = 0.8, max_candidates: int = 20,
                       id_col: str = "id", text_col: str = "text") -> DataFrame:
    """Near-duplicate pairs (id_l, id_r, similarity) of `df`'s texts, id_l < id_r.

    `bands` defaults to datasketch's choice for (`threshold`, `num_perm`), which makes the pairs
    those of `NearDuplicates(threshold, num_perm).pairs` (see the module docstring for buckets
    above `max_candidates`).
    """
    bands, rows = lsh_params(threshold, num_perm) if bands is None else (bands, num_perm // bands)
    sigs = signatures(df, num_perm, id_col, text_col).localCheckpoint()
    return band_pairs(sigs, threshold, bands, rows, max_candidates, id_col)
