"""Persons: stable letter keys and person ids, and the one-row-per-person table.

A letter's key (`letter_keys`) is the same whichever file it is re-ingested from; a person's id
(`person_id_for`) derives from their first letter's key, so it stays the same across runs.
`persons_table` is what a case manager reads about each petitioner. Nothing here links: these
are the names linking, the case store and the writers share.
"""
from __future__ import annotations

import hashlib
import math
import re
from functools import lru_cache

import pandas as pd

# The columns a linked letter carries (added by pipeline.link.PetitionerLinker).
LINK_COLUMNS = (
    "person_id", "person_match_prob", "repeat_count", "first_seen", "near_duplicate_of",
    "joint_letter_group",
)


# The columns `persons_table` reads (with `letter_key`, which orders and keys the letters): what the
# store hands it, not every stored column (the texts of every letter of every person a run touched).
PERSON_READS = (
    "letter_key", "letter_id", "received_at", "person_id", "name", "name_clean", "name_partial", "id_clean",
    "phone_clean", "address", "writer_key", "label", "issue_type", "hot_issue_label",
)


def letter_keys(letters: pd.DataFrame) -> pd.Series:
    """A stable key per letter: the same letter re-ingested from any file gets the same key.

    Built from letter_id, received_at and text, so two different letters that happen to share
    a letter_id (two systems numbering from 1) stay distinct.
    """
    def part(column: str) -> pd.Series:
        if column not in letters.columns:
            return pd.Series([""] * len(letters), index=letters.index)
        values = letters[column]
        if column == "received_at":
            values = pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m-%dT%H:%M:%S")
        return values.astype(object).where(values.notna(), "").astype(str)

    joined = part("letter_id") + "\x1f" + part("received_at") + "\x1f" + part("text")
    return joined.map(lambda s: hashlib.sha1(s.encode("utf-8")).hexdigest()[:20]).astype(object)


def person_id_for(first_key: str) -> str:
    """A person's id is derived from their first letter's key: stable across runs."""
    return "P" + hashlib.sha1(("person:" + first_key).encode()).hexdigest()[:10].upper()

def _ts(value) -> float:
    """A time as seconds for sorting; a missing time sorts last."""
    if value is None or pd.isna(value):
        return math.inf
    return pd.Timestamp(value).timestamp()


# ------------------------------------------------------------------------------ persons
def persons_table(linked: pd.DataFrame) -> pd.DataFrame:
    """One row per person: most frequent identity values, letter count, dates, issue types.

    `linked` holds every letter of the persons wanted (history included) with person_id and the
    identity columns. Identity is unmasked here: mask it (pipeline.mask.mask_frame) to export.
    The phone is the most recent one written; name, ID number and address the most frequent.
    For a case manager: `name_forms` (every written form with its count), `phone_count`,
    `letters_per_month` (over the months from first to last letter, at least one) and
    `top_matters` (hot issue where known, else issue type; the three commonest, with counts).
    Sorted by letters, then the most recent contact.
    """
    frame = linked[linked["person_id"].notna()].copy()
    frame["received_at"] = pd.to_datetime(frame.get("received_at"), errors="coerce")
    frame = frame.sort_values(["person_id", "received_at"], na_position="first", kind="stable")
    grouped = frame.groupby("person_id", sort=False)
    persons = pd.DataFrame({
        "letter_count": grouped.size(),
        "first_seen": grouped["received_at"].min(),
        "last_seen": grouped["received_at"].max(),
    })

    def most_frequent(column: str) -> pd.Series:
        if column not in frame.columns:
            return pd.Series(dtype=object)
        counts = frame[["person_id", column]].dropna().value_counts().reset_index(name="n")
        counts = counts.sort_values(["person_id", "n", column], ascending=[True, False, True])
        return counts.drop_duplicates("person_id").set_index("person_id")[column]

    def joined(column: str, counted: bool) -> pd.Series:
        if column not in frame.columns:
            return pd.Series(dtype=object)
        part = frame[["person_id", column]].dropna()
        part = part.assign(**{column: part[column].astype(str)})
        if counted:
            counts = part.value_counts().reset_index(name="n")
            counts = counts.sort_values(["person_id", "n", column], ascending=[True, False, True])
            part = counts.assign(**{column: counts[column] + "(" + counts["n"].astype(str) + ")"})
            part = part[["person_id", column]]
        return _join_by_person(part["person_id"], part[column])

    persons["name"] = most_frequent("name_clean")
    persons["id_number"] = most_frequent("id_clean")
    if "phone_clean" in frame.columns:
        persons["phone"] = grouped["phone_clean"].last()
    persons["address"] = most_frequent("address")
    writers = frame[["person_id", "writer_key"]].dropna().drop_duplicates() \
        if "writer_key" in frame.columns else frame.iloc[0:0][["person_id"]].assign(writer_key="")
    persons["writer_ids"] = writers.sort_values("writer_key").groupby("person_id")[
        "writer_key"].agg(";".join)
    # the office's own label where it has one, else the classifier's
    if "issue_type" in frame.columns:
        label = frame["label"] if "label" in frame.columns else None
        frame["_issue"] = frame["issue_type"] if label is None else label.where(
            label.notna(), frame["issue_type"])
    elif "label" in frame.columns:
        frame["_issue"] = frame["label"]
    persons["issue_types"] = joined("_issue", counted=True)
    # what a case manager reads first: every form of the name seen, how many phones, how often
    # they call, and about what
    frame["_name_form"] = _name_forms(frame)
    persons["name_forms"] = joined("_name_form", counted=True)
    persons["phone_count"] = (grouped["phone_clean"].nunique() if "phone_clean" in frame.columns
                              else 0)
    months = ((persons["last_seen"] - persons["first_seen"]).dt.days / 30.44).clip(lower=1.0)
    persons["letters_per_month"] = (persons["letter_count"] / months.fillna(1.0)).round(1)
    if "hot_issue_label" in frame.columns and frame["hot_issue_label"].notna().any():
        frame["_matter"] = frame["hot_issue_label"].where(frame["hot_issue_label"].notna(),
                                                          frame.get("_issue"))
    else:
        frame["_matter"] = frame.get("_issue")
    persons["top_matters"] = joined("_matter", counted=True).map(
        lambda v: ";".join(v.split(";")[:3]) if isinstance(v, str) else v)
    persons["letter_ids"] = joined("letter_id", counted=False)
    persons = persons.reset_index().rename(columns={"index": "person_id"})
    columns = ["person_id", "name", "name_forms", "id_number", "phone", "phone_count", "address",
               "writer_ids", "letter_count", "first_seen", "last_seen", "letters_per_month",
               "top_matters", "issue_types", "letter_ids"]
    for column in columns:
        if column not in persons.columns:
            persons[column] = None
    # most letters first, then the most recently heard from
    persons = persons[columns].sort_values(["letter_count", "last_seen", "person_id"],
                                           ascending=[False, False, True], kind="stable",
                                           na_position="last")
    return persons.reset_index(drop=True)


def _join_by_person(person_ids: pd.Series, values: pd.Series) -> pd.Series:
    """`values.groupby(person_ids, sort=False).agg(";".join)`: each person's strings in the order
    given, joined, persons in order of first appearance. In plain Python: pandas joins each group
    through a Series of its own, which at 3x10^4 letters was most of the persons table's time."""
    if values.empty:
        return values.groupby(person_ids, sort=False).agg(";".join)
    groups: dict = {}
    for person, value in zip(person_ids.tolist(), values.tolist()):
        groups.setdefault(person, []).append(value)
    # the dtype pandas infers for the joined strings, as its own agg does (str in pandas 3)
    return pd.Series([";".join(group) for group in groups.values()], index=pd.Index(list(groups), name=person_ids.name),
                     name=values.name)


def _name_forms(frame: pd.DataFrame) -> pd.Series:
    """The name as each letter wrote it (李培栋先生, 李先生, 高书翰来电 → 高书翰), or the name found
    in its text; None where the letter names no one (市民, 先生, ***)."""
    raw = frame["name"] if "name" in frame.columns else pd.Series(None, index=frame.index)
    found = frame["name_clean"] if "name_clean" in frame.columns else raw.map(lambda v: None)
    partial = frame["name_partial"] if "name_partial" in frame.columns else found

    def form(value, name, part):
        if isinstance(value, str) and (written := _written_name(value)) is not None:
            return written
        if isinstance(name, str):
            return name
        return part if isinstance(part, str) and len(part) > 1 else None

    return pd.Series([form(v, n, p) for v, n, p in zip(raw.tolist(), found.tolist(), partial.tolist())],
                     index=frame.index, dtype=object)


@lru_cache(maxsize=1 << 16)
def _written_name(value: str) -> str | None:
    """A name cell as written, without what is not part of a name (高书翰来电 → 高书翰), or None
    when it names no one. Cached: a repeat writer's letters carry the same cell, and telling a name
    (`clean_name`, with its Traditional → Simplified step) was most of `_name_forms`' time."""
    from pipeline.identity import clean_name, partial_name

    if clean_name(value) or partial_name(value):
        text = re.sub(r"[^\u3400-\u9fff·]", "", value)
        return re.sub(r"(?:来电|来话|市民)+$", "", text) or text
    return None
