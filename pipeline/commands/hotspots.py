"""`petition hotspots INPUT... --out DIR`: hot issues (热点问题) and their letters, as analysts know them.

The letters are read, classified and graded (the run's classify and grade stages, unless
--no-classify), then clustered into issues with the cluster stage's settings (`[cluster]` and
`[heat]` of the config, --config FILE over the shipped defaults; --min-letters overrides
`[cluster] min_letters`). The tables are the write stage's (`pipeline.sheets`). Writes,
atomically, into DIR:
- hot_issues.csv / .xlsx: 热度排名, 问题ID, 热度指数, 时间范围, 地点/人群, 问题描述, 是否深层次问题, then the
  evidence (问题标签, 留言数, 留言人数, 单人反复, 点赞数, 反对数, 深层次依据, 代表留言编号) and 主要类别 / 紧急程度分布
  (when the letters have issue types and urgency);
- hot_issue_letters.csv / .xlsx: 问题ID, 留言编号, 留言用户 (masked), 留言主题, 留言时间, 留言详情, 点赞数, 反对数;
- hot_issues_monthly.png (unless --no-plot): letters per month for the hottest issues;
- with --state FILE, that file: the fitted issues, loaded first if it exists so that issues seen
  before keep their 问题ID, and saved after.
Phones, ID numbers and names (every name any of the letters gives) are masked wherever a letter is quoted; --headers en
gives the tables snake_case column names.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from pipeline.commands._inputs import add_headers_argument, add_input_arguments, read_inputs
from pipeline.config import Settings, load_settings
from pipeline.errors import PetitionError
from pipeline.mask import mask_frame, names_to_mask
from pipeline.sheets import (HEADERS_EN, ISSUE_COLUMNS, ISSUE_LETTER_COLUMNS, issue_table, letter_table,  # noqa: F401
                             mask_writer, write_tables)
from pipeline.write import atomic_path

LETTER_COLUMNS = ISSUE_LETTER_COLUMNS  # the tables themselves are the write stage's (`pipeline.sheets`)
ISSUE_TEXT, QUOTED_TEXT = ("问题描述", "问题标签"), ("留言主题", "留言详情")


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
    parser.add_argument("--min-letters", type=int, help="smallest issue, in letters (default: the config's "
                        "[cluster] min_letters, 3)")
    parser.add_argument("--state", help="issue state file: loaded if it exists (ids persist), saved after")
    add_headers_argument(parser)
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG")
    parser.add_argument("--model", metavar="DIR", help="issue-type model for 主要类别 (default: the config's, models/default)")
    parser.add_argument("--config", metavar="FILE", help="settings TOML over corpora/config/default.toml")
    parser.add_argument("--no-classify", action="store_true",
                        help="skip issue type and urgency (主要类别, 紧急程度分布); keep the input's own columns if any")
    parser.set_defaults(func=run)


def _atomic(path: Path, writer) -> None:
    with atomic_path(path) as temporary:
        writer(temporary)


def classify_and_grade(letters: pd.DataFrame, args, settings: Settings) -> pd.DataFrame:
    """Issue type and urgency per letter (the main job's stages), so each issue shows its top type
    and urgency mix. An input that already has the column keeps it."""
    from pipeline.stages import ClassifyStage, GradeStage

    if "issue_type" not in letters.columns or letters["issue_type"].isna().all():
        print(f"classifying {len(letters)} letters ...", file=sys.stderr)
        letters = ClassifyStage.from_settings(settings, model=args.model).transform(letters)
    if "urgency" not in letters.columns or letters["urgency"].isna().all():
        print(f"grading urgency of {len(letters)} letters ...", file=sys.stderr)
        letters = GradeStage.from_settings(settings).transform(letters)
    return letters


def run(args) -> int:
    from pipeline.calls import no_request
    from pipeline.cluster import IssueClusterer
    from pipeline.stages import ClusterStage

    settings = load_settings(args.config)
    result = read_inputs(args)
    letters = result.letters
    if letters.empty:
        raise PetitionError(f"no letters could be read from {', '.join(map(str, args.inputs))}")
    out_dir = Path(args.out)
    if not args.no_classify:
        letters = classify_and_grade(letters, args, settings)
    print(f"clustering {len(letters)} letters ...", file=sys.stderr)
    # the cluster stage's settings ([cluster], [heat]), as `petition run` clusters
    stage = ClusterStage.from_settings(settings, progress=True)
    if args.min_letters is not None:
        stage.params["min_letters"] = args.min_letters
    model = stage.clusterer()
    empty = no_request(letters)  # as the run: calls with no request form no issue
    if empty.any():
        print(f"{int(empty.sum())} calls with no request (来电类别 无效, 未反映具体问题) left out of the issues",
              file=sys.stderr)
        letters = letters[~empty]
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
    # phones, ID numbers and names are masked wherever a letter is quoted: every name any letter
    # gives (its writer's, or one its text introduces), as the run masks its exports
    names = names_to_mask(letters, ("title", "text"))
    issues = mask_frame(issues, text_columns=ISSUE_TEXT, names=names + names_to_mask(issues, ISSUE_TEXT))
    quoted = letter_table(clustered, info)
    quoted = mask_frame(quoted, text_columns=QUOTED_TEXT, names=names + names_to_mask(quoted, QUOTED_TEXT))
    written = write_tables(out_dir, issues, quoted, args.headers, settings)
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
