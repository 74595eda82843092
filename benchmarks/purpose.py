"""信访目的 (`pipeline.purpose`) against the purpose each office's own file records.

Three shared sources type their records by purpose, each in its own words:
- Beijing 12345's 工单类型: 诉求, 投诉 (→ 求决), 咨询, 建议;
- the People's Daily board's typeNameD: 投诉/求助, 求助 (→ 求决), 建言 (→ 建议), 咨询;
- Qingdao 12345's 来电类别: 求助 (→ 求决), 咨询.
Calls with no request (`calls.no_request_calls`: 无效, 异常来电, 未反映具体问题 …) have no purpose and
are left out: the operators typed 600 of Qingdao's such notes 咨询.
The rules' 申诉 and 揭发控告 are demands too, so they count as 求决 here. Printed per source: letters,
accuracy, macro-F1 over the classes the file has, each class's precision and recall, and the
baseline that calls every letter 求决 (most letters are).

And readers' labels (`corpora/purpose/gold_reader39.csv`: 100 TipDM letters, which carry no
purpose column, and 60 People's Daily letters; `gold_reader39b.csv`: 140 more TipDM letters, drawn
and read after the rules' last change; both read blind at stop 39 with the five purposes;
`gold_reader40.csv`: 140 more, read blind at stop 40 while the rules were revised on the first
two, and scored once they were frozen): scored three ways as above and five ways ("five-way":
申诉 and 揭发控告 apart).

Run: `PYTHONPATH=$PWD .venv/bin/python benchmarks/purpose.py [--errors N]` (needs ../shared/data;
`--errors N` prints N misread titles per source, for development only).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from pipeline.calls import no_request_calls  # noqa: E402
from pipeline.paths import SHARED_DATA_DIR  # noqa: E402
from pipeline.purpose import purpose_of  # noqa: E402
from pipeline.route import is_accusation  # noqa: E402

MORE = SHARED_DATA_DIR.parent / "more_sources"
GOLD_MAP = {"诉求": "求决", "投诉": "求决", "投诉/求助": "求决", "求助": "求决", "建议": "建议", "建言": "建议", "咨询": "咨询"}
THREE_WAY = {"申诉": "求决", "揭发控告": "求决"}


def sources() -> dict[str, pd.DataFrame]:
    """{source: frame of title, text, gold} for the three files that record a purpose."""
    beijing = pd.read_csv(MORE / "beijing12345_2024.csv", dtype=str)
    gas = pd.read_csv(MORE / "peoples_gas_2022_2023.csv", dtype=str)
    calls = pd.concat(pd.read_excel(MORE / "qingdao12345_two_callers.xlsx", sheet_name=None, dtype=str).values())
    calls = calls[calls["来电类别"] != "无效"].reset_index(drop=True)
    frames = {
        "beijing12345": pd.DataFrame({"title": beijing["标题"], "text": beijing["主要内容"], "label": beijing["工单类型"]}),
        "peoples_gas": pd.DataFrame({"title": gas["title"], "text": gas["replyContentMain"], "label": gas["typeNameD"]}),
        "qingdao12345": pd.DataFrame({"title": "", "text": calls["主要内容"], "label": calls["来电类别"]}),
    }
    for name, frame in frames.items():
        frame["gold"] = frame["label"].str.strip().map(GOLD_MAP)
        frame.loc[no_request_calls(frame.fillna({"text": ""})).to_numpy(), "gold"] = None
    return {name: frame.fillna({"title": "", "text": ""}).dropna(subset=["gold"]).reset_index(drop=True)
            for name, frame in frames.items()}


def reader_sources() -> dict[str, pd.DataFrame]:
    """{source (reader): frame of title, text, gold (three-way), five (the reader's own purpose)}."""
    out = {}
    for name, look in (("gold_reader39.csv", ""), ("gold_reader39b.csv", ", look 2"), ("gold_reader40.csv", ", look 3")):
        gold = pd.read_csv(ROOT / "corpora" / "purpose" / name, dtype=str)
        out.update(_read_back(gold, look))
    return out


def _read_back(gold: pd.DataFrame, look: str) -> dict[str, pd.DataFrame]:
    """Each labelled letter's title and text from the shared files, per source."""
    from pipeline.read import read_letters

    out = {}
    for source, part in gold.groupby("source", sort=False):
        files = sorted(set(part["source_file"]))
        folder = {f: (SHARED_DATA_DIR if f.endswith(".xlsx") else MORE) / f for f in files}
        letters = read_letters(list(folder.values())).letters
        letters["letter_id"] = letters["letter_id"].astype(str)
        text = letters.drop_duplicates("letter_id").set_index("letter_id")
        ids = part["letter_id"].tolist()
        frame = pd.DataFrame({"title": text["title"].reindex(ids).fillna("").to_numpy(),
                              "text": text["text"].reindex(ids).fillna("").to_numpy(),
                              "five": part["reader_purpose"].to_numpy()})
        frame["gold"] = frame["five"].replace(THREE_WAY)
        out[f"{source} (reader{look})"] = frame
    return out


def predict(frame: pd.DataFrame, five: bool = False) -> pd.Series:
    said = pd.Series([purpose_of(t, x, is_accusation(f"{t} {x}")) for t, x in zip(frame["title"], frame["text"])],
                     index=frame.index)
    return said if five else said.replace(THREE_WAY)


def score(gold: pd.Series, said: pd.Series) -> dict:
    out = {"letters": len(gold), "accuracy": round(float((gold == said).mean()), 3)}
    f1s = []
    for label in sorted(set(gold)):
        tp = int(((gold == label) & (said == label)).sum())
        p = tp / max(int((said == label).sum()), 1)
        r = tp / max(int((gold == label).sum()), 1)
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
        out[f"{label} n"] = int((gold == label).sum())
        out[f"{label} P/R"] = f"{p:.2f}/{r:.2f}"
    out["macro-F1"] = round(sum(f1s) / len(f1s), 3)
    out["all 求决: accuracy"] = round(float((gold == "求决").mean()), 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", type=int, default=0, help="print this many misread letters per source (development)")
    args = parser.parse_args()
    rows = {}
    for name, frame in {**sources(), **reader_sources()}.items():
        said = predict(frame)
        rows[name] = score(frame["gold"], said)
        if "five" in frame:
            rows[name]["five-way"] = round(float((predict(frame, five=True) == frame["five"]).mean()), 3)
        if args.errors:
            wrong = frame[said != frame["gold"]].assign(said=said)
            print(f"\n{name}: misread")
            print(wrong.head(args.errors)[["gold", "said", "title", "text"]].to_string(max_colwidth=50))
    pd.set_option("display.width", 250)
    print(pd.DataFrame(rows).T.fillna("").to_string())


if __name__ == "__main__":
    main()
