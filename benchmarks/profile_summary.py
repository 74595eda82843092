"""Where a `petition run` spends its time, stage by stage, from a cProfile file.

Run:
  python -m cProfile -o run.prof -m pipeline run INPUTS... --as-of 2020-02-01 --out OUT
  python benchmarks/profile_summary.py run.prof [--top 8]

Why from a profile and not by guess (issue 19): each stage's entry is a function that
`StageTimer._stage` calls (read, each stage's transform, the store's save, the write); below each,
the functions it reaches, ranked by cumulative time. Limits: cProfile sees this process only (work
done in forked workers shows as the wait for them: `concurrent.futures` / `_thread.lock`), its
clock is the wall clock (on a busy machine every figure is inflated alike), and a
function reached from two stages shows its whole cumulative time under both (pandas internals).
The run's own stage times are in OUT/run.json.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # the project root, not this folder: `pipeline` from this checkout
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import linecache  # noqa: E402
import pstats  # noqa: E402
import re  # noqa: E402

ENTRY_CALLER = ("timing.py", "_stage")


def label(func: tuple) -> str:
    path, line, name = func
    if path == "~":
        return name
    owner = ""
    for k in range(line, 0, -1):  # the class a method is defined in, for `transform`s
        match = re.match(r"class (\w+)", linecache.getline(path, k))
        if match:
            owner = match.group(1) + "."
            break
        if re.match(r"(def|@)", linecache.getline(path, k)) and k < line:
            break
    short = "/".join(path.split("/")[-2:])
    return f"{owner}{name} ({short}:{line})"


def descendants(stats: pstats.Stats, root: tuple) -> set[tuple]:
    """What `root` reaches through the project's own functions: a library function (pandas,
    sklearn) is listed but not walked into, since cProfile merges its callees from every caller
    (a `Series.map` reaches whatever any stage ever mapped)."""
    callees = stats.all_callees
    seen, todo = set(), [root]
    while todo:
        for child in callees.get(todo.pop(), {}):
            if child not in seen:
                seen.add(child)
                if "/pipeline/" in child[0]:
                    todo.append(child)
    seen.discard(root)
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profile")
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    stats = pstats.Stats(args.profile, stream=sys.stdout)
    stats.calc_callees()
    table = stats.stats  # func -> (calls, primitive calls, tottime, cumtime, callers)
    total = max(v[3] for v in table.values())
    entries = [f for f in table if f[0].endswith(ENTRY_CALLER[0]) and f[2] == ENTRY_CALLER[1]]
    stages = sorted({c for e in entries for c in stats.all_callees.get(e, {}) if table[c][3] >= 0.5},
                    key=lambda f: -table[f][3])
    print(f"profile {args.profile}: {total:.1f} s in this process (workers not included)")
    for stage in stages:
        print(f"\n{label(stage)}: {table[stage][3]:.1f} s cumulative")
        # below the stage only: a function the call graph also reaches from above (exec, imports)
        # has more time than the stage and is left out
        below = [f for f in descendants(stats, stage) if table[f][3] < table[stage][3]]
        ranked = sorted(below, key=lambda f: -table[f][3])[:args.top]
        for func in ranked:
            calls, _, own, cumulative, _ = table[func]
            print(f"  {cumulative:7.1f} s cum {own:7.1f} s own {calls:9d} calls  {label(func)}")


if __name__ == "__main__":
    main()
