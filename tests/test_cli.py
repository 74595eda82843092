"""The CLI: commands listed, human errors, ingest and inspect on the bundled corpus."""
from __future__ import annotations

import pandas as pd

from pipeline.cli import main


def test_help_lists_every_command(capsys):
    try:
        main(["--help"])
    except SystemExit:
        pass
    out = capsys.readouterr().out
    for command in ("ingest", "inspect", "run", "train", "classify", "evaluate", "grade", "link", "hotspots"):
        assert command in out, command


def test_ingest_writes_letters_and_rejects_with_masked_identity(sample_dir, tmp_path, capsys):
    code = main(["ingest", str(sample_dir / "letters_xinfang.csv"), str(sample_dir / "hotline_12345.xlsx"),
                 "--out", str(tmp_path)])
    assert code == 0
    letters = pd.read_parquet(tmp_path / "letters.parquet")
    rejects = pd.read_csv(tmp_path / "rejects.csv", encoding="utf-8-sig")
    assert list(rejects.columns) == ["来源文件", "行号", "列名", "原因"]
    assert len(rejects) >= 3 and rejects["原因"].str.contains("malformed row|empty text").all()
    phones = letters["phone"].dropna()
    assert len(phones) > 100 and phones.str.contains(r"\*").all()
    err = capsys.readouterr().err
    assert "letters_xinfang.csv, row" in err and "来信日期" in err  # problems named by file, row, column


def test_inspect_summarises_without_writing(sample_dir, capsys):
    assert main(["inspect", str(sample_dir / "hotline_12345.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "工单编号→letter_id" in out and "投诉件内容→text" in out and "dates: 2024" in out


def test_user_errors_are_one_sentence_not_a_traceback(tmp_path, capsys):
    assert main(["ingest", str(tmp_path / "missing.csv"), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "input not found" in err and "Traceback" not in err
    (tmp_path / "a.csv").write_text("标题,内容\n路灯,路灯坏了\n", encoding="utf-8")
    assert main(["inspect", str(tmp_path / "a.csv"), "--map", "标题=headline"]) == 1
    assert "unknown field" in capsys.readouterr().err


def _letters_csv(sample_dir, path, rows: int, **overrides) -> "Path":
    """The first `rows` letters of the bundled intake export as their own file (its own headers)."""
    letters = pd.read_csv(sample_dir / "letters_xinfang.csv", encoding="utf-8-sig", dtype=str,
                          on_bad_lines="skip").head(rows)
    for column, values in overrides.items():
        letters[column] = values
    letters.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_run_on_a_batch_of_one_letter_and_of_three_and_again(sample_dir, tmp_path):
    """A batch of one letter is a batch: no issue can form, yet every file is written, twice."""
    one = _letters_csv(sample_dir, tmp_path / "one.csv", 1)
    out = tmp_path / "out1"
    assert main(["run", str(one), "--out", str(out), "--as-of", "2024-06-01"]) == 0
    first = pd.read_csv(out / "letters.csv", encoding="utf-8-sig")
    assert first["信件编号"].tolist() == ["XF2024-000137"]
    assert (out / "triage.xlsx").exists() and (out / "report.html").exists()
    # the second run finds the first one's issue state and case store
    assert main(["run", str(one), "--out", str(out), "--as-of", "2024-06-01"]) == 0
    assert pd.read_csv(out / "letters.csv", encoding="utf-8-sig").equals(first)
    three = _letters_csv(sample_dir, tmp_path / "three.csv", 3)
    assert main(["run", str(three), "--out", str(tmp_path / "out3"), "--as-of", "2024-06-01"]) == 0
    assert len(pd.read_csv(tmp_path / "out3" / "letters.csv", encoding="utf-8-sig")) == 3


def test_hotspots_on_one_letter_writes_empty_tables(sample_dir, tmp_path):
    one = _letters_csv(sample_dir, tmp_path / "one.csv", 1)
    for _ in range(2):  # the second run loads the state the first one saved
        assert main(["hotspots", str(one), "--out", str(tmp_path), "--state", str(tmp_path / "s.pkl"),
                     "--no-classify"]) == 0
    assert pd.read_csv(tmp_path / "hot_issues.csv", encoding="utf-8-sig").empty
