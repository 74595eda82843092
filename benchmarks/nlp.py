"""What the spaCy pipeline costs over plain bulk tokenization, on 2,000 real letters.

Run: .venv/bin/python benchmarks/nlp.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from pipeline.nlp import make_nlp  # noqa: E402
from pipeline.paths import SHARED_DATA_DIR  # noqa: E402
from pipeline.read import read_letters  # noqa: E402
from pipeline.tokenize import Tokenizer  # noqa: E402


def main() -> None:
    path = SHARED_DATA_DIR / "hot_messages.xlsx"
    if not path.exists():
        sys.exit(f"needs the real letters in {SHARED_DATA_DIR}")
    letters = read_letters(path).letters.head(2000)
    texts = (letters["title"] + " " + letters["text"]).tolist()
    tokenizer = Tokenizer()
    tokenizer.cut("预热")
    start = time.perf_counter()
    for text in texts:
        tokenizer.cut(text)
    plain = time.perf_counter() - start
    nlp = make_nlp(tokenizer)
    start = time.perf_counter()
    entities = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=64))
    spacy_seconds = time.perf_counter() - start
    print(f"{len(texts)} letters, one process")
    print(f"Tokenizer.cut           {len(texts) / plain:8.0f} letters/s")
    print(f"spaCy (jieba + ruler)   {len(texts) / spacy_seconds:8.0f} letters/s  ({spacy_seconds / plain:.1f}x the cost, "
          f"{entities / len(texts):.1f} entities per letter)")


if __name__ == "__main__":
    main()
