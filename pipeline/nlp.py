"""spaCy on top of our jieba segmentation, so rule components see the tokens the rest sees.

`make_nlp()` gives a blank Chinese pipeline whose tokenizer is `pipeline.tokenize.Tokenizer`
(raw segmentation, nothing dropped) and an entity ruler for what petition work needs to pick
out of a letter: places (A市 A5区 K9县, 街道 镇 村 社区), estates, schools, organisations, phone
numbers and ID numbers. Each `Doc` also carries `doc._.places` for clustering and routing.
spaCy costs several times the plain tokenizer (see benchmarks/nlp.py); bulk paths that only need
tokens use `Tokenizer.cut_all`.
"""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.tokenize import Tokenizer

HAN_OR_ALNUM = r"^[\u4e00-\u9fffA-Za-z0-9]+$"
PLACE_CODE = r"^[A-Z][0-9]{0,2}[省市区县镇乡]$"
# Words that start a clause, never a name: keeps "反映魅力之城小区" to "魅力之城小区".
NOT_NAME = [
    "反映", "投诉", "举报", "位于", "住在", "居住", "关于", "咨询", "我们", "我", "本人", "业主", "居民", "村民",
    "家长", "市民", "请问", "希望", "要求", "建议", "请求", "强烈", "在", "的", "了", "和", "与", "及", "对",
    "是", "有", "从", "到", "向", "把", "被", "给", "由", "该", "这个", "那个", "附近", "门口", "旁边", "对面",
    "小区", "公司", "学校", "目前", "现在", "今年", "去年", "一直", "多次", "严重", "问题", "情况", "领导",
]
_NAME_PART = {"TEXT": {"REGEX": HAN_OR_ALNUM, "NOT_IN": NOT_NAME}}
_SUFFIX = {
    "ESTATE": r"(小区|花园|花苑|家园|公寓|新城|山庄|嘉园|华庭|华府|名苑|雅苑|佳苑|苑|安置区|宿舍)$",
    "SCHOOL": r"(小学|中学|学校|幼儿园|大学|学院|实验学校|职校)$",
    "ORG": r"(有限公司|公司|集团|工厂|厂|医院|银行|物业|开发商|局|委员会|村委会|居委会|管委会|街道办)$",
    "PLACE": r"(街道|镇|乡|村|社区|组|路|大道|街)$",
}


def _patterns() -> list[dict]:
    patterns: list[dict] = [
        {"label": "PHONE", "pattern": [{"TEXT": {"REGEX": r"^(?:\+?86)?1[3-9]\d{9}$"}}]},
        {"label": "ID_NUMBER", "pattern": [{"TEXT": {"REGEX": r"^\d{17}[\dXx]$|^\d{15}$"}}]},
        {"label": "PLACE", "pattern": [{"TEXT": {"REGEX": PLACE_CODE}}, {"TEXT": {"REGEX": PLACE_CODE}, "OP": "*"}]},
    ]
    for label, suffix in _SUFFIX.items():
        whole = {"TEXT": {"REGEX": f"^[\u4e00-\u9fffA-Za-z0-9]+{suffix}"}}
        ending = {"TEXT": {"REGEX": f"^{suffix}"}}
        place = {"TEXT": {"REGEX": PLACE_CODE}, "OP": "?"}
        patterns.append({"label": label, "pattern": [place, dict(_NAME_PART, OP="{0,2}"), whole]})
        patterns.append({"label": label, "pattern": [place, dict(_NAME_PART, OP="{1,3}"), ending]})
    return patterns


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
    return nlp


@lru_cache(maxsize=1)
def default_nlp() -> Language:
    return make_nlp()
