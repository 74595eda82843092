"""Masking: identity never leaves the store in the clear."""
import pandas as pd

from pipeline.mask import (
    mask_address, mask_frame, mask_id_number, mask_name, mask_phone, mask_text,
)


def test_masks_match_the_office_formats():
    assert mask_name("王秀英") == "王*英"
    assert mask_name("王英") == "王*"
    assert mask_name("欧阳秀英") == "欧**英"
    assert mask_id_number("110105194912311234") == "110***********1234"
    assert mask_phone("13856785678") == "138****5678"
    assert mask_phone("+86 138-5678-5678") == "138****5678"
    assert mask_phone("073184567890") == "073*****7890"


def test_missing_values_stay_missing():
    assert mask_name(None) is None
    assert pd.isna(mask_phone(float("nan")))


def test_address_keeps_the_place_for_routing_but_not_the_door():
    assert mask_address("A市A3区望月湖街道枫林苑小区12栋2单元1801") == "A市A3区望月湖街道***"
    assert "柏树村" not in mask_address("K9县石门镇柏树村1组")


def test_mask_text_masks_phones_ids_and_self_introduced_names():
    text = ("尊敬的领导：我叫王秀英，身份证号11010519491231002X，电话13812345678，"
            "座机0731-84567890。2019年3月花了12000元，房号2301。")
    masked = mask_text(text)
    for secret in ("王秀英", "11010519491231002X", "13812345678", "84567890"):
        assert secret not in masked
    assert "我叫王*英" in masked and "138****5678" in masked and "110***********002X" in masked
    # dates, amounts and room numbers are not identity
    assert "2019年3月" in masked and "12000元" in masked and "2301" in masked


def test_kinship_words_mask_names_but_not_ordinary_words_after_them():
    assert mask_text("我儿子王小明在工地受伤，女儿李娜今年十岁") == "我儿子王*明在工地受伤，女儿李*今年十岁"
    # real phrasing from the sample letters: nothing here is a name and must stay readable
    assert mask_text("不如跟儿子一起走，儿子走了两年，钱一分都没拿到") == "不如跟儿子一起走，儿子走了两年，钱一分都没拿到"
    assert mask_text("我叫欧秀英") == "我叫欧*英"  # after 我叫 anything is taken as a name


def test_mask_frame_masks_identity_and_drops_linking_helpers():
    frame = pd.DataFrame({
        "name": ["王秀英"], "name_clean": ["王秀英"], "name_pinyin": ["wangxiuying"],
        "id_number": ["110105194912311234"], "phone": ["13812345678"], "id_birth": ["19491231"],
        "address": ["K9县石门镇柏树村1组"], "text": ["我叫王秀英，电话13812345678"], "label": ["城乡建设"],
    })
    out = mask_frame(frame)
    assert "name_pinyin" not in out.columns and "id_birth" not in out.columns
    flat = out.astype(str).to_string()
    for secret in ("王秀英", "13812345678", "194912311234", "柏树村"):
        assert secret not in flat
    assert out["label"].tolist() == ["城乡建设"]
