"""The workbook explains itself: header notes, the 说明 sheet, and the 今日紧急 queue's measured misses."""
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd

from pipeline.config import load_settings
from pipeline.explain import BLIND_FIRST_LOOKS, column_notes, concentrated_caveat, guide_sheet, notes_for, today_caveat
from pipeline.sheets import SHEETS
from tests.conftest import requires_shared_data

URGENCY_DIR = Path(__file__).resolve().parents[1] / "corpora" / "urgency"


def test_the_measured_misses_are_the_pooled_first_looks_of_the_gold_files():
    """The caveat's figures are recomputed from the stored first looks: a new blind split that is not
    pooled into `BLIND_FIRST_LOOKS` fails here."""
    first, last = (int(name.removeprefix("blind")) for name in BLIND_FIRST_LOOKS["splits"])
    newest = max(int(p.stem.removeprefix("gold_blind")) for p in URGENCY_DIR.glob("gold_blind*.csv"))
    assert last == newest
    frames = [pd.read_csv(URGENCY_DIR / f"gold_blind{n}.csv", dtype=str, keep_default_na=False) for n in range(first, last + 1)]
    gold = pd.concat(frames, ignore_index=True)
    urgent = gold["urgency"] == "紧急"
    found = gold["first_look"] == "紧急"
    review = gold["first_look_review"] == "True"
    borderline = gold["reason"].str.startswith("borderline")
    assert BLIND_FIRST_LOOKS["count"] == len(frames)
    assert BLIND_FIRST_LOOKS["urgent"] == urgent.sum()
    assert BLIND_FIRST_LOOKS["found"] == (urgent & found).sum()
    assert BLIND_FIRST_LOOKS["found_or_review"] == (urgent & (found | review)).sum()
    assert BLIND_FIRST_LOOKS["clear"] == (urgent & ~borderline).sum()
    assert BLIND_FIRST_LOOKS["clear_found"] == (urgent & ~borderline & found).sum()
    assert BLIND_FIRST_LOOKS["borderline"] == (urgent & borderline).sum()
    assert BLIND_FIRST_LOOKS["borderline_found"] == (urgent & borderline & found).sum()
    m = BLIND_FIRST_LOOKS
    assert f"{m['urgent']}封紧急来信中的{m['found']}封" in today_caveat()


def test_the_short_text_caveat_is_the_stored_first_looks_of_its_rounds():
    """The caveat's figures for short texts are the pooled first looks stored with the short probe rounds
    (`SHORT_ROUNDS`, texts of 15-60 characters, rounds 349's and 353's up to 69 and two of round 345's 75
    and 82: 80 rounds from 271 to 373) and the mixed ones (`MIXED_ROUNDS`: 36 rounds from 259 to 374), as
    `corpora/urgency/README.md` tells them."""
    from pipeline.explain import MIXED_ROUNDS, SHORT_FIRST_LOOKS, SHORT_ROUNDS
    from pipeline.paths import CORPORA_DIR

    def pooled(rounds):
        probes = pd.concat(pd.read_csv(CORPORA_DIR / "urgency" / f"probes{n}.csv", dtype=str) for n in rounds)
        urgent = probes[probes["urgency"] == "紧急"]
        return int((urgent["first_look"] == "紧急").sum()), len(urgent)

    assert SHORT_FIRST_LOOKS["short"] == pooled(SHORT_ROUNDS)
    assert SHORT_FIRST_LOOKS["other"] == pooled(MIXED_ROUNDS)
    assert "短信式的判出88%, 其余96%" in today_caveat()


def test_the_notes_follow_the_config(tmp_path):
    default = column_notes(load_settings())
    assert "紧急+100" in default["*"]["优先分"] and "超过60天成为积案再+25" in default["*"]["优先分"]
    assert "0.625·ln(1+留言数)" in default["热点问题"]["热度指数"]
    (tmp_path / "my.toml").write_text("[priority]\nurgent = 150.0\n[backlog]\nlimit_days = 30\n[heat]\nletters = 0.5\n",
                                      encoding="utf-8")
    mine = column_notes(load_settings(tmp_path / "my.toml"))
    assert "紧急+150" in mine["*"]["优先分"] and "超过30天成为积案" in mine["*"]["优先分"]
    assert "0.5·ln(1+留言数)" in mine["热点问题"]["热度指数"]
    # a sheet's own note wins: a case's 优先分 is not a letter's
    assert notes_for("领导包案建议", default)["优先分"].startswith("案件")
    assert notes_for("积案", default)["优先分"] == default["*"]["优先分"]


def test_the_evidence_note_tells_the_two_learned_readers_apart_at_the_sieve_s_own_lines():
    """模型一般(p=0.30);待复核:模型复核(p=0.88) in one cell: two models with opposite-looking p's. The
    note says which is which and gives the second reader's lines as the shipped sieve has them."""
    from pipeline.urgency import UrgentSieve

    note = column_notes(load_settings())["*"]["依据原文"]
    shipped = UrgentSieve.load()
    assert "模型较急/模型一般" in note and "模型复核/模型紧急" in note
    assert f"p≥{shipped.threshold:g}送人工复核" in note
    assert (f"来信{shipped.urgent_min_chars}字以上且p≥{shipped.urgent_threshold:g}"
            f"(不足{shipped.short_chars}字的短信p≥{shipped.short_urgent_threshold:g})判为紧急") in note


def test_the_evidence_note_explains_the_rules_own_review_reasons_a_bundled_letter_carries(sample_dir):
    """The bundled hotline order 井盖缺失 sits in 今日紧急 as 待复核 with 井盖缺失(缺:有人经过): the note on
    依据原文 says what (缺:…) means, and the other two reasons the rules write."""
    from pipeline.read import read_letters
    from pipeline.urgency import UrgencyGrader

    letters = read_letters([sample_dir / "hotline_12345.xlsx"]).letters
    letter = letters[letters["letter_id"] == "GD202602110442"]
    graded = UrgencyGrader().fit().transform(letter).iloc[0]
    assert graded["urgency_review"] and "(缺:有人经过)" in graded["urgency_evidence"]
    note = column_notes(load_settings())["*"]["依据原文"]
    assert "(缺:有人经过)" in note and "排除的紧急线索" in note and "半数紧急线索" in note


def test_the_guide_sheet_names_every_sheet_and_the_derived_columns():
    guide = guide_sheet(load_settings())
    described = set(guide.loc[guide["列名"] == "(整表)", "工作表"])
    assert set(SHEETS) - {"说明"} <= described
    assert {"排名区间", "热度指数", "优先分", "今日队列", "是否深层次问题"} <= set(guide["列名"])
    assert today_caveat() in set(guide["说明"])
    # an issue's letter count is a floor: the sheet says one problem may sit in several rows
    hot = guide.loc[(guide["工作表"] == "热点问题") & (guide["列名"] == "(整表)"), "说明"].iloc[0]
    assert "留言数是下限" in hot and "同一地点同一诉求的来信会落在几行里" in hot


def test_the_run_workbook_carries_the_notes_and_keeps_the_caveat_in_view(sample_run):
    book = openpyxl.load_workbook(sample_run.out_dir / "triage.xlsx")
    hot = book["热点问题"]
    headers = {cell.value: cell for cell in hot[1]}
    assert headers["排名区间"].comment.text.startswith("任一热度权重上下变动20%")
    assert headers["热度指数"].comment is not None and headers["问题ID"].comment is None
    today = book["今日紧急"]
    caveats = [cell for cell in today[1] if cell.comment is not None and cell.comment.text.startswith(today_caveat())]
    assert len(caveats) == 1 and "「说明」表" in caveats[0].comment.text  # and where the other columns are explained
    # shown open (not only on hover), drawn under the queue's last row, where a reader decides it is complete
    with zipfile.ZipFile(sample_run.out_dir / "triage.xlsx") as xlsx:
        rels = xlsx.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        vml = xlsx.read("xl/" + re.search(r'Target="\.\./(drawings/vmlDrawing\d+\.vml)"', rels).group(1)).decode()
    shapes = re.findall(r"<v:shape .*?</v:shape>", vml, flags=re.S)
    shown = [shape for shape in shapes if "visibility:visible" in shape]
    assert len(shown) == 1 and len(shapes) == len([c for c in today[1] if c.comment is not None])
    top_row = int(re.search(r"<x:Anchor>\s*\d+,\s*\d+,\s*(\d+)", shown[0]).group(1))
    assert top_row >= today.max_row
    # the data still reads as a table: the caveat is a note, not a row
    queue = pd.read_excel(sample_run.out_dir / "triage.xlsx", sheet_name="今日紧急")
    assert list(queue.columns[:2]) == ["今日队列", "收信时段"] and len(queue) == today.max_row - 1
    assert "说明" in book.sheetnames and book.sheetnames.index("说明") == len(SHEETS) - 1


def test_the_leader_sheet_says_yes_or_no_for_a_confidential_case(sample_run):
    """保密 read "True"/"False" on the leader's sheet; it reads 是/否, as 是否深层次问题 does."""
    cases = pd.read_excel(sample_run.out_dir / "triage.xlsx", sheet_name="领导包案建议", dtype=str)
    assert set(cases["保密"]) <= {"是", "否"} and "否" in set(cases["保密"])


def test_the_report_explains_the_same_columns_on_hover(sample_run):
    html = (sample_run.out_dir / "report.html").read_text(encoding="utf-8")
    assert '<th title="任一热度权重上下变动20%' in html and "<th title=\"案件(同一热点问题的来信, 或同一信访人就同一类问题的来信)的优先分" in html


@requires_shared_data
def test_the_routing_figure_beside_the_department_is_the_router_measured_on_its_last_gold():
    """The 责任部门 note quotes the router's share on the readers' last golds (pooled): rerun here on this
    checkout, so a table change that moves it fails until the note is measured again."""
    import sys

    from pipeline.explain import ROUTING_FIRST_LOOK

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "benchmarks"))
    import routing

    gold = pd.concat([pd.read_csv(root / "corpora" / "routing" / name, dtype=str, keep_default_na=False)
                      for name in ROUTING_FIRST_LOOK["gold"]])
    table = routing.score(gold, routing.routed(root, gold))
    assert len(gold) == ROUTING_FIRST_LOOK["letters"]
    assert table.loc["all", "right"] == ROUTING_FIRST_LOOK["right"]
    assert (table.loc["tipdm", "letters"], table.loc["tipdm", "right"]) == (
        ROUTING_FIRST_LOOK["board_letters"], ROUTING_FIRST_LOOK["board_right"])
    note = column_notes(load_settings())["*"]["责任部门"]
    assert f"{ROUTING_FIRST_LOOK['right']:.1%}" in note
    # letters read while the table was tuned are said, not passed off as untouched
    assert f"其中{ROUTING_FIRST_LOOK['seen']}封在调整路由表时读过" in note


def test_an_empty_concentration_sheet_says_why_in_view(sample_run):
    """`make run` on the bundled letters writes a 集中问题 sheet with headers alone: the sheet says, in
    view, that nothing reached the threshold (and how near the largest group came), not that the run
    broke; with rows it still says how they are counted."""
    from pipeline.concentrate import outline

    summary = outline(sample_run.letters)
    area, matter, writers = summary["largest"]
    empty = concentrated_caveat(summary, 0, 5)
    assert empty.startswith("本批没有集中问题(不是运行出错)") and f"最多{writers}人({area} · {matter})" in empty
    assert "不少于5人" in empty and f"本批{len(sample_run.letters)}封来信中计入{summary['counted']}封" in empty
    full = concentrated_caveat({**summary, "by_city": True}, 3, 8)
    assert "本批没有" not in full and "不少于8人" in full and "同一属地(市)" in full
    book = openpyxl.load_workbook(sample_run.out_dir / "triage.xlsx")
    sheet = book["集中问题"]
    assert sheet.max_row == 1  # headers alone
    shown = [cell.comment.text for cell in sheet[1] if cell.comment is not None and cell.comment.text.startswith("本批没有集中问题")]
    assert shown == [empty]
    page = (sample_run.out_dir / "report.html").read_text(encoding="utf-8")
    assert "集中问题(一地多处的同类问题)" in page and f"最多{writers}人" in page


def test_the_concentration_caveat_tells_the_stored_blind_look():
    """The share the caveat quotes is recomputed from the stored look, so a new look cannot leave it behind."""
    from pipeline.explain import CONCENTRATED_FIRST_LOOK

    look = pd.concat([pd.read_csv(Path(__file__).parent.parent / "corpora" / "hotspots" / name)
                      for name in CONCENTRATED_FIRST_LOOK["gold"]])
    assert (len(look), int((look["belongs"] == "yes").sum())) == (CONCENTRATED_FIRST_LOOK["letters"], CONCENTRATED_FIRST_LOOK["belong"])
