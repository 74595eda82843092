"""集中问题: one kind of problem that many people write about in one area.

A hot issue (`pipeline.cluster`) is one problem in one place: one estate's parking, one village's
gas. A message board to provincial leaders holds another concentration: the same kind of problem
in many villages of one city (People's Daily: 106 writers on gas cuts in 大连市, 99 in 邯郸市, most
of them in no hot issue, so the leaders' list showed single letters). Here the letters are counted
by area and matter:

- area (`places.area_of`): the county (区县) the letter's 属地 names, else its city, else its province;
  a name alone, so 大连市中山区 and 中山区 are one area (two counties of one name in two provinces
  are one as well: rare within one office's letters, possible on a national board). Where the
  letters are spread over many cities (`city_level`: a board to a province's or the country's
  leaders), a letter that names its city counts under the city (`places.city_of`), so 大连市's gas cuts
  are one row, not one for the city and one for each county some letters name;
- matter (`matter_of`): the type the letter was routed by and its finest term (城乡建设 · 燃气供应),
  as a case names its matter (`pipeline.rank`); a letter without a term its own words name is in
  no concentration.

A concentration needs `min_writers` different writers. Calls with no request and accusations
against officials (confidential, 纪检监察's alone) are not counted. The Spark engine computes the
same table (`spark_outputs.concentrations`).
"""
from __future__ import annotations

import pandas as pd

from pipeline.places import area_of, city_of
from pipeline.rank import matter_type, writer_ids

COLUMNS = ["area", "matter", "writers", "letters", "open_letters", "urgent_letters", "hot_issues", "main_issue",
           "department", "first_letter", "last_letter", "peak_month", "top_letter_id", "title"]
# the columns `concentrations` reads
READS = ("letter_id", "person_id", "area", "area_city", "place", "routed_type", "routed_term", "routed_term_named",
         "issue_type", "issue_id",
         "hot_issue_label", "department", "urgency", "is_open", "received_at", "priority", "title",
         "no_request", "confidential")


# city level when this share of the letters names a city and no city holds half of them (People's
# Daily: 90% name one, the largest 12%; hot_messages: 54%, A市 96%; Beijing 12345: 14%)
CITY_NAMED, CITY_TOP = 0.3, 0.5


def city_level(counted: int, named: int, largest: int) -> bool:
    """Whether letters count under their city: `named` of the `counted` letters name a city, the
    most common one `largest` times."""
    return named >= CITY_NAMED * counted and largest < CITY_TOP * named


def _routed_term(letters: pd.DataFrame) -> pd.Series:
    term = letters["routed_term"] if "routed_term" in letters else pd.Series(None, index=letters.index, dtype=object)
    return term.astype(object).fillna("").astype(str)


def matter_of(letters: pd.DataFrame) -> pd.Series:
    """Each letter's matter: its matter type (`rank.matter_type`: the routed type, else the model's,
    else 未分类) and its finest routed term."""
    return matter_type(letters).fillna("未分类").astype(str) + _routed_term(letters).map(lambda t: f" · {t}" if t else "")


# the columns of the letters table a concentration reads (`counted_letters` keeps only these: each
# step below copies its frame, and copying the run's 60-odd columns with the texts four times made
# the write stage's peak, ~350 MB at 10^5 letters)
READ_COLUMNS = ("letter_id", "received_at", "title", "place", "area", "area_city", "no_request", "confidential",
                "routed_type", "routed_term", "routed_term_named", "issue_type", "person_id", "is_open",
                "urgency", "issue_id", "hot_issue_label", "department", "priority")


def counted_letters(letters: pd.DataFrame) -> pd.DataFrame:
    """The letters a concentration counts (`READ_COLUMNS` of them), with `_area` (the county or
    city they count under), `_matter` and `_writer`."""
    letters = letters[[c for c in READ_COLUMNS if c in letters.columns]]
    keep = pd.Series(True, index=letters.index)
    for flag in ("no_request", "confidential"):
        if flag in letters:
            keep &= ~letters[flag].fillna(False).astype(bool)
    frame = letters[keep]
    place = frame.get("place", pd.Series("", index=frame.index))
    area = (frame["area"] if "area" in frame else place.map(area_of)).fillna("").astype(str)
    city = (frame["area_city"] if "area_city" in frame else place.map(city_of)).fillna("").astype(str)
    named = city[city != ""]
    by_city = city_level(len(frame), len(named), int(named.value_counts().max()) if len(named) else 0)
    if by_city:
        area = city.where(city != "", area)
    frame = frame.assign(_area=area, _matter=matter_of(frame), _writer=writer_ids(frame))
    # a letter with no area is in no row, and a type alone (城乡建设, 商贸旅游) is no one kind of
    # problem: a row needs the finer term, one the letter's own words name (`routed_term_named`).
    # Readers found 1 of 7 letters of 「A市 · 商贸旅游」 belonged together, and of the letters whose
    # term was a bigram suggestion 38 of 104 (小区管理 took any letter naming an estate), against
    # 183 of 197 whose words named it (`corpora/hotspots/README.md`)
    termed = _routed_term(frame) != ""
    if "routed_term_named" in frame:
        termed &= frame["routed_term_named"].fillna(False).astype(bool)
    frame = frame[(frame["_area"] != "") & termed]
    frame.attrs["by_city"] = by_city  # for a caller that reports the level
    return frame


def _mode(frame: pd.DataFrame, column: str) -> pd.Series:
    """Per (area, matter), the value of `column` most letters have, blanks aside; the first by
    value on a tie (a rule the Spark engine computes the same way)."""
    given = frame[frame[column].notna() & (frame[column].astype(str) != "")]
    counts = given.groupby(["_area", "_matter", column]).size().reset_index(name="_n")
    counts = counts.sort_values(["_area", "_matter", "_n", column], ascending=[True, True, False, True])
    return counts.drop_duplicates(["_area", "_matter"]).set_index(["_area", "_matter"])[column]


def concentrations(letters: pd.DataFrame, min_writers: int = 5) -> pd.DataFrame:
    """One row per area and matter that `min_writers` or more people wrote about, most writers first.

    Columns: area (the place as most of its letters write it up to the area: 辽宁省大连市), matter,
    writers, letters, open_letters, urgent_letters, hot_issues (how many hot issues its letters
    fall in), main_issue (the hot issue most of them are in), department (where most went),
    first_letter, last_letter, peak_month (the month most came in), top_letter_id and title (its
    most pressing letter)."""
    frame = counted_letters(letters)
    groups = frame.groupby(["_area", "_matter"])
    table = groups.agg(writers=("_writer", "nunique"), letters=("letter_id", "size"),
                       first_letter=("received_at", "min"), last_letter=("received_at", "max"))
    table = table[table["writers"] >= min_writers]
    if table.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame = frame.set_index(["_area", "_matter"]).loc[table.index].reset_index()
    keys = [frame["_area"], frame["_matter"]]
    is_open = frame["is_open"].fillna(False).astype(bool) if "is_open" in frame else pd.Series(False, index=frame.index)
    table["open_letters"] = is_open.groupby(keys).sum().astype(int)
    table["urgent_letters"] = (frame.get("urgency", pd.Series("", index=frame.index)) == "紧急").groupby(keys).sum().astype(int)
    issue = frame["issue_id"] if "issue_id" in frame else pd.Series(None, index=frame.index, dtype=object)
    table["hot_issues"] = issue.groupby(keys).nunique().astype(int)
    # the place as its letters write it, up to the area (大连市中山区 → 辽宁省大连市中山区 when most say so)
    place = frame.get("place", pd.Series("", index=frame.index)).fillna("").astype(str)
    frame["_written"] = [p.split(a, 1)[0] + a if a in p else a for p, a in zip(place, frame["_area"])]
    table["area_written"] = _mode(frame, "_written")
    # the month most of its letters came in (the earliest on a tie): gas cuts come in December
    frame["_month"] = pd.to_datetime(frame["received_at"], errors="coerce").dt.strftime("%Y-%m")
    table["peak_month"] = _mode(frame, "_month")
    table["main_issue"] = _mode(frame, "hot_issue_label") if "hot_issue_label" in frame else None
    table["department"] = _mode(frame, "department") if "department" in frame else None
    order = [c for c in ("priority", "received_at", "letter_id") if c in frame]
    top = frame.sort_values(order, ascending=[c != "priority" for c in order]).drop_duplicates(["_area", "_matter"])
    top = top.set_index(["_area", "_matter"])
    table["top_letter_id"] = top["letter_id"]
    table["title"] = top["title"] if "title" in top else None
    return finish(table.reset_index().rename(columns={"_matter": "matter"}))


def outline(letters: pd.DataFrame) -> dict:
    """What an empty or short 集中问题 sheet needs said (`explain.concentrated_caveat`): of how many
    letters how many were counted (an area and a term their own words name), whether by city, and the
    largest area and matter by writers, a row or not (most letters, then by name, on a tie)."""
    frame = counted_letters(letters)
    groups = frame.groupby(["_area", "_matter"]).agg(writers=("_writer", "nunique"), letters=("letter_id", "size"))
    return outline_of(len(letters), len(frame), frame.attrs["by_city"], groups.reset_index().rename(columns={"_matter": "matter"}))


def outline_of(letters: int, counted: int, by_city: bool, groups: pd.DataFrame) -> dict:
    """`outline` from the letter counts and per-group writers and letters (`_area`, matter), which
    either engine computes."""
    largest = groups.sort_values(["writers", "letters", "_area", "matter"], ascending=[False, False, True, True]).head(1)
    top = largest.iloc[0] if len(largest) else None
    return {"letters": int(letters), "counted": int(counted), "by_city": bool(by_city),
            "largest": None if top is None else (str(top["_area"]), str(top["matter"]), int(top["writers"]))}


def finish(table: pd.DataFrame) -> pd.DataFrame:
    """`concentrations`' columns and order from its per-group table (`_area`, `area_written`, ...),
    which either engine computes: most writers first, then most letters, the latest, then by name."""
    table = table.sort_values(["writers", "letters", "last_letter", "_area", "matter"],
                              ascending=[False, False, False, True, True], kind="stable")
    table = table.assign(area=table["area_written"].fillna(table["_area"]))
    return table[COLUMNS].reset_index(drop=True)
