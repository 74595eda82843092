"""Heat index and deep-seated evidence (`pipeline/heat.py`), on issue rows shaped like real ones."""
from __future__ import annotations

import pandas as pd

from pipeline.heat import deep_seated_evidence, heat_scores, writer_returns


def _issue_rows(rows):
    """Issue-table rows as the clusterer makes them: (writers, dates, votes) -> letters, evidence."""
    out = []
    for n_writers, dates, votes in rows:
        dates = pd.Series(pd.to_datetime(dates))
        writers = pd.Series([f"w{k % n_writers}" for k in range(len(dates))])
        ev = deep_seated_evidence(dates, writers)
        out.append({"n_letters": len(dates), "n_writers": n_writers, "up_votes": votes, "down_votes": 0,
                    "last_date": dates.max(), **ev})
    return pd.DataFrame(out)


def test_heat_prefers_many_writers_and_recent_letters():
    info = pd.DataFrame({
        "n_letters": [20, 20, 20],
        "n_writers": [18, 1, 18],
        "up_votes": [0, 0, 0], "down_votes": [0, 0, 0],
        "last_date": pd.to_datetime(["2020-01-01", "2020-01-01", "2019-01-01"]),
        "peak_30d_share": [0.5, 0.5, 0.5],
    })
    heat = heat_scores(info, ref_date="2020-01-01")
    assert heat[0] > heat[1] and heat[0] > heat[2]


def test_forty_people_outrank_one_person_writing_forty_times():
    dates = pd.date_range("2019-10-01", periods=40, freq="D")
    info = _issue_rows([(40, dates, 0), (1, dates, 0)])
    heat = heat_scores(info, ref_date="2019-11-10")
    assert heat[0] > 1.2 * heat[1]


def test_a_larger_problem_outranks_a_small_one_with_likes():
    """Fifteen letters from four neighbours over four months (the 青青家园 flue) against six letters
    from six people with 54 likes (洪山公园: when will it open), equally recent: volume weighs more
    than clicks, so the larger problem ranks first."""
    flue = _issue_rows([(4, pd.date_range("2019-04-22", periods=15, freq="7D"), 2)])
    park = _issue_rows([(6, pd.date_range("2019-02-20", periods=6, freq="30D"), 54)])
    info = pd.concat([flue, park], ignore_index=True)
    info["last_date"] = pd.Timestamp("2019-08-01")
    heat = heat_scores(info, ref_date="2019-08-01")
    assert heat[0] > heat[1]
    # likes still count: the park with its likes beats the same six letters without them
    quiet = info.iloc[[1]].assign(up_votes=0)
    assert heat[1] > heat_scores(quiet, ref_date="2019-08-01").iloc[0]


def test_three_letters_in_a_week_are_not_a_surge():
    """Concentration counts letters in the busiest 30 days against at least 10: three letters in one
    week get little more than three letters over three months (as a plain share, 100% vs 33%)."""
    info = _issue_rows([
        (3, ["2019-12-01", "2019-12-03", "2019-12-05"], 0),
        (3, ["2019-09-01", "2019-10-15", "2019-12-05"], 0),
        (12, pd.date_range("2019-11-10", periods=12, freq="2D"), 0),
        (12, pd.date_range("2019-01-10", periods=12, freq="30D"), 0),
    ])
    heat = heat_scores(info, ref_date="2019-12-06")
    assert abs(heat[0] - heat[1]) / heat[1] < 0.1
    # twelve letters in one month are a surge: hotter than twelve spread over a year, equally recent;
    # both are far hotter than the three
    assert info.loc[2, "peak_30d_letters"] == 12 and info.loc[3, "active_months"] == 12
    assert heat[2] > 1.2 * heat[3] and heat[3] > 1.5 * heat[0]


def test_persistent_repeat_petition_is_flagged_deep_and_an_office_can_weigh_it():
    """One villager asking about the 茶场村五组 relocation in 7 separate months is a 积案: it is
    flagged deep-seated (the one-month burst is not); by default the burst ranks hotter, and an office
    that weighs chronic problems more says so with the persistence weight."""
    months = ["2019-01-06", "2019-02-21", "2019-04-01", "2019-05-22", "2019-06-17", "2019-07-09", "2019-09-12",
              "2019-09-13", "2019-09-14", "2019-09-15"]
    burst = [f"2019-09-{d:02d}" for d in range(1, 11)]
    info = _issue_rows([(1, months, 0), (1, burst, 0)])
    assert info.loc[0, "active_months"] == 7 and info.loc[1, "peak_30d_letters"] == 10
    assert info.loc[0, "deep_seated"] and not info.loc[1, "deep_seated"]
    assert "重复来信人1" in info.loc[0, "deep_evidence"]
    heat = heat_scores(info, ref_date="2019-09-20")
    assert heat[1] > heat[0]
    chronic = heat_scores(info, ref_date="2019-09-20", weights={"persistence": 0.3, "burst": 0.1})
    assert chronic[0] > chronic[1] * 1.1


def test_deep_seated_needs_span_months_and_writers():
    spread = pd.to_datetime(["2019-01-05", "2019-03-10", "2019-06-01", "2019-06-20", "2019-09-30"])
    burst = pd.to_datetime(["2019-11-01", "2019-11-05", "2019-11-20", "2019-11-25", "2019-12-01"])
    writers = pd.Series(["a", "b", "c", "a", "d"])
    deep = deep_seated_evidence(pd.Series(spread), writers)
    assert deep["deep_seated"] and deep["active_months"] == 4 and deep["repeat_writers"] == 1
    assert deep["deep_evidence"].startswith("跨度268天")
    assert not deep_seated_evidence(pd.Series(burst), writers)["deep_seated"]


def test_a_writer_coming_back_in_other_months_counts_again_and_concrete_issues_rank_first():
    base = {"n_letters": [10, 10], "n_writers": [1, 1], "up_votes": [0, 0], "down_votes": [0, 0],
            "last_date": pd.to_datetime(["2020-01-01", "2020-01-01"]), "peak_30d_letters": [3, 3]}
    # one villager writing in seven separate months vs the same ten letters in one month
    info = pd.DataFrame({**base, "n_contacts": [7, 1]})
    heat = heat_scores(info, ref_date="2020-01-01")
    assert heat[0] > heat[1]
    # the same letters, one issue whose titles name its place and one whose titles do not
    info = pd.DataFrame({**base, "title_concreteness": [1.0, 0.0]})
    heat = heat_scores(info, ref_date="2020-01-01")
    assert heat[0] > heat[1]
    flat = heat_scores(info, ref_date="2020-01-01", weights={"concreteness": 0.0})
    assert flat[0] == flat[1]


def test_a_writer_returning_past_the_reply_limit_is_counted_per_month():
    """重复信访 after the answer was due: a writer's letters more than 60 days after that writer's own
    first letter, one count per calendar month; letters inside the 60 days, or from writers who do
    not come back, count none."""
    dates = pd.Series(pd.to_datetime(["2019-01-06", "2019-02-21", "2019-04-01", "2019-05-22", "2019-05-30",
                                      "2019-09-12", "2019-03-01", "2019-09-01"]))
    writers = pd.Series(["v", "v", "v", "v", "v", "v", "x", None])
    assert writer_returns(dates, writers) == 3          # April, May (twice), September
    ev = deep_seated_evidence(dates, writers)
    assert ev["writer_returns"] == 3 and "超60天再来信3人次月" in ev["deep_evidence"]
    assert writer_returns(dates, pd.Series([None] * len(dates))) == 0
    burst = pd.Series(pd.to_datetime([f"2019-09-{d:02d}" for d in range(1, 11)]))
    assert writer_returns(burst, pd.Series(["v"] * 10)) == 0


def test_a_villager_coming_back_for_months_about_one_place_ranks_above_the_same_letters_once():
    """Ten letters of one villager over seven months about one village (茶场村五组: when does the
    relocation start) rank above the same counts without returns past the reply limit; a cluster
    whose titles name no place gets no credit for returns (one writer's mixed complaints about a city)."""
    base = {"n_letters": [10, 10], "n_writers": [1, 1], "n_contacts": [7, 7], "up_votes": [0, 0], "down_votes": [0, 0],
            "last_date": pd.to_datetime(["2019-09-12", "2019-09-12"]), "peak_30d_letters": [3, 3]}
    info = pd.DataFrame({**base, "writer_returns": [5, 0], "title_concreteness": [1.0, 1.0]})
    heat = heat_scores(info, ref_date="2020-01-26")
    assert heat[0] > 1.15 * heat[1]
    vague = pd.DataFrame({**base, "writer_returns": [5, 0], "title_concreteness": [0.0, 0.0]})
    heat = heat_scores(vague, ref_date="2020-01-26")
    assert heat[0] == heat[1]
    # the office that does not weigh returns sets persistence = 0
    flat = heat_scores(info, ref_date="2020-01-26", weights={"persistence": 0.0})
    assert flat[0] == flat[1]


def test_rank_range_marks_a_near_tie_and_leaves_a_clear_lead_alone():
    """A large issue far ahead never moves; two issues whose heat differs by a hair (one with more
    writers, the other more recent) swap under some 20% weight move, so both show a range."""
    from pipeline.heat import heat_order, rank_range

    big = pd.date_range("2019-06-01", periods=60, freq="3D")
    info = _issue_rows([
        (40, big, 30),                                                  # far ahead
        (12, pd.date_range("2019-03-01", periods=17, freq="7D"), 0),    # more writers and letters, older
        (3, pd.date_range("2019-10-01", periods=12, freq="2D"), 0),     # fewer writers, recent
    ])
    info["label"], info["issue_id"] = ["a", "b", "c"], ["I1", "I2", "I3"]
    heat = heat_scores(info, ref_date="2019-11-10")
    base = heat_order(info, heat)
    best, worst = rank_range(info, "2019-11-10")
    assert base[0] == 0 and (best[0], worst[0]) == (1, 1)
    assert abs(heat[1] - heat[2]) / heat[1:].max() < 0.01    # a near-tie by construction
    assert (best[1], worst[1]) == (2, 3) and (best[2], worst[2]) == (2, 3)


def test_weight_moves_skip_invalid_shares_and_keep_counts_whole():
    from pipeline.heat import weight_moves

    moves = list(weight_moves({"concreteness": 0.9}))
    names = [(k, round(v, 3)) for k, v, _ in moves]
    assert ("concreteness", 0.72) in names and all(not (k == "concreteness" and v > 1) for k, v in names)
    assert all(float(v).is_integer() for k, v, _ in moves if k in ("burst_min_letters", "persistence_months"))
    assert len(moves) == 19      # ten weights moved down and up, one move over 1 left out
