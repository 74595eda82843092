"""Write files people open: atomically, with Chinese headers, deterministic for the same input.

A half-written triage list is worse than none, so every file goes to a temporary name in the
same folder and is renamed into place. CSV is written as UTF-8 with BOM so that Excel on a
Chinese Windows desktop shows the characters instead of mojibake.

No file carries a live formula (CSV/Excel injection, as OWASP describes it): a letter titled
`=HYPERLINK("http://…","点我")` must stay a title. Spreadsheets read a cell that begins with
= + - @ tab or CR as a formula, so `safe_cells` puts a single quote before such text in every CSV
field and header, and workbooks are written with xlsxwriter as text only (no string becomes a
formula, a link or a number) with Excel's quote-prefix on formula-like cells, which shows them as
typed and keeps them text when edited. Parquet is data for pandas and keeps the text as it is.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import numpy as np
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
    "call_type": "来电类别",
    "place_province": "问题属地-省",
    "place_city": "问题属地-市",
    "place_county": "问题属地-区县",
    "place_town": "问题属地-街镇",
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
    "no_request": "无具体诉求",
    "routed_type": "分派所依分类",
    "routed_term": "分派所依细项",
    "routed_term_named": "细项见于原文",
    "purpose": "信访目的",
    "person_id": "信访人编号",
    "place": "属地",
    "area": "属地区县",
    "area_city": "属地市",
    "name_clean": "姓名(识别)",
    "id_clean": "身份证号(识别)",
    "phone_clean": "电话(识别)",
    "addr_province": "住址-省",
    "addr_city": "住址-市",
    "addr_county": "住址-区县",
    "addr_town": "住址-街镇",
    "name_partial": "称呼",
    "name_forms": "姓名写法",
    "phone_count": "电话数",
    "writer_ids": "用户编号",
    "letter_count": "来信数",
    "last_seen": "最近来信",
    "letters_per_month": "月均来信",
    "top_matters": "主要事项",
    "issue_types": "问题类型分布",
    "letter_ids": "信件编号列表",
    "person_match_prob": "同人概率",
    "repeat_count": "第几次来信",
    "first_seen": "首次来信",
    "near_duplicate_of": "近似重复于",
    "joint_letter_group": "联名组",
    "issue_id": "问题ID",
    "hot_issue_label": "所属热点问题",
    "deep_seated": "深层次问题",
    "issue_by_wording": "按措辞归入问题",
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


HEADER_CHOICES = ("zh", "en")
# What a spreadsheet reads as the start of a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def to_chinese_headers(frame: pd.DataFrame, extra: dict[str, str] | None = None) -> pd.DataFrame:
    """Chinese headers; where the source file already has a column of that name (an office's own
    问题类型 beside ours), ours is told apart as 问题类型(issue_type), so no two columns share a name."""
    mapping = dict(HEADERS_ZH, **(extra or {}))
    names = {c: mapping.get(c, c) for c in frame.columns}
    uses = pd.Series(list(names.values())).value_counts()
    return frame.rename(columns={c: f"{n}({c})" if n != c and uses[n] > 1 else n for c, n in names.items()})


def formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value):
    """`=1+1` → `'=1+1`: a spreadsheet shows the text, quote first, and computes nothing."""
    return "'" + value if formula_like(value) else value


def _is_text(values: pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values)


def text_columns(frame: pd.DataFrame) -> list:
    return [c for i, c in enumerate(frame.columns) if _is_text(frame.iloc[:, i])]


def _has_formula(values: pd.Series) -> bool:
    """Whether any cell of a text column is `formula_like`. A string-dtype column holds only text
    and missing cells, so its cells are tested in one Arrow call (`str.startswith`) instead of a
    Python call per cell (0.17 s of the letters' CSV, 40 text columns)."""
    if isinstance(values.dtype, pd.StringDtype):
        return bool(values.str.startswith(FORMULA_STARTS).fillna(False).any())
    return bool(values.map(formula_like).any())


def safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and headers cannot start a formula (for CSV). Columns are taken by
    position: a file may carry two columns of one name. A shallow copy: the columns it changes are
    replaced, never written into (copy-on-write), so the others are shared with `frame`, not
    copied (a deep copy of a run's letters was a second copy of every text at 10^5 letters)."""
    out = frame.copy(deep=False)
    for i in range(out.shape[1]):
        values = out.iloc[:, i]
        if _is_text(values) and _has_formula(values):
            out.isetitem(i, values.astype(object).map(neutralise))
    out.columns = [neutralise(c) for c in out.columns]
    return out


# rows of a CSV made and written at a time (`write_table`)
CSV_ROWS_AT_ONCE = 10_000


def write_table(frame: pd.DataFrame, path: str | Path, chinese_headers: bool = True, sheet: str = "Sheet1",
                headers: str | None = None, notes: dict[str, str] | None = None) -> Path:
    """Write CSV, XLSX or Parquet by extension. Parquet keeps the snake_case schema.

    `headers` "zh" (the default) or "en" names the CSV/XLSX columns; `chinese_headers` is the older
    spelling of the same choice. `notes` ({column: text}) go on an XLSX's header cells.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if headers is not None:
        if headers not in HEADER_CHOICES:
            raise ValueError(f"headers must be one of {HEADER_CHOICES}, not {headers!r}")
        chinese_headers = headers == "zh"
    with atomic_path(path) as temporary:
        if suffix == ".parquet":
            frame.to_parquet(temporary, index=False)
        elif suffix in (".csv", ".tsv"):
            out = to_chinese_headers(frame) if chinese_headers else frame
            # CRLF as RFC 4180 says: a field holding a lone CR is then quoted, not a row break
            options = {"index": False, "sep": "\t" if suffix == ".tsv" else ",", "date_format": "%Y-%m-%d %H:%M:%S",
                       "lineterminator": "\r\n"}
            # CSV_ROWS_AT_ONCE rows at a time, header first (the BOM once, from the encoding): a column
            # that holds a formula-like cell is copied to be neutralised, and a run's text column
            # copied whole was the write stage's peak at 10^5 letters. Every cell is written alone,
            # so the bytes are those of one to_csv over the whole frame.
            with open(temporary, "w", encoding="utf-8-sig", newline="") as handle:
                for start in range(0, max(len(out), 1), CSV_ROWS_AT_ONCE):
                    safe_cells(out.iloc[start:start + CSV_ROWS_AT_ONCE]).to_csv(handle, header=start == 0, **options)
        elif suffix == ".xlsx":
            out = to_chinese_headers(frame) if chinese_headers else frame
            write_sheets({sheet: out}, temporary, notes=(lambda _: notes) if notes else None)
        else:
            raise ValueError(f"unsupported output type {suffix!r}: use .csv, .xlsx or .parquet")
    return path


# Every string is written as a string: never a formula, a hyperlink or a number.
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def write_sheets(sheets: dict, path: str | Path, notes: Callable[[str], dict] | None = None,
                 banners: dict[str, str] | None = None) -> None:
    """Several tables into one workbook; sheet names are cut to Excel's 31 characters. A table
    may be given as a function that makes it (`sheets.triage_sheet_builders`): it is called when
    its sheet's turn comes, and dropped once written.

    `notes(sheet)` gives that sheet's header notes ({column: text}, `explain.notes_for`), written
    as cell comments on the headers; `banners[sheet]` is a note kept in view, drawn just below the
    sheet's last row, where a reader decides the list is complete (`explain.today_caveat`).

    Text is written as text (see the module docstring); a formula-like cell or header gets
    Excel's quote prefix, so it reads as written and stays text if someone edits it.
    Rows are written in order and flushed as they go (xlsxwriter's `constant_memory`): a run's
    department lists hold every open letter, and kept in memory until the workbook closed they
    grew with the batch. The strings are written in each cell instead of a shared table; the
    cells read the same.
    """
    options = dict(XLSX_OPTIONS, constant_memory=True)
    with pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        as_text = writer.book.add_format({"quote_prefix": True})
        used: set[str] = set()
        for name, frame in sheets.items():
            # shallow: a column is replaced (isetitem), never written into, so nothing is copied twice
            safe = (frame() if callable(frame) else frame).copy(deep=False)
            for index in range(safe.shape[1]):  # by position: two columns may share a name
                values = safe.iloc[:, index]
                if pd.api.types.is_datetime64_any_dtype(values) and getattr(values.dt, "tz", None):
                    safe.isetitem(index, values.dt.tz_localize(None))
            sheet_name = _sheet_name(name, used)
            sheet = writer.book.add_worksheet(sheet_name)
            _write_frame(writer.book, sheet, safe, as_text, notes(name) if notes else None, (banners or {}).get(name))
            for index, column in enumerate(safe.columns):
                values = safe.iloc[:, index].astype("str").str.len().fillna(0)
                width = min(60, max(6, len(str(column)) * 2, int(values.quantile(0.9)) if len(values) else 0))
                sheet.set_column(index, index, width)
            sheet.freeze_panes(1, 0)
            del safe  # before the next sheet is built


# pandas' defaults for datetime and date cells (ExcelWriter), kept so the workbook reads the same
DATETIME_FORMAT, DATE_FORMAT = "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD"


# rows converted to Python values at a time: whole columns at once, a bounded copy of them
ROWS_AT_ONCE = 5_000


def _write_frame(book, sheet, frame: pd.DataFrame, as_text=None, notes: dict | None = None,
                 banner: str | None = None) -> None:
    """`frame.to_excel(sheet, index=False)` cell for cell, several times faster, row by row
    (as `constant_memory` needs); formula-like text (in a text column) and headers with the
    `as_text` format (the quote prefix).

    Why not to_excel: for each cell pandas builds a styled cell object and serialises its (empty)
    style to JSON to look the format up; on a run's workbook that was most of the write stage.
    Here the same values reach the same cells, header first, then row by row, converted as pandas
    converts them (missing -> empty, ±inf -> "inf"/"-inf", NumPy scalars -> Python, datetimes
    with pandas' number format, anything else -> str). The common cells take a short cut, to the
    same cell `worksheet.write` would make (its dispatch and `_excel_value` were a third of the
    stage at 3x10^4 letters): a text straight to `write_string` (an empty one is a blank cell
    without a format, which xlsxwriter does not write), a float to `write_number` (NaN: empty),
    a bool to `write_boolean`. Values come `ROWS_AT_ONCE` rows of a column at a time (`tolist`:
    iterating an Arrow-backed column cell by cell cost more than writing it)."""
    if len(frame) + 1 > 1048576 or frame.shape[1] > 16384:  # Excel's limits, as pandas checks them
        raise ValueError(f"this sheet is too large for Excel: {frame.shape}")
    formats: dict[str, object] = {}

    def number_format(fmt):
        if fmt is None:
            return None
        if fmt not in formats:
            formats[fmt] = book.add_format({"num_format": fmt})
        return formats[fmt]

    write, write_string = sheet.write, sheet.write_string
    write_number, write_boolean = sheet.write_number, sheet.write_boolean
    for col, name in enumerate(frame.columns):
        if as_text is not None and formula_like(name):
            write_string(0, col, name, as_text)
            continue
        value, fmt = _excel_value(name)
        write(0, col, value, number_format(fmt))
    _write_notes(sheet, frame, notes or {}, banner)  # on the header row: constant_memory drops a comment on a row already flushed
    quoted = [as_text is not None and _is_text(frame.iloc[:, col]) for col in range(frame.shape[1])]
    for start in range(0, len(frame), ROWS_AT_ONCE):
        part = frame.iloc[start:start + ROWS_AT_ONCE]
        columns = [part.iloc[:, col].tolist() for col in range(part.shape[1])]
        for row, items in enumerate(zip(*columns), start + 1):
            for col, item in enumerate(items):
                kind = type(item)
                if kind is str:  # most cells
                    if not item:
                        continue  # a blank cell without a format: nothing to write
                    write_string(row, col, item, as_text if quoted[col] and item.startswith(FORMULA_STARTS) else None)
                elif kind is float and item == item and item not in _INFINITIES:
                    write_number(row, col, item, None)
                elif kind is float and item != item:
                    continue  # NaN: an empty cell
                elif kind is bool:
                    write_boolean(row, col, item, None)
                elif quoted[col] and formula_like(item):  # a str subclass
                    write_string(row, col, item, as_text)
                else:
                    value, fmt = _excel_value(item)
                    write(row, col, value, number_format(fmt))


_INFINITIES = (float("inf"), float("-inf"))
# a note's box: this wide (pixels), and one line of this height per this many characters
NOTE_WIDTH, NOTE_LINE_PX, NOTE_LINE_CHARS = 360, 18, 24
BANNER_WIDTH, BANNER_LINE_CHARS = 640, 42


def _note_height(text: str, chars_per_line: int) -> int:
    return NOTE_LINE_PX * (len(text) // chars_per_line + 2)


def _write_notes(sheet, frame: pd.DataFrame, notes: dict, banner: str | None) -> None:
    """Header comments for the columns `notes` explains (the first of two same-named columns),
    and `banner` as a comment shown open, anchored on the first header without a note of its own
    (a cell holds one comment) and drawn under the last row, from the third column."""
    noted = set()
    for col, name in enumerate(frame.columns):
        text = notes.get(str(name))
        if text and name not in noted:
            noted.add(name)
            sheet.write_comment(0, col, text, {"width": NOTE_WIDTH, "height": _note_height(text, NOTE_LINE_CHARS)})
    if banner:
        free = [col for col, name in enumerate(frame.columns) if str(name) not in noted]
        anchor = free[0] if free else 0
        text = banner if free else f"{banner}\n\n{notes[str(frame.columns[0])]}"
        sheet.write_comment(0, anchor, text, {
            "visible": True, "start_row": len(frame) + 2, "start_col": min(2, max(frame.shape[1] - 1, 0)),
            "width": BANNER_WIDTH, "height": _note_height(text, BANNER_LINE_CHARS), "color": "#FFF2CC"})


def _excel_value(value):
    """(value, number format) as pandas' ExcelFormatter and ExcelWriter hand a cell to xlsxwriter."""
    import datetime as dt
    from decimal import Decimal

    from pandas.api.types import is_bool, is_float, is_integer, is_scalar

    if is_scalar(value) and pd.isna(value):
        return "", None
    if is_float(value) and np.isinf(value):
        return ("inf" if value > 0 else "-inf"), None
    if getattr(value, "tzinfo", None) is not None:
        raise ValueError("Excel does not support datetimes with timezones")
    if is_integer(value):
        return int(value), None
    if is_float(value):
        return float(value), None
    if is_bool(value):
        return bool(value), None
    if isinstance(value, Decimal):
        return value, None
    if isinstance(value, dt.datetime):
        return value, DATETIME_FORMAT
    if isinstance(value, dt.date):
        return value, DATE_FORMAT
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400, "0"
    return str(value), None


def _sheet_name(name, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique whatever the case."""
    base = re.sub(r"[\[\]:*?/\\]", "_", str(name)).strip("'")[:31] or "Sheet1"
    candidate, k = base, 1
    while candidate.lower() in used:
        k += 1
        candidate = f"{base[:31 - len(str(k)) - 1]}~{k}"
    used.add(candidate.lower())
    return candidate


def write_json(data: dict, path: str | Path) -> Path:
    path = Path(path)
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path
