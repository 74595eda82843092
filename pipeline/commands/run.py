"""`petition run`: the morning job, from letters to triage.xlsx and report.html."""
from __future__ import annotations

from pathlib import Path

from pipeline.commands._inputs import add_headers_argument, add_input_arguments, report_problems
from pipeline.config import load_settings
from pipeline.read import parse_column_map


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="the whole job: classify, grade, route, link, find hot issues, rank; write triage.xlsx and report.html",
        description="Run every stage on the letters (default: the bundled sample corpus) and write to DIR: "
                    "letters.parquet, letters.csv, triage.xlsx, report.html, rejects.csv, run.json.",
    )
    add_input_arguments(parser, required=False)
    parser.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    parser.add_argument("--store", metavar="PATH", help="case store kept across runs: DuckDB file (default: DIR/cases.duckdb); "
                        "with --engine spark a Parquet dataset folder (default: DIR/cases.parquet)")
    parser.add_argument("--model", metavar="DIR", help="issue-type model (default: the config's, models/default)")
    parser.add_argument("--config", metavar="FILE", help="settings TOML over corpora/config/default.toml")
    add_headers_argument(parser, default=None)  # None: the config's [run] headers
    parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="date the run is as of (default: config, else today)")
    parser.add_argument("--engine", choices=("local", "spark"), default="local",
                        help="local: one process (default); spark: Apache Spark (needs the spark extra and Java 17)")
    parser.add_argument("--spark-master", default="local[2]", metavar="URL",
                        help="with --engine spark: local[N], spark://host:port or yarn (default: local[2])")
    parser.add_argument("--spark-driver-memory", metavar="SIZE",
                        help="with --engine spark: the driver's heap, e.g. 6g (in local[N] mode it is the executor too; "
                             "default: the config's [spark] driver_memory, else Spark's 1g)")
    parser.add_argument("--spark-executor-memory", metavar="SIZE",
                        help="with --engine spark on a cluster: each executor's heap, e.g. 16g "
                             "(default: the config's [spark] executor_memory, else Spark's 1g)")
    parser.set_defaults(func=run)


def run_settings(args):
    """The config with this command's flags over it (a flag left out keeps the config's value)."""
    settings = load_settings(args.config)
    if args.as_of:
        settings.values["run"]["as_of"] = args.as_of
    if args.headers:
        settings.values["run"]["headers"] = args.headers
    for key in ("driver_memory", "executor_memory"):
        value = getattr(args, f"spark_{key}", None)
        if value:
            settings.values["spark"][key] = value
    return settings


def run(args) -> int:
    from pipeline.run import PetitionRun

    settings = run_settings(args)
    options = {"encoding": args.encoding, "sheet": args.sheet, "column_map": parse_column_map(args.map),
               "simplify": args.simplified}
    if getattr(args, "engine", "local") == "spark":
        from pipeline.spark_engine import SparkRun

        job = SparkRun(settings, store=args.store, model=args.model, master=args.spark_master)
        counts = job.run(args.inputs or None, args.out, read_options=options)["counts"]
    else:
        job = PetitionRun(settings, store=args.store, model=args.model)
        counts = job.run(args.inputs or None, args.out, read_options=options).info["counts"]
    empty = f", {counts['no_request']} calls with no request (not clustered, not reviewed)" if counts.get("no_request") else ""
    print(f"{counts['letters']} letters ({counts['rejects']} rejected): {counts['urgent']} urgent, "
          f"{counts['backlog']} overdue (积案), {counts['issues']} hot issues, {counts['cases']} cases{empty}")
    out = Path(args.out)
    for name in ("triage.xlsx", "report.html", "letters.csv", "rejects.csv", "run.json"):
        print(f"  {out / name}")
    return 0
