"""Ingestion: every row is a letter or a reject, on real files and on broken ones."""
from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import pytest

from pipeline.errors import PetitionError
from pipeline.normalise import clean_text
from pipeline.paths import SAMPLE_DIR
from pipeline.read import content_hash, parse_column_map, parse_date, read_letters
from tests.conftest import requires_shared_data

SHARED_FILES = [
    "hot_messages.xlsx", "replies.xlsx", "unlabeled_messages.xlsx", "labeled_sample.xlsx",
    "labeled_raw.csv", "labeled_segmented.csv",
]


def assert_invariant(result):
    assert result.rows_read == len(result.letters) + len(result.rejects)


@requires_shared_data
@pytest.mark.parametrize("name", SHARED_FILES)
def test_every_shared_file_ingests_with_the_row_invariant(shared_dir, name):
    result = read_letters(shared_dir / name)
    assert_invariant(result)
    assert len(result.letters) > 400
    assert len(result.rejects) == 0  # the shared files are clean letters
    letters = result.letters
    assert letters["letter_id"].is_unique
    assert letters["text"].str.len().min() > 0
    assert not letters["text"].str.contains("\t|\n").any()


@requires_shared_data
def test_tipdm_columns_map_and_mixed_dates_all_parse(shared_dir):
    letters = read_letters(shared_dir / "hot_messages.xlsx").letters
    assert len(letters) == 4326
    assert letters["received_at"].notna().all()  # strings in two formats and Excel datetimes
    assert letters["writer_id"].notna().all()
    assert letters["up_votes"].sum() > 0 and "down_votes" in letters
    row = letters[letters["letter_id"] == "188006"].iloc[0]
    assert row["title"].startswith("A3区一米阳光婚纱艺术摄影")
    assert row["received_at"] == pd.Timestamp("2019-02-28 11:25:05")
    assert row["channel"] == "网上留言"


@requires_shared_data
def test_replies_bring_reply_text_and_reply_date(shared_dir):
    letters = read_letters(shared_dir / "replies.xlsx").letters
    assert letters["replied_at"].notna().mean() > 0.99
    delay = (letters["replied_at"] - letters["received_at"]).dt.days
    assert delay.median() > 0


@requires_shared_data
def test_segmented_training_file_keeps_label_and_gets_stable_ids(shared_dir):
    first = read_letters(shared_dir / "labeled_segmented.csv").letters
    again = read_letters(shared_dir / "labeled_segmented.csv").letters
    assert set(first["label"]) >= {"城乡建设", "劳动和社会保障", "教育文体"}
    assert first["letter_id"].tolist() == again["letter_id"].tolist()
    assert first["letter_id"].str.startswith("H").all()


@requires_shared_data
def test_gbk_and_bom_encodings_read_the_same_letters(shared_dir, tmp_path):
    source = pd.read_csv(shared_dir / "labeled_raw.csv", nrows=200)
    for encoding in ("gbk", "gb18030", "utf-8-sig", "utf-8"):
        path = tmp_path / f"letters_{encoding}.csv"
        source.to_csv(path, index=False, encoding=encoding, errors="ignore" if encoding == "gbk" else "strict")
        letters = read_letters(path).letters
        assert len(letters) == 200, encoding
        assert letters["label"].tolist() == source["label"].tolist()
        assert letters["text"].iloc[0][:10] == source["text"].iloc[0][:10]


def test_parse_date_formats():
    assert parse_date("2019/3/7 18:32:24") == datetime(2019, 3, 7, 18, 32, 24)
    assert parse_date("2019-12-20 14:06:19") == datetime(2019, 12, 20, 14, 6, 19)
    assert parse_date("2019年3月7日") == datetime(2019, 3, 7)
    assert parse_date("2019年3月7日 9时5分") == datetime(2019, 3, 7, 9, 5)
    assert parse_date("2019.03.07") == datetime(2019, 3, 7)
    assert parse_date("20190307") == datetime(2019, 3, 7)
    assert parse_date(43531.77) == datetime(2019, 3, 7, 18, 28, 48, 0) or parse_date(43531.77).date().isoformat() == "2019-03-07"
    assert parse_date(pd.Timestamp("2020-01-02 03:04:05")) == datetime(2020, 1, 2, 3, 4, 5)
    assert parse_date("２０１９／３／７") == datetime(2019, 3, 7)  # full-width digits
    # system exports: compact timestamps and ISO times with a zone (the wall time as written)
    assert parse_date("20190307182824") == datetime(2019, 3, 7, 18, 28, 24)
    assert parse_date("201903071828") == datetime(2019, 3, 7, 18, 28)
    assert parse_date("2019-03-07T18:28:24Z") == datetime(2019, 3, 7, 18, 28, 24)
    assert parse_date("2019-03-07T18:28:24.520+08:00") == datetime(2019, 3, 7, 18, 28, 24)
    for bad in ("2019/13/45", "去年春天", "", None, float("nan"), "2019030718", "20191307"):
        assert parse_date(bad) is None


def write_csv(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding)
    return path


def test_broken_rows_are_rejected_or_kept_with_a_reason(tmp_path):
    path = write_csv(tmp_path / "letters.csv", (
        "信件编号,来信日期,来信人,标题,主要内容\n"
        "X1,2025/3/7 18:32:24,王秀英,小区噪音,楼下饭店油烟和噪音扰民\n"
        "X2,2025/13/45,李四,道路积水,门口道路积水严重\n"
        "X3,2025-03-09,张三,,\n"
        "X4,2025-03-10,赵六,欠薪,工地老板拖欠工资,多出一列,又一列\n"
        "X5,2025年3月11日,钱七,路灯,路灯坏了\n"
    ))
    result = read_letters(path)
    assert_invariant(result)
    assert result.rows_read == 5
    assert result.letters["letter_id"].tolist() == ["X1", "X2", "X5"]
    rejects = result.rejects.set_index("source_row")
    assert "empty text" in rejects.loc[4, "reason"] and rejects.loc[4, "column"] == "主要内容"
    assert "malformed row: expected 5 fields, found 7" in rejects.loc[5, "reason"]
    kept = result.letters.set_index("letter_id")
    assert pd.isna(kept.loc["X2", "received_at"])
    assert "来信日期" in kept.loc["X2", "ingest_warnings"] and "2025/13/45" in kept.loc["X2", "ingest_warnings"]
    warning = result.warnings.iloc[0]
    assert (warning["source_row"], warning["column"]) == (3, "来信日期")


def test_missing_text_column_rejects_every_row_and_says_how_to_fix(tmp_path):
    path = write_csv(tmp_path / "odd.csv", "编号,情况记录\n1,路灯坏了\n2,噪音扰民\n")
    result = read_letters(path)
    assert_invariant(result)
    assert len(result.letters) == 0 and len(result.rejects) == 2
    assert "missing text column" in result.rejects["reason"].iloc[0]
    assert "--map" in result.rejects["reason"].iloc[0]
    mapped = read_letters(path, column_map=parse_column_map(["情况记录=text"]))
    assert mapped.letters["text"].tolist() == ["路灯坏了", "噪音扰民"]


def test_a_file_without_a_header_row_loses_no_letter_and_quotes_no_identity(tmp_path):
    # the first letter is read as the header: it must be a reject too, and the message quoting
    # the "column names" must not carry its name, phone or text
    rows = [["1", "孙立平", "62017788", "小区南门路灯坏了两个月，晚上出行不便，要求尽快维修"],
            ["2", "王芳", "13912345678", "楼道堆放杂物，存在消防隐患"]]
    csv_path = write_csv(tmp_path / "nohead.csv", "".join(",".join(r) + "\n" for r in rows))
    pd.DataFrame(rows).to_excel(tmp_path / "nohead.xlsx", header=False, index=False)
    for path in (csv_path, tmp_path / "nohead.xlsx"):
        result = read_letters(path)
        assert_invariant(result)
        assert result.rows_read == 2 and len(result.letters) == 0
        assert sorted(result.rejects["source_row"]) == [1, 2]
        assert result.rejects["reason"].str.startswith("missing text column").all()
        said = " ".join(result.rejects["reason"]) + " ".join(result.problem_lines())
        for secret in ("孙立平", "62017788", "13912345678", "路灯坏了两个月"):
            assert secret not in said, (path.name, secret)
        assert "孙*平" in said and "add a header row" in said


def test_unreadable_file_is_a_reject_not_a_crash(tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"this is not a spreadsheet")
    good = write_csv(tmp_path / "good.csv", "标题,主要内容\n路灯,路灯坏了\n")
    result = read_letters([bad, good])
    assert len(result.letters) == 1
    assert result.rejects["reason"].iloc[0].startswith("unreadable file")
    assert result.rejects["source_file"].iloc[0].endswith("broken.xlsx")


def test_unknown_map_target_and_missing_input_are_clear_errors(tmp_path):
    path = write_csv(tmp_path / "a.csv", "标题,主要内容\n路灯,路灯坏了\n")
    with pytest.raises(PetitionError, match="unknown field"):
        read_letters(path, column_map={"标题": "headline"})
    with pytest.raises(PetitionError, match="input not found"):
        read_letters(tmp_path / "nope.csv")
    with pytest.raises(PetitionError, match="--map expects"):
        parse_column_map(["标题"])


def test_formats_xlsx_sheets_jsonl_parquet_tsv_and_extra_columns(tmp_path):
    frame = pd.DataFrame({
        "工单编号": ["G1", "G2"], "受理时间": [datetime(2025, 1, 2, 9, 30), datetime(2025, 1, 3)],
        "投诉件内容": ["小区&nbsp;电梯\t\t经常故障", "Ａ市A5区油烟扰民"], "联系电话": ["13812345678", None],
        "承办单位": ["住建局", "环保局"],
    })
    xlsx = tmp_path / "orders.xlsx"
    with pd.ExcelWriter(xlsx) as writer:
        frame.to_excel(writer, sheet_name="一月", index=False)
        frame.assign(工单编号=["G3", "G4"]).to_excel(writer, sheet_name="二月", index=False)
    every = read_letters(xlsx)
    assert every.letters["letter_id"].tolist() == ["G1", "G2", "G3", "G4"]
    assert every.letters["source_row"].tolist() == [2, 3, 2, 3]
    assert every.letters["text"].iloc[0] == "小区 电梯 经常故障"
    assert every.letters["text"].iloc[1] == "A市A5区油烟扰民"  # NFKC folds full-width letters
    assert every.letters["承办单位"].tolist() == ["住建局", "环保局"] * 2  # unknown columns kept
    assert every.letters["channel"].iloc[0] == "12345热线"
    one = read_letters(xlsx, sheet="二月")
    assert one.letters["letter_id"].tolist() == ["G3", "G4"]

    jsonl = tmp_path / "letters.jsonl"
    jsonl.write_text(
        json.dumps({"title": "路灯", "text": "路灯坏了", "date": "2025-01-02"}, ensure_ascii=False) + "\n"
        + "{not json}\n"
        + json.dumps({"title": "噪音", "text": "夜间施工", "date": "2025/1/3"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    result = read_letters(jsonl)
    assert_invariant(result)
    assert len(result.letters) == 2 and result.rejects["source_row"].tolist() == [2]

    parquet = tmp_path / "letters.parquet"
    frame.to_parquet(parquet)
    assert read_letters(parquet).letters["phone"].tolist()[0] == "13812345678"

    tsv = tmp_path / "letters.tsv"
    tsv.write_text("标题\t主要内容\n路灯\t路灯坏了,请修\n", encoding="utf-8")
    assert read_letters(tsv).letters["text"].tolist() == ["路灯坏了,请修"]

    folder = read_letters(tmp_path)
    assert len(folder.letters) == 4 + 2 + 2 + 1


def test_traditional_to_simplified_is_optional(tmp_path):
    path = write_csv(tmp_path / "t.csv", "标题,主要内容\n噪音問題,樓下飯店油煙擾民\n")
    assert read_letters(path).letters["text"].iloc[0] == "樓下飯店油煙擾民"
    assert read_letters(path, simplify=True).letters["text"].iloc[0] == "楼下饭店油烟扰民"


def test_hash_ids_are_stable_and_duplicates_get_distinct_ids(tmp_path):
    path = write_csv(tmp_path / "d.csv", "标题,主要内容\n路灯,路灯坏了\n路灯,路灯坏了\n噪音,夜间施工\n")
    first, second = read_letters(path).letters, read_letters(path).letters
    assert first["letter_id"].tolist() == second["letter_id"].tolist()
    assert first["letter_id"].is_unique
    assert first["letter_id"].iloc[0] == content_hash("路灯", "路灯坏了", None, None)
    assert first["letter_id"].iloc[1] == first["letter_id"].iloc[0] + "-2"


def _sample_hotline(n=6):
    """The bundled hotline file's first letters (real-style work orders), as rows of plain values."""
    frame = pd.read_excel(SAMPLE_DIR / "hotline_12345.xlsx", dtype=str).head(n)
    return frame[["工单编号", "受理时间", "诉求标题", "投诉件内容"]]


def test_an_office_s_own_headers_are_read_by_their_words_and_the_guess_is_said(tmp_path):
    """A new office's headers that no alias names: the letter text and date are found from the
    header's words and checked against the values, and the file's columns say it was a guess."""
    frame = _sample_hotline().rename(columns={"受理时间": "来电日期(系统)", "投诉件内容": "市民诉求描述",
                                              "诉求标题": "投诉主题"})
    frame["处理结果说明"] = "已转相关部门处理，请耐心等待答复。谢谢您的来电与支持。"  # the answer, not the letter
    frame.to_csv(tmp_path / "office.csv", index=False)
    result = read_letters(tmp_path / "office.csv")
    assert_invariant(result)
    letters = result.letters
    assert letters["text"].tolist() == frame["市民诉求描述"].map(clean_text).tolist()
    assert letters["received_at"].notna().all()
    assert result.files[0]["columns_mapped"]["市民诉求描述"] == "text (guessed)"
    assert result.files[0]["columns_mapped"]["来电日期(系统)"] == "received_at (guessed)"
    assert letters["title"].tolist() == frame["投诉主题"].map(clean_text).tolist()  # guessed before the text, so 投诉 does not make it the text
    said = result.warnings.set_index("column")["reason"]
    assert "read as the letters' text" in said["市民诉求描述"] and "--map 列名=text" in said["市民诉求描述"]
    assert any("市民诉求描述" in line for line in result.problem_lines())


@pytest.mark.parametrize("renames", [
    {"工单编号": "留言ID", "受理时间": "留言时间", "诉求标题": "留言标题", "投诉件内容": "留言内容", "诉求地址": "城市"},
    {"工单编号": "工单ID", "受理时间": "投诉日期", "诉求标题": "工单标题", "投诉件内容": "工单内容", "诉求地址": "所在区"},
    {"工单编号": "流水号", "受理时间": "来电日期", "诉求标题": "投诉标题", "投诉件内容": "投诉内容", "诉求类型": "事项类别"},
])
def test_the_usual_headers_of_boards_and_hotlines_are_read_without_a_guess(tmp_path, renames):
    """Message boards (留言标题/留言内容), hotline work orders (工单标题/工单内容) and complaint files
    (投诉日期/投诉内容) name their columns so: read by name, with no warning to answer, and the place
    columns (城市, 所在区) reach routing."""
    frame = pd.read_excel(SAMPLE_DIR / "hotline_12345.xlsx", dtype=str).head(6)
    frame = frame[["工单编号", "受理时间", "诉求标题", "投诉件内容", *[c for c in ("诉求地址", "诉求类型") if c in renames]]]
    frame = frame.rename(columns=renames)
    frame.to_csv(tmp_path / "office.csv", index=False)
    result = read_letters(tmp_path / "office.csv")
    assert_invariant(result)
    mapped = result.files[0]["columns_mapped"]
    assert not any("guessed" in field for field in mapped.values()) and result.warnings.empty
    expected = {"工单编号": "letter_id", "受理时间": "received_at", "诉求标题": "title", "投诉件内容": "text",
                "诉求地址": {"城市": "place_city", "所在区": "place_county"}, "诉求类型": "label"}
    for old, new in renames.items():
        want = expected[old][new] if isinstance(expected[old], dict) else expected[old]
        assert mapped[new] == want, (new, mapped[new])
    assert result.letters["text"].tolist() == frame[renames["投诉件内容"]].map(clean_text).tolist()


def test_an_answer_column_or_short_cells_are_never_taken_for_the_letter(tmp_path):
    frame = _sample_hotline()[["工单编号", "投诉件内容"]].rename(columns={"投诉件内容": "处理结果内容"})
    frame.to_csv(tmp_path / "answers.csv", index=False)
    result = read_letters(tmp_path / "answers.csv")
    assert_invariant(result)
    assert len(result.letters) == 0 and "missing text column" in result.rejects["reason"].iloc[0]


@requires_shared_data
def test_the_national_board_s_messages_are_read_whole_not_by_their_title(shared_dir):
    """People's Daily's board exports its letters as replyContentMain and dates them replyDate: read
    by the title alone, `petition grade` found 4 of its 161 紧急 letters (corpora/urgency/README.md)."""
    path = shared_dir.parent / "more_sources" / "peoples_gas_2022_2023.csv"
    raw = pd.read_csv(path, dtype=str)
    letters = read_letters(path).letters
    assert letters["text"].tolist() == [clean_text(t) or None for t in raw["replyContentMain"]]
    assert (letters["text"].str.len() > letters["title"].str.len()).mean() > 0.9
    assert letters["letter_id"].tolist() == raw["replyID"].tolist()
    assert letters["received_at"].notna().all()
    assert set(letters["status"]) == {"已办理", "办理中", "待回复"}


@pytest.mark.parametrize("suffix", ["xlsx", "csv", "txt"])
def test_a_sheet_title_above_the_column_names_is_not_the_header(tmp_path, suffix):
    """Offices' exports open with a title and a note above the column names: the header is found
    below them, and the two lines are rejects that say what they are (nothing is lost)."""
    import openpyxl

    frame = _sample_hotline()
    path = tmp_path / f"export.{suffix}"
    preamble = [["A市12345热线工单明细表(2024年1月)"], ["导出时间: 2024-02-01"]]
    if suffix == "xlsx":
        book = openpyxl.Workbook()
        for row in preamble + [list(frame.columns)] + frame.values.tolist():
            book.active.append(row)
        book.save(path)
    else:
        delimiter = "," if suffix == "csv" else "\t"
        body = frame.to_csv(index=False, sep=delimiter)
        path.write_text("\n".join(r[0] for r in preamble) + "\n" + body, encoding="utf-8")
    result = read_letters(path)
    assert_invariant(result)
    assert result.letters["letter_id"].tolist() == frame["工单编号"].tolist()
    assert result.letters["source_row"].tolist() == list(range(4, 4 + len(frame)))
    assert result.rejects["source_row"].tolist() == [1, 2]
    assert result.rejects["reason"].str.startswith("above the header row (row 3)").all()


def test_an_office_s_own_headers_below_a_sheet_title_are_found_and_guessed(tmp_path):
    """Both at once, as a new office's export comes: a title line that itself holds a word for the
    letter (来信内容登记表), then column names no alias knows (投诉主题, 来电内容)."""
    import openpyxl

    frame = _sample_hotline().rename(columns={"诉求标题": "投诉主题", "投诉件内容": "来电内容"})
    book = openpyxl.Workbook()
    for row in [["来信内容登记表"], list(frame.columns)] + frame.values.tolist():
        book.active.append(row)
    book.save(tmp_path / "office.xlsx")
    result = read_letters(tmp_path / "office.xlsx")
    assert_invariant(result)
    assert result.letters["text"].tolist() == frame["来电内容"].map(clean_text).tolist()
    assert result.rejects["reason"].tolist() == ["above the header row (row 2): a sheet title or note, not a letter"]


def test_a_grid_platform_s_event_export_is_read_by_its_own_headers(tmp_path):
    """A district grid platform's events (网格事件): 事件编号 is the id, 上报时间 the date, 事件描述 the
    text, 事件类型 the office's class, 处置状态 the status and 街道 the street office the problem is in."""
    path = tmp_path / "grid.csv"
    pd.DataFrame({"事件编号": ["WG202403040010", "WG202403040031"], "上报时间": ["2024-03-04 10:21", "2024-03-04 17:18"],
                  "街道": ["青禾街道", "临江街道"], "社区": ["禾丰社区", "滨河社区"], "网格编码": ["JQ010302", "JQ050108"],
                  "事件类型": ["城市管理", "消防安全"], "事件描述": ["巡查发现：门前摆放桌椅占用人行道。", "消防通道有私家车长期停放。"],
                  "处置状态": ["已办结", "已转派"], "上报人类型": ["网格员", "网格员"]}).to_csv(path, index=False)
    letters = read_letters([path]).letters
    assert letters["letter_id"].tolist() == ["WG202403040010", "WG202403040031"]
    assert letters["received_at"].iloc[0] == pd.Timestamp("2024-03-04 10:21")
    assert letters["label"].tolist() == ["城市管理", "消防安全"]
    assert letters["status"].tolist() == ["已办结", "已转派"]
    assert letters["place_town"].tolist() == ["青禾街道", "临江街道"]
    assert letters["text"].iloc[1] == "消防通道有私家车长期停放。"


def test_a_petition_bureau_register_s_content_column_is_the_text(tmp_path):
    """A county bureau's register writes the letter under 信访内容 (or a visit's 来访事由), not 诉求内容:
    without the alias every such letter was rejected as having no text."""
    import pandas as pd

    from pipeline.read import read_letters

    path = tmp_path / "register.csv"
    pd.DataFrame({"信访编号": ["XF1", "XF2"], "信访形式": ["来信", "来访"], "登记时间": ["2024-03-05 09:12", "2024-03-06 10:00"],
                  "标题": ["征地补偿款未兑付", "宅基地纠纷"], "信访内容": ["下湾村三组的征地补偿款只发了六成。", "邻居占了我家宅基地。"],
                  "所属乡镇": ["青石镇", "柳河镇"]}).to_csv(path, index=False)
    ingest = read_letters([path])
    assert list(ingest.letters["text"]) == ["下湾村三组的征地补偿款只发了六成。", "邻居占了我家宅基地。"]
    assert list(ingest.letters["place_town"]) == ["青石镇", "柳河镇"]
    assert ingest.rejects.empty
