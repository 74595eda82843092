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
