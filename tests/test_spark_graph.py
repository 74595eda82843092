"""Spark graph building blocks against their local counterparts: union-find components and
datasketch's LSH near-duplicate pairs."""
import random

import pytest

from spark_support import require_spark

require_spark(slow=True)

from pipeline.link import NearDuplicates  # noqa: E402


def union_find(edges, nodes):
    parent = {n: n for n in nodes}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {n: find(n) for n in nodes}


def test_components_equal_union_find_on_random_graphs_chains_and_isolated_vertices(spark):
    from pipeline.spark_graph import connected_components

    rng = random.Random(3)
    edges = [(rng.randrange(300), rng.randrange(300)) for _ in range(200)]  # many small parts
    chain = list(range(1000, 1300))
    rng.shuffle(chain)  # a 300-node path whose ids zigzag: worst case for label propagation
    edges += list(zip(chain, chain[1:]))
    edges += [(2000 + i, 2000 + i + 1) for i in range(100)]  # an ordered chain
    edges += [(5000, 5000 + i) for i in range(1, 100)]  # a star
    edges += [(7, 7)]  # a self-loop is no edge
    nodes = {n for e in edges for n in e}
    expected = union_find(edges, nodes)
    expected.update({n: n for n in (9000, 9001)})
    node_id = "n{:05d}".format  # string ids, ordered as the numbers

    sdf = spark.createDataFrame([(node_id(a), node_id(b)) for a, b in edges],
                                "src string, dst string")
    vertices = spark.createDataFrame([(node_id(n),) for n in (0, 9000, 9001)], "node string")
    got = {r["node"]: r["component"] for r in connected_components(sdf, vertices).collect()}
    assert got == {node_id(n): node_id(c) for n, c in expected.items()}
    assert got[node_id(chain[-1])] == node_id(min(chain)) and got["n02100"] == "n02000"


def test_band_pairs_equal_local_minhash_pairs_on_the_bundled_corpus(spark, sample_dir):
    from pipeline.read import read_letters
    from pipeline.spark_graph import minhash_band_pairs

    letters = read_letters([sample_dir / "letters_xinfang.csv",
                            sample_dir / "hotline_12345.xlsx"]).letters
    texts = letters["text"].fillna("").tolist()
    finder = NearDuplicates(threshold=0.8, num_perm=64)
    local = finder.pairs(finder.signatures(texts))
    expected = {(int(min(i, j)), int(max(i, j))): s
                for i, j, s in local[["i", "j", "similarity"]].itertuples(index=False)}
    assert len(expected) >= 20  # the corpus holds copies and joint letters

    sdf = spark.createDataFrame([(i, t) for i, t in enumerate(texts)], "id long, text string")
    got = {(r["id_l"], r["id_r"]): r["similarity"]
           for r in minhash_band_pairs(sdf, num_perm=64, threshold=0.8).collect()}
    print(f"\nband-key join: {len(got)} pairs, datasketch LSH: {len(expected)} pairs")
    assert set(got) == set(expected)
    assert all(abs(got[p] - expected[p]) < 1e-9 for p in got)
