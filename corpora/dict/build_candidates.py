"""Mine candidate petition-domain terms from the real letters for the jieba user dictionary.

Why: plain jieba splits many words of the trade (息诉罢访, 油烟扰民, 不动产证 ...). A word that
recurs often, whose characters stick together (high pointwise mutual information) and which
appears in varied contexts on both sides (high left/right branching entropy) is a word the letters
use, whatever jieba's general dictionary says. This script ranks such strings; a person then reviews
the list by hand (``petition_userdict.txt`` is the reviewed result, never this output verbatim).

Deterministic: no randomness is used except the seeded sample of letters (``--sample``).

    .venv/bin/python corpora/dict/build_candidates.py --out /tmp/candidates.csv
"""
from __future__ import annotations

import argparse
import math
import os
import random
import re
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import jieba
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE.parents[2] / "shared" / "data" / "tipdm2020c"
SEED = 20200
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Suffixes that make a compound a thing a letter complains about or asks for.
SUFFIXES = ("费", "证", "房", "补偿", "补贴", "款", "金", "险", "扰民", "隐患", "污染", "问题",
            "安置", "改造", "拆迁", "纠纷", "手续", "政策", "待遇", "保障", "工资", "违建")
# Strings ending like this are specific places or organisations, not domain terms.
PLACE_ENDINGS = ("小区", "花园", "苑", "家园", "公寓", "大厦", "广场", "新城", "路", "街", "村", "镇",
                 "乡", "县", "区", "市", "省", "组", "社区", "街道", "公司", "中学", "小学", "学校",
                 "医院", "幼儿园", "集团", "银行")


def load_texts(data_dir: Path = DATA_DIR) -> list[str]:
    """All letter bodies (title + detail, and official replies) from the shared files, deduplicated."""
    texts: list[str] = []
    for name in ("hot_messages.xlsx", "replies.xlsx", "unlabeled_messages.xlsx", "labeled_sample.xlsx"):
        path = data_dir / name
        if not path.exists():
            continue
        df = pd.read_excel(path)
        for col in ("留言主题", "留言详情", "答复意见"):
            if col in df:
                texts.extend(str(t) for t in df[col].dropna())
    raw = data_dir / "labeled_raw.csv"
    if raw.exists():
        texts.extend(str(t) for t in pd.read_csv(raw)["text"].dropna())
    seen: set[str] = set()
    out = []
    for t in texts:
        t = re.sub(r"\s+", " ", t).strip()
        if t and t not in seen:
            seen.add(t)
            out.append(t)
    return out


def entropy(counter: Counter) -> float:
    total = sum(counter.values())
    return -sum(c / total * math.log(c / total) for c in counter.values()) if total else 0.0


def mine(texts: list[str], min_n: int = 2, max_n: int = 6, min_count: int = 8) -> pd.DataFrame:
    """Rank CJK n-grams by frequency, cohesion (min PMI over split points) and branching entropy."""
    runs = [r for t in texts for r in CJK_RUN.findall(t)]
    counts: Counter = Counter()
    for r in runs:
        for n in range(1, max_n + 2):
            for i in range(len(r) - n + 1):
                counts[r[i:i + n]] += 1
    total_chars = sum(v for k, v in counts.items() if len(k) == 1)
    keep = {k for k, v in counts.items() if min_n <= len(k) <= max_n and v >= min_count}
    left: dict[str, Counter] = defaultdict(Counter)
    right: dict[str, Counter] = defaultdict(Counter)
    for r in runs:
        padded = "^" + r + "$"
        for n in range(min_n, max_n + 1):
            for i in range(1, len(padded) - n):
                g = padded[i:i + n]
                if g in keep:
                    left[g][padded[i - 1]] += 1
                    right[g][padded[i + n]] += 1
    rows = []
    for g in keep:
        c = counts[g]
        p = c / total_chars
        pmi = min(math.log(p / ((counts[g[:k]] / total_chars) * (counts[g[k:]] / total_chars)))
                  for k in range(1, len(g)))
        rows.append((g, c, pmi, entropy(left[g]), entropy(right[g])))
    df = pd.DataFrame(rows, columns=["term", "count", "pmi", "left_entropy", "right_entropy"])
    df["min_entropy"] = df[["left_entropy", "right_entropy"]].min(axis=1)
    return df


def annotate(df: pd.DataFrame) -> pd.DataFrame:
    """Add how plain jieba cuts each candidate and drop what jieba already keeps whole."""
    tk = jieba.Tokenizer()  # fresh tokenizer: never touch the global one
    tk.initialize()
    df = df.copy()
    df["plain_tokens"] = df["term"].map(lambda t: "/".join(tk.lcut(t, HMM=True)))
    df["in_jieba_dict"] = df["term"].map(lambda t: t in tk.FREQ and tk.FREQ[t] > 0)
    df["suffix_hit"] = df["term"].map(lambda t: t.endswith(SUFFIXES))
    df["place_like"] = df["term"].map(lambda t: t.endswith(PLACE_ENDINGS))
    df = df[~df["in_jieba_dict"] & ~df["place_like"]]
    df = df[df["plain_tokens"].str.contains("/")]
    # A candidate whose parts are all single characters is usually a grammar fragment (的/了/在 ...).
    df["score"] = (df["pmi"].clip(lower=0) * df["min_entropy"].clip(lower=0)
                   * df["count"].map(math.log))
    df.loc[df["suffix_hit"], "score"] *= 1.5  # complaint-object suffixes first
    return df.sort_values(["score", "term"], ascending=[False, True])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA_DIR)
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "petition_candidates.csv")
    ap.add_argument("--sample", type=int, default=0, help="mine a seeded sample of N texts (0 = all)")
    ap.add_argument("--min-count", type=int, default=8)
    ap.add_argument("--min-pmi", type=float, default=3.0)
    ap.add_argument("--min-entropy", type=float, default=1.0)
    args = ap.parse_args(argv)
    texts = load_texts(args.data)
    if args.sample:
        texts = random.Random(SEED).sample(texts, min(args.sample, len(texts)))
    print(f"{len(texts)} texts", file=sys.stderr)
    df = annotate(mine(texts, min_count=args.min_count))
    df = df[(df["pmi"] >= args.min_pmi) & (df["min_entropy"] >= args.min_entropy)]
    fd, tmp = tempfile.mkstemp(dir=args.out.parent, suffix=".tmp")
    os.close(fd)
    df.round(3).to_csv(tmp, index=False)
    os.replace(tmp, args.out)
    print(f"{len(df)} candidates -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
