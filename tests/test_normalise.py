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


def test_a_line_break_a_spreadsheet_wrote_as_its_escape_is_a_line_break():
    # TipDM's workbooks hold _x000D_ literally inside 217 letters; written back to a workbook it became
    # _x005F_x000D_, and the sheets showed both. A word that only looks like one stays.
    text = "连续发生了三起家属打砸医护人员事件。_x000D_ 8月7日12:20急诊儿科_x005F_x000D__x000D_刘护士"
    assert clean_text(text) == "连续发生了三起家属打砸医护人员事件。 8月7日12:20急诊儿科 刘护士"
    assert clean_text("编号_x0001_不变") == "编号_x0001_不变"
