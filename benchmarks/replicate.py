"""Replicate the shared letters to any number N, for the scale benchmarks (`run.py`, `scale.py`).

Run: .venv/bin/python benchmarks/replicate.py [N] [--out DIR] [--seed S] [--chunk ROWS]
(default: 10,000 letters into a temporary folder, printing letters/s of the generator).

Why perturbed copies and not plain copies: exact duplicates make near-duplicate search, clustering
and linking trivially cheap (one hash bucket each), which would flatter every figure measured on
them. So each replicated letter is a seed letter (hot_messages + replies + unlabeled, ~9,900 real
letters, read with `pipeline.read.read_letters`) with
- its text edited: a few characters swapped, dropped, inserted or replaced, sometimes two
  sentences swapped, and numbers changed (not place codes such as A3区; dates stay dates: a month stays 1-12, a day 1-28);
- its title edited more lightly;
- its dates moved back by up to two years (so a run `--as-of` the seed's last date still holds);
- a new identity: the seed's writer id becomes one person per replication round (the data's own
  repeat writers stay repeat writers); a share of letters (`repeat_share`) is instead written by
  the person of an earlier letter (within `repeat_window` letters), so linking across rounds and
  across batches has work; names come from a seeded pool of surnames and given-name characters
  (synthetic, some collide, as namesakes do), phones are synthetic 11-digit mobiles; a person is a
  message-board user (writer id) or a hotline caller (name and phone), and writes their name
  partially (王先生) or leaves out the phone now and then.

Letter i depends only on (seed, i), never on the chunk size: `generate` streams chunks of
`chunk` letters to `<out>/letters/part-<first letter>.parquet`, holding only the seed letters and one chunk
in memory, and the true person of each letter to `<out>/truth/` (kept apart so
that `petition run <out>/letters` does not read it). Never write the output into the repository:
the texts are the shared data's.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # the project root, not this folder: `pipeline` from this checkout
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import zlib  # noqa: E402
from datetime import timedelta  # noqa: E402

import pandas as pd  # noqa: E402

from pipeline.paths import SHARED_DATA_DIR  # noqa: E402

SEED_FILES = ("hot_messages.xlsx", "replies.xlsx", "unlabeled_messages.xlsx")
SEED_COLUMNS = ["letter_id", "received_at", "title", "text", "writer_id", "up_votes", "down_votes",
                "reply_text", "replied_at"]
OUTPUT_COLUMNS = ["letter_id", "received_at", "title", "text", "writer_id", "name", "phone", "channel",
                  "up_votes", "down_votes", "reply_text", "replied_at"]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国红梅玉珍志文辉丹萍鹏斌宇浩凯秀云飞鑫波宁林雪琳海燕春晓东兵亮彬琴德胜俊峰婷慧颖佳欣晨阳"
FILLERS = "的了在是我有和也就都这那个们不还又被把给对"
SENTENCE_END = re.compile(r"(?<=[。!?！？；;])")
NUMBER = re.compile(r"(?<![A-Za-z0-9])\d+")  # not place codes (A3区, K9县): they name a place


def load_seed_letters(data_dir: Path = SHARED_DATA_DIR) -> pd.DataFrame:
    """The shared letters the copies are made from, in a fixed order."""
    from pipeline.read import read_letters

    files = [Path(data_dir) / name for name in SEED_FILES]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise FileNotFoundError(f"needs the shared letters: {', '.join(missing)}")
    letters = read_letters(files).letters
    for column in SEED_COLUMNS:
        if column not in letters.columns:
            letters[column] = None
    return letters[SEED_COLUMNS].reset_index(drop=True)


def _stable_int(*parts) -> int:
    """A seed from any parts that is the same in every process (`hash()` of a str is not)."""
    return zlib.crc32("\x1f".join(map(str, parts)).encode("utf-8"))


def edit_characters(text: str, rng: random.Random, edits: int) -> str:
    """`edits` single-character typos: swap two neighbours, drop one, insert or replace one."""
    chars = list(text)
    for _ in range(edits):
        if len(chars) < 4:
            break
        at = rng.randrange(len(chars) - 1)
        operation = rng.randrange(4)
        if operation == 0:
            chars[at], chars[at + 1] = chars[at + 1], chars[at]
        elif operation == 1:
            del chars[at]
        elif operation == 2:
            chars.insert(at, rng.choice(FILLERS))
        else:
            chars[at] = rng.choice(FILLERS)
    return "".join(chars)


def swap_sentences(text: str, rng: random.Random) -> str:
    """Two sentences (split after 。！？；) change places; a one-sentence text is unchanged."""
    sentences = [s for s in SENTENCE_END.split(text) if s]
    if len(sentences) < 2:
        return text
    a, b = rng.sample(range(len(sentences)), 2)
    sentences[a], sentences[b] = sentences[b], sentences[a]
    return "".join(sentences)


def change_numbers(text: str, rng: random.Random, share: float = 0.5) -> str:
    """About `share` of the numbers get other digits of the same length; 月 stays 1-12, 日 1-28."""

    def replace(match: re.Match) -> str:
        if rng.random() >= share:
            return match.group()
        digits = match.group()
        following = text[match.end():match.end() + 1]
        if following == "月":
            return str(rng.randint(1, 12))
        if following in ("日", "号"):
            return str(rng.randint(1, 28))
        first = str(rng.randint(1, 9)) if digits[0] != "0" or len(digits) == 1 else "0"
        return first + "".join(str(rng.randrange(10)) for _ in digits[1:])

    return NUMBER.sub(replace, text)


def perturb_text(text: str, rng: random.Random) -> str:
    if not text:
        return text
    text = change_numbers(text, rng)
    if rng.random() < 0.3:
        text = swap_sentences(text, rng)
    return edit_characters(text, rng, 1 + len(text) // 150 + rng.randrange(3))


def perturb_title(title: str, rng: random.Random) -> str:
    if not title:
        return title
    title = change_numbers(title, rng, share=0.3)
    return edit_characters(title, rng, 1) if rng.random() < 0.5 else title


class LetterReplicator:
    """Letter i of a replication of `seeds` (a frame with `SEED_COLUMNS`): a function of (seed, i) only.

    `repeat_share` of letters are by the person of an earlier letter, at most `repeat_window`
    letters back (so a batch of later letters repeats writers of earlier batches);
    `board_share` of persons write on the message board (a writer id), the others call the hotline
    (name and phone). Dates move back by up to `spread_days`.
    """

    def __init__(self, seeds: pd.DataFrame, seed: int = 0, repeat_share: float = 0.15,
                 repeat_window: int = 20_000, board_share: float = 0.5, spread_days: int = 730):
        self.seeds = seeds.reset_index(drop=True)
        self._rows = self.seeds.to_dict("records")  # a dict per letter: 50x faster than .iloc
        self.seed = seed
        self.repeat_share = repeat_share
        self.repeat_window = repeat_window
        self.board_share = board_share
        self.spread_days = spread_days
        self._rounds: dict[int, list[int]] = {}  # round -> order of the seed letters (a few kept)

    def _order(self, round_: int) -> list[int]:
        """Each round visits every seed letter once, in its own shuffled order."""
        if round_ not in self._rounds:
            if len(self._rounds) > 4:
                self._rounds.pop(min(self._rounds))
            order = list(range(len(self.seeds)))
            random.Random(_stable_int(self.seed, "round", round_)).shuffle(order)
            self._rounds[round_] = order
        return self._rounds[round_]

    def _rng(self, i: int) -> random.Random:
        return random.Random(_stable_int(self.seed, "letter", i))

    def source_of(self, i: int) -> int:
        """The seed letter that letter i copies."""
        return self._order(i // len(self.seeds))[i % len(self.seeds)]

    def person_of(self, i: int) -> str:
        """The true person of letter i: an earlier letter's person, the seed writer of this round, or new."""
        while True:
            rng = self._rng(i)
            if i > 0 and rng.random() < self.repeat_share:
                i = max(0, i - 1 - rng.randrange(min(i, self.repeat_window)))
                continue
            writer = self._rows[self.source_of(i)]["writer_id"]
            round_ = i // len(self.seeds)
            return f"w{round_}:{writer}" if isinstance(writer, str) and writer else f"l{i}"

    def identity(self, person: str) -> dict:
        """A person's synthetic identity, the same every time the person is drawn."""
        rng = random.Random(_stable_int(self.seed, "person", person))
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        phone = "1" + rng.choice("3456789") + "".join(str(rng.randrange(10)) for _ in range(9))
        board = rng.random() < self.board_share
        return {"writer_id": f"W{_stable_int(self.seed, 'writer', person):010d}" if board else None,
                "name": name, "phone": phone, "channel": "网上留言" if board else "12345热线",
                "sex": rng.choice(("先生", "女士"))}

    def letter(self, i: int) -> tuple[dict, dict]:
        """Letter i and its truth (the seed letter it copies and its true person)."""
        rng = self._rng(i)
        rng.random()  # the draw `person_of` used for the repeat decision
        source = self.source_of(i)
        seed = self._rows[source]
        person = self.person_of(i)
        who = self.identity(person)
        shift = timedelta(days=rng.randrange(self.spread_days + 1), seconds=rng.randrange(86_400))
        received = seed["received_at"] - shift if pd.notna(seed["received_at"]) else None
        replied = seed["replied_at"] - shift if pd.notna(seed["replied_at"]) else None
        name, phone = who["name"], who["phone"]
        if who["writer_id"]:  # a board user: the board shows an account, rarely a name or phone
            name = name if rng.random() < 0.2 else None
            phone = phone if rng.random() < 0.2 else None
        else:  # a caller: sometimes only 王先生, sometimes no phone on record
            name = name[0] + who["sex"] if rng.random() < 0.1 else name
            phone = phone if rng.random() < 0.8 else None
        letter = {
            "letter_id": f"R{self.seed}-{i:09d}",
            "received_at": None if received is None else received.strftime("%Y-%m-%d %H:%M:%S"),
            "title": perturb_title(_str(seed["title"]), rng),
            "text": perturb_text(_str(seed["text"]), rng),
            "writer_id": who["writer_id"], "name": name, "phone": phone, "channel": who["channel"],
            "up_votes": seed["up_votes"], "down_votes": seed["down_votes"],
            "reply_text": seed["reply_text"] if isinstance(seed["reply_text"], str) else None,
            "replied_at": None if replied is None else replied.strftime("%Y-%m-%d %H:%M:%S"),
        }
        return letter, {"letter_id": letter["letter_id"], "seed_letter_id": seed["letter_id"], "person": person}

    def chunks(self, start: int, stop: int, chunk: int = 50_000):
        """(first, letters, truth): frames of at most `chunk` rows covering letters start..stop-1."""
        for first in range(start, stop, chunk):
            pairs = [self.letter(i) for i in range(first, min(first + chunk, stop))]
            yield (first, pd.DataFrame([p[0] for p in pairs], columns=OUTPUT_COLUMNS),
                   pd.DataFrame([p[1] for p in pairs]))


def _str(value) -> str:
    return value if isinstance(value, str) else ""


def generate(n: int, out: str | Path, seed: int = 0, chunk: int = 50_000, start: int = 0,
             seeds: pd.DataFrame | None = None, **options) -> list[Path]:
    """Letters start..start+n-1 as Parquet parts under `<out>/letters` (truth under `<out>/truth`)."""
    out = Path(out)
    (out / "letters").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    replicator = LetterReplicator(load_seed_letters() if seeds is None else seeds, seed=seed, **options)
    parts = []
    for first, letters, truth in replicator.chunks(start, start + n, chunk):
        name = f"part-{first:09d}.parquet"  # named by its first letter: batches never collide
        letters.to_parquet(out / "letters" / name, index=False)
        truth.to_parquet(out / "truth" / name, index=False)
        parts.append(out / "letters" / name)
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=10_000, help="letters to generate (default 10,000)")
    parser.add_argument("--out", help="output folder (default: a temporary folder, removed after)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunk", type=int, default=50_000, help="letters per Parquet part")
    args = parser.parse_args()
    seeds = load_seed_letters()
    with tempfile.TemporaryDirectory() as temporary:
        out = Path(args.out or temporary)
        started = time.perf_counter()
        parts = generate(args.n, out, seed=args.seed, chunk=args.chunk, seeds=seeds)
        elapsed = time.perf_counter() - started
        size = sum(p.stat().st_size for p in parts) / 1e6
        print(f"{args.n} letters from {len(seeds)} seed letters in {len(parts)} parts ({size:.1f} MB) "
              f"in {elapsed:.1f} s: {args.n / elapsed:.0f} letters/s -> {out / 'letters'}")


if __name__ == "__main__":
    main()
