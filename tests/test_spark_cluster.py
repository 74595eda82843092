"""Hot issues on Spark agree with the local clusterer on the bundled corpus and keep its issue ids."""
from itertools import combinations

import pytest

from spark_support import require_spark

require_spark(slow=True)

from pipeline.cluster import IssueClusterer  # noqa: E402
from pipeline.read import read_letters  # noqa: E402


def same_issue_pairs(letter_ids, issue_ids):
    groups = {}
    for letter, issue in zip(letter_ids, issue_ids):
        if isinstance(issue, str):
            groups.setdefault(issue, []).append(letter)
    return {tuple(sorted(p)) for members in groups.values() for p in combinations(members, 2)}


@pytest.fixture(scope="module")
def both(spark, sample_dir, tmp_path_factory):
    """The local fit (its state saved) and one Spark run on the bundled corpus against that state."""
    from pipeline.spark_cluster import cluster_issues

    letters = read_letters([sample_dir]).letters
    local = IssueClusterer(n_jobs=1).fit(letters)
    state = tmp_path_factory.mktemp("state") / "issues.pkl"
    local.save(state)
    keep = ["letter_id", "title", "text", "received_at", "writer_id", "label"]
    pdf = letters[keep].astype({c: object for c in keep if c != "received_at"})
    pdf = pdf.where(pdf.notna(), None)
    out, issues = cluster_issues(spark, spark.createDataFrame(pdf), None, state_path=state)
    return letters, local, out.toPandas(), issues, state


def test_spark_issues_agree_with_the_local_engine(both):
    letters, local, out, issues, _ = both
    assert len(out) == len(letters)  # every letter comes back, clustered or not
    mine = local.get_issue_letters()
    a = same_issue_pairs(mine["letter_id"], mine["issue_id"])
    b = same_issue_pairs(out["letter_id"], out["issue_id"])
    f1 = 2 * len(a & b) / (len(a) + len(b))
    print(f"pairwise F1 spark vs local on the bundled corpus: {f1:.4f} ({len(a)} local pairs, {len(b)} spark pairs)")
    assert f1 >= 0.98
    assert len(issues) == pytest.approx(len(local.get_issue_info()), abs=2)
    assert {"heat_rank", "issue_id", "label", "heat", "deep_seated", "n_letters"} <= set(issues.columns)
    assert list(issues["heat_rank"]) == list(range(1, len(issues) + 1))
    clustered = out[out["issue_id"].notna()]
    assert (clustered["hot_issue_label"] == clustered["issue_id"].map(issues.set_index("issue_id")["label"])).all()
    assert out["deep_seated"].notna().all()


def test_spark_run_keeps_the_issue_ids_of_the_saved_state(both):
    _, local, out, issues, state = both
    ids = dict(zip(local.get_issue_letters()["letter_id"], local.get_issue_letters()["issue_id"]))
    clustered = out[out["letter_id"].isin(ids)]
    same = (clustered["issue_id"] == clustered["letter_id"].map(ids)).mean()
    assert same >= 0.98
    saved = IssueClusterer.load(state)
    assert set(saved.issue_ids_) == set(issues["issue_id"])
    assert saved.next_issue_ >= local.next_issue_
    # the saved state assigns a letter of the top issue to that issue again
    top = issues.iloc[0]
    letter = out[out["letter_id"] == top["representative_id"]]
    assert saved.transform_ids(letter) == [top["issue_id"]]


def _blocks(seed=0, n=40, width=50):
    import numpy as np
    import pandas as pd
    from scipy import sparse
    from sklearn.preprocessing import normalize

    X = normalize(sparse.random(n, width, density=0.3, random_state=seed, format="csr")).astype(np.float32)
    G = normalize(sparse.random(n, width, density=0.3, random_state=seed + 1, format="csr")).astype(np.float32)
    keys = sorted(np.random.default_rng(seed).choice(list("abcdefg"), n))
    return pd.DataFrame([{"key": k, "doc": d, "xi": X.getrow(d).indices, "xv": X.getrow(d).data,
                          "gi": G.getrow(d).indices, "gv": G.getrow(d).data} for d, k in enumerate(keys)]), X, G


def test_block_scoring_gives_the_local_engines_pair_cosines_however_the_batches_fall():
    """Every pair within a block at or over pair_floor, with the cosines the local engine computes
    (`candidate_pairs`' sparse product, `row_cosines` of the grievance rows), bit for bit, whether a
    block arrives in one Arrow batch or cut across several."""
    import numpy as np
    import pandas as pd

    from pipeline.cluster import row_cosines
    from pipeline.spark_cluster import _block_similarities

    rows, X, G = _blocks()
    model = IssueClusterer()
    expected = []
    for _, block in rows.groupby("key"):
        d = block["doc"].to_numpy()
        for x in range(len(d)):
            for y in range(x + 1, len(d)):
                s = (X[d[x]] @ X[d[y]].T).toarray()[0, 0]
                if s >= model.pair_floor:
                    expected.append((d[x], d[y], s, row_cosines(G[[d[x]]], G[[d[y]]])[0]))
    expected = pd.DataFrame(expected, columns=["a", "b", "s", "g"]).astype({"s": np.float32, "g": np.float32})
    assert len(expected) > 20
    for size in (1, 3, 7, len(rows)):
        batches = [rows.iloc[k:k + size].reset_index(drop=True) for k in range(0, len(rows), size)]
        got = pd.concat(list(_block_similarities(model, iter(batches), 50)), ignore_index=True)
        got = got.sort_values(["a", "b"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected.sort_values(["a", "b"]).reset_index(drop=True), check_dtype=False)


def test_block_scoring_fails_when_the_rows_are_not_sorted_by_key():
    import pandas as pd

    from pipeline.spark_cluster import _block_similarities

    rows, _, _ = _blocks()
    shuffled = pd.concat([rows.iloc[:5], rows.iloc[20:25], rows.iloc[:3]]).reset_index(drop=True)
    with pytest.raises(RuntimeError, match="sorted by key"):
        list(_block_similarities(IssueClusterer(), iter([shuffled]), 50))


def test_blocks_gathered_in_one_product_give_each_blocks_own_cosines_bit_for_bit(monkeypatch):
    """`_block_pairs` multiplies many blocks at once (a vocabulary per block): the same pairs and
    the same float32 cosines as one product per block, and no pair of letters that share no block,
    though every letter stands in two blocks here."""
    import numpy as np
    import pandas as pd

    from pipeline import spark_cluster

    first, _, _ = _blocks(seed=3)
    second, _, _ = _blocks(seed=3)
    second["key"] = sorted(np.random.default_rng(4).choice(list("hijklmn"), len(second)))
    second["doc"] = np.random.default_rng(5).permutation(second["doc"].to_numpy())
    vectors = first.set_index("doc")[["xi", "xv", "gi", "gv"]]
    second = second[["key", "doc"]].join(vectors, on="doc")
    rows = pd.concat([first, second], ignore_index=True).sort_values(["key", "doc"], kind="stable").reset_index(drop=True)
    model = IssueClusterer()

    def pairs(entries):
        monkeypatch.setattr(spark_cluster, "BLOCK_PRODUCT_ENTRIES", entries)
        got = spark_cluster._block_pairs(model, rows, 50)
        return got.sort_values(["a", "b", "s", "g"]).reset_index(drop=True)

    alone, together = pairs(1), pairs(10**9)
    assert len(alone) > 20
    for column in "absg":
        assert np.array_equal(alone[column].to_numpy(), together[column].to_numpy())
    keys = rows.groupby("doc")["key"].agg(set)
    assert all(keys[a] & keys[b] for a, b in zip(together["a"], together["b"]))


def test_issues_joined_by_district_and_grievance_are_joined_on_spark_too(spark):
    """city_synthetic (corpora/hotspots): a stalled estate written as its marketing name, its registered
    name and its developer's project came out as four issues of one district (G3区, the office's 区县
    column) with one grievance; `pipeline.issue_merge` joins them on both engines, from each part's
    evidence (the office's district of its letters, its grievance)."""
    from pipeline.paths import CORPORA_DIR
    from pipeline.spark_cluster import cluster_issues

    letters = read_letters([CORPORA_DIR / "hotspots" / "city_synthetic" / "letters.csv"]).letters
    local = IssueClusterer(n_jobs=1).fit(letters)
    keep = ["letter_id", "title", "text", "received_at", "place_county"]
    pdf = letters[keep].astype({c: object for c in keep if c != "received_at"})
    pdf = pdf.where(pdf.notna(), None)
    out, issues = cluster_issues(spark, spark.createDataFrame(pdf), None)
    out = out.toPandas()
    mine = local.get_issue_letters()
    a = same_issue_pairs(mine["letter_id"], mine["issue_id"])
    b = same_issue_pairs(out["letter_id"], out["issue_id"])
    assert a == b
    # the joined rows say so alike on both engines
    spark_notes = {(int(r["n_letters"]), r["join_note"]) for _, r in issues.iterrows()}
    local_notes = {(int(r["n_letters"]), r["join_note"]) for _, r in local.get_issue_info().iterrows()}
    assert spark_notes == local_notes and any(note for _, note in local_notes)
    stalled = out[out["text"].str.contains("天悦府") & out["text"].str.contains("交房")]
    assert len(stalled) >= 8 and stalled["issue_id"].nunique() == 1
    assert len(out[out["issue_id"] == stalled["issue_id"].iloc[0]]) >= 30


def test_same_estate_in_two_cities_stays_two_issues_on_spark_too(spark):
    """cities_synthetic: the office's city column (place_city) keeps 阳光花园's lifts in 澄州市 and in
    青阳市 apart on Spark as locally: the same pairs of letters share an issue on both engines."""
    from pipeline.paths import CORPORA_DIR
    from pipeline.spark_cluster import cluster_issues

    letters = read_letters([CORPORA_DIR / "hotspots" / "cities_synthetic" / "letters.csv"]).letters
    local = IssueClusterer(n_jobs=1).fit(letters)
    keep = ["letter_id", "title", "text", "received_at", "place_city", "place_county"]
    pdf = letters[keep].astype({c: object for c in keep if c != "received_at"})
    pdf = pdf.where(pdf.notna(), None)
    out, _ = cluster_issues(spark, spark.createDataFrame(pdf), None)
    out = out.toPandas()
    mine = local.get_issue_letters()
    assert same_issue_pairs(mine["letter_id"], mine["issue_id"]) == same_issue_pairs(out["letter_id"], out["issue_id"])
    lifts = out[out["text"].str.contains("阳光花园") & out["text"].str.contains("电梯")]
    by_city = lifts.dropna(subset=["issue_id"]).groupby("place_city")["issue_id"].agg(lambda s: s.mode().iloc[0])
    assert by_city["澄州市"] != by_city["青阳市"]
