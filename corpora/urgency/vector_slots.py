"""Do word vectors widen the urgency word classes usefully? (issue 14's suggestion, measured)

Run: PYTHONPATH=$PWD:/path/to/gensim .venv/bin/python corpora/urgency/vector_slots.py [--k 8] [--min-sim 0.6] [--ablate]
(needs ../shared/data and gensim, e.g. `pip install --target /tmp/gslib --no-deps gensim smart_open wrapt`)

gensim is not a dependency of the project: this is an offline experiment (not in benchmarks/, which
`make benchmarks` runs whole). It
1. segments every distinct shared letter (all sources) with the project's tokenizer and trains
   word2vec on them (skip-gram, fixed seed, one worker: the same vectors on every run);
2. for each word class (`slot` rows of `corpora/urgency/compose.csv`) takes the vocabulary words the
   class's own pattern matches whole as seeds, and proposes the nearest words to their centroid
   (cosine >= --min-sim, at most --k per class) that the class does not match yet;
3. grades every labelled letter with the shipped classes and with the widened ones, and prints 紧急
   recall / precision per group of splits: the development splits (whose errors the classes were
   written from) and the blind splits blind4-32 (first looks stored; the classes were revised on
   some of their errors up to blind21, none since blind22).
The proposals are printed per class, so a person can judge them word by word.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path[0] = str(Path(__file__).resolve().parents[2])

import argparse  # noqa: E402
import csv  # noqa: E402
import re  # noqa: E402
import tempfile  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks.urgency import SPLITS, all_shared_letters, load_gold  # noqa: E402
from pipeline.tokenize import Tokenizer  # noqa: E402
from pipeline.urgency import COMPOSE_PATH, UrgencyGrader  # noqa: E402

HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,6}$")
BLIND = tuple(f"blind{i}" for i in range(4, 33))
UNTOUCHED = tuple(f"blind{i}" for i in range(22, 33))


def train_vectors(texts: list[str], seed: int = 1):
    from gensim.models import Word2Vec

    tokenizer = Tokenizer(stopwords=None)
    sentences = [[t for t in tokenizer.segment(text) if t.strip()] for text in texts]
    return Word2Vec(sentences, vector_size=100, window=5, min_count=5, sg=1, negative=10, epochs=10,
                    seed=seed, workers=1).wv


def slot_patterns(path: Path) -> dict[str, re.Pattern]:
    parts: dict[str, list[str]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if (row.get("kind") or "").strip() == "slot":
                parts.setdefault(row["name"].strip(), []).append(f"(?:{row['pattern'].strip()})")
    return {name: re.compile("|".join(p)) for name, p in parts.items()}


def propose(wv, slots: dict[str, re.Pattern], k: int, min_sim: float) -> dict[str, list[tuple[str, float]]]:
    vocab = [w for w in wv.index_to_key if HAN_WORD.match(w)]
    proposals = {}
    for name, pattern in slots.items():
        seeds = [w for w in vocab if pattern.fullmatch(w)]
        if not seeds:
            continue
        centre = np.mean([wv[w] / np.linalg.norm(wv[w]) for w in seeds], axis=0)
        found = []
        for word, sim in wv.similar_by_vector(centre, topn=200):
            if sim < min_sim or len(found) >= k:
                break
            if HAN_WORD.match(word) and not pattern.search(word) and not any(word in s or s in word for s in seeds):
                found.append((word, round(float(sim), 3)))
        proposals[name] = found
    return proposals


def widened(proposals: dict[str, list[tuple[str, float]]], only: set[str] | None = None) -> Path:
    out = Path(tempfile.mkdtemp()) / "compose.csv"
    text = COMPOSE_PATH.read_text(encoding="utf-8-sig").rstrip("\n") + "\n"
    with out.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
        writer = csv.writer(handle)
        for name, words in proposals.items():
            if words and (only is None or name in only):
                writer.writerow(["slot", name, "|".join(re.escape(w) for w, _ in words), "word vectors", ""])
    return out


def urgent_scores(grader: UrgencyGrader, gold, groups: dict[str, tuple]) -> dict[str, tuple[int, int, int]]:
    levels = grader.predict(gold)
    result = {}
    for group, splits in groups.items():
        mask = gold["source"].isin(splits)
        truth, said = gold.loc[mask, "urgency"] == "紧急", levels[mask] == "紧急"
        result[group] = (int((truth & said).sum()), int(truth.sum()), int(said.sum()))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--min-sim", type=float, default=0.6)
    parser.add_argument("--ablate", action="store_true", help="also widen one class at a time")
    args = parser.parse_args(argv)

    letters = all_shared_letters()
    texts = (letters["title"].fillna("") + " " + letters["text"].fillna("")).drop_duplicates().tolist()
    print(f"training word2vec on {len(texts):,} distinct shared letters ...", flush=True)
    wv = train_vectors(texts)
    proposals = propose(wv, slot_patterns(COMPOSE_PATH), args.k, args.min_sim)
    for name, words in proposals.items():
        print(f"  {name:16} " + " ".join(f"{w}({s})" for w, s in words))

    gold = load_gold()
    dev = tuple(s for s in SPLITS if s not in BLIND)
    groups = {"development": dev, "blind4-21": BLIND[:18], "blind22-32": UNTOUCHED}
    runs = {"shipped": UrgencyGrader().fit(), "widened": UrgencyGrader(compose=widened(proposals)).fit()}
    if args.ablate:
        for name, words in proposals.items():
            if words:
                runs[f"+{name}"] = UrgencyGrader(compose=widened(proposals, {name})).fit()
    print(f"\n{'grader':22} " + "  ".join(f"{g:>22}" for g in groups))
    for label, grader in runs.items():
        cells = []
        for found, total, said in urgent_scores(grader, gold, groups).values():
            cells.append(f"R {found}/{total} P {found}/{said}".rjust(22))
        print(f"{label:22} " + "  ".join(cells), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
