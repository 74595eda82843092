"""The write stage's tables: route decides confidentiality, the department lists apply it."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.config import load_settings
from pipeline.read import read_letters
from pipeline.sheets import (IDENTITY_COLUMNS, LETTER_COLUMNS, SHEETS, department_lists, mask_writer, quoted_evidence,
                             triage_sheets)
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


def test_a_batch_of_one_open_letter_gets_its_department_list(routed):
    """One letter is a batch: its department's list holds it (pandas 3.1's get_group raised
    KeyError for the only group, found by the property test on a one-row file)."""
    one = routed[~routed["confidential"] & ~routed["is_closed"]].head(1)
    lists = department_lists(one, "纪检监察")
    assert list(lists) == [f"待办-{one['department'].iloc[0]}"[:31]]
    assert list(lists[f"待办-{one['department'].iloc[0]}"[:31]]["信件编号"]) == list(one["letter_id"])


def test_department_lists_built_one_at_a_time_are_the_groups_built_at_once(sample_run):
    """The workbook builds each department's list when its sheet is written
    (`triage_sheet_builders`); grouping the open letters and building every list at once, the
    straightforward way, gives the same sheets in the same order on the bundled run."""
    from pipeline.sheets import _letters_sheet, triage_sheet_builders

    letters = sample_run.letters
    open_letters = letters[~letters["is_closed"]]
    confidential = open_letters["confidential"].fillna(False).astype(bool)
    queue = open_letters["department"].where(~confidential, "纪检监察")
    expected = {f"待办-{d}"[:31]: _letters_sheet(g, drop_identity=d != "纪检监察")
                for d, g in sorted(open_letters.groupby(queue), key=lambda kv: (-len(kv[1]), kv[0]))}
    builders = triage_sheet_builders(letters, sample_run.cases, sample_run.issues, sample_run.persons,
                                     load_settings())
    lists = {name: build() for name, build in builders.items() if name.startswith("待办-")}
    assert list(lists) == list(expected) and len(expected) > 3
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(lists[name], frame)
    assert list(builders)[:len(SHEETS)] == list(SHEETS)


def test_a_letters_sheet_sorting_its_keys_alone_is_the_sheet_sorted_whole(sample_run):
    """`_letters_sheet` sorts only the two keys and then takes the shown columns once; taking
    the rows and sorting them whole, as before, gives the same sheet (rows, order, index) for the
    backlog, the review rows, a department's positions and every letter of the bundled run."""
    import numpy as np

    from pipeline.sheets import SHEET_ORDER, _letters_sheet

    letters = sample_run.letters

    def sorted_whole(rows=None):
        shown = letters if rows is None else letters.loc[rows] if isinstance(rows, pd.Series) else letters.iloc[rows]
        present = [c for c in LETTER_COLUMNS if c in letters.columns]
        return shown.sort_values(list(SHEET_ORDER), ascending=[False, True])[present].rename(columns=LETTER_COLUMNS)

    backlog, review = letters["is_backlog"], letters["needs_review"].fillna(False).astype(bool)
    positions = np.flatnonzero((letters["department"] == letters["department"].mode()[0]).to_numpy())
    assert 0 < backlog.sum() < len(letters) and len(positions) > 10
    for rows in (None, backlog, review, positions):
        pd.testing.assert_frame_equal(_letters_sheet(letters, rows=rows), sorted_whole(rows))


def test_an_issue_of_letters_without_titles_is_described_by_its_words_alone(sample_dir):
    """A hotline's work orders have no title: the description is the label's words, not "words ()"."""
    from pipeline.cluster import IssueClusterer
    from pipeline.sheets import issue_table

    letters = read_letters([sample_dir / "letters_xinfang.csv"]).letters
    untitled = letters.assign(title="")
    model = IssueClusterer().fit(untitled)
    table = issue_table(model.get_issue_info())
    assert len(table) >= 3
    assert not table["问题描述"].str.contains(r"\(\)").any()
    titled = issue_table(IssueClusterer().fit(letters).get_issue_info())
    assert titled["问题描述"].str.contains(r" \(.+\)$").all()


def test_a_caller_s_empty_calls_are_never_a_case_for_a_leader():
    """The most pressing case of a batch can be a caller's empty calls (threats among them): the
    leaders' list skips it and shows the real matters."""
    from datetime import date

    from pipeline.rank import NO_REQUEST_MATTER, PriorityRanker
    from pipeline.sheets import _leader_cases

    ranker = PriorityRanker(as_of=date(2026, 11, 25))
    rows = [{"letter_id": str(k), "person_id": "P1", "received_at": f"2026-10-{k + 1:02d}", "urgency": "紧急",
             "issue_type": "政法", "no_request": True, "title": "来电", "text": "来电辱骂并扬言报复,未反映具体问题"} for k in range(9)]
    rows.append({"letter_id": "9", "person_id": "P2", "received_at": "2026-11-20", "urgency": "较急",
                 "issue_type": "城乡建设", "no_request": False, "title": "小区电梯困人", "text": "电梯困人多次"})
    letters = pd.DataFrame(rows)
    letters["received_at"] = pd.to_datetime(letters["received_at"])
    cases = ranker.cases(ranker.transform(letters))
    assert cases.iloc[0]["matter"] == NO_REQUEST_MATTER
    shown = _leader_cases(cases, 20)
    assert shown["事项"].tolist() == ["城乡建设"]


def test_the_hot_issue_sheet_counts_the_letters_each_issue_took_by_wording_alone(sample_run):
    """The bundled run: letters.csv marks each letter that joined its issue by its wording alone
    (the two no-place calls about 碧水蓝湾's substation among them), and the 热点问题 sheet's
    按措辞归入 is their count per issue, so a mixed-looking issue shows where to check first."""
    written = pd.read_csv(sample_run.out_dir / "letters.csv", dtype={"问题ID": str})
    marked = written[written["按措辞归入问题"]]
    assert len(marked) >= 2 and marked["问题ID"].notna().all()
    assert (written.loc[written["问题ID"].isna(), "按措辞归入问题"] == False).all()  # noqa: E712
    sheet = pd.read_excel(sample_run.out_dir / "triage.xlsx", sheet_name="热点问题", dtype={"问题ID": str})
    counts = marked.groupby("问题ID").size()
    shown = sheet.set_index("问题ID")["按措辞归入"]
    assert shown.sum() == len(marked)
    assert (shown.reindex(counts.index) == counts).all()


def test_the_hot_issue_letters_sheet_shows_which_letters_joined_by_wording_without_identity(sample_run):
    """triage.xlsx's 热点问题来信: the letters of the hottest issues, hottest first, each issue's
    letters oldest first, with 按措辞归入 是 exactly where letters.csv marks 按措辞归入问题, so an
    analyst who opens only the workbook can read a mixed issue's doubtful letters; no identity, as
    on a department's list."""
    written = pd.read_csv(sample_run.out_dir / "letters.csv", dtype={"问题ID": str, "信件编号": str})
    sheet = pd.read_excel(sample_run.out_dir / "triage.xlsx", sheet_name="热点问题来信",
                          dtype={"问题ID": str, "信件编号": str})
    issues = pd.read_excel(sample_run.out_dir / "triage.xlsx", sheet_name="热点问题", dtype={"问题ID": str})
    limit = load_settings().get("lists", "hot_issue_letters", 30)
    top = set(issues.loc[issues["热度排名"] <= limit, "问题ID"])
    members = written[written["问题ID"].isin(top)]
    assert len(sheet) == len(members) > 100
    assert set(sheet["信件编号"]) == set(members["信件编号"])
    assert sheet["热度排名"].is_monotonic_increasing
    for _, rows in sheet.groupby("热度排名"):
        assert pd.to_datetime(rows["来信时间"]).is_monotonic_increasing
    worded = set(members.loc[members["按措辞归入问题"], "信件编号"])
    assert len(worded) >= 2
    assert set(sheet.loc[sheet["按措辞归入"] == "是", "信件编号"]) == worded
    assert set(sheet["按措辞归入"]) == {"是", "否"}
    assert not _identity_headers() & set(sheet.columns)


def test_evidence_is_quoted_from_the_text_the_grader_read():
    """依据原文 (`quoted_evidence`): title, then body, as `UrgencyGrader.letter_texts` joins them; a
    cue found in the title reads (见标题), as the 标题 column beside it shows it; a letter without
    evidence stays empty."""

    letters = pd.DataFrame({"title": ["井盖缺失", None, "关于 井盖"],
                            "text": ["来电人反映A5区圭塘街道万家丽路辅道有一个雨水井盖缺失,已有人用树枝插着做记号,请尽快补上。", "没有线索",
                                     "辅道 井盖 缺失 , 请 尽快 补上"],
                            "urgency_evidence": ["井盖;尽快", "", "井盖缺失;尽快"]})
    assert quoted_evidence(letters)["urgency_evidence"].tolist() == [
        "(见标题)「请尽快补上」", "", "「辅道井盖缺失」「请尽快补上」"]


def test_a_pre_segmented_letter_is_quoted_as_the_grader_read_it():
    # labeled_segmented.csv holds letters as words with spaces between them; the phrases have none
    from pipeline.urgency import UrgencyGrader

    body = "今天 镇里 带 了 挖机 来 强拆 ， 我 已经 把 农药 瓶子 拿 在 手上 了 ， 他们 敢动 我 的 房子 我 就 当场 喝 下去 。"
    evidence = UrgencyGrader(refiner=None).fit().grade(body)["urgency_evidence"]  # the grader takes the spaces out itself
    quoted = quoted_evidence(pd.DataFrame({"title": [""], "text": [body], "urgency_evidence": [evidence]}))["urgency_evidence"][0]
    assert quoted == "「今天镇里带了挖机来强拆」「我已经把农药瓶子拿在手上了，他们敢动我的房子我就当场喝下去」", quoted
