"""The model card: the shipped card re-derived from the shipped model, its page, its files, its scores."""
from __future__ import annotations

import json
import os

import numpy as np

from pipeline.classify import FORMAT_VERSION, IssueClassifier
from pipeline.model_card import CARD_FILE, META_FILE, META_KEYS, README_FILE, card_markdown, cv_scores, write_card
from pipeline.paths import MODELS_DIR

SHIPPED = MODELS_DIR / "default"


def _shipped_card() -> dict:
    return json.loads((SHIPPED / CARD_FILE).read_text(encoding="utf-8"))


def test_shipped_readme_is_the_page_of_the_shipped_card():
    assert card_markdown(_shipped_card()) == (SHIPPED / README_FILE).read_text(encoding="utf-8")


def test_card_of_the_loaded_shipped_model_is_the_shipped_card():
    shipped = _shipped_card()
    card = IssueClassifier.load(SHIPPED).card()
    assert card["format_version"] == FORMAT_VERSION
    for key in set(shipped) - {"versions", "package_version", "training_data", "rebuild", "params"}:
        assert card[key] == shipped[key], key
    assert {k: v for k, v in card["params"].items() if k != "progress"} == \
        {k: v for k, v in shipped["params"].items() if k != "progress"}


def test_written_card_is_what_load_checks(tmp_path):
    os.symlink(SHIPPED / "model.joblib", tmp_path / "model.joblib")
    write_card(_shipped_card(), tmp_path, training_data=["labeled_raw.csv: 10 letters"], rebuild="make models")
    meta = json.loads((tmp_path / META_FILE).read_text(encoding="utf-8"))
    assert tuple(meta) == META_KEYS and meta["format_version"] == FORMAT_VERSION
    card = json.loads((tmp_path / CARD_FILE).read_text(encoding="utf-8"))
    assert card["training_data"] == ["labeled_raw.csv: 10 letters"] and card["rebuild"] == "make models"
    page = (tmp_path / README_FILE).read_text(encoding="utf-8")
    assert "  - labeled_raw.csv: 10 letters" in page and "`make models`" in page
    assert list(IssueClassifier.load(tmp_path).classes_) == meta["classes"]


def test_cv_scores_count_every_letter_once():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    pred = np.where(rng.random(300) < 0.8, y, (y + 1) % 3)
    confidence = np.clip(rng.random(300), 0, 1)
    correct = pred == y
    review = confidence < 0.3
    scores = cv_scores(y, pred, np.array(["甲", "乙", "丙"], dtype=object), confidence, correct, 0.3, review)
    assert sum(b["letters"] for b in scores["calibration_curve"]) == 300
    assert sum(s["support"] for s in scores["per_class"].values()) == 300
    assert np.array(scores["confusion_matrix"]["rows_true_cols_predicted"]).trace() == correct.sum()
    assert scores["accuracy"] == round(correct.mean(), 4)
    assert scores["review"]["share_flagged"] == round(review.mean(), 4)
