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
    assert main(["run", str(three), "--out", str(tmp_path / "out3"), "--as-of", "2024-06-01", "--headers", "en"]) == 0
    letters = pd.read_csv(tmp_path / "out3" / "letters.csv", encoding="utf-8-sig")
    assert len(letters) == 3 and {"letter_id", "urgency", "priority"} <= set(letters.columns)  # --headers en


def test_hotspots_on_one_letter_writes_empty_tables(sample_dir, tmp_path):
    one = _letters_csv(sample_dir, tmp_path / "one.csv", 1)
    for _ in range(2):  # the second run loads the state the first one saved
        assert main(["hotspots", str(one), "--out", str(tmp_path), "--state", str(tmp_path / "s.pkl"),
                     "--no-classify"]) == 0
    assert pd.read_csv(tmp_path / "hot_issues.csv", encoding="utf-8-sig").empty


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("http://example.com/x","点我")'


def test_run_exports_carry_no_live_formula_anywhere(sample_dir, tmp_path):
    """OWASP CSV/Excel injection: a title like =HYPERLINK(...) stays text in every export."""
    import openpyxl
    from openpyxl.utils.escape import unescape

    titles = [HYPERLINK, "@物业 小区电梯坏了一个月", "-路灯不亮 +1"]
    batch = _letters_csv(sample_dir, tmp_path / "in.csv", 3, 标题=titles, 办理状态="办理中", 答复日期="")
    out = tmp_path / "out"
    assert main(["run", str(batch), "--out", str(out), "--as-of", "2024-06-01"]) == 0
    book = openpyxl.load_workbook(out / "triage.xlsx")
    assert any(name.startswith("待办-") for name in book.sheetnames)  # the department sheets too
    seen = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and unescape(cell.value).startswith(FORMULA_STARTS):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                    seen.append(cell.value)
    assert HYPERLINK in seen
    with open(out / "letters.csv", encoding="utf-8-sig", newline="") as handle:
        import csv

        rows = list(csv.reader(handle))
    assert not [c for row in rows for c in row if c.startswith(FORMULA_STARTS)]
    assert sorted(row[rows[0].index("标题")] for row in rows[1:]) == sorted("'" + t for t in titles)


def test_grade_and_classify_write_the_headers_asked_for_with_identity_masked(sample_dir, tmp_path):
    batch = _letters_csv(sample_dir, tmp_path / "in.csv", 3)
    assert main(["grade", str(batch), "--out", str(tmp_path / "zh.csv")]) == 0
    assert main(["grade", str(batch), "--out", str(tmp_path / "en.csv"), "--headers", "en"]) == 0
    assert main(["classify", str(batch), "--out", str(tmp_path / "c.xlsx"), "--headers", "en"]) == 0
    assert main(["grade", str(batch), "--out", str(tmp_path / "g.parquet"), "--headers", "zh"]) == 0
    zh = pd.read_csv(tmp_path / "zh.csv", encoding="utf-8-sig", dtype=str)
    en = pd.read_csv(tmp_path / "en.csv", encoding="utf-8-sig", dtype=str)
    assert {"信件编号", "紧急程度", "联系电话"} <= set(zh.columns)
    assert {"letter_id", "urgency", "urgency_score", "phone"} <= set(en.columns)
    assert zh["信件编号"].tolist() == en["letter_id"].tolist()
    assert {"letter_id", "issue_type", "needs_review"} <= set(pd.read_excel(tmp_path / "c.xlsx").columns)
    assert "urgency" in pd.read_parquet(tmp_path / "g.parquet").columns  # parquet stays snake_case
    # identity is masked by default, as in every other export (the sample's ID numbers are 18 digits)
    assert en["id_number"].str.contains(r"\*").all() and not en["id_number"].str.fullmatch(r"\d{17}[\dX]").any()
    assert en["name"].str.contains(r"\*").all()


def test_link_waits_for_a_store_another_run_is_using(sample_dir, tmp_path, capsys, hold_store):
    one = _letters_csv(sample_dir, tmp_path / "one.csv", 1)
    holder = hold_store(tmp_path / "out" / "cases.duckdb", 3)
    assert main(["link", str(one), "--out", str(tmp_path / "out")]) == 0
    assert holder.poll() is not None  # it went on only once the other run had let go
    err = capsys.readouterr().err
    assert "案件库正被另一个运行使用，等待中" in err and "Conflicting lock" not in err


def test_a_run_with_no_usable_letter_still_writes_its_rejects(tmp_path, capsys):
    """Found by the property suite: the message pointed at a rejects.csv that was never written."""
    (tmp_path / "a.csv").write_text("信件编号,标题,主要内容\nXF-1,,\nXF-2, , \n", encoding="utf-8")
    assert main(["run", str(tmp_path / "a.csv"), "--out", str(tmp_path / "out")]) == 1
    assert "no usable letters" in capsys.readouterr().err
    rejects = pd.read_csv(tmp_path / "out" / "rejects.csv", encoding="utf-8-sig")
    assert rejects["行号"].tolist() == [2, 3] and rejects["原因"].str.contains("empty text").all()


def test_phones_and_ids_in_remarks_and_shifted_dates_are_masked_and_never_printed(tmp_path, capsys):
    """Found by the property suite: ingest (and grade, classify, link) masked only title and text."""
    (tmp_path / "a.csv").write_text(
        "信件编号,来信日期,标题,主要内容,备注\n"
        "XF-1,13912345678,小区路灯不亮,小区门口路灯坏了三个月，晚上出行不便。,联系电话13812345678\n"
        "XF-2,2024-01-05,噪音扰民,楼下饭店夜里施工噪音大。,430105196502155649\n", encoding="utf-8")
    assert main(["ingest", str(tmp_path / "a.csv"), "--out", str(tmp_path / "out")]) == 0
    assert main(["grade", str(tmp_path / "a.csv"), "--out", str(tmp_path / "g.csv")]) == 0
    logged = "".join(capsys.readouterr())
    letters = pd.read_parquet(tmp_path / "out" / "letters.parquet").set_index("letter_id")
    graded = (tmp_path / "g.csv").read_text(encoding="utf-8-sig")
    for raw in ("13912345678", "13812345678", "430105196502155649"):
        assert raw not in logged and raw not in graded and raw not in letters.to_csv()
    assert letters.loc["XF-1", "备注"] == "联系电话138****5678"
    assert letters.loc["XF-2", "备注"] == "430***********5649"
    assert "cannot parse date '139****5678'" in letters.loc["XF-1", "ingest_warnings"]


def test_a_file_without_a_header_row_counts_both_letters_and_prints_no_identity(tmp_path, capsys):
    (tmp_path / "nohead.csv").write_text("1,孙立平,62017788,小区南门路灯坏了两个月\n2,王芳,13912345678,楼道堆放杂物\n",
                                         encoding="utf-8")
    assert main(["ingest", str(tmp_path / "nohead.csv"), "--out", str(tmp_path / "out")]) == 0
    logged = "".join(capsys.readouterr())
    rejects = pd.read_csv(tmp_path / "out" / "rejects.csv", encoding="utf-8-sig", dtype=str)
    assert "read 2 rows" in logged and sorted(rejects["行号"].astype(int)) == [1, 2]
    written = rejects.to_csv()
    for secret in ("孙立平", "62017788", "13912345678"):
        assert secret not in logged and secret not in written


def test_every_command_export_keeps_an_id_shaped_work_order_number_and_masks_the_phone_column(tmp_path):
    # a 工单编号 whose digits read as an ID card number (a real birth date) is an id: ingest and grade
    # mask through `masked_for_export`, run through its own scrub; all exempt id columns alike
    order = "110105194912310021"
    pd.DataFrame({"工单编号": [order], "来电时间": ["2024-09-18 16:54"], "主要内容": ["小区南门路灯坏了两个月，要求维修。"],
                  "来电人电话/账号": ["62017788"]}).to_csv(tmp_path / "a.csv", index=False)
    assert main(["ingest", str(tmp_path / "a.csv"), "--out", str(tmp_path / "i")]) == 0
    assert main(["grade", str(tmp_path / "a.csv"), "--out", str(tmp_path / "g.csv")]) == 0
    ingested = pd.read_parquet(tmp_path / "i" / "letters.parquet")
    graded = pd.read_csv(tmp_path / "g.csv", encoding="utf-8-sig", dtype=str)
    assert ingested["letter_id"].tolist() == [order] and graded["信件编号"].tolist() == [order]
    # Beijing 12345's caller-phone column is the letters' phone (linking reads it), masked like any phone
    assert ingested["phone"].tolist() == ["620*7788"] and graded["联系电话"].tolist() == ["620*7788"]


def test_hotspots_tables_carry_no_formula_and_no_phone(tmp_path):
    """hot_issues / hot_issue_letters were written straight by pandas: live formulas, raw phones."""
    import openpyxl

    rows = [("H1", "2024-03-01", "张建华", HYPERLINK, "金桂园小区3栋门口路灯坏了一个月，晚上老人摔倒，联系电话13912345678。"),
            ("H2", "2024-03-03", "李淑芬", "金桂园小区路灯不亮", "金桂园小区3栋门口路灯坏了，晚上很黑，请尽快修复。电话13812345678"),
            ("H3", "2024-03-05", "王德明", "金桂园小区3栋路灯坏了", "金桂园小区3栋门口路灯一直不亮，物业不管，请城管修理。")]
    frame = pd.DataFrame(rows, columns=["留言编号", "留言时间", "来信人", "留言主题", "留言详情"])
    frame.to_csv(tmp_path / "in.csv", index=False, encoding="utf-8-sig")
    out = tmp_path / "out"
    assert main(["hotspots", str(tmp_path / "in.csv"), "--out", str(out), "--no-classify", "--no-plot"]) == 0
    quoted = pd.read_csv(out / "hot_issue_letters.csv", encoding="utf-8-sig", dtype=str)
    assert len(quoted) == 3  # one issue of three letters
    text = "".join(quoted.fillna("").to_numpy().ravel())
    assert "13912345678" not in text and "13812345678" not in text and "139****5678" in text
    assert set(quoted["留言主题"]) >= {"'" + HYPERLINK}
    book = openpyxl.load_workbook(out / "hot_issue_letters.xlsx")
    cells = [c for row in book.active.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    # the derived columns say what they are, as triage.xlsx's 热点问题 sheet does
    headers = {c.value: c for c in openpyxl.load_workbook(out / "hot_issues.xlsx").active[1]}
    assert headers["排名区间"].comment.text.startswith("任一热度权重") and headers["热度指数"].comment is not None
    assert main(["hotspots", str(tmp_path / "in.csv"), "--out", str(out), "--no-classify", "--no-plot",
                 "--headers", "en"]) == 0
    assert list(pd.read_csv(out / "hot_issues.csv", encoding="utf-8-sig").columns[:3]) == ["heat_rank", "issue_id", "heat"]


def test_a_jsonl_letter_holding_a_line_separator_is_one_letter(tmp_path):
    """Found by the property suite: U+2028 / U+0085 in a text cut its JSON line in two rejects."""
    import json

    records = [{"信件编号": "J1", "标题": "小区路灯不亮", "主要内容": "路灯坏了三个月。\u2028晚上出行不便。"},
               {"信件编号": "J2", "标题": "噪音扰民", "主要内容": "楼下饭店\x85夜里施工。"}]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                                      encoding="utf-8")
    assert main(["ingest", str(tmp_path / "a.jsonl"), "--out", str(tmp_path / "out")]) == 0
    letters = pd.read_parquet(tmp_path / "out" / "letters.parquet")
    assert letters["letter_id"].tolist() == ["J1", "J2"]
    assert pd.read_csv(tmp_path / "out" / "rejects.csv", encoding="utf-8-sig").empty
