"""Each stage's CPU time of the whole process tree, for a `petition run` (either engine).

    python benchmarks/stage_cpu.py [--results ROWS.jsonl] [--label TEXT] [--actions LOG.tsv] -- RUN ARGUMENTS...
    e.g. python benchmarks/stage_cpu.py --actions /tmp/a.tsv -- DIR/letters --as-of 2020-02-01 --out OUT --engine spark

Why: run.json's `stage_cpu` is the driver's own CPU only, and on Spark most of the work is done by
the JVM and its Python workers. Those workers are forked by Spark's daemon, which never waits for
them, so their CPU reaches no parent's count: a /proc snapshot at stage boundaries misses every
worker that ended within the stage. Here a sampler reads every tree process's own user + sys time
every `interval` seconds and keeps each one's last value (a process that ends is short by at most
one interval), and the run's `[stage] ...` / `[stage] done` lines are timestamped as they arrive;
a stage's CPU is the tree's total at its end less the total at its start. `--actions` does the
same for every Spark action the pipeline calls (`benchmarks/action_log.py` names each by the
pipeline line that called it) and prints them by line, costliest first.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # the project root, not this folder: `pipeline` from this checkout
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import bisect  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from benchmarks._measure import PROJECT_DIR, _cpu_seconds, _rss_pss_kb, descendants, petition  # noqa: E402

STAGE_LINE = re.compile(r"^\[([^\]]+)\] (\.\.\.|done in )")


def stage_cpu(command: list[str], interval: float = 0.25, series: str | None = None,
              actions: str | None = None) -> dict:
    """Run `command`; per stage its wall and tree CPU seconds, and the whole run's. `series`: a
    file to write every sample to (epoch seconds, tree CPU seconds; one line each), so any other
    time window (a Spark job's, from its event log) can be priced the same way."""
    path = os.pathsep.join(p for p in (str(PROJECT_DIR), os.environ.get("PYTHONPATH", "")) if p)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=dict(os.environ, PYTHONPATH=path),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    marks: list[tuple[float, str, str]] = []  # (time, stage, "start" | "end")
    tail: list[str] = []

    def read() -> None:
        for line in process.stderr:
            found = STAGE_LINE.match(line)
            if found:
                marks.append((time.perf_counter() - started, found.group(1),
                              "start" if found.group(2) == "..." else "end"))
            tail[:] = (tail + [line])[-40:]

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen: dict[int, float] = {}
    times: list[float] = []
    totals: list[float] = []
    epoch0 = time.time() - (time.perf_counter() - started)
    tree_peak_kb = 0
    while process.poll() is None:
        tree_kb = 0
        for pid in [process.pid, *descendants(process.pid)]:
            seen[pid] = max(seen.get(pid, 0.0), _cpu_seconds(pid))
            tree_kb += _rss_pss_kb(pid)[1]
        tree_peak_kb = max(tree_peak_kb, tree_kb)
        times.append(time.perf_counter() - started)
        totals.append(sum(seen.values()))
        time.sleep(interval)
    reader.join(timeout=5)
    if series:
        with open(series, "w") as handle:
            handle.writelines(f"{epoch0 + t:.3f} {c:.2f}\n" for t, c in zip(times, totals))
    result_actions = _price_actions(actions, [epoch0 + t for t in times], totals) if actions else None

    def total_at(moment: float) -> float:
        return totals[max(0, bisect.bisect_right(times, moment) - 1)] if totals else 0.0

    stages, opened = {}, {}
    for moment, name, kind in marks:
        if kind == "start":
            opened[name] = moment
        elif name in opened:
            begin = opened.pop(name)
            stages[name] = {"wall": round(moment - begin, 1), "cpu": round(total_at(moment) - total_at(begin), 1)}
    return {"returncode": process.returncode, "wall": round(time.perf_counter() - started, 1),
            "cpu": round(totals[-1] if totals else 0.0, 1), "tree_mb": round(tree_peak_kb / 1024),
            "stages": stages,
            "before_first_stage_cpu": round(total_at(marks[0][0]), 1) if marks else None,
            "actions": result_actions, "stderr_tail": "".join(tail) if process.returncode else ""}


def _price_actions(log: str, epochs: list[float], totals: list[float]) -> list[dict]:
    """Per pipeline line: its actions' number, wall and tree CPU, costliest first."""
    def total_at(moment: float) -> float:
        return totals[max(0, bisect.bisect_right(epochs, moment) - 1)] if totals else 0.0

    by: dict[str, list] = {}
    with open(log, encoding="utf-8") as handle:
        for line in handle:
            start, end, site, name = line.rstrip("\n").split("\t")
            row = by.setdefault(f"{site} {name}", [0, 0.0, 0.0])
            row[0] += 1
            row[1] += float(end) - float(start)
            row[2] += total_at(float(end)) - total_at(float(start))
    return [{"site": k, "calls": v[0], "wall": round(v[1], 1), "cpu": round(v[2], 1)}
            for k, v in sorted(by.items(), key=lambda kv: -kv[1][2])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", help="append the row (JSON) to this file")
    parser.add_argument("--label", default="")
    parser.add_argument("--interval", type=float, default=0.25)
    parser.add_argument("--series", help="write the tree's CPU samples here (epoch s, CPU s per line)")
    parser.add_argument("--actions", help="log each Spark action here (benchmarks/action_log.py) and price it")
    parser.add_argument("run", nargs=argparse.REMAINDER, help="after --: the arguments of `petition run`")
    args = parser.parse_args()
    run_args = args.run[1:] if args.run[:1] == ["--"] else args.run
    load = os.getloadavg()[0]
    command = petition("run", *run_args)
    if args.actions:
        Path(args.actions).unlink(missing_ok=True)
        command = [sys.executable, "-m", "benchmarks.action_log", args.actions, "run", *run_args]
    row = stage_cpu(command, interval=args.interval, series=args.series, actions=args.actions)
    row.update(label=args.label, load_start=round(load, 1), load_end=round(os.getloadavg()[0], 1),
               started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - row["wall"])))
    for action in row.get("actions") or []:
        if action["cpu"] >= 1:
            print(f"{action['cpu']:7.1f} s CPU {action['wall']:7.1f} s wall {action['calls']:4d}x  {action['site']}")
    print(json.dumps(row, ensure_ascii=False))
    if args.results:
        with open(args.results, "a") as handle:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
