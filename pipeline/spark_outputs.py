"""The Spark engine's outputs: the local engine's files, written without collecting all letters.

- letters.parquet: a partitioned dataset (a folder of part files) written by Spark, masked;
- letters.csv: formatted partition by partition on the executors (masked, Chinese headers,
  formula-safe, as `pipeline.write.write_table`) and streamed to one file by the driver, one
  partition in memory at a time;
- triage.xlsx and report.html: from bounded tables (see the *_LIMIT constants): the letters the
  lists show, department counts aggregated in Spark, the top cases, the repeat writers, the issues;
- the history dataset (`--store`): this batch's letters appended, unmasked, like the case store.
Every bound is a constant here; on the bundled corpus and the shared letters none of them binds,
so the sheets are the local engine's. report.html states what the tables cover (`coverage_note`):
each list's size in the batch, its bound, and whether it was cut.
"""
from __future__ import annotations

import shutil
import uuid
from datetime import date
from pathlib import Path

import pandas as pd

from pipeline.calls import spark_filter

# Bounds on what reaches the driver (rows of letters unless said otherwise).
TODAY_LIMIT = 5_000          # 今日紧急 (紧急 and the review band), by priority
LIST_LIMIT = 2_000           # 积案 and 需人工复核, each, by priority
DEPARTMENT_LIMIT = 1_000     # each department's 待办 list, by priority
REPORT_BACKLOG = 20          # the report's oldest open letters
CASES_LIMIT = 100            # cases, by case priority (the sheet shows [lists] leader_cases)
PERSONS_LIMIT = 2_000        # repeat writers shown, by letter count (all their letters are collected)
HOT_LETTERS_LIMIT = 5_000    # 热点问题来信: the hottest issues' letters, by heat rank then date

CASE_SCHEMA = {"case_id": "str", "person_id": "str", "writers": "Int64", "matter": "str", "letters": "Int64", "open_letters": "Int64",
               "first_letter": "datetime64[ns]", "last_letter": "datetime64[ns]", "urgency": "str",
               "department": "str", "confidential": "bool", "purpose": "str", "top_letter_id": "str", "title": "str",
               "case_priority": "float64", "priority_reasons": "str"}


def read_history(spark, store: Path):
    """The history dataset (earlier batches' letters with their persons), or None before the first run."""
    if not (store.is_dir() and any(store.rglob("*.parquet"))):
        return None
    return spark.read.option("mergeSchema", "true").parquet(str(store))


def append_history(spark, letters, history, store: Path) -> None:
    """This batch's letters not yet in the history, appended (a rerun adds nothing)."""
    new = letters
    if history is not None and "letter_key" in letters.columns and "letter_key" in history.columns:
        new = letters.join(history.select("letter_key").distinct(), "letter_key", "left_anti")
    new.write.mode("append").parquet(str(store))


def write_outputs(spark, letters, issues: pd.DataFrame, rejects: pd.DataFrame, summary: dict, history,
                  ranker, settings, out: Path, info: dict) -> dict:
    """Every output file but run.json; returns the counts run.json carries."""
    from pyspark.sql import functions as F

    from pipeline.mask import mask_frame, names_to_mask
    from pipeline.report import build_report
    from pipeline.explain import column_notes
    from pipeline.sheets import concentrated_note, quoted_evidence, workbook_notes
    from pipeline.spark_rows import apply_mask
    from pipeline.write import atomic_path, text_columns, write_sheets, write_table

    names = run_names(letters)

    def scrub(frame: pd.DataFrame) -> pd.DataFrame:  # as `sheets.write_outputs` masks its small tables
        columns = text_columns(frame)
        return mask_frame(frame, text_columns=columns, names=names + names_to_mask(frame, columns))

    # written three ways below: computed once; the MinHash signature is internal (the history's)
    masked = apply_mask(letters.drop("sig"), names).persist()
    headers = settings.get("run", "headers", "zh")
    _write_dataset(masked, out / "letters.parquet")
    _write_csv(masked, out / "letters.csv", headers)
    write_table(rejects, out / "rejects.csv", headers=headers)

    cases, n_cases = top_cases(letters, ranker)
    cases = scrub(cases)
    persons, n_persons = repeat_writers(letters, history)
    persons = scrub(persons)
    issues = scrub(issues)
    shown = quoted_evidence(shown_letters(masked))  # 依据原文 as the local engine's sheets show it
    counts = {**summary, "cases": n_cases, "issues": len(issues), "persons": n_persons,
              "urgent": letters.where(F.col("urgency") == "紧急").count(),
              "backlog": letters.where(F.col("is_backlog")).count(),
              "no_request": letters.where(~spark_filter(letters.columns)).count()}
    concentrated = concentrations(masked, settings.get("lists", "concentrated_min_writers", 5))  # titles masked
    caveat = concentrated_note(concentrated, concentration_outline(masked), settings)
    hot = quoted_evidence(hot_issue_letters(masked, issues, settings.get("lists", "hot_issue_letters", 30)))
    sheets = triage_sheets_bounded(letters, shown, cases, issues, persons, settings, concentrated, hot)
    with atomic_path(out / "triage.xlsx") as temporary:
        write_sheets(sheets, temporary, **workbook_notes(settings, caveat))
    report = build_report(shown, cases, issues, persons, counts, date.fromisoformat(info["as_of"]),
                          settings.get("backlog", "limit_days", 60), settings.get("lists", "today_new_days", 7),
                          notes=column_notes(settings), concentrated=concentrated, concentrated_note=caveat)
    report = report.replace("<main>", "<main>" + coverage_note(coverage(letters, shown, n_cases, persons, hot),
                                                               counts.get("letters")), 1)
    with atomic_path(out / "report.html") as temporary:
        temporary.write_text(report, encoding="utf-8")
    return counts


def _flag(frame):
    """A boolean column of `frame` read as False where it is null or absent."""
    from pyspark.sql import functions as F

    return lambda c: F.coalesce(F.col(c), F.lit(False)) if c in frame.columns else F.lit(False)


def _in_today_queue(frame):
    """The letters 今日紧急 may list (`rank.today_queue`): 紧急 or in the review band, not closed."""
    from pyspark.sql import functions as F

    flag = _flag(frame)
    return ((F.col("urgency") == "紧急") | flag("urgency_review")) & ~flag("is_closed")


def coverage(letters, shown: pd.DataFrame, n_cases: int, persons: pd.DataFrame,
             hot: pd.DataFrame) -> list[tuple[str, int, int]]:
    """(list, how many the batch holds, its bound) for each bounded table of the report and
    triage.xlsx: one aggregate over the letters, so the report can say whether a list is whole."""
    from pyspark.sql import functions as F

    flag = _flag(letters)
    totals = letters.agg(
        F.sum(_in_today_queue(letters).cast("long")).alias("today"),
        F.sum(flag("is_backlog").cast("long")).alias("backlog"),
        F.sum((flag("needs_review") & spark_filter(letters.columns)).cast("long")).alias("review")).first()
    open_most = letters.where(~F.col("is_closed")).groupBy("department").count() \
        .agg(F.max("count")).first()[0]
    return [("今日紧急(紧急及待复核)", int(totals["today"] or 0), TODAY_LIMIT),
            ("积案", int(totals["backlog"] or 0), LIST_LIMIT),
            ("需人工复核", int(totals["review"] or 0), LIST_LIMIT),
            ("每个责任部门的待办(最多的部门)", int(open_most or 0), DEPARTMENT_LIMIT),
            ("领导包案建议的案件", int(n_cases), CASES_LIMIT),
            ("重复信访人", len(persons), PERSONS_LIMIT),
            ("热点问题来信", int(hot.attrs.get("total", len(hot))), HOT_LETTERS_LIMIT)]


def coverage_note(rows: list[tuple[str, int, int]], n_letters: int | None) -> str:
    """The report's statement of what the Spark engine's bounded tables cover: the report and
    triage.xlsx are made from them, not from every letter (nothing collects all letters)."""
    from html import escape

    cells = "".join(f"<tr><td>{escape(name)}</td><td>{total}</td><td>{min(total, bound)}</td><td>{bound}</td>"
                    f"<td>{'已截断' if total > bound or (name == '重复信访人' and total >= bound) else '完整'}</td></tr>"
                    for name, total, bound in rows)
    cut = [name for name, total, bound in rows if total > bound]
    verdict = ("各清单均未达到上限, 内容完整。" if not cut else
               f"达到上限而被截断的清单: {escape('、'.join(cut))} (按优先级保留最前面的)。")
    return ('<section class="coverage"><h2>本报告的覆盖范围(Spark 引擎, 有界表)</h2>'
            f"<p>Spark 引擎不把全部来信收集到一台机器上: 本报告和 triage.xlsx 由有界表生成。"
            f"本批共 {n_letters if n_letters is not None else '?'} 封来信; 上方的卡片与图表只统计进入这些表的来信"
            f"(紧急、待复核、积案、需人工复核与各部门待办), 全批计数见 run.json 的 counts。{verdict}</p>"
            "<table><tr><th>清单</th><th>本批数量</th><th>报告收录</th><th>上限</th><th>状态</th></tr>"
            f"{cells}</table></section>")


def run_names(letters) -> list[str]:
    """The run's one list of full names (`mask.names_to_mask`), found partition by partition:
    one row per distinct name reaches the driver, not one per letter."""
    from pipeline.mask import names_to_mask
    from pipeline.write import text_columns

    def names(batches):
        for frame in batches:
            yield pd.DataFrame({"name": pd.Series(names_to_mask(frame, text_columns(frame)), dtype=object)})

    return sorted(r[0] for r in letters.mapInPandas(names, "name string").distinct().collect())


def shown_letters(masked) -> pd.DataFrame:
    """The letters the lists show, bounded: 今日紧急, 积案, 需人工复核, each department's 待办."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    order = [F.col("priority").desc(), F.col("received_at").asc()]
    flag = _flag(masked)
    parts = [
        masked.where(_in_today_queue(masked)).orderBy(*order).limit(TODAY_LIMIT),
        masked.where(flag("is_backlog")).orderBy(*order).limit(LIST_LIMIT),
        masked.where(flag("is_backlog")).orderBy(F.col("days_open").desc()).limit(REPORT_BACKLOG),
        masked.where(flag("needs_review") & spark_filter(masked.columns)).orderBy(*order).limit(LIST_LIMIT),
        masked.where(~F.col("is_closed")).withColumn("_k", F.row_number().over(
            Window.partitionBy("department").orderBy(*order))).where(F.col("_k") <= DEPARTMENT_LIMIT).drop("_k"),
    ]
    union = parts[0]
    for part in parts[1:]:
        union = union.unionByName(part)
    frame = union.dropDuplicates(["letter_id"]).toPandas()
    return frame.sort_values(["received_at", "letter_id"], kind="stable").reset_index(drop=True)


def hot_issue_letters(masked, issues: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The letters of the `limit` hottest issues (热点问题来信), at most HOT_LETTERS_LIMIT of them
    (hottest issue first, then the oldest letter); `attrs["total"]` says how many there were."""
    from pyspark.sql import functions as F

    from pipeline.sheets import hottest_issues

    if issues.empty or "issue_id" not in masked.columns:
        return masked.limit(0).toPandas()
    top = hottest_issues(issues, limit)
    rank = F.create_map(*[F.lit(v) for pair in zip(top["issue_id"], top["heat_rank"].astype(int)) for v in pair])
    members = masked.where(F.col("issue_id").isin(list(top["issue_id"]))).withColumn("_rank", rank[F.col("issue_id")])
    frame = members.orderBy("_rank", "received_at", "letter_id").limit(HOT_LETTERS_LIMIT).drop("_rank").toPandas()
    frame.attrs["total"] = members.count()
    return frame


def triage_sheets_bounded(letters, shown: pd.DataFrame, cases, issues, persons, settings, concentrated,
                          hot: pd.DataFrame) -> dict:
    """`sheets.triage_sheets` on the shown letters, with the department counts (and the order of the
    department sheets) taken over every letter in Spark, 集中问题 from `concentrated`
    (`concentrations` over every letter) and 热点问题来信 from `hot` (`hot_issue_letters`)."""
    from pyspark.sql import functions as F

    from pipeline.sheets import hot_issue_letters_sheet, triage_sheets

    sheets = triage_sheets(shown, cases, issues, persons, settings, concentrated)
    sheets["热点问题来信"] = hot_issue_letters_sheet(hot, issues, settings.get("lists", "hot_issue_letters", 30))
    load = letters.groupBy("department").agg(
        F.sum((~F.col("is_closed")).cast("long")).alias("待办"), F.count("*").alias("全部"),
        F.sum((F.col("urgency") == "紧急").cast("long")).alias("紧急"),
        F.sum(F.col("is_backlog").cast("long")).alias("积案"),
        F.sum(F.col("no_request").cast("long") if "no_request" in letters.columns else F.lit(0)).alias("无具体诉求"),
    ).toPandas()  # one row per department
    load = load.sort_values("待办", ascending=False).reset_index(drop=True).rename(columns={"department": "责任部门"})
    sheets["各部门待办"] = load
    departments = [d for d in sheets if d.startswith("待办-")]
    rank = {f"待办-{d}"[:31]: (-n, str(d)) for d, n in zip(load["责任部门"], load["待办"])}
    ordered = {k: v for k, v in sheets.items() if not k.startswith("待办-")}
    for name in sorted(departments, key=lambda d: rank.get(d, (0, d))):
        ordered[name] = sheets[name]
    return ordered


def _concentration_rows(letters):
    """`concentrate.counted_letters` in Spark: (the counted letters with `_area`, matter and
    `_writer`, whether they count by city)."""
    from pyspark.sql import functions as F

    from pipeline.concentrate import city_level

    columns, flag = letters.columns, _flag(letters)

    def text(name):
        return F.col(name).cast("string") if name in columns else F.lit(None).cast("string")

    kind = F.coalesce(text("routed_type"), text("issue_type"), F.lit("未分类"))
    term = F.coalesce(text("routed_term"), F.lit(""))
    counted = letters.where(~flag("no_request") & ~flag("confidential"))
    city, area = F.coalesce(text("area_city"), F.lit("")), F.coalesce(text("area"), F.lit(""))
    named = counted.where(city != "").groupBy(city.alias("_city")).count().agg(
        F.sum("count").alias("named"), F.max("count").alias("largest")).first()
    by_city = city_level(counted.count(), int(named["named"] or 0), int(named["largest"] or 0))
    if by_city:
        area = F.when(city != "", city).otherwise(area)
    rows = counted.where((area != "") & (term != "") & (flag("routed_term_named") if "routed_term_named" in columns
                                                         else F.lit(True))).select(  # `concentrate`: a named term
        area.alias("_area"),
        F.when(term != "", F.concat(kind, F.lit(" · "), term)).otherwise(kind).alias("matter"),
        F.coalesce(text("person_id"), text("letter_id")).alias("_writer"),
        F.coalesce(text("place"), F.lit("")).alias("_place"), "letter_id", "received_at",
        flag("is_open").cast("long").alias("_open"), (F.coalesce(text("urgency"), F.lit("")) == "紧急").cast("long").alias("_urgent"),
        text("issue_id").alias("issue_id"), text("hot_issue_label").alias("hot_issue_label"),
        text("department").alias("department"), F.col("priority") if "priority" in columns else F.lit(0.0).alias("priority"),
        text("title").alias("title"))
    # the place as the letter writes it up to its area (`concentrate`: p.split(a, 1)[0] + a)
    rows = rows.withColumn("_month", F.date_format("received_at", "yyyy-MM")).withColumn("_written", F.expr(
        "CASE WHEN instr(_place, _area) > 0 THEN concat(substring(_place, 1, instr(_place, _area) - 1), _area) ELSE _area END"))
    return rows, by_city


def concentration_outline(letters) -> dict:
    """`concentrate.outline` in Spark: the count and the largest group reach the driver."""
    from pyspark.sql import functions as F

    from pipeline.concentrate import outline_of

    rows, by_city = _concentration_rows(letters)
    groups = rows.groupBy("_area", "matter").agg(F.countDistinct("_writer").alias("writers"), F.count("*").alias("letters"))
    largest = groups.orderBy(F.col("writers").desc(), F.col("letters").desc(), "_area", "matter").limit(1).toPandas()
    return outline_of(letters.count(), rows.count(), by_city, largest)


def concentrations(letters, min_writers: int) -> pd.DataFrame:
    """`concentrate.concentrations` in Spark: per area and matter, aggregates over every letter, the
    modes and the most pressing letter by window; only the groups of `min_writers` or more writers
    reach the driver."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from pipeline.concentrate import finish

    rows, _ = _concentration_rows(letters)
    keys = ["_area", "matter"]
    stats = rows.groupBy(*keys).agg(
        F.countDistinct("_writer").alias("writers"), F.count("*").alias("letters"),
        F.min("received_at").alias("first_letter"), F.max("received_at").alias("last_letter"),
        F.sum("_open").alias("open_letters"), F.sum("_urgent").alias("urgent_letters"),
        F.countDistinct("issue_id").alias("hot_issues")).where(F.col("writers") >= min_writers)
    rows = rows.join(stats.select(*keys), keys)

    def mode(column, name):  # most letters, the first by value on a tie (`concentrate._mode`)
        counts = rows.where(F.col(column).isNotNull() & (F.col(column) != "")).groupBy(*keys, column).count()
        order = Window.partitionBy(*keys).orderBy(F.col("count").desc(), F.col(column).asc())
        return counts.withColumn("_r", F.row_number().over(order)).where(F.col("_r") == 1) \
            .select(*keys, F.col(column).alias(name))

    first = Window.partitionBy(*keys).orderBy(F.col("priority").desc_nulls_last(), F.col("received_at").asc_nulls_last(),
                                              F.col("letter_id").asc_nulls_last())  # pandas puts a missing value last
    top = rows.withColumn("_r", F.row_number().over(first)).where(F.col("_r") == 1) \
        .select(*keys, F.col("letter_id").alias("top_letter_id"), "title")
    table = stats
    for part in (mode("_written", "area_written"), mode("_month", "peak_month"), mode("hot_issue_label", "main_issue"),
                 mode("department", "department"), top):
        table = table.join(part, keys, "left")
    table = table.toPandas()  # one row per concentration
    for column in ("writers", "letters", "open_letters", "urgent_letters", "hot_issues"):
        table[column] = table[column].astype(int)
    return finish(table)


def top_cases(letters, ranker) -> tuple[pd.DataFrame, int]:
    """`PriorityRanker.cases` per case in Spark (`rank.case_keys`: a hot issue's letters, else one
    person's letters on one issue type); returns the top CASES_LIMIT and how many there are."""
    from pyspark.sql import functions as F

    from pipeline.rank import CASE_READS, NO_REQUEST_MATTER
    from pipeline.spark_buckets import BUCKET, with_bucket
    from pipeline.spark_rows import plain
    from pipeline.spark_session import with_columns

    # `rank.case_keys` as a column: the hot issue, else writer|matter type; a caller's empty calls writer|无具体诉求来电
    person = (F.coalesce(F.col("person_id"), F.col("letter_id")) if "person_id" in letters.columns
              else F.col("letter_id")).cast("string")
    # `rank.matter_type`: the type a letter was routed by, else the model's
    kind = F.coalesce(*[F.col(c).cast("string") for c in ("routed_type", "issue_type") if c in letters.columns],
                      F.lit(None).cast("string"))
    key = F.concat_ws("|", person, F.coalesce(kind, F.lit("未分类")))
    if "issue_id" in letters.columns:
        issue = F.col("issue_id").cast("string")
        key = F.when(issue.isNotNull() & (issue != ""), issue).otherwise(key)
    if "no_request" in letters.columns:
        key = F.when(F.coalesce(F.col("no_request"), F.lit(False)),
                     F.concat_ws("|", person, F.lit(NO_REQUEST_MATTER))).otherwise(key)
    keyed = letters.withColumn("_case", key)
    keyed = keyed.select(*[c for c in ("_case", *CASE_READS) if c in keyed.columns])  # what `ranker.cases` reads
    schema = with_columns(keyed.schema.__class__([]), CASE_SCHEMA)
    # whole cases in a bucket (`spark_buckets`): `ranker.cases` scores each case alone, so a bucket
    # of cases gives the same rows as one call per case, and one call per case (4,533 on 5,000
    # letters, 0.1 s each) was most of the write
    keyed = with_bucket(keyed, "_case")

    def some_cases(frame: pd.DataFrame) -> pd.DataFrame:
        return plain(ranker.cases(frame.drop(columns=["_case", BUCKET])), schema)

    cases = keyed.groupBy(BUCKET).applyInPandas(some_cases, schema).persist()
    count = cases.count()
    top = cases.orderBy(F.col("case_priority").desc(), F.col("last_letter").desc(), F.col("case_id").asc()) \
        .limit(CASES_LIMIT).toPandas()
    cases.unpersist()
    top["letters"] = top["letters"].astype(int)
    top["writers"] = top["writers"].astype(int)
    top["open_letters"] = top["open_letters"].astype(int)
    return top, count


def repeat_writers(letters, history) -> tuple[pd.DataFrame, int]:
    """`link.persons_table` for the batch's writers with more than one letter (history included),
    the PERSONS_LIMIT with most letters; and how many persons wrote in this batch."""
    from pyspark.sql import functions as F

    from pipeline.persons import persons_table

    if "person_id" not in letters.columns:
        return pd.DataFrame(columns=["person_id", "letter_count"]), 0
    batch_persons = letters.select("person_id").dropna().distinct()
    n_persons = batch_persons.count()
    rows = letters
    if history is not None and "person_id" in history.columns:
        older = history.join(letters.select("letter_key"), "letter_key", "left_anti") \
            if "letter_key" in history.columns and "letter_key" in letters.columns else history
        rows = letters.unionByName(older, allowMissingColumns=True)
    rows = rows.join(batch_persons, "person_id")
    counted = rows.groupBy("person_id").agg(F.count("*").alias("n"), F.max("received_at").alias("last"))
    chosen = counted.where("n > 1").orderBy(F.col("n").desc(), F.col("last").desc()).limit(PERSONS_LIMIT)
    frame = rows.join(chosen.select("person_id"), "person_id").toPandas()
    if frame.empty:
        return pd.DataFrame(columns=["person_id", "letter_count"]), n_persons
    frame = frame.sort_values(["received_at", "letter_key" if "letter_key" in frame else "letter_id"], kind="stable")
    return persons_table(frame), n_persons


def _replace_path(temporary: Path, path: Path) -> None:
    """Put a finished file or folder in place of `path`; the old one goes only after."""
    old = path.with_name(f".{path.name}.old-{uuid.uuid4().hex[:8]}")
    if path.exists():
        path.rename(old)
    temporary.rename(path)
    if old.exists():
        shutil.rmtree(old) if old.is_dir() else old.unlink()


def _write_dataset(masked, path: Path) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    masked.write.parquet(str(temporary))
    _replace_path(temporary, path)


def _write_csv(masked, path: Path, headers: str) -> None:
    """One CSV file, as `write.write_table` writes it, from partitions formatted on the executors."""
    from pyspark.sql import types as T

    from pipeline.write import atomic_path, safe_cells, to_chinese_headers

    chinese = headers == "zh"

    def format_rows(batches):
        for frame in batches:
            named = to_chinese_headers(frame) if chinese else frame
            text = safe_cells(named).to_csv(index=False, header=False, date_format="%Y-%m-%d %H:%M:%S",
                                           lineterminator="\r\n")
            yield pd.DataFrame({"chunk": [text]})

    header_frame = masked.limit(0).toPandas()
    header = safe_cells(to_chinese_headers(header_frame) if chinese else header_frame).to_csv(
        index=False, lineterminator="\r\n")
    chunks = masked.mapInPandas(format_rows, T.StructType([T.StructField("chunk", T.StringType())]))
    with atomic_path(path) as temporary:
        with open(temporary, "w", encoding="utf-8-sig", newline="") as handle:
            handle.write(header)
            for row in chunks.toLocalIterator():  # one partition's text on the driver at a time
                handle.write(row["chunk"])
