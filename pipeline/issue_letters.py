"""An issue's letters as plain arrays: the counts, dates, writers and mixes of the issue table.

Why arrays and not a pandas frame per issue: a row of the issue table takes a dozen small
aggregates of its letters (writers, contacts, votes, first and last date, the representative
letter, the class and urgency mixes, the deep-seated evidence). On a frame per issue each took a
few pandas calls with a fixed cost of tens of microseconds, times tens of thousands of issues:
at 30,000 replicated letters that was more than half of clustering's 87 s, and the share grew with
the batch (issue 19). Here the columns are read once per batch and an issue is a list of
positions into them. Every figure is the one the frame version gave (`benchmarks/compare_outputs.py`
on every shared source, and the tests).
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from pipeline.heat import evidence_of, strings_or_none
from pipeline.issue_places import dates_in
from pipeline.places import place_columns

VOTE_COLUMNS = ("up_votes", "down_votes")


class IssueLetters:
    """The columns of a batch's clustered letters that the issue table reads, one entry per letter.

    `frame` needs letter_id, title, text, received_at and `_doc` (the distinct-text number);
    `_worded`, writer, votes, label / issue_type, urgency and the office's place columns are read when
    present. `writer_col` is the
    column that says who wrote (`cluster.writer_column`), None when no letter says."""

    def __init__(self, frame: pd.DataFrame, writer_col: str | None):
        cols = frame.columns
        self.letter_id = frame["letter_id"].tolist()
        self.title = frame["title"].tolist()
        self.text = frame["text"].tolist()
        self.doc = frame["_doc"].to_numpy()
        # `_worded`: the letter joined its issue by its wording alone (`IssueClusterer.absorb`)
        self.worded = frame["_worded"].to_numpy(bool) if "_worded" in cols else np.zeros(len(frame), bool)
        received = frame["received_at"]
        self.dates = received.to_numpy()
        # a letter's writer as a string, None without one; for contacts a letter without a writer
        # is its own writer (its row label), and without a writer column every letter is
        rows = pd.Series(frame.index.astype(str), index=frame.index)
        if writer_col:
            column = frame[writer_col]
            self.writer = strings_or_none(column)
            who = column.astype("string").fillna("§row" + rows)
        else:
            self.writer = None
            who = rows
        month = received.dt.to_period("M").astype("string").fillna("")
        self.contact = list(zip(who, month))
        self.votes = {v: pd.to_numeric(frame[v], errors="coerce").fillna(0).to_numpy() for v in VOTE_COLUMNS if v in cols}
        # 主要类别: per letter the class the office's own file gives it (its 一级分类, as routing uses
        # it) where it has one, else the classifier's
        kind = pd.Series(None, index=frame.index, dtype=object)
        for column in ("label", "issue_type"):
            if column in cols:
                kind = kind.fillna(frame[column].where(frame[column].astype(str).str.strip() != ""))
        self.kind = strings_or_none(kind)
        self.has_issue_type = "issue_type" in cols
        self.urgency = None
        if "urgency" in cols:
            self.urgency = strings_or_none(frame["urgency"])
        # the office's place columns (province, city …), cleaned once: column -> one cell per letter
        cells = place_columns(frame)
        self.place_cells = {column: cells[column].tolist() for column in cells.columns}

    def groups(self, labels: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """(issue, positions) for every issue label >= 0, issues ascending, each issue's letters in
        batch order (what `groupby("issue", sort=True)` gives)."""
        order = np.argsort(labels, kind="stable")
        ordered = labels[order]
        keep = ordered >= 0
        order, ordered = order[keep], ordered[keep]
        if not len(order):
            return []
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        return [(int(ordered[s]), pos) for s, pos in zip(starts, np.split(order, starts[1:]))]

    def n_writers(self, pos) -> int:
        """Distinct writers; without a writer column every letter is its own."""
        if self.writer is None:
            return len(pos)
        return len({w for w in (self.writer[p] for p in pos) if w is not None})

    def n_contacts(self, pos) -> int:
        """Distinct (writer, calendar month) pairs: a writer who comes back in another month counts
        again; a letter without a date counts once per writer (without a writer, once per letter)."""
        return len({self.contact[p] for p in pos})

    def vote_sums(self, pos) -> dict[str, float]:
        return {v: float(self.votes[v][pos].sum()) if v in self.votes else 0.0 for v in VOTE_COLUMNS}

    def date_range(self, pos) -> tuple:
        """(first, last) date of the letters at `pos`; without a date column the dates the letters
        themselves write (时间范围 never empty while a letter writes one); NaT without either."""
        dates = self.dates[pos]
        dates = dates[~np.isnat(dates)]
        if not len(dates):
            written = [d for p in pos for d in dates_in(self.title[p] + "。" + self.text[p])]
            dates = pd.Series(written, dtype="datetime64[ns]").to_numpy()
        if not len(dates):
            return pd.NaT, pd.NaT
        return pd.Timestamp(dates.min()), pd.Timestamp(dates.max())

    def representative(self, pos, doc: int) -> int:
        """The position of the earliest letter with distinct text `doc` (the first letter if none
        has it); ties and letters without a date ordered as `sort_values` orders them."""
        rows = pos[self.doc[pos] == doc]
        if not len(rows):
            return int(pos[0])
        dates = self.dates[rows]
        dated = ~np.isnat(dates)
        if dated.any():
            return int(rows[dated][np.argsort(dates[dated].astype(np.int64), kind="quicksort")[0]])
        return int(rows[0])

    def top_kind(self, pos) -> tuple[bool, str | None]:
        """(whether the table has the column, the most frequent class; ties: the first by sort)."""
        kinds = Counter(k for k in (self.kind[p] for p in pos) if k is not None)
        if not kinds and not self.has_issue_type:
            return False, None
        if not kinds:
            return True, None
        most = max(kinds.values())
        return True, min(k for k, n in kinds.items() if n == most)

    def urgency_mix(self, pos) -> str | None:
        """`紧急:2; 一般:5`, most frequent first (ties in order of first letter); None without the column."""
        if self.urgency is None:
            return None
        mix = Counter(u for u in (self.urgency[p] for p in pos) if u is not None)
        return "; ".join(f"{k}:{v}" for k, v in sorted(mix.items(), key=lambda kv: -kv[1]))

    def evidence(self, pos) -> dict:
        """The deep-seated evidence (`heat.evidence_of`) of the letters at `pos`, from their own dates."""
        writers = None
        if self.writer is not None:
            writers = [self.writer[p] for p in pos]
            if all(w is None for w in writers):  # a writer column none of these letters fills
                writers = None
        return evidence_of(self.dates[pos], writers)
