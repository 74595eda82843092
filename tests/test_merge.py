"""The merge with vetoes on scored pairs: families and namesakes stay apart, stored persons merge."""
import itertools

import pandas as pd

from pipeline.identity import clean_identity
from pipeline.merge import VetoMerger, rare_names
from pipeline.persons import letter_keys


def letters(rows, person_ids=None) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["letter_id", "received_at", "name", "phone", "address"])
    frame["received_at"] = pd.to_datetime(frame["received_at"])
    frame["text"] = frame["letter_id"]
    frame = clean_identity(frame)
    frame["letter_key"] = frame["letter_id"]  # readable keys for the test
    if person_ids is not None:
        frame["person_id"] = person_ids
    return frame


def pairs(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["letter_key_l", "letter_key_r", "match_probability"])


NO_HISTORY = letters([], person_ids=[])


def test_a_family_sharing_a_phone_is_not_merged_however_strong_the_pair():
    new = letters([("W1", "2023-05-02", "王建军", "13900001111", "A3区望月湖街道枫林苑小区"),
                   ("W2", "2023-05-20", "李秀兰", "13900001111", "A3区望月湖街道枫林苑小区"),
                   ("W3", "2023-06-01", "王建军", "13900001111", "A3区望月湖街道枫林苑小区")])
    merger = VetoMerger(threshold=0.7).fit(
        new, NO_HISTORY, pairs(("W1", "W2", 0.99), ("W1", "W3", 0.95), ("W2", "W3", 0.9)))
    person = merger.person_of_
    assert person["W1"] == person["W3"] != person["W2"]
    assert merger.prob_of_["W3"] == 0.95 and "W2" not in merger.prob_of_


def test_namesakes_in_two_counties_with_nothing_else_in_common_stay_apart():
    new = letters([("N1", "2023-01-01", "王秀英", None, "K9县石门镇柏树村"),
                   ("N2", "2023-02-01", "王秀英", None, "A3区望月湖街道")])
    person = VetoMerger().fit(new, NO_HISTORY, pairs(("N1", "N2", 0.99))).person_of_
    assert person["N1"] != person["N2"]
    # one phone in common bridges the counties: people write where the dispute is
    new = letters([("N1", "2023-01-01", "王秀英", "13512345678", "K9县石门镇柏树村"),
                   ("N2", "2023-02-01", "王秀英", "13512345678", "A3区望月湖街道")])
    person = VetoMerger().fit(new, NO_HISTORY, pairs(("N1", "N2", 0.99))).person_of_
    assert person["N1"] == person["N2"]


def test_a_new_letter_proving_two_stored_persons_one_merges_them_into_the_first_id():
    history = letters([("H1", "2022-01-01", "陈建国", "13812345678", None),
                       ("H2", "2022-03-01", "陈建国", "13999998888", None)],
                      person_ids=["P000000000A", "P000000000B"])
    new = letters([("M1", "2022-05-01", "陈建国", "13812345678", "K9县石门镇柏树村")])
    merger = VetoMerger().fit(new, history, pairs(("M1", "H1", 0.95), ("M1", "H2", 0.9)))
    assert merger.person_of_["M1"] == "P000000000A"
    assert merger.merged_persons_ == {"P000000000B": "P000000000A"}


def test_a_lone_letter_joins_the_one_person_its_weak_links_all_point_at():
    history = letters([("H1", "2022-01-01", "陈建国", "13812345678", "K9县石门镇柏树村"),
                       ("H2", "2022-03-01", "陈建国", "13812345678", "K9县石门镇柏树村")],
                      person_ids=["P1", "P1"])
    new = letters([("X1", "2022-05-01", None, "13812345678", None)])
    weak = pairs(("X1", "H1", 0.5), ("X1", "H2", 0.45))
    assert VetoMerger(attach_floor=0.4).fit(new, history, weak).person_of_["X1"] == "P1"
    # one supporting letter is not enough, and the floor keeps weaker links out
    assert VetoMerger(attach_floor=0.4).fit(new, history, weak.head(1)).person_of_["X1"] != "P1"
    assert VetoMerger(attach_floor=0.6).fit(new, history, weak).person_of_["X1"] != "P1"


def test_new_persons_take_a_stable_id_from_their_first_letter():
    new = letters([("B2", "2023-02-01", "赵大山", "13511112222", None),
                   ("B1", "2023-01-01", "赵大山", "13511112222", None)])
    person = VetoMerger().fit(new, NO_HISTORY, pairs(("B2", "B1", 0.99))).person_of_
    again = VetoMerger().fit(new.iloc[::-1], NO_HISTORY, pairs(("B1", "B2", 0.99))).person_of_
    assert person["B1"] == person["B2"] == again["B1"]
    from pipeline.persons import person_id_for

    assert person["B1"] == person_id_for("B1")
    assert letter_keys(new).nunique() == 2


def test_rare_names_are_counted_among_persons():
    frame = letters([("R1", "2023-01-01", "李培栋", None, "K9县"),
                     ("R2", "2023-01-02", "李培栋", None, "K9县"),
                     ("R3", "2023-01-03", "王秀英", None, "K9县"),
                     ("R4", "2023-01-04", "张建华", None, "K9县"),
                     ("R5", "2023-01-05", "李建华", None, "K9县")])
    rare = rare_names(frame)
    pinyin = dict(zip(frame["name_clean"], frame["name_pinyin"]))
    assert pinyin["李培栋"] in rare
    assert pinyin["王秀英"] not in rare  # one of the commonest given names
    assert pinyin["张建华"] not in rare and pinyin["李建华"] not in rare  # 建华 under two surnames


def test_anyone_else_who_wrote_the_matter_keeps_an_anonymous_letter_from_joining():
    # A (no identity) near-copies two of P's letters, and L's, a lone letter with only a phone:
    # two people wrote that matter, so A joins neither; L still joins Q, whose letters it is like
    new = letters([("P1", "2023-01-01", "卢卓远", "13812340001", None),
                   ("P2", "2023-02-01", "卢卓远", "13812340001", None),
                   ("Q1", "2023-01-05", "王秀英", "15011112222", None),
                   ("Q2", "2023-02-05", "王秀英", "15011112222", None),
                   ("A", "2023-03-01", "市民", None, None),
                   ("L", "2023-03-02", None, "13900001111", None)])
    merger = VetoMerger(threshold=0.7, attach_floor=0.4).fit(new, NO_HISTORY, pairs(
        ("P1", "P2", 0.99), ("Q1", "Q2", 0.99), ("A", "P1", 0.5), ("A", "P2", 0.5),
        ("A", "L", 0.5), ("L", "Q1", 0.5), ("L", "Q2", 0.5)))
    person = merger.person_of_
    assert person["A"] not in (person["P1"], person["Q1"])
    assert person["L"] == person["Q1"] != person["P1"]


def test_the_persons_do_not_depend_on_the_order_pairs_of_equal_probability_arrive_in():
    """Splink's pairs come from DuckDB in no fixed order (its threads), and most share their
    probability with others (equal comparison vectors): at 30,000 letters two runs gave 20 letters
    other persons. A letter with only the family's phone links the father and the mother equally:
    which of the two it joins must not depend on which pair came first (the other is vetoed)."""
    new = letters([("F1", "2023-05-02", "王建军", "13900001111", "A3区望月湖街道枫林苑小区"),
                   ("F2", "2023-05-10", None, "13900001111", "A3区望月湖街道枫林苑小区"),
                   ("F3", "2023-05-20", "李秀兰", "13900001111", "A3区望月湖街道枫林苑小区")])
    scored = pairs(("F1", "F2", 0.9), ("F2", "F3", 0.9), ("F1", "F3", 0.9))
    seen = set()
    for order in itertools.permutations(range(len(scored))):
        person = VetoMerger(threshold=0.7).fit(new, NO_HISTORY, scored.iloc[list(order)]).person_of_
        assert person["F1"] != person["F3"]  # the veto holds in every order
        seen.add(frozenset(frozenset(k for k in person if person[k] == p) for p in person.values()))
    assert seen == {frozenset({frozenset({"F1", "F2"}), frozenset({"F3"})})}
