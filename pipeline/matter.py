"""The matter as evidence of identity: a letter that names no one joins the person whose matter it is.

Hotline operators often write a repeat caller as 市民 or nothing at all, while the call repeats,
word for word, the complaint the same caller made under their name a hundred times. What the
letter is about is then the only evidence. It is weak evidence, and two things make it safe:

- **It joins a letter to a person, never two anonymous letters to each other.** `anonymous_pairs`
  pairs an anonymous letter only with letters that carry identity (a full or partial name, phone,
  ID number or account), so anonymous letters cannot chain through one another, and a campaign of
  copies that no one signed stays many people.
- **The matter must be the person's own, closely.** Each pair is a near copy of the wording (at
  least `min_share` of the MinHash positions agree, the text comparison's "near copy" level) whose
  named places and organisations (`matter_places`: the estate, road, village, 派出所, company …)
  do not contradict each other. Pairs are weak (below the linker's threshold): in
  `pipeline.merge.VetoMerger` a letter with only weak links joins a person only when at least
  `attach_min_support` of that person's letters support it and no other person's do. A matter
  that two identified persons both wrote about (a joint letter, a campaign) attaches to no one,
  and a caller's long history cannot absorb letters about something else: each anonymous letter
  stands or falls on its own near copies.

One store is one office's records: matter links are never drawn across stores.
Everything here is a pure function over signatures and small frames, so an engine can run it per
partition (`pipeline.spark_link`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import minhash

# Kinds of `pipeline.places.Place` that say where, or with whom, the matter is.
_MATTER_KINDS = frozenset({"estate", "road", "village", "community", "town", "water", "bridge",
                           "park", "school", "hospital", "mall", "market", "company", "agency",
                           "factory"})
MAX_PLACES = 12
PLACE_SEPARATOR = "|"
# Identity that makes a letter an anchor of its person's matter (a partial name too: a caller
# the operator always writes as 王先生 has a matter of his own, established by the partial name
# and the same complaint, `pipeline.merge.same_matter_pairs`).
ANCHOR_COLUMNS = ("name_clean", "name_partial", "phone_clean", "id_clean", "writer_key")
# Candidates kept per anonymous letter: enough to see a second person writing the same matter.
MAX_CANDIDATES = 200


def matter_places(text: object, title: object = None, places=None) -> str | None:
    """The places and organisations a letter's text names (`pipeline.places.find_places`),
    distinct, in order, joined by "|"; None when it names none. Stored with the letter, so history
    letters (whose text the store does not keep) compare too. Given the letter's title, the text's
    places come from the scan of title and text that routing made (`places_of_text`): the same
    places, without scanning the text again (`places`: the run's `LETTER_PLACES` of the letter)."""
    if not isinstance(text, str) or not text:
        return None
    from pipeline.places import find_places, places_of_text

    found = find_places(text) if title is None else places_of_text(text, str(title), places)
    seen: list[str] = []
    for place in found:
        if place.kind in _MATTER_KINDS and place.name not in seen:
            seen.append(place.name)
            if len(seen) >= MAX_PLACES:
                break
    return PLACE_SEPARATOR.join(seen) or None


def places_agree(a: object, b: object) -> bool:
    """Two letters' `matter_places` do not contradict: one names none, or they share one."""
    if not isinstance(a, str) or not isinstance(b, str) or not a or not b:
        return True
    return not set(a.split(PLACE_SEPARATOR)).isdisjoint(b.split(PLACE_SEPARATOR))


def is_anonymous(frame: pd.DataFrame) -> np.ndarray:
    """Letters carrying no identity at all: no full or partial name, phone, ID number or account."""
    present = [frame[c].notna().to_numpy() for c in ANCHOR_COLUMNS if c in frame.columns]
    if not present:
        return np.ones(len(frame), dtype=bool)
    return ~np.logical_or.reduce(present)


def anonymous_pairs(new: pd.DataFrame, history: pd.DataFrame, new_sig: np.ndarray,
                    hist_sig: np.ndarray | None, probability: float,
                    min_share: float = 0.5) -> pd.DataFrame:
    """Weak pairs (letter_key_l: a new anonymous letter, letter_key_r: a letter with identity, new
    or stored, match_probability = `probability`) whose wording agrees on at least `min_share` of
    the MinHash positions and whose named places agree (`places_agree`). `min_share` 0 gives
    none. Candidates come from MinHash LSH of the anonymous letters against the identified ones
    only, so the cost grows with the anonymous new letters, not with the store."""
    columns = ["letter_key_l", "letter_key_r", "match_probability"]
    if min_share <= 0 or not len(new):
        return pd.DataFrame(columns=columns)
    anonymous = np.flatnonzero(is_anonymous(new) & ~minhash.is_empty(new_sig))
    if not len(anonymous):
        return pd.DataFrame(columns=columns)
    anchors_new = np.flatnonzero(~is_anonymous(new))
    keys = [new["letter_key"].to_numpy()[anchors_new]]
    places = [_places(new).to_numpy()[anchors_new]]
    sigs = [np.asarray(new_sig)[anchors_new]]
    if hist_sig is not None and len(history) and len(hist_sig) == len(history):
        anchors_hist = np.flatnonzero(~is_anonymous(history))
        keys.append(history["letter_key"].to_numpy()[anchors_hist])
        places.append(_places(history).to_numpy()[anchors_hist])
        sigs.append(np.asarray(hist_sig)[anchors_hist])
    anchor_keys, anchor_places = np.concatenate(keys), np.concatenate(places)
    anchor_sig = np.vstack(sigs)
    if not len(anchor_keys):
        return pd.DataFrame(columns=columns)
    # the anonymous letters query; the anchors are the table ("history" to `minhash.pairs`)
    found = minhash.pairs(np.asarray(new_sig)[anonymous], anchor_sig, threshold=min_share,
                          max_candidates=MAX_CANDIDATES)
    found = found[found["in_history"].astype(bool)]
    if found.empty:
        return pd.DataFrame(columns=columns)
    left = anonymous[found["i"].to_numpy()]
    right = found["j"].to_numpy()
    left_places = _places(new).to_numpy()[left]
    keep = np.array([places_agree(a, b) for a, b in zip(left_places, anchor_places[right])],
                    dtype=bool)
    return pd.DataFrame({"letter_key_l": new["letter_key"].to_numpy()[left][keep],
                         "letter_key_r": anchor_keys[right][keep],
                         "match_probability": float(probability)}, columns=columns)


def _places(frame: pd.DataFrame) -> pd.Series:
    if "matter_places" in frame.columns:
        return frame["matter_places"]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)
