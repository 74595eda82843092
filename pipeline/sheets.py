"""The write stage: the tables people open, built from a run's (bounded) tables and written masked.

Two families of tables live here, so that the main job (`pipeline.run`) and the commands
(`pipeline.commands.hotspots`) share them and no stage imports the CLI:
- the triage workbook of `petition run` (`triage_sheets`): 今日紧急, 各部门待办, 领导包案建议,
  重复信访人, 热点问题, 热点问题来信, 集中问题, 积案, 需人工复核, 说明 (what each sheet and derived column means,
  `pipeline.explain`), then one 待办-<部门> list per department; `workbook_notes` puts the same
  explanations on the header cells, and the 今日紧急 queue's measured misses under its last row;
- the hot-issue tables in the TipDM layout (`issue_table`, `letter_table`, `write_tables`).

Confidentiality: route decides which letters are accusations against an official (the
`confidential` column, with the letter sent to the discipline department); this stage applies
that decision (`department_lists`). A confidential letter appears in the discipline department's
list only, whatever its `department` cell says by then, and only that list carries the writers'
identity (姓名, 联系电话, 信访人编号): the law forbids passing an accuser's identity to the unit
accused, and a department needs the matter, not the person, to act. 热点问题来信, the sheet handed
to the departments a hot issue concerns, carries no identity either.

`write_outputs` takes tables, not a run object: letters, cases, issues, persons, rejects and the
counts, so another engine can call it with tables it aggregated itself.
"""
from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from pipeline.config import Settings
from pipeline.explain import GUIDE_SHEET, column_notes, concentrated_caveat, guide_sheet, notes_for, today_caveat
from pipeline.calls import no_request
from pipeline.heat import rank_range_text
from pipeline.quotes import quote_evidence, title_length
from pipeline.tokenize import column_strings, unsegmented
from pipeline.rank import leader_list
from pipeline.urgency import UrgencyGrader

SHEETS = ("今日紧急", "各部门待办", "领导包案建议", "重复信访人", "热点问题", "热点问题来信", "集中问题", "积案", "需人工复核", "说明")
# What a department list never carries unless it is the discipline department's.
IDENTITY_COLUMNS = ("name", "phone", "person_id")

LETTER_COLUMNS = {
    "letter_id": "信件编号", "received_at": "来信时间", "channel": "渠道", "name": "姓名", "phone": "联系电话",
    "title": "标题", "text": "内容", "issue_type": "问题类型", "purpose": "信访目的", "issue_confidence": "分类置信度",
    "urgency": "紧急程度", "urgency_cues": "紧急线索", "urgency_evidence": "依据原文",
    "department": "责任部门", "priority": "优先分", "priority_reasons": "优先理由", "repeat_count": "第几次来信",
    "person_id": "信访人编号", "hot_issue_label": "所属热点问题", "days_open": "已等待天数", "status": "办理状态",
}

# ---------------------------------------------------------------- hot issues (TipDM layout)
ISSUE_COLUMNS = ["热度排名", "问题ID", "热度指数", "时间范围", "地点/人群", "问题描述", "是否深层次问题"]
ISSUE_LETTER_COLUMNS = ["问题ID", "留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "点赞数", "反对数"]
# --headers en: the same tables with snake_case names, for scripts
HEADERS_EN = {
    "热度排名": "heat_rank", "问题ID": "issue_id", "热度指数": "heat", "时间范围": "time_range",
    "地点/人群": "place", "问题描述": "description", "是否深层次问题": "deep_seated", "问题标签": "label",
    "留言数": "n_letters", "留言人数": "n_writers", "单人反复": "single_writer", "点赞数": "up_votes", "反对数": "down_votes",
    "深层次依据": "deep_evidence", "排名区间": "rank_range", "代表留言编号": "representative_id", "主要类别": "top_issue_type",
    "紧急程度分布": "urgency_mix", "合并依据": "join_note", "留言编号": "letter_id", "留言用户": "writer_id", "留言主题": "title",
    "留言时间": "received_at", "留言详情": "text", "按措辞归入": "n_by_wording", "归入方式": "joined_by",
}
BY_WORDING = "按措辞归入"  # hot_issue_letters' 归入方式 of a letter `IssueClusterer.absorb` joined


def mask_writer(value) -> str:
    """A writer id shown only by its ends (A000102948 -> A00*****48), so lists can leave the office."""
    if value is None or (isinstance(value, float) and value != value) or pd.isna(value):
        return ""
    text = str(value)
    if len(text) <= 4:
        return text[0] + "*" * (len(text) - 1)
    keep = max(1, len(text) // 4)
    return text[:keep + 1] + "*" * (len(text) - 2 * keep - 1) + text[-keep:]


def quoted_evidence(letters: pd.DataFrame) -> pd.DataFrame:
    """The letters with `urgency_evidence` as the sheets and the report show it (依据原文): the
    clauses behind each verdict (`pipeline.quotes`), not the cue phrases letters.csv keeps for
    scripts. Both engines call it on the masked letters their sheets are built from."""
    if not {"title", "text", "urgency_evidence"} <= set(letters.columns):
        return letters
    texts = UrgencyGrader().letter_texts(letters)  # the text the phrases were matched in
    titles = [unsegmented(title) for title in column_strings(letters, "title")]
    return letters.assign(urgency_evidence=[
        quote_evidence(text, evidence, title_length(text, title)) if isinstance(evidence, str) and evidence else ""
        for text, title, evidence in zip(texts, titles, letters["urgency_evidence"])])


def _date(value) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y/%m/%d")


def _where(info: pd.DataFrame) -> list[str]:
    """The full place of each issue (chain + place, as in its label: `A3区 西湖街道茶场村五组`)."""
    if "place_chain" in info.columns:
        return [label.split(" · ")[0] if " · " in label else "" for label in info["label"]]
    return [(d + p) if p and d and not p.startswith(d) else (p or d) for d, p in zip(info["district"], info["place"])]


def issue_table(info: pd.DataFrame) -> pd.DataFrame:
    """hot_issues in the TipDM layout, evidence columns after the required seven."""
    if info.empty:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    out = pd.DataFrame({
        "热度排名": info["heat_rank"].astype(int),
        "问题ID": info["issue_id"],
        "热度指数": info["heat"],
        "时间范围": [f"{_date(a)} 至 {_date(b)}" for a, b in zip(info["first_date"], info["last_date"])],
        "地点/人群": _where(info),
        # the representative letter's title in brackets; a hotline's work orders have none, and "()" says nothing
        "问题描述": info["label"].str.split(" · ").str[-1].str.replace(" ", "、")
        + [f" ({t})" if isinstance(t, str) and t.strip() else "" for t in info["representative_title"]],
        "是否深层次问题": info["deep_seated"].map({True: "是", False: "否"}),
        "排名区间": rank_range_text(info),
        "问题标签": info["label"],
        "留言数": info["n_letters"],
        "留言人数": info["n_writers"],
        # letters that joined by their wording alone (no pair of letters agreeing): where a mixed issue
        # is checked first (hot_issue_letters marks each)
        "按措辞归入": info["n_by_wording"].astype(int) if "n_by_wording" in info else 0,
        # one writer's many letters are a repeat petition (重复信访人), not many people's problem: a hotline's
        # heaviest caller can fill a hot issue alone (Qingdao: 245 calls), and 留言人数 = 1 is easy to miss
        "单人反复": ((info["n_writers"] == 1) & (info["n_letters"] > 1)).map({True: "是", False: "否"}),
        "点赞数": info["up_votes"].astype(int),
        "反对数": info["down_votes"].astype(int),
        "深层次依据": info["deep_evidence"],
        "代表留言编号": info["representative_id"],
    })
    if "join_note" in info.columns:  # rows the batch-level join made one, and why
        out["合并依据"] = info["join_note"].fillna("")
    for src, dst in (("top_issue_type", "主要类别"), ("urgency_mix", "紧急程度分布")):
        if src in info.columns:
            out[dst] = info[src]
    return out


def letter_table(letters: pd.DataFrame, info: pd.DataFrame) -> pd.DataFrame:
    """hot_issue_letters: letters of each issue, hottest issue first, writer ids masked."""
    rank = dict(zip(info["issue_id"], info["heat_rank"]))
    sub = letters[letters["issue_id"].notna()].copy()
    sub["_rank"] = sub["issue_id"].map(rank)
    sub = sub.sort_values(["_rank", "received_at"])

    def col(name, default=""):
        return sub[name] if name in sub.columns else pd.Series(default, index=sub.index)

    return pd.DataFrame({
        "问题ID": sub["issue_id"],
        "留言编号": sub["letter_id"],
        "留言用户": col("writer_id").map(mask_writer),
        "留言主题": sub["title"],
        "留言时间": sub["received_at"].map(lambda v: "" if pd.isna(v) else pd.Timestamp(v).strftime("%Y/%m/%d %H:%M:%S")),
        "留言详情": sub["text"],
        "点赞数": pd.to_numeric(col("up_votes", 0), errors="coerce").fillna(0).astype(int),
        "反对数": pd.to_numeric(col("down_votes", 0), errors="coerce").fillna(0).astype(int),
        "归入方式": col("issue_by_wording", False).fillna(False).astype(bool).map({True: BY_WORDING, False: ""}),
    }).reset_index(drop=True)


def write_tables(out_dir: Path, issues: pd.DataFrame, letters: pd.DataFrame, headers: str = "zh",
                 settings: Settings | None = None) -> list[Path]:
    """Both hot-issue tables as CSV and XLSX through `pipeline.write` (atomic, no live formula);
    with `settings`, hot_issues.xlsx's Chinese headers carry the 热点问题 sheet's notes (热度指数,
    排名区间: what they mean, from those settings)."""
    from pipeline.write import write_table

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, frame in (("hot_issues", issues), ("hot_issue_letters", letters)):
        if headers == "en":
            frame = frame.rename(columns=HEADERS_EN)
        notes = notes_for("热点问题", column_notes(settings)) if settings is not None and headers == "zh" else None
        for path in (out_dir / f"{stem}.csv", out_dir / f"{stem}.xlsx"):
            written.append(write_table(frame, path, chinese_headers=False, notes=notes if stem == "hot_issues" else None))
    return written


# ---------------------------------------------------------------- the triage workbook
# a letters sheet's order: highest priority first, then the oldest
SHEET_ORDER = ("priority", "received_at")


def _letters_sheet(frame: pd.DataFrame, extra: dict | None = None, drop_identity: bool = False,
                   rows: pd.Series | None = None) -> pd.DataFrame:
    """The rows of `frame` (all, or where `rows` is true) with the columns a sheet shows, in
    `SHEET_ORDER`. Only the two keys are sorted, and the shown columns are then taken once, in
    that order: taking the rows and then sorting them copied a sheet's texts twice (the 积案 sheet
    holds most letters). The order is the same: it depends on the two keys alone (a sort on two
    keys is stable)."""
    columns = dict(LETTER_COLUMNS, **(extra or {}))
    if drop_identity:
        columns = {k: v for k, v in columns.items() if k not in IDENTITY_COLUMNS}
    present = [c for c in columns if c in frame.columns]
    keys = frame.loc[:, list(SHEET_ORDER)].set_axis(np.arange(len(frame)))  # labelled by position
    if rows is not None:  # a boolean mask, or row positions (a department's list)
        keys = keys.loc[rows.to_numpy()] if isinstance(rows, pd.Series) else keys.iloc[rows]
    order = keys.sort_values(list(SHEET_ORDER), ascending=[False, True]).index.to_numpy()
    return frame.loc[:, present].iloc[order].rename(columns=columns)


def _today_sheet(letters: pd.DataFrame, as_of, new_days: int) -> pd.DataFrame:
    """The same-day queue (`rank.today_queue`: open letters only; this week's 紧急, then its review
    band, then the earlier ones still open; the same list report.html shows), each row marked with
    which it is (列 今日队列, 收信时段)."""
    from pipeline.rank import TODAY_READS, today_queue

    # the columns the queue reads and the sheet shows: the queue copies every column it is given
    read = [c for c in dict.fromkeys([*LETTER_COLUMNS, *TODAY_READS]) if c in letters.columns]
    queue = today_queue(letters[read], as_of, new_days)
    present = [c for c in LETTER_COLUMNS if c in queue.columns]
    return queue[["today_queue", "received_block"] + present].rename(
        columns=dict(LETTER_COLUMNS, today_queue="今日队列", received_block="收信时段"))


def department_lists(letters: pd.DataFrame, discipline: str) -> dict[str, pd.DataFrame]:
    """待办-<部门>: every open letter (nobody recorded it replied or closed) of each department,
    biggest list first. Route's `confidential` decision is applied here: a confidential letter
    goes to the `discipline` department's list only, and only that list keeps the writers'
    identity; every other list drops `IDENTITY_COLUMNS`."""
    return {name: build() for name, build in _department_list_builders(letters, discipline).items()}


def _department_list_builders(letters: pd.DataFrame, discipline: str) -> dict[str, Callable[[], pd.DataFrame]]:
    """`department_lists`, each list built when called. Only the row positions of each list are
    kept, not a copy of the open letters: a list takes its rows and the columns it shows when built."""
    is_open = ~letters["is_closed"]
    open_rows = np.flatnonzero(is_open.to_numpy())
    confidential = (letters.loc[is_open, "confidential"].fillna(False).astype(bool) if "confidential" in letters
                    else pd.Series(False, index=letters.index[open_rows]))
    queue = letters.loc[is_open, "department"].where(~confidential, discipline)
    # each department's row positions, not groupby.get_group: pandas 3.1 raises KeyError for the only
    # group of a one-department batch (a batch of one letter is a batch)
    positions = pd.Series(open_rows, index=queue.index).groupby(queue).indices
    builders = {}
    for department, rows in sorted(positions.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        builders[f"待办-{department}"[:31]] = partial(_department_list, letters, open_rows[rows], department != discipline)
    return builders


def _department_list(letters: pd.DataFrame, rows, drop_identity: bool) -> pd.DataFrame:
    return _letters_sheet(letters, drop_identity=drop_identity, rows=rows)


def _department_load(letters: pd.DataFrame) -> pd.DataFrame:
    # 无具体诉求: the calls with no request a hotline file leaves with the intake desk (Qingdao: 8,661
    # of its 8,908 calls), so the desk's real letters can be read off as 全部 minus them
    return letters.assign(to_do=~letters["is_closed"], no_request=no_request(letters)).groupby("department").agg(
        待办=("to_do", "sum"), 全部=("letter_id", "size"), 紧急=("urgency", lambda s: int((s == "紧急").sum())),
        积案=("is_backlog", "sum"), 无具体诉求=("no_request", "sum")).sort_values(
        "待办", ascending=False).reset_index().rename(columns={"department": "责任部门"})


def hottest_issues(issues: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The `limit` hottest issues, by heat rank: the issues whose letters 热点问题来信 lists (both
    engines pick them here, so the sheet names the same issues whichever wrote it)."""
    return issues.sort_values("heat_rank", kind="stable").head(limit)


def hot_issue_letters_sheet(letters: pd.DataFrame, issues: pd.DataFrame, limit: int) -> pd.DataFrame:
    """热点问题来信: the letters of the `limit` hottest issues, hottest issue first, each issue's
    letters oldest first, each marked whether it joined by its wording alone (按措辞归入 是/否).

    Why in the workbook: the 热点问题 sheet counts the letters that joined by wording (the ones a
    mixed issue is checked by first), and an analyst who opens only triage.xlsx could not see which
    they were. The writers' identity is dropped, as on a department's list: this is the sheet a
    leader hands to the departments a hot issue concerns."""
    columns = {k: v for k, v in LETTER_COLUMNS.items() if k not in IDENTITY_COLUMNS}
    present = [c for c in columns if c in letters.columns]
    head = ["热度排名", "问题ID", "按措辞归入"]
    if issues.empty or "issue_id" not in letters.columns:
        return pd.DataFrame(columns=head + [columns[c] for c in present])
    top = hottest_issues(issues, limit)
    rank = letters["issue_id"].map(dict(zip(top["issue_id"], top["heat_rank"])))
    keys = pd.DataFrame({"rank": rank.to_numpy(), "at": letters["received_at"].to_numpy()})
    order = keys[keys["rank"].notna()].sort_values(["rank", "at"], kind="stable").index.to_numpy()
    rows = letters.iloc[order]
    worded = rows["issue_by_wording"] if "issue_by_wording" in rows else pd.Series(False, index=rows.index)
    out = rows.loc[:, present].rename(columns=columns)
    out.insert(0, "热度排名", rank.iloc[order].astype(int).to_numpy())
    out.insert(1, "问题ID", rows["issue_id"].to_numpy())
    out.insert(2, "按措辞归入", worded.astype("boolean").fillna(False).map({True: "是", False: "否"}).to_numpy())
    return out.reset_index(drop=True)


def _leader_cases(cases: pd.DataFrame, leader: int) -> pd.DataFrame:
    top = leader_list(cases, leader)
    if "confidential" in top:  # 是/否, as 是否深层次问题 reads: a leader's sheet, not a script's True/False
        top = top.assign(confidential=top["confidential"].map({True: "是", False: "否"}).fillna(""))
    return top.rename(columns={
        "case_priority": "优先分", "matter": "事项", "letters": "信件数", "open_letters": "未办结",
        "first_letter": "首次来信", "last_letter": "最近来信", "urgency": "最高紧急程度", "department": "责任部门",
        "priority_reasons": "理由", "top_letter_id": "代表信件", "title": "标题", "person_id": "信访人编号", "writers": "信访人数",
        "case_id": "案件编号", "confidential": "保密", "purpose": "信访目的"})


CONCENTRATED_COLUMNS = {
    "area": "属地", "matter": "问题", "writers": "信访人数", "letters": "来信数", "open_letters": "未办结",
    "urgent_letters": "紧急", "hot_issues": "含热点问题数", "main_issue": "主要热点问题", "department": "责任部门",
    "first_letter": "首次来信", "last_letter": "最近来信", "peak_month": "来信最多的月份", "top_letter_id": "代表信件",
    "title": "标题"}


def concentrated_sheet(table: pd.DataFrame, limit: int) -> pd.DataFrame:
    """集中问题 (`pipeline.concentrate.concentrations`, or the Spark engine's same table): the first
    `limit` rows, with Chinese headers."""
    return table.head(limit).rename(columns=CONCENTRATED_COLUMNS)


def concentrated_table(letters: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """`concentrate.concentrations` with the config's `[lists] concentrated_min_writers`."""
    from pipeline.concentrate import concentrations

    return concentrations(letters, settings.get("lists", "concentrated_min_writers", 5))


def _repeaters(persons: pd.DataFrame) -> pd.DataFrame:
    from pipeline.write import to_chinese_headers

    # most letters first, then the most recently heard from (persons_table's own order)
    repeaters = persons[persons["letter_count"] > 1].sort_values(
        [c for c in ("letter_count", "last_seen") if c in persons], ascending=False, kind="stable") \
        if "letter_count" in persons else persons
    return to_chinese_headers(repeaters)


def _review_sheet(letters: pd.DataFrame) -> pd.DataFrame:
    if "needs_review" not in letters:
        return _letters_sheet(letters.iloc[0:0], {"issue_top3": "候选分类"})
    # a call with no request has no class anyone needs to check
    rows = letters["needs_review"].fillna(False).astype(bool) & ~no_request(letters)
    return _letters_sheet(letters, {"issue_top3": "候选分类"}, rows=rows)


def triage_sheets(letters: pd.DataFrame, cases: pd.DataFrame, issues: pd.DataFrame, persons: pd.DataFrame,
                  settings: Settings, concentrated: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The workbook a petition office works from (`SHEETS`, then `department_lists`)."""
    builders = triage_sheet_builders(letters, cases, issues, persons, settings, concentrated)
    return {name: build() for name, build in builders.items()}


def triage_sheet_builders(letters: pd.DataFrame, cases: pd.DataFrame, issues: pd.DataFrame, persons: pd.DataFrame,
                          settings: Settings, concentrated: pd.DataFrame | None = None) -> dict[str, Callable[[], pd.DataFrame]]:
    """`triage_sheets`, each sheet built when called: `write_sheets` builds one, writes it and
    drops it before the next, so the workbook holds one sheet's copy of the letters at a time (the
    backlog and the department lists each repeat most letters: at 3x10^4 letters the sheets built
    at once held about 170 MB). `concentrated`: the 集中问题 table when the caller has it (the
    report shows it too), else computed from `letters`."""
    discipline = settings.get("routing", "discipline_department", "纪检监察")
    leader = settings.get("lists", "leader_cases", 20)
    builders: dict[str, Callable[[], pd.DataFrame]] = {
        "今日紧急": partial(_today_sheet, letters, settings.as_of(), settings.get("lists", "today_new_days", 7)),
        "各部门待办": partial(_department_load, letters),
        "领导包案建议": partial(_leader_cases, cases, leader),
        "重复信访人": partial(_repeaters, persons),
        "热点问题": partial(issue_table, issues),
        "热点问题来信": partial(hot_issue_letters_sheet, letters, issues, settings.get("lists", "hot_issue_letters", 30)),
        "集中问题": lambda: concentrated_sheet(concentrated_table(letters, settings) if concentrated is None else concentrated,
                                           settings.get("lists", "concentrated", 30)),
        "积案": lambda: _letters_sheet(letters, rows=letters["is_backlog"]),
        "需人工复核": partial(_review_sheet, letters),
        GUIDE_SHEET: partial(guide_sheet, settings),
    }
    builders.update(_department_list_builders(letters, discipline))
    return builders


def workbook_notes(settings: Settings, concentrated: str | None = None) -> dict:
    """`write_sheets`' notes for the triage workbook: each derived column's meaning on its header
    (`explain.column_notes`), and in view under the last row, on 今日紧急 what the queue misses and
    on 集中问题 how it counts (`concentrated`: `explain.concentrated_caveat`, saying why when empty)."""
    notes = column_notes(settings)
    guide = f"各列的含义: 鼠标停在表头上可见, 全部列在「{GUIDE_SHEET}」表。"
    banners = {"今日紧急": f"{today_caveat()}\n\n{guide}"}
    if concentrated:
        banners["集中问题"] = concentrated
    return {"notes": partial(notes_for, notes=notes), "banners": banners}


def concentrated_note(table: pd.DataFrame, outline: dict, settings: Settings) -> str:
    """`explain.concentrated_caveat` for this run's 集中问题 `table` and its `outline`."""
    return concentrated_caveat(outline, len(table), settings.get("lists", "concentrated_min_writers", 5))


def write_outputs(out_dir: str | Path, letters: pd.DataFrame, cases: pd.DataFrame, issues: pd.DataFrame,
                  persons: pd.DataFrame, rejects: pd.DataFrame, counts: dict, settings: Settings,
                  as_of: date, names=None) -> None:
    """letters.parquet/.csv, triage.xlsx, rejects.csv, report.html — every one masked.

    Names are masked wherever they appear: `names` is the run's one list of full names (every
    name the letters' identity columns hold or their texts introduce, `mask.names_to_mask` over
    all letters; computed here when not given). The other tables are small: each adds its own.
    """
    from pipeline.concentrate import outline
    from pipeline.mask import mask_frame, names_to_mask
    from pipeline.report import build_report
    from pipeline.timing import give_back
    from pipeline.write import atomic_path, text_columns, write_sheets, write_table

    out = Path(out_dir)
    if names is None:
        names = names_to_mask(letters, text_columns(letters))
    names = list(names)

    def scrub(frame: pd.DataFrame) -> pd.DataFrame:
        # every text column, as the other commands' exports (`_inputs.masked_for_export`); id columns are exempt
        columns = text_columns(frame)
        return mask_frame(frame, text_columns=columns, names=names + names_to_mask(frame, columns))

    masked = mask_frame(letters, text_columns=text_columns(letters), names=names)
    cases, issues, persons = scrub(cases), scrub(issues), scrub(persons)
    write_table(masked, out / "letters.parquet")
    give_back()  # each file's buffers (Arrow's for the Parquet) go back before the next file is made
    headers = settings.get("run", "headers", "zh")  # letters.csv, rejects.csv; triage.xlsx is the office's, in Chinese
    write_table(masked, out / "letters.csv", headers=headers)
    write_table(rejects, out / "rejects.csv", headers=headers)
    give_back()
    masked = quoted_evidence(masked)
    concentrated = concentrated_table(masked, settings)
    caveat = concentrated_note(concentrated, outline(masked), settings)
    with atomic_path(out / "triage.xlsx") as temporary:
        write_sheets(triage_sheet_builders(masked, cases, issues, persons, settings, concentrated), temporary,
                     **workbook_notes(settings, caveat))
    give_back()
    report = build_report(masked, cases, issues, persons, counts, as_of, settings.get("backlog", "limit_days", 60),
                          settings.get("lists", "today_new_days", 7), notes=column_notes(settings),
                          concentrated=concentrated, concentrated_note=caveat)
    with atomic_path(out / "report.html") as temporary:
        temporary.write_text(report, encoding="utf-8")
