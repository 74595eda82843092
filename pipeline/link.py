"""Link letters to petitioners, and find copy-paste repeats and joint letters.

A case manager must see that a letter comes from someone who has written eleven times about the
same dispute even when the name is mis-written, the phone changed and no one copied the ID.
`PetitionerLinker.link` does it in four steps, each a method an engine can run its own way:

1. `score_pairs`: blocking and probabilistic record linkage (Splink; the model, its EM
   training and the saved model are in `pipeline.splink_model`) over the cleaned identity
   fields of `pipeline.identity` and the letter's wording, on Splink's database API
   (`db_api`: DuckDB by default, `SparkAPI` on a cluster).
2. `near_duplicate_pairs` (MinHash LSH over character 4-gram shingles, `pipeline.minhash`),
   which on its own finds copy-paste repeats (`near_duplicate_of`) and letters copied by
   several people (`joint_letter_group`), and `extra_pairs`: what names as hotline records
   write them say (a rare full name; a partial name such as 王先生 with a near copy or a
   re-telling of the same complaint; `pipeline.merge`), and what the matter says where no
   identity is written (`pipeline.matter`: an anonymous letter near-copying, in the same places,
   the letters of one person; weak links, never between two anonymous letters).
3. `merge`: pairs become persons by greedy clustering with vetoes (`pipeline.merge.VetoMerger`):
   clearly different names or ID numbers, or different counties with nothing but a name in
   common, are never merged; a letter with only weak links joins a person when they all
   point at that one person.
4. `assemble`: person ids, repeat counts and first dates over history and batch, and the
   near-duplicate and joint-letter links. `pipeline.persons.persons_table` gives the persons.

The linker reads and writes no store: `link(letters, store.history())`, then
`store.save(linked, linker=linker)`. Each step touches only the stored letters a batch can meet
(Splink gets those a blocking rule reaches, MinHash keeps those sharing a band key with a new
letter, repeat counts read the batch's persons' letters), so a batch against a 10^6-letter store
holds the history once and little beside it (issue 19).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import matter, merge as merging, minhash, splink_model
from pipeline.identity import IDENTITY_COLUMNS, clean_identity
from pipeline.minhash import NearDuplicates  # noqa: F401 - the near-duplicate finder, re-exported
from pipeline.persons import LINK_COLUMNS, _ts, letter_keys, persons_table  # noqa: F401
from pipeline.splink_model import DEFAULT_MODEL_PATH, train_model  # noqa: F401


class PetitionerLinker:
    """Assign each letter a person, a repeat count, near-duplicate and joint-letter links.

    Parameters
    ----------
    threshold : match probability at which two letters are taken to be the same person.
    train : "auto" re-estimates the model by EM when the letters (history + new) hold at least
        `min_train_letters` letters with identity and EM gives a plausible model; "never" uses
        the saved model; "always" insists on EM (PetitionError if it cannot).
    model_path : the saved model (default models/linking/splink_model.json).
    scale_prior : lower the prior "two random letters are the same person" in proportion when
        more letters are linked than the model was trained on: in a store ten times bigger a
        random pair is ten times less likely to be one person.
    near_duplicate_threshold : MinHash Jaccard at which two texts are near-duplicates.
    attach_min_support, attach_min_bits : a letter whose links are all weak (below
        `threshold`, but each with a Bayes factor of at least `attach_min_bits` bits, e.g. one
        exact phone or name and nothing contradicting) still joins a
        person when at least this many of that person's letters support it and no other
        person's do (0 turns this off).
    max_name_pairs : also block on the name alone (finding letters that carry nothing but a
        name) while that adds at most this many pairs; big stores skip it.
    db_api : Splink's database API for training and scoring (None: a fresh in-memory DuckDB
        each time; pass `splink.backends.spark.SparkAPI(...)` to score on Spark).
    matter_min_share : a letter carrying no identity joins a person whose letters it near-copies
        (at least this share of MinHash positions agree, and the places and organisations named
        agree), as a weak link (`pipeline.matter`); 0 turns this off.

    After `link(...)`: `settings_` (the Splink model used), `model_source_` ("em" or the path
    of the saved model), `pairs_` (scored pairs at or above threshold, with their `reason`),
    `merged_persons_` (history person id -> the id it was merged into), `signatures_`
    (letter_key -> MinHash row, for the store), `near_duplicate_pairs_`.
    """

    def __init__(self, threshold: float = 0.7, train: str = "never",
                 model_path: Path | str | None = None, min_train_letters: int = 3000,
                 scale_prior: bool = True, near_duplicate_threshold: float = 0.8,
                 num_perm: int = 64, attach_min_support: int = 2, attach_min_bits: float = 10.0,
                 max_name_pairs: int = 2_000_000, seed: int = 42, db_api=None,
                 matter_min_share: float = 0.5):
        self.threshold = threshold
        self.train = train
        self.model_path = model_path
        self.min_train_letters = min_train_letters
        self.scale_prior = scale_prior
        self.near_duplicate_threshold = near_duplicate_threshold
        self.num_perm = num_perm
        self.attach_min_support = attach_min_support
        self.attach_min_bits = attach_min_bits
        self.max_name_pairs = max_name_pairs
        self.seed = seed
        self.db_api = db_api
        self.matter_min_share = matter_min_share

    # what `link` leaves for inspection and for the store's save, which reads `signatures_`
    BATCH_RESULTS = ("signatures_", "pairs_", "near_duplicate_pairs_", "timeline_")

    def forget_batch(self, keep: tuple[str, ...] = ()) -> None:
        """Drop the batch's results once the store has saved them (`BATCH_RESULTS`, but those in
        `keep`): a run holds its linker to the end (`model_version`, for run.json and the store's
        runs row), and the MinHash row and timeline of every letter were otherwise held through
        the files. The model (`settings_`, `model_source_`) and `merged_persons_` stay."""
        for name in self.BATCH_RESULTS:
            if name not in keep:
                self.__dict__.pop(name, None)

    def model_version(self) -> str:
        """A short hash of the model in use, recorded with every prediction in the store."""
        blob = json.dumps(getattr(self, "settings_", {}), sort_keys=True, default=str)
        return hashlib.sha1(blob.encode()).hexdigest()[:12]

    # -- the whole link ----------------------------------------------------------------------
    def link(self, letters: pd.DataFrame, history: pd.DataFrame | tuple | None = None,
             history_signatures: np.ndarray | None = None) -> pd.DataFrame:
        """Return `letters` with identity columns and LINK_COLUMNS added.

        `history` holds earlier letters already linked (as `CaseStore.history()` returns them:
        letter_key, letter_id, received_at, person_id and the identity columns);
        `history_signatures` their MinHash rows, aligned with `history`. New letters join
        history persons; history persons may merge when a new letter proves them one person.
        """
        if isinstance(history, tuple):  # CaseStore.history() gives (frame, signatures)
            history, history_signatures = history
        letters, new, history = self._prepare(letters, history)
        if history_signatures is None or len(history_signatures) != len(history):
            history_signatures = None
        new_signatures = minhash.signatures(
            new["text"] if "text" in new.columns else [""] * len(new), num_perm=self.num_perm)
        self.signatures_ = dict(zip(new["letter_key"], new_signatures))
        self.settings_ = self.select_model(history, new, history_signatures, new_signatures)
        if not len(history):
            history_signatures = None
        # 1. blocking and scoring; 2. near-duplicate and name pairs
        pairs = self.score_pairs(new, history, new_signatures, history_signatures)
        near = self.near_duplicate_pairs(new_signatures, history_signatures)
        pairs = self.extra_pairs(pairs, near, new, history, new_signatures, history_signatures)
        self.pairs_ = pairs[pairs["match_probability"] >= self.threshold]
        # 3. the merge with vetoes; 4. persons, repeat counts, near-duplicate links
        person_of, prob_of = self.merge(new, history, pairs)
        out = self.assemble(letters, new, history, person_of, prob_of, near)
        out.attrs["merged_persons"] = dict(self.merged_persons_)
        out.attrs["linker_version"] = self.model_version()
        return out

    def _prepare(self, letters, history):
        """Cleaned identity, letter keys and dates; `new`: the letters not yet in `history`."""
        if "name_clean" not in letters.columns:
            letters = clean_identity(letters)
        letters = letters.copy()
        if "letter_key" not in letters.columns:
            letters["letter_key"] = letter_keys(letters)
        history = history if history is not None else pd.DataFrame(
            columns=["letter_key", "letter_id", "received_at", "person_id", *IDENTITY_COLUMNS])
        if "received_at" not in letters.columns:
            letters["received_at"] = pd.NaT
        letters["received_at"] = pd.to_datetime(letters["received_at"], errors="coerce")
        new = letters.drop_duplicates("letter_key")
        new = new[~new["letter_key"].isin(set(history["letter_key"]))]
        return letters, new, history

    # -- the model ---------------------------------------------------------------------------
    def select_model(self, history: pd.DataFrame, new: pd.DataFrame, history_signatures,
                     new_signatures) -> dict:
        """The Splink model for the history and new letters: EM or the saved one. The saved one
        needs only their number, so the letters are put together only when EM trains."""
        both, rows = pd.DataFrame(index=pd.RangeIndex(len(history) + len(new))), None
        if self.train in ("auto", "always"):  # EM's text comparison: signatures aligned with both
            both = pd.concat([history[["letter_key", *IDENTITY_COLUMNS]],
                              new[["letter_key", *IDENTITY_COLUMNS]]], ignore_index=True)
            hist = history_signatures
            if hist is None:
                hist = np.full((len(history), new_signatures.shape[1]), minhash.EMPTY, np.uint32)
            rows = np.vstack([hist, new_signatures])
        settings, self.model_source_ = splink_model.select_model(
            both, train=self.train, model_path=self.model_path,
            min_train_letters=self.min_train_letters, scale_prior=self.scale_prior,
            seed=self.seed, signatures=rows, db_api=self.db_api)
        return settings

    def _attach_floor(self) -> float:
        """The match probability of a pair whose Bayes factor is `attach_min_bits`, under the
        prior in use: the same evidence at any store size, however small the prior gets."""
        prior = self.settings_["probability_two_random_records_match"]
        odds = prior / (1 - prior) * 2.0 ** self.attach_min_bits
        return min(odds / (1 + odds), self.threshold)

    def _weak_probability(self) -> float:
        """The probability given to a weak link that must not join letters by itself (the matter
        of an anonymous letter): between the attach floor and the threshold."""
        return (self._attach_floor() + self.threshold) / 2

    # -- 1. blocking and scoring -------------------------------------------------------------
    def score_pairs(self, new, history, new_signatures=None, history_signatures=None):
        """Splink's pairs at or above the attach floor (weak links count for `merge`)."""
        rules = []
        if splink_model._name_pairs(new, history if len(history) else None) \
                <= self.max_name_pairs:
            rules = ["l.name_pinyin = r.name_pinyin"]
        return splink_model.score_pairs(
            self.settings_, new, history, min(self.threshold, self._attach_floor()),
            new_signatures, history_signatures, extra_rules=rules, db_api=self.db_api)

    # -- 2. near-duplicate and name pairs ----------------------------------------------------
    def near_duplicate_pairs(self, new_signatures, history_signatures=None) -> pd.DataFrame:
        """MinHash pairs (i, j, in_history, similarity) of near copies (`pipeline.minhash`)."""
        return minhash.pairs(new_signatures, history_signatures,
                             threshold=self.near_duplicate_threshold)

    def extra_pairs(self, pairs, near, new, history, new_signatures,
                    history_signatures) -> pd.DataFrame:
        """Splink's pairs with those that names add (`pipeline.merge`), each with its `reason`;
        one row per pair, the strongest."""
        hist_keys = list(history["letter_key"]) if history_signatures is not None else []
        # the names of the near copies' letters only: the batch's and the history rows they meet
        met = _history_rows_met(near) if hist_keys else []
        named = pd.concat([new[["letter_key", "name_partial", "name_clean"]],
                           history.iloc[met][["letter_key", "name_partial", "name_clean"]]])
        frames = [pairs.assign(reason="splink"),
                  merging.rare_name_pairs(new, history).assign(reason="rare name"),
                  merging.written_name_pairs(
                      near, list(new["letter_key"]), hist_keys,
                      dict(zip(named["letter_key"], named["name_partial"])),
                      dict(zip(named["letter_key"], named["name_clean"]))).assign(
                      reason="written name"),
                  merging.same_matter_pairs(new, history, new_signatures, history_signatures)
                  .assign(reason="same matter"),
                  matter.anonymous_pairs(new, history, new_signatures, history_signatures,
                                         self._weak_probability(), self.matter_min_share)
                  .assign(reason="matter")]
        if any(len(f) for f in frames[1:]):
            pairs = pd.concat([f for f in frames if len(f)], ignore_index=True)
        else:
            pairs = frames[0]
        return pairs.sort_values("match_probability", ascending=False, kind="stable") \
            .drop_duplicates(["letter_key_l", "letter_key_r"])

    # -- 3. the merge with vetoes ------------------------------------------------------------
    def merge(self, new, history, pairs):
        """(person_of, prob_of): see `pipeline.merge.VetoMerger`."""
        merger = merging.VetoMerger(self.threshold, self._attach_floor(),
                                  self.attach_min_support).fit(new, history, pairs)
        self.merged_persons_ = merger.merged_persons_
        return merger.person_of_, merger.prob_of_

    # -- 4. persons and links ----------------------------------------------------------------
    def assemble(self, letters, new, history, person_of, prob_of, near) -> pd.DataFrame:
        """`letters` with LINK_COLUMNS; letters already in the history keep the links found
        when they were new."""
        resent_rows = history["letter_key"].isin(letters["letter_key"])  # stored letters sent again
        out = self._assemble(letters, new, history, person_of, prob_of, resent_rows)
        out = self._near_duplicates(out, new, history, near)
        resent = history[resent_rows]
        for column in ("person_match_prob", "near_duplicate_of", "joint_letter_group"):
            if column in history.columns and len(resent):
                stored = out["letter_key"].map(dict(zip(resent["letter_key"], resent[column])))
                out[column] = out[column].where(out[column].notna(), stored)
        return out

    def _assemble(self, letters, new, history, person_of, prob_of, resent):
        # each stored letter's person now: the stored one, or the one this batch merged it into
        moved = history["letter_key"].map(person_of) if len(person_of) else \
            pd.Series(None, index=history.index, dtype=object)
        now = moved.where(moved.notna(), history["person_id"])
        hist_person = dict(zip(history.loc[resent, "letter_key"], now[resent]))
        out = letters.copy()
        out["person_id"] = out["letter_key"].map(lambda k: person_of.get(k, hist_person.get(k)))
        out["person_match_prob"] = out["letter_key"].map(prob_of).astype(float)
        # repeat counts and first dates over all the person's letters, history included: only
        # the batch's persons' stored letters count, not a whole store's
        touched = now.isin(out["person_id"].dropna().unique())
        hist = history.loc[touched, ["letter_key", "received_at"]].copy()
        hist["person_id"] = now[touched]
        hist["received_at"] = pd.to_datetime(hist["received_at"], errors="coerce")
        timeline = pd.concat([hist, new[["letter_key", "received_at"]].assign(
            person_id=new["letter_key"].map(person_of))], ignore_index=True)
        timeline = timeline.drop_duplicates("letter_key")
        timeline = timeline.sort_values(["person_id", "received_at", "letter_key"],
                                        na_position="last", kind="stable")
        timeline["repeat_count"] = timeline.groupby("person_id").cumcount() + 1
        first_seen = timeline.groupby("person_id")["received_at"].min()
        repeat = dict(zip(timeline["letter_key"], timeline["repeat_count"]))
        out["repeat_count"] = out["letter_key"].map(repeat).astype("Int64")
        out["first_seen"] = out["person_id"].map(first_seen)
        self.timeline_ = timeline
        return out

    def _near_duplicates(self, out, new, history, pairs):
        """`pairs`: `minhash.pairs` of the new letters' signatures (against the history's
        when it has signatures)."""
        met = _history_rows_met(pairs)
        hist_keys = list(history["letter_key"]) if len(met) else []
        hist_frame = history.iloc[met]  # only the stored letters the batch's near copies meet
        new_keys = list(new["letter_key"])
        received = dict(zip(new["letter_key"], new["received_at"]))
        received.update(zip(hist_frame["letter_key"],
                            pd.to_datetime(hist_frame["received_at"], errors="coerce")))
        letter_id = dict(zip(new["letter_key"], new.get("letter_id", new["letter_key"])))
        letter_id.update(zip(hist_frame["letter_key"], hist_frame["letter_id"]))
        person = dict(zip(out["letter_key"], out["person_id"]))
        hist_person = dict(zip(hist_frame["letter_key"], hist_frame["person_id"]))
        for k, v in hist_person.items():
            person.setdefault(k, self.merged_persons_.get(v, v))
        parent: dict[str, str] = {}

        def find(k):
            parent.setdefault(k, k)
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for i, j, in_history in pairs[["i", "j", "in_history"]].itertuples(index=False):
            a = new_keys[i]
            b = hist_keys[j] if in_history else new_keys[j]
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[rb] = ra
        groups: dict[str, list[str]] = {}
        for k in list(parent):
            groups.setdefault(find(k), []).append(k)
        near_of: dict[str, object] = {}
        joint_of: dict[str, str] = {}
        for group in groups.values():
            group.sort(key=lambda k: (_ts(received.get(k)), str(letter_id.get(k)), k))
            first = group[0]
            for k in group[1:]:
                near_of[k] = letter_id.get(first)
            if len({person.get(k) for k in group}) > 1:
                gid = "J" + hashlib.sha1(("joint:" + first).encode()).hexdigest()[:8].upper()
                for k in group:
                    joint_of[k] = gid
        # a letter signed or brought by several people (人数 >= 2) is a joint letter by itself
        if "head_count" in new.columns:
            counts = pd.to_numeric(new["head_count"], errors="coerce")
            for k in new.loc[counts >= 2, "letter_key"]:
                joint_of.setdefault(
                    k, "J" + hashlib.sha1(("joint:" + k).encode()).hexdigest()[:8].upper())
        out["near_duplicate_of"] = out["letter_key"].map(near_of).astype(object)
        out["joint_letter_group"] = out["letter_key"].map(joint_of).astype(object)
        self.near_duplicate_pairs_ = pairs
        return out


def _history_rows_met(near: pd.DataFrame) -> np.ndarray:
    """The history rows (positions) that `minhash.pairs` found near a new letter, each once."""
    return np.unique(near.loc[near["in_history"].astype(bool), "j"].to_numpy(np.int64))
