"""Shared fixtures: the bundled sample corpus and, when present, the real shared letters."""
from pathlib import Path

import pytest

from pipeline.paths import SAMPLE_DIR, SHARED_DATA_DIR

requires_shared_data = pytest.mark.skipif(
    not (SHARED_DATA_DIR / "hot_messages.xlsx").exists(),
    reason=f"real letters not found at {SHARED_DATA_DIR} (../shared/data is only in dev checkouts and CI)",
)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED_DATA_DIR / "hot_messages.xlsx").exists():
        pytest.skip(f"real letters not found at {SHARED_DATA_DIR}")
    return SHARED_DATA_DIR


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The main job on the bundled corpus, run once for every test that inspects its outputs."""
    from pipeline.config import load_settings
    from pipeline.run import PetitionRun

    settings = load_settings()
    settings.values["run"]["as_of"] = "2026-11-25"
    out = tmp_path_factory.mktemp("run")
    return PetitionRun(settings, progress=False).run(None, out)


HOLD = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('holding', flush=True); "
        "time.sleep(float(sys.argv[2]))")


@pytest.fixture
def hold_store():
    """Another process that holds a case store's lock for some seconds (a concurrent run)."""
    import subprocess
    import sys

    started = []

    def hold(path, seconds):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE,
                                  text=True)
        started.append(holder)
        assert holder.stdout.readline().strip() == "holding"
        return holder

    yield hold
    for holder in started:
        holder.kill()
        holder.wait()
        holder.stdout.close()


@pytest.fixture(scope="session")
def spark():
    """The one SparkSession of the test session (see tests/spark_support.py); skips without
    PySpark or Java."""
    import spark_support

    reason = spark_support.missing()
    if reason is not None:
        pytest.skip(reason)
    session = spark_support.start_session()
    yield session
    session.stop()


@pytest.fixture(scope="session")
def qingdao_linked(shared_dir):
    """The Qingdao file's substantive calls (来电类别 not 无效: every call of two real callers, one
    sheet each, read and never copied), linked once for every test that reads them."""
    from pipeline.link import PetitionerLinker
    from pipeline.read import read_letters

    path = shared_dir.parent / "more_sources" / "qingdao12345_two_callers.xlsx"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    calls = read_letters([path]).letters
    calls = calls[calls["call_type"].fillna("") != "无效"].reset_index(drop=True)
    return PetitionerLinker().link(calls)


def keyed_issue(corpus: str, issue: str):
    """A keyed hot corpus (corpora/hotspots/CORPUS_synthetic) clustered, and one key issue's letters:
    (the fitted model, the issue's letter ids, its letters' count per found issue, most first, and
    the ids of the found issue holding most of them)."""
    import pandas as pd

    from pipeline.cluster import IssueClusterer
    from pipeline.paths import CORPORA_DIR
    from pipeline.read import read_letters

    folder = CORPORA_DIR / "hotspots" / f"{corpus}_synthetic"
    key = pd.read_csv(folder / "key.csv", dtype=str).fillna("")
    ids = set(key.loc[key["issue"] == issue, key.columns[0]])
    model = IssueClusterer(n_jobs=1).fit(read_letters([folder / "letters.csv"]).letters)
    issued = model.get_issue_letters()
    counts = issued.loc[issued["letter_id"].astype(str).isin(ids), "issue_id"].value_counts()
    inside = set(issued.loc[issued["issue_id"] == counts.index[0], "letter_id"].astype(str)) if len(counts) else set()
    return model, ids, counts, inside
