"""The one config: shipped defaults equal the code's, a user file changes what the stages do."""
from __future__ import annotations

import inspect

import pytest

from pipeline.config import load_settings
from pipeline.errors import PetitionError
from pipeline.read import read_letters
from pipeline.stages import STAGES


def _defaults(cls) -> dict:
    return {k: p.default for k, p in inspect.signature(cls.__init__).parameters.items()
            if p.default is not inspect.Parameter.empty}


def test_the_shipped_sections_hold_the_values_the_code_defaults_to():
    """A stage built from the config and the same estimator built by hand (a notebook) agree."""
    from pipeline.cluster import IssueClusterer
    from pipeline.heat import DEFAULT_HEAT_WEIGHTS
    from pipeline.link import PetitionerLinker
    from pipeline.rank import PriorityRanker

    settings = load_settings()
    assert settings.section("heat") == DEFAULT_HEAT_WEIGHTS
    cluster = _defaults(IssueClusterer)
    assert settings.section("cluster") == {k: cluster[k] for k in settings.section("cluster")}
    link = _defaults(PetitionerLinker)
    assert settings.section("link") == {k: link[k] for k in settings.section("link")}
    rank = _defaults(PriorityRanker)
    assert settings.section("priority") == {k: rank[k] for k in settings.section("priority")}
    assert settings.section("cases") == {k: rank[f"case_{k}"] for k in settings.section("cases")}
    assert {"heat", "cluster", "link", "cases"} <= set(settings.values)


def _user(tmp_path, text: str):
    path = tmp_path / "my.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def test_a_misspelt_key_or_section_is_an_error_that_names_it(tmp_path):
    with pytest.raises(PetitionError, match=r"my.toml: unknown key\(s\) \['treshold'\] in \[link\]"):
        _user(tmp_path, "[link]\ntreshold = 0.9\n")
    with pytest.raises(PetitionError, match=r"unknown section \[linking\]"):
        _user(tmp_path, "[linking]\nthreshold = 0.9\n")
    assert _user(tmp_path, "[link]\nthreshold = 0.9\n").get("link", "threshold") == 0.9
    assert load_settings().get("link", "threshold") == 0.7  # the user's file never changes the defaults


@pytest.fixture(scope="module")
def letters(sample_dir):
    return read_letters([sample_dir / "letters_xinfang.csv"]).letters.head(150)


def test_a_stricter_link_threshold_finds_fewer_repeat_petitioners(letters, tmp_path):
    default = STAGES["link"].from_settings(load_settings()).transform(letters)
    strict = STAGES["link"].from_settings(
        _user(tmp_path, "[link]\nthreshold = 0.99999\nattach_min_support = 0\n")).transform(letters)
    assert strict["person_id"].nunique() > default["person_id"].nunique()
    assert (strict["repeat_count"] > 1).sum() < (default["repeat_count"] > 1).sum()


def test_heat_weights_and_cluster_thresholds_come_from_the_config(sample_dir, tmp_path):
    letters = read_letters([sample_dir / "letters_xinfang.csv", sample_dir / "hotline_12345.xlsx"]).letters
    default = STAGES["cluster"].from_settings(load_settings())
    default.transform(letters)
    heavier = STAGES["cluster"].from_settings(_user(tmp_path, "[heat]\nletters = 1.25\n"))
    heavier.transform(letters)
    before = default.issues_.set_index("issue_id")["heat"]
    after = heavier.issues_.set_index("issue_id")["heat"]
    assert len(before) >= 5 and set(before.index) == set(after.index)
    assert (after[before.index] > before).all()  # the letters term weighs double in every issue's heat
    bigger = STAGES["cluster"].from_settings(_user(tmp_path, "[cluster]\nmin_letters = 6\n"))
    bigger.transform(letters)
    assert 0 < len(bigger.issues_) < len(before) and (bigger.issues_["n_letters"] >= 6).all()


def test_case_weights_come_from_the_config(letters, tmp_path):
    linked = STAGES["link"].from_settings(load_settings()).transform(letters)
    default = STAGES["rank"].from_settings(load_settings())
    ranked = default.transform(linked)
    top = ranked.set_index("letter_id")["priority"]
    flat = STAGES["rank"].from_settings(_user(tmp_path, "[cases]\nper_letter = 0.0\nper_year = 0.0\n"))
    flat.transform(linked)
    # without the history terms a case is as pressing as its top letter; by default repeats add to it
    assert (flat.cases_["case_priority"] == flat.cases_["top_letter_id"].map(top)).all()
    repeated = default.cases_[default.cases_["letters"] > 1]
    assert len(repeated) > 0 and (repeated["case_priority"] > repeated["top_letter_id"].map(top)).all()


def test_the_spark_memory_comes_from_the_config_and_the_run_flags_override_it(tmp_path):
    from pipeline.cli import build_parser
    from pipeline.commands.run import run_settings
    from pipeline.spark_session import spark_conf

    assert spark_conf(load_settings()) == {}  # shipped: Spark's own defaults
    mine = tmp_path / "my.toml"
    mine.write_text('[spark]\ndriver_memory = "6G"\nexecutor_memory = "16g"\n', encoding="utf-8")
    assert spark_conf(load_settings(mine)) == {"spark.driver.memory": "6g", "spark.executor.memory": "16g"}
    args = build_parser().parse_args(["run", "--engine", "spark", "--config", str(mine), "--spark-driver-memory", "3g"])
    assert spark_conf(run_settings(args)) == {"spark.driver.memory": "3g", "spark.executor.memory": "16g"}
    args = build_parser().parse_args(["run", "--engine", "spark", "--spark-executor-memory", "2048m"])
    assert spark_conf(run_settings(args)) == {"spark.executor.memory": "2048m"}


@pytest.mark.parametrize("size", ["6 GB", "6gb", "0g", "-1g", "lots"])
def test_a_spark_memory_size_spark_would_misread_is_an_error_naming_the_key(tmp_path, size):
    from pipeline.spark_session import spark_conf

    with pytest.raises(PetitionError, match=r"\[spark\] driver_memory = .* is not a JVM memory size"):
        spark_conf(_user(tmp_path, f'[spark]\ndriver_memory = "{size}"\n'))
    with pytest.raises(PetitionError, match=r"unknown key\(s\) \['driver_mem'\] in \[spark\]"):
        _user(tmp_path, '[spark]\ndriver_mem = "6g"\n')
