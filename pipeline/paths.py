"""Where the project's shipped data lives, so no module hard-codes a path."""
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
CORPORA_DIR = PROJECT_DIR / "corpora"
MODELS_DIR = PROJECT_DIR / "models"
SAMPLE_DIR = CORPORA_DIR / "sample"
DICT_DIR = CORPORA_DIR / "dict"
SHARED_DATA_DIR = PROJECT_DIR.parent / "shared" / "data" / "tipdm2020c"
