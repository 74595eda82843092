"""Writing files people open: atomic, headers in the reader's language, never a live formula."""
from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.escape import unescape

from pipeline.write import write_sheets, write_table

HYPERLINK = '=HYPERLINK("http://example.com/x","点我")'
LETTERS = pd.DataFrame({
    "letter_id": ["XF-1", "XF-2", "XF-3", "XF-4", "XF-5", "XF-6"],
    "title": [HYPERLINK, "+86 138 0000 0000 打不通", "-小区门口路灯不亮", "@物业 请处理",
              "\t=1+1", "小区门口垃圾站臭味严重"],
    "text": ["点我看详情", "热线打不通，反映多次无人接听。", "路灯坏了三个月。", "物业不作为。",
             "\r=cmd|' /C calc'!A0", "垃圾站夏天臭味严重，请环卫处理。"],
    "urgency_score": [-1.5, 0.0, 2.0, 0.0, 1.0, 0.0],
})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cells(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_fields_cannot_start_a_formula_and_stay_readable(tmp_path):
    write_table(LETTERS, tmp_path / "letters.csv")
    rows = _csv_cells(tmp_path / "letters.csv")
    assert rows[0] == ["信件编号", "标题", "内容", "紧急分值"]
    cells = [cell for row in rows[1:] for cell in row[:3]]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    titles = [row[1] for row in rows[1:]]
    assert titles[0] == "'" + HYPERLINK  # the letter is still there to read, quote first
    assert titles[1:5] == ["'+86 138 0000 0000 打不通", "'-小区门口路灯不亮", "'@物业 请处理", "'\t=1+1"]
    assert titles[5] == "小区门口垃圾站臭味严重"  # ordinary text untouched
    assert rows[5][2] == "'\r=cmd|' /C calc'!A0"  # a CR is inside a quoted field, not a new row
    assert len(rows) == 7
    assert rows[1][3] == "-1.5"  # numbers are numbers, not text to neutralise


def test_a_formula_like_header_is_neutralised_too(tmp_path):
    write_table(pd.DataFrame({"=SUM(A1:A9)": ["x"], "title": ["路灯"]}), tmp_path / "x.csv")
    assert _csv_cells(tmp_path / "x.csv")[0] == ["'=SUM(A1:A9)", "标题"]


def test_xlsx_writes_text_as_text_with_no_formula(tmp_path):
    write_table(LETTERS, tmp_path / "letters.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "letters.xlsx").active
    cells = [cell for row in sheet.iter_rows(min_row=2, max_col=3) for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert sheet["B2"].value == HYPERLINK and sheet["B2"].data_type == "s"
    # openpyxl leaves a control character as Excel stores it (_x000D_ is a CR)
    flagged = [c for c in cells if isinstance(c.value, str) and unescape(c.value).startswith(FORMULA_STARTS)]
    assert len(flagged) == 6 and all(c.quotePrefix for c in flagged)  # stays text when edited
    assert not sheet["B7"].quotePrefix and sheet["D2"].value == -1.5
    assert not [c for c in cells if c.hyperlink is not None]


def test_workbook_sheets_are_text_only_and_named_as_excel_allows(tmp_path):
    write_sheets({"待办-住房/城乡建设局": LETTERS, "今日紧急": LETTERS.head(1),
                  "x" * 40: LETTERS, "x" * 35: LETTERS}, tmp_path / "triage.xlsx")
    book = openpyxl.load_workbook(tmp_path / "triage.xlsx")
    assert book.sheetnames == ["待办-住房_城乡建设局", "今日紧急", "x" * 31, "x" * 29 + "~2"]
    for sheet in book.worksheets:
        assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]


@pytest.mark.parametrize("headers, first", [("zh", "信件编号"), ("en", "letter_id")])
def test_headers_choose_the_language_of_csv_and_xlsx_but_parquet_stays_snake_case(tmp_path, headers, first):
    for name in ("x.csv", "x.xlsx", "x.parquet"):
        write_table(LETTERS, tmp_path / name, headers=headers)
    assert _csv_cells(tmp_path / "x.csv")[0][0] == first
    assert openpyxl.load_workbook(tmp_path / "x.xlsx").active["A1"].value == first
    parquet = pd.read_parquet(tmp_path / "x.parquet")
    assert list(parquet.columns) == list(LETTERS.columns)
    assert parquet["title"].iloc[0] == HYPERLINK  # data for pandas keeps the text exactly
    with pytest.raises(ValueError):
        write_table(LETTERS, tmp_path / "y.csv", headers="fr")


def test_an_office_column_named_like_ours_keeps_both_columns_apart(tmp_path):
    """A source file's own 问题类型 beside the computed issue_type: two columns of one name made the
    CSV ambiguous and the workbook writer crash."""
    frame = pd.DataFrame({"issue_type": ["城乡建设"], "问题类型": ["=物业"], "title": ["电梯坏了"]})
    write_table(frame, tmp_path / "x.csv")
    write_table(frame, tmp_path / "x.xlsx")
    assert _csv_cells(tmp_path / "x.csv") == [["问题类型(issue_type)", "问题类型", "标题"], ["城乡建设", "'=物业", "电梯坏了"]]
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert [c.value for c in sheet[1]] == ["问题类型(issue_type)", "问题类型", "标题"]
    assert sheet["B2"].value == "=物业" and sheet["B2"].quotePrefix
    same = pd.DataFrame([["=a", "b"]], columns=["备注", "备注"])  # duplicated by the caller
    write_table(same, tmp_path / "y.csv")
    write_table(same, tmp_path / "y.xlsx")
    assert _csv_cells(tmp_path / "y.csv")[1] == ["'=a", "b"]


def test_the_workbook_writer_reads_cell_for_cell_as_pandas_to_excel_on_a_real_run(sample_run, tmp_path, monkeypatch):
    """`write_sheets` writes cells itself, with short cuts for text, numbers and flags, a few rows
    of each column at a time; the straightforward path, pandas' `to_excel` of each sheet, must
    read back the same on the bundled run's triage sheets (every value and type, header too)."""
    from pipeline import write
    from pipeline.config import load_settings
    from pipeline.sheets import triage_sheets

    monkeypatch.setattr(write, "ROWS_AT_ONCE", 7)  # several slices per sheet, as at scale
    sheets = triage_sheets(sample_run.letters, sample_run.cases, sample_run.issues, sample_run.persons,
                           load_settings())
    write_sheets(sheets, tmp_path / "fast.xlsx")
    fast = openpyxl.load_workbook(tmp_path / "fast.xlsx")
    options = {"options": write.XLSX_OPTIONS}
    with pd.ExcelWriter(tmp_path / "pandas.xlsx", engine="xlsxwriter", engine_kwargs=options) as writer:
        for name, frame in zip(fast.sheetnames, sheets.values()):
            frame.to_excel(writer, sheet_name=name, index=False)
    plain = openpyxl.load_workbook(tmp_path / "pandas.xlsx")
    assert plain.sheetnames == fast.sheetnames and len(fast.sheetnames) > 8
    cells = 0
    for name in fast.sheetnames:
        ours = [[(c.value, type(c.value)) for c in row] for row in fast[name].iter_rows()]
        theirs = [[(c.value, type(c.value)) for c in row] for row in plain[name].iter_rows()]
        assert ours == theirs, name
        cells += sum(map(len, ours))
    assert cells > 10_000


def test_a_csv_written_in_chunks_is_the_csv_written_at_once(tmp_path, monkeypatch):
    """write_table makes a CSV CSV_ROWS_AT_ONCE rows at a time: the bytes are one to_csv's over the
    whole frame (BOM once, header once, a formula-like cell in a later chunk still neutralised)."""
    from pipeline import write

    frame = pd.DataFrame({
        "letter_id": [f"L{i}" for i in range(25)],
        "title": ["路灯坏了"] * 20 + ["=HYPERLINK(\"http://x\")", None, "-1", "a\rb", "末"],
        "priority": [i / 3 if i % 4 else float("nan") for i in range(25)],
        "received_at": pd.date_range("2020-01-01", periods=25, freq="37h"),
    })
    monkeypatch.setattr(write, "CSV_ROWS_AT_ONCE", 7)
    write.write_table(frame, tmp_path / "chunked.csv")
    whole = write.safe_cells(write.to_chinese_headers(frame))
    whole.to_csv(tmp_path / "whole.csv", index=False, encoding="utf-8-sig", date_format="%Y-%m-%d %H:%M:%S",
                 lineterminator="\r\n")
    chunked = (tmp_path / "chunked.csv").read_bytes()
    assert chunked == (tmp_path / "whole.csv").read_bytes()
    assert chunked.count(b"\xef\xbb\xbf") == 1 and b"'=HYPERLINK" in chunked


def test_has_formula_reads_string_columns_as_formula_like_reads_cells():
    import pandas as pd

    from pipeline.write import _has_formula, formula_like

    for cells in (["a", "=1+1", None], ["a", "b", None], [None], ["+x"], ["-"], ["@a"], ["\t=x"], ["\r"], [" =x"], ["ｘ=1"]):
        for dtype in ("str", pd.StringDtype("pyarrow"), pd.StringDtype("python"), object):
            values = pd.Series(cells, dtype=dtype)
            assert _has_formula(values) == bool(values.map(formula_like).any()), (cells, dtype)
