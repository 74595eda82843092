"""Chinese word segmentation for petition letters: jieba plus what jieba does not know.

jieba's general dictionary splits the trade's words (息诉罢访, 拆迁安置, 物业费) and the masked
place codes of the data (A5区, K9县), so the `Tokenizer` adds a petition-domain user dictionary
and keeps place codes whole. `cut_all` is the bulk path: identical texts are cut once and the
rest is shared across worker processes (the run's `WorkerPool`), because offices process letters
by the hundred thousand. `letter_tokens` gives a letter's tokens as the issue classifier reads
them, so a run can tokenize once and hand the same tokens to the classifier.
"""
from __future__ import annotations

import os
import re
from itertools import islice
from functools import lru_cache
from math import log
import warnings
from pathlib import Path

# jieba imports pkg_resources to look for paddle, which warns on every start; none of it applies.
warnings.filterwarnings("ignore", message=".*pkg_resources.*")
warnings.filterwarnings("ignore", message="Module .* was already imported")
import jieba  # noqa: E402

from pipeline import hmm
from pipeline.errors import PetitionError
from pipeline.paths import DICT_DIR
from pipeline.workers import WorkerPool, one_off_or

USER_DICT = DICT_DIR / "petition_userdict.txt"
STOPWORDS = DICT_DIR / "stopwords.txt"

# Masked place codes (A市, A5区, K9县, also `J10 县`) are defined once, in pipeline.places.
from pipeline.places import split_codes  # noqa: E402
# A token carries content when it has a Han character or a Latin letter (not just digits/punctuation).
_CONTENT = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_SEP = "\x1f"

jieba.setLogLevel(60)  # jieba prints its cache-building chatter through logging


def load_stopwords(path: Path | None = STOPWORDS) -> frozenset[str]:
    if path is None or not Path(path).exists():
        return frozenset()
    with open(path, encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=4)
def _jieba(user_dict: str | None) -> jieba.Tokenizer:
    """One initialised jieba per dictionary, shared in-process (loading costs about a second)."""
    _check_user_dict(user_dict)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    if user_dict:
        tokenizer.load_userdict(user_dict)
    return tokenizer


def _check_user_dict(user_dict: str | None) -> None:
    """A named dictionary that is not there is an error: cutting without it changes every token
    the petition words make (息诉罢访, 物业费), silently."""
    if user_dict and not Path(user_dict).is_file():
        raise PetitionError(f"user dictionary not found: {user_dict}")


# ---------------------------------------------------------------------- rjieba (jieba-rs), when installed

# Characters jieba-rs counts as Han and jieba does not (jieba: U+4E00-U+9FD5 only). A text holding
# one is cut block by block on jieba's own blocks, so both draw the same block boundaries.
_RUST_ONLY_HAN = re.compile("[\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_USERDICT_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")  # jieba's own user-dictionary syntax


def _userdict_entries(user_dict: str) -> list[tuple[str, int | None, str | None]]:
    entries = []
    with open(user_dict, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip().lstrip("\ufeff")
            if not line:
                continue
            word, freq, tag = _USERDICT_LINE.match(line).groups()
            entries.append((word, int(freq) if freq else None, tag.strip() if tag else None))
    return entries


@lru_cache(maxsize=4)
def _rust_jieba(user_dict: str | None):
    """An rjieba (jieba-rs) segmenter with the same dictionary as `_jieba`, or None when rjieba is
    not installed or `PETITION_SEGMENTER=jieba` asks for jieba itself.

    Why the bookkeeping: jieba's dictionary total counts a word listed twice (in its dict.txt, or
    re-weighted by the user dictionary) twice, jieba-rs once; the total scales every word's
    probability and so decides near-ties (掏心/掏 vs 掏/心掏, both words of count 3), so a hidden word
    (control characters no text block holds) carries the difference and both totals agree. Identity on every shared letter: `benchmarks/segmenter_identity.py`.
    """
    _check_user_dict(user_dict)
    if os.environ.get("PETITION_SEGMENTER", "").lower() == "jieba":
        return None
    try:
        import rjieba
    except ImportError:
        return None
    rust = rjieba.Jieba()
    entries = _userdict_entries(user_dict) if user_dict else []
    if any(freq is None for _, freq, _ in entries):
        return None  # jieba suggests a count from its own total: leave such a dictionary to jieba
    counts, replaced = _main_counts({word for word, _, _ in entries})
    for word, freq, tag in entries:
        replaced += counts.get(word, 0)
        counts[word] = freq
        rust.add_word(word, freq, tag)
    if replaced:
        rust.add_word("\x00\x01", replaced, None)
    return rust


_REPEATED: list[int] = []  # `_main_counts`' second figure, once read: the same for every dictionary


def _main_counts(words: set[str]) -> tuple[dict[str, int], int]:
    """Counts of `words` in jieba's main dictionary (the one jieba-rs ships too), and what jieba's
    total holds beyond jieba-rs's: the earlier counts of words the dictionary lists twice.

    Asked with no words (the segmenter without a user dictionary, which the cluster stage's
    place tagger builds after the tokenize stage built the one with it), the second figure is
    the one read before: the 349,000-line file is not read again (about a second of CPU)."""
    if not words and _REPEATED:
        return {}, _REPEATED[0]
    every: dict[str, int] = {}
    repeated = 0
    with open(Path(jieba.__file__).with_name("dict.txt"), encoding="utf-8") as handle:
        for line in handle:
            word, freq = line.split(" ", 2)[:2]
            repeated += every.get(word, 0)
            every[word] = int(freq)
    _REPEATED[:] = [repeated]
    return {w: every[w] for w in words if w in every}, repeated


class RustSegmenter:
    """jieba's accurate mode through jieba-rs: the same tokens (checked on every shared text cell by
    `benchmarks/segmenter_identity.py`), several times faster than jieba's Python.

    jieba-rs finds the dictionary route (the expensive part). Its HMM step is not jieba's (it joins
    `1-8-258`, jieba splits it), so with `hmm=True` the route is read back from jieba-rs's cut
    without the HMM and jieba's own HMM step (`finalseg`, as `pipeline.hmm`) runs here on the runs of single characters,
    as `jieba.Tokenizer.cut` does; it is cached per run, as `FastSegmenter` does.
    """

    MAX_CACHE = 300_000

    def __init__(self, rust, hmm: bool = True, fallback: "FastSegmenter | None" = None):
        self.rust, self.hmm, self.fallback = rust, hmm, fallback
        self._unknown: dict[str, list[str]] = {}
        self._blocks: dict[str, list[str]] = {}  # blocks repeat: the clusterer cuts each title thrice

    def lcut(self, sentence: str) -> list[str]:
        cut = self.rust.cut
        if not self.hmm:
            if not _RUST_ONLY_HAN.search(sentence):
                return cut(sentence, False)
            return cut_blocks(sentence, lambda block: cut(block, False))
        return cut_blocks(sentence, self._with_hmm)

    def _with_hmm(self, block: str) -> list[str]:
        """jieba's `__cut_DAG` over one Han block, on the route jieba-rs found (cached per block)."""
        cached = self._blocks.get(block)
        if cached is None:
            if len(self._blocks) > self.MAX_CACHE:
                self._blocks.clear()
            cached = self._blocks[block] = self._route_with_hmm(block)
        return cached

    def _route_with_hmm(self, block: str) -> list[str]:
        out: list[str] = []
        buf = ""
        has_word = self.rust.has_word
        for word in self.rust.cut(block, False):
            if len(word) == 1:
                buf += word
                continue
            if _ALNUM.fullmatch(word):  # without the HMM, jieba joins single letters and digits
                if has_word(word):  # ... or it is a dictionary word: which, only the walk knows
                    return self._fallback().lcut(block)
                buf += word
                continue
            if buf:
                self._flush(buf, out)
                buf = ""
            out.append(word)
        if buf:
            self._flush(buf, out)
        return out

    def _flush(self, buf: str, out: list[str]) -> None:
        if len(buf) == 1:
            out.append(buf)
        elif self.rust.has_word(buf):
            out.extend(buf)
        else:
            out.extend(hmm_guess(buf, self._unknown, self.MAX_CACHE))

    def _fallback(self) -> "FastSegmenter":
        if self.fallback is None:
            raise PetitionError("an all-letter dictionary word needs jieba's walk: no fallback segmenter given")
        return self.fallback


_ALNUM = re.compile(r"[a-zA-Z0-9]+")


def hmm_guess(buf: str, cache: dict[str, list[str]], limit: int) -> list[str]:
    """jieba's HMM (`finalseg`) over a run of single characters no dictionary word joins, cached."""
    guessed = cache.get(buf)
    if guessed is None:
        if len(cache) > limit:
            cache.clear()
        guessed = cache[buf] = hmm.cut(buf)  # finalseg.cut, faster
    return guessed


def cut_blocks(sentence: str, cut_han) -> list[str]:
    """jieba's outer loop: Han/alphanumeric blocks go to `cut_han`, whitespace runs stay whole,
    anything else is one token per character."""
    out: list[str] = []
    han, skip = jieba.re_han_default, jieba.re_skip_default
    for block in han.split(sentence):
        if not block:
            continue
        if han.match(block):
            out.extend(cut_han(block))
        else:
            for piece in skip.split(block):
                if skip.match(piece):
                    out.append(piece)
                else:
                    out.extend(piece)
    return out


class FastSegmenter:
    """jieba's accurate mode, token for token, about 1.5x faster in one process.

    The same dictionary walk and dynamic programme as `jieba.Tokenizer.cut`, with the
    per-word log probabilities cached, the candidate maximum taken in the walk instead of a
    generator, and repeated clauses and unknown-character runs segmented once. Identity with
    `jieba.lcut(text, HMM=hmm)` is checked by `benchmarks/segment_speed.py` and `tests/test_tokenize.py`.
    With `hmm=False` runs of unknown single characters stay single (digits and Latin letters
    joined), as jieba does; that skips the HMM, a third of the time on real letters.
    """

    MAX_CACHE = 300_000

    def __init__(self, tokenizer: jieba.Tokenizer, hmm: bool = True):
        tokenizer.check_initialized()
        self.hmm = hmm
        self.freq = tokenizer.FREQ
        self.log_total = log(tokenizer.total)
        self._weights: dict[str, float] = {}
        self._clauses: dict[str, list[str]] = {}
        self._unknown: dict[str, list[str]] = {}

    def lcut(self, sentence: str) -> list[str]:
        return cut_blocks(sentence, self._clause)

    def _weight(self, word: str) -> float:
        weight = self._weights[word] = log(self.freq.get(word) or 1) - self.log_total
        return weight

    def _clause(self, s: str) -> list[str]:
        cached = self._clauses.get(s)
        if cached is not None:
            return cached
        freq, weights, n = self.freq, self._weights, len(s)
        route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
        for k in range(n - 1, -1, -1):
            end, frag, best = k + 1, s[k], None
            while frag in freq:
                if freq[frag]:
                    weight = weights.get(frag)
                    if weight is None:
                        weight = self._weight(frag)
                    candidate = (weight + route[end][0], end - 1)
                    if best is None or candidate > best:
                        best = candidate
                if end >= n:
                    break
                end += 1
                frag = s[k:end]
            if best is None:
                weight = weights.get(s[k])
                if weight is None:
                    weight = self._weight(s[k])
                best = (weight + route[k + 1][0], k)
            route[k] = best
        out: list[str] = []
        x, buf = 0, ""
        while x < n:
            y = route[x][1] + 1
            if y - x == 1:
                buf += s[x]
            else:
                if buf:
                    self._flush(buf, out)
                    buf = ""
                out.append(s[x:y])
            x = y
        if buf:
            self._flush(buf, out)
        if len(self._clauses) > self.MAX_CACHE:
            self._clauses.clear()
        self._clauses[s] = out
        return out

    def _flush(self, buf: str, out: list[str]) -> None:
        """Single characters the dictionary could not join: jieba's HMM guesses new words."""
        if len(buf) == 1:
            out.append(buf)
        elif not self.hmm:
            out.extend(_SINGLE_OR_ALNUM.findall(buf))
        elif not self.freq.get(buf):
            out.extend(hmm_guess(buf, self._unknown, self.MAX_CACHE))
        else:
            out.extend(buf)


# Without the HMM, jieba joins consecutive single ASCII letters and digits and leaves the rest single.
_SINGLE_OR_ALNUM = re.compile(r"[a-zA-Z0-9]+|.", re.DOTALL)


@lru_cache(maxsize=8)
def _segmenter(user_dict: str | None, hmm: bool = True) -> FastSegmenter | RustSegmenter:
    """jieba-rs when rjieba is installed, else jieba's own walk (`FastSegmenter`): same tokens."""
    rust = _rust_jieba(user_dict)
    if rust is not None:
        # jieba's own walk only for a block whose route jieba-rs's output leaves ambiguous (never
        # with the bundled dictionaries, which hold no all-letter word)
        return RustSegmenter(rust, hmm=hmm, fallback=_LazyFast(user_dict, hmm))
    return FastSegmenter(_jieba(user_dict), hmm=hmm)


@lru_cache(maxsize=4)
def _user_words(user_dict: str | None) -> frozenset[str] | None:
    """The words `user_dict` adds to jieba-rs (`_rust_jieba`), or None where `_rust_jieba` leaves
    the dictionary to jieba (an entry without a count)."""
    _check_user_dict(user_dict)
    entries = _userdict_entries(user_dict) if user_dict else []
    if any(freq is None for _, freq, _ in entries):
        return None
    return frozenset(word for word, _, _ in entries)


def is_dictionary_word(word: str, user_dict: str | None = str(USER_DICT)) -> bool:
    """Is `word` in the segmenter's dictionary (jieba's and the petition dictionary)? Through
    jieba-rs when it is installed, else jieba's own table: the same words either way.

    With jieba-rs, the answer is the bare jieba-rs dictionary's (`_rust_jieba(None)`, which the
    part-of-speech tagger builds too) or the user dictionary's words: whether a word is in
    jieba-rs's table does not depend on its count, and the user dictionary only adds words. Why
    not the segmenter with the user dictionary: building it reads jieba's 349,000-line dictionary
    for the counts (`_main_counts`), 0.5 s each time a stage looks for names (the cluster, names
    and write stages: `forget_memos` empties it between stages), for a few hundred questions. The
    same answer as that segmenter's `has_word` for every word of both dictionaries and every
    2- and 3-character string of 4,000 shared letters (1.1 million strings)."""
    added = _user_words(user_dict)
    rust = _rust_jieba(None) if added is not None else None
    if rust is not None:
        return word in added or rust.has_word(word)
    segmenter = _segmenter(user_dict)
    if isinstance(segmenter, RustSegmenter):
        return segmenter.rust.has_word(word)
    return _jieba(user_dict).FREQ.get(word, 0) > 0


def dictionary_count(word: str) -> int:
    """How often jieba's main dictionary counts `word` (0 if it is no word there): how common a
    word is, for telling a name from the common words a rule swept into it (`pipeline.mask`).
    Through jieba-rs when it is installed (its `suggest_freq` of a listed word is its count plus
    one), else jieba's own table."""
    rust = _rust_jieba(None)
    if rust is not None:
        return rust.suggest_freq(word) - 1 if rust.has_word(word) else 0
    return _jieba(None).FREQ.get(word, 0)


def forget_cuts() -> None:
    """Drop every segmenter this process made, with what it remembers of the texts it cut (each
    keeps up to `MAX_CACHE` cut blocks and as many HMM guesses: about 360,000 token lists, most
    of 270 MB, after cutting 10^4 letters). A run calls it once its stages that cut have run: the
    memo served that pass, and it was held to the end of the run. The dictionaries stay loaded;
    a later cut makes a new segmenter, with the same tokens."""
    _segmenter.cache_clear()


class _LazyFast:
    """`FastSegmenter` built on first use (loading jieba's dictionary costs a second)."""

    def __init__(self, user_dict: str | None, hmm: bool):
        self.user_dict, self.hmm = user_dict, hmm

    def lcut(self, sentence: str) -> list[str]:
        return FastSegmenter(_jieba(self.user_dict), hmm=self.hmm).lcut(sentence)


class Tokenizer:
    """Segment letters into tokens with the petition dictionary, stop words and place codes.

    Parameters
    ----------
    user_dict : path of a jieba user dictionary (`word freq pos` lines), or None for plain jieba.
    stopwords : path of a stop-word list (one per line), or None to keep every token.
    keep_place_codes : keep A市 / A5区 / K9县 as single tokens.
    hmm : let jieba guess unknown words with its HMM (jieba's default; off is a third faster).
    """

    def __init__(
        self,
        user_dict: str | Path | None = USER_DICT,
        stopwords: str | Path | None = STOPWORDS,
        keep_place_codes: bool = True,
        hmm: bool = True,
    ):
        self.user_dict = str(user_dict) if user_dict else None
        self.stopwords = stopwords
        self.keep_place_codes = keep_place_codes
        self.hmm = hmm
        self._stop = load_stopwords(Path(stopwords) if stopwords else None)
        self._canonical: dict[str, str] = {}  # token -> itself where `cut` keeps it, else ""

    @property
    def jieba(self) -> jieba.Tokenizer:
        return _jieba(self.user_dict)

    def segment(self, text: str) -> list[str]:
        """Every token jieba and the place-code rule produce, spaces and punctuation included."""
        if not text:
            return []
        cut = _segmenter(self.user_dict, self.hmm).lcut
        if not self.keep_place_codes:
            return cut(text)
        tokens: list[str] = []
        for index, piece in enumerate(split_codes(text)):
            if index % 2:
                tokens.append(piece)
            elif piece:
                tokens.extend(cut(piece))
        return tokens

    def cut_for_search(self, text: str) -> list[str]:
        """jieba's search-mode cut (`jieba.Tokenizer.cut_for_search`, this tokenizer's dictionary
        and `hmm`): each word of the accurate cut, preceded by the dictionary words of two and three
        characters inside it. Through jieba-rs when it is installed: the same accurate cut, and the
        same dictionary words (the bundled and user dictionaries hold no word of count 0, the one
        kind jieba would skip), without loading jieba's own dictionary (a second per run)."""
        segmenter = _segmenter(self.user_dict, self.hmm)
        if not isinstance(segmenter, RustSegmenter):
            return list(self.jieba.cut_for_search(text, HMM=self.hmm))
        has_word = segmenter.rust.has_word
        out: list[str] = []
        for word in segmenter.lcut(text):
            for n in (2, 3):
                if len(word) > n:
                    out.extend(gram for gram in (word[i:i + n] for i in range(len(word) - n + 1)) if has_word(gram))
            out.append(word)
        return out

    def cut(self, text: str, keep_stopwords: bool = False) -> list[str]:
        """Content tokens of one text: no stop words, no whitespace, punctuation or bare numbers."""
        tokens = self.segment(text)
        if keep_stopwords:
            return tokens
        return self.kept(tokens)

    def kept(self, tokens: list[str]) -> list[str]:
        """The content tokens of `tokens` (no stop words, whitespace, punctuation or bare numbers),
        each as this tokenizer's one string object for that word.

        Decided once per distinct token (a batch repeats its words), and the one dict answers
        both questions, keep it and which object: a run holds every letter's tokens at once, so
        each word is held once (`interned` did it in a second pass over every token, about a
        second of the run's tokenize stage at 10^4 letters)."""
        # (`setdefault`: a Tokenizer pickled by an older version has no `_canonical`)
        canonical, stop, out = self.__dict__.setdefault("_canonical", {}), self._stop, []
        for token in tokens:
            kept = canonical.get(token)
            if kept is None:
                kept = canonical[token] = token if token not in stop and _CONTENT.search(token) is not None else ""
            if kept:
                out.append(kept)
        return out

    def cut_all(
        self,
        texts,
        n_jobs: int | None = 2,
        keep_stopwords: bool = False,
        progress: bool = False,
        pool: WorkerPool | None = None,
    ) -> list[list[str]]:
        """Cut many texts; same tokens as `cut`, faster: duplicates once, cores shared.

        `pool` is the run's `pipeline.workers.WorkerPool` (then `n_jobs` is the pool's); without
        one, a pool is forked for this call. Fewer than 500 distinct texts are cut in this process.
        """
        texts = ["" if t is None or t != t else str(t) for t in texts]
        unique = list(dict.fromkeys(texts))
        # one string object per distinct token, as each text is cut: a batch's tokens all held as
        # separate strings took ~80 bytes a token (2.4 GB at 100,000 letters) before `interned`
        seen: dict[str, str] = {}
        with one_off_or(pool, n_jobs) as workers:
            if not workers.parallel(len(unique), MIN_PARALLEL_TEXTS):
                iterator = unique
                if progress:
                    from tqdm import tqdm

                    iterator = tqdm(unique, desc="tokenizing", unit="letter", mininterval=1.0)
                # kept tokens come as the tokenizer's one object per word (`kept`); all of them, interned here
                cut = {t: _interned(self.cut(t, True), seen) if keep_stopwords else self.cut(t) for t in iterator}
            else:
                _segmenter(self.user_dict, self.hmm)  # load the dictionary once, before forking, so workers share it
                size = max(50, len(unique) // (workers.jobs * 8))
                batches = [(keep_stopwords, unique[i:i + size]) for i in range(0, len(unique), size)]
                joined = workers.map(_cut_batch, batches, key=("tokenize", id(self)), obj=self,
                                     desc="tokenizing", progress=progress)
                cut = dict(zip(unique, (_interned(s.split(_SEP), seen) if s else [] for batch in joined for s in batch)))
                del joined
        return [cut[t] for t in texts]


MIN_PARALLEL_TEXTS = 500  # fewer distinct texts are cut in this process: a fork costs more than it saves


def _cut_batch(tokenizer: Tokenizer, batch: tuple[bool, list[str]]) -> list[str]:
    keep, texts = batch
    # Joined strings pickle far faster than lists of lists; the separator never occurs in text.
    return [_SEP.join(tokenizer.cut(t, keep)) for t in texts]


def join_tokens(tokens: list[str]) -> str:
    """Tokens as one space-separated string, the form scikit-learn vectorizers take."""
    return " ".join(tokens)


# ---------------------------------------------------------------------- letters as the classifier reads them

_HAN = re.compile(r"[\u4e00-\u9fff]")
# Two Han characters separated by spaces: rare in raw Chinese, everywhere in segmented text. (The
# space first, then the look-behind to the character before it: the same runs as
# `(?<=[\u4e00-\u9fff]) +(?=...)`, found by the engine's fast scan for a space.)
_HAN_GAP = re.compile(r" (?<=[\u4e00-\u9fff] ) *(?=[\u4e00-\u9fff])")


def is_segmented(text: str) -> bool:
    """True for pre-segmented text (words joined by spaces), False for a raw letter."""
    if not text:
        return False
    gaps = len(_HAN_GAP.findall(text))
    if not gaps:
        return False
    # more than 5 * gaps + 1 Han characters is a raw letter: they need not all be counted
    han = sum(1 for _ in islice(_HAN.finditer(text), 5 * gaps + 2))
    return han > 0 and gaps >= 0.2 * han


def unsegmented(text: str) -> str:
    """A pre-segmented text with the spaces between its Han characters taken out (不 想 活 了 ->
    不想活了), for readers that match phrases as letters write them; a raw letter comes back as it is."""
    return _HAN_GAP.sub("", text) if is_segmented(text) else text


def column_strings(letters, column: str) -> list[str]:
    """A column of a letters frame as strings, "" where empty or absent (a file with no titles)."""
    if column not in letters:
        return [""] * len(letters)
    values = letters[column].astype("object")
    return values.where(values.notna(), "").astype(str).tolist()


def letter_texts(letters) -> list[str]:
    """Title and text of each letter as one string (the title first: it says the most)."""
    import pandas as pd

    if isinstance(letters, pd.DataFrame):
        if "text" not in letters and "title" not in letters:
            raise PetitionError("letters need a text or title column to classify")
        title, text = column_strings(letters, "title"), column_strings(letters, "text")
        return [(a + " " + b).strip() if a and not b.startswith(a) else b or a for a, b in zip(title, text)]
    return ["" if t is None or t != t else str(t) for t in letters]


@lru_cache(maxsize=2)
def _letter_tokenizer(hmm: bool) -> Tokenizer:
    # one instance per setting, so a run's worker pool recognises it from stage to stage
    return Tokenizer(hmm=hmm)


def tokenize_letters(texts: list[str], n_jobs: int = 2, progress: bool = False, hmm: bool = True,
                     pool: WorkerPool | None = None) -> list[list[str]]:
    """Content tokens without stop words; segmented text is split on spaces, raw text cut by jieba."""
    tokenizer = _letter_tokenizer(hmm)
    segmented = [is_segmented(t) for t in texts]
    raw = [t for t, s in zip(texts, segmented) if not s]
    cut = iter(tokenizer.cut_all(raw, n_jobs=n_jobs, progress=progress, pool=pool) if raw else [])
    # a segmented text's own words, kept by the same rule as `split_segmented`
    return [tokenizer.kept(text.split()) if seg else next(cut) for text, seg in zip(texts, segmented)]


def split_segmented(text: str, stop: frozenset[str]) -> list[str]:
    """Content tokens of pre-segmented text: its own words, without stop words."""
    return [w for w in text.split() if w not in stop and _CONTENT.search(w)]


def letter_tokens(letters, hmm: bool = False, n_jobs: int = 2, pool: WorkerPool | None = None) -> list[list[str]]:
    """Each letter's tokens exactly as `IssueClassifier` computes them (with its `hmm`), so a run
    can tokenize once and pass them to `classify(letters, tokens=...)`. Each word is one string
    object (`Tokenizer.kept`; from workers, one per call of `cut_all`)."""
    return tokenize_letters(letter_texts(letters), n_jobs=n_jobs, hmm=hmm, pool=pool)


def tokenize_docs(docs: list[str], n_jobs: int = 2, pool: WorkerPool | None = None) -> list[list[str]]:
    """Content tokens of raw texts with the default tokenizer (HMM on), as the clusterer cuts them
    (`IssueClusterer._tok`), for a run's one tokenization pass. Each word is one string object,
    as `letter_tokens`."""
    return _letter_tokenizer(True).cut_all(docs, n_jobs=n_jobs, pool=pool)


def interned(token_lists: list[list[str]]) -> list[list[str]]:
    """The same lists with one string object per distinct token: a run holds every letter's tokens
    at once, and most tokens repeat (a 100,000-letter batch: tens of millions of tokens, ~10^5 words).
    The lists are interned in place (they are the caller's fresh results, and a second copy of
    every list would double the peak); duplicate texts share one list, interned once."""
    seen: dict[str, str] = {}
    done: set[int] = set()
    for tokens in token_lists:
        if id(tokens) not in done:
            done.add(id(tokens))
            tokens[:] = _interned(tokens, seen)
    return token_lists


def _interned(tokens: list[str], seen: dict[str, str]) -> list[str]:
    return [seen.setdefault(t, t) for t in tokens]
