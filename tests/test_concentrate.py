"""集中问题: one kind of problem many people write about in one county, city or province."""
import pandas as pd

from pipeline.concentrate import area_of, concentrations


def test_an_area_is_the_county_a_place_names_else_its_city_or_province():
    assert area_of("山西省长治市上党区郝家庄镇岭上村") == "上党区"
    assert area_of("A市A3区联丰路") == "A3区"
    assert area_of("辽宁省大连市") == "大连市"
    assert area_of("河北省") == "河北省"
    assert area_of("A市一所中职学校") == "A市"
    assert area_of("育英学校") == "" and area_of(None) == ""


def test_gas_cuts_in_many_villages_of_one_city_are_one_concentration(shared_dir):
    """People's Daily: the leaders' list was single gas letters, each from another village, because a
    hot issue is one problem in one place. Counted by city and matter, the board's gas cuts are a
    handful of cities with dozens of writers each."""
    from pipeline.config import load_settings
    from pipeline.read import read_letters
    from pipeline.stages import ClassifyStage, RouteStage

    settings = load_settings()
    letters = read_letters([shared_dir.parent / "more_sources" / "peoples_gas_2022_2023.csv"]).letters
    routed = RouteStage.from_settings(settings).transform(ClassifyStage.from_settings(settings).transform(letters))
    table = concentrations(routed)
    top = table.iloc[0]
    assert top["matter"] == "城乡建设 · 燃气供应" and top["area"].endswith("大连市") and top["writers"] >= 40
    assert (table["writers"] >= 5).all() and table["writers"].is_monotonic_decreasing
    gas = table[table["matter"] == "城乡建设 · 燃气供应"]
    assert len(gas) >= 10 and gas["area"].str.endswith("邯郸市").any()
    assert set(table["department"]) <= set(routed["department"])


def test_accusations_and_calls_with_no_request_are_not_counted(sample_run):
    letters = sample_run.letters
    table = concentrations(letters, min_writers=1)
    hidden = set(letters.loc[letters["confidential"] | letters["no_request"], "letter_id"])
    assert len(hidden) > 0 and not set(table["top_letter_id"]) & hidden
    counted = letters[~letters["confidential"] & ~letters["no_request"] & (letters["area"] != "")]
    assert table["letters"].sum() == len(counted)  # each counted letter in exactly one row
    # the bundled corpus names few counties: A7县's school fees are the one concentration of five writers
    assert concentrations(letters)[["area", "matter"]].values.tolist()[:1] == [["A7县", "教育文体 · 收费标准"]]
