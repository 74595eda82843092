"""Read letters from whatever files an office has into one letters table, losing none.

Every source row ends up either in `IngestResult.letters` or in `IngestResult.rejects` with
the file, row and column that made it unusable, so `rows read = letters + rejects` always.

What is rejected and what is kept (the rule: reject only what no later stage could use):
- a file that cannot be opened or parsed: one reject row for the file (its rows are unknown);
- a file with no text column (no alias matched and no `--map`): every row rejected;
- a malformed row (wrong number of fields, invalid JSON line): rejected;
- a row whose title and text are both empty: rejected (nothing to analyse);
- an unparseable date, a duplicate id: the letter is KEPT, the field left empty (or the id
  suffixed), and the problem recorded in `ingest_warnings` and `IngestResult.warnings`.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from pipeline.errors import PetitionError
from pipeline.mask import mask_loose_cell, mask_text
from pipeline.normalise import clean_text, to_simplified

# Canonical fields of the letters table, in output order.
LETTER_FIELDS = [
    "letter_id", "received_at", "title", "text", "writer_id", "name", "id_number", "phone",
    "address", "channel", "label", "source_file", "source_row",
]
# Fields taken when a source has them.
OPTIONAL_FIELDS = ["up_votes", "down_votes", "reply_text", "replied_at", "status", "head_count",
                   "place_province", "place_city", "place_county", "place_town", "call_type"]
# Where the problem is, as the office's own columns say (a hotline's 被反映区/被反映街乡镇, a board's
# province/city/county): routing's 属地 starts from them. Not the writer's address, so not masked.
PLACE_FIELDS = ("place_province", "place_city", "place_county", "place_town")
DATE_FIELDS = ("received_at", "replied_at")
COUNT_FIELDS = ("up_votes", "down_votes", "head_count")
TEXT_FIELDS = ("title", "text", "reply_text", "address", *PLACE_FIELDS)

# Source column names (after stripping spaces and NFKC) → canonical field.
ALIASES: dict[str, str] = {}
for _field, _names in {
    "letter_id": "留言编号 信件编号 来信编号 编号 工单编号 工单号 信访编号 信访件编号 信访件号 登记编号 案件编号 事件编号 件号 留言ID 工单ID 信件ID 受理编号 流水号 id letter_id replyID",
    "received_at": "留言时间 来信日期 来信时间 受理时间 信访日期 登记日期 登记时间 来电时间 提交时间 日期 时间 留言日期 投诉日期 投诉时间 来电日期 受理日期 反映时间 发布时间 上报时间 上报日期 发现时间 date received_at replyDate",
    "title": "留言主题 标题 主题 诉求标题 信件标题 事项标题 留言标题 工单标题 投诉标题 来信标题 问题标题 title subject",
    "text": "留言详情 主要内容 投诉件内容 来信内容 信件内容 诉求内容 反映内容 内容 详情 正文 问题描述 留言内容 工单内容 投诉内容 来电内容 事项内容 诉求描述 事件描述 信访内容 信访事项内容 来访事由 来访内容 问题内容 text content body replyContentMain replyContent",
    "writer_id": "留言用户 用户id 用户编号 writer_id user_id",
    "name": "来信人 姓名 信访人 信访人姓名 诉求人 来电人 投诉人 反映人 联系人 name",
    "id_number": "身份证号 身份证号码 身份证 证件号码 证件号 id_number",
    "phone": "联系电话 电话 手机 手机号 手机号码 联系方式 来电号码 来电人电话 来电人电话/账号 phone mobile",
    "address": "住址 地址 家庭住址 诉求地址 联系地址 通讯地址 address",
    "channel": "信访形式 来源 渠道 来信渠道 信访渠道 受理渠道 channel",
    "label": "一级分类 分类 类别 问题分类 内容分类 诉求类型 事项类别 问题类别 诉求类别 投诉类别 事件类型 label category",
    "up_votes": "点赞数 支持数 up_votes",
    "down_votes": "反对数 down_votes",
    "reply_text": "答复意见 回复内容 答复内容 办理结果 reply_text handleContent",
    "replied_at": "答复时间 答复日期 回复时间 办结时间 办结日期 replied_at handleTime",
    "status": "办理状态 状态 处理状态 处置状态 工单状态 status stateInfo",
    "head_count": "人数 信访人数 head_count",
    "call_type": "来电类别 来电类型 来电性质 工单类别 call_type",
    "place_province": "问题属地省 事发省份 省份 所在省 province",
    "place_city": "问题属地市 事发城市 城市 所在市 所在城市 所属市 所属城市 所属地市 地市 city",
    "place_county": "被反映区 被反映区县 问题属地区县 事发区县 所属区县 所在区 所在区县 所属区 区县 地区 所属地区 区域 所属区域 county",
    "place_town": "被反映街乡镇 被反映街道 问题属地街镇 事发街道 所属街道 所属街镇 所属乡镇 所属镇街 所在街道 所在乡镇 所在街镇 街道 乡镇 乡镇街道",
}.items():
    for _name in _names.split():
        ALIASES[_name.lower()] = _field

# A new office's own headers that no alias names (投诉标题, 来电内容, 来电日期时间, messageBody): a
# column whose header holds one of these words is read as the letter's title, text or date when
# neither an alias nor --map gave that field a column, and when its values agree (a title: 4-60
# characters on average; text: 15+, most with Chinese, the longest such column; a date: 8 in 10
# parse). Without it such a file was read by its title alone, or
# undated, and nothing said so. Columns about the answer are never the letter or its date.
_GUESS_WORDS = {
    "title": ("标题", "主题", "题目", "title", "subject"),
    "text": ("内容", "详情", "正文", "描述", "诉求", "反映", "问题", "情况", "事项", "留言", "来信", "来电", "投诉", "信件",
             "content", "body", "message", "text", "detail", "description"),
    "received_at": ("日期", "时间", "date", "time"),
}
_ANSWER_WORDS = ("答复", "回复", "办理", "处理", "办结", "反馈", "结果", "备注", "意见", "转办", "派单", "时限", "截止",
                 "handle", "reply", "answer", "result", "remark", "note", "response", "deadline")
_GUESS_SAMPLE = 200
_GUESSED_AS = {"title": "title", "text": "text", "received_at": "date"}
_HAN = re.compile("[\u4e00-\u9fff]")

# Where a file carries no channel column, its header family says where it came from.
_CHANNEL_BY_HEADER = (("留言详情", "网上留言"), ("投诉件内容", "12345热线"), ("工单编号", "12345热线"))

READABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".jsonl", ".ndjson", ".json", ".parquet"}
STRING_FIELDS = [
    "letter_id", "title", "text", "writer_id", "name", "id_number", "phone", "address", "channel",
    "label", "source_file", "reply_text", "status", "ingest_warnings",
]
REJECT_COLUMNS = ["source_file", "source_row", "column", "reason"]


@dataclass
class IngestResult:
    """Letters that can be analysed, rows that cannot (with why), and kept-but-flagged problems."""

    letters: pd.DataFrame
    rejects: pd.DataFrame
    warnings: pd.DataFrame
    rows_read: int = 0
    files: list[dict] = field(default_factory=list)

    def problem_lines(self, limit: int = 20) -> list[str]:
        """One line per file, column and reason with the rows concerned (ranges, not 500 lines)."""
        groups: dict[tuple, list[int]] = {}
        for kind, frame in (("rejected", self.rejects), ("kept", self.warnings)):
            for row in frame.itertuples():
                key = (kind, str(row.source_file), _text(row.column), str(row.reason))
                groups.setdefault(key, [])
                if _text(row.source_row):
                    groups[key].append(int(row.source_row))
        lines = []
        for shown, ((kind, source, column, reason), rows) in enumerate(groups.items()):
            if shown == limit:
                lines.append(f"  ... and {len(groups) - shown} more (see rejects.csv and the ingest_warnings column)")
                break
            where = source + (f", {_ranges(rows)}" if rows else "") + (f", column {column}" if column else "")
            lines.append(f"  {kind}: {where}: {reason}")
        return lines

    def summary(self) -> dict:
        dates = self.letters["received_at"].dropna() if len(self.letters) else pd.Series(dtype="datetime64[ns]")
        return {
            "files": len(self.files),
            "rows_read": self.rows_read,
            "letters": len(self.letters),
            "rejects": len(self.rejects),
            "warnings": len(self.warnings),
            "first_date": None if dates.empty else str(dates.min()),
            "last_date": None if dates.empty else str(dates.max()),
        }


def _text(value) -> str:
    return "" if value is None or value != value else str(value)


def _ranges(rows: list[int]) -> str:
    rows = sorted(rows)
    spans, start, end = [], rows[0], rows[0]
    for row in rows[1:]:
        if row == end + 1:
            end = row
            continue
        spans.append((start, end))
        start = end = row
    spans.append((start, end))
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans[:6]) + (" ..." if len(spans) > 6 else "")
    return ("row " if len(rows) == 1 else f"rows ({len(rows)}) ") + text


# --------------------------------------------------------------------------- dates

_DATE_RE = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]*(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*分?(?:\s*:?\s*(\d{1,2})(?:\.\d+)?\s*秒?)?)?"
    # a system export's ISO time zone (Z, +08:00): the wall time is kept as written
    r"(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?\s*$"
)
# 20240110, and a system's 202401102142 / 20240110214256
_COMPACT_DATE_RE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?\s*$")
_EXCEL_EPOCH = datetime(1899, 12, 30)


def parse_date(value: object) -> datetime | None:
    """Parse the date formats real petition files mix; None when it cannot be read.

    Handles `2019/3/7 18:32:24`, `2019-12-20 14:06:19`, `2019年3月7日`, `2019.03.07`, `20190307`,
    datetimes from spreadsheets and Excel serial day numbers.
    """
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, datetime):
        return value
    if isinstance(value, (int, float)):
        if value != value:
            return None
        if 20000 <= value <= 80000:  # Excel serial day number (1954..2119)
            return _EXCEL_EPOCH + timedelta(days=float(value))
        value = str(int(value)) if float(value).is_integer() else str(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if match:
        parts = [int(p) if p else 0 for p in match.groups()] + [0] * (6 - len(match.groups()))
        try:
            return datetime(*parts[:6])
        except ValueError:
            return None
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return parse_date(float(text))
    return None


# --------------------------------------------------------------------------- files


def expand_inputs(paths: list[str | Path]) -> list[Path]:
    """Files named, plus readable files inside folders named (recursively, in a stable order)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in READABLE_SUFFIXES and not p.name.startswith((".", "~$"))
            )
        elif path.exists():
            found.append(path)
        else:
            raise PetitionError(f"input not found: {path}")
    if not found:
        raise PetitionError(f"no letter files (csv, tsv, xlsx, jsonl, parquet) found in: {', '.join(map(str, paths))}")
    return found


def detect_encoding(data: bytes, hint: str | None = None) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK), then a detector's guess."""
    if hint:
        return hint
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise PetitionError("cannot tell the text encoding; pass --encoding (e.g. gb18030 or utf-8)")
    return best.encoding


@dataclass
class _Table:
    """Raw rows of one sheet or file before mapping: header, rows and their row numbers."""

    name: str
    header: list[str]
    rows: list[list[object]]
    row_numbers: list[int]
    bad_rows: list[tuple[int, str]]  # (row number, reason) for rows that could not be split
    header_row: int | None = None  # the row the header was read from (csv, xlsx); a letter if the file has none


def _read_delimited(path: Path, encoding: str | None) -> list[_Table]:
    data = path.read_bytes()
    enc = detect_encoding(data, encoding)
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as error:
        raise PetitionError(f"cannot decode with encoding {enc!r} ({error}); pass --encoding") from None
    text = text.lstrip("\ufeff")
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    else:
        first_line = text.split("\n", 1)[0]
        if not any(d in first_line for d in ",\t;|"):  # a title line above the header: look further
            first_line = max(text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS],
                             key=lambda line: max(line.count(d) for d in ",\t;|"))
        delimiter = max([",", "\t", ";", "|"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # Rows are numbered as a spreadsheet shows them (the first non-blank record = row 1), not by
    # physical line: quoted cells in real exports carry newlines, so one record can span several lines.
    records = [(number, record) for number, record in enumerate(reader, start=1) if any(cell.strip() for cell in record)]
    if not records:
        raise PetitionError("the file is empty (no header row)")
    first = records[0][0]
    at = header_index([record for _, record in records[:HEADER_SEARCH_ROWS]])
    header = records[at][1]
    header_row = records[at][0] - first + 1
    rows, numbers = [], []
    bad = [(number - first + 1, above_header(header_row)) for number, _ in records[:at]]
    for number, record in records[at + 1:]:
        if len(record) != len(header):
            bad.append((number - first + 1, f"malformed row: expected {len(header)} fields, found {len(record)}"))
            continue
        rows.append(record)
        numbers.append(number - first + 1)
    return [_Table(path.name, header, rows, numbers, bad, header_row=header_row)]


def _read_excel(path: Path, sheet: str | None) -> list[_Table]:
    try:
        sheets = pd.read_excel(path, sheet_name=sheet if sheet else None, dtype=object, header=None)
    except ValueError as error:
        if sheet:
            raise PetitionError(f"no sheet named {sheet!r} ({error})") from None
        raise
    if isinstance(sheets, pd.DataFrame):
        sheets = {sheet: sheets}
    tables = []
    for name, frame in sheets.items():
        frame = frame.dropna(how="all")
        if frame.empty:
            continue
        cells = lambda i: [("" if pd.isna(v) else str(v)) for v in frame.iloc[i].tolist()]  # noqa: E731
        at = header_index([cells(i) for i in range(min(HEADER_SEARCH_ROWS, len(frame)))])
        header = cells(at)
        body = frame.iloc[at + 1:]
        rows = [[None if (isinstance(v, float) and v != v) else v for v in row] for row in body.itertuples(index=False)]
        numbers = [int(i) + 1 for i in body.index]  # Excel row numbers
        header_row = int(frame.index[at]) + 1
        above = [(int(i) + 1, above_header(header_row)) for i in frame.index[:at]]
        tables.append(_Table(f"{path.name}#{name}", header, rows, numbers, above, header_row=header_row))
    return tables


# Offices' exports often open with a sheet title or a note ("A市12345热线工单明细表", "导出时间: …")
# above the column names: the header is looked for in the first rows.
HEADER_SEARCH_ROWS = 10


def header_index(candidates: list[list[str]]) -> int:
    """Which of a table's first rows is its header: the first row when an alias names its title or
    text column; else the first that names a title or text column (by an alias, or by a header word
    `guess_columns` reads) and one more column, which a sheet title (one cell) never does; the first
    row when none does (it is then the header as before, and `_map_table` says what is missing)."""
    for index, cells in enumerate(candidates):
        names = [str(c) for c in cells]
        mapping = map_columns(names)
        fields = set(mapping.values())
        # a column named for the letter (an alias, or a header word `guess_columns` reads: 来电内容)
        worded = [i for i, n in enumerate(names) if i not in mapping and _guessable(n)]
        named = bool(fields & {"title", "text"})
        if index == 0 and named:
            return 0
        if (named or worded) and len(fields) + len(worded) >= 2:  # a title line is one cell
            return index
    return 0


def _worded(key: str, fld: str) -> bool:
    """Does a header (`_header_key`) hold a word for `fld` and none for an answer?"""
    return any(w in key for w in _GUESS_WORDS[fld]) and not any(w in key for w in _ANSWER_WORDS)


def _guessable(name: str) -> bool:
    """Could `guess_columns` take this header (short, as headers are) for the title or text?"""
    key = _header_key(name)
    return 0 < len(key) <= 20 and (_worded(key, "title") or _worded(key, "text"))


def above_header(header_row: int) -> str:
    return f"above the header row (row {header_row}): a sheet title or note, not a letter"


def _read_jsonl(path: Path, encoding: str | None) -> list[_Table]:
    data = path.read_bytes()
    text = data.decode(detect_encoding(data, encoding)).lstrip("\ufeff")
    if path.suffix.lower() == ".json" and text.lstrip().startswith("["):
        records = [(i + 1, r) for i, r in enumerate(json.loads(text))]
        bad = []
    else:
        records, bad = [], []
        # JSON Lines end at "\n" only: str.splitlines() would also cut a record at a U+2028, U+0085
        # or other separator that json.dumps leaves unescaped inside a string, and lose the letter
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                bad.append((number, f"malformed JSON line: {error.msg}"))
                continue
            if not isinstance(record, dict):
                bad.append((number, "malformed JSON line: not an object"))
                continue
            records.append((number, record))
    header: list[str] = []
    for _, record in records:
        header.extend(k for k in record if k not in header)
    rows = [[record.get(k) for k in header] for _, record in records]
    return [_Table(path.name, header, rows, [n for n, _ in records], bad)]


def _read_parquet(path: Path) -> list[_Table]:
    frame = pd.read_parquet(path)
    rows = [list(r) for r in frame.astype(object).where(frame.notna(), None).itertuples(index=False)]
    return [_Table(path.name, [str(c) for c in frame.columns], rows, list(range(1, len(frame) + 1)), [])]


def _read_tables(path: Path, encoding: str | None, sheet: str | None) -> list[_Table]:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_delimited(path, encoding)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return _read_excel(path, sheet)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return _read_jsonl(path, encoding)
    if suffix == ".parquet":
        return _read_parquet(path)
    raise PetitionError(f"unsupported file type {suffix!r} (use csv, tsv, xlsx, jsonl or parquet)")


# --------------------------------------------------------------------------- mapping


def _header_key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name))).lower()


def map_columns(header: list[str], column_map: dict[str, str] | None = None) -> dict[int, str]:
    """Column position → canonical field, from `--map` first, then built-in aliases (first wins)."""
    user = {_header_key(k): v for k, v in (column_map or {}).items()}
    unknown = set(user.values()) - set(LETTER_FIELDS) - set(OPTIONAL_FIELDS)
    if unknown:
        raise PetitionError(
            f"--map names unknown field(s) {sorted(unknown)}; fields are: {', '.join(LETTER_FIELDS[:11] + OPTIONAL_FIELDS)}"
        )
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for source in (user, ALIASES):
        for position, name in enumerate(header):
            target = source.get(_header_key(name))
            if target and position not in mapping and target not in taken:
                mapping[position] = target
                taken.add(target)
    return mapping


def guess_columns(header: list[str], rows: list[list[object]], mapping: dict[int, str]) -> dict[int, str]:
    """Columns for the letter's text and date that `map_columns` left unnamed, guessed from header
    words and checked against the first rows' values (`_GUESS_WORDS`); {position: field}."""
    taken = set(mapping.values())
    sample = rows[:_GUESS_SAMPLE]
    guessed: dict[int, str] = {}

    def values(position: int) -> list[object]:
        cells = (row[position] if position < len(row) else None for row in sample)
        return [c for c in cells if c is not None and str(c).strip()]

    for fld in _GUESS_WORDS:
        if fld in taken:
            continue
        candidates = []
        for position, name in enumerate(header):
            if position in mapping or position in guessed or not _worded(_header_key(name), fld):
                continue
            cells = values(position)
            if not cells:
                continue
            if fld == "title":
                mean = sum(len(str(c)) for c in cells) / len(cells)
                if 4 <= mean <= 60:
                    candidates.append((position, position))
            elif fld == "text":
                texts = [str(c) for c in cells]
                mean = sum(map(len, texts)) / len(texts)
                han = sum(bool(_HAN.search(t)) for t in texts) / len(texts)
                if mean >= 15 and han >= 0.5:
                    candidates.append((-mean, position))
            elif sum(parse_date(c) is not None for c in cells) >= 0.8 * len(cells):
                candidates.append((position, position))
        if candidates:
            guessed[min(candidates)[1]] = fld
    return guessed


def parse_column_map(pairs: list[str] | None) -> dict[str, str]:
    """`["源列=field", ...]` from the command line → dict."""
    result = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise PetitionError(f"--map expects 源列=field, got {pair!r}")
        source, target = pair.split("=", 1)
        result[source.strip()] = target.strip()
    return result


def _as_id(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value)
    return text or None


def _as_count(value: object) -> float | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    match = re.search(r"\d+", unicodedata.normalize("NFKC", str(value)))
    return float(match.group()) if match else None


_HASH_ID = re.compile(r"H[0-9a-f]{12}")


def content_hash(title: str, text: str, received_at: datetime | None, name: str | None) -> str:
    """A stable id for letters that came without one: the same letter gets the same id on reruns."""
    key = "\x1f".join([title, text, received_at.isoformat() if received_at else "", name or ""])
    return "H" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


# --------------------------------------------------------------------------- main entry


def read_letters(
    paths: list[str | Path] | str | Path,
    encoding: str | None = None,
    sheet: str | None = None,
    column_map: dict[str, str] | None = None,
    simplify: bool = False,
    progress: bool = False,
) -> IngestResult:
    """Read, map, clean and validate letters from files or folders.

    `simplify` folds Traditional characters to Simplified in title and text (names are
    left as written; identity matching folds them itself).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = expand_inputs(list(paths))
    records: list[dict] = []
    rejects: list[dict] = []
    warnings: list[dict] = []
    file_info: list[dict] = []
    rows_read = 0
    iterator = files
    if progress:
        from tqdm import tqdm

        iterator = tqdm(files, desc="reading", unit="file", disable=len(files) < 2)
    for path in iterator:
        try:
            tables = _read_tables(path, encoding, sheet)
        except PetitionError as error:
            rejects.append({"source_file": str(path), "source_row": None, "column": None, "reason": f"unreadable file: {error}"})
            file_info.append({"file": str(path), "rows": None, "letters": 0, "rejects": 1, "error": str(error)})
            continue
        except Exception as error:  # noqa: BLE001 - a corrupt file must not stop the batch
            reason = f"unreadable file: {type(error).__name__}: {error}"
            rejects.append({"source_file": str(path), "source_row": None, "column": None, "reason": reason})
            file_info.append({"file": str(path), "rows": None, "letters": 0, "rejects": 1, "error": reason})
            continue
        for table in tables:
            before_letters, before_rejects = len(records), len(rejects)
            source = str(path) if "#" not in table.name else f"{path}#{table.name.split('#', 1)[1]}"
            mapping = map_columns(table.header, column_map)
            guessed = guess_columns(table.header, table.rows, mapping)
            rows = _map_table(table, source, {**mapping, **guessed}, guessed, simplify, records, rejects, warnings)
            rows_read += rows
            file_info.append({
                "file": source,
                "rows": rows,
                "letters": len(records) - before_letters,
                "rejects": len(rejects) - before_rejects,
                "columns_mapped": table.name and _describe_mapping(table.header, mapping, guessed),
            })
    letters = _to_frame(records)
    _dedupe_ids(letters, warnings)
    return IngestResult(
        letters=letters,
        rejects=pd.DataFrame(rejects, columns=REJECT_COLUMNS),
        warnings=pd.DataFrame(warnings, columns=REJECT_COLUMNS),
        rows_read=rows_read,
        files=file_info,
    )


def _describe_mapping(header: list[str], mapping: dict[int, str], guessed: dict[int, str]) -> dict[str, str]:
    shown = {**mapping, **{i: f"{f} (guessed)" for i, f in guessed.items()}}
    return {header[i]: f for i, f in sorted(shown.items())}


def _shown_header(header: list) -> list[str]:
    """Header cells fit to quote in a message. A file without a header row has a letter there
    (a name, a phone, the text): known column names are shown as they are, short cells masked
    (`mask_loose_cell`), long ones only counted."""
    shown = []
    for cell in header:
        text = str(cell).strip()
        if not text:
            continue
        if _header_key(text) in ALIASES:
            shown.append(text)
        elif len(text) > 12:
            shown.append(f"<{len(text)} characters>")
        else:
            shown.append(mask_loose_cell(text))
    return shown[:12]


def _map_table(table, source, mapping, guessed, simplify, records, rejects, warnings) -> int:
    """Map one table's rows into `records` (letters) and `rejects` by `mapping` (position -> field,
    the `guessed` ones among them); returns how many rows it read."""
    rows_read = len(table.rows) + len(table.bad_rows)
    for position, fld in guessed.items():
        warnings.append({"source_file": source, "source_row": None, "column": table.header[position],
                         "reason": f"read as the letters' {_GUESSED_AS[fld]}: no known column name says so; "
                                   f"if it is not, name the right column with --map 列名={fld}"})
    by_field = {f: i for i, f in mapping.items()}
    for number, reason in table.bad_rows:
        rejects.append({"source_file": source, "source_row": number, "column": None, "reason": reason})
    if "text" not in by_field and "title" not in by_field:
        reason = (
            "missing text column: none of the columns "
            f"{_shown_header(table.header)} is a known letter-text column; "
            "name it with --map 列名=text, or add a header row if the file has none"
        )
        if table.header_row is not None and not mapping:
            # a first row that names no known column may be no header but a letter: keep it as a reject
            rows_read += 1
            rejects.append({"source_file": source, "source_row": table.header_row, "column": None,
                            "reason": "missing text column: this row was read as the header row; "
                                      "if the file has none, it is a letter: add a header row"})
        for number in table.row_numbers:
            rejects.append({"source_file": source, "source_row": number, "column": None, "reason": reason})
        return rows_read
    extra = [(i, h) for i, h in enumerate(table.header) if i not in mapping and str(h).strip()]
    default_channel = next((c for col, c in _CHANNEL_BY_HEADER if col in table.header), None)
    text_col = table.header[by_field.get("text", by_field.get("title"))]
    for row, number in zip(table.rows, table.row_numbers):
        record = {"source_file": source, "source_row": number, "ingest_warnings": None}
        notes = []
        for fld, position in by_field.items():
            value = row[position] if position < len(row) else None
            if fld in DATE_FIELDS:
                parsed = parse_date(value)
                if parsed is None and value is not None and str(value).strip():
                    shown = mask_text(str(value)[:30])  # a shifted column can put a phone here: never log it
                    notes.append(f"{table.header[position]}: cannot parse date {shown!r}, left empty")
                    warnings.append({"source_file": source, "source_row": number, "column": table.header[position],
                                     "reason": f"cannot parse date {shown!r}; letter kept with empty {fld}"})
                record[fld] = parsed
            elif fld in COUNT_FIELDS:
                record[fld] = _as_count(value)
            elif fld in TEXT_FIELDS:
                record[fld] = clean_text(value) or None
            else:
                record[fld] = _as_id(value)
        title, text = record.get("title") or "", record.get("text") or ""
        if not title and not text:
            rejects.append({"source_file": source, "source_row": number, "column": text_col,
                            "reason": "empty text: the letter has no title and no content"})
            continue
        if simplify:
            record["title"] = to_simplified(title) or None
            record["text"] = to_simplified(text) or None
        if not record.get("channel"):
            record["channel"] = default_channel
        if not record.get("letter_id"):
            record["letter_id"] = content_hash(title, text, record.get("received_at"), record.get("name"))
        for position, header in extra:
            value = row[position] if position < len(row) else None
            record[header] = None if value is None else (value if isinstance(value, (int, float, datetime)) else str(value))
        record["ingest_warnings"] = "; ".join(notes) or None
        records.append(record)
    return rows_read


def _to_frame(records: list[dict]) -> pd.DataFrame:
    columns = list(LETTER_FIELDS) + ["ingest_warnings"]
    seen = set(columns)
    for record in records:
        for key in record:
            if key not in seen:
                seen.add(key)
                columns.append(key)
    frame = pd.DataFrame.from_records(records, columns=columns)
    for fld in DATE_FIELDS:
        if fld in frame:
            frame[fld] = pd.to_datetime(frame[fld], errors="coerce")
    frame["received_at"] = pd.to_datetime(frame["received_at"], errors="coerce")
    for fld in COUNT_FIELDS:
        if fld in frame:
            frame[fld] = pd.to_numeric(frame[fld], errors="coerce")
    frame["source_row"] = frame["source_row"].astype("Int64")
    for column in frame.columns:
        if frame[column].dtype == object and column not in DATE_FIELDS:
            # mixed extra columns (numbers and text) must still write to parquet
            values = frame[column]
            if values.map(lambda v: isinstance(v, (datetime, pd.Timestamp))).any():
                frame[column] = pd.to_datetime(values, errors="coerce")
            else:
                frame[column] = values.map(lambda v: None if v is None or (isinstance(v, float) and v != v) else str(v))
    for column in STRING_FIELDS:
        if column in frame:
            frame[column] = frame[column].astype("str")
    ordered = [c for c in LETTER_FIELDS + OPTIONAL_FIELDS if c in frame.columns]
    rest = [c for c in frame.columns if c not in ordered and c != "ingest_warnings"]
    return frame[ordered + rest + ["ingest_warnings"]].reset_index(drop=True)


def _dedupe_ids(letters: pd.DataFrame, warnings: list[dict]) -> None:
    """Make `letter_id` unique: a repeated id gets `@<file>` (other file) or `-2`, `-3` (same file)."""
    if letters.empty:
        return
    duplicated = letters["letter_id"].duplicated(keep="first")
    if not duplicated.any():
        return
    first_file = letters.drop_duplicates("letter_id").set_index("letter_id")["source_file"]
    used = set(letters["letter_id"])
    for index in letters.index[duplicated]:
        original = letters.at[index, "letter_id"]
        source = letters.at[index, "source_file"]
        if source != first_file[original]:
            candidate = f"{original}@{Path(source.split('#')[0]).stem}"
        else:
            candidate = original
        suffix = 2
        base = candidate
        while candidate in used:
            candidate = f"{base}-{suffix}"
            suffix += 1
        used.add(candidate)
        letters.at[index, "letter_id"] = candidate
        if _HASH_ID.fullmatch(original):
            note = f"same title, text, date and name as an earlier letter (a resubmission?); id {candidate!r}"
        else:
            note = f"duplicate id {original!r}, renamed {candidate!r}"
        previous = letters.at[index, "ingest_warnings"]
        letters.at[index, "ingest_warnings"] = f"{previous}; {note}" if previous else note
        warnings.append({"source_file": source, "source_row": letters.at[index, "source_row"], "column": "letter_id", "reason": note})
