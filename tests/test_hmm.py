"""jieba's HMM word guesser, reimplemented: the same words as `jieba.finalseg.cut`."""
import random

from jieba import finalseg

from pipeline import hmm
from pipeline.read import read_letters


def test_the_same_words_as_jiebas_hmm_on_real_text(sample_dir):
    letters = read_letters([sample_dir]).letters
    texts = [t for t in (letters["title"].fillna("") + " " + letters["text"].fillna("")) if len(t) > 2]
    rng = random.Random(0)
    samples = []
    for text in texts:
        for _ in range(5):  # windows of every length a run of unknown characters has
            start = rng.randrange(len(text))
            samples.append(text[start:start + rng.randint(1, 16)])
    han = [c for text in texts[:200] for c in text if "\u4e00" <= c <= "\u9fd5"]
    samples += ["".join(rng.choice(han) for _ in range(rng.randint(1, 40))) for _ in range(3000)]
    samples += ["", "a", "第3期", "3.5%的人", "张三李四王五"]
    assert len(samples) > 5000
    assert [hmm.cut(s) for s in samples] == [list(finalseg.cut(s)) for s in samples]


def test_states_break_ties_as_jieba_does():
    """One character alone is a single-character word, or a word's end: never a word's start."""
    assert hmm.viterbi("的")[-1] in "ES"
    assert len(hmm.viterbi("王小明来了")) == 5
