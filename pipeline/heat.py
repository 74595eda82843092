"""Heat index and deep-seated evidence for issues (groups of letters about one problem).

Heat index (an absolute score, comparable across batches and offices):

    heat = 10 * (0.35*ln(1+letters) + 0.40*ln(1+writers) + 0.25*ln(1+votes))
              * (0.55 + 0.45*recency) * (0.85 + 0.15*concentration)

- writers weigh most: forty people writing once is a wider problem than one person writing forty
  times (that is a repeat petition, which the linker and the deep-seated flag capture instead);
  letters still count, because repetition shows the problem is not solved.
- votes (点赞 + 反对) are public attention on the message board; logarithms on all three keep one
  viral letter or one campaign from drowning everything else.
- recency = 0.5 ** (days since the issue's last letter / 90): an issue nobody wrote about for a
  quarter is half as hot; it never drops below 55% of its size, because old unsolved problems stay
  on the leader's list.
- concentration = share of the issue's letters in its busiest 30 days: a burst (a new plant, a
  sales rule) needs action now; it moves the score by at most 15%.

Deep-seated (深层次问题): letters keep coming over a long span, in waves, from many people:
- core span >= 90 days (5th to 95th percentile of the dates once there are 10 letters, so one
  stray letter does not make a campaign long-running), active in >= 3 calendar months;
- no 30-day burst holding more than 60% of the letters (a one-off campaign is hot, not deep);
- >= 2 waves (a quiet month between active months) and >= 5 letters;
- >= 3 writers, or a writer who came back (重复信访: one person's unresolved case is a 积案).
The evidence (span, core span, active months, waves, burst share, writers, repeat writers) is
kept beside the flag so an analyst can check it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

RECENCY_HALF_LIFE_DAYS = 90
DEEP_MIN_SPAN_DAYS = 90
DEEP_MIN_ACTIVE_MONTHS = 3
DEEP_MIN_WRITERS = 3
DEEP_MAX_PEAK_SHARE = 0.6
DEEP_MIN_LETTERS = 5


def deep_seated_evidence(dates: pd.Series, writers: pd.Series | None = None) -> dict:
    """Span, active months, waves, repeat writers, burst share and the deep_seated flag."""
    dates = pd.to_datetime(pd.Series(dates), errors="coerce").dropna().sort_values()
    if dates.empty:
        return {"span_days": 0, "core_span_days": 0, "active_months": 0, "waves": 0, "repeat_writers": 0,
                "peak_30d_share": 1.0, "deep_seated": False, "deep_evidence": "无日期"}
    span = int((dates.iloc[-1] - dates.iloc[0]).days)
    # the core span ignores the earliest and latest 5% of letters once there are enough of them,
    # so one stray letter months before a campaign does not make the campaign "long-running"
    core = span if len(dates) < 10 else int((dates.quantile(0.95) - dates.quantile(0.05)).days)
    months = sorted(set(dates.dt.to_period("M")))
    waves = 1 + sum(1 for a, b in zip(months, months[1:]) if (b - a).n > 1)
    repeat = 0
    n_writers = None
    if writers is not None and len(writers):
        counts = pd.Series(writers).dropna().astype(str).value_counts()
        repeat = int((counts >= 2).sum())
        n_writers = int(len(counts))
    # busiest 30 days: two-pointer over sorted dates
    values = dates.to_numpy()
    best, left = 1, 0
    for right in range(len(values)):
        while values[right] - values[left] > np.timedelta64(30, "D"):
            left += 1
        best = max(best, right - left + 1)
    peak = best / len(values)
    many = n_writers is None or n_writers >= DEEP_MIN_WRITERS
    sustained = core >= DEEP_MIN_SPAN_DAYS and len(months) >= DEEP_MIN_ACTIVE_MONTHS and peak <= DEEP_MAX_PEAK_SHARE
    deep = sustained and waves >= 2 and len(dates) >= DEEP_MIN_LETTERS and (many or repeat >= 1)
    evidence = f"跨度{span}天 (主体{core}天), 活跃{len(months)}个月, {waves}波, 最集中30天占{peak:.0%}"
    if n_writers is not None:
        evidence += f", 来信人{n_writers}, 重复来信人{repeat}"
    return {"span_days": span, "core_span_days": core, "active_months": len(months), "waves": waves, "repeat_writers": repeat,
            "peak_30d_share": round(peak, 3), "deep_seated": bool(deep), "deep_evidence": evidence}


def heat_scores(info: pd.DataFrame, ref_date=None) -> pd.Series:
    """Heat index per issue row (needs n_letters, n_writers, last_date; votes and peak optional)."""
    letters = info["n_letters"].astype(float)
    writers = info.get("n_writers", letters).astype(float)
    votes = info.get("up_votes", 0) + info.get("down_votes", 0)
    votes = pd.Series(votes, index=info.index).astype(float).fillna(0).clip(lower=0)
    last = pd.to_datetime(info.get("last_date"), errors="coerce")
    ref = pd.to_datetime(ref_date) if ref_date is not None else last.max()
    age = (ref - last).dt.days.fillna(365).clip(lower=0)
    recency = 0.5 ** (age / RECENCY_HALF_LIFE_DAYS)
    concentration = info.get("peak_30d_share", pd.Series(1.0, index=info.index)).astype(float)
    size = 0.35 * np.log1p(letters) + 0.40 * np.log1p(writers) + 0.25 * np.log1p(votes)
    heat = 10 * size * (0.55 + 0.45 * recency) * (0.85 + 0.15 * concentration)
    return heat.round(2)
