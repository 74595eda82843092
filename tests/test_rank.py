"""Priority: urgency first, then escalation, then age; every score has its reasons."""
from datetime import date

import pandas as pd
import pytest

from pipeline.rank import PriorityRanker, today_queue


def make(rows):
    base = {"title": "", "text": "", "urgency": "一般", "urgency_cues": "", "repeat_count": 1, "head_count": None,
            "joint_letter_group": None, "issue_id": None, "hot_issue_label": None, "deep_seated": False,
            "replied_at": pd.NaT, "status": "办理中", "person_id": None, "issue_type": "城乡建设", "department": "住建局"}
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame["received_at"] = pd.to_datetime(frame["received_at"])
    frame["replied_at"] = pd.to_datetime(frame["replied_at"])
    return frame


@pytest.fixture
def ranker():
    return PriorityRanker(as_of=date(2026, 11, 25))


def test_urgent_outranks_escalation_which_outranks_age(ranker):
    out = ranker.transform(make([
        {"letter_id": "urgent", "received_at": "2026-11-24", "urgency": "紧急", "urgency_cues": "自伤威胁"},
        {"letter_id": "repeat", "received_at": "2026-11-20", "urgency": "较急", "repeat_count": 6},
        {"letter_id": "old", "received_at": "2026-06-01"},
        {"letter_id": "routine", "received_at": "2026-11-24"},
    ])).set_index("letter_id")
    order = out["priority"].sort_values(ascending=False).index.tolist()
    assert order == ["urgent", "repeat", "old", "routine"]
    assert "紧急(自伤威胁)" in out.loc["urgent", "priority_reasons"]
    assert "第6次来信" in out.loc["repeat", "priority_reasons"]
    assert "积案" in out.loc["old", "priority_reasons"]
    assert out.loc["routine", "priority_reasons"] == "常规来信"


def test_backlog_is_open_past_the_limit_and_replies_close_letters(ranker):
    out = ranker.transform(make([
        {"letter_id": "a", "received_at": "2026-08-01"},
        {"letter_id": "b", "received_at": "2026-08-01", "replied_at": "2026-09-01", "status": None},
        {"letter_id": "c", "received_at": "2026-08-01", "status": "已办结"},
        {"letter_id": "d", "received_at": "2026-10-20"},
        # a message board's interim answer: dated, but its status says the case is still handled
        {"letter_id": "e", "received_at": "2026-08-01", "replied_at": "2026-08-02", "status": "办理中"},
        {"letter_id": "f", "received_at": "2026-08-01", "replied_at": "2026-08-02", "status": "已办理"},
    ])).set_index("letter_id")
    assert out["is_backlog"].to_dict() == {"a": True, "b": False, "c": False, "d": False, "e": True, "f": False}
    assert out.loc["b", "response_days"] == 31
    assert out.loc["a", "days_open"] == 116


def test_a_letter_received_on_the_as_of_day_has_waited_no_days(ranker):
    """已等待天数 read -1 for a letter received at 09:30 on the as-of day (midnight minus 09:30)."""
    out = ranker.transform(make([
        {"letter_id": "today", "received_at": "2026-11-25 09:30"},
        {"letter_id": "yesterday", "received_at": "2026-11-24 09:30"},
    ])).set_index("letter_id")
    assert out["days_open"].to_dict() == {"today": 0, "yesterday": 0}
    assert "积案" not in out.loc["today", "priority_reasons"]


def test_cases_group_a_persons_letters_on_one_matter(ranker):
    letters = ranker.transform(make([
        {"letter_id": "1", "person_id": "P1", "received_at": "2025-01-05", "issue_id": "I1", "hot_issue_label": "宅基地纠纷"},
        {"letter_id": "2", "person_id": "P1", "received_at": "2026-10-05", "issue_id": "I1", "hot_issue_label": "宅基地纠纷",
         "urgency": "紧急", "urgency_cues": "越级上访", "repeat_count": 2},
        {"letter_id": "3", "person_id": "P2", "received_at": "2026-11-20"},
    ]))
    cases = ranker.cases(letters)
    assert len(cases) == 2
    top = cases.iloc[0]
    assert top["person_id"] == "P1" and top["letters"] == 2 and top["urgency"] == "紧急"
    assert "同一信访人累计来信2封,本事项2封,跨21个月" in top["priority_reasons"]


def test_a_case_row_says_the_writer_s_letters_in_all_and_this_matter_s_apart(ranker):
    """Qingdao: a case of one letter read "同一信访人第1605次来信" beside 信件数 1, and a 245-letter case
    "第11次" (its top letter's ordinal): the case row gives both counts, and the letter keeps its ordinal."""
    letters = ranker.transform(make([
        {"letter_id": "1", "person_id": "P1", "received_at": "2026-11-01", "issue_type": "城乡建设", "repeat_count": 5},
        {"letter_id": "2", "person_id": "P1", "received_at": "2026-10-01", "issue_id": "I1", "hot_issue_label": "宅基地纠纷",
         "urgency": "较急", "urgency_cues": "重复反映;时限", "repeat_count": 2},
        {"letter_id": "3", "person_id": "P1", "received_at": "2026-10-20", "issue_id": "I1", "hot_issue_label": "宅基地纠纷",
         "repeat_count": 4},
    ]))
    assert "同一信访人第5次来信" in letters.loc[letters["letter_id"] == "1", "priority_reasons"].iloc[0]
    cases = ranker.cases(letters).set_index("matter")
    assert cases.loc["城乡建设", "letters"] == 1
    assert "同一信访人累计来信5封,本事项1封" in cases.loc["城乡建设", "priority_reasons"]
    assert "次来信" not in cases.loc["城乡建设", "priority_reasons"]
    hot = cases.loc["宅基地纠纷", "priority_reasons"]
    assert hot.startswith("较急(重复反映;时限);同一信访人累计来信4封,本事项2封") and "第2次来信" not in hot


def test_the_writers_of_one_hot_issue_are_one_case_for_a_leader(ranker):
    """A message board's writers each write once (People's Daily: 996 writers for 996 letters), so a case
    per writer made the leaders' list a second 紧急 list, and two writers of one issue (月亮岛路's
    110kV line on hot_messages) two rows: an office packages a 群体性信访事项 as one case."""
    letters = ranker.transform(make([
        {"letter_id": "1", "person_id": "P1", "received_at": "2026-10-01", "issue_id": "I1", "hot_issue_label": "月亮岛路 · 高压线"},
        {"letter_id": "2", "person_id": "P2", "received_at": "2026-10-20", "issue_id": "I1", "hot_issue_label": "月亮岛路 · 高压线",
         "urgency": "紧急", "urgency_cues": "安全隐患"},
        {"letter_id": "3", "person_id": "P1", "received_at": "2026-11-02", "issue_id": "I1", "hot_issue_label": "月亮岛路 · 高压线"},
        {"letter_id": "4", "person_id": "P1", "received_at": "2026-11-03", "issue_type": "劳动和社会保障"},
        {"letter_id": "5", "person_id": "P3", "received_at": "2026-11-04", "issue_id": "I2", "hot_issue_label": "某小区 · 停气"},
    ]))
    cases = ranker.cases(letters).set_index("matter")
    assert sorted(cases.index) == ["劳动和社会保障", "月亮岛路 · 高压线", "某小区 · 停气"]
    line = cases.loc["月亮岛路 · 高压线"]
    assert line["writers"] == 2 and line["letters"] == 3 and line["urgency"] == "紧急"
    assert line["person_id"] == "P2、P1" and line["case_id"] == "多人|I1" and line["top_letter_id"] == "2"
    assert line["priority_reasons"].startswith("紧急(安全隐患);") and "2名信访人共3封来信,跨1个月" in line["priority_reasons"]
    # one writer's issue and one writer's other letters keep the case they always were
    assert cases.loc["某小区 · 停气", "case_id"] == "P3|I2" and cases.loc["某小区 · 停气", "writers"] == 1
    assert cases.loc["劳动和社会保障", "person_id"] == "P1" and cases.loc["劳动和社会保障", "letters"] == 1


def test_an_issue_five_people_wrote_about_is_a_group_petition_and_weighs_as_one(ranker):
    def issue_of(writers):
        return [{"letter_id": f"{writers}-{k}", "person_id": f"P{writers}-{k}", "received_at": "2026-11-10",
                 "issue_id": f"I{writers}", "hot_issue_label": f"问题{writers}"} for k in range(writers)]

    cases = ranker.cases(ranker.transform(make(issue_of(4) + issue_of(5)))).set_index("matter")
    assert cases.loc["问题5", "person_id"] == "P5-0、P5-1、P5-2等5人"
    assert "集体反映: 5名信访人共5封来信" in cases.loc["问题5", "priority_reasons"]
    assert "集体反映" not in cases.loc["问题4", "priority_reasons"]
    # one letter more is case_per_letter, one writer more case_per_writer; the fifth makes a group petition
    gap = cases.loc["问题5", "case_priority"] - cases.loc["问题4", "case_priority"]
    assert gap == pytest.approx(ranker.case_per_letter + ranker.case_per_writer + ranker.joint_letter)


def test_fifty_people_on_one_estate_outrank_one_urgent_letter_on_the_leaders_list(ranker):
    """hot_messages: 57 letters from 52 writers about one estate's parking spaces (较急) were not among
    the leaders' 20 cases when only letters counted (capped at ten); single 紧急 letters were. A leader
    takes on the most escalated matters; one letter's urgency is 今日紧急's."""
    estate = [{"letter_id": f"e{k}", "person_id": f"W{k}", "received_at": "2026-10-01", "issue_id": "I1",
               "hot_issue_label": "伊景园 · 车位", "urgency": "较急", "urgency_cues": "群体"} for k in range(52)]
    urgent = [{"letter_id": "u", "person_id": "U", "received_at": "2026-10-01", "urgency": "紧急", "urgency_cues": "安全险情"}]
    cases = ranker.cases(ranker.transform(make(estate + urgent))).set_index("matter")
    assert cases.loc["伊景园 · 车位", "case_priority"] > cases.loc["城乡建设", "case_priority"]
    flat = PriorityRanker(as_of=date(2026, 11, 25), case_per_writer=0.0)
    flat_cases = flat.cases(flat.transform(make(estate + urgent))).set_index("matter")
    assert flat_cases.loc["伊景园 · 车位", "case_priority"] < flat_cases.loc["城乡建设", "case_priority"]


def test_a_caller_s_empty_calls_stay_the_caller_s_case_even_inside_a_hot_issue(ranker):
    letters = ranker.transform(make([
        {"letter_id": "1", "person_id": "P1", "received_at": "2026-11-01", "issue_id": "I1", "no_request": True},
        {"letter_id": "2", "person_id": "P1", "received_at": "2026-11-02", "no_request": True},
        {"letter_id": "3", "person_id": "P2", "received_at": "2026-11-03", "issue_id": "I1", "hot_issue_label": "停水"},
    ]))
    cases = ranker.cases(letters).set_index("matter")
    assert cases.loc["无具体诉求来电", "letters"] == 2 and cases.loc["停水", "writers"] == 1


def test_a_case_outside_any_hot_issue_names_its_finer_term_when_its_letters_share_one(ranker):
    """People's Daily's leaders' list said 城乡建设 nineteen times: gas cuts and cold homes, each a case of
    one letter. A case names the finest term its letters all suggest; letters that differ keep the type."""
    letters = ranker.transform(make([
        {"letter_id": "1", "person_id": "P1", "received_at": "2026-11-01", "issue_level2_suggestion": "城市建设和市政管理",
         "issue_level3_suggestion": "燃气供应"},
        {"letter_id": "2", "person_id": "P2", "received_at": "2026-11-02", "issue_level2_suggestion": "城市建设和市政管理",
         "issue_level3_suggestion": "燃气供应"},
        {"letter_id": "3", "person_id": "P2", "received_at": "2026-11-03", "issue_level2_suggestion": "物业服务",
         "issue_level3_suggestion": None},
        {"letter_id": "4", "person_id": "P3", "received_at": "2026-11-04", "issue_level2_suggestion": "住房保障与房地产",
         "issue_level3_suggestion": None},
    ]))
    matters = ranker.cases(letters).set_index("person_id")["matter"]
    assert matters.to_dict() == {"P1": "城乡建设 · 燃气供应", "P2": "城乡建设", "P3": "城乡建设 · 住房保障与房地产"}


def test_a_caller_s_calls_with_no_request_are_one_matter_whatever_type_each_was_given(ranker):
    """Qingdao: one caller's empty calls were eight cases, one per type a model gave them (科技与信息产业
    558 calls, 经济管理 821), and filled the leaders' list; they are one matter, and no leader's."""
    letters = ranker.transform(make([
        {"letter_id": "1", "person_id": "P1", "received_at": "2026-11-01", "issue_type": "经济管理", "no_request": True},
        {"letter_id": "2", "person_id": "P1", "received_at": "2026-11-02", "issue_type": "科技与信息产业", "no_request": True},
        {"letter_id": "3", "person_id": "P1", "received_at": "2026-11-03", "issue_type": "政法", "no_request": False},
    ]))
    cases = ranker.cases(letters).set_index("matter")
    assert sorted(cases.index) == ["政法", "无具体诉求来电"] and cases.loc["无具体诉求来电", "letters"] == 2


def test_letters_from_a_file_without_replies_or_status_are_not_counted_open(ranker):
    frame = make([{"letter_id": "x", "received_at": "2026-01-01", "status": None}])
    frame["source_file"] = "hotline.xlsx"
    out = ranker.transform(frame)
    assert not out["is_open"].iloc[0] and not out["is_backlog"].iloc[0]


def test_today_queue_lists_urgent_letters_then_the_review_band(ranker):
    letters = ranker.transform(make([
        {"letter_id": "a", "received_at": "2026-11-20", "title": "小区停气一周，家里有八十岁老人", "urgency": "较急"},
        {"letter_id": "b", "received_at": "2026-11-24", "title": "楼体倾斜随时可能倒塌", "urgency": "紧急"},
        {"letter_id": "c", "received_at": "2026-11-01", "title": "路灯不亮", "urgency": "一般"},
        {"letter_id": "d", "received_at": "2026-11-10", "title": "工资拖欠半年，我们将集体上访", "urgency": "紧急"},
    ]).assign(urgency_review=[True, False, False, False]))
    queue = today_queue(letters)
    # both 紧急 letters (the one open longer ranks higher), then the one the grader is unsure of
    assert list(queue["letter_id"]) == ["d", "b", "a"], queue[["letter_id", "priority"]]
    assert list(queue["today_queue"]) == ["紧急", "紧急", "待复核:可能紧急"]
    assert today_queue(letters.drop(columns="urgency_review"))["letter_id"].tolist() == ["d", "b"]


def test_today_queue_puts_this_weeks_letters_before_old_open_ones_and_leaves_out_closed_ones(ranker):
    """Priority grows with the months a letter is open: by priority alone a two-year-old 紧急 letter
    heads the same-day queue above this morning's threat. New letters first; old open ones after;
    a letter recorded as closed is not a same-day task at all."""
    letters = ranker.transform(make([
        {"letter_id": "old", "received_at": "2024-12-01", "title": "拆我的房子我就喝农药", "urgency": "紧急"},
        {"letter_id": "closed", "received_at": "2026-11-23", "title": "讨薪不成要跳楼", "urgency": "紧急",
         "status": "已办结"},
        {"letter_id": "today", "received_at": "2026-11-25", "title": "我活不下去了", "urgency": "紧急"},
        {"letter_id": "unsure", "received_at": "2026-11-22", "title": "停气一周，家有八十岁老人", "urgency": "较急"},
        {"letter_id": "old_unsure", "received_at": "2026-03-01", "title": "楼道墙体开裂", "urgency": "较急"},
    ]).assign(urgency_review=[False, False, False, True, True]))
    by_priority = letters.sort_values("priority", ascending=False)["letter_id"].tolist()
    assert by_priority.index("old") < by_priority.index("today")  # why the blocks are needed
    queue = today_queue(letters, as_of=date(2026, 11, 25), new_days=7)
    assert queue["letter_id"].tolist() == ["today", "unsure", "old", "old_unsure"]
    assert queue["today_queue"].tolist() == ["紧急", "待复核:可能紧急", "紧急", "待复核:可能紧急"]
    assert queue["received_block"].tolist() == ["新收", "新收", "此前收到·未办结", "此前收到·未办结"]
    # a longer window takes the March letter in as new: the blocks follow the setting
    wide = today_queue(letters, as_of=date(2026, 11, 25), new_days=365)
    assert wide["letter_id"].tolist() == ["today", "old_unsure", "unsure", "old"]


def test_a_far_date_in_a_file_does_not_overflow_the_response_time():
    """Found by the property suite: 9999-12-31 (a placeholder some systems write) beside no reply."""
    letters = pd.DataFrame({
        "letter_id": ["a", "b"], "urgency": ["一般", "一般"], "status": ["", "已办结"],
        "received_at": pd.to_datetime(["2024-01-05", "9999-12-31"]).astype("datetime64[us]"),
    })
    out = PriorityRanker(as_of="2024-06-01").transform(letters)
    assert out["response_days"].isna().all()
    assert out["is_closed"].tolist() == [False, True]


def test_a_letter_s_score_reads_only_the_columns_the_ranker_walks(ranker):
    """`transform` walks only SCORE_READS of each letter (not its text and every other column):
    every column `_score` reads, on a letter that takes every branch, is one of them."""
    from pipeline.rank import SCORE_READS

    values = {"urgency": "紧急", "urgency_cues": "自伤威胁", "repeat_count": 3, "head_count": 6,
              "joint_letter_group": "J1", "hot_issue_label": "某小区 供暖", "issue_id": "I0001",
              "deep_seated": True, "is_open": True, "days_open": 100.0, "is_backlog": True}
    read = []

    class Row:
        def __getattr__(self, name):
            read.append(name)
            if name not in values:
                raise AttributeError(name)
            return values[name]

    score, why = ranker._score(Row())
    assert set(read) <= set(SCORE_READS)
    assert len(why) == 6 and score > ranker.urgent + ranker.overdue  # every branch was taken


def test_a_case_follows_the_type_its_letters_were_routed_by_not_the_model_s(sample_run):
    """The bundled writer of 门面被断水断电逼迫签约 and 再不解决我就进京上访: the office classed all of them
    城乡建设 and the router sent them to 住建, but the model typed them 城乡建设 and 政法, and the leaders'
    list made two cases of one matter, one reading 「政法 · 复议申请」 → 住房和城乡建设局."""
    from pipeline.rank import case_keys

    letters = sample_run.letters
    mine = letters[letters["title"].str.contains("门面被断水断电逼迫签约|再不解决我就进京上访")]
    assert mine["person_id"].nunique() == 1 and set(mine["issue_type"]) == {"城乡建设", "政法"}
    assert set(mine["routed_type"]) == {"城乡建设"} and set(mine["department"]) == {"住房和城乡建设局"}
    keys = case_keys(letters)
    assert keys[mine.index].nunique() == 1
    case = sample_run.cases[sample_run.cases["case_id"] == keys[mine.index[0]]]  # a one-writer case's id is its key
    assert case["matter"].tolist() == ["城乡建设"] and case["department"].tolist() == ["住房和城乡建设局"]
    assert case["letters"].tolist() == [len(mine)]
    # every case outside a hot issue holds one routed type, and its 事项 names it
    own = letters["issue_id"].isna() & ~letters["no_request"]
    assert (letters.loc[own, "routed_type"].groupby(keys[own]).nunique() == 1).all()
    plain = sample_run.cases[~sample_run.cases["case_id"].str.contains("|I", regex=False)
                             & (sample_run.cases["matter"] != "无具体诉求来电")]
    routed = plain["top_letter_id"].map(letters.set_index("letter_id")["routed_type"])
    assert len(plain) > 100 and (plain["matter"].str.split(" · ").str[0] == routed).all()


def test_a_leader_s_list_leaves_out_cases_that_mostly_ask_or_suggest(ranker, sample_run):
    """领导包案 is for matters a leader takes on and settles: a case whose letters mostly ask a
    question or offer a suggestion (信访目的) is answered or read instead, as a caller's empty calls
    are left out. hot_messages' most prolific writer sent dozens of "请A市加快…力度" letters: a
    case of many letters, high on the list by count alone."""
    from pipeline.purpose import purpose_of
    from pipeline.rank import NO_REQUEST_MATTER, NOT_LEADER_PURPOSES, leader_list

    titles = ["请A市加快轨道交通建设力度", "请加快A市月亮岛片区公共服务力度", "请A市加快国家中心城市建设力度",
              "请加快A市园博园建设力度", "请A市加快区域融合发展步伐", "A市也会全面实行垃圾分类吗?"]
    writer = [{"letter_id": f"s{k}", "person_id": "S", "received_at": f"2026-0{k + 1}-01", "title": t,
               "issue_type": "城乡建设"} for k, t in enumerate(titles)]
    grievance = [{"letter_id": "g", "person_id": "G", "received_at": "2026-10-01", "title": "小区燃气停了三天无人处理"}]
    frame = make(writer + grievance)
    frame["purpose"] = [purpose_of(t, "") for t in frame["title"]]
    assert frame["purpose"].tolist() == ["建议"] * 5 + ["咨询", "求决"]
    cases = ranker.cases(ranker.transform(frame))
    suggestions = cases[cases["person_id"] == "S"].iloc[0]
    assert suggestions["purpose"] == "建议" and suggestions["case_priority"] > cases.loc[cases["person_id"] == "G", "case_priority"].iloc[0]
    assert leader_list(cases, 20)["person_id"].tolist() == ["G"]
    # the bundled office's list: twenty cases, none of them questions, suggestions or empty calls
    listed = leader_list(sample_run.cases, 20)
    assert len(listed) == 20 and not listed["purpose"].isin(NOT_LEADER_PURPOSES).any()
    assert (listed["matter"] != NO_REQUEST_MATTER).all() and listed["purpose"].notna().all()
