"""Mine candidate petition-domain terms from the real letters for the jieba user dictionary.

Why: plain jieba splits many words of the trade (息诉罢访, 油烟扰民, 不动产证 ...). A word that
recurs often, whose characters stick together (high pointwise mutual information) and which
appears in varied contexts on both sides (high left/right branching entropy) is a word the letters
use, whatever jieba's general dictionary says. This script ranks such strings; a person then reviews
the list by hand (``petition_userdict.txt`` is the reviewed result, never this output verbatim).

Deterministic: no randomness is used except the seeded sample of letters (``--sample``).

    .venv/bin/python corpora/dict/build_candidates.py mine --out /tmp/candidates.csv
    .venv/bin/python corpora/dict/build_candidates.py tune   # recompute the frequency column

``tune`` gives each user-dictionary word the smallest frequency that keeps it whole when it is cut
on its own (jieba's ``suggest_freq``), re-checked with the whole dictionary loaded so that a long term
is not split by a shorter term of ours. The smallest sufficient frequency is deliberate: a larger one
makes the term win where its characters belong to neighbouring words (收房|租 instead of 收|房租).
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


def load_texts(data_dir: Path = DATA_DIR, columns=("留言主题", "留言详情", "答复意见")) -> list[str]:
    """Titles, letter bodies and official replies from the shared files, deduplicated.

    Mining reads all three (replies use the office's own terms); measuring reads only letters."""
    texts: list[str] = []
    for name in ("hot_messages.xlsx", "replies.xlsx", "unlabeled_messages.xlsx", "labeled_sample.xlsx"):
        path = data_dir / name
        if not path.exists():
            continue
        df = pd.read_excel(path)
        for col in columns:
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
    df["score"] = (df["pmi"].clip(lower=0) * df["min_entropy"].clip(lower=0)
                   * df["count"].map(math.log))
    df.loc[df["suffix_hit"], "score"] *= 1.5  # complaint-object suffixes first
    return df.sort_values(["score", "term"], ascending=[False, True])


USERDICT = HERE / "petition_userdict.txt"
USERDICT_LINE = re.compile(r"^(\S+?)(?: (\d+))?(?: ([a-z]+))?$")


def read_userdict(path: Path = USERDICT) -> list[tuple[str, int | None, str | None]]:
    """Entries of a jieba user dictionary as (word, freq or None, pos or None), in file order."""
    entries = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        m = USERDICT_LINE.match(line)
        if not m:
            raise ValueError(f"{path}:{n}: expected 'word [freq] [pos]', got {line!r}")
        word, freq, pos = m.groups()
        entries.append((word, int(freq) if freq else None, pos))
    return entries


def tune(entries: list[tuple[str, int | None, str | None]], rounds: int = 5) -> list[tuple[str, int, str | None]]:
    """Smallest frequency per word that keeps it whole, given jieba's dictionary and all our words."""
    base = jieba.Tokenizer()
    base.initialize()
    freq = {w: max(1, base.suggest_freq(w, False)) for w, _, _ in entries}
    for _ in range(rounds):
        tk = jieba.Tokenizer()
        tk.initialize()
        for w, _, pos in entries:
            tk.add_word(w, freq[w], pos)
        bumped = 0
        for w, _, _ in entries:
            if tk.lcut(w, HMM=False) != [w] or tk.lcut(w, HMM=True) != [w]:
                freq[w] = max(freq[w] + 1, tk.suggest_freq(w, False))
                bumped += 1
        if not bumped:
            break
    return [(w, freq[w], pos) for w, _, pos in entries]


def dict_tokenizer(path: Path = USERDICT) -> jieba.Tokenizer:
    """A fresh jieba tokenizer with the user dictionary; the global jieba is left untouched."""
    tk = jieba.Tokenizer()
    tk.load_userdict(str(path))
    return tk


def changed_spots(text: str, plain: list[str], mine_: list[str]) -> list[tuple[int, int]]:
    """Minimal character spans where the two segmentations disagree (boundaries differ inside)."""
    def bounds(toks):
        out, i = {0}, 0
        for t in toks:
            i += len(t)
            out.add(i)
        return out
    a, b = bounds(plain), bounds(mine_)
    common = sorted(a & b)
    return [(x, y) for x, y in zip(common, common[1:])
            if any(x < z < y for z in (a | b))]


def measure(texts: list[str], n: int, review: int, path: Path = USERDICT):
    """Segment a seeded sample plainly and with the dictionary; count and sample the differences."""
    rng = random.Random(SEED)
    sample = rng.sample(texts, min(n, len(texts)))
    plain = jieba.Tokenizer()
    tk = dict_tokenizer(path)
    rows, n_plain, n_dict, n_plain_changed = [], 0, 0, 0
    for i, text in enumerate(sample):
        p, d = plain.lcut(text), tk.lcut(text)
        n_plain += len(p)
        n_dict += len(d)
        for x, y in changed_spots(text, p, d):
            def seg(toks):
                out, j = [], 0
                for t in toks:
                    if x <= j and j + len(t) <= y:
                        out.append(t)
                    j += len(t)
                return "/".join(out)
            ps = seg(p)
            n_plain_changed += ps.count("/") + 1
            rows.append({"letter": i, "context": text[max(0, x - 8):y + 8], "span": text[x:y],
                         "plain": ps, "dict": seg(d)})
    spots = pd.DataFrame(rows)
    picked = spots.sample(min(review, len(spots)), random_state=SEED) if len(spots) else spots
    stats = {"letters": len(sample), "chars": sum(map(len, sample)), "plain_tokens": n_plain,
             "dict_tokens": n_dict, "changed_spots": len(spots), "plain_tokens_changed": n_plain_changed,
             "letters_changed": spots["letter"].nunique() if len(spots) else 0}
    return stats, spots, picked


def write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; shipped files must be readable by all
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("mine", help="rank candidate terms from the real letters")
    m.add_argument("--data", type=Path, default=DATA_DIR)
    m.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "petition_candidates.csv")
    m.add_argument("--sample", type=int, default=0, help="mine a seeded sample of N texts (0 = all)")
    m.add_argument("--min-count", type=int, default=8)
    m.add_argument("--min-pmi", type=float, default=3.0)
    m.add_argument("--min-entropy", type=float, default=1.0)
    m.add_argument("--new-only", action="store_true", help="leave out words already in the user dict")
    t = sub.add_parser("tune", help="recompute the frequency column of the user dictionary")
    t.add_argument("--userdict", type=Path, default=USERDICT)
    me = sub.add_parser("measure", help="compare plain jieba with the dictionary on real letters")
    me.add_argument("--data", type=Path, default=DATA_DIR)
    me.add_argument("--n", type=int, default=2000)
    me.add_argument("--review", type=int, default=100, help="seeded sample of changed spots to read")
    me.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "petition_changes.csv")
    args = ap.parse_args(argv)
    if args.cmd == "measure":
        texts = [t for t in load_texts(args.data, columns=("留言详情",)) if len(t) >= 50]
        stats, spots, picked = measure(texts, args.n, args.review)
        for k, v in stats.items():
            print(f"{k}: {v}")
        write_atomic(args.out, picked.to_csv(index=False))
        print(f"{len(picked)} changed spots to review -> {args.out}", file=sys.stderr)
        return 0
    if args.cmd == "tune":
        entries = tune(read_userdict(args.userdict))
        write_atomic(args.userdict, "".join(
            f"{w} {f} {p}\n" if p else f"{w} {f}\n" for w, f, p in entries))
        print(f"{len(entries)} words tuned -> {args.userdict}", file=sys.stderr)
        return 0
    texts = load_texts(args.data)
    if args.sample:
        texts = random.Random(SEED).sample(texts, min(args.sample, len(texts)))
    print(f"{len(texts)} texts", file=sys.stderr)
    df = annotate(mine(texts, min_count=args.min_count))
    df = df[(df["pmi"] >= args.min_pmi) & (df["min_entropy"] >= args.min_entropy)]
    if args.new_only and USERDICT.exists():
        df = df[~df["term"].isin({w for w, _, _ in read_userdict()})]
    write_atomic(args.out, df.round(3).to_csv(index=False))
    print(f"{len(df)} candidates -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
