"""集中问题: one kind of problem many people write about in one county, city or province."""
from pipeline.concentrate import city_level, concentrations, outline


def test_letters_count_under_their_city_where_they_come_from_many_cities():
    assert city_level(996, 897, 111)  # People's Daily: 90% name a city, 大连市 12% of them
    assert not city_level(4326, 2336, 2257)  # hot_messages: A市 96%
    assert not city_level(337, 47, 46)  # Beijing 12345: few name the city


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
    # the board's letters come from many cities: a letter that names its city counts under it, so
    # 大连市's gas cuts are one row, not one for the city and one for each county some letters name
    assert not table["area"].str.contains("大连市.+区", regex=True).any()
    assert set(table["department"]) <= set(routed["department"])
    # the outline an empty sheet would explain itself with: the largest group is the first row
    summary = outline(routed)
    assert summary["by_city"]
    assert summary["largest"][1:] == (top["matter"], top["writers"]) and top["area"].endswith(summary["largest"][0])
    assert summary["counted"] >= table["letters"].sum()


def test_accusations_and_calls_with_no_request_are_not_counted(sample_run):
    letters = sample_run.letters
    table = concentrations(letters, min_writers=1)
    hidden = set(letters.loc[letters["confidential"] | letters["no_request"], "letter_id"])
    assert len(hidden) > 0 and not set(table["top_letter_id"]) & hidden
    counted = letters[~letters["confidential"] & ~letters["no_request"] & (letters["area"] != "")
                      & letters["routed_term"].notna() & letters["routed_term_named"]]
    assert table["letters"].sum() == len(counted) >= 10  # each counted letter in exactly one row
    # a type alone (环境保护) is no one kind of problem, nor a term only the bigrams suggest: the
    # fictitious bundled letters seldom name theirs, and make no row of five writers
    assert table["matter"].str.contains(" · ").all() and concentrations(letters).empty
    termed = concentrations(letters.drop(columns="routed_term_named"))
    assert termed[["area", "matter"]].values.tolist()[:1] == [["A7县", "教育文体 · 收费标准"]]


def test_the_outline_of_an_empty_sheet_names_the_largest_group(sample_run):
    """The bundled letters make no row of five writers; the outline says how close they came and
    under which area and matter, so the sheet can say so instead of showing headers alone."""
    letters = sample_run.letters
    summary = outline(letters)
    rows = concentrations(letters, min_writers=1)
    assert concentrations(letters).empty and not summary["by_city"]
    assert summary["counted"] == rows["letters"].sum() >= 10
    area, matter, writers = summary["largest"]
    assert (matter, writers) == tuple(rows[["matter", "writers"]].iloc[0]) and 1 <= writers < 5
    assert rows["area"].iloc[0].endswith(area)
    assert outline(letters.iloc[0:0])["largest"] is None
