"""Where the project's shipped data lives, so no module hard-codes a path.

The dictionary, lexicons, taxonomy, routing table, default config, sample letters and models sit in
corpora/ and models/ at the top of the project. A source checkout (or an editable install) reads them
there. A built wheel carries them inside the package, as pipeline/corpora and pipeline/models (see
pyproject.toml), found through importlib.resources: an installed wheel alone, e.g. on a Spark
executor, runs with the same data. `DATA_DIR` is the folder holding both, so the config's relative
paths ("corpora/...", "models/default") resolve against it either way.
"""
from importlib.resources import files
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def _data_dir() -> Path:
    """The project folder when this code runs from a checkout, else the installed package's copy."""
    if (PROJECT_DIR / "pyproject.toml").is_file() and (PROJECT_DIR / "corpora").is_dir():
        return PROJECT_DIR
    # `pipeline` is a namespace package: joinpath returns the real folder of the first location
    # holding it. pip installs wheels unzipped, so this is a plain directory.
    return Path(str(files("pipeline").joinpath("corpora"))).parent


DATA_DIR = _data_dir()
CORPORA_DIR = DATA_DIR / "corpora"
MODELS_DIR = DATA_DIR / "models"
SAMPLE_DIR = CORPORA_DIR / "sample"
DICT_DIR = CORPORA_DIR / "dict"
SHARED_DATA_DIR = PROJECT_DIR.parent / "shared" / "data" / "tipdm2020c"
