"""Benchmark the issue clusterer on every shared source: gold issues, name variants, top issues, speed.

    .venv/bin/python -m benchmarks.hotspots [--data DIR] [--scale 10 100] [--sources hot unl bj gas gasmap qd river board prov hotline river2 national county]
                                            [--code DIR] [--skip-robustness]

(`python benchmarks/hotspots.py` works too.)

Per shared source it prints letters, issues, CPU time and the top 10 issues with three checks a
reader can verify (the judgement by reading is in corpora/hotspots/README.md):
- `place`: the label names a place (an issue without one is rarely "specific");
- `pure`: share of the issue's letters that name or write the label's place (or a spelling variant of it);
- `chain`: administrative levels in the label (市/区县/镇街/村社区/组) + 1 for a named place.
On the synthetic river file (corpora/hotspots/river_synthetic: invented, ships in the repo): the
held-out river file's measure, its five most-complained waters in top-15 labels, and the issues
against its key. On the synthetic board file (corpora/hotspots/board_synthetic: a northern city's
hotline orders and mailbox posts in one file, invented by another hand) and the synthetic province
file (corpora/hotspots/province_synthetic: a province's leaders'-board posts, another hand): each key
issue's best F1, rank and whether its label names the place. On hot_messages.xlsx: each gold issue (corpora/hotspots/gold_hot_messages.csv) with its best F1 and
heat rank, and how the top 15 moves when each heat weight moves by 20%. On both TipDM files: the
precision and recall of merging spellings of one name (corpora/hotspots/gold_name_variants.csv).
Then fit time on hot_messages replicated 10x and 100x (replicas get new letter ids, same writer
and text, as if every letter were re-sent: the near-duplicate step must keep this linear).

`--code DIR` imports `pipeline` from another checkout (e.g. /work/frozen, the code before issue 16),
so the blind first look on a source is this same script: checks a checkout cannot compute (its
clusterer has no place_variants_) print as empty.
"""
from __future__ import annotations

import argparse
import re
import resource
import sys
import time
from pathlib import Path

import pandas as pd

_ROOT = Path(__file__).resolve().parents[1]
if "--code" in sys.argv:
    _ROOT = Path(sys.argv[sys.argv.index("--code") + 1]).resolve()
sys.path.insert(0, str(_ROOT))

from pipeline.cluster import IssueClusterer  # noqa: E402
from pipeline.heat import DEFAULT_HEAT_WEIGHTS, weight_moves  # noqa: E402
from pipeline.paths import SAMPLE_DIR, SHARED_DATA_DIR  # noqa: E402
from pipeline.read import read_letters  # noqa: E402

HERE = Path(__file__).resolve().parents[1] / "corpora" / "hotspots"  # gold files: always this checkout's
GOLD = HERE / "gold_hot_messages.csv"
VARIANT_GOLD = HERE / "gold_name_variants.csv"
MORE = SHARED_DATA_DIR.parent / "more_sources"
# the message board names its columns in English; `petition hotspots --map` takes the same pairs
GAS_MAP = {"replyContentMain": "text", "replyDate": "received_at", "replyID": "letter_id"}


def score_against_gold(letters: pd.DataFrame, model: IssueClusterer, gold: pd.DataFrame, key: str = "gold_issue") -> pd.DataFrame:
    """Best-matching found issue per gold issue, with precision, recall, F1 and heat rank."""
    labels, info = model.labels_, model.get_issue_info()
    found = pd.DataFrame({"letter_id": letters["letter_id"].astype(str).to_numpy(), "issue": list(labels)})
    ranks = dict(zip(info["issue_id"], info["heat_rank"])) if len(info) else {}
    ids = dict(enumerate(model.issue_ids_))
    rows = []
    for name, grp in gold.groupby(key):
        truth = set(grp["letter_id"].astype(str))
        best = (0.0, 0.0, 0.0, None)
        cand = found[found["letter_id"].isin(truth) & (found["issue"] >= 0)]["issue"].value_counts()
        for issue, hit in cand.items():
            size = int((found["issue"] == issue).sum())
            p, r = hit / size, hit / len(truth)
            f = 2 * p * r / (p + r)
            if f > best[2]:
                best = (p, r, f, issue)
        issue_id = ids.get(best[3]) if best[3] is not None else None
        rows.append({"gold_issue": name, "gold_size": len(truth), "found_issue": issue_id,
                     "precision": round(best[0], 3), "recall": round(best[1], 3), "f1": round(best[2], 3),
                     "heat_rank": ranks.get(issue_id)})
    return pd.DataFrame(rows).sort_values("gold_size", ascending=False)


def fit(letters: pd.DataFrame, **params) -> tuple[IssueClusterer, float]:
    """The fitted model and its CPU seconds (user + sys of this process: the machine is shared,
    so wall time is noisy; the tokenizer's worker processes are not included)."""
    start = time.process_time()
    model = IssueClusterer(**params)
    model.fit(letters)
    return model, time.process_time() - start


def variant_scores(model: IssueClusterer, pairs: pd.DataFrame) -> dict:
    """Precision / recall of the merge on gold name pairs: a pair is merged when both spellings map
    to one compared form. Names the extractor never found count as not merged."""
    # names: every spelling the model calls one name (a checkout without variant merging: none merged)
    canon = getattr(model, "name_canon", getattr(model, "_canon", lambda p: p))
    link = getattr(model, "_canon", lambda p: p)
    merged = pairs.apply(lambda r: canon(r["name_a"]) == canon(r["name_b"]), axis=1)
    linked = pairs.apply(lambda r: link(r["name_a"]) == link(r["name_b"]), axis=1)
    same = pairs["same"].astype(int) == 1
    tp, fp, fn = int((merged & same).sum()), int((merged & ~same).sum()), int((~merged & same).sum())
    return {"pairs": len(pairs), "same": int(same.sum()), "merged": int(merged.sum()), "tp": tp, "fp": fp, "fn": fn,
            "precision": round(tp / (tp + fp), 3) if tp + fp else float("nan"),
            "recall": round(tp / (tp + fn), 3) if tp + fn else float("nan"),
            "linked": int((linked & (pairs["same"].astype(int) == 1)).sum()),
            "false_merges": "; ".join(f"{a}/{b}" for a, b in pairs.loc[merged & ~same, ["name_a", "name_b"]].itertuples(index=False))}


def top_checks(model: IssueClusterer, n: int = 10) -> pd.DataFrame:
    """Top issues with the place / pure / chain checks described in the module docstring."""
    import pipeline.cluster
    from pipeline.cluster import extract_places

    placeless = getattr(pipeline.cluster, "PLACELESS", None)  # (absent from code before stop 49: --code)

    info = model.get_issue_info().head(n).copy()
    if info.empty:
        return info
    letters = model.get_issue_letters()
    canon = getattr(model, "name_canon", getattr(model, "_canon", lambda p: p))
    pure, chain_levels = [], []
    for row in info.itertuples():
        sub = letters[letters["issue_id"] == row.issue_id]
        place = canon(row.place) if row.place else ""
        # a letter names the place when the extractor finds it there or the letter writes it (an
        # estate or project written without 小区/项目: 我在滨江一品做过小工)
        named = [bool(place) and (place in t + x or any(place in canon(p) or canon(p) in place and len(p) >= 3
                                                          for p in extract_places(t + "。" + x)))
                 for t, x in zip(sub["title"], sub["text"])]
        pure.append(round(sum(named) / len(named), 2) if place and named else float("nan"))
        shown = row.label.split(" · ")[0] if " · " in row.label else ""
        chain_levels.append(len(shown.split()) if shown and shown != placeless else 0)
    info["pure"] = pure
    info["chain"] = chain_levels
    info["place"] = info["place"].fillna("").ne("")
    info["dates"] = info["first_date"].dt.strftime("%Y-%m-%d").fillna("") + "~" + info["last_date"].dt.strftime("%Y-%m-%d").fillna("")
    return info[["heat_rank", "n_letters", "n_writers", "dates", "place", "pure", "chain", "label"]]


def replicate(letters: pd.DataFrame, factor: int) -> pd.DataFrame:
    parts = []
    for k in range(factor):
        part = letters.copy()
        part["letter_id"] = part["letter_id"].astype(str) + f"-r{k}"
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def robustness(model: IssueClusterer, letters: pd.DataFrame, gold: pd.DataFrame, top: int = 15, change: float = 0.2) -> pd.DataFrame:
    """Each heat weight moved by -20% and +20% in turn (no re-clustering): which issues enter or
    leave the top 15, and how many gold issues stay matched within it."""
    base = model.heat_weights
    model.rerank(base)
    before = model.get_issue_info().head(top)
    labels = dict(zip(model.get_issue_info()["issue_id"], model.get_issue_info()["label"]))
    rows = []
    try:
        for key, moved, weights in weight_moves(base, change):
            after = model.rerank(weights).head(top)
            gone = sorted(set(before["issue_id"]) - set(after["issue_id"]))
            new = sorted(set(after["issue_id"]) - set(before["issue_id"]))
            table = score_against_gold(letters, model, gold)
            rows.append({"weight": key, "value": round(moved, 3), "left_top15": len(gone),
                         "gold_in_top15": int(((table["f1"] >= 0.8) & (table["heat_rank"] <= top)).sum()),
                         "out": "; ".join(labels[i][:18] for i in gone), "in": "; ".join(labels[i][:18] for i in new)})
    finally:
        model.rerank(base)
    return pd.DataFrame(rows)


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_source(key: str, data: Path) -> tuple[str, pd.DataFrame]:
    """One shared source as the reader gives it (no per-source code in the clusterer)."""
    if key == "hot":
        return "hot_messages.xlsx", read_letters([data / "hot_messages.xlsx"]).letters
    if key == "unl":
        return "unlabeled_messages.xlsx", read_letters([data / "unlabeled_messages.xlsx"]).letters
    if key == "rep":
        return "replies.xlsx", read_letters([data / "replies.xlsx"]).letters
    if key == "bj":
        return "beijing12345_2024.csv", read_letters([MORE / "beijing12345_2024.csv"]).letters
    if key == "gas":
        return "peoples_gas_2022_2023.csv (default read)", read_letters([MORE / "peoples_gas_2022_2023.csv"]).letters
    if key == "gasmap":
        return ("peoples_gas_2022_2023.csv (--map replyContentMain=text replyDate=received_at replyID=letter_id)",
                read_letters([MORE / "peoples_gas_2022_2023.csv"], column_map=GAS_MAP).letters)
    if key == "river":
        return "river_synthetic (a city's river complaints, written by another hand)", read_letters([RIVER / "river_letters.csv"]).letters
    if key == "board":
        return ("board_synthetic (a northern city's 12345 orders and mayor's-mailbox posts in one file, written by another hand)",
                read_letters([BOARD / "letters.csv"]).letters)
    if key == "prov":
        return ("province_synthetic (a province's leaders'-board posts, written by another hand)",
                read_letters([PROVINCE / "posts.csv"]).letters)
    if key in PLAIN:  # a synthetic file read as it is: (folder, what it is)
        folder, what = PLAIN[key]
        return what, read_letters([folder / "letters.csv"]).letters
    if key == "county":
        letters = read_letters([COUNTY / "letters.csv"]).letters
        if "信访件编号" in letters.columns:  # the reader of 2026-12-05 did not take this column as the id
            letters = letters.assign(letter_id=letters["信访件编号"].astype(str))
        return ("county_synthetic (a county petition bureau's letters and visit records, a seventh hand)", letters)
    if key == "grid":
        letters = read_letters([GRID / "letters.csv"]).letters
        if "事件编号" in letters.columns:  # the reader of 2026-12-05 did not take this column as the id
            letters = letters.assign(letter_id=letters["事件编号"].astype(str))
        return ("grid_synthetic (an urban district's grid events: grid workers' and residents' reports, an eighth hand)", letters)
    if key == "national":
        return ("national_synthetic (a national leaders' board, 15 provinces' issues, a sixth hand)",
                read_letters([NATIONAL / "posts.csv"]).letters)
    if key == "qd":
        path = MORE / "qingdao12345_two_callers.xlsx"
        letters = read_letters([path]).letters
        # only to choose the substantive calls: the reader keeps no 来电类别 column
        raw = pd.concat(pd.read_excel(path, sheet_name=None, dtype={"工单编号": str}).values())
        keep = set(raw.loc[~raw["来电类别"].astype(str).str.contains("无效|异常"), "工单编号"].astype(str))
        return "qingdao12345_two_callers.xlsx (calls not 无效/异常)", letters[letters["letter_id"].astype(str).isin(keep)]
    raise SystemExit(f"unknown source {key}")


RIVER = HERE / "river_synthetic"
RIVER_TOP_WATERS = ("清溪河", "柳塘港", "石门泾", "凤栖湖", "沙湾支河")  # the key's five most-complained waters


def pairwise(truth: list[str], found: list[str]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of found issues ("" = unclustered) against true groups."""
    import itertools

    tp = fp = fn = 0
    for a, b in itertools.combinations(range(len(truth)), 2):
        same, joined = truth[a] == truth[b], bool(found[a]) and found[a] == found[b]
        tp, fp, fn = tp + (same and joined), fp + (joined and not same), fn + (same and not joined)
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return p, r, 2 * p * r / max(p + r, 1e-9)


BOARD = HERE / "board_synthetic"
PROVINCE = HERE / "province_synthetic"
HOTLINE = HERE / "hotline_synthetic"
RIVER2 = HERE / "river2_synthetic"
NATIONAL = HERE / "national_synthetic"
COUNTY = HERE / "county_synthetic"
GRID = HERE / "grid_synthetic"
CITY = HERE / "city_synthetic"
DISTRICT = HERE / "district_synthetic"
CITIES = HERE / "cities_synthetic"
SCHOOLS = HERE / "schools_synthetic"
TRANSPORT = HERE / "transport_synthetic"
CHAINS = HERE / "chains_synthetic"
POLLUTION = HERE / "pollution_synthetic"
TOWNSHIP = HERE / "township_synthetic"
HEATING = HERE / "heating_synthetic"
WAGES = HERE / "wages_synthetic"
RIVER3 = HERE / "river3_synthetic"
SUMMARIES = HERE / "summaries_synthetic"
ESTATES = HERE / "estates_synthetic"
BUREAU = HERE / "bureau_synthetic"
KEYED = {"board": BOARD, "prov": PROVINCE, "hotline": HOTLINE, "national": NATIONAL, "county": COUNTY, "grid": GRID,
         "city": CITY, "district": DISTRICT, "cities": CITIES,
         "schools": SCHOOLS, "transport": TRANSPORT, "chains": CHAINS, "pollution": POLLUTION, "township": TOWNSHIP,
         "heating": HEATING, "wages": WAGES,
         "river3": RIVER3, "summaries": SUMMARIES,
         "estates": ESTATES, "bureau": BUREAU}  # synthetic files with a key.csv

# Synthetic files read as they are (letters.csv): their folder and what each is.
PLAIN = {
    "hotline": (HOTLINE,
        "hotline_synthetic (a southern city's 12345 export, operator-written, a fourth hand)"),
    "river2": (RIVER2,
        "river2_synthetic (a city's river and river-works complaints, a fifth hand)"),
    "city": (CITY,
        "city_synthetic (a city's 问政 board and 12345 orders, one problem named many ways, a ninth hand)"),
    "district": (DISTRICT,
        "district_synthetic (a northern city's two districts over a heating season, many estates with one "
        "kind of problem each, a tenth hand)"),
    "cities": (CITIES,
        "cities_synthetic (a province's 12345 platform and governor's mailbox over five cities, same estate "
        "names in several cities, an eleventh hand)"),
    "schools": (SCHOOLS,
        "schools_synthetic (a city's 12345, education bureau mailbox and health board: schools with numbered "
        "names and campuses, hospitals with branches, a twelfth hand)"),
    "transport": (TRANSPORT,
        "transport_synthetic (a city's 12345, transport bureau board and metro mailbox: numbered routes, "
        "lines, exits and works phases, junctions named by either road, a fourteenth hand)"),
    "chains": (CHAINS,
        "chains_synthetic (a city's 12345, consumer-complaint platform and housing board: brands with several"
        " branches, one property company's estates, one developer's projects, a thirteenth hand)"),
    "pollution": (POLLUTION,
        "pollution_synthetic (a city's 12345, environment bureau board and leaders' mailbox: one source smelt"
        " at many estates, several sources at one estate, a fifteenth hand)"),
    "township": (TOWNSHIP,
        "township_synthetic (a county's petition bureau, 12345 and leaders' board on land, demolition and "
        "village affairs: towns, villages and groups, one highway through five villages, a sixteenth hand)"),
    "heating": (HEATING,
        "heating_synthetic (a northern city's 12345, heating office board and mayor's mailbox over a heating "
        "season and the summer after: heat, water, gas and power; one station or main feeding several estates, "
        "a seventeenth hand)"),
    "wages": (WAGES,
        "wages_synthetic (a city's 12345, labour inspection board and housing complaint line on unpaid wages "
        "and building sites: projects, lots and sections, contractors and foremen, a Spring Festival wave, an "
        "eighteenth hand)"),
    "river3": (RIVER3,
        "river3_synthetic (a city's river-chief platform, 12345 water orders, environment board and patrol notes: "
        "one river's sections with separate problems, one polluter smelt along it, look-alike river names, a "
        "nineteenth hand)"),
    "summaries": (SUMMARIES,
        "summaries_synthetic (a county-level city's 12345 orders as operators summarise calls: terse, abbreviated "
        "places, shop signs, repeat callers and callbacks, a twentieth hand)"),
    "estates": (ESTATES,
        "estates_synthetic (a city's housing board, 12345 property orders and mayor's mailbox: one property "
        "company's six estates with a company-wide fee rise and their own issues, a city fee guidance, a "
        "twenty-first hand)"),
    "bureau": (BUREAU,
        "bureau_synthetic (a county letters-and-visits bureau's register over two years: petitioners' long "
        "letters, visit records, repeat petitioners and joint letters, two county-wide policies, two 王庄村, a "
        "twenty-second hand)"),
}


def key_gold(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A synthetic file's key (FOLDER/key.csv), and its letters of an issue as a gold set (letter_id, gold_issue)."""
    key = pd.read_csv(folder / "key.csv", dtype=str).fillna("")
    gold = key[key["issue"] != ""].rename(columns={key.columns[0]: "letter_id", "issue": "gold_issue"})
    return key, gold


def found_in_top(table: pd.DataFrame, top: int = 15) -> int:
    """Gold issues found at F1 >= 0.8 within the `top` issues by heat (a `score_against_gold` table)."""
    return int(((table["f1"] >= 0.8) & (table["heat_rank"] <= top)).sum())


def key_scores(model: IssueClusterer, letters: pd.DataFrame, folder: Path) -> str:
    """A synthetic file's key (FOLDER/key.csv: its first column the letter id, then issue, place and
    problem; an empty issue for letters of none): each issue's best-F1 found issue, its heat rank,
    and whether that issue's label names the key's place (its name before any bracket, or a unit in
    the bracket); then pairwise precision / recall over the issue letters. board_synthetic: ten
    issues and 70 letters of none; province_synthetic: nine issues and some 90 posts of none."""
    key, gold = key_gold(folder)
    id_col = key.columns[0]
    table = score_against_gold(letters, model, gold)
    info = model.get_issue_info()
    label_of = dict(zip(info["issue_id"], info["label"]))
    place_of = dict(zip(gold["gold_issue"], gold["place"]))

    def names(place: str) -> list[str]:
        """锦绣华庭小区 -> 锦绣华庭; 和平里小区12号楼 -> 和平里; 北辰建工集团·滨河名苑二期项目 -> 北辰建工, 滨河名苑二期;
        澜州市-高新区-软件园街道-小鹿出行平台 -> 小鹿出行平台; a bracket's units too."""
        head, _, rest = place.partition("（")
        # a key that writes the chain with dashes (澜州市-高新区-软件园街道-小鹿出行平台) by its last unit
        parts = [p.split("-")[-1] for p in head.split("·")] + rest.rstrip("）").replace("，", "、").replace("—", "、").split("、")
        out = []
        for part in (re.split(r"小区|公司|集团|项目", p)[0] for p in parts if p and p != "市区"):
            # a key that writes the chain (E5市E52区桐林镇柳塘村) is named by its most specific unit
            bare = re.sub(r"^(?:[A-Z][0-9]*[市区县])+", "", part)
            out += [part, bare, re.split(r"[镇乡]", bare)[-1] or bare]
        return [n for n in dict.fromkeys(out) if n]

    table["found_label"] = table["found_issue"].map(label_of)
    table["place_named"] = [any(n in str(label).replace(" ", "") for n in names(place_of[g]))
                            for g, label in zip(table["gold_issue"], table["found_label"])]
    print(table.to_string(index=False))
    ok = found_in_top(table)
    found_letters = model.get_issue_letters()
    issue_of = dict(zip(found_letters["letter_id"].astype(str), found_letters["issue_id"]))
    p, r, f = pairwise(gold["gold_issue"].tolist(), [issue_of.get(k, "") for k in gold["letter_id"]])
    stray = sum(bool(issue_of.get(k)) for k in key.loc[key["issue"] == "", id_col])
    return (f"key issues found with F1 >= 0.8 within the top 15: {ok}/{len(table)}; their place named in the label: "
            f"{int(table['place_named'].sum())}/{len(table)}; pairwise precision {p:.3f}, recall {r:.3f}, F1 {f:.3f}; "
            f"{stray} of {int((key['issue'] == '').sum())} letters of no issue clustered")


def river_scores(model: IssueClusterer, letters: pd.DataFrame, key_path: Path | None = None,
                 waters: tuple[str, ...] | None = RIVER_TOP_WATERS) -> str:
    """The held-out river file's measure on a synthetic one (corpora/hotspots/river_synthetic, or
    `key_path`: a key of letter id, water, problem, spot): which of its five most-complained waters
    (`waters`, else the key's five largest) a top-15 label names, and pairwise precision / recall of
    the issues against the key's groups (same water, problem and spot) over the river letters."""
    key = pd.read_csv(key_path or RIVER / "river_key.csv", dtype=str).fillna("")
    id_col = key.columns[0]
    if waters is None:
        waters = tuple(key.loc[key["water"] != "", "water"].value_counts().index[:5])
    info = model.get_issue_info()
    top = info.sort_values("heat_rank").head(15)["label"].tolist()
    named = [w for w in waters if any(w in label for label in top)]
    found_letters = model.get_issue_letters()
    issue_of = dict(zip(found_letters["letter_id"].astype(str), found_letters["issue_id"]))
    river = key[key["water"] != ""]
    truth = (river["water"] + "|" + river["problem"] + "|" + river["spot"]).tolist()
    found = [issue_of.get(k, "") for k in river[id_col]]
    p, r, f = pairwise(truth, found)
    return (f"five most-complained waters named in a top-15 label: {len(named)}/5 ({', '.join(named) or 'none'}); "
            f"issues against the key (same water, problem, spot): pairwise precision {p:.3f}, recall {r:.3f}, "
            f"F1 {f:.3f}; {sum(map(bool, found))} of {len(found)} river letters clustered")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(SHARED_DATA_DIR))
    parser.add_argument("--scale", type=int, nargs="*", default=[10, 100])
    parser.add_argument("--sources", nargs="*", default=["hot", "unl", "rep", "bj", "gas", "gasmap", "qd", "river", "board", "prov", "hotline", "river2", "national", "county", "grid", "city", "district", "cities", "schools", "transport", "chains", "pollution", "township", "heating", "wages", "river3", "summaries", "estates", "bureau"])
    parser.add_argument("--code", help="import pipeline from this checkout (blind first look)")
    parser.add_argument("--skip-robustness", action="store_true")
    parser.add_argument("--skip-unlabeled", action="store_true", help="(old flag) same as leaving unl out of --sources")
    args = parser.parse_args(argv)
    pd.set_option("display.width", 250)
    pd.set_option("display.max_colwidth", 60)
    data = Path(args.data)
    sources = [k for k in args.sources if not (args.skip_unlabeled and k == "unl")]
    print(f"pipeline imported from {Path(sys.modules[IssueClusterer.__module__].__file__).parent}")
    variant_gold = pd.read_csv(VARIANT_GOLD, dtype=str) if VARIANT_GOLD.exists() else pd.DataFrame()
    variant_rows = []

    for key in sources:
        name, letters = read_source(key, data)
        wall = time.perf_counter()
        model, seconds = fit(letters)
        wall = time.perf_counter() - wall
        info = model.get_issue_info()
        print(f"\n== {name}: {len(letters)} letters, {len(info)} issues, {int((model.labels_ >= 0).sum())} letters clustered; "
              f"fit {seconds:.1f} s CPU ({wall:.1f} s wall); peak memory so far {peak_mb():.0f} MB")
        if key == "hot":
            gold = pd.read_csv(GOLD, dtype={"letter_id": str})
            table = score_against_gold(letters, model, gold)
            table["found_label"] = table["found_issue"].map(dict(zip(info["issue_id"], info["label"])))
            print(table.to_string(index=False))
            ok = found_in_top(table)
            print(f"F1 >= 0.8: {(table['f1'] >= 0.8).sum()}/{len(table)}; F1 >= 0.8 and within top 15 by heat: {ok}/{len(table)}")
            if not args.skip_robustness:
                print(f"\n-- robustness: each heat weight -20% / +20% (defaults {DEFAULT_HEAT_WEIGHTS})")
                print(robustness(model, letters, gold).to_string(index=False))
        if key == "river":
            print(river_scores(model, letters))
        if key == "river2":
            print(river_scores(model, letters, RIVER2 / "key.csv", waters=None))
        if key in KEYED:
            print(key_scores(model, letters, KEYED[key]))
        print(f"\n-- top 10 issues, {name}")
        print(top_checks(model).to_string(index=False))
        base = name.split(" ")[0]
        pairs = variant_gold[variant_gold["source"] == base] if len(variant_gold) else variant_gold
        if len(pairs):
            row = variant_scores(model, pairs)
            if row:
                variant_rows.append({"source": base, **row})

    if variant_rows:
        table = pd.DataFrame(variant_rows)
        total = table[["pairs", "same", "merged", "tp", "fp", "fn", "linked"]].sum()
        print(f"\n== name-variant merge on {VARIANT_GOLD.name} (same place / company written two ways)")
        print(table.drop(columns=["false_merges"]).to_string(index=False))
        p = total["tp"] / (total["tp"] + total["fp"]) if total["tp"] + total["fp"] else float("nan")
        r = total["tp"] / (total["tp"] + total["fn"]) if total["tp"] + total["fn"] else float("nan")
        print(f"all sources: precision {p:.3f}, recall {r:.3f} ({int(total['tp'])} of {int(total['same'])} same pairs merged, "
              f"{int(total['fp'])} false merges: {'; '.join(x for x in table['false_merges'] if x) or 'none'})")
        print(f"of the same pairs, {int(table['linked'].sum())} also link letters (their letters share the grievance: "
              f"a spelling tie alone names an issue but does not join two problems of one place)")

    if "hot" in sources:
        letters = read_source("hot", data)[1]
        for factor in args.scale:
            big = replicate(letters, factor)
            wall = time.perf_counter()
            _, secs = fit(big)
            print(f"fit time, {factor}x replicated ({len(big)} letters): {secs:.1f} s CPU ({time.perf_counter() - wall:.1f} s wall); "
                  f"peak memory so far {peak_mb():.0f} MB")

    truth_path = SAMPLE_DIR / "truth.csv"
    if truth_path.exists():
        sample = read_letters([SAMPLE_DIR]).letters
        truth = pd.read_csv(truth_path, dtype=str)
        if "letter_id" not in truth.columns and "source_id" in truth.columns:
            truth = truth.rename(columns={"source_id": "letter_id"})
        if "issue_key" in truth.columns and "letter_id" in truth.columns:
            m3, secs = fit(sample)
            big_keys = truth.dropna(subset=["issue_key"])
            big_keys = big_keys[big_keys.groupby("issue_key")["letter_id"].transform("size") >= 3]
            t3 = score_against_gold(sample, m3, big_keys, key="issue_key")
            print(f"\n== sample corpus ({len(sample)} letters, issue_key groups of >= 3 letters)")
            t3["found_label"] = t3["found_issue"].map(dict(zip(m3.get_issue_info()["issue_id"], m3.get_issue_info()["label"])))
            print(t3.to_string(index=False))
            print(f"F1 >= 0.8: {(t3['f1'] >= 0.8).sum()}/{len(t3)}; {len(m3.get_issue_info())} issues found, {secs:.1f} s CPU")
            print(top_checks(m3).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
