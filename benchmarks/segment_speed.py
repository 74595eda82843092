"""Tokenization throughput: plain `jieba.lcut` in one process versus the project's bulk path.

Run: .venv/bin/python benchmarks/segment_speed.py
Letters: hot_messages.xlsx + replies.xlsx from ../shared/data (title + text, ~7,100 letters).
Rows printed:
  plain jieba.lcut, 1 process              the reference
  project cut_all, plain dict, 2 processes same segmentation as the reference (tokens checked equal)
  project cut_all, petition dict, 2 proc.  what the pipeline uses (user dict, stop words, place codes)
"""
from __future__ import annotations

import os
import sys

# The project root, not this folder, first on the path: `pipeline` from this checkout.
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import time  # noqa: E402

import jieba  # noqa: E402

from pipeline.paths import SHARED_DATA_DIR  # noqa: E402
from pipeline.read import read_letters  # noqa: E402
from pipeline.tokenize import Tokenizer  # noqa: E402


def main() -> None:
    files = [SHARED_DATA_DIR / "hot_messages.xlsx", SHARED_DATA_DIR / "replies.xlsx"]
    if not all(f.exists() for f in files):
        sys.exit(f"needs the real letters in {SHARED_DATA_DIR}")
    letters = read_letters(files).letters
    texts = (letters["title"].fillna("") + " " + letters["text"].fillna("")).tolist()
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"{len(texts)} letters, {megabytes:.1f} MB of UTF-8 text, {len(set(texts))} distinct")

    plain = jieba.Tokenizer()
    plain.initialize()
    start = time.perf_counter()
    reference = [plain.lcut(t) for t in texts]
    base = time.perf_counter() - start

    rows = [("plain jieba.lcut, 1 process", base, None)]
    same_dict = Tokenizer(user_dict=None, stopwords=None, keep_place_codes=False)
    same_dict.jieba  # dictionary load is not part of the throughput
    start = time.perf_counter()
    ours = same_dict.cut_all(texts, n_jobs=2, keep_stopwords=True)
    elapsed = time.perf_counter() - start
    identical = ours == reference
    rows.append(("project cut_all, plain dict, 2 processes", elapsed, identical))

    full = Tokenizer()
    full.jieba
    start = time.perf_counter()
    full.cut_all(texts, n_jobs=2)
    rows.append(("project cut_all, petition dict, 2 processes", time.perf_counter() - start, None))

    print(f"{'path':46s} {'seconds':>8s} {'letters/s':>10s} {'MB/s':>6s} {'x plain':>8s}  tokens")
    for name, seconds, same in rows:
        note = "" if same is None else ("identical" if same else "DIFFERENT")
        print(f"{name:46s} {seconds:8.2f} {len(texts) / seconds:10.0f} {megabytes / seconds:6.2f} {base / seconds:8.2f}  {note}")


if __name__ == "__main__":
    main()
