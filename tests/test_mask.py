"""Masking: identity never leaves the store in the clear."""
import pandas as pd
import pytest

from tests.conftest import requires_shared_data
from pipeline.mask import (
    mask_address, mask_frame, mask_id_number, mask_name, mask_name_forms, mask_phone, mask_text,
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


def test_a_local_landline_without_area_code_is_masked_after_its_cue():
    assert mask_text("企业要求联系座机号：62017788，尽快回复") == "企业要求联系座机号：620*7788，尽快回复"
    assert mask_text("联系电话62017788") == "联系电话620*7788"
    # other 8-digit numbers are not phones
    assert mask_text("欠款20240918元，合同编号62017788") == "欠款20240918元，合同编号62017788"


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


def test_work_order_numbers_are_ids_not_id_card_numbers():
    # an 18-digit 工单编号 in the text (its "birth date" digits are no date) stays as written;
    # an ID card number after 身份证, or one with a real birth date, is masked
    text = "同180427113843671535件，身份证号110105194912310021，再次来电"
    assert mask_text(text) == "同180427113843671535件，身份证号110***********0021，再次来电"
    assert mask_text("证件号码 110105194912310099 有误") == "证件号码 110***********0099 有误"
    frame = pd.DataFrame({"letter_id": ["180427113843671535"], "工单编号": ["181026164543037088"],
                          "被催办单ID": ["180511172201771164"], "near_duplicate_of": ["110105194912310021"],
                          "id_number": ["110105194912310021"], "text": ["工单180427113843671535"]})
    out = mask_frame(frame, text_columns=list(frame.columns))
    assert out.loc[0, "letter_id"] == "180427113843671535"
    assert out.loc[0, "工单编号"] == "181026164543037088"
    assert out.loc[0, "被催办单ID"] == "180511172201771164"
    assert out.loc[0, "near_duplicate_of"] == "110105194912310021"  # an id column, whatever it looks like
    assert out.loc[0, "id_number"] == "110***********0021"
    assert out.loc[0, "text"] == "工单180427113843671535"


def test_name_forms_are_masked_with_their_titles_and_counts_kept():
    assert mask_name_forms("周明远先生(202);周先生(3);周明远(2)") == "周*远先生(202);周*生(3);周*远(2)"


def test_a_work_order_number_survives_every_export_of_a_run(tmp_path):
    from pipeline.cli import main

    ids = ["180427113843671535", "180511172201771164", "181026164543037088"]
    pd.DataFrame({
        "工单编号": ids,
        "来电人": ["周明远先生", "市民", "周明远"],
        "受理时间": ["2018-04-27 11:38:43", "2018-05-11 17:22:01", "2018-10-26 16:45:43"],
        "主要内容": ["周明远先生反映：小区南门路灯坏了两个月，联系电话13812345678，要求尽快修好。",
                 "同180427113843671535件，市民再次来电反映路灯问题仍未解决。",
                 "周明远先生反映：身份证110105194912310021被物业扣留，要求归还。"],
    }).to_excel(tmp_path / "calls.xlsx", index=False)
    assert main(["run", str(tmp_path / "calls.xlsx"), "--out", str(tmp_path / "out")]) == 0
    out = tmp_path / "out"
    parquet = pd.read_parquet(out / "letters.parquet")
    csv = pd.read_csv(out / "letters.csv", dtype=str)
    assert sorted(parquet["letter_id"]) == ids
    assert sorted(csv.iloc[:, 0]) == ids  # 信件编号, the first column
    workbook = pd.read_excel(out / "triage.xlsx", sheet_name=None, dtype=str)
    in_sheets = {v for sheet in workbook.values() if "信件编号" in sheet for v in sheet["信件编号"]}
    assert in_sheets and in_sheets <= set(ids)
    # the number quoted in the text is kept; identity is not
    texts = " ".join(parquet["text"])
    assert "180427113843671535" in texts
    assert "13812345678" not in texts and "110105194912310021" not in texts
    assert "周明远" not in texts and "周明远" not in " ".join(csv.fillna("").to_numpy().ravel())


def test_a_third_party_named_once_after_a_cue_is_masked_wherever_mentioned():
    frame = pd.DataFrame({"text": ["派出所称扣押的钱已归还弟弟周修远，来话人称周修远不是自己的弟弟",
                                   "周修远的一部手机，民警正在使用", "路灯坏了两个月"]})
    out = mask_frame(frame)
    assert "周修远" not in " ".join(out["text"])
    assert out.loc[1, "text"] == "周*远的一部手机，民警正在使用"
    assert out.loc[2, "text"] == "路灯坏了两个月"


def test_a_company_s_controller_named_after_the_role_is_masked_wherever_mentioned():
    """Letters against a lending platform name its controller after the role (幕后操纵人…, 实控人…),
    then by name alone; a word after a role word (负责人信息, 老板都不管) is no name."""
    from pipeline.mask import role_names

    frame = pd.DataFrame({"text": ["平台幕后操纵人周修远(某集团法人)注销了两家涉案企业", "周修远至今未退还我们的钱款",
                                   "负责人信息不公开,老板都不管,股东来投资,经理明确表示不退"]})
    out = mask_frame(frame)
    assert "周修远" not in " ".join(out["text"]) and out.loc[1, "text"] == "周*远至今未退还我们的钱款"
    assert out.loc[2, "text"] == frame.loc[2, "text"]
    assert role_names(frame.loc[2, "text"]) == set()
    assert role_names("开发商法人代表及实际股东王德,因为个人原因已被拘捕") == {"王德"}


def test_an_official_named_after_the_title_is_masked_wherever_mentioned():
    """A complaint names the cadres it accuses after their titles (镇党委书记…, 村主任…, 办案民警…),
    then by name alone: no export shows them. The words after a title that are no name (请易书记管一下,
    市长信箱上, 与业主任何沟通, 和书记村长关系好的) stay as written, in every letter."""
    from pipeline.mask import role_names

    frame = pd.DataFrame({"text": [
        "镇党委书记罗建平和村主任吴德胜等人强占村民土地,办案民警孔祥顺说他很忙",
        "罗建平至今未答复,吴德胜还派人上门",
        "我想请易书记管一下。本人在市长信箱上多次投诉,没有经过与业主任何沟通",
        "平时和书记村长关系好的有钱人却得到救助,他现在还在局长位置上,该村支书原来本就是组长",
    ]})
    assert role_names(frame.loc[0, "text"]) == {"罗建平", "吴德胜", "孔祥顺"}
    assert role_names(frame.loc[2, "text"]) | role_names(frame.loc[3, "text"]) == set()
    out = mask_frame(frame)
    assert out.loc[0, "text"] == "镇党委书记罗*平和村主任吴*胜等人强占村民土地,办案民警孔*顺说他很忙"
    assert out.loc[1, "text"] == "罗*平至今未答复,吴*胜还派人上门"
    assert out.loc[2:, "text"].tolist() == frame.loc[2:, "text"].tolist()


def test_a_private_party_named_after_a_role_is_masked_and_the_words_after_a_role_are_not():
    """我是…村民高某某, 业主孙某, 受害人王某: the writer and the people a letter tells of, named after who
    they are; 村民何去何从, 业主普遍认为, 居民应享的权益 are words."""
    from pipeline.mask import role_names

    named = "我是石门镇柏树村三组村民曹德旺,受害人王焕英的父亲,被告伍国栋说没钱赔偿"
    words = "村民何去何从?业主普遍认为物业费太高,还小区居民应享的权益,业主安静祥和的生活被打破"
    assert role_names(named) == {"曹德旺", "王焕英", "伍国栋"}
    assert role_names(words) == set()
    out = mask_frame(pd.DataFrame({"text": [named, words, "伍国栋说没钱"]}))
    assert out["text"].tolist() == ["我是石门镇柏树村三组村民曹*旺,受害人王*英的父亲,被告伍*栋说没钱赔偿", words, "伍*栋说没钱"]


@requires_shared_data
def test_no_third_party_the_shared_letters_name_after_a_role_leaves_in_the_clear(shared_dir):
    """Over every TipDM hot-issue letter, each name written after a role (a platform's 实控人, a
    developer's 法人代表, a boss) is masked in every letter that writes it."""
    from pipeline.mask import names_to_mask, role_names
    from pipeline.read import read_letters

    letters = read_letters([shared_dir / "hot_messages.xlsx"]).letters
    named = set().union(*(role_names(t) for t in letters["text"].dropna()))
    assert len(named) >= 10
    out = mask_frame(letters, names=names_to_mask(letters))
    left = sum(name in text for text in out["text"].dropna() for name in named)
    assert left == 0, f"{left} mentions of role-named third parties left in the clear"


def test_a_phone_or_id_column_is_masked_whole_whatever_its_digits_look_like():
    # an 8-digit landline without its area code has no phone shape for mask_text; the column's
    # name (来电人电话/账号) says what it holds. 市电话处理方式 and 证件类型 hold no identity.
    frame = pd.DataFrame({
        "工单编号": ["热线-240918-000001", "热线-240918-000002", "热线-240918-000003", "热线-240918-000004"],
        "来电人电话/账号": ["62017788", "****", "wang_xy2024", "13912345678"],
        "市电话处理方式": ["电话联系", "电话联系", None, "电话联系"],
        "身份证号码": ["11010519491231002X", None, None, "110105194912"],
        "证件类型": ["居民身份证", None, None, "居民身份证"],
        "text": ["小区路灯坏了", "楼道堵塞", "噪音扰民", "停水三天"],
    })
    out = mask_frame(frame, text_columns=list(frame.columns))
    assert out["来电人电话/账号"].tolist() == ["620*7788", "****", "wa*******24", "139****5678"]
    assert out["身份证号码"].tolist()[0] == "110***********002X"
    assert out.loc[3, "身份证号码"] == "110*****4912"  # a short (typo'd) ID is still masked
    assert out["工单编号"].tolist() == frame["工单编号"].tolist()
    assert out["市电话处理方式"].tolist() == frame["市电话处理方式"].tolist()
    assert out["证件类型"].tolist() == frame["证件类型"].tolist()


def test_a_landline_in_a_phone_column_never_reaches_a_run_export(tmp_path):
    from pipeline.cli import main

    pd.DataFrame({
        "工单编号": ["热线-240918-000001", "热线-240918-000002"],
        "创建时间": ["2024/9/18 16:54", "2024/9/19 09:12"],
        "标题": ["小区路灯不亮", "楼道堆放杂物"],
        "主要内容": ["来电人反映小区南门路灯坏了两个月，晚上出行不便，要求尽快维修。",
                 "来电人反映楼道内长期堆放杂物，存在消防隐患，要求物业清理。"],
        "来电人": ["孙立平", "匿名"],
        "来电人电话/账号": ["62017788", "13912345678"],
    }).to_csv(tmp_path / "calls.csv", index=False)
    assert main(["run", str(tmp_path / "calls.csv"), "--out", str(tmp_path / "out")]) == 0
    csv = pd.read_csv(tmp_path / "out" / "letters.csv", dtype=str)
    assert csv["联系电话"].tolist() == ["620*7788", "139****5678"]  # the caller-phone column is the letters' phone
    workbook = pd.read_excel(tmp_path / "out" / "triage.xlsx", sheet_name=None, dtype=str)
    everything = " ".join(" ".join(sheet.fillna("").to_numpy().ravel()) for sheet in workbook.values())
    everything += " ".join(csv.fillna("").to_numpy().ravel())
    assert "热线-240918-000001" in everything
    for secret in ("62017788", "13912345678", "孙立平"):
        assert secret not in everything


def test_a_part_of_the_letters_masked_with_the_run_names_is_masked_as_the_whole_batch(sample_dir):
    """Mask is row-wise once the names are global: the bundled corpus split in two and each half
    masked with the run's one list of names gives exactly the whole batch masked at once."""
    from pipeline.mask import names_to_mask
    from pipeline.read import read_letters
    from pipeline.stages import mask_partition
    from pipeline.write import text_columns

    letters = read_letters([sample_dir / "letters_xinfang.csv", sample_dir / "hotline_12345.xlsx"]).letters
    whole = mask_frame(letters, text_columns=text_columns(letters))
    names = names_to_mask(letters, text_columns(letters))
    assert len(names) > 100
    for cut in (338, 600):
        first, second = letters.iloc[:cut], letters.iloc[cut:]
        parts = pd.concat([mask_partition(first, names), mask_partition(second, names)])
        pd.testing.assert_frame_equal(parts, whole)
    # each part masked with only its own names leaks a name another part gives: a writer named in
    # one letter's text without a cue, whose own letter (name column) is in the other part
    first = pd.DataFrame({"name": [None], "text": ["上次王秀英反映的路灯问题仍未解决"]})
    second = pd.DataFrame({"name": ["王秀英"], "text": ["小区南门路灯坏了两个月"]})
    assert mask_frame(first).loc[0, "text"] == "上次王秀英反映的路灯问题仍未解决"
    both = names_to_mask(pd.concat([first, second]))
    assert mask_partition(first, both).loc[0, "text"] == "上次王*英反映的路灯问题仍未解决"


def test_a_joint_letters_signers_are_masked_though_no_cue_stands_before_each_name():
    from pipeline.mask import signer_names

    text = "联名人（共29人）：胡金凤、任月娥、赵艳、曹永红等29人。联名信：恒泰化工厂往清水河排污"
    assert signer_names(text) == ["胡金凤", "任月娥", "赵艳", "曹永红"]
    assert mask_text(text) == "联名人（共29人）：胡*凤、任*娥、赵*、曹*红等29人。联名信：恒泰化工厂往清水河排污"
    assert mask_text("签名：张三 李四") == "签名：张* 李*"
    # a cue followed by prose is no list
    assert mask_text("我们联名：请求政府尽快处理此事，谢谢") == "我们联名：请求政府尽快处理此事，谢谢"
    # a signer named elsewhere in the batch is masked there too
    frame = pd.DataFrame({"text": ["联名村民(共3人,代表丁春燕):丁春燕、罗巧云、丁艳", "丁春燕等三人再次来信"]})
    assert mask_frame(frame)["text"].tolist() == ["联名村民(共3人,代表丁*燕):丁*燕、罗*云、丁*", "丁*燕等三人再次来信"]


def test_no_signer_of_the_bundled_joint_letters_reaches_any_export(sample_run, sample_dir):
    """The bundled corpus holds joint letters signed by 20-29 villagers each; none of their names
    may appear in letters.csv/parquet, triage.xlsx (department sheets included) or report.html."""
    from pipeline.mask import signer_names

    # the raw file, not a parse of it: its malformed rows are in the corpus on purpose
    source = (sample_dir / "letters_xinfang.csv").read_text(encoding="utf-8")
    signers = set(signer_names(source))
    assert len(signers) >= 40
    out = sample_run.out_dir
    parquet = pd.read_parquet(out / "letters.parquet").map(str).to_numpy().ravel()
    exports = {
        "letters.parquet": " ".join(parquet),
        "letters.csv": (out / "letters.csv").read_text(encoding="utf-8-sig"),
        "report.html": (out / "report.html").read_text(encoding="utf-8"),
        "triage.xlsx": " ".join(" ".join(sheet.map(str).to_numpy().ravel()) for sheet in pd.read_excel(
            out / "triage.xlsx", sheet_name=None, dtype=str).values()),
    }
    leaks = {name: sorted(s for s in signers if s in text) for name, text in exports.items()}
    assert leaks == {name: [] for name in exports}


def test_operators_and_officials_named_in_source_columns_leave_masked_with_their_ids_kept(tmp_path):
    # Beijing 12345 carries 坐席姓名 beside 坐席ID, Qingdao 受理员 beside 受理员工号 and 转办人姓名
    from pipeline.cli import main

    pd.DataFrame({
        "工单编号": ["热线-240918-000001", "热线-240918-000002"],
        "创建时间": ["2024/9/18 16:54", "2024/9/19 09:12"],
        "主要内容": ["来电人反映小区南门路灯坏了两个月，晚上出行不便，要求尽快维修。",
                 "来电人反映楼道内长期堆放杂物，存在消防隐患，要求物业清理。"],
        "坐席ID": ["A1021", "A1022"],
        "坐席姓名": ["姚皓庭", "宋欣雨"],
        "受理员": ["代雪萌", "纪圣琦"],
        "转办人姓名": ["欧阳明辉", None],
        "承办单位": ["南苑街道", "物业管理科"],
    }).to_csv(tmp_path / "calls.csv", index=False)
    assert main(["run", str(tmp_path / "calls.csv"), "--out", str(tmp_path / "out")]) == 0
    csv = pd.read_csv(tmp_path / "out" / "letters.csv", dtype=str)
    assert csv["坐席姓名"].tolist() == ["姚*庭", "宋*雨"]
    assert csv["转办人姓名"].tolist()[0] == "欧**辉"
    assert csv["坐席ID"].tolist() == ["A1021", "A1022"]
    assert csv["承办单位"].tolist() == ["南苑街道", "物业管理科"]
    workbook = pd.read_excel(tmp_path / "out" / "triage.xlsx", sheet_name=None, dtype=str)
    everything = " ".join(" ".join(sheet.map(str).to_numpy().ravel()) for sheet in workbook.values())
    everything += " ".join(pd.read_parquet(tmp_path / "out" / "letters.parquet").map(str).to_numpy().ravel())
    for secret in ("姚皓庭", "宋欣雨", "代雪萌", "纪圣琦", "欧阳明辉"):
        assert secret not in everything


def test_a_platform_user_id_leaves_masked_and_linking_helpers_never_leave(tmp_path):
    # writer_key (the user id as written) and matter_places are linking's evidence, not columns to read
    from pipeline.cli import main

    pd.DataFrame({
        "留言编号": ["188006", "188007"],
        "留言用户": ["A000102948", "13912345678"],
        "留言主题": ["小区路灯不亮", "楼道堆放杂物"],
        "留言时间": ["2019/1/6 10:00", "2019/1/7 09:12"],
        "留言详情": ["A3区西湖街道茶场村小区南门路灯坏了两个月，晚上出行不便，要求尽快维修。",
                 "楼道内长期堆放杂物，存在消防隐患，要求物业清理。"],
    }).to_csv(tmp_path / "posts.csv", index=False)
    assert main(["run", str(tmp_path / "posts.csv"), "--out", str(tmp_path / "out")]) == 0
    parquet = pd.read_parquet(tmp_path / "out" / "letters.parquet")
    csv = pd.read_csv(tmp_path / "out" / "letters.csv", dtype=str)
    assert parquet["writer_id"].tolist() == ["A0******48", "13*******78"]
    for frame in (parquet, csv):
        assert not {"writer_key", "matter_places"} & set(frame.columns)
        text = " ".join(frame.map(str).to_numpy().ravel())
        assert "A000102948" not in text and "13912345678" not in text


@pytest.fixture(scope="module")
def bundled_texts(sample_dir):
    """Every text cell of the bundled letters, and the run's one list of names over them."""
    from pipeline.mask import names_to_mask
    from pipeline.read import read_letters
    from pipeline.write import text_columns

    letters = read_letters([sample_dir / "letters_xinfang.csv", sample_dir / "hotline_12345.xlsx"]).letters
    columns = text_columns(letters)
    texts = [t for c in columns for t in letters[c].tolist() if isinstance(t, str)]
    return texts, names_to_mask(letters, columns)


def test_the_names_trie_finds_what_the_plain_alternation_of_names_finds(bundled_texts):
    """`known_names_pattern` folds the names into a trie for speed; the straightforward pattern, every
    name longest first in one alternation, must mask the bundled letters exactly alike. Names
    that begin other names (王秀 / 王秀英) are added so the longest-match rule is exercised."""
    import re

    from pipeline.mask import _maskable_names, known_names_pattern

    texts, names = bundled_texts
    names = names + [n[:2] for n in names if len(n) == 3][:50] + [n + "华" for n in names if len(n) == 2][:50]
    plain = re.compile("|".join(re.escape(n) for n in _maskable_names(names)))
    trie = known_names_pattern(names)
    found = [[m.span() for m in plain.finditer(t)] for t in texts]
    assert sum(map(len, found)) > 100  # the bundled letters do name their writers in the text
    assert [[m.span() for m in trie.finditer(t)] for t in texts] == found
    mask = lambda m: mask_name(m.group())  # noqa: E731
    assert [trie.sub(mask, t) for t in texts] == [plain.sub(mask, t) for t in texts]


def test_mask_text_skipping_texts_without_seven_digits_changes_nothing(bundled_texts):
    """`mask_text` runs the ID, mobile and landline patterns only where seven digits stand (at most
    a space or dash apart); run unconditionally, as before, they give the same text on every
    bundled cell, and some cells do carry such numbers."""
    from pipeline import mask

    def unconditional(text):
        text = mask._ID_IN_TEXT.sub(mask._mask_id_in_text, text)
        text = mask._MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(1)), text)
        text = mask._LANDLINE_IN_TEXT.sub(lambda m: mask_phone(m.group(1)), text)
        return text

    texts, _ = bundled_texts
    numbered = [t for t in texts if unconditional(t) != t]
    assert len(numbered) > 10
    skipped = [t for t in texts if not mask._SEVEN_DIGITS.search(t)]
    assert len(skipped) > len(texts) // 2  # the short cut is taken for most cells
    assert all(unconditional(t) == t for t in skipped)  # so skipping them gives the same text
    assert all(mask_text(t) != t for t in numbered)  # and the numbers that are there are still masked


def test_mask_frame_masks_each_distinct_text_once_as_cell_by_cell(sample_dir, monkeypatch):
    """`mask_frame` computes each distinct cell once (`_map_distinct`); mapping every cell, the
    straightforward way, gives the same frame on the bundled letters."""
    from pipeline import mask
    from pipeline.read import read_letters
    from pipeline.write import text_columns

    letters = read_letters([sample_dir / "letters_xinfang.csv", sample_dir / "hotline_12345.xlsx"]).letters
    fast = mask_frame(letters, text_columns=text_columns(letters))
    monkeypatch.setattr(mask, "_map_distinct", lambda values, function: values.map(function))
    straightforward = mask_frame(letters, text_columns=text_columns(letters))
    pd.testing.assert_frame_equal(fast, straightforward)
    assert (fast["text"].fillna("") != letters["text"].fillna("")).sum() > 10


def test_names_to_mask_reads_text_cells_and_passes_over_token_lists():
    """A column of token lists (a run's transient `tokens`) beside the texts: the names come from
    the texts, as when every cell was read one by one."""
    from pipeline.mask import names_to_mask

    frame = pd.DataFrame({"text": ["我叫王秀英，家住A3区", "联名人：胡金凤、任月娥", None] * 3,
                          "tokens": [["我", "叫"], ["联名"], []] * 3})
    assert names_to_mask(frame, ("text", "tokens")) == ["任月娥", "王秀英", "胡金凤"]


def test_a_column_with_nothing_to_mask_is_shared_and_the_frame_is_as_when_every_column_was_copied(
        sample_dir, monkeypatch):
    """`mask_frame` keeps a column's own values where masking changed no cell (issue 19: each copy
    was held through the write stage), and replaces only the changed cells of a long Arrow
    column, read a part at a time (`_mask_arrow_column`, taken here with parts of 97 rows);
    masking every column anew and whole, as before, gives the same frame on the bundled letters,
    and the columns that do carry names or numbers are still new."""
    import pyarrow as pa

    from pipeline import mask
    from pipeline.read import read_letters
    from pipeline.write import text_columns

    letters = read_letters([sample_dir / "letters_xinfang.csv", sample_dir / "hotline_12345.xlsx"]).letters
    whole = mask_frame(letters, text_columns=text_columns(letters))  # 676 letters: one part
    monkeypatch.setattr(mask, "MASK_ROWS_AT_ONCE", 97)
    replaced = []
    arrow_column = mask._mask_arrow_column
    monkeypatch.setattr(mask, "_mask_arrow_column", lambda out, before, column, function: (
        replaced.append(column), arrow_column(out, before, column, function))[1])
    shared = mask_frame(letters, text_columns=text_columns(letters))
    assert {"text", "title", "name", "phone"} <= set(replaced)
    pd.testing.assert_frame_equal(shared, whole)

    def copy_always(out, frame, column, function):
        out[column] = mask._like(mask._map_distinct(out[column].astype(object), function), frame[column])

    monkeypatch.setattr(mask, "_mask_column", copy_always)
    copied = mask_frame(letters, text_columns=text_columns(letters))
    pd.testing.assert_frame_equal(shared, copied)

    def buffers(series):
        array = series.array._pa_array
        return {b.address for chunk in array.chunks for b in chunk.buffers() if b is not None}

    assert isinstance(letters["channel"].array._pa_array, pa.ChunkedArray)
    assert buffers(shared["channel"]) == buffers(letters["channel"])  # nothing to mask: the same buffers
    assert buffers(copied["channel"]) != buffers(letters["channel"])
    assert buffers(shared["text"]) != buffers(letters["text"])  # names and numbers masked: a new column
    assert (shared["text"].fillna("") != letters["text"].fillna("")).sum() > 10


def test_an_account_or_e_mail_in_the_letters_phone_column_is_masked_too(tmp_path):
    """Beijing 12345's 来电人电话/账号 is read as the letters' phone, and such a column holds logins and
    e-mails as well as numbers: every one is masked, not only digits."""
    from pipeline.cli import main

    pd.DataFrame({"工单编号": ["热线-240918-000003", "热线-240918-000004"], "标题": ["路灯不亮", "楼道杂物"],
                  "主要内容": ["来电人反映小区南门路灯坏了两个月，要求尽快维修。", "来电人反映楼道内长期堆放杂物，要求物业清理。"],
                  "来电人电话/账号": ["zhangsan@qq.com", "wang_xy2024"]}).to_csv(tmp_path / "calls.csv", index=False)
    assert main(["grade", str(tmp_path / "calls.csv"), "--out", str(tmp_path / "g.csv")]) == 0
    graded = pd.read_csv(tmp_path / "g.csv", dtype=str, encoding="utf-8-sig")
    assert graded["联系电话"].tolist() == ["zh***********om", "wa*******24"]


def test_an_official_named_before_the_title_is_masked_and_a_title_alone_is_not():
    """Letters open on their addressee (尊敬的…书记、…市长) and name the cadre a leader sent
    (指派…主任): the name before an official's title is a name; 常务副市长, 区委书记 and 谢谢龙县长
    (thanks, not a name) are not."""
    from pipeline.mask import names_to_mask

    frame = pd.DataFrame({"title": ["修路", "补偿", "道谢"], "text": [
        "尊敬的彭立国书记、赵云应市长: 我们村的路至今未修。",
        "路面硬化在即, 魏书记才指派李成文主任与公司负责人协商。",
        "尊敬的常务副市长您好, 我们的区委书记来过。问题解决了, 谢谢龙县长!",
    ]})
    names = set(names_to_mask(frame))
    assert {"彭立国", "赵云应", "李成文"} <= names
    assert not names & {"常务副", "区委", "谢谢龙", "谢谢"}
    out = mask_frame(frame, names=sorted(names))["text"].tolist()
    assert "彭*国书记、赵*应市长" in out[0] and "李*文主任" in out[1] and "常务副市长" in out[2]


def test_the_others_of_a_list_that_names_a_known_person_are_masked():
    """A list written with 、 in which one item is a person the letters name after a role: its other
    items that read as names are people too (the first and last items around it, and the last one's
    name where the sentence runs on), while a list of places or things stays as written."""
    from pipeline.mask import names_to_mask

    frame = pd.DataFrame({"title": ["举报", "养猪", "道路"], "text": [
        "县水务局干部钟临凤、陈凡果、朱斌乐、退休干部罗大升等人侵占集体土地。",
        "夫妇业主蒋秀爱、唐四妹在离我住房一米办养猪场。",
        "星沙路、开元路、东三路都在施工, 业主蒋秀爱反映多次。",
    ]})
    names = set(names_to_mask(frame))
    assert {"钟临凤", "罗大升", "蒋秀爱"} <= names  # after a role
    assert {"陈凡果", "朱斌乐", "唐四妹"} <= names  # beside them in a list
    assert not names & {"星沙路", "开元路", "东三路"}
    out = " ".join(mask_frame(frame, names=sorted(names))["text"])
    assert not any(n in out for n in ("陈凡果", "朱斌乐", "唐四妹"))


@requires_shared_data
def test_the_shared_letters_officials_before_their_titles_and_listed_people_leave_masked(shared_dir):
    """unlabeled_messages.xlsx: a letter listing a water bureau's cadres (78379) and one addressed to
    a party secretary and a mayor by name (124486) leave with every such name starred."""
    from pipeline.mask import _names_before_title, listed_with, known_names_pattern, names_to_mask
    from pipeline.read import read_letters

    letters = read_letters([shared_dir / "unlabeled_messages.xlsx"]).letters
    names = names_to_mask(letters)
    chosen = letters[letters["letter_id"].astype(str).isin(["78379", "124486"])]
    assert len(chosen) == 2
    text = dict(zip(chosen["letter_id"].astype(str), chosen["text"]))
    addressed = _names_before_title(text["124486"][:40])
    listed = listed_with(known_names_pattern(names), text["78379"]) - addressed
    assert len(addressed) >= 2 and len(listed) >= 3
    out = mask_frame(chosen, names=names)
    masked = " ".join(out["text"])
    assert not any(n in masked for n in addressed | listed)
