"""Identity cleaning: ID cards (GB 11643), phones, names, addresses, identity inside the text."""
import pandas as pd
import pytest

from pipeline.identity import (
    clean_id_number, clean_identity, clean_name, clean_phone, extract_identity, id_15_to_18,
    partial_name,
    id_check_digit, loose_id_number, name_pinyin, split_address,
)


def valid_id(first17: str) -> str:
    return first17 + id_check_digit(first17)


def test_check_digit_matches_gb11643_worked_example():
    # the standard's own example: 11010519491231002X
    assert id_check_digit("11010519491231002") == "X"
    assert clean_id_number("11010519491231002X") == "11010519491231002X"


def test_lower_case_x_spaces_and_dashes_are_accepted():
    assert clean_id_number("110105 19491231 002x") == "11010519491231002X"
    assert clean_id_number("110105-19491231-002x") == "11010519491231002X"


def test_failed_checksum_or_impossible_birth_date_is_rejected():
    good = valid_id("43010519650215564")
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert clean_id_number(wrong_check) is None
    assert clean_id_number(valid_id("43010519651315564")) is None  # month 13
    assert clean_id_number(valid_id("43010521650215564")) is None  # born in 2165
    assert clean_id_number("12345") is None
    # a typo is kept for fuzzy matching, never as a valid ID
    assert loose_id_number(wrong_check) == wrong_check


def test_fifteen_digit_old_id_is_converted():
    new = id_15_to_18("430105650215564")
    assert new[:17] == "43010519650215564" and new == valid_id("43010519650215564")
    assert clean_id_number("430105650215564") == new


@pytest.mark.parametrize("raw", ["13812345678", "+86 138-1234-5678", "+8613812345678",
                                 "0086 138 1234 5678", "138 1234 5678", "13812345678.0"])
def test_mobile_formats_fold_to_eleven_digits(raw):
    assert clean_phone(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["0731-84567890", "(0731)84567890", "0731-8456 7890",
                                 "+86 731 84567890"])
def test_landline_keeps_area_code(raw):
    assert clean_phone(raw) == "073184567890"


def test_service_numbers_and_junk_are_not_phones():
    assert clean_phone("400-800-1234") is None
    assert clean_phone("无") is None
    assert clean_phone("12345") is None


@pytest.mark.parametrize("raw,expected", [
    ("陈建国", "陈建国"), ("陈 建国", "陈建国"), ("陳建國", "陈建国"), ("王秀英女士", "王秀英"),
    ("赵大山老人", "赵大山"), ("刘桂兰(代)", "刘桂兰"), ("阿卜杜·热合曼", "阿卜杜·热合曼"),
])
def test_names_are_cleaned(raw, expected):
    assert clean_name(raw) == expected


@pytest.mark.parametrize("raw", ["匿名", "王某某", "陈先生", "刘婆婆", "市民", None, float("nan")])
def test_placeholders_and_bare_surnames_identify_no_one(raw):
    assert clean_name(raw) is None


def test_homophones_share_pinyin():
    assert name_pinyin("王秀英") == name_pinyin("王秀瑛") == "wangxiuying"


def test_address_split_with_and_without_province():
    parts = split_address("A市A3区望月湖街道枫林苑小区12栋2单元1801")
    assert (parts["city"], parts["county"], parts["town"], parts["village"]) == (
        "A市", "A3区", "望月湖街道", "枫林苑小区")
    parts = split_address("K9县石门镇柏树村1组")
    assert (parts["county"], parts["town"], parts["village"], parts["detail"]) == (
        "K9县", "石门镇", "柏树村", "1组")
    parts = split_address("廣東省廣州市天河區")
    assert (parts["province"], parts["city"], parts["county"]) == ("广东省", "广州市", "天河区")
    assert split_address("A市金色小区5栋")["county"] is None  # 小区 is not a district


def test_identity_written_in_the_letter_is_found():
    found = extract_identity("尊敬的领导：我叫王秀英，今年65岁，身份证号11010519491231002x，"
                             "电话：138-1234-5678。我家的宅基地被占……")
    assert found == {"name": "王秀英", "name_partial": "王", "id_number": "11010519491231002X",
                     "phone": "13812345678"}
    assert extract_identity("作为的报告本人陈善增，系A市A9市金刚镇村民")["name"] == "陈善增"


def test_phrases_after_benren_are_not_names():
    assert extract_identity("有证的话，本人认为这是审批有问题")["name"] is None
    assert extract_identity("尊敬的领导本人曾经是一名小微企业主")["name"] is None
    assert extract_identity("本人多次反映，无果")["name"] is None
    # a shared letter's words: 房屋 became a name, and every 房屋 of the run's exports read 房*
    assert extract_identity("2017年8月到至今本人房屋是空置的一个状态")["name"] is None


def test_clean_identity_fills_only_missing_fields_from_text():
    letters = pd.DataFrame({
        "name": ["陳建國", None], "id_number": [None, None], "phone": ["+86 138-1234-5678", None],
        "address": ["A市A3区望月湖街道枫林苑小区12栋", None], "writer_id": [None, "U01"],
        "text": ["我叫李四，电话13900001111", "我叫王秀英，联系电话0731-84567890。"],
    })
    out = clean_identity(letters)
    assert out["name_clean"].tolist() == ["陈建国", "王秀英"]
    assert out["phone_clean"].tolist() == ["13812345678", "073184567890"]
    assert out["identity_from_text"].tolist() == [None, "name,phone"]
    assert out["addr_county"].tolist() == ["A3区", None]
    assert out["writer_key"].tolist() == [None, "U01"]
    assert out["name"].iloc[0] == "陳建國" and pd.isna(out["name"].iloc[1])  # raw stays as written


def test_sample_corpus_identities_clean(sample_dir):
    path = sample_dir / "letters_xinfang.csv"
    if not path.exists():
        pytest.skip("sample corpus not built")
    raw = pd.read_csv(path, dtype=str, on_bad_lines="skip", encoding="utf-8-sig")
    ids = raw["身份证号"].dropna()
    phones = raw["联系电话"].dropna()
    assert ids.map(loose_id_number).notna().mean() > 0.98
    assert phones.map(clean_phone).notna().mean() > 0.98


@pytest.mark.parametrize("raw", ["先生", "女士", "市民", "匿名", "***", "来电人", "王先生", "张阿姨"])
def test_a_title_alone_or_a_surname_with_a_title_is_no_full_name(raw):
    assert clean_name(raw) is None


@pytest.mark.parametrize("raw,partial", [
    ("王先生", "王先生"), ("张阿姨", "张女士"), ("周明远先生", "周先生"), ("周明远", "周"),
    ("欧阳先生", "欧阳先生"), ("先生", None), ("市民", None), ("***", None), ("王某某", None),
])
def test_partial_names_keep_the_surname_and_the_titles_sex(raw, partial):
    assert partial_name(raw) == partial


def test_operators_tail_on_the_caller_field_is_dropped():
    assert clean_name("周明远来电") == "周明远"
    assert clean_name("周明远市民") == "周明远"


def test_the_operators_third_person_names_the_caller():
    found = extract_identity("周明远先生反映：小区南门的路灯坏了两个月，多次联系物业无人处理。")
    assert (found["name"], found["name_partial"]) == ("周明远", "周先生")
    assert extract_identity("来电人周明远表示：供暖不热")["name"] == "周明远"
    assert extract_identity("周明远未反映具体问题")["name"] == "周明远"
    found = extract_identity("市民王先生来电反映：楼上漏水")
    assert (found["name"], found["name_partial"]) == (None, "王先生")
    for note in ("异常来电", "未反映具体问题", "来话人未反映具体问题。", "市民来电辱骂工作人员",
                 "胡市长：您好！我是一名普通的投资者"):
        assert extract_identity(note)["name"] is None, note


def test_numbers_of_other_people_in_the_text_are_not_the_writers_phone():
    assert extract_identity("物业电话13912345678一直无人接听")["phone"] is None
    assert extract_identity("来电表示自己儿子电话是13912345678，请联系他")["phone"] is None
    assert extract_identity("派出所民警留的号码0532-83456789打不通")["phone"] is None
    assert extract_identity("商家13912345678拒不退款")["phone"] is None
    assert extract_identity("饭店老板娘不退押金，我的电话13812345678")["phone"] == "13812345678"
    assert extract_identity("联系电话：0532-83456789")["phone"] == "053283456789"


def test_a_name_field_holding_only_the_given_name_takes_the_name_the_operator_wrote():
    frame = pd.DataFrame({"name": ["培栋先生", "王伟"], "text": [
        "李培栋先生反映：去年被扣留的手机至今未归还，要求派出所归还。",
        "李培栋先生反映：去年被扣留的手机至今未归还。"]})
    out = clean_identity(frame)
    assert out.loc[0, "name_clean"] == "李培栋" and out.loc[0, "name_partial"] == "李先生"
    assert out.loc[1, "name_clean"] == "王伟"  # another name is another name
