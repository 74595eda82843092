"""spaCy on top of our jieba segmentation, so rule components see the tokens the rest sees.

`make_nlp()` gives a blank Chinese pipeline whose tokenizer is `pipeline.tokenize.Tokenizer`
(raw segmentation, nothing dropped) and an entity ruler for what petition work needs to pick
out of a letter: places (A市 A5区 K9县, 街道 镇 村 社区, rivers, roads), estates, schools,
organisations (all from `pipeline.places`, the extractor clustering and routing use), phone
numbers and ID numbers. Each `Doc` also carries `doc._.places` for clustering and routing.
spaCy costs several times the plain tokenizer (see benchmarks/nlp.py); bulk paths that only need
tokens use `Tokenizer.cut_all`.
"""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from pipeline.places import place_spans
from pipeline.tokenize import Tokenizer


def _patterns() -> list[dict]:
    """Identity numbers only: places come from `pipeline.places` (the `petition_places` component)."""
    return [
        {"label": "PHONE", "pattern": [{"TEXT": {"REGEX": r"^(?:\+?86)?1[3-9]\d{9}$"}}]},
        {"label": "ID_NUMBER", "pattern": [{"TEXT": {"REGEX": r"^\d{17}[\dXx]$|^\d{15}$"}}]},
    ]


@Language.component("petition_places")
def petition_places(doc: Doc) -> Doc:
    """Places as entities, from the one extractor clustering and routing use (`pipeline.places`)."""
    spans = []
    for start, end, label in place_spans(doc.text):
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    doc.ents = filter_spans(list(doc.ents) + spans)
    return doc


class JiebaSpacyTokenizer:
    """A spaCy tokenizer that returns exactly `Tokenizer.segment`'s tokens."""

    def __init__(self, vocab, tokenizer: Tokenizer):
        self.vocab = vocab
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        words = [w for w in self.tokenizer.segment(text) if w]
        spaces = [False] * len(words)
        # whitespace tokens become spaces after the previous word, as spaCy expects
        kept, kept_spaces = [], []
        for word in words:
            if word.isspace() and kept and not kept_spaces[-1] and word == " ":
                kept_spaces[-1] = True
                continue
            kept.append(word)
            kept_spaces.append(False)
        return Doc(self.vocab, words=kept or words, spaces=kept_spaces or spaces)


def _places(doc: Doc) -> list[str]:
    return [ent.text for ent in doc.ents if ent.label_ in ("PLACE", "ESTATE", "SCHOOL", "ORG")]


if not Doc.has_extension("places"):
    Doc.set_extension("places", getter=_places)


def make_nlp(tokenizer: Tokenizer | None = None) -> Language:
    """A blank `zh` pipeline: jieba tokens (with the petition dictionary) and the entity ruler."""
    nlp = spacy.blank("zh")
    nlp.tokenizer = JiebaSpacyTokenizer(nlp.vocab, tokenizer or Tokenizer())
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True, "validate": False})
    ruler.add_patterns(_patterns())
    nlp.add_pipe("petition_places", after="entity_ruler")
    return nlp


@lru_cache(maxsize=1)
def default_nlp() -> Language:
    return make_nlp()
