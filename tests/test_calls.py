"""Calls with no request: the hotline's own 无效 and an operator's short note, set apart, not lost."""
import pandas as pd

from pipeline.calls import no_request_calls
from pipeline.read import read_letters
from tests.conftest import requires_shared_data


@requires_shared_data
def test_a_heavy_caller_s_empty_calls_are_found_by_the_hotline_s_type_and_its_notes(shared_dir):
    """Qingdao's two callers: 7,981 calls typed 无效 and most of the rest noted 未反映具体问题 or
    来电辱骂; the caller's real grievance (a police station keeping his things) stays a request."""
    letters = read_letters([shared_dir.parent / "more_sources" / "qingdao12345_two_callers.xlsx"]).letters
    flagged = no_request_calls(letters)
    typed = letters["call_type"].fillna("").eq("无效")
    assert flagged[typed].all()
    assert 600 <= flagged[~typed].sum() <= 700  # 677 of the 927 calls typed 咨询/求助 with a text
    kept = letters.loc[~flagged, "text"]
    assert kept.str.contains("瑞昌路").sum() >= 100 and kept.str.len().median() > 60


@requires_shared_data
def test_no_letter_of_a_message_board_or_a_hotline_summary_is_taken_for_one(shared_dir):
    files = [shared_dir / n for n in ("hot_messages.xlsx", "replies.xlsx", "unlabeled_messages.xlsx", "labeled_sample.xlsx")]
    files += [shared_dir.parent / "more_sources" / n for n in ("beijing12345_2024.csv", "peoples_gas_2022_2023.csv")]
    letters = read_letters(files).letters
    assert len(letters) > 10_000 and not no_request_calls(letters).any()


def test_a_short_request_about_abuse_is_a_request(sample_dir):
    """The bundled letters hold none; an operator's note of the caller's own abuse is one, a short
    summary that reports abuse by someone else is not."""
    assert not no_request_calls(read_letters([sample_dir]).letters).any()
    notes = pd.DataFrame({"text": ["市民来电辱骂。", "接通后来话人使用不文明言语,我办挂机。", "王先生来电。", "未反映具体问题。",
                                   "市民来电反映小区保安辱骂业主,要求处理。", "投诉窗口工作人员不使用文明用语。", "路灯坏了。"]})
    assert no_request_calls(notes).tolist() == [True, True, True, True, False, False, False]
    # 正常 in an operator's note (4 of Qingdao's calls), not in a grievance that says something is not normal
    normal = pd.DataFrame({"text": ["未正常反映问题。", "未反映正常问题", "未反应正常问题", "小区供暖未正常运行,问题很多", "路灯未正常照明的问题",
                                    "王先生来电无反映任何诉求。"]})
    assert no_request_calls(normal).tolist() == [True, True, True, False, False, True]
    # the operator wrote the caller's name alone (the name column holds it); with anything more it is a request
    named = pd.DataFrame({"text": ["张三。", "张三来电反映路灯坏了", "李四"], "name": ["张三", "张三", ""]})
    assert no_request_calls(named).tolist() == [True, False, False]
    # the rest of Qingdao's short notes: a silent line, a drunk caller, a garbled "未反映具体问题", a phone
    # number left; a request that gives a phone number, or a noise complaint at night, is a request
    more = pd.DataFrame({"text": ["接通后无声。", "话务员反映:疑似酒后来电。", "未反映具体?侍?", "张三,表示自己儿子电话是150****3132。",
                                  "反映小区路灯坏了,联系电话是150****3132", "接通后反映楼上夜间噪音无声不止", "联系电话:150****3132,要求退费"]})
    assert no_request_calls(more).tolist() == [True, True, True, True, False, False, False]
    typed = pd.DataFrame({"text": ["小区门口路灯坏了两个月"] * 3, "call_type": ["无效", "骚扰电话", "求助"]})
    assert no_request_calls(typed).tolist() == [True, True, False]


def test_the_run_keeps_them_as_letters_but_forms_no_issue_and_no_review_of_them(sample_dir, tmp_path):
    from pipeline.cli import main

    # five calls a hotline noted as empty, beside the bundled letters (their layout, their dates)
    pd.DataFrame({"信件编号": [f"E{k}" for k in range(5)], "来信日期": "2026-11-20", "标题": "来电",
                  "主要内容": "来话人自言自语,未反映具体问题。"}).to_csv(tmp_path / "calls.csv", index=False)
    assert main(["run", str(sample_dir / "letters_xinfang.csv"), str(tmp_path / "calls.csv"), "--out", str(tmp_path / "out"),
                 "--as-of", "2026-11-25"]) == 0
    out = pd.read_csv(tmp_path / "out" / "letters.csv", dtype=str, encoding="utf-8-sig").set_index("信件编号")
    marked = out.loc[[f"E{k}" for k in range(5)]]
    assert len(marked) == 5 and marked["问题ID"].isna().all()
    # the analyst filters on the route stage's column; the desk keeps them, no department gets them
    assert out["无具体诉求"].value_counts().to_dict() == {"True": 5, "False": len(out) - 5}
    assert (marked["责任部门"] == "信访局综合科").all() and marked["分派依据"].str.startswith("无具体诉求").all()
    # the department sheet says how much of the desk's count is those calls, and no other desk has any
    load = pd.read_excel(tmp_path / "out" / "triage.xlsx", sheet_name="各部门待办").set_index("责任部门")
    desk = out.loc[out["责任部门"] == "信访局综合科"]
    assert load.loc["信访局综合科", "无具体诉求"] == 5 and load.loc["信访局综合科", "全部"] == len(desk)
    assert load["无具体诉求"].sum() == 5
    review = pd.read_excel(tmp_path / "out" / "triage.xlsx", sheet_name="需人工复核", dtype=str)
    assert len(review) and not review["信件编号"].str.match(r"^E\d$").any()
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "无具体诉求的来电(不计入热点与复核)" in report
