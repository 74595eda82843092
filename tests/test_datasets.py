"""The standard sets of letters: real when present, the bundled sample otherwise, and said which."""
import pytest

from pipeline.datasets import KINDS, dataset_files, load_letters, real_data_available, resolve_source
from pipeline.errors import PetitionError
from tests.conftest import requires_shared_data


def test_sample_sets_are_the_bundled_files_and_carry_their_source():
    letters = load_letters("messages", source="sample")
    assert letters.attrs["source"] == "sample"
    assert letters.attrs["files"] == ["letters_xinfang.csv", "hotline_12345.xlsx"]
    assert len(letters) == 472 + 204 and letters["received_at"].notna().mean() > 0.99
    replies = load_letters("replies", source="sample")
    assert replies["replied_at"].notna().sum() > 50  # 已办结 letters have 答复日期
    labeled = load_letters("labeled", source="sample")
    assert labeled["label"].notna().mean() > 0.95


def test_auto_means_real_only_when_the_real_letters_are_there(tmp_path):
    assert resolve_source("auto", tmp_path) == "sample"
    assert dataset_files("hot", "auto", tmp_path)[0].parent.name == "sample"
    with pytest.raises(PetitionError, match="not in"):
        resolve_source("real", tmp_path)
    with pytest.raises(PetitionError, match="unknown set"):
        dataset_files("everything")
    with pytest.raises(PetitionError, match="unknown data source"):
        resolve_source("cloud")


def test_segmented_text_exists_only_in_the_real_data():
    with pytest.raises(PetitionError, match="no 'labeled_segmented' set"):
        load_letters("labeled_segmented", source="sample")


@requires_shared_data
def test_real_sets_read_completely():
    assert real_data_available() and resolve_source() == "real"
    hot = load_letters("hot")
    assert hot.attrs["source"] == "real" and len(hot) == 4326
    assert hot["up_votes"].notna().all()
    replies = load_letters("replies")
    assert len(replies) == 2816 and replies["replied_at"].notna().mean() > 0.99
    labeled = load_letters("labeled")
    assert len(labeled) == 1811 + 433 and labeled["label"].notna().all()
    assert {len(dataset_files(kind)) for kind in KINDS} <= {1, 2, 4}


def test_the_environment_can_force_the_sample(monkeypatch, tmp_path):
    monkeypatch.setenv("PETITION_DATA_SOURCE", "sample")
    assert resolve_source() == "sample"
    assert load_letters("replies").attrs["source"] == "sample"
    monkeypatch.setenv("PETITION_DATA_SOURCE", "real")
    with pytest.raises(PetitionError, match="not in"):
        resolve_source("auto", tmp_path)
    monkeypatch.setenv("PETITION_DATA_SOURCE", "both")
    with pytest.raises(PetitionError, match="use 'real' or 'sample'"):
        resolve_source()
