"""`petition hotspots INPUT... --out DIR`: hot issues (热点问题) and their letters, as analysts know them.

Writes, atomically, into DIR:
- hot_issues.csv / .xlsx: 热度排名, 问题ID, 热度指数, 时间范围, 地点/人群, 问题描述, 是否深层次问题, then the
  evidence (问题标签, 留言数, 留言人数, 点赞数, 反对数, 深层次依据, 代表留言编号) and 主要类别 / 紧急程度分布
  (letters are classified and graded first, unless --no-classify);
- hot_issue_letters.csv / .xlsx: 问题ID, 留言编号, 留言用户 (masked), 留言主题, 留言时间, 留言详情, 点赞数, 反对数;
- hot_issues_monthly.png: letters per month for the hottest issues;
- issue_state.pkl (with --state): the fitted issues, so the next batch keeps the same 问题ID.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from pipeline.commands._inputs import add_headers_argument, add_input_arguments, read_inputs
from pipeline.errors import PetitionError
from pipeline.mask import mask_frame
from pipeline.write import atomic_path, write_table

ISSUE_COLUMNS = ["热度排名", "问题ID", "热度指数", "时间范围", "地点/人群", "问题描述", "是否深层次问题"]
LETTER_COLUMNS = ["问题ID", "留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "点赞数", "反对数"]
# --headers en: the same tables with snake_case names, for scripts
HEADERS_EN = {
    "热度排名": "heat_rank", "问题ID": "issue_id", "热度指数": "heat", "时间范围": "time_range",
    "地点/人群": "place", "问题描述": "description", "是否深层次问题": "deep_seated", "问题标签": "label",
    "留言数": "n_letters", "留言人数": "n_writers", "点赞数": "up_votes", "反对数": "down_votes",
    "深层次依据": "deep_evidence", "代表留言编号": "representative_id", "主要类别": "top_issue_type",
    "紧急程度分布": "urgency_mix", "留言编号": "letter_id", "留言用户": "writer_id", "留言主题": "title",
    "留言时间": "received_at", "留言详情": "text",
}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "hotspots",
        help="cluster letters into specific issues (same place + grievance) and rank them by heat",
        description="热点问题挖掘: group letters about the same concrete problem, rank by a heat index, "
        "flag deep-seated problems, and write hot_issues / hot_issue_letters tables and a monthly plot.",
    )
    add_input_arguments(parser)  # INPUT..., --encoding, --sheet, --map 源列=field, --simplified
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--top", type=int, default=0, help="keep only the N hottest issues (0 = all)")
    parser.add_argument("--plot-top", type=int, default=10, help="issues in the monthly plot (default 10)")
    parser.add_argument("--min-letters", type=int, default=3, help="smallest issue, in letters (default 3)")
    parser.add_argument("--state", help="issue state file: loaded if it exists (ids persist), saved after")
    add_headers_argument(parser)
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG")
    parser.add_argument("--model", metavar="DIR", help="issue-type model for 主要类别 (default: the config's, models/default)")
    parser.add_argument("--config", metavar="FILE", help="settings TOML over corpora/config/default.toml")
    parser.add_argument("--no-classify", action="store_true",
                        help="skip issue type and urgency (主要类别, 紧急程度分布); keep the input's own columns if any")
    parser.set_defaults(func=run)


def mask_writer(value) -> str:
    """A writer id shown only by its ends (A000102948 -> A0****948), so lists can leave the office."""
    if value is None or (isinstance(value, float) and value != value) or pd.isna(value):
        return ""
    text = str(value)
    if len(text) <= 4:
        return text[0] + "*" * (len(text) - 1)
    keep = max(1, len(text) // 4)
    return text[:keep + 1] + "*" * (len(text) - 2 * keep - 1) + text[-keep:]


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
        "问题描述": info["label"].str.split(" · ").str[-1].str.replace(" ", "、") + " (" + info["representative_title"] + ")",
        "是否深层次问题": info["deep_seated"].map({True: "是", False: "否"}),
        "问题标签": info["label"],
        "留言数": info["n_letters"],
        "留言人数": info["n_writers"],
        "点赞数": info["up_votes"].astype(int),
        "反对数": info["down_votes"].astype(int),
        "深层次依据": info["deep_evidence"],
        "代表留言编号": info["representative_id"],
    })
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
    }).reset_index(drop=True)


def _atomic(path: Path, writer) -> None:
    with atomic_path(path) as temporary:
        writer(temporary)


def write_tables(out_dir: Path, issues: pd.DataFrame, letters: pd.DataFrame, headers: str = "zh") -> list[Path]:
    """Both tables as CSV and XLSX through `pipeline.write` (atomic, no live formula)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, frame in (("hot_issues", issues), ("hot_issue_letters", letters)):
        if headers == "en":
            frame = frame.rename(columns=HEADERS_EN)
        for path in (out_dir / f"{stem}.csv", out_dir / f"{stem}.xlsx"):
            written.append(write_table(frame, path, chinese_headers=False))
    return written


def classify_and_grade(letters: pd.DataFrame, args) -> pd.DataFrame:
    """Issue type and urgency per letter (the main job's stages), so each issue shows its top type
    and urgency mix. An input that already has the column keeps it."""
    from pipeline.config import load_settings
    from pipeline.run import PetitionRun

    job = PetitionRun(load_settings(args.config), model=args.model, progress=False)
    if "issue_type" not in letters.columns or letters["issue_type"].isna().all():
        print(f"classifying {len(letters)} letters ...", file=sys.stderr)
        letters = job.classify(letters)
    if "urgency" not in letters.columns or letters["urgency"].isna().all():
        print(f"grading urgency of {len(letters)} letters ...", file=sys.stderr)
        letters = job.grade(letters)
    return letters


def run(args) -> int:
    from pipeline.cluster import IssueClusterer

    result = read_inputs(args)
    letters = result.letters
    if letters.empty:
        raise PetitionError(f"no letters could be read from {', '.join(map(str, args.inputs))}")
    out_dir = Path(args.out)
    if not args.no_classify:
        letters = classify_and_grade(letters, args)
    print(f"clustering {len(letters)} letters ...", file=sys.stderr)
    model = IssueClusterer(min_letters=args.min_letters, progress=True)
    state = Path(args.state) if args.state else None
    if state and state.exists():
        # keep ids: letters fitting an old issue get its id; the rest are clustered afresh
        previous = IssueClusterer.load(state)
        model.fit(letters)
        old_ids = previous.transform_ids(letters)
        model.relabel_from(old_ids, previous)
    else:
        model.fit(letters)
    info = model.get_issue_info()
    if args.top:
        info = info.head(args.top)
    issues = issue_table(info)
    clustered = model.get_issue_letters()
    clustered = clustered[clustered["issue_id"].isin(set(info["issue_id"]))]
    # phones, ID numbers and the writers' names are masked wherever a letter is quoted
    names = letters["name"].dropna().tolist() if "name" in letters.columns else []
    issues = mask_frame(issues, text_columns=("问题描述", "问题标签"), names=names)
    quoted = mask_frame(letter_table(clustered, info), text_columns=("留言主题", "留言详情"), names=names)
    written = write_tables(out_dir, issues, quoted, args.headers)
    if not args.no_plot and len(info):
        import matplotlib.pyplot as plt

        fig = model.visualize_monthly(top_n=args.plot_top)
        png = out_dir / "hot_issues_monthly.png"
        _atomic(png, lambda p: fig.savefig(p, dpi=130, format="png"))
        plt.close(fig)
        written.append(png)
    if state:
        model.save(state)
        written.append(state)
    n_clustered = int(clustered["issue_id"].notna().sum())
    print(f"{len(info)} issues, {n_clustered} of {len(letters)} letters clustered; "
          f"{int(info['deep_seated'].sum()) if len(info) else 0} deep-seated", file=sys.stderr)
    for path in written:
        print(path)
    return 0
