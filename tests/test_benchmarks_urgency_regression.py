"""The regression diff lists the letters a cue change flips and records them as seen."""
import pandas as pd

from benchmarks.urgency_regression import changed, record_seen


def _snapshot(rows):
    return pd.DataFrame(rows, columns=["source_file", "letter_id", "opening", "urgency", "urgency_review", "urgency_evidence"])


def test_only_letters_whose_level_or_band_flag_changed_are_listed_and_recorded(tmp_path):
    before = _snapshot([
        ("hot_messages.xlsx", "1", "小区电梯经常关人", "较急", True, "待复核:电梯"),
        ("hot_messages.xlsx", "2", "楼下烧烤夜里吵", "较急", False, "噪音"),
        ("replies.xlsx", "3", "咨询社保", "一般", False, ""),
    ])
    after = _snapshot([
        ("hot_messages.xlsx", "1", "小区电梯经常关人", "紧急", False, "电梯…关人…经常"),
        ("hot_messages.xlsx", "2", "楼下烧烤夜里吵", "较急", False, "噪音;凌晨"),  # evidence only: not a flip
        ("replies.xlsx", "3", "咨询社保", "一般", True, "待复核:x"),
    ])
    rows = changed(before, after)
    assert list(rows["letter_id"]) == ["1", "3"]
    seen = tmp_path / "seen.csv"
    pd.DataFrame({"source_file": ["replies.xlsx"], "letter_id": ["3"]}).to_csv(seen, index=False)
    assert record_seen(rows, seen) == 1  # letter 3 was already listed
    assert record_seen(rows, seen) == 0  # a rerun adds nothing
    kept = pd.read_csv(seen, dtype=str)
    # new ids go to the end: the rows a blind split's draw counted (Draw.seen_rows) never move
    assert list(zip(kept["source_file"], kept["letter_id"])) == [("replies.xlsx", "3"), ("hot_messages.xlsx", "1")]
