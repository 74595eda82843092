"""Cleaning: what real exports put in letter cells comes out as plain text."""
from pipeline.normalise import clean_text, to_simplified


def test_tabs_newlines_entities_and_markup_go():
    raw = "\n\t\t\t\t\t\n\t\t\t\t\t座落在A市A3区联丰路&amp;nbsp;米兰春天<br/>G2栋320\n\t\t\t\t\t\n\t\t\t\t"
    assert clean_text(raw) == "座落在A市A3区联丰路 米兰春天 G2栋320"


def test_full_width_forms_fold_and_invisible_characters_vanish():
    assert clean_text("Ａ５区\u200b１２３号　楼") == "A5区123号 楼"
    assert clean_text("电话：１３８") == "电话:138"


def test_missing_values_become_empty_text():
    assert clean_text(None) == "" and clean_text(float("nan")) == ""
    assert clean_text(188006) == "188006"


def test_traditional_folds_to_simplified():
    assert to_simplified("陳建國反映樓下飯店油煙擾民") == "陈建国反映楼下饭店油烟扰民"
    assert to_simplified("") == ""
