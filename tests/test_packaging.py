"""corpora/ and models/ ship inside the wheel, so the installed package alone runs the pipeline (issue 18).

The wheel is built from this checkout and installed with --no-deps into a folder that a fresh venv
sees ahead of this environment's dependencies; `petition run` then runs from a folder that is not the
project. The config, dictionary, lexicons, taxonomy, routing table and model can only come from the
wheel there. The config's relative paths resolve to the shipped files, or to the user's own files
next to their config.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from pipeline.config import load_settings
from pipeline.paths import DATA_DIR, PROJECT_DIR, SAMPLE_DIR

SAMPLE = SAMPLE_DIR / "hotline_12345.xlsx"
# A word jieba's general dictionary splits (噪音/扰民) and the petition dictionary keeps whole.
DICT_TEXT, DICT_WORD = "投诉A5区恒大绿洲小区周边交通噪音扰民", "噪音扰民"


def _run(args, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env, **kwargs)
    assert done.returncode == 0, f"{args[:3]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(wheel, folder the wheel is installed in, the fresh venv's python)."""
    tmp = tmp_path_factory.mktemp("packaging")
    # Build isolation fetches the build backend pyproject.toml asks for, as `make install` does.
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp / "dist", PROJECT_DIR])
    (wheel,) = (tmp / "dist").glob("*.whl")
    _run([sys.executable, "-m", "venv", "--without-pip", tmp / "venv"])
    python = tmp / "venv" / "bin" / "python"
    venv_site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    target = tmp / "site"
    # .pth lines only add folders: this environment's own .pth hooks (an editable install of the
    # checkout) are not run, so `pipeline` can only be imported from `target`.
    deps = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    Path(venv_site, "deps.pth").write_text("\n".join([str(target), *deps]) + "\n", encoding="utf-8")
    _run([python, "-m", "pip", "install", "--no-deps", "--quiet", "--target", target, wheel])
    return wheel, target, python


def test_the_wheel_carries_what_a_run_reads_and_no_build_scripts(installed):
    wheel, _, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in ("pipeline/corpora/config/default.toml", "pipeline/corpora/dict/petition_userdict.txt",
                    "pipeline/corpora/urgency/lexicon.csv", "pipeline/corpora/taxonomy/taxonomy.csv",
                    "pipeline/corpora/routing/routing.csv", "pipeline/models/default/model.joblib",
                    "pipeline/models/linking/splink_model.json", "pipeline/corpora/sample/hotline_12345.xlsx"):
        assert shipped in names
    data_modules = [n for n in names if n.endswith(".py") and n.startswith(("pipeline/corpora/", "pipeline/models/"))]
    assert data_modules == []  # models/build_default.py, corpora/*/build_*.py stay in the checkout
    assert not any("gold" in n for n in names)


def test_the_installed_wheel_alone_finds_its_data_and_runs(installed, tmp_path):
    _, target, python = installed
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(SAMPLE, work / SAMPLE.name)

    probe = _run([python, "-c", (
        "import json, pipeline.cli, pipeline.paths as p, pipeline.tokenize as t; "
        f"print(json.dumps({{'cli': pipeline.cli.__file__, 'corpora': str(p.CORPORA_DIR), 'models': str(p.MODELS_DIR), 'dict': str(t.USER_DICT), "
        f"'words': t.Tokenizer().segment({DICT_TEXT!r})}}))")], cwd=work)
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert Path(found["cli"]).is_relative_to(target)
    assert Path(found["corpora"]) == target / "pipeline" / "corpora"
    assert Path(found["models"]) == target / "pipeline" / "models"
    assert Path(found["dict"]).is_relative_to(target) and Path(found["dict"]).is_file()
    assert DICT_WORD in found["words"]  # the user dictionary was loaded, not silently skipped

    (work / "my.toml").write_text("[run]\nn_jobs = 1\n", encoding="utf-8")
    _run([target / "bin" / "petition", "run", SAMPLE.name, "--config", "my.toml", "--as-of", "2026-11-25",
          "--out", work / "out"], cwd=work)
    assert (work / "out" / "triage.xlsx").is_file()
    info = json.loads((work / "out" / "run.json").read_text(encoding="utf-8"))
    assert Path(info["config"]).name == "my.toml"
    letters = pd.read_parquet(work / "out" / "letters.parquet")
    assert len(letters) == len(pd.read_excel(SAMPLE))
    assert letters["issue_type"].notna().all()  # the model
    assert letters["urgency"].notna().all()  # the urgency lexicon
    assert letters["issue_level2_suggestion"].fillna("").ne("").any()  # the taxonomy
    assert letters["department"].nunique() > 1  # the routing table, not the fallback alone


def _settings(tmp_path, text: str):
    config = tmp_path / "my.toml"
    config.write_text(text, encoding="utf-8")
    return load_settings(config)


def test_shipped_relative_paths_resolve_to_the_shipped_files():
    settings = load_settings()
    assert settings.path("routing", "table") == DATA_DIR / "corpora" / "routing" / "routing.csv"
    assert settings.path("routing", "table").is_file()
    assert (settings.path("classify", "model") / "model.joblib").is_file()


def test_a_path_relative_to_the_users_config_stays_theirs(tmp_path):
    shutil.copy(DATA_DIR / "corpora" / "routing" / "routing.csv", tmp_path / "our_routing.csv")
    settings = _settings(tmp_path, '[routing]\ntable = "our_routing.csv"\n')
    assert settings.path("routing", "table") == tmp_path / "our_routing.csv"
    assert settings.path("urgency", "lexicon") == DATA_DIR / "corpora" / "urgency" / "lexicon.csv"


def test_a_users_absolute_path_is_kept_and_a_shipped_name_in_their_config_still_finds_the_shipped_file(tmp_path):
    absolute = tmp_path / "elsewhere" / "table.csv"
    settings = _settings(tmp_path, f'[routing]\ntable = "{absolute.as_posix()}"\n'
                                   '[classify]\ntaxonomy = "corpora/taxonomy/taxonomy.csv"\n')
    assert settings.path("routing", "table") == absolute
    assert settings.path("classify", "taxonomy") == DATA_DIR / "corpora" / "taxonomy" / "taxonomy.csv"
