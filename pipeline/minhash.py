"""MinHash near-duplicates: the one place the pipeline finds letters that copy each other.

Copies of a complaint differ in punctuation, spacing and a few changed words; the share of
character k-gram shingles two letters have in common (Jaccard similarity) stays high. A MinHash
signature (`signatures`) estimates it from `num_perm` positions per letter: the share of
positions on which two signatures agree is an unbiased estimate of their Jaccard similarity.
Locality-sensitive hashing cuts each signature into bands (`lsh_params`, `band_keys`): two
letters become candidates when any band agrees exactly, which finds the similar pairs without
comparing all pairs, and which a distributed engine computes as an equi-join on
(band, band key). `pairs` keeps the candidates whose estimate reaches the threshold; `groups`
joins pairs into groups (connected components).

Signatures are seeded and deterministic (datasketch's MinHash permutations, seed 1 by
default), so the rows stored in the case store in one run compare with the next run's. A row of
all-max values (EMPTY) marks a text too short to compare ("同上" would match everything): such
rows are never candidates.

Users: linking (`near_duplicate_of`, joint letters, the text comparison in Splink),
the classifier's cross-validation groups (`pipeline.classify.near_duplicate_groups`), and
clustering.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

EMPTY = np.iinfo(np.uint32).max
NUM_PERM = 64
SEED = 1

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
# History rows whose band keys `pairs` makes at once: a 10^6-letter store's whole band table
# (~250 MB) never exists, only a chunk's (~50 MB) and the rows of it a new letter can meet
HISTORY_CHUNK = 200_000


# ------------------------------------------------------------------------------ shingles
def clean_text(text: object) -> str:
    """The letter's letters and digits: punctuation and spacing differ between copies,
    characters carry the content."""
    if not isinstance(text, str):
        return ""
    return "".join(ch for ch in text if ch.isalnum())


def shingle_hashes(text: str, k: int = 4) -> np.ndarray:
    """The distinct 32-bit hashes of the character k-grams of `text` (empty when shorter)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < k:
        return np.zeros(0, dtype=np.uint64)
    n = len(codes) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * np.uint64(1_000_003) + codes[j:n + j]
        h ^= h >> np.uint64(29)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(32)
    return np.unique(h & np.uint64(0xFFFFFFFF))


# ------------------------------------------------------------------------------ signatures
@lru_cache(maxsize=8)
def _template(num_perm: int, seed: int):
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=seed)


def signatures_of_hashes(hash_sets, num_perm: int = NUM_PERM, seed: int = SEED) -> np.ndarray:
    """One signature (uint32 row) per array of 32-bit shingle hashes; EMPTY rows for `None`
    or empty arrays."""
    from datasketch import MinHash

    template = _template(num_perm, seed)
    hash_sets = list(hash_sets)
    out = np.full((len(hash_sets), num_perm), EMPTY, dtype=np.uint32)
    for i, hashes in enumerate(hash_sets):
        if hashes is None or len(hashes) == 0:
            continue
        m = MinHash(num_perm=num_perm, hashfunc=int, permutations=template.permutations,
                    scheme=template.scheme)
        m.update_batch(hashes)
        out[i] = m.hashvalues
    return out


def signatures(texts, num_perm: int = NUM_PERM, shingle: int = 4, min_chars: int = 30,
               seed: int = SEED) -> np.ndarray:
    """One MinHash signature per text over its character `shingle`-grams (of `clean_text`);
    a text shorter than `min_chars` characters gets an EMPTY row."""
    def hashes(text):
        clean = clean_text(text)
        return shingle_hashes(clean, shingle) if len(clean) >= min_chars else None

    return signatures_of_hashes((hashes(t) for t in texts), num_perm=num_perm, seed=seed)


def is_empty(signatures: np.ndarray) -> np.ndarray:
    """True for rows that mark a text too short to compare."""
    return (np.asarray(signatures) == EMPTY).all(axis=1)


def similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of aligned signature rows (share of agreeing positions)."""
    return (np.asarray(a) == np.asarray(b)).mean(axis=-1)


# ------------------------------------------------------------------------------ LSH bands
@lru_cache(maxsize=64)
def lsh_params(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows per band) minimising the equally weighted false-positive and
    false-negative probability mass around `threshold` (the choice datasketch's MinHashLSH
    makes, so candidates are the ones it found)."""
    from scipy.integrate import quad

    best, best_error = (0, 0), float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = quad(lambda s: 1 - (1 - s ** float(r)) ** float(b), 0.0, threshold)[0]
            fn = quad(lambda s: (1 - s ** float(r)) ** float(b), threshold, 1.0)[0]
            error = 0.5 * fp + 0.5 * fn
            if error < best_error:
                best, best_error = (b, r), error
    return best


def band_keys(signatures: np.ndarray, bands: int, rows: int | None = None) -> np.ndarray:
    """An int64 key per signature and band (shape n x bands): equal keys in one band mean the
    band's `rows` positions agree (up to a 64-bit hash collision). `rows` defaults to
    num_perm // bands; use `lsh_params(threshold)` for both. Keys of EMPTY rows are not
    meaningful: drop those rows (`is_empty`) before joining."""
    sig = np.asarray(signatures, dtype=np.uint32)
    rows = rows or sig.shape[1] // bands
    if bands * rows > sig.shape[1]:
        raise ValueError(f"{bands} bands of {rows} rows need {bands * rows} positions, "
                         f"signatures have {sig.shape[1]}")
    out = np.empty((len(sig), bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            h = np.full(len(sig), np.uint64(band + 1) * np.uint64(0x9E3779B97F4A7C15), np.uint64)
            for column in sig[:, band * rows:(band + 1) * rows].T:
                h = (h ^ column.astype(np.uint64)) * np.uint64(0x100000001B3)
                h ^= h >> np.uint64(31)
            out[:, band] = h & _MASK64
    return out.view(np.int64)


def band_frame(signatures: np.ndarray, bands: int, rows: int | None = None,
               offset: int = 0) -> pd.DataFrame:
    """Band keys in long form (row, band, key), EMPTY rows left out: the table an engine joins
    on (band, key) to find candidate pairs. `row` counts from `offset`."""
    keys = band_keys(signatures, bands, rows)
    ok = np.flatnonzero(~is_empty(signatures))
    return pd.DataFrame({"row": np.repeat(ok + offset, bands),
                         "band": np.tile(np.arange(bands), len(ok)),
                         "key": keys[ok].reshape(-1)})


def candidates(signatures: np.ndarray, bands: int, rows: int | None = None) -> pd.DataFrame:
    """Pairs (i, j), j < i, of rows of `signatures` that agree on at least one band."""
    frame = band_frame(signatures, bands, rows)
    joined = frame.merge(frame, on=["band", "key"], suffixes=("_i", "_j"))
    joined = joined[joined["row_j"] < joined["row_i"]]
    out = joined[["row_i", "row_j"]].drop_duplicates()
    return pd.DataFrame({"i": out["row_i"].to_numpy(), "j": out["row_j"].to_numpy()})


# ------------------------------------------------------------------------------ pairs, groups
def pairs(new: np.ndarray, history: np.ndarray | None = None, threshold: float = 0.8,
          max_candidates: int = 20) -> pd.DataFrame:
    """Near-duplicate pairs (i, j, in_history, similarity): i indexes `new`; j indexes `new`
    (j < i) or, when `in_history`, `history`. `similarity` is the estimated Jaccard, at least
    `threshold`. Each new letter keeps at most `max_candidates` candidates (the most recent
    history rows first, then the earliest new ones), so a campaign of thousands of identical
    letters stays connected without listing every pair."""
    new = np.asarray(new, dtype=np.uint32)
    columns = ["i", "j", "in_history", "similarity"]
    history = np.zeros((0, new.shape[1]), np.uint32) if history is None else np.asarray(
        history, dtype=np.uint32)
    bands, rows = lsh_params(threshold, new.shape[1])
    new_frame = band_frame(new, bands, rows)
    # history rows are numbered -1, -2, ... (row j as ~j), new rows 0, 1, ...; only the history
    # rows sharing a band key with a new row can be a candidate, so a big store's band table is
    # built a chunk at a time and cut to those (the pairs are the same)
    wanted = pd.unique(new_frame["key"])
    hist_frames = []
    for start in range(0, len(history), HISTORY_CHUNK):
        chunk = band_frame(history[start:start + HISTORY_CHUNK], bands, rows, offset=start)
        hist_frames.append(chunk[chunk["key"].isin(wanted)])
    hist_frame = pd.concat(hist_frames, ignore_index=True) if hist_frames else new_frame.iloc[0:0].copy()
    hist_frame["row"] = ~hist_frame["row"]
    table = pd.concat([hist_frame, new_frame], ignore_index=True)
    query = table[table["row"] >= 0]
    joined = query.merge(table, on=["band", "key"], suffixes=("_i", "_j"))
    joined = joined[joined["row_j"] < joined["row_i"]][["row_i", "row_j"]].drop_duplicates()
    if joined.empty:
        return pd.DataFrame(columns=columns)
    joined = joined.sort_values(["row_i", "row_j"], kind="stable")
    joined = joined[joined.groupby("row_i").cumcount() < max_candidates]
    left = joined["row_i"].to_numpy()
    right = joined["row_j"].to_numpy()
    in_history = right < 0
    j = np.where(in_history, ~right, right)
    others = np.empty((len(j), new.shape[1]), dtype=np.uint32)
    others[in_history] = history[j[in_history]]
    others[~in_history] = new[j[~in_history]]
    sim = similarity(new[left], others)
    keep = sim >= threshold
    return pd.DataFrame({"i": left[keep], "j": j[keep], "in_history": in_history[keep],
                         "similarity": sim[keep]}, columns=columns)


def components(n: int, left, right) -> np.ndarray:
    """Connected components of n items joined by the pairs (left[k], right[k]): each item's
    group id is the smallest index in its group."""
    parent = np.arange(n)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(left, right):
        ra, rb = find(int(a)), find(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(i) for i in range(n)], dtype=np.int64)


def groups(signatures: np.ndarray, threshold: float = 0.8, verify: bool = True) -> np.ndarray:
    """A group id per signature row (the group's smallest row): rows joined by pairs at or
    above `threshold`. `verify=False` joins every LSH candidate pair unchecked (generous: the
    classifier's folds want a letter's copies together rather than an exact threshold)."""
    signatures = np.asarray(signatures, dtype=np.uint32)
    if verify:
        found = pairs(signatures, threshold=threshold, max_candidates=len(signatures) + 1)
    else:
        found = candidates(signatures, *lsh_params(threshold, signatures.shape[1]))
    return components(len(signatures), found["i"], found["j"])


@dataclass
class NearDuplicates:
    """Near-duplicate letters (the settings linking uses), as one small object.

    `signatures(texts)` gives one MinHash per letter (uint32 rows, storable); `pairs(...)` finds
    pairs whose estimated Jaccard similarity of shingle sets is at least `threshold`. Letters
    shorter than `min_chars` characters are never near-duplicates. Each letter keeps at most
    `max_candidates` links, so mass campaigns stay linear in memory.
    """

    threshold: float = 0.8
    num_perm: int = NUM_PERM
    shingle: int = 4
    min_chars: int = 30
    seed: int = SEED
    max_candidates: int = 20

    def signatures(self, texts) -> np.ndarray:
        return signatures(texts, num_perm=self.num_perm, shingle=self.shingle,
                          min_chars=self.min_chars, seed=self.seed)

    def pairs(self, new: np.ndarray, history: np.ndarray | None = None) -> pd.DataFrame:
        return pairs(new, history, threshold=self.threshold, max_candidates=self.max_candidates)
