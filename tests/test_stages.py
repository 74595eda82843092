"""The stage contract: every registered stage builds from the settings, adds exactly its declared
columns, and the row-wise ones give the same answer on any part of the letters."""
from __future__ import annotations

import ast
from datetime import date

import pandas as pd
import pytest

from pipeline.config import load_settings
from pipeline.paths import PROJECT_DIR
from pipeline.read import read_letters
from pipeline.places import LETTER_PLACES
from pipeline.stages import STAGES, Stage, build_stages

RUN_ORDER = ["tokenize", "classify", "grade", "route", "link", "cluster", "rank", "write"]
KINDS = {"tokenize": "row", "classify": "row", "grade": "row", "route": "row", "link": "batch", "cluster": "batch", "rank": "batch",
         "write": "sink"}


@pytest.fixture(scope="module")
def settings():
    settings = load_settings()
    settings.values["run"]["as_of"] = "2026-11-25"
    return settings


@pytest.fixture(scope="module")
def chain(sample_dir, settings):
    """A small real batch (both bundled sources) through every transforming stage, in run order:
    name -> (letters in, letters out, the stage)."""
    letters = pd.concat([read_letters([sample_dir / "letters_xinfang.csv"]).letters.head(100),
                         read_letters([sample_dir / "hotline_12345.xlsx"]).letters.head(60)], ignore_index=True)
    steps = {}
    for stage in build_stages(settings):
        if stage.kind == "sink":
            continue
        out = stage.transform(letters)
        steps[stage.name] = (letters, out, stage)
        letters = out
    return steps


def test_the_registry_holds_every_stage_in_run_order(settings):
    assert list(STAGES) == RUN_ORDER
    assert {name: cls.kind for name, cls in STAGES.items()} == KINDS
    built = build_stages(settings)
    assert [type(s) for s in built] == list(STAGES.values()) and all(isinstance(s, Stage) for s in built)
    for stage in built:
        assert stage.name and isinstance(stage.output_schema(), dict)


def test_each_stage_adds_exactly_its_declared_columns_with_their_dtypes(chain):
    assert list(chain) == RUN_ORDER[:-1]
    for name, (before, after, stage) in chain.items():
        schema = stage.output_schema()
        assert len(after) == len(before), name
        assert set(after.columns) - set(before.columns) == set(schema), name
        assert set(before.columns) <= set(after.columns), name
        assert {c: str(after[c].dtype) for c in schema} == schema, name
    assert chain["cluster"][1]["issue_id"].notna().sum() >= 3  # a batch with issues, not an empty shell
    assert (chain["link"][1]["repeat_count"] > 1).sum() >= 5  # ... and with repeat petitioners


def test_row_stages_give_the_same_answer_on_a_part_of_the_letters(chain):
    for name in ("tokenize", "classify", "grade", "route"):
        before, after, stage = chain[name]
        assert stage.kind == "row"
        parts = pd.concat([stage.transform(before.iloc[:37]), stage.transform(before.iloc[37:])])
        pd.testing.assert_frame_equal(parts, after, obj=name)


def test_the_tokenize_pass_cuts_as_the_classifier_and_the_clusterer_would(chain):
    from pipeline.cluster import IssueClusterer, cluster_docs
    from pipeline.tokenize import Tokenizer

    before, after, stage = chain["tokenize"]
    classifier = chain["classify"][2]._models()[0]
    assert after["tokens"].tolist() == classifier.tokenize(before)
    titles, texts = (before[c].fillna("").astype(str).tolist() for c in ("title", "text"))
    weight = IssueClusterer().title_weight
    assert after["cluster_tokens"].tolist() == Tokenizer().cut_all(cluster_docs(titles, texts, weight), n_jobs=1)
    assert sum(map(len, after["cluster_tokens"])) > sum(map(len, after["tokens"])) > 10 * len(after)


def test_stages_given_the_token_columns_answer_as_when_they_cut_themselves(chain):
    transient = ["tokens", "cluster_tokens", "letter_places"]
    for name in ("classify", "route", "link", "cluster"):
        before, after, stage = chain[name]
        assert set(transient) <= set(before.columns)
        alone = stage.transform(before.drop(columns=transient))
        pd.testing.assert_frame_equal(alone, after.drop(columns=transient, errors="ignore"), obj=name)


def test_the_tokenize_pass_scans_each_letter_s_places_once_for_routing_linking_and_clustering(chain, sample_run):
    from pipeline.places import find_places

    before, after, _ = chain["tokenize"]
    whole = (before["title"].fillna("") + " " + before["text"].fillna("")).tolist()
    assert [list(p) for p in after["letter_places"]] == [find_places(t) for t in whole]
    assert sum(map(bool, after["letter_places"])) > len(after) / 3  # most letters name a place
    for name in ("route", "link"):  # they read it and hand it on (the cluster stage is its last reader)
        assert "letter_places" in chain[name][1].columns
    stored = pd.read_parquet(sample_run.out_dir / "letters.parquet").columns
    assert len(stored) > 30 and not {"letter_places", "tokens", "cluster_tokens"} & set(stored)  # never written


def test_a_stage_takes_its_settings_from_the_config(tmp_path):
    (tmp_path / "my.toml").write_text("[link]\nthreshold = 0.9\n[cluster]\nmin_letters = 4\n[cases]\nper_year = 1.0\n",
                                      encoding="utf-8")
    user = load_settings(tmp_path / "my.toml")
    assert STAGES["link"].from_settings(user).linker().threshold == 0.9
    assert STAGES["cluster"].from_settings(user).clusterer().min_letters == 4
    assert STAGES["rank"].from_settings(user).ranker().case_per_year == 1.0


def test_the_write_stage_writes_every_file_from_the_tables(chain, settings, tmp_path):
    from pipeline.link import persons_table
    from pipeline.sheets import SHEETS

    letters, cluster, rank = chain["rank"][1], chain["cluster"][2], chain["rank"][2]
    stage = STAGES["write"].from_settings(settings, out_dir=tmp_path)
    assert stage.output_schema() == {}
    with pytest.raises(TypeError, match="sink"):
        stage.transform(letters)
    stage.write(letters, rank.cases_, cluster.issues_, persons_table(letters), pd.DataFrame(columns=["reason"]),
                {"rejects": 0}, date(2026, 11, 25))
    for name in ("letters.parquet", "letters.csv", "rejects.csv", "triage.xlsx", "report.html"):
        assert (tmp_path / name).stat().st_size > 0, name
    sheets = pd.ExcelFile(tmp_path / "triage.xlsx").sheet_names
    assert sheets[:len(SHEETS)] == list(SHEETS) and "待办-纪检监察" in sheets
    assert len(pd.read_parquet(tmp_path / "letters.parquet")) == len(letters)


def test_no_stage_imports_the_cli_or_the_run():
    """Data flows one way: stages never import the commands, the CLI or the job that wires them."""
    wiring = {"run.py", "cli.py", "__main__.py"}
    offenders = []
    for path in sorted((PROJECT_DIR / "pipeline").glob("*.py")):
        if path.name in wiring:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            offenders += [f"{path.name}: {m}" for m in modules
                          if m.startswith(("pipeline.commands", "pipeline.cli", "pipeline.run"))]
    assert offenders == []


def test_every_version_in_run_json_names_what_produced_it(sample_run):
    """run.json says which model, cue data and linker made the outputs: none of them is null,
    and the cue version changes when an office extends the lexicon."""
    import json

    from pipeline.config import load_settings
    from pipeline.stages import GradeStage

    versions = json.loads((sample_run.out_dir / "run.json").read_text(encoding="utf-8"))["versions"]
    assert all(versions[k] for k in ("classifier", "urgency_lexicon", "linker")), versions
    assert versions["urgency_lexicon"].startswith("cues ")
    grade = GradeStage.from_settings(load_settings())
    assert grade.version() == versions["urgency_lexicon"]


def test_the_cue_version_changes_when_the_lexicon_does(tmp_path):
    from pipeline.config import load_settings
    from pipeline.stages import GradeStage

    shipped = GradeStage.from_settings(load_settings())
    extended = tmp_path / "lexicon.csv"
    extended.write_bytes(shipped.lexicon.read_bytes() + "扬言炸,threat,3,紧急,an office's own cue\n".encode())
    assert GradeStage(extended).version() != shipped.version()


def test_classify_releases_its_model_and_keeps_its_version(sample_dir):
    """A run frees the classify model once the stage has run (linking and clustering need the
    memory); the stage still says which model made its columns."""
    from pipeline.config import load_settings
    from pipeline.read import read_letters
    from pipeline.stages import STAGES, load_classifier

    letters = read_letters([sample_dir]).letters.head(30)
    stage = STAGES["classify"].from_settings(load_settings())
    out = stage.transform(letters)
    version = stage.version()
    stage.release()
    assert "_classifier" not in stage.__dict__ and load_classifier.cache_info().currsize == 0
    assert stage.version() == version and "IssueClassifier" in version
    assert "_classifier" not in stage.__dict__  # answering the version did not load it again
    assert out["issue_type"].notna().all()


def test_grade_releases_its_grader_keeps_its_version_and_grades_the_same_after(sample_dir):
    """A run frees the grader (cues, patterns, the refiner's gram tables) once the batch is graded."""
    from pipeline.config import load_settings
    from pipeline.read import read_letters
    from pipeline.stages import STAGES

    letters = read_letters([sample_dir]).letters.head(40)
    stage = STAGES["grade"].from_settings(load_settings())
    out = stage.transform(letters)
    version = stage.version()
    stage.release()
    assert "_fitted" not in stage.__dict__ and stage.version() == version
    assert stage.transform(letters).equals(out)


def test_grade_in_the_run_s_workers_gives_the_same_columns_as_in_one_process(sample_dir):
    """Lent a pool, the grade stage grades slices of a batch in forked workers (the run's slowest
    stage, pure Python): every letter's grade is its own, so the columns are the same to the float,
    and the workers let the grader go once the batch is graded."""
    from pipeline.stages import STAGES
    from pipeline.workers import _SHARED, WorkerPool

    letters = read_letters([sample_dir]).letters
    alone = STAGES["grade"].from_settings(load_settings()).transform(letters)
    with WorkerPool(n_jobs=2) as pool:
        if pool.jobs < 2:
            pytest.skip("needs two cores and fork")
        stage = STAGES["grade"].from_settings(load_settings(), pool=pool)
        stage.min_parallel = 100  # the bundled batch (about 1,200 letters) is under the run's threshold
        stage.slice_letters = 300  # more slices than workers, as a batch of 10^5 letters is dealt
        shared = stage.transform(letters)
        assert pool.forks == 1  # it did go to the workers
        assert not any(k == (id(pool), "grade") for k in _SHARED)  # and let the grader go
    assert (alone["urgency"] == "紧急").sum() > 0 and alone["urgency_review"].sum() > 0  # a batch with something to grade
    pd.testing.assert_frame_equal(shared, alone)


def test_route_in_the_run_s_workers_gives_the_same_columns_as_in_one_process(sample_dir, settings):
    """Lent a pool, the route stage routes slices of a batch in forked workers: each letter's
    department, 属地 and purpose are its own, so the columns are the same, and the workers let the
    router go once the batch is routed. Routed after tokenizing and classifying, as a run routes."""
    from pipeline.stages import STAGES
    from pipeline.workers import _SHARED, WorkerPool

    letters = read_letters([sample_dir]).letters
    for name in ("tokenize", "classify", "grade"):
        letters = STAGES[name].from_settings(settings).transform(letters)
    alone = STAGES["route"].from_settings(settings).transform(letters)
    with WorkerPool(n_jobs=2) as pool:
        if pool.jobs < 2:
            pytest.skip("needs two cores and fork")
        stage = STAGES["route"].from_settings(settings, pool=pool)
        stage.min_parallel = 100  # the bundled batch (about 1,200 letters) is under the run's threshold
        stage.slice_letters = 300  # more slices than workers
        shared = stage.transform(letters)
        assert pool.forks == 1  # it did go to the workers
        assert not any(k == (id(pool), "route") for k in _SHARED)  # and let the router go
    assert alone["department"].nunique() > 10 and alone["confidential"].sum() > 0  # a batch with somewhere to go
    assert alone["needs_review"].tolist() != letters["needs_review"].tolist()  # routing changed some: they came back too
    pd.testing.assert_frame_equal(shared, alone)


def test_the_tokenize_pass_in_the_run_s_workers_cuts_and_scans_places_as_in_one_process(sample_dir, settings):
    """Lent a pool, the tokenize stage also scans each letter's places in the workers, with no fork
    of its own (shared before the tokenizers fork them): the same columns as in one process."""
    from pipeline.stages import STAGES, TOKENS
    from pipeline.workers import _SHARED, WorkerPool

    letters = read_letters([sample_dir]).letters
    alone = STAGES["tokenize"].from_settings(settings).transform(letters)
    with WorkerPool(n_jobs=2) as pool:
        if pool.jobs < 2:
            pytest.skip("needs two cores and fork")
        stage = STAGES["tokenize"].from_settings(settings, pool=pool)
        stage.min_parallel = 100
        shared = stage.transform(letters)
        forks = pool.forks
        assert not any(k == (id(pool), "places") for k in _SHARED)
    # the two tokenizers fork the workers as before (one each); the places scan adds none
    assert forks == 2
    assert sum(map(len, alone[LETTER_PLACES])) > len(letters) // 2  # letters that name places
    for column in (TOKENS, LETTER_PLACES):
        assert shared[column].tolist() == alone[column].tolist()


class _Held:
    """A cell value whose life a weak reference can watch."""


def test_a_dropped_column_s_values_are_freed_not_held_by_the_remaining_columns():
    import gc
    import weakref

    from pipeline.stages import without

    held = [_Held() for _ in range(3)]
    watched = [weakref.ref(h) for h in held]
    frame = pd.DataFrame({"a": pd.Series(["x", "y", "z"], dtype=object), "tokens": pd.Series(held, dtype=object),
                          "b": pd.Series(["1", "2", "3"], dtype=object)}).copy()  # one consolidated object block
    del held
    kept = without(frame, ["tokens", "not there"])
    del frame
    gc.collect()
    assert list(kept.columns) == ["a", "b"] and kept["b"].tolist() == ["1", "2", "3"]
    assert all(ref() is None for ref in watched)


def test_a_plain_drop_would_hold_the_dropped_values():
    """Why `without` copies: pandas' drop slices the consolidated block and keeps it whole."""
    import gc
    import weakref

    held = [_Held() for _ in range(3)]
    watched = [weakref.ref(h) for h in held]
    frame = pd.DataFrame({"a": pd.Series(["x", "y", "z"], dtype=object), "tokens": pd.Series(held, dtype=object),
                          "b": pd.Series(["1", "2", "3"], dtype=object)}).copy()
    del held
    kept = frame.drop(columns=["tokens"])
    del frame
    gc.collect()
    assert any(ref() is not None for ref in watched)
    assert list(kept.columns) == ["a", "b"]


def test_the_tokenize_stage_forgets_its_cuts_once_run_and_later_cuts_are_the_same(chain, settings):
    from pipeline.tokenize import Tokenizer, _segmenter

    letters = chain["tokenize"][0].head(40)
    stage = STAGES["tokenize"].from_settings(settings)
    tokens = stage.transform(letters)
    assert _segmenter.cache_info().currsize > 0  # the pass left a segmenter with its memo
    stage.release()
    assert _segmenter.cache_info().currsize == 0
    again = STAGES["tokenize"].from_settings(settings).transform(letters)
    assert again["tokens"].tolist() == tokens["tokens"].tolist()
    assert again["cluster_tokens"].tolist() == tokens["cluster_tokens"].tolist()
    assert Tokenizer().cut(letters["text"].iloc[0])  # a later cut makes a new segmenter


def test_the_cluster_stage_unloads_the_tagger_once_run_and_a_later_fit_labels_the_same(chain, settings):
    """Labelling issues loads jieba's tagger (to trim place names); `ClusterStage.release`, which
    a run calls after the stage, unloads it, and clustering again gives the same issues and labels."""
    import sys

    letters = chain["cluster"][0]
    stage = STAGES["cluster"].from_settings(settings)
    first = stage.transform(letters)
    assert "jieba.posseg" in sys.modules and stage.issues_["label"].notna().all() and len(stage.issues_)
    stage.release()
    assert "jieba.posseg" not in sys.modules
    again = STAGES["cluster"].from_settings(settings)
    pd.testing.assert_frame_equal(again.transform(letters), first)
    pd.testing.assert_frame_equal(again.issues_, stage.issues_)


def test_a_run_s_cluster_stage_empties_the_token_lists_it_was_handed_and_finds_the_same_issues(chain, settings):
    """A run hands the token column over (`release_tokens`, issue 19: its frame held the lists
    through the whole fit): each list is emptied once read, and the issues are those found with the
    lists kept. By default nothing is emptied: a notebook may cluster one frame twice."""
    letters = chain["cluster"][0]
    kept = letters.assign(cluster_tokens=[list(t) for t in letters["cluster_tokens"]])
    handed = letters.assign(cluster_tokens=[list(t) for t in letters["cluster_tokens"]])
    assert sum(map(len, kept["cluster_tokens"])) > 1000
    by_default = STAGES["cluster"].from_settings(settings).transform(kept)
    assert list(map(len, kept["cluster_tokens"])) == list(map(len, letters["cluster_tokens"]))
    released = STAGES["cluster"].from_settings(settings, release_tokens=True).transform(handed)
    assert not any(map(len, handed["cluster_tokens"]))
    columns = ["letter_id", "issue_id", "hot_issue_label", "deep_seated", "issue_by_wording"]
    pd.testing.assert_frame_equal(released[columns], by_default[columns])
    assert by_default["issue_id"].notna().sum() > 20


def test_the_link_stage_drops_the_linker_s_inspection_results_and_the_store_saves_the_same(chain, settings, tmp_path):
    """`LinkStage.release`, which a run calls once the batch is linked, drops the linker's pairs,
    near-duplicate pairs and timeline (no later stage reads them) and keeps what the store's save
    reads: the batch saved with a released linker is the batch saved with one that kept all."""
    from pipeline.link import PetitionerLinker
    from pipeline.store import CaseStore

    letters = chain["link"][0]
    saved = {}
    for released in (False, True):
        stage = STAGES["link"].from_settings(settings)
        linked = stage.transform(letters)
        linker = stage.linker()
        if released:
            version = stage.version()
            stage.release()
            assert not any(hasattr(linker, a) for a in ("pairs_", "near_duplicate_pairs_", "timeline_"))
            assert len(linker.signatures_) == len(letters) and stage.version() == version
        else:
            assert all(hasattr(linker, a) for a in PetitionerLinker.BATCH_RESULTS)
        with CaseStore(tmp_path / f"cases-{released}.duckdb") as store:
            store.save(linked, linker=linker)
            saved[released] = store.con.execute(
                "SELECT * EXCLUDE (first_run, last_run) FROM letters ORDER BY letter_key").fetchdf()
    assert saved[True]["minhash"].notna().all()
    pd.testing.assert_frame_equal(saved[True], saved[False])


def test_a_batch_beyond_the_places_memo_carries_no_places_and_routes_the_same(chain):
    """At 10^5 letters the places column held ~130 MB through four stages: a batch larger than the
    memo (`uncached`) scans in each stage instead, with the same answers."""
    from pipeline.places import uncached

    before, after, stage = chain["tokenize"]
    route_in, route_out, route = chain["route"]
    with uncached():
        assert "letter_places" not in stage.transform(before).columns
        routed = route.transform(route_in.drop(columns=["letter_places"]))
    pd.testing.assert_frame_equal(routed, route_out.drop(columns=["letter_places"]), obj="route")
