"""Which of a fixed vocabulary of character 2- and 3-grams each text holds, for many texts at once.

Why: the urgency refiner (`pipeline.urgency.PressingRefiner`) reads the distinct 2- and 3-grams of a
letter's opening that are in its 3,000-gram vocabulary. Built per letter as a Python set of every
gram (about 700 strings for a 370-character letter) and looked up one by one, that was 2-3 s CPU
of the run's grade stage on the 9,943 shared letters. Here a batch's characters are one array of
small ids (0: a character no vocabulary gram holds), a bigram is found by one table lookup on its
two ids, and a trigram by a lookup of its first two characters' prefix id and then of the third
character: no string is made. The grams found are the same set as the per-letter way finds, so
sums over them (with `math.fsum`, exact in any order) are the same floats bit for bit.
"""
from __future__ import annotations

import numpy as np

UNICODE = 0x110000  # one entry per code point: a character's id is a single array lookup
CHUNK_CHARS = 200_000  # characters per pass: its arrays (ids, owners, pairs, presence) stay ~10 MB
MAX_PAIRS = 1 << 24  # pair tables of at most this many entries (64 MB each); more characters: ValueError


class GramTable:
    """`present(texts)`: for each text, the sorted indices (into `grams`) of the grams it holds.

    Parameters
    ----------
    grams : the vocabulary, each gram two or three characters long (others raise ValueError, as
        more than ~4,000 distinct characters do).
    """

    def __init__(self, grams: list[str]):
        if any(len(g) not in (2, 3) for g in grams):
            raise ValueError("GramTable holds 2- and 3-character grams only")
        self.grams = list(grams)
        chars = sorted({c for g in grams for c in g})
        self.width = width = len(chars) + 1  # id 0: a character no gram holds
        if width * width > MAX_PAIRS:  # (the shipped refiner's 3,000 grams hold 727 characters: 2 MB)
            raise ValueError(f"GramTable: {width - 1} distinct characters make pair tables too large")
        self.char_id = np.zeros(UNICODE, dtype=np.int32)
        self.char_id[[ord(c) for c in chars]] = np.arange(1, width, dtype=np.int32)
        ids = {c: i for i, c in enumerate(chars, start=1)}
        self.bigram = np.full(width * width, -1, dtype=np.int32)  # pair of ids -> gram index
        prefixes = sorted({g[:2] for g in grams if len(g) == 3})
        self.prefix = np.zeros(width * width, dtype=np.int32)  # pair of ids -> trigram prefix id (0: none)
        self.trigram = np.full((len(prefixes) + 1) * width, -1, dtype=np.int32)  # prefix id, id -> gram index
        for p, gram in enumerate(prefixes, start=1):
            self.prefix[ids[gram[0]] * width + ids[gram[1]]] = p
        for index, gram in enumerate(self.grams):
            pair = ids[gram[0]] * width + ids[gram[1]]
            if len(gram) == 2:
                self.bigram[pair] = index
            else:
                self.trigram[self.prefix[pair] * width + ids[gram[2]]] = index

    def present(self, texts: list[str]) -> list[list[int]]:
        """Per text, the indices of the vocabulary grams it holds (each once, ascending)."""
        out: list[list[int]] = []
        start = 0
        while start < len(texts):
            stop, size = start, 0
            while stop < len(texts) and (size < CHUNK_CHARS or stop == start):
                size += len(texts[stop])
                stop += 1
            out.extend(self._present(texts[start:stop]))
            start = stop
        return out

    def _present(self, texts: list[str]) -> list[list[int]]:
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        ids = self.char_id[codes]
        owner = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)  # which text each character is in
        # (text, gram) pairs found, as one number each, made unique and sorted: by text, then by gram
        # index (a dense texts x grams table cost a scan of its every cell: 2.5 s for a 50,000-gram
        # vocabulary over the shared letters)
        keys = [np.zeros(0, dtype=np.int64)]
        if len(ids) >= 2:
            pair = ids[:-1] * self.width + ids[1:]
            same = owner[:-1] == owner[1:]  # a gram never spans two texts
            found = self.bigram[pair]
            keep = same & (found >= 0)
            keys.append(owner[:-1][keep] * len(self.grams) + found[keep])
            if len(ids) >= 3:
                prefix = self.prefix[pair[:-1]]
                found = self.trigram[prefix * self.width + ids[2:]]
                keep = same[:-1] & same[1:] & (prefix > 0) & (found >= 0)
                keys.append(owner[:-2][keep] * len(self.grams) + found[keep])
        unique = np.unique(np.concatenate(keys))
        rows, columns = unique // len(self.grams), unique % len(self.grams)
        bounds = np.searchsorted(rows, np.arange(len(texts) + 1)).tolist()
        columns = columns.tolist()
        return [columns[bounds[i]:bounds[i + 1]] for i in range(len(texts))]
