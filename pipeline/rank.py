"""Priority of letters and cases: what a petition office should look at first, and why.

Priority = urgency + escalation + age, in that order of weight (weights in the config file):
- urgency first: a 紧急 letter (threat to life, imminent escalation) outranks everything else,
  a 较急 one outranks routine letters;
- escalation next: a person writing again and again (重复信访), a joint or group letter
  (联名, 集体访), a letter that is part of a concentrated or deep-seated problem — each is a sign
  the matter will grow if it is not handled;
- age last: open letters past the time limit (积案, default 60 days per the 信访工作条例) and
  every month they stay open.
A case is what a leader takes on (领导包案): one person's letters on one matter (the same issue
type), or all the letters of one hot issue, whoever wrote them. Offices package 群体性信访事项 as
one case, and a message board's writers each write once: per person, its leaders' list was its
紧急 letters again, and two writers of one issue were two rows. Every score comes with
`priority_reasons`, a short Chinese sentence a reviewer can check against the letter.
"""
from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

CLOSED_STATUSES = ("已办结", "办结", "已答复", "已回复", "已办理", "不予受理", "已终结", "息诉罢访")
# A status that says the case is still being handled keeps it open even with a reply date: a
# message board's interim answer ("已转相关部门处理", dated, status 办理中) is no answer.
OPEN_STATUSES = ("办理中", "处理中", "受理中", "转办中", "待回复", "待答复", "待办理", "待处理", "未办结", "受理", "已受理")
# The columns `_score` reads of a letter and `cases` reads of its letters: each walks or sorts only
# these, not every column of the batch (row tuples and a sorted copy of the letters' texts and
# replies were most of the rank stage's memory).
SCORE_READS = ("urgency", "urgency_cues", "repeat_count", "head_count", "joint_letter_group", "hot_issue_label",
               "issue_id", "deep_seated", "is_open", "days_open", "is_backlog")
CASE_READS = ("person_id", "letter_id", "issue_id", "issue_type", "priority", "received_at", "priority_reasons", "repeat_count",
              "hot_issue_label", "urgency", "department", "is_open", "confidential", "title", "no_request",
              "issue_level2_suggestion", "issue_level3_suggestion", "routed_type", "routed_term", "purpose")
# a caller's calls with no request are one matter, whatever type a model gave each (Qingdao: one
# caller's empty calls were eight "cases", 科技与信息产业 558 calls, 经济管理 821), and no leader's
NO_REQUEST_MATTER = "无具体诉求来电"
# a hot issue's case of several writers is keyed "多人|issue_id"; it names SHOWN_WRITERS of them, and
# from GROUP_WRITERS writers on it is a group petition (集体访: five or more people, domain.md)
MANY_WRITERS, SHOWN_WRITERS, GROUP_WRITERS = "多人", 3, 5
# a letter's repeat reason; a case row rewrites it into its two counts (`PriorityRanker.cases`)
REPEAT_REASON_TEXT = "同一信访人第{}次来信"
REPEAT_REASON = re.compile(r"同一信访人第\d+次来信")


class PriorityRanker:
    """Score letters and cases; parameters are the `[priority]`, `[backlog]` and `[cases]` config
    values (the case ones prefixed `case_`: `[cases] per_letter` is `case_per_letter`)."""

    def __init__(self, urgent=100.0, pressing=40.0, per_repeat=4.0, joint_letter=10.0, hot_issue=8.0,
                 deep_seated=12.0, overdue=25.0, per_month_open=2.0, limit_days=60, as_of: date | None = None,
                 case_per_letter=3.0, case_letters_cap=10, case_per_year=4.0, case_years_cap=5.0,
                 case_per_writer=2.0, case_writers_cap=20):
        self.urgent = urgent
        self.pressing = pressing
        self.per_repeat = per_repeat
        self.joint_letter = joint_letter
        self.hot_issue = hot_issue
        self.deep_seated = deep_seated
        self.overdue = overdue
        self.per_month_open = per_month_open
        self.limit_days = limit_days
        self.as_of = as_of
        self.case_per_letter = case_per_letter
        self.case_letters_cap = case_letters_cap
        self.case_per_year = case_per_year
        self.case_years_cap = case_years_cap
        self.case_per_writer = case_per_writer
        self.case_writers_cap = case_writers_cap

    def transform(self, letters: pd.DataFrame, tracked_files=None) -> pd.DataFrame:
        """Add `is_closed`, `is_open`, `days_open`, `is_backlog`, `response_days`, `priority`, `priority_reasons`.

        `is_closed`: known to be replied or closed; `is_open`: known to be still open (its file
        records replies or status). A letter can be neither: then nobody has said it is done.
        `tracked_files`: the files that record replies or status, given by an engine that ranks one
        partition of a batch at a time (default: found in `letters` itself).
        """
        out = letters.copy()
        as_of = pd.Timestamp(self.as_of or date.today())
        # one unit of seconds for both, so a far date a file may hold (9999-12-31) never overflows
        received = pd.to_datetime(out["received_at"]).astype("datetime64[s]")
        replied = (pd.to_datetime(out["replied_at"]) if "replied_at" in out
                   else pd.Series(pd.NaT, index=out.index)).astype("datetime64[s]")
        status = out["status"].fillna("").astype(str) if "status" in out else pd.Series("", index=out.index)
        # replied by the as-of date, or closed by its status, unless its status says it is still open
        closed = ((replied <= as_of + pd.Timedelta(days=1)) | status.isin(CLOSED_STATUSES)) & ~status.isin(OPEN_STATUSES)
        # A file that records neither replies nor status says nothing about which letters are open:
        # its letters are not counted open (nor 积案) rather than all of them at once.
        source = out["source_file"] if "source_file" in out else pd.Series("", index=out.index)
        tracked = (replied.notna() | (status != "")).groupby(source).transform("any")
        if tracked_files is not None:
            tracked = source.isin(set(tracked_files))
        out["is_closed"] = closed
        out["is_open"] = ~closed & tracked
        # whole days since receipt; a letter received on the as-of day itself (after its midnight)
        # has waited 0 days, not -1 (the workbook's 已等待天数 showed -1 for today's letters)
        out["days_open"] = np.where(out["is_open"], np.maximum((as_of - received).dt.days, 0), np.nan)
        out["response_days"] = ((replied - received).dt.total_seconds() / 86400.0).round(1)
        out["is_backlog"] = out["is_open"] & (out["days_open"] > self.limit_days)

        scores, reasons = [], []
        for row in out[[c for c in SCORE_READS if c in out.columns]].itertuples(index=False):
            score, why = self._score(row)
            scores.append(round(score, 1))
            reasons.append(";".join(why) if why else "常规来信")
        out["priority"] = scores
        out["priority_reasons"] = reasons
        return out

    def _score(self, row) -> tuple[float, list[str]]:
        score, why = 0.0, []
        urgency = getattr(row, "urgency", None)
        cues = _text(getattr(row, "urgency_cues", None))
        if urgency == "紧急":
            score += self.urgent
            why.append("紧急" + (f"({cues})" if cues else ""))
        elif urgency == "较急":
            score += self.pressing
            why.append("较急" + (f"({cues})" if cues else ""))
        repeats = _number(getattr(row, "repeat_count", None))
        if repeats and repeats > 1:
            score += min(repeats - 1, 10) * self.per_repeat
            why.append(REPEAT_REASON_TEXT.format(int(repeats)))
        head_count = _number(getattr(row, "head_count", None))
        joint = _text(getattr(row, "joint_letter_group", None))
        if (head_count and head_count >= 5) or joint:
            score += self.joint_letter
            why.append(f"联名/集体信访{f' {int(head_count)}人' if head_count and head_count >= 5 else ''}")
        issue = _text(getattr(row, "hot_issue_label", None)) or _text(getattr(row, "issue_id", None))
        if issue:
            score += self.hot_issue
            why.append(f"属热点问题「{issue}」")
            if bool(getattr(row, "deep_seated", False)) is True:
                score += self.deep_seated
                why.append("深层次问题")
        if row.is_open and row.days_open == row.days_open:
            days = int(row.days_open)
            score += min(days / 30.0, 24) * self.per_month_open
            if row.is_backlog:
                score += self.overdue
                why.append(f"积案: 已超期{days - self.limit_days}天(受理后{days}天未办结)")
        return score, why

    def cases(self, letters: pd.DataFrame) -> pd.DataFrame:
        """One row per case (`case_keys`), scored by its most pressing letter plus its history: each
        further letter (`case_per_letter`, up to `case_letters_cap` letters), each year between
        the first and the last letter (`case_per_year`, up to `case_years_cap` years), each further
        writer (`case_per_writer`, up to `case_writers_cap` writers), and for a hot issue five or more
        people wrote, the joint-letter weight (集体访 is five or more people). A leader's list is for
        the most escalated matters; one letter's urgency is 今日紧急's, so fifty people writing about
        one estate's parking must weigh against one 紧急 letter (hot_messages: 57 letters from 52
        writers, not on the list when only letters counted)."""
        frame = letters[[c for c in CASE_READS if c in letters.columns]].copy()
        frame["_writer"] = writer_ids(frame)
        frame["_key"] = case_keys(frame)
        frame = frame.sort_values(["_key", "priority", "received_at"], ascending=[True, False, True])
        # one pass of group aggregates (a Python loop over groups cost seconds per 10,000 letters);
        # `top` is each case's most pressing letter, the groups in key order as sorted above
        groups = frame.groupby("_key", sort=False)
        top = groups.head(1).set_index("_key")
        count = groups.size().to_numpy()
        writers = groups["_writer"].nunique().to_numpy()
        # a one-writer case keeps the id it always had (writer|matter); a hot issue's writers, 多人|issue
        case_ids = [key if "|" in key else f"{writer if n == 1 else MANY_WRITERS}|{key}"
                    for key, writer, n in zip(top.index, top["_writer"], writers)]
        first = groups["received_at"].min().to_numpy()
        last = groups["received_at"].max().to_numpy()
        span = pd.Series(last - first).dt.days.fillna(0).astype(int).to_numpy()
        group = writers >= GROUP_WRITERS
        score = (top["priority"].astype(float).to_numpy()
                 + self.case_per_letter * np.minimum(count - 1, self.case_letters_cap)
                 + np.minimum(span / 365.0, self.case_years_cap) * self.case_per_year
                 + self.case_per_writer * np.minimum(writers - 1, self.case_writers_cap)
                 + self.joint_letter * (group & ~top["priority_reasons"].str.contains("联名/集体信访", regex=False).to_numpy()))
        # the top letter's "同一信访人第N次来信" beside 信件数 read as a contradiction on a case row
        # (Qingdao: "第1605次" beside 1; "第11次" on a 245-letter case), so a case says both counts:
        # the writer's letters in all by the case's latest letter, and this matter's own
        written = (pd.to_numeric(groups["repeat_count"].max(), errors="coerce").fillna(0).astype(int).to_numpy()
                   if "repeat_count" in frame else np.zeros(len(top), int))
        reasons = []
        for reason, n, days, total, people in zip(top["priority_reasons"], count, span, written, writers):
            parts = [p for p in reason.split(";") if p != "常规来信"]
            at = next((i for i, p in enumerate(parts) if REPEAT_REASON.fullmatch(p)), None)
            months = f",跨{max(1, days // 30)}个月" if n > 1 else ""
            counts = (f"{'集体反映: ' if people >= GROUP_WRITERS else ''}{people}名信访人共{n}封来信{months}" if people > 1
                      else f"同一信访人累计来信{max(total, n)}封,本事项{n}封{months}" if total > 1
                      else f"本事项共{n}封来信{months}" if n > 1 else None)
            if at is not None:  # in the repeat reason's place, so the reasons keep their order
                parts[at:at + 1] = [counts] if counts else []
            elif counts:
                parts.append(counts)
            reasons.append(";".join(parts) or "常规来信")

        def of_top(column, default=None):
            return top[column].tolist() if column in top else [default] * len(top)

        labels = of_top("hot_issue_label")
        kinds = [f"{kind} · {finer}" if _text(finer) and _text(kind) else kind
                 for kind, finer in zip(matter_type(top).tolist(), _shared_finest(frame, groups))]
        matter = [NO_REQUEST_MATTER if case.endswith("|" + NO_REQUEST_MATTER) else label if _text(label) else kind
                  for case, label, kind in zip(top.index, labels, kinds)]
        # a case of several writers names the first few, most pressing letter first (`frame`'s order);
        # joined for those cases only (a per-case `unique` cost 0.36 s per 4,000 letters)
        shown = frame.drop_duplicates(["_key", "_writer"]).groupby("_key", sort=False).head(SHOWN_WRITERS)
        shown = shown[shown["_key"].isin(set(top.index[writers > 1]))]
        names = shown.groupby("_key", sort=False)["_writer"].agg("、".join).to_dict()
        rows = {
            "case_id": case_ids,
            "person_id": [names.get(key, writer) + (f"等{n}人" if n > SHOWN_WRITERS else "")
                          for key, writer, n in zip(top.index, top["_writer"], writers)],
            "writers": writers.tolist(),
            "matter": matter,
            "letters": count.tolist(),
            "open_letters": groups["is_open"].sum().astype(int).tolist(),
            "first_letter": list(first),
            "last_letter": list(last),
            "urgency": of_top("urgency"),
            "department": of_top("department"),
            "confidential": (groups["confidential"].any().astype(bool).tolist() if "confidential" in frame
                             else [False] * len(top)),
            "purpose": _main_purpose(frame, top.index),
            "top_letter_id": top["letter_id"].tolist(),
            "title": of_top("title"),
            "case_priority": [round(float(x), 1) for x in score],
            "priority_reasons": reasons,
        }
        cases = pd.DataFrame(rows).astype({"purpose": "str"})  # a missing purpose is missing, as Spark's is
        if cases.empty:
            return cases
        return cases.sort_values(["case_priority", "last_letter", "case_id"], ascending=[False, False, True]).reset_index(drop=True)


# what a leader's list is for: cases whose letters mostly ask a question or offer a suggestion are
# answered or read, not taken on and settled (hot_messages' most prolific writer sent 45 "请A市加快…
# 力度" letters; `pipeline.purpose`)
NOT_LEADER_PURPOSES = ("建议", "咨询")


def leader_list(cases: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The first `limit` cases a leader's list (领导包案建议) shows: not a caller's calls with no
    request, nor a case whose letters mostly ask a question or offer a suggestion (`NOT_LEADER_PURPOSES`):
    nothing a leader takes on and settles."""
    keep = pd.Series(True, index=cases.index)
    if "matter" in cases:
        keep &= cases["matter"] != NO_REQUEST_MATTER
    if "purpose" in cases:
        keep &= ~cases["purpose"].isin(NOT_LEADER_PURPOSES)
    return cases[keep].head(limit)


def _main_purpose(frame: pd.DataFrame, keys) -> list:
    """Per case (in `keys`' order), the purpose most of its letters have (信访目的), the first of
    `purpose.PURPOSES` on a tie; None for a case of letters without one (calls with no request)."""
    from pipeline.purpose import PURPOSES

    if "purpose" not in frame:
        return [None] * len(keys)
    given = frame[frame["purpose"].notna()]
    counts = given.groupby(["_key", "purpose"]).size().reset_index(name="_n")
    counts["_order"] = counts["purpose"].map({p: k for k, p in enumerate(PURPOSES)})
    main = counts.sort_values(["_key", "_n", "_order"], ascending=[True, False, True]).drop_duplicates("_key")
    return main.set_index("_key")["purpose"].reindex(keys).astype(object).where(lambda s: s.notna(), None).tolist()


def _shared_finest(frame: pd.DataFrame, groups) -> list:
    """Per case (in `groups`' order), the finest term (`_matter_term`) when every letter of the case
    has the same one, else None: a leader reads 城乡建设 · 燃气供应 where the list said 城乡建设
    seventeen times (People's Daily), and a case whose letters differ keeps its type alone."""
    finest = _matter_term(frame)
    grouped = finest.groupby(frame["_key"], sort=False)  # group aggregates: a lambda per case cost 0.6 s per 10^4 letters
    per_case = grouped.first().where(grouped.nunique() == 1, "")
    return [value or None for value in per_case.tolist()]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(None, index=frame.index, dtype=object)


def matter_type(frame: pd.DataFrame) -> pd.Series:
    """Each letter's matter type: the type it was routed by (`routed_type`: the office's own class
    where the file gives one), else the model's `issue_type`. A case that follows the model while
    the department follows the office splits one matter into several (bundled: one writer's 13
    letters on a shop's compensation, classed 城乡建设 by the office, were four model types and
    four cases, one 「政法 · 复议申请」 → 住房和城乡建设局)."""
    return _column(frame, "routed_type").astype("object").fillna(_column(frame, "issue_type"))


def _matter_term(frame: pd.DataFrame) -> pd.Series:
    """Each letter's finest term under its matter type, "" for none: the one it was routed by
    (`routed_term`) for a routed letter, else the taxonomy's 3rd-level suggestion, else its 2nd."""
    level3, level2 = (_column(frame, c).astype("object").fillna("").astype(str)
                      for c in ("issue_level3_suggestion", "issue_level2_suggestion"))
    suggested = level3.where(level3 != "", level2)
    routed = _column(frame, "routed_type").notna()
    return _column(frame, "routed_term").astype("object").fillna("").astype(str).where(routed, suggested)


def writer_ids(frame: pd.DataFrame) -> pd.Series:
    """Each letter's writer: its `person_id`, else the letter itself (one writer per unlinked letter)."""
    return (frame["person_id"].fillna(frame["letter_id"]) if "person_id" in frame else frame["letter_id"]).astype(str)


def case_keys(frame: pd.DataFrame) -> pd.Series:
    """Each letter's case: its hot issue (`issue_id`) when it has one, whoever wrote it; else its
    writer (`person_id`, else the letter) and matter type (`matter_type`: the type it was routed
    by). A caller's calls with no request are one case of that caller's, whatever issue or type
    each was given. An issue's key has no "|"."""
    person = writer_ids(frame)
    kind = matter_type(frame)
    keys = person + "|" + kind.fillna("未分类").astype(str)
    if "issue_id" in frame:
        issue = frame["issue_id"]
        keys = keys.where(~(issue.notna() & (issue.astype(str) != "")), issue.astype(str))
    if "no_request" in frame:
        keys = keys.where(~frame["no_request"].fillna(False).astype(bool), person + "|" + NO_REQUEST_MATTER)
    return keys


TODAY_URGENT, TODAY_REVIEW = "紧急", "待复核:可能紧急"
TODAY_NEW, TODAY_EARLIER = "新收", "此前收到·未办结"


# the columns `today_queue` reads to choose and order its rows (a caller may pass only these and
# the columns it shows: the queue copies every column it is given, for each of its rows)
TODAY_READS = ("urgency", "urgency_review", "is_closed", "received_at", "priority")


def today_queue(letters: pd.DataFrame, as_of: date | None = None, new_days: int = 7) -> pd.DataFrame:
    """The same-day queue, one for every list called 今日紧急 (triage.xlsx, report.html).

    Letters recorded as replied or closed are left out: the queue is what someone must act on
    today, and a closed letter is in letters.csv and 积案 history already. The rest come in four
    blocks: letters received in the last `new_days` days before `as_of` (or without a date, as a
    new batch often is), 紧急 then the review band (letters the grader is unsure of,
    `urgency_review`, that a person must read today); then the earlier letters still not closed,
    紧急 then the review band. Within a block, highest priority first, then the oldest. Why new
    letters first: priority grows with the months a letter has been open, so without blocks a
    two-year-old 紧急 letter headed the list above this morning's threat of self-harm; the old
    ones are still listed, after, because an emergency nobody closed is not over. Without `as_of`
    every letter counts as new (the blocks are 紧急 then the review band, as before).

    Each row carries `today_queue` (紧急 or 待复核:可能紧急) and `received_block` (新收 or
    此前收到·未办结).
    """
    empty = letters.iloc[0:0].assign(today_queue=pd.Series(dtype=object), received_block=pd.Series(dtype=object))
    if "urgency" not in letters:
        return empty
    urgent = letters["urgency"] == "紧急"
    if "urgency_review" in letters:
        review = ~urgent & letters["urgency_review"].fillna(False).astype(bool)
    else:
        review = urgent & False
    if "is_closed" in letters:
        still_open = ~letters["is_closed"].fillna(False).astype(bool)
        urgent, review = urgent & still_open, review & still_open
    new = pd.Series(True, index=letters.index)
    if as_of is not None and "received_at" in letters:
        received = pd.to_datetime(letters["received_at"], errors="coerce")
        new = received.isna() | (received >= pd.Timestamp(as_of) - pd.Timedelta(days=new_days))
    keys = [c for c in ("priority", "received_at") if c in letters]
    parts = []
    for block, in_block in ((TODAY_NEW, new), (TODAY_EARLIER, ~new)):
        for mask, mark in ((urgent, TODAY_URGENT), (review, TODAY_REVIEW)):
            part = letters[(mask & in_block).fillna(False).astype(bool)]
            if keys:
                part = part.sort_values(keys, ascending=[k == "received_at" for k in keys], kind="stable")
            parts.append(part.assign(today_queue=mark, received_block=block))
    return pd.concat(parts, ignore_index=True)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    return str(value)


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number
