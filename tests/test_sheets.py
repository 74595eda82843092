"""The write stage's tables: route decides confidentiality, the department lists apply it."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.config import load_settings
from pipeline.read import read_letters
from pipeline.sheets import IDENTITY_COLUMNS, LETTER_COLUMNS, department_lists, mask_writer, triage_sheets
from pipeline.stages import RouteStage


@pytest.fixture(scope="module")
def routed(sample_dir):
    """Real bundled letters with their own issue type, routed (accusations go to 纪检监察 with `confidential`), all open."""
    letters = read_letters([sample_dir / "letters_xinfang.csv"]).letters
    letters["issue_type"] = letters["label"]  # the office's own 问题类型, so letters spread over departments
    out = RouteStage.from_settings(load_settings()).transform(letters)
    out["is_closed"], out["is_backlog"], out["priority"] = False, False, 0.0
    out["person_id"] = "P" + out["letter_id"]  # link's column; here each writer is their own person
    assert out["confidential"].sum() >= 2  # the corpus holds accusations against officials
    return out


def _identity_headers():
    return {LETTER_COLUMNS[c] for c in IDENTITY_COLUMNS}


def test_only_the_discipline_list_carries_identity(routed):
    lists = department_lists(routed, "纪检监察")
    assert "待办-纪检监察" in lists and len(lists) > 2
    for name, sheet in lists.items():
        if name == "待办-纪检监察":
            assert _identity_headers() <= set(sheet.columns)
        else:
            assert not _identity_headers() & set(sheet.columns), name
    discipline = set(lists["待办-纪检监察"]["信件编号"])
    assert set(routed.loc[routed["confidential"], "letter_id"]) <= discipline


def test_a_confidential_letter_reassigned_elsewhere_still_goes_to_the_discipline_list_only(routed):
    """Route's decision holds even when the department cell changed after it (a hand reassignment,
    a later model): the accused unit's list never gets the accusation."""
    moved = routed.copy()
    accusations = moved.index[moved["confidential"]]
    target = moved.loc[~moved["confidential"], "department"].value_counts().index[0]
    moved.loc[accusations, "department"] = target
    lists = department_lists(moved, "纪检监察")
    assert set(moved.loc[accusations, "letter_id"]) <= set(lists["待办-纪检监察"]["信件编号"])
    assert not set(moved.loc[accusations, "letter_id"]) & set(lists[f"待办-{target}"[:31]]["信件编号"])


def test_the_discipline_department_comes_from_the_settings(routed):
    settings = load_settings()
    settings.values["routing"]["discipline_department"] = "监察委"
    renamed = routed.assign(department=routed["department"].replace("纪检监察", "监察委"))
    cases = pd.DataFrame({"case_priority": []})
    persons = pd.DataFrame({"person_id": [], "letter_count": []})
    issues = pd.DataFrame()
    sheets = triage_sheets(renamed.assign(urgency="一般"), cases, issues, persons, settings)
    assert _identity_headers() <= set(sheets["待办-监察委"].columns)
    assert "待办-纪检监察" not in sheets


def test_writer_ids_are_shown_by_their_ends_only():
    assert mask_writer("A000102948") == "A00*****48"
    assert mask_writer(None) == ""
