"""The morning report: one self-contained HTML file a leader opens in any browser, offline.

Charts are inline SVG drawn by matplotlib with glyphs as paths, so the file needs no network,
no JavaScript and no installed Chinese font. Everything shown is masked: the report goes to
people who must not see petitioners' identity.
"""
from __future__ import annotations

import html
from datetime import date

import numpy as np
import pandas as pd

from pipeline.calls import no_request
from pipeline.explain import notes_for, today_caveat
from pipeline.heat import rank_range_text
from pipeline.plots import URGENCY_COLORS, bar_chart, histogram, monthly_chart, to_svg
from pipeline.rank import TODAY_NEW, TODAY_READS, leader_list, today_queue

CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:0;background:#f4f5f7;color:#222}
header{background:#8b1a1a;color:#fff;padding:18px 32px}header h1{margin:0;font-size:24px}
header p{margin:4px 0 0;opacity:.85}main{max-width:1180px;margin:0 auto;padding:16px 24px 48px}
section{background:#fff;border-radius:6px;padding:16px 20px;margin:16px 0;box-shadow:0 1px 2px rgba(0,0,0,.08)}
h2{font-size:18px;margin:0 0 10px;border-left:4px solid #8b1a1a;padding-left:8px}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{flex:1 1 140px;background:#fff;border-radius:6px;padding:12px 16px;
box-shadow:0 1px 2px rgba(0,0,0,.08)}.card b{display:block;font-size:26px}.card span{color:#666;font-size:13px}
.card.red b{color:#c0392b}.card.orange b{color:#d35400}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e3e3e3;padding:5px 6px;
text-align:left;vertical-align:top}th{background:#fafafa}th[title]{text-decoration:underline dotted;cursor:help}
.warn{background:#FFF2CC;border-left:4px solid #d35400;padding:6px 10px;font-size:13px}td.num{text-align:right}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:12px}.chart svg{max-width:100%;height:auto}
.tag{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}
.muted{color:#777;font-size:12px}
"""


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "是" if value else "否"
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:,.1f}" if not value.is_integer() else f"{int(value):,}"
    return html.escape(str(value))


def html_table(frame: pd.DataFrame, columns: dict[str, str], limit: int = 30, shorten: int = 80,
               notes: dict[str, str] | None = None) -> str:
    """`columns` maps frame column → Chinese header; long text is cut to `shorten` characters.
    `notes` ({header: text}, `explain.notes_for`) become the headers' tooltips."""
    if frame is None or frame.empty:
        return '<p class="muted">无</p>'
    present = {k: v for k, v in columns.items() if k in frame.columns}
    notes = notes or {}
    head = "".join(f'<th title="{html.escape(notes[v])}">{html.escape(v)}</th>' if v in notes else f"<th>{html.escape(v)}</th>"
                   for v in present.values())
    rows = []
    for _, row in frame.head(limit).iterrows():
        cells = []
        for column in present:
            value = row[column]
            if column == "urgency" and value in URGENCY_COLORS:
                cells.append(f'<td><span class="tag" style="background:{URGENCY_COLORS[value]}">{value}</span></td>')
                continue
            text = _cell(value)
            if isinstance(value, str) and len(value) > shorten:
                text = html.escape(value[:shorten]) + "…"
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = f'<p class="muted">共 {len(frame):,} 条, 显示前 {limit} 条; 完整清单见 triage.xlsx</p>' if len(frame) > limit else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def _card(label: str, value, kind: str = "") -> str:
    return f'<div class="card {kind}"><b>{_cell(value)}</b><span>{html.escape(label)}</span></div>'


def _section(title: str, body: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{body}</section>"


def _chart(fig) -> str:
    return f'<div class="chart">{to_svg(fig)}</div>'


def build_report(letters: pd.DataFrame, cases: pd.DataFrame, issues: pd.DataFrame | None, persons: pd.DataFrame | None,
                 summary: dict, as_of: date, limit_days: int = 60, today_new_days: int = 7,
                 notes: dict[str, dict[str, str]] | None = None, concentrated: pd.DataFrame | None = None,
                 concentrated_note: str | None = None) -> str:
    """The whole report as one HTML string. `letters` and the other tables must already be masked.
    `notes` (`explain.column_notes`) explain the derived columns on hover, as triage.xlsx's headers do.
    `concentrated`: the 集中问题 table (`concentrate.concentrations`), shown after the hot issues
    under `concentrated_note` (`explain.concentrated_caveat`: how it counts, why it is empty)."""
    notes = notes or {}
    parts = []
    urgency = letters["urgency"] if "urgency" in letters else pd.Series(dtype=str)
    # the review and backlog tables with the columns they show only: a copy of every column of
    # every backlog letter was most of the report's memory at scale
    empty_calls = no_request(letters)
    review = _rows(letters, "needs_review", REVIEW_COLUMNS)
    review = review[~empty_calls.loc[review.index]]  # as triage.xlsx: a call with no request has no class to check
    backlog = _rows(letters, "is_backlog", BACKLOG_COLUMNS)
    repeaters = persons[persons["letter_count"] > 1] if persons is not None and "letter_count" in persons else None
    deep = issues[issues["deep_seated"].fillna(False).astype(bool)] if issues is not None and "deep_seated" in issues else None
    cards = [
        _card("来信总数", len(letters)),
        _card("紧急", int((urgency == "紧急").sum()), "red"),
        _card("较急", int((urgency == "较急").sum()), "orange"),
        _card(f"积案(超{limit_days}天未办结)", len(backlog), "orange"),
        _card("重复信访人", 0 if repeaters is None else len(repeaters)),
        _card("热点问题", 0 if issues is None else len(issues)),
        _card("深层次问题", 0 if deep is None else len(deep)),
        _card("需人工复核", len(review)),
        _card("未能导入(见rejects.csv)", summary.get("rejects", 0)),
    ]
    if empty_calls.any():  # a hotline's calls with no request: kept, but not hot issues nor reviewed
        cards.append(_card("无具体诉求的来电(不计入热点与复核)", int(empty_calls.sum())))
    parts.append(f'<div class="cards">{"".join(cards)}</div>')

    # the same queue as triage.xlsx's 今日紧急: open letters, this week's first (紧急, then the review
    # band marked 待复核:可能紧急), then the earlier ones still open
    # what the queue cannot promise, measured (corpora/urgency/README.md): an empty queue is no all-clear
    caveat = f'<p class="warn">{html.escape(today_caveat())}</p>'  # the workbook's note, in the same yellow
    shown = {"today_queue": "今日队列", "received_block": "收信时段", "letter_id": "信件编号", "received_at": "来信时间",
             "title": "标题", "urgency_cues": "紧急线索", "urgency_evidence": "依据原文", "department": "责任部门",
             "priority_reasons": "优先理由"}
    # the columns the queue reads and the table shows, not a copy of every column of its rows
    queue = today_queue(letters[_present(letters, [*TODAY_READS, *shown])], as_of, today_new_days)
    # the 紧急 card counts every letter; say why the queue holds fewer, so the two numbers agree
    closed = int(((urgency == "紧急") & letters["is_closed"].fillna(False).astype(bool)).sum()) if "is_closed" in letters else 0
    scope = (f'<p>本队列列出未办结的紧急及待复核来信 {len(queue)} 封, 其中近{today_new_days}日新收 '
             f'{int((queue["received_block"] == TODAY_NEW).sum())} 封; 已办结的紧急来信 {closed} 封不列入。</p>')
    parts.append(_section("今日紧急: 需当日处置的来信", scope + caveat + html_table(queue, shown, limit=40,
                                                                           notes=notes_for("今日紧急", notes))))

    charts = []
    if "issue_type" in letters:
        charts.append(_chart(bar_chart(letters["issue_type"].fillna("未分类").value_counts(), "按问题类型")))
    if len(urgency):
        order = [k for k in ("紧急", "较急", "一般") if k in set(urgency)]
        charts.append(_chart(bar_chart(urgency.value_counts().reindex(order), "按紧急程度", colors=URGENCY_COLORS)))
    monthly = letters[["received_at"]].dropna(subset=["received_at"]).set_index("received_at").resample("MS").size()
    if len(monthly) > 1:
        monthly.index = monthly.index.to_period("M")
        charts.append(_chart(monthly_chart(monthly.to_frame("来信量"), "每月来信量")))
    if "department" in letters:
        charts.append(_chart(bar_chart(letters["department"].value_counts().head(15), "各部门待办量")))
    parts.append(_section("来信概况", f'<div class="grid">{"".join(charts)}</div>'))

    if issues is not None and not issues.empty:
        body = html_table(issues.assign(rank_range=rank_range_text(issues)), {
            "heat_rank": "热度排名", "rank_range": "排名区间", "issue_id": "问题ID", "label": "问题", "heat": "热度指数", "n_letters": "信件数",
            "n_writers": "信访人数", "first_date": "最早", "last_date": "最近", "deep_seated": "深层次", "deep_evidence": "依据",
        }, limit=_issues_shown(issues), notes=notes_for("热点问题", notes))
        curves = _monthly_issue_curves(letters, issues)
        note = ('<p class="muted">排名区间: 任一热度权重变动20%时该问题可能的名次; 区间相交的问题热度难分先后, '
                '所以第15名之后区间仍可达前15名的问题也列在表中。</p>')
        parts.append(_section("热点与深层次问题", note + body + curves))

    if concentrated is not None and (concentrated_note or not concentrated.empty):
        note = "".join(f'<p class="muted">{html.escape(line)}</p>' for line in (concentrated_note or "").split("\n\n"))
        table = "" if concentrated.empty else html_table(concentrated, {
            "area": "属地", "matter": "问题", "writers": "信访人数", "letters": "来信数", "open_letters": "未办结",
            "urgent_letters": "紧急", "hot_issues": "含热点问题数", "department": "责任部门", "first_letter": "首次来信",
            "last_letter": "最近来信", "peak_month": "来信最多的月份",
        }, limit=15, notes=notes_for("集中问题", notes))
        parts.append(_section("集中问题(一地多处的同类问题)", note + table))

    listed = leader_list(cases, 15) if not cases.empty else cases
    if not listed.empty:
        parts.append(_section("领导包案建议", html_table(listed, {
            "case_priority": "优先分", "matter": "事项", "writers": "信访人数", "letters": "信件数", "first_letter": "首次来信",
            "last_letter": "最近来信", "urgency": "紧急程度", "department": "责任部门", "priority_reasons": "理由",
        }, limit=15, notes=notes_for("领导包案建议", notes))))

    if repeaters is not None and not repeaters.empty:
        parts.append(_section("重复信访人(已脱敏)", html_table(repeaters.sort_values("letter_count", ascending=False), {
            "person_id": "信访人编号", "name": "姓名", "letter_count": "来信次数", "first_seen": "首次",
            "last_seen": "最近", "issue_types": "问题类型",
        }, limit=15)))

    if "response_days" in letters and letters["response_days"].notna().any():
        delays = letters["response_days"].dropna()
        by_type = ""
        if "issue_type" in letters:
            # the two columns it reads: dropping rows from every column copied each replied letter's
            # texts, twice (at 3x10^4 letters +36 MB, the report's largest step; issue 19)
            replied = letters[["issue_type", "response_days"]].dropna(subset=["response_days"])
            table = replied.groupby("issue_type")["response_days"].agg(["count", "median", "mean"])
            table["over_limit"] = replied.groupby("issue_type")["response_days"].apply(lambda s: (s > limit_days).mean() * 100)
            table = table.sort_values("median", ascending=False).reset_index()
            by_type = html_table(table, {"issue_type": "问题类型", "count": "已答复", "median": "中位天数", "mean": "平均天数",
                                         "over_limit": f"超{limit_days}天占比%"})
        fig = histogram(delays.clip(upper=delays.quantile(0.98)), f"答复用时分布 (中位 {delays.median():.0f} 天)", "天",
                        marker=limit_days, marker_label=f"{limit_days}天时限")
        parts.append(_section("答复时效", _chart(fig) + by_type))

    if len(backlog):
        parts.append(_section("积案", html_table(backlog.sort_values("days_open", ascending=False), BACKLOG_COLUMNS,
                                                 limit=20, notes=notes_for("积案", notes))))

    if len(review):
        parts.append(_section("需人工复核(分类置信度低)", html_table(review, REVIEW_COLUMNS, limit=20, notes=notes_for("需人工复核", notes))))

    head = (f"<header><h1>信访来信分析报告</h1><p>截至 {as_of:%Y-%m-%d} · 共 {len(letters):,} 封来信 · "
            f"个人信息已脱敏</p></header>")
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>信访来信分析报告 {as_of:%Y-%m-%d}</title>'
            f"<style>{CSS}</style></head><body>{head}<main>{''.join(parts)}</main></body></html>")


BACKLOG_COLUMNS = {"letter_id": "信件编号", "received_at": "来信时间", "days_open": "已等待天数", "title": "标题",
                   "department": "责任部门", "priority_reasons": "优先理由"}
REVIEW_COLUMNS = {"letter_id": "信件编号", "title": "标题", "issue_type": "机器分类", "issue_confidence": "置信度",
                  "issue_top3": "候选", "department": "暂定部门"}


def _present(letters: pd.DataFrame, columns) -> list:
    """`columns` that `letters` has, each once, in order."""
    return [c for c in dict.fromkeys(columns) if c in letters.columns]


def _rows(letters: pd.DataFrame, flag: str, columns: dict) -> pd.DataFrame:
    """The letters whose `flag` is set, with only the `columns` a report table shows."""
    if flag not in letters:
        return letters.iloc[0:0]
    shown = letters[[c for c in columns if c in letters.columns]]
    return shown[letters[flag].fillna(False).astype(bool)]


def _issues_shown(issues: pd.DataFrame, top: int = 15) -> int:
    """The top 15 and, after them, every issue whose rank range reaches the top 15: a near-tie at
    the edge is shown beside the issue it ties with, not hidden behind it."""
    if "rank_best" not in issues.columns:
        return top
    return top + int((issues["rank_best"].iloc[top:] <= top).sum())


def _monthly_issue_curves(letters: pd.DataFrame, issues: pd.DataFrame, top: int = 6) -> str:
    if "issue_id" not in letters:
        return ""
    ids = issues.head(top)["issue_id"].tolist()
    labels = dict(zip(issues["issue_id"], issues.get("label", issues["issue_id"])))
    chosen = letters[letters["issue_id"].isin(ids)].dropna(subset=["received_at"])
    if chosen.empty:
        return ""
    table = chosen.groupby([chosen["received_at"].dt.to_period("M"), "issue_id"]).size().unstack(fill_value=0)
    full = pd.period_range(table.index.min(), table.index.max(), freq="M")
    table = table.reindex(full, fill_value=0)[[i for i in ids if i in table.columns]]
    table.columns = [str(labels.get(c, c))[:24] for c in table.columns]
    return _chart(monthly_chart(table, "热点问题每月来信"))
