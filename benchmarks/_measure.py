"""Time a command and sample the memory of its whole process tree (Linux /proc), for run.py and scale.py.

Why a sampler and not only `ru_maxrss`: the kernel keeps the exact peak of each process, but
reports to the parent only the largest one; workers forked by the main process (or Spark's JVM
and its Python workers) add up. Every `interval` seconds this reads /proc for the command and
all its descendants: RSS of the main process, the largest other process, and the tree's total
PSS (proportional set size: pages shared between forked workers are counted once, as the
machine pays them). A sampler can miss a peak shorter than `interval`; the exact `ru_maxrss`
of the largest process is printed beside it.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # the project root, not this folder: `pipeline` from this checkout
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import os  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parents[1]


@dataclass
class Measurement:
    returncode: int
    wall: float  # seconds
    cpu: float  # user + sys seconds of the tree (see `measure`)
    main_peak_mb: float  # sampled RSS of the command's own process
    worker_peak_mb: float  # sampled RSS of the largest descendant (0 when it had none)
    tree_peak_mb: float  # sampled total PSS of the tree at one instant
    max_rss_mb: float  # exact peak RSS of the largest single process (kernel's ru_maxrss)
    stderr: str = ""

    def memory(self) -> str:
        return (f"main {self.main_peak_mb:.0f} MB, largest worker {self.worker_peak_mb:.0f} MB, "
                f"tree {self.tree_peak_mb:.0f} MB (PSS); exact largest process {self.max_rss_mb:.0f} MB")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])  # the name may hold spaces and parentheses
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def descendants(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cpu_seconds(pid: int) -> float:
    """The process's own user + sys time so far (not its reaped children's)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _rss_pss_kb(pid: int) -> tuple[int, int]:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            fields = dict(line.split(":", 1) for line in handle if line[:4] in ("Rss:", "Pss:"))
    except (OSError, ValueError):
        return 0, 0
    return int(fields.get("Rss", "0 kB").split()[0]), int(fields.get("Pss", "0 kB").split()[0])


def measure(command: list[str], env: dict | None = None, interval: float = 0.5, cwd: Path = PROJECT_DIR,
            echo_stderr: bool = False) -> Measurement:
    """Run `command`, sampling its process tree until it ends.

    CPU time is the larger of the kernel's count for the command and the descendants it reaped
    (exact, but blind to a process nobody waits for, such as Spark's JVM once the driver exits)
    and the sum of every tree process's own time as last sampled (short by at most `interval`
    per process).
    """
    # this checkout first; a PYTHONPATH already set (e.g. a folder holding rjieba) stays after it
    path = os.pathsep.join(p for p in (str(PROJECT_DIR), os.environ.get("PYTHONPATH", "")) if p)
    environment = dict(os.environ, PYTHONPATH=path, **(env or {}))
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=subprocess.DEVNULL,
                               stderr=None if echo_stderr else subprocess.PIPE, text=True)
    main_peak = worker_peak = tree_peak = 0
    stderr_lines: list[str] = []
    cpu_seen: dict[int, float] = {}
    if process.stderr is not None:  # read stderr in the background so a chatty run never blocks on the pipe
        import threading

        reader = threading.Thread(target=lambda: stderr_lines.extend(process.stderr), daemon=True)
        reader.start()
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)  # wait4: this command's own rusage
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            break
        main_rss, main_pss = _rss_pss_kb(process.pid)
        total = main_pss
        cpu_seen[process.pid] = _cpu_seconds(process.pid)
        for pid in descendants(process.pid):
            rss, pss = _rss_pss_kb(pid)
            cpu_seen[pid] = max(cpu_seen.get(pid, 0.0), _cpu_seconds(pid))
            worker_peak = max(worker_peak, rss)
            total += pss
        main_peak, tree_peak = max(main_peak, main_rss), max(tree_peak, total)
        time.sleep(interval)
    wall = time.perf_counter() - started
    if process.stderr is not None:
        reader.join(timeout=5)
    cpu = max(usage.ru_utime + usage.ru_stime, sum(cpu_seen.values()))
    return Measurement(process.returncode, wall, cpu, main_peak / 1024,
                       worker_peak / 1024, tree_peak / 1024, usage.ru_maxrss / 1024, "".join(stderr_lines))


def petition(*arguments: str) -> list[str]:
    """The `petition` CLI of this checkout (`python -m pipeline`), whatever is installed in the venv."""
    return [sys.executable, "-m", "pipeline", *arguments]
