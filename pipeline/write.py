"""Write files people open: atomically, with Chinese headers, deterministic for the same input.

A half-written triage list is worse than none, so every file goes to a temporary name in the
same folder and is renamed into place. CSV is written as UTF-8 with BOM so that Excel on a
Chinese Windows desktop shows the characters instead of mojibake.
"""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

# snake_case column → the header an office reads. Columns not listed keep their name.
HEADERS_ZH = {
    "letter_id": "信件编号",
    "received_at": "来信时间",
    "title": "标题",
    "text": "内容",
    "writer_id": "用户编号",
    "name": "姓名",
    "id_number": "身份证号",
    "phone": "联系电话",
    "address": "住址",
    "channel": "渠道",
    "label": "原分类",
    "source_file": "来源文件",
    "source_row": "行号",
    "up_votes": "点赞数",
    "down_votes": "反对数",
    "reply_text": "答复意见",
    "replied_at": "答复时间",
    "status": "办理状态",
    "head_count": "人数",
    "ingest_warnings": "导入提示",
    "urgency": "紧急程度",
    "urgency_score": "紧急分值",
    "urgency_cues": "紧急线索",
    "urgency_evidence": "紧急依据",
    "urgency_review": "紧急待复核",
    "issue_type": "问题类型",
    "issue_confidence": "分类置信度",
    "issue_top3": "候选分类",
    "needs_review": "需人工复核",
    "issue_level2_suggestion": "二级分类建议",
    "issue_level3_suggestion": "三级分类建议",
    "issue_level2_score": "二级分类建议分值",
    "issue_level3_score": "三级分类建议分值",
    "department": "责任部门",
    "routing_reason": "分派依据",
    "confidential": "保密(检举控告)",
    "person_id": "信访人编号",
    "person_match_prob": "同人概率",
    "repeat_count": "第几次来信",
    "first_seen": "首次来信",
    "near_duplicate_of": "近似重复于",
    "joint_letter_group": "联名组",
    "issue_id": "问题ID",
    "hot_issue_label": "所属热点问题",
    "deep_seated": "深层次问题",
    "is_closed": "已办结",
    "is_open": "未办结",
    "days_open": "已等待天数",
    "is_backlog": "积案",
    "response_days": "答复用时(天)",
    "priority": "优先分",
    "priority_reasons": "优先理由",
    "column": "列名",
    "reason": "原因",
}


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path next to `path`; on success it replaces `path` in one step."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; outputs are for colleagues too
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def to_chinese_headers(frame: pd.DataFrame, extra: dict[str, str] | None = None) -> pd.DataFrame:
    mapping = dict(HEADERS_ZH, **(extra or {}))
    return frame.rename(columns={c: mapping.get(c, c) for c in frame.columns})


def write_table(frame: pd.DataFrame, path: str | Path, chinese_headers: bool = True, sheet: str = "Sheet1") -> Path:
    """Write CSV, XLSX or Parquet by extension. Parquet keeps the snake_case schema."""
    path = Path(path)
    suffix = path.suffix.lower()
    with atomic_path(path) as temporary:
        if suffix == ".parquet":
            frame.to_parquet(temporary, index=False)
        elif suffix in (".csv", ".tsv"):
            out = to_chinese_headers(frame) if chinese_headers else frame
            out.to_csv(temporary, index=False, encoding="utf-8-sig", sep="\t" if suffix == ".tsv" else ",",
                       date_format="%Y-%m-%d %H:%M:%S")
        elif suffix == ".xlsx":
            out = to_chinese_headers(frame) if chinese_headers else frame
            write_sheets({sheet: out}, temporary)
        else:
            raise ValueError(f"unsupported output type {suffix!r}: use .csv, .xlsx or .parquet")
    return path


def write_sheets(sheets: dict[str, pd.DataFrame], path: str | Path) -> None:
    """Several tables into one workbook; sheet names are cut to Excel's 31 characters."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe = frame.copy()
            for column in safe.columns:
                if pd.api.types.is_datetime64_any_dtype(safe[column]) and getattr(safe[column].dt, "tz", None):
                    safe[column] = safe[column].dt.tz_localize(None)
            safe.to_excel(writer, sheet_name=str(name)[:31] or "Sheet1", index=False)
            sheet = writer.sheets[str(name)[:31] or "Sheet1"]
            for index, column in enumerate(safe.columns, start=1):
                values = safe[column].astype("str").str.len().fillna(0)
                width = min(60, max(6, len(str(column)) * 2, int(values.quantile(0.9)) if len(values) else 0))
                sheet.column_dimensions[_excel_column(index)].width = width
            sheet.freeze_panes = "A2"


def _excel_column(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def write_json(data: dict, path: str | Path) -> Path:
    path = Path(path)
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path
