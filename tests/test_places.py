"""One extractor for every place a letter names (rivers, roads, estates, villages, organisations,
masked codes) and for the administrative chain 市 → 区/县 → 镇/街道/乡 → 村/社区 → 组."""
from pipeline.places import (admin_chain, admin_units, extract_places, find_places, kind_of, normalise_codes, place_spans,
                             split_codes, where)


def test_rivers_branches_and_road_sections_are_whole_names():
    text = "A3区新塘支河(东风路路段)河道黑臭,沿岸幸福家园的居民夏天不敢开窗"
    places = extract_places(text)
    assert "新塘支河" in places
    assert "东风路路段" in places
    assert "幸福家园" in places
    assert kind_of("新塘支河") == "water" and kind_of("东风路路段") == "road"


def test_an_estate_after_a_river_keeps_no_character_of_the_river():
    places = extract_places("反映龙溪河锦绣花园段施工扰民,晚上十二点还在打桩")
    assert "龙溪河" in places
    assert "锦绣花园" in places
    assert not any(p.startswith("河") for p in places)


def test_every_kind_of_place():
    text = ("投诉K9县红星桥下垃圾堆积;白沙公园健身器材损坏;实验小学门口占道;县人民医院停车难;"
            "万家购物中心消防通道堵塞;东门农贸市场噪音;宏达混凝土有限公司夜间施工;金光纸厂排污")
    found = {kind_of(p) for p in extract_places(text)}
    assert {"bridge", "park", "school", "hospital", "mall", "market", "company", "factory"} <= found


def test_common_words_are_not_places():
    assert extract_places("通过正规渠道反映问题,河道黑臭没人管") == []
    assert extract_places("我们和物业公司协商无果") == []
    assert extract_places("不知市委市政府有何行动") == []


def test_village_and_group_keep_their_town_and_first_character():
    text = "本人是A3区西湖街道茶场村五组村民,想问拆迁何时启动"
    places = extract_places(text)
    assert "西湖街道茶场村五组" in places and "茶场村" in places
    assert admin_chain(text) == {"区县": "A3区", "镇街": "西湖街道", "村社区": "茶场村", "组": "五组"}


def test_full_chain_written_out_with_real_names():
    text = "自入冬以来,山西省长治市上党区郝家庄镇岭上村天然气供气不足,老人孩子受冻"
    assert admin_chain(text) == {"省": "山西省", "市": "长治市", "区县": "上党区", "镇街": "郝家庄镇", "村社区": "岭上村"}
    assert "岭上村" in extract_places(text)
    assert not any(p.startswith(("长治市", "上党区")) for p in extract_places(text))


def test_clause_words_do_not_start_a_district():
    assert admin_chain("希望东城区市场监督管理局尽快核发营业执照") == {"区县": "东城区"}
    assert "东城区市场监督管理局" in extract_places("希望东城区市场监督管理局尽快核发营业执照")


def test_operator_and_neighbour_words_are_no_part_of_a_name():
    """Operators write 其系柳河镇西岗村村民 (the caller is of); callers write what lies beside
    (西岗村挨着石桥垃圾中转站) and join two roads with 跟; 和 joins two names but starts 和平里小区; a
    night market on a road (顺河路夜市) is no city."""
    assert extract_places("来电人来电反映:其系柳河镇西岗村村民,村旁的石桥中转站臭味严重") == [
        "柳河镇西岗村", "柳河镇", "西岗村", "石桥中转站"]
    assert extract_places("我们西岗村挨着石桥垃圾中转站") == ["西岗村", "石桥垃圾中转站"]
    assert extract_places("东风北路跟兴业街路口的锦绣华庭")[:2] == ["东风北路", "兴业街路"]
    assert extract_places("和平里小区12号楼电梯又坏了") == ["和平里小区"]
    assert extract_places("锦绣华庭和东方名苑都没暖气") == ["锦绣华庭", "东方名苑"]
    assert extract_places("反映顺河路夜市噪音扰民") == ["顺河路"] and admin_chain("反映顺河路夜市噪音扰民") == {}
    assert extract_places("北辰建工在滨河名苑二期项目拖欠工资")[0] == "北辰建工"
    assert extract_places("内陆强省会城市") == []  # 城市 is no estate ending in 城
    assert extract_places("我们小区是博和家园") == ["博和家园"] and extract_places("学校和家长委员会") == ["家长委员会"]
    assert admin_chain("孩子老是咳嗽，带去县医院看") == {}  # 带去县 is taking a child to the county hospital
    assert extract_places("请管一管青石镇德润化工") == ["青石镇"]


def test_time_words_do_not_start_a_unit():
    """今年街道通知这一片要征收 is the 街道 office writing this year, not a town called 今年街道; the
    shared letters also wrote 去年本省 and 之前任市."""
    assert admin_chain("今年街道通知这一片要征收") == {}
    assert admin_chain("之前任市长承诺过") == {}
    assert admin_chain("住A市A2区坡子街街道育才巷宿舍") == {"市": "A市", "区县": "A2区", "镇街": "坡子街街道"}


def test_words_ending_in_qu_are_not_districts():
    assert admin_chain("建筑物区伊景园滨河苑车位捆绑") == {}
    assert admin_chain("丽发新城小区旁边修建搅拌站") == {}


def test_masked_codes_with_a_space_are_one_code():
    assert normalise_codes("J10 县城关镇") == "J10县城关镇"
    assert admin_chain("J10 县城关镇东风村自来水停水三天") == {"区县": "J10县", "镇街": "城关镇", "村社区": "东风村"}
    assert split_codes("在A5区劳动东路") == ["在", "A5区", "劳动东路"]


def test_company_names_are_not_clipped_at_words_they_contain():
    places = extract_places("协调北京顺安咨询服务有限公司退还押金")
    assert any(p.endswith("顺安咨询服务有限公司") for p in places)
    assert "服务有限公司" not in places


def test_spans_join_chain_and_name():
    text = "本人系A7县春华镇金鼎村七里组村民,反映A5区魅力之城小区油烟扰民"
    spans = {(text[a:b], label) for a, b, label in place_spans(text)}
    assert ("A7县春华镇金鼎村七里组", "PLACE") in spans
    assert ("A5区魅力之城小区", "ESTATE") in spans


def test_an_office_keeps_the_district_it_serves():
    assert "东城区市场监督管理局" in extract_places("希望东城区市场监督管理局尽快核发营业执照")
    assert "朝阳区市场监督管理局" in extract_places("朝阳区市场监督管理局工作效率慢")


# 属地 (`where`) on hotline work orders: operators write the district, then the office or street again
def test_where_writes_no_unit_twice():
    assert where("来电人反映东城区,东城区市场监督管理局不受理投诉") == "东城区市场监督管理局"
    assert where("海淀区清河街道,清河街道小营西路路灯不亮") == "海淀区清河街道小营西路"
    assert where("平谷区马坡镇马坡镇牛栏山路积水严重") == "平谷区马坡镇牛栏山路"


def test_where_keeps_an_office_of_another_district_whole():
    # the caller lives in 西城区 but complains about 朝阳区's office: not 西城区朝阳区市场监督管理局
    assert where("西城区居民反映朝阳区市场监督管理局不回复") == "朝阳区市场监督管理局"


def test_a_number_glued_to_a_district_breaks_a_name():
    assert where("朝阳区企业反映,已等待30朝阳区市场监督管理局仍未审批") == "朝阳区市场监督管理局"
    assert not any(p[0].isdigit() for p in extract_places("已等待30朝阳区市场监督管理局仍未审批"))


def test_dates_and_caller_verbs_are_not_places():
    assert where("市民称需要公司出具证明") == ""
    assert where("西城区市民称自己5月3号去街道办理未果") == "西城区"
    assert extract_places("来电要求删除租房公司发布的信息") == ["租房公司"]
    assert extract_places("本人知道具体地址在丰台区角门路") == ["角门路"]


def test_a_phase_number_before_an_estate_is_no_district_break():
    # 5期小区 ends in 区, but 小区 is an estate: the number stays inside the name
    assert where("A3区含浦中海国际5期小区停车位不够") == "A3区含浦中海国际5期小区"


def test_organisations_without_a_company_ending_are_named_by_what_is_said_of_them():
    from pipeline.places import company_core

    assert extract_places("西地省惠伏天下工作人员涉嫌诈骗") == ["惠伏天下"]
    assert extract_places("向西地省富惠天下夏某追要欠款") == ["富惠天下"]
    assert extract_places("A2区余易贷P2P诈骗平台跑路迹象明显") == ["余易贷"]
    assert extract_places("A市湖楚财富不兑付2千出借人的钱") == ["湖楚财富"]
    assert extract_places("A市A5区利聚网平台不让提现") == ["利聚网"]
    # the core of a company name is a name of its own; a utility's core is not (it serves a city)
    assert extract_places("西地省富惠天下商务有限公司涉嫌经济诈骗") == ["富惠天下商务有限公司", "富惠天下"]
    assert company_core("聚利人普惠投资有限公司") == "聚利人普惠"
    assert company_core("大连华润燃气有限公司") == ""
    # descriptions and verbs are no organisation
    for text in ("涉嫌合同诈骗", "A市有人涉嫌诈骗", "私自变更法人信息不合理问题", "我的邻居张某",
                 "百度查询不到杭州省临平区企业和人才服务平台问题", "A市58车贷老板跑路美国"):
        assert not [p for p in extract_places(text) if p != "58车贷"], text


def test_breaks_are_those_of_the_plain_alternation(sample_dir):
    """The break pattern's lookaheads only skip positions: it finds the breaks the plain
    alternation of every break word finds, on every bundled letter."""
    import re

    from pipeline.places import _AND_BREAK, _BREAKERS, _NUMBER_BREAK, _SAY_BREAK, _VERB_BREAK, _break_re
    from pipeline.read import read_letters

    words = "|".join(sorted(map(re.escape, _BREAKERS), key=len, reverse=True))
    plain = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9·]+|" + _NUMBER_BREAK + r"|[A-Z][0-9]{0,2}(?:省|市|区|县)|" + words + "|" + _VERB_BREAK + "|" + _SAY_BREAK
                       + "|" + _AND_BREAK)
    letters = read_letters([sample_dir]).letters
    texts = [normalise_codes(f"{t} {x}") for t, x in zip(letters["title"].fillna(""), letters["text"].fillna(""))]
    assert len(texts) > 500
    for text in texts:
        assert [m.span() for m in _break_re().finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_a_texts_places_read_off_the_letters_scan_are_its_own(sample_dir):
    """Linking reads a text's places off the routing scan of title + text: the same places, at
    the same positions, as scanning the text alone; also where a masked code spans the space."""
    from pipeline.places import places_of_text
    from pipeline.read import read_letters

    letters = read_letters([sample_dir]).letters
    pairs = list(zip(letters["title"].fillna(""), letters["text"].fillna("")))
    pairs += [("家住A5", "区魅力之城小区,物业不作为"), ("", "K9县红星桥下垃圾堆积"), ("红星桥", "")]
    named = 0
    for title, text in pairs:
        assert places_of_text(text, title) == find_places(text)
        named += bool(find_places(text))
    assert named > 300
    # the code split by the space is joined in the letter's scan (A5区): the text was scanned alone
    assert "A5区" in normalise_codes("家住A5 区魅力之城小区") and find_places("区魅力之城小区")[0].name == "区魅力之城小区"


def test_a_chain_is_found_only_where_a_unit_can_end():
    """admin_chain skips breaks with no unit ending within reach; chains are found as before."""
    assert admin_chain("反映问题,山西省长治市上党区郝家庄镇岭上村的路") == {
        "省": "山西省", "市": "长治市", "区县": "上党区", "镇街": "郝家庄镇", "村社区": "岭上村"}
    assert admin_chain("我们希望尽快解决这个问题,谢谢") == {}


def test_names_are_not_clipped_at_an_inner_ending():
    """Names the shared sources' labels clipped (issue 16, third pass): a rail line written 城铁 is
    not an estate ending in 城, and a village or district named …河口 is not a river ending in 河."""
    assert extract_places("长株潭城铁上下班时间停运") == ["长株潭城铁"]
    assert kind_of("长株潭城铁") == "road"
    assert extract_places("莘县十八里铺杨河口村无故停气三周") == ["莘县十八里铺杨河口村"]
    assert "长株潭城际铁路" in extract_places("A市长株潭城际铁路运营")
    assert extract_places("清河口大桥") == ["清河口大桥"]
    # the label's place: a leading verb goes, a measure character inside the name stays
    from pipeline.issue_places import trim_place

    assert trim_place("呼吁长株潭城铁") == "长株潭城铁"
    assert trim_place("个宜居城") == "宜居城"


def test_the_tagger_is_unloaded_on_request_and_tags_the_same_when_loaded_again():
    """`forget_tagger` unloads jieba's tagger (its word tags: a run's memory after clustering; the
    default dictionary too, where something loaded it: `pos_tags` no longer needs it); the next
    `trim_place` loads the tagger again and trims every place as before."""
    import sys

    import jieba

    from pipeline.issue_places import forget_tagger, trim_place

    places = ["呼吁长株潭城铁", "个宜居城", "一个宜居城市", "北京顺欣世纪咨询服务有限公司", "政府接管湖楚财富",
              "月皓玻璃厂", "反映滨河苑小区", "要求华润燃气公司"]
    before = [trim_place(p) for p in places]
    assert "jieba.posseg" in sys.modules
    forget_tagger()
    assert "jieba.posseg" not in sys.modules and not hasattr(jieba, "posseg")
    assert not jieba.dt.initialized and not jieba.dt.FREQ
    forget_tagger()  # nothing loaded: nothing to do
    assert [trim_place(p) for p in places] == before
    assert before[:2] == ["长株潭城铁", "宜居城"]


def test_uncached_scans_find_the_same_places_and_hold_none(sample_dir):
    """Inside `uncached` (a run whose batch outgrows the cache) every text is scanned afresh: the
    same places, kinds and positions as the cached scan, and nothing is kept."""
    from pipeline.places import _find_places, find_places, uncached
    from pipeline.read import read_letters

    letters = read_letters([sample_dir]).letters.head(200)
    texts = (letters["title"].fillna("") + " " + letters["text"].fillna("")).tolist()
    cached = [find_places(t) for t in texts]
    assert _find_places.cache_info().currsize > 0
    with uncached():
        assert _find_places.cache_info().currsize == 0
        fresh = [find_places(t) for t in texts]
        assert _find_places.cache_info().currsize == 0
    assert fresh == cached and sum(map(len, cached)) > 200
    find_places(texts[0])
    assert _find_places.cache_info().currsize == 1  # cached again outside


def test_a_company_as_letters_write_it_keeps_its_name_without_its_form():
    """short_name tells whether a letter writes a company already chosen as an issue's place:
    letters write 华润燃气 for 华润燃气公司 (a utility keeps its name here, unlike company_core,
    which links letters); a form alone, or a generic rest, is no name."""
    from pipeline.places import short_name

    assert short_name("华润燃气公司") == "华润燃气"
    assert short_name("北京顺欣世纪咨询服务有限公司") == "北京顺欣世纪"
    assert short_name("物业公司") == short_name("天然气公司") == short_name("哈投集团") == ""
    assert short_name("诺亚山林") == ""


def test_reading_only_the_stretches_that_can_hold_a_name_finds_every_place(sample_dir):
    """`_scan_places` reads only the stretches between breaks that hold a name ending's last
    character (or, in a text with an organisation's context word, where such a word begins):
    the same places, kinds and positions as reading every stretch, on every bundled letter and on
    the cases the skipped stretches could hide (a name after 和, an office after its district, a
    company whose name holds a break word, an organisation named by what follows it)."""
    from pipeline.places import _scan_places
    from pipeline.read import read_letters

    letters = read_letters([sample_dir]).letters
    texts = [f"{t} {x}" for t, x in zip(letters["title"].fillna(""), letters["text"].fillna(""))]
    texts += ["我们和顺家园的业主,和物业公司协商无果", "希望东城区市场监督管理局尽快核发营业执照",
              "北京顺欣世纪咨询服务有限公司拖欠工资", "西地省惠伏天下工作人员涉嫌诈骗,聚利网平台跑路",
              "富惠天下涉嫌诈骗", "反映张某某某村的问题", "", "。。。", "和平小区"]
    for text in texts:
        assert _scan_places(text) == _scan_places(text, every_segment=True), text
    assert sum(bool(_scan_places(t)) for t in texts) > 300
    assert _scan_places("西地省惠伏天下工作人员涉嫌诈骗")[0].name == "惠伏天下"
    assert [p.name for p in _scan_places("北京顺欣世纪咨询服务有限公司拖欠工资")][0] == "北京顺欣世纪咨询服务有限公司"


def test_chain_starts_near_a_unit_ending_are_the_chain_starts_there(sample_dir):
    """`_reachable_starts` takes the breaks' ends and the masked codes' starts from `_gap_bounds`
    and `_code_starts`: exactly the starts `_chain_starts` yields that have a unit's last character
    within a unit's length, on every bundled letter."""
    from pipeline.places import _UNIT_END, _UNIT_MAX_LENGTH, _chain_starts, _reachable_starts
    from pipeline.read import read_letters

    letters = read_letters([sample_dir]).letters
    texts = [normalise_codes(f"{t} {x}") for t, x in zip(letters["title"].fillna(""), letters["text"].fillna(""))]
    texts += ["A市A5区劳动东路魅力之城小区", "家住K9县,B3市C省", "", "没有地方"]
    with_codes = 0
    for text in texts:
        ends = [m.start() for m in _UNIT_END.finditer(text)]
        expected = sorted({s for s in _chain_starts(text) if any(s <= e < s + _UNIT_MAX_LENGTH for e in ends)})
        assert _reachable_starts(text) == expected, text
        with_codes += any(text[s:s + 1].isupper() for s in expected)
    assert with_codes > 100


def test_an_estate_named_for_a_harbour_is_not_clipped_to_a_water_name():
    """港湾 is a word (a harbour), not a 港 ending: 南湖港湾小区 and 蓝色港湾小区 (shared letters) were
    read as the waters 南湖港 and 蓝色港, and the estate's name was lost; 龙潭港 stays a water."""
    assert extract_places("我住在南湖港湾小区,楼下餐饮油烟扰民") == ["南湖港湾小区"]
    assert extract_places("蓝色港湾小区门口施工") == ["蓝色港湾小区"]
    assert extract_places("龙潭港附近河面漂浮垃圾") == ["龙潭港"]
    assert extract_places("迪亚溪谷小区业主反映") == ["迪亚溪谷小区"]  # 溪谷, a valley, is a word too


def test_what_an_operator_asks_an_office_to_do_is_not_part_of_the_office_s_place():
    """Beijing 12345: "协调…尽快处理西城区市场监督管理局…" lost its district (处理西城区 read as one long
    name), so four calls about four districts' offices made one issue without a place; a name
    that goes on after the verb (污水处理厂) stays whole."""
    from pipeline.issue_places import district_units
    from pipeline.places import where

    assert district_units("协调大栅栏市场所尽快处理西城区市场监督管理局系统无故显示企业店铺开墙打洞的问题") == ["西城区"]
    assert "怡海星城" in extract_places("请求解决怡海星城及龙湾国际社区上万人的出行问题")
    assert where("城东污水处理厂偷排污水") == "城东污水处理厂"


def test_an_area_is_the_county_a_place_names_else_its_city_or_province():
    """集中问题 count a letter under its county, else its city (or its city where letters come from
    many), else its province."""
    from pipeline.places import area_of, areas, city_of

    assert area_of("山西省长治市上党区郝家庄镇岭上村") == "上党区"
    assert area_of("A市A3区联丰路") == "A3区"
    assert area_of("辽宁省大连市") == "大连市"
    assert area_of("河北省") == "河北省"
    assert area_of("A市一所中职学校") == "A市"
    assert area_of("育英学校") == "" and area_of(None) == ""
    assert city_of("辽宁省大连市中山区") == "大连市" and city_of("中山区") == ""
    assert areas(["A市A3区联丰路", None]) == (["A3区", ""], ["A市", ""])


def test_river_names_of_other_cities_and_towns_named_for_their_river():
    """A city's river complaints name rivers in local forms (张家浜, 横泾港), towns named for their river
    or lake (流沙河镇, 青竹湖镇: shared letters), a lake whose name holds 溪 (梅溪湖) and section ranges
    (东风路至建设路段河道). The town stays a town with its village after it (not 青竹湖 and 镇广胜村);
    no name starts at a joining dot (伊景园·滨河苑 is not the water ·滨河) or at the 市 of a masked
    county-level city (A8县市流沙河镇); 路段河道 is no river."""
    assert extract_places("来电人反映,张家浜沿岸的步道塌陷") == ["张家浜"]
    assert extract_places("反映横泾港清淤后淤泥堆放在路边") == ["横泾港"]
    assert extract_places("泾渭分明") == []
    assert extract_places("A4区青竹湖镇广胜村村民反映") == ["青竹湖镇广胜村", "青竹湖镇", "广胜村"]
    assert "流沙河镇" in extract_places("住A8县市流沙河镇扶冲村枫福组")
    assert not any(p.startswith("市") for p in extract_places("住A8县市流沙河镇扶冲村枫福组"))
    assert "金茂梅溪湖" in extract_places("A3区金茂梅溪湖别墅违建现象非常严重")
    assert "金茂梅溪" not in extract_places("A3区金茂梅溪湖别墅违建现象非常严重")
    assert extract_places("A市伊景园·滨河苑欺诈消费者") == ["伊景园·滨河苑", "伊景园"]
    found = extract_places("市民来电反映:A3区新塘街道新塘支河东风路至建设路段河道施工围挡占道")
    assert "新塘支河" in found and "东风路" in found and "路段河道" not in found
    assert extract_places("沿着捞刀河走") == ["捞刀河"]


def test_a_town_s_government_school_and_clinic_name_the_town():
    """丫江桥镇政府 (a shared letter) names the town 丫江桥镇, not an estate ending in 府 (the scan once
    skipped it, and read 丫江桥 as a bridge elsewhere); a town's central school or clinic is a place of
    its own (白果乡中心小学, bundled corpus: the 属地 was a clause before); a placeholder (某乡镇) is none."""
    assert extract_places("B6县丫江桥镇政府滥用公权") == ["丫江桥镇"]
    assert extract_places("A市政府") == [] and extract_places("向市政府反映") == []
    assert extract_places("我是K9县白果乡中心小学的一名特岗教师") == ["白果乡中心小学", "白果乡"]
    assert extract_places("东良镇卫生院") == ["东良镇卫生院"]
    assert extract_places("东良镇农村") == ["东良镇"]
    assert extract_places("A9县某乡镇干部工作日下午在镇上茶馆打牌") == []


def test_place_columns_are_the_readers_place_fields():
    """The levels `place_columns` cleans are the columns the reader maps a file's place headers to."""
    from pipeline.places import COLUMN_LEVELS
    from pipeline.read import PLACE_FIELDS

    assert tuple(column for column, _ in COLUMN_LEVELS) == tuple(PLACE_FIELDS)


def test_an_estate_with_city_or_intercity_inside_its_name_is_not_cut_there():
    """城市 and 城际 are words inside estate names (万科城市花园, 中建城际公馆): no 城 ends a name there
    and no city begins one, while a real city (晋城市) and a phrase about cities (省会城市) stay breaks."""
    assert extract_places("恒大城市之光小区业主反映停水") == ["恒大城市之光小区"]
    assert extract_places("A市万科城市花园门口道路破损") == ["万科城市花园"]
    assert extract_places("A市保利城市印象小区停电") == ["保利城市印象小区"]
    assert extract_places("反映A市中建城际公馆的问题") == ["中建城际公馆"]
    assert extract_places("A市方略城市广场停车收费") == ["方略城市广场"]
    assert extract_places("山西省晋城市凤台小区停水") == ["凤台小区"]
    assert extract_places("吉林省白城市四季华城漏水") == ["四季华城"]
    assert extract_places("省会城市的房价太高") == []
    assert "长株潭城市圈唯一动物园" not in extract_places("长株潭城市圈唯一动物园")  # 城市圈: a region


def test_river_sand_is_no_river():
    """河沙 is sand dug from a river: 偷挖河沙 names no water 河里偷挖河 (a label read 龙口村河里偷挖河)."""
    from pipeline.places import extract_places

    found = extract_places("龙口村河里偷挖河沙，挖机晚上作业")
    assert "龙口村" in found and not any(p.endswith("挖河") for p in found)


def test_what_is_asked_of_a_place_or_said_beside_it_is_no_name():
    """Words that end in a place suffix but are a clause: what is asked (建议公开社区…, 1979年招工进厂),
    a spot beside another (小区旁变电站, 隔壁变电站), a department (县农业农村局), who said it
    (人社局说公司…). A name with 说 inside it (美丽传说) stays whole."""
    assert "公开社区" not in extract_places("建议公开社区党组织经费使用情况")
    assert extract_places("1979年招工进厂,退休时社保只认了工龄") == []
    assert extract_places("按政策知青下乡时间可以算连续工龄") == []
    assert extract_places("碧水蓝湾6栋和隔壁变电站只隔一道围墙") == ["碧水蓝湾"]
    assert extract_places("小区旁变电站噪音") == []
    assert extract_places("县农业农村局的复查意见说我们的承包地已确权") == []
    assert extract_places("人社局说公司提供的劳动合同有问题") == []
    assert "美丽传说温泉度假酒店" in extract_places("美丽传说温泉度假酒店夜间噪音扰民")


def test_a_southern_city_s_chung_is_a_water_and_its_section_is_where_along_it():
    """涌 (河涌) is how a southern city names its rivers: 沙溪涌 is a water, and 上沙段 right after it
    is the section the letter means; 汹涌, 涌入 and 涌泉 are no water, 二标段 is a works lot."""
    assert extract_places("沙溪涌上沙段在搞清淤，挖出来的黑泥就堆在岸边晒") == ["沙溪涌", "上沙段"]
    assert extract_places("沙溪涌(上沙段)工程拖了几个月还没完工") == ["沙溪涌", "上沙段"]
    assert extract_places("沙溪涌二标段夜间施工") == ["沙溪涌"]
    assert extract_places("人潮汹涌，游客涌入景区") == []
    assert not any(p.endswith("涌") for p in extract_places("我认识涌泉派出所的人"))


def test_a_bus_route_is_named_by_its_number_however_it_is_written():
    """16路撤线 names route 16, and 十六路 is the same route; 五一路 is a road (no 十 or 百), and a
    crossing or a house number (12路口) is no route."""
    assert extract_places("反映16路撤线后无替代公交") == ["16路"]
    assert extract_places("以前坐十六路到医院门口") == ["16路"]
    assert extract_places("五一路两边的门面") == ["五一路"]
    assert extract_places("12路口红绿灯坏了") == []


def test_what_a_caller_says_of_a_place_is_no_part_of_its_name():
    """A road closed (施工封路), a place one passes (每天开车经过石冈隧道), the rain (暴雨隧道积水),
    a count (有一所小学, 好几支广场舞队) and a bus that no longer stops (不停水荫村站) are cut off the
    name; 线路 and 修路 end no road."""
    assert extract_places("河涌施工封路，出行不便") == []
    assert extract_places("每天开车经过石冈隧道") == ["石冈隧道"]
    assert extract_places("暴雨隧道积水，车辆熄火") == []
    assert extract_places("附近有一所小学，孩子上下学都要经过") == []
    assert extract_places("236改线后不停水荫村站了") == ["水荫村"]
    assert extract_places("交通部门重新评估线路调整") == []
    assert "坐落于常荫路" not in extract_places("质疑坐落于常荫路的项目") and "常荫路" in extract_places("质疑坐落于常荫路的项目")


def test_a_grid_record_s_words_and_the_city_s_urban_management_are_no_place():
    """A grid worker's 巡查发现 / 复查 open the record, not the name (巡查供销社旧宿舍 was a label);
    城管 (urban management) after a time word is no estate ending in 城 (上周城, 感谢城 were places of
    the bundled corpus)."""
    assert extract_places("巡查发现：供销社旧宿舍1、2号楼墙体开裂") == ["供销社旧宿舍"]
    assert extract_places("上周城管和环保联合夜查，宏达搅拌站晚上停了几天") == ["宏达搅拌站"]
    assert extract_places("感谢城管夜查") == []


def test_a_metro_station_is_named_by_its_exit_or_after_the_line():
    """地铁望山站B口 and 望山站B出口 name one station; a kind of station (地铁站, 公交站) is none, and
    neither is a station one rides to (坐地铁到望山站下车: where the writer went, not where the problem is)."""
    assert extract_places("巡查发现:地铁望山站B口共享单车乱停乱放约92辆") == ["望山站"]
    assert extract_places("望山站B出口单车堆积") == ["望山站"]
    assert extract_places("3号线地铁站B口") == []
    assert extract_places("坐地铁到望山站下车") == []


def test_readings_come_from_pypinyin_s_table_without_its_phrases():
    """Homophone variants compare characters' toneless readings. They are read from pypinyin's
    character table, not through `pypinyin.pinyin` (whose import loads the phrase table too, some
    40 MB held to the end of a run): every character of the basic CJK block reads as pypinyin reads it
    (绿 as lv and lu, 欸 with ê), and a character it has no reading for reads as itself."""
    from pypinyin import Style, pinyin

    from pipeline.places import _pinyin

    assert _pinyin("绿") == {"lv", "lu"} and "ê" in _pinyin("欸")
    differ = [chr(o) for o in range(0x4E00, 0xA000)
              if _pinyin(chr(o)) != frozenset(pinyin(chr(o), style=Style.NORMAL, heteronym=True)[0])]
    assert differ == []
    assert _pinyin("A") == {"A"}


def test_a_building_s_zone_a_rule_s_words_and_a_boss_s_surname_are_no_place():
    """heating_synthetic and wages_synthetic (read after their blind first looks): 物业说高区加压泵
    (the high zone's pump) and 说台区变压器 (the power supply area) labelled issues 说高区 and 说台区;
    细则规定项目竣工后 made a project of the rule's words; 安装队周老板 (the crew's boss Zhou) a
    company 安装队周. A district written after 说 still reads in a chain; a company before 老板 still
    reads."""
    assert admin_chain("师傅来看过，说高区的加压泵没开") == {}
    assert admin_chain("找供电公司，说台区变压器太小") == {}
    assert admin_chain("他们说朝阳区不管") == {"区县": "朝阳区"}
    assert extract_places("我们公司的财务负责人，细则规定项目竣工后要满12个月") == []
    assert extract_places("跟的是安装队周老板，安装队周老板称开发商停付") == []
    assert extract_places("富惠天下老板跑路了") == ["富惠天下"]


def _variant_candidates_reference(names):
    """`variant_candidates` as first written: a list for every bucket key (the slim version keeps
    lists only for buckets of 2 to 50 names)."""
    from pipeline.places import variant_kind

    names = sorted(set(n for n in names if len(n) >= 3))
    buckets = {}
    for name in names:
        keys = [("sorted", "".join(sorted(name)))] + [("one", k, name[:k] + name[k + 1:]) for k in range(len(name))]
        for key in keys:
            buckets.setdefault(key, []).append(name)
    seen, out = set(), []
    for group in buckets.values():
        if len(group) < 2 or len(group) > 50:
            continue
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if (a, b) not in seen:
                    seen.add((a, b))
                    kind = variant_kind(a, b)
                    if kind:
                        out.append((a, b, kind))
    return out


def test_variant_candidates_are_the_all_buckets_pairs_in_order():
    from pipeline.places import variant_candidates

    names = ["铁广小区", "广铁小区", "滨河苑小区", "滨和苑小区", "幸福花园", "幸福家园", "阳光城", "光阳城", "新塘支河", "新唐支河",
             *(f"{c}岭花园" for c in "金银铜铁锡石木水火土山川日月星辰天地人和春夏秋冬梅兰竹菊松柏杨柳桃李杏梨"
                                      "东西南北上下左右前后江湖海风雨雷电云"),  # one bucket of over 50 names: passed over
             "金岭花苑", "银岭花苑"]
    found = variant_candidates(names)
    assert found == _variant_candidates_reference(names)
    assert ("广铁小区", "铁广小区", "swap") in found
    assert not any(a.endswith("岭花园") and b.endswith("岭花园") for a, b, _ in found)  # the bucket of 52


def test_what_a_letter_wants_or_does_before_a_noun_starts_no_place():
    # a shared letter's words: 要升旗 became a county-level banner (旗), 随着城 an estate, and the two
    # named a hot issue (要升旗 随着城 · 公交线路 …) in the 集中问题 sheet
    text = "很多周边民营企业都是早上7:30之前必须到,要早餐,要升旗!2、随着城中城及郊区新道路的不断建成,像木莲中路这样的路"
    assert [u.name for u in admin_units(text)] == []
    names = [p.name for p in find_places(text)]
    assert "随着城" not in names and "像木莲中路" not in names and "木莲中路" in names, names
