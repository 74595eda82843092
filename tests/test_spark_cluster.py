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
