"""An issue's letters as arrays (`pipeline/issue_letters.py`): the issue table's counts, dates and
mixes, on the bundled 信访 letters, each checked against what the office would count by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.heat import deep_seated_evidence
from pipeline.issue_letters import IssueLetters
from pipeline.paths import CORPORA_DIR
from pipeline.read import read_letters


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    letters = read_letters([CORPORA_DIR / "sample" / "letters_xinfang.csv"]).letters.head(12).copy()
    letters["_doc"] = np.arange(len(letters))
    return letters


def test_groups_are_the_issues_in_order_with_their_letters_in_batch_order(sample):
    labels = np.array([1, -1, 0, 1, 0, 2, -1, 1, 2, 0, 1, -1])
    got = IssueLetters(sample, "name").groups(labels)
    assert [c for c, _ in got] == [0, 1, 2]
    assert [pos.tolist() for _, pos in got] == [[2, 4, 9], [0, 3, 7, 10], [5, 8]]
    assert IssueLetters(sample, "name").groups(np.full(12, -1)) == []


def test_a_writer_coming_back_in_another_month_is_another_contact(sample):
    frame = sample.copy()
    frame["name"] = frame["name"].iloc[0]  # one person wrote all twelve letters
    frame.loc[frame.index[3], "name"] = None  # one letter without a writer is its own writer
    letters = IssueLetters(frame, "name")
    pos = np.arange(12)
    months = frame["received_at"].dt.to_period("M")
    signed = months[frame["name"].notna()]
    assert letters.n_writers(pos) == 1
    assert letters.n_contacts(pos) == signed.nunique() + 1
    assert letters.n_contacts(np.array([0])) == 1
    # without a writer column every letter is its own writer
    assert IssueLetters(frame, None).n_writers(pos) == 12


def test_the_representative_is_the_earliest_letter_with_the_typical_text(sample):
    frame = sample.copy()
    frame["_doc"] = [0, 1, 0, 2, 0, 3, 4, 5, 6, 7, 8, 9]
    frame.loc[frame.index[0], "received_at"] = pd.NaT  # undated: after every dated copy
    letters = IssueLetters(frame, "name")
    assert letters.representative(np.arange(12), 0) == 2
    assert letters.representative(np.array([0, 1]), 0) == 0  # the only copy, undated
    assert letters.representative(np.array([5, 6]), 0) == 5  # no copy: the first letter


def test_class_and_urgency_mixes_are_what_the_letters_say(sample):
    frame = sample.copy()
    frame["label"] = ["城乡建设", " ", "劳动和社会保障", "城乡建设", None, "劳动和社会保障", "环境保护",
                      "环境保护", "环境保护", "城乡建设", "劳动和社会保障", None]
    frame["issue_type"] = "环境保护"  # the classifier's class fills only letters the file leaves blank
    frame["urgency"] = ["一般", "紧急", "较急", "紧急", None, "一般", "一般", "紧急", "较急", "较急", "一般", "紧急"]
    letters = IssueLetters(frame, "name")
    has, kind = letters.top_kind(np.arange(6))
    # two each of 城乡建设, 劳动和社会保障 and 环境保护 (the blank and the None filled): the first by sort, as
    # pandas' mode gives it
    assert has and kind == "劳动和社会保障" == pd.Series(["城乡建设", "劳动和社会保障", "环境保护"] * 2).mode().iloc[0]
    assert letters.urgency_mix(np.arange(12)) == "一般:4; 紧急:4; 较急:3"
    assert IssueLetters(sample, "name").top_kind(np.arange(3))[1] == sample["label"].iloc[:3].mode().iloc[0]


def test_dates_come_from_the_text_when_the_file_has_none(sample):
    frame = sample.copy()
    frame["received_at"] = pd.NaT
    frame["text"] = ["2023年5月6日起小区停水", "至今未解决"] + frame["text"].iloc[2:].tolist()
    first, last = IssueLetters(frame, "name").date_range(np.array([0, 1]))
    assert first == last == pd.Timestamp("2023-05-06")
    assert all(pd.isna(d) for d in IssueLetters(frame, "name").date_range(np.array([1])))  # none written either


def test_deep_seated_evidence_is_the_heat_modules_on_the_same_letters(sample):
    frame = sample.copy()
    frame["name"] = [frame["name"].iloc[k % 3] for k in range(12)]
    letters = IssueLetters(frame, "name")
    pos = np.arange(12)
    assert letters.evidence(pos) == deep_seated_evidence(frame["received_at"], frame["name"])
    assert letters.evidence(pos)["repeat_writers"] == 3
