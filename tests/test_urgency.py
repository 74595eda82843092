"""UrgencyGrader: each cue category, each context modifier, each false-positive trap, the CLI,
and the gold-set figures (real letters; skipped without ../shared/data)."""
from __future__ import annotations

import pandas as pd
import pytest

from pipeline.errors import PetitionError
from pipeline.normalise import to_simplified
from pipeline.paths import CORPORA_DIR, SHARED_DATA_DIR
from pipeline.urgency import OUTPUT_COLUMNS, PressingRefiner, UrgencyGrader, load_lexicon

requires_shared_data = pytest.mark.skipif(not (SHARED_DATA_DIR / "hot_messages.xlsx").exists(),
                                          reason=f"real letters not found at {SHARED_DATA_DIR}")


@pytest.fixture(scope="module")
def grader() -> UrgencyGrader:
    """The rules alone: the sentence-level tests are about cues and context, not the learned refiner."""
    return UrgencyGrader(refiner=None).fit()


def level(grader, text):
    return grader.grade(text)["urgency"]


# ---- each cue category fires on a real-style sentence ------------------------------------------
@pytest.mark.parametrize("text, category, expected", [
    ("开发商拖了三年不交房，我们全家实在活不下去了，我今天就去开发商楼顶跳楼。", "自伤威胁", "紧急"),
    ("母亲每天以死相逼，说不让她去就喝农药。", "自伤威胁", "紧急"),
    ("对方扬言要找人打死我全家，我现在都不敢回家。", "暴力威胁", "紧急"),
    ("再拖下去我只能跟他们同归于尽。", "暴力威胁", "紧急"),
    ("如果本月底前还不解决，我们将集体到北京上访。", "越级上访", "紧急"),
    ("问题一天得不到解决，我们就上访到省里、到中央。", "越级上访", "紧急"),
    ("如不能处理，小区业主将联名上访市政府。", "群体行动", "紧急"),
    ("目前全市的士司机大部分罢工，乘客打不到车。", "群体行动", "紧急"),
    ("楼道里煤气泄漏已经两天了，家里有八十岁的老人。", "安全险情", "紧急"),
    ("小区停暖一周，楼里好几位瘫痪老人冻得发抖。", "安全险情", "紧急"),
    ("包工头拖欠我们三十多名农民工工资八个月了，过年回不了家。", "欠薪", "较急"),
    ("2016年修水库淹了我家两亩田，说补偿另行安排，到现在快十年了一分钱没有。", "欠款未付", "较急"),
    ("工地每天深夜施工，噪音扰民，孩子根本无法入睡。", "污染扰民", "较急"),
    ("楼房墙体开裂，已经被鉴定为危房。", "安全隐患", "较急"),
    ("平台老板卷款跑路，上百名出借人血本无归。", "诈骗", "较急"),
    ("老人重病瘫痪在床，家里无钱医治。", "弱势群体", "较急"),
    ("孩子下周就要开学了，学位问题迫在眉睫。", "时限", "较急"),
    ("此事我们多次反映，至今未解决，已经17年了。", "重复反映", "较急"),
])
def test_each_cue_category(grader, text, category, expected):
    out = grader.grade(text)
    assert category in out["urgency_cues"].split(";")
    assert out["urgency"] == expected
    assert out["urgency_evidence"]


@pytest.mark.parametrize("text, outage", [
    ("接听后，来话人挂断电话。", False),                       # Qingdao's hang-ups read as a power cut
    ("公司接到投诉后直接挂断电话，拒绝受理。", False),
    ("窗口称没有电脑，让我改天再来。", False),
    ("老小区是七八十年代的，没有电梯，老人上下楼困难。", False),
    ("市场局没有电话通知我补充材料。", False),
    ("小区已经停电三天，冰箱里的药都坏了。", True),
    ("村里断电一周了，没有电，晚上一片漆黑。", True),
    ("楼里没水两天了，物业不管。", True),
])
def test_a_phone_a_lift_or_a_computer_is_no_utility_outage(grader, text, outage):
    """停供 fired on 挂断电话 (断电), 没有电话/电梯/电脑 (没有电): 11 of the 20,617 shared letters, three of
    them 较急 by that cue alone."""
    assert ("停供" in grader.grade(text)["urgency_cues"].split(";")) is outage


def test_money_withheld_that_is_not_pay_is_not_labelled_wages(grader):
    """Stop 26's reading of the bundled run: a demolition letter ("补偿款一分钱没拿 … 我就当场喝下去")
    showed 欠薪 beside 自伤威胁, pointing staff at the labour bureau's kind of case."""
    out = grader.grade("我家老屋没有签拆迁协议，补偿款一分钱没拿，今天镇里带了挖机来强拆，他们敢动我的房子我就当场喝农药。")
    cues = out["urgency_cues"].split(";")
    assert out["urgency"] == "紧急" and "欠款未付" in cues and "欠薪" not in cues


def test_people_and_duration_counts(grader):
    out = grader.grade("开发商欠着300多名业主的房产证，已经整整五年了，多次反映无果。")
    assert "涉及人数" in out["urgency_cues"] and "久拖" in out["urgency_cues"]
    assert "300多名" in out["urgency_evidence"]
    # a date or a room number is not a duration or a head count
    out = grader.grade("2017年3月我在5栋2902户门口看到通知。")
    assert "久拖" not in out["urgency_cues"] and "涉及人数" not in out["urgency_cues"]


# ---- context modifiers: negation, prevention, risk, history, quotes, suggestions ---------------
@pytest.mark.parametrize("text", [
    "请领导放心，我们不会自杀，也不会做违法的事。",           # 否定
    "我们绝不会去北京上访，只希望依法解决。",                 # 否定
    "我们不想拉横幅维权，只想通过正当途径解决。",             # 否定
    "请尽快整改消防通道，以免发生火灾事故。",                 # 防范
    "希望政府妥善处理，防止群体性事件发生。",                 # 防范
    "建议学校开设心理课程，预防学生跳楼轻生。",               # 防范 + 建议
    "村干部说：“你们去北京告也没用。”",                      # 引述
])
def test_modifiers_drop_the_cue(grader, text):
    assert level(grader, text) != "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "如果发生燃气泄漏，后果不堪设想。",          # 条件: a risk, not an event
    "该楼存在火灾隐患，消防通道被堵。",          # 风险 suffix
    "去年我们曾经集体上访过一次。",              # 既往
    "2017年我们已经去过北京上访。",              # 已然 / 过
])
def test_modifiers_demote_to_pressing(grader, text):
    assert level(grader, text) == "较急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "我的工友已经爬上了工地旁边的广告牌，说不给钱就跳下来。",             # heights
    "我们三十多位家长已经约好，明天早上一起去县教育局，不给学位就不走。",  # a gathering fixed for a date
    "来访农民工在接待大厅席地而坐，表示不拿到钱不走。",                    # refusing to leave
    "刚才一楼楼道里的电动车着火了，楼里还有老人没下来。",                  # 即时 promotes an event
    "二十多名讨薪工人与保安发生推搡，有人被打伤，双方还在对峙。",          # 即时 promotes violence
])
def test_happening_now_is_urgent(grader, text):
    assert level(grader, text) == "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "去年小区发生过一次火灾，幸好没有人员伤亡。",                      # an event told after the fact
    "据说长期接触电磁辐射可能引起自杀和白血病。",                      # 亲身: self-harm of nobody in particular
    "彩民因欠码债被逼无奈服毒自杀。",                                  # 亲身: a third party
    "难道一定要去省政府静坐、拉横幅，领导才会重视吗？",                # 反问: a rhetorical question
    "公务员不得组织或者参加罢工、游行、示威等活动。",                  # 法条: quoted rules
    "镇政府说我们重复上访、越级上访。",                                # 引述: an accusation, not a threat
    "我每天开煤气做饭，气得我真想跳崖。",                              # cooking, and a figure of speech
    "问题不解决我们也不会去北京上访。",                                # 不解决 as a condition, 不会 still denies
    "交警封路施工，绕行不便。",                                        # a road closed for works
    "五十多名家长曾在学校门口聚集。",                                  # a crowd told of the past (曾)
])
def test_context_keeps_these_below_urgent(grader, text):
    assert level(grader, text) != "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "如果再不解决，我们只能去北京上访。",        # a condition does not soften a threat
    "不给钱我就跳楼。",                          # 不 ... 就: a condition, not a negation
    "逼得我不得不去跳楼。",                       # 不得不 is not a negator
    "本周内不解决将赴京上访。",                   # 不解决 is the office's condition, not a denied trip
    "再不给我钱，我就跳崖。",                     # ways of ending one's life a row did not know before stop 68
    "再不给我钱，我就吃老鼠药。",
    "再不给我钱，我就开煤气。",
    "再不给我钱，我就把命交代在这。",
    "再不给我钱，我就拿命跟你们拼。",             # and of threatening violence
    "再不给我钱，我就找人收拾他。",
    "再不解决，我们就封路。",                     # and of a group action or a trip up
    "我们已经约了五十多户明天去住建局。",
    "今天上午三十多名村民在乡政府门口聚着不走。",
    "再不解决，我就去天安门。",
    "再不解决我就去找省长。",
    "工地塌方了，下面有人。",                     # and of people in danger now
])
def test_threats_under_conditions_stay_urgent(grader, text):
    assert level(grader, text) == "紧急", grader.grade(text)


def test_a_letter_written_for_a_parent_reads_his_plan_as_the_petitioners(grader):
    """他说 in a letter written for someone is that person speaking; elsewhere, and for an official, it is not."""
    for_father = "我替我爸写的：话费纠纷县里一直不管，他说过完年就上省里去反映。"
    assert level(grader, for_father) == "紧急", grader.grade(for_father)
    assert level(grader, for_father.replace("我替我爸写的：", "")) != "紧急"
    assert level(grader, "我替我爸写：村长他说有本事去北京告。") != "紧急"


def test_what_the_news_told_goes_to_review_and_a_video_call_does_not(grader):
    """A trip or a leak told from the news or online (新闻里看到…, 网上说…) happened elsewhere: to the review band,
    not 紧急 (read look-alikes of rounds 335-354). A husband who says on a video call that he has pills saved is
    the emergency itself, and a neighbour's post on her moments too."""
    news = "来电人称新闻里看到有人讨执行款去北京上访，咨询本地有没有执行救助政策。"
    graded = grader.grade(news)
    assert graded["urgency"] != "紧急" and "[传闻]" in graded["urgency_evidence"], graded
    assert level(grader, "市民来电称网上说B3区有罐车漏毒气，本人在A市未闻到异味，请求核实消息真假。") != "紧急"
    call = "他这段时间状态很不好，昨晚跟我视频说不想活了，说安眠药已经攒了一瓶，这两天就吃了算了。"
    assert level(grader, call) == "紧急", grader.grade(call)
    post = "另外隔壁地下室的女孩刚发朋友圈说今晚就走了，还拍了一把安眠药。"
    assert level(grader, post) == "紧急", grader.grade(post)


def test_a_missing_guard_does_not_negate_the_hazard(grader):
    """没盖没围挡 says what makes the ditch dangerous; 没有 before an event (没有人跳楼) still negates it."""
    ditch = "装太阳能挖的沟没盖没围挡，一米多深，就在幼儿园门口。"
    assert level(grader, ditch) == "紧急", grader.grade(ditch)
    assert level(grader, "这几年我们村没有人跳楼。") != "紧急"


def test_a_note_quoted_before_the_absence_completes_the_missing_person_frame(grader):
    """留下一封写着“对不起爸妈，别找我”的信后离校，至今未归 (probe p299-21): the frame's parts are the note's
    words and the absence after it. The check that no cue straddles a quotation mark read the frame's
    joined phrase (对不起爸妈，别找我”的信后…) as one and dropped the frame, leaving only its partial
    reading; a frame keeps its parts apart itself where it must (escalation). Left at stop 69, traced
    at stop 70."""
    note = "XX中学班主任来电：初二学生赵某留下一封写着“对不起爸妈，别找我”的信后离校，至今未归。"
    assert level(grader, note) == "紧急", grader.grade(note)
    # a group's words inside someone's quotation still do not join the writer's own (quotes_apart)
    rumour = "居民微信群里流传“有人要组织去市里上访”，我们不清楚真假。"
    assert level(grader, rumour) != "紧急", grader.grade(rumour)


def test_in_an_operator_s_record_the_caller_s_quoted_words_are_the_caller_s(grader):
    """来电人咨询押金退还流程，末尾说“这事办不成我也没打算活” (probe p303-14): the operator names no speaker
    before 说, so the quoted vow read as someone else's (他人). In a record whose subject is the caller,
    the caller speaks; a named other speaker (来电人称邻居说“…”) and words said before (说过“…”，事后已道歉)
    are read as before."""
    caller = "来电人咨询押金退还流程，末尾说“这事办不成我也没打算活”，随即挂断。"
    assert level(grader, caller) == "紧急", grader.grade(caller)
    neighbour = "来电人称邻居说“这事办不成我也没打算活”。"
    assert "他人" in grader.grade(neighbour)["urgency_evidence"] and level(grader, neighbour) != "紧急"
    before = "当时来电人情绪失控，在校长办公室说过“再不管我就从你们楼上跳下去”，事后已向学校道歉。"
    assert level(grader, before) != "紧急", grader.grade(before)


def test_a_failed_errand_is_the_condition_not_a_negation(grader):
    """钱要不回来我也没打算活: 要不回来 is what the writer fears will fail, not a denial of the vow
    (probe round 303's operator summary, stop 70); with 也 between them nothing blocked the 不 until
    then. A plain denial (我可没打算死) stays below 紧急."""
    assert level(grader, "钱要不回来我也没打算活。") == "紧急", grader.grade("钱要不回来我也没打算活。")
    assert level(grader, "这事办不成我也没打算活了。") == "紧急"
    assert level(grader, "我可没打算死，我还要照顾孙子。") != "紧急"


@pytest.mark.parametrize("text", [
    "有人掉河里了，快来人！",
    "XX桥下有个小孩落水了，快！",
    "工地上有人从脚手架上摔下来了，一动不动。",
    "村东头着火了，里面还有老人。",
    "楼道里电动车着火了，烟很大，楼上的人下不来。",
    "有人触电了，倒在地上，快派人来。",
    "我爸喝了农药，正在往医院送，村医说不行了。",
    "小区门口一个老人晕倒了，没人管。",
    "我被人捅了一刀，在XX路口。",
    "隔壁男的拿刀追着他老婆砍。",
    "一群人在村委会门口打起来了，有人头破血流。",
    "矿上透水了，底下还有十几个人。",
    "山上滑坡了，把两户人家埋了。",
    "河堤决口了，水往村里灌。",
    "学校食堂吃完饭，三十多个孩子上吐下泻。",
    "有人被困在电梯里快一个小时了，物业不接电话。",
    "我家孩子被人贩子抱走了，刚刚的事。",
    "我老婆说要带孩子去跳河，现在人不见了。",
    "儿子发短信说不想活了，电话关机。",
    "工友爬上塔吊了，说不给工资就跳。",
    "几十个工人把项目部围了，要工资。",
    "明天一早我们全村人去高速路口堵路。",
    "我姐被她男人打得住院了，那男的说出院还要打。",
    "煤气罐漏气了，嘶嘶响，不敢开灯。",
    "屋顶压塌了一半，老人还睡在里面。",
    "外面零下二十度，我家暖气停了三天，孩子发烧。",
    "大坝裂了道口子，在往外渗水。",
    "有人在我家门口泼汽油，说要烧死我们。",
    "校车翻沟里了，孩子们还在车里。",
    "河里冰面上有小孩在玩，冰已经裂了。",
    "来电人称今天不给结工资就从工地楼上跳下去。",
    "来电人情绪激动，称已经写好遗书。",
    "来电人称手里有刀，谁来拆房就跟谁拼了。",
    "来电人称其丈夫正在家中砸东西，并扬言要杀了全家。",
    "来电人称现在站在楼顶，要求见领导。",
    "来电人称明天带全村人去市政府。",
    "来电人称三天内不解决就去北京。",
    "来电人称家中老人被困在二楼，水已经到一楼窗户了。",
    "来电人称小区燃气管道被挖断，现在满街都是煤气味。",
    "来电人称孩子被老师锁在教室里一下午了。",
    "我活够了，明天就去镇政府门口喝药。",
    "再拖我就把房子点了。",
    "你们不管，我就带着孩子一起走。",
    "钱要不回来我就死在你们办公室。",
    "他说今晚来弄死我，我现在不敢回家。",
    "放贷的把我堵在家里不让出门。",
    "老公喝醉了拿菜刀，我和孩子躲在厕所里。",
    "村里几十个人正在往镇上走，要去讨说法。",
    "家长们都在学校门口，不让校车走。",
    "工人们已经把老板的车扣下了。",
    "下周一我们业主统一去住建局。",
    "这事不解决，我们就去省委。",
    "我婆婆八十多了，一个人在家，电话一直没人接，门也敲不开。",
    "楼下饭店的煤气罐着了，火很大。",
    "我们这停电两天了，我爸在家用制氧机。",
    "危房里还住着一个瘫痪的老人，墙已经歪了。",
    "公路上有个大坑，已经摔了好几个骑车的，没人管。",
])
def test_scenes_told_in_a_line_are_urgent(grader, text):
    """An intake officer's everyday wordings of emergencies happening now (stop 69's sweep, not from a probe)."""
    assert level(grader, text) == "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "去年夏天桥下有个小孩落水了，幸亏被路人救上来了。",
    "前年工地上有人从脚手架上摔下来了，一动不动，后来赔了钱，现在想问工伤认定。",
    "那年村东头着火了，里面还有老人，后来消防把人救出来了。",
    "我爸去年喝了农药，送医院抢救过来了，现在需要医疗救助。",
    "2019年我被人捅了一刀，凶手至今没抓到，请公安给个说法。",
    "小时候我被人贩子拐走，现在想找亲生父母。",
    "2018年几十个工人把项目部围了，要工资，后来解决了。",
    "建议在河边设置护栏，以免有人落水了没人救。",
    "山上滑坡了，好在没埋到人家，路断了请尽快修。",
    "河堤十年前决口过，淹了半个村，现在堤还是老样子，建议加固。",
    "上个月校车翻沟里了，孩子们还在车里的视频在网上传，我们家长很担心，请整顿校车。",
    "他喝醉了就说还要打他，其实都是气话，我们只是想离婚。",
    "电视上说外地有个大坝裂了道口子，在往外渗水，我们这的水库有没有检查过？",
    "去年放贷的把我堵在家里三天，后来报警解决了，现在想问能不能起诉。",
    "那次工人们把老板的车扣下了，后来工资发了，现在都好了。",
    "我婆婆一个人在家，电话没人接，后来才知道是手机没电了，虚惊一场。",
    "上个月家长们都在学校门口，不让校车走，后来教育局来协调了。",
    "建议饭店的煤气罐定期检查，以免着了火伤人。",
    "三年前孩子被老师锁在教室里一下午，现在想起来还生气。",
    "小说里写到几十个村民正在往镇上走，想问一下这样写合不合适。",
    "我是写小说的，想问人被压在车底下出不来一般怎么救。",
    "邻居家老人晕倒了，我们赶紧叫了120，现在已经送到医院没事了。",
    "小区消防演练说着火了楼上的人下不来怎么办，演练很有用，点赞。",
    "我不会去跟院长拼命的，我只是想要个说法。",
    "学校组织家长统一去体检中心给孩子体检。",
])
def test_the_same_scenes_told_as_past_or_supposed_are_not(grader, text):
    """The same scenes told as over, as a childhood, as news of elsewhere or as a supposition."""
    assert level(grader, text) != "紧急", grader.grade(text)


# ---- false-positive traps ----------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "请问游乐场的跳楼机是否属于特种设备？",      # 跳楼机
    "为了减轻生产成本，村民冒险通行。",          # 减轻生产 contains 轻生
    "电梯隔三差五就罢工，请检查质量。",          # a lift 'on strike'
    "上下班高峰路口经常堵路，希望加装红绿灯。",  # traffic jam, not a road blockade
    "石料厂用炸药开山，灰尘很大。",              # explosives at a quarry
    "联通加班太多，难道要几个跳楼的人才能引起重视吗？",  # rhetoric about other people
    "我们只能以跳楼价变卖房产。",                        # 跳楼价 is a fire-sale price
    "业委会制定了一个收费方案要各业主投票。",            # 制定了 is not 定了 (a fixed gathering)
])
def test_false_positive_traps_are_not_urgent(grader, text):
    assert level(grader, text) != "紧急", grader.grade(text)


def test_consultation_is_ordinary(grader):
    out = grader.grade("请问公积金异地贷款需要带哪些材料？")
    assert out == {"urgency": "一般", "urgency_score": 0.0, "urgency_cues": "", "urgency_evidence": "", "urgency_review": False}


def test_score_bands_follow_levels(grader):
    urgent = grader.grade("我们将集体到北京上访。")["urgency_score"]
    pressing = grader.grade("工地深夜施工噪音扰民，无法入睡。")["urgency_score"]
    ordinary = grader.grade("建议增开一条公交线路。")["urgency_score"]
    assert 0.7 <= urgent <= 1 and 0.35 <= pressing < 0.7 and 0 <= ordinary < 0.35


# ---- sentence-level context (added with the test2 split): history, suppositions, defused threats --
@pytest.mark.parametrize("text", [
    "A6区政府不解决，我们去找A市政府；市政府解决不了，我们会到省政府。",          # 会到省政府
    "长此以往，我们广大业主只能采取更加主动激烈的维权手段。",                      # veiled escalation
    "村组长扬言，今天谁阻工就把谁扔到溪里去。",                                    # 谁…就把谁, 扬言…扔到
    "目前住改商集体抱团，暴力围堵小区出入口，甚至殴打我们小区人。",                # violence under way
    "放回后多次组织社会闲杂人员威胁，扬言如果不按其要求做，会对其家人进行人身伤害。",  # 扬言 … 22 chars … 伤害
    "业主群里已经定了，这个周六上午几百名业主一起到区政府门口反映。",              # 已经定了: a fixed gathering
    "2017年我们曾多次上访，现在如果再不解决，我们将到北京上访。",                  # 复位: the sentence turns to now
    "我们定于5月20日集体到市政府静坐。",                                          # a future date is not history
    "他手持刀具，敲开我家的大门要行凶。",                                          # 要行凶
    "拆我的房子我就喝农药死在这里。",                                              # 死在这里 is a threat, not a death told
    "来访农民工在接待大厅打出“还我血汗钱”横幅，表示不拿到钱不走。",                # a cue may contain a whole quotation
    "物业公司叫来一帮社会人员在小区里和业主斗殴，已经有人受伤。",                  # a brawl under way
    "上个月山体滑坡冲垮了我家后墙，这几天还要下暴雨，随时可能再垮下来。",          # more rain onto a slide
])
def test_new_cues_are_urgent(grader, text):
    assert level(grader, text) == "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "2016年元月2日，凶手带领其兄等人拿刀闯入我家，打伤我八十多岁的母亲。",          # 往事: a dated past
    "村支书当场大打出手，还扬言要搞死他，在旁人的竭力劝告下才放过了他。",          # 了结: defused
    "群众矛盾日益扩大，欲集体上访，被我们多次做思想工作暂缓。",                    # 了结: dissuaded
    "当时大家情绪激动，决定堵路，这样堵了半小时才来一台空车。",                    # 往事: 当时
    "农民上访到中央、省市区街道的时候你们在干什么。",                              # X的时候: a time clause
    "村民李某的老婆在2014年4月份的一天，喝农药死在另一村民家中。",                  # 远期句 + a death told
    "该老师的老公因某些事件，不堪人生最后服毒自尽成为周边村落饭后谈资。",          # 已故
    "张的女儿于是搬了一张凳，走到窗户边说要跳楼。",                                # 亲身: 张的女儿 is not family
    "举报人是否跟李民成之妻（跳楼自杀15年）有个人问题。",                          # 他人 + 已故
    "这是叫我们慢性自杀啊。",                                                      # 慢性自杀 is rhetoric
    "拆了之后，还拿刀具在半夜找到正义方来报复？",                                  # 问句
    "若发生群体事件，哪个部门、哪位领导承担责任？",                                # 假设
    "第五十三条 公务员不得有下列行为：组织或者参加旨在反对国家的集会、游行、示威等活动。",  # 条文
    "我们建议，在信访局门口设个收费站，只要是来上访的，凭证赴省进京上访。",          # 提议 (satire)
    "开发商直接提出：你们认为有问题就去上访啊！",                                  # 引述: an official's dismissal
    "在没有书面承诺停建之前，全体居民将保留上访或上诉的权力。",                    # a reserved right
    "主要是把上访一级推一级，不能解决。",                                          # 主要是 is not 要
    "请求严惩私闯民宅行凶伤人的凶手。",                                            # 行凶 told after the fact
    "村主任在会上说“谁去北京上访就取消谁家的低保”，我不去上访，只是想问一下。",      # no cue straddles a quotation
    "在签署病危通知书后，经过9天的抢救性治疗，我小孩重症肺炎治愈出院。",            # 了结: cured
    "业主拉横幅起义，各部门均有投诉。",                                            # a bare group name + action is history
    "2015年物业曾找来打手和业主斗殴，此事早已处理完毕。",                          # 往事: a dated brawl
    "这几天下大雨，小区门口积水严重，请尽快疏通下水道。",                          # rain alone is no emergency
    "建议在山体滑坡易发路段设置警示牌，以免雨季出现垮塌伤人。",                    # 建议 / 以免: a proposal
])
def test_history_and_suppositions_stay_below_urgent(grader, text):
    assert level(grader, text) != "紧急", grader.grade(text)


# ---- the learned 较急/一般 refiner ---------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped() -> UrgencyGrader:
    return UrgencyGrader().fit()


def test_refiner_ships_and_never_touches_urgent(shipped):
    assert shipped.refiner_ is not None
    for text in ["我们将集体到北京上访。", "对方扬言要找人打死我全家。", "楼道里煤气泄漏，家里有八十岁的老人。"]:
        assert shipped.grade(text) == shipped.grade_rules(text) and shipped.grade(text)["urgency"] == "紧急"
    out = shipped.grade("请问公积金异地贷款需要带哪些材料？")  # no cue: left alone
    assert out == {"urgency": "一般", "urgency_score": 0.0, "urgency_cues": "", "urgency_evidence": "", "urgency_review": False}


@pytest.mark.parametrize("text", ["工地深夜施工噪音扰民，无法入睡，多次投诉无果。", "建议增开一条公交线路，方便老人出行。",
                                  "小区消防通道被堵，存在安全隐患。", "拖欠我们三十多名农民工工资八个月了。"])
def test_refined_scores_stay_in_their_band(shipped, text):
    out = shipped.grade(text)
    low, high = {"紧急": (0.7, 1.0), "较急": (0.35, 0.7), "一般": (0.0, 0.35)}[out["urgency"]]
    assert low <= out["urgency_score"] < high or out["urgency_score"] == high == 1.0
    if out["urgency"] != shipped.grade_rules(text)["urgency"]:
        assert "模型" in out["urgency_evidence"]  # an overruling is shown in the evidence


def test_fit_with_labels_trains_a_refiner(tmp_path):
    pressing = ["拖欠工资半年了，家里老人重病，多次反映无果。", "工地深夜施工噪音扰民，孩子无法入睡。", "楼房墙体开裂已成危房，老人小孩住在里面。"]
    ordinary = ["建议增开公交线路，尽快解决出行问题。", "请问小区停车费标准是否合理，存在安全隐患吗。", "咨询公积金提取流程，希望及时答复。"]
    letters = pd.DataFrame({"title": [""] * 12, "text": (pressing + ordinary) * 2})
    grader = UrgencyGrader(refiner=None).fit(letters, ["较急"] * 3 + ["一般"] * 3 + ["较急"] * 3 + ["一般"] * 3)
    assert grader.refiner_ is not None
    grader.refiner_.save(tmp_path / "refiner.json")
    reloaded = UrgencyGrader(refiner=tmp_path / "refiner.json").fit()
    for text in pressing + ordinary:
        assert reloaded.grade(text) == grader.grade(text)
    with pytest.raises(PetitionError, match="refiner not found"):
        UrgencyGrader(refiner=tmp_path / "missing.json").fit()


# ---- the review band's second reader (UrgentSieve) ------------------------------------------------
def _probe_text(probe_id: str) -> str:
    round_ = int(probe_id[1:].split("-")[0])
    row = _probes(round_).set_index("probe_id").loc[probe_id]
    return to_simplified(row["title"]) + "。" + to_simplified(row["text"])


@pytest.mark.parametrize("probe_id", ["p64-10", "p88-14"])
def test_the_sieve_sends_an_emergency_the_rules_miss_to_the_review_band(shipped, probe_id):
    """Concrete falling off a tower block onto a bus stop (in Cantonese), a clan threatening lives
    over a grave: no phrase row reads them, the sieve is sure (0.8-0.92), a person reads them today.
    (A trapped-lift letter and a threatened driver were examples here until the stop-60 refit made
    them sure enough for 紧急.)"""
    text = _probe_text(probe_id)
    rules = UrgencyGrader(sieve=None).fit().grade(text)
    out = shipped.grade(text)
    assert rules["urgency"] != "紧急" and not rules["urgency_review"], rules
    assert out["urgency_review"] and "模型复核" in out["urgency_evidence"], out
    assert (out["urgency"], out["urgency_score"]) == (rules["urgency"], rules["urgency_score"])  # level untouched


@pytest.mark.parametrize("probe_id", ["p61-52", "p60-26", "p63-56"])
def test_the_sieve_grades_urgent_only_when_surer_than_on_any_real_letter(shipped, probe_id):
    """People in a flooding car park, fish-farm workers left in a shed as a typhoon lands, an
    overloaded ferry crossing now: p >= 0.92, a line none of the 20,617 shared letters reaches (nor
    the 8,545 labelled ones), so 紧急, and the evidence says the model did it."""
    text = _probe_text(probe_id)
    assert UrgencyGrader(sieve=None).fit().grade(text)["urgency"] != "紧急"
    out = shipped.grade(text)
    assert out["urgency"] == "紧急" and out["urgency_score"] == 0.7 and "模型紧急" in out["urgency_evidence"], out
    assert out["urgency_review"] is False and out["urgency_cues"].split(";")[-1] == "模型判断"


@pytest.mark.parametrize("probe_id", ["p120-45", "p125-03"])
def test_the_sieve_has_a_lower_line_for_a_text_of_a_line_or_two(shipped, probe_id):
    """A live wire down at a bus stop with someone just shocked, thirty relatives sitting at a gate
    now (37 and 33 characters): no rule reads them, the reader scores them 0.92-0.98. Until stop 70
    no text under 40 characters could be 紧急 by the reader. Real letters under 80 characters stay
    under 0.87, so the line there is 0.88 (0.90 at stop 70), from 25 characters up."""
    text = _probe_text(probe_id)
    assert 25 <= len(text) < 80
    assert UrgencyGrader(sieve=None).fit().grade(text)["urgency"] != "紧急"
    out = shipped.grade(text)
    assert out["urgency"] == "紧急" and "模型紧急" in out["urgency_evidence"], out
    sieve = shipped.sieve_
    assert sieve.urgent_line(text) == 0.88 < sieve.urgent_line(text + "，" * 80) == sieve.urgent_threshold
    assert sieve.urgent_line(text[:20]) is None


def test_a_short_text_the_rules_read_as_settled_keeps_the_long_line(shipped):
    """邻居家老人晕倒了…现在已经送到医院没事了 (31 characters): the rules read the fall as settled
    ([解除]); the reader, which reads the words and not their time, scores it 0.91, above the short
    line. It goes to the review band, not to 紧急."""
    text = "邻居家老人晕倒了，我们赶紧叫了120，现在已经送到医院没事了。"
    rules = UrgencyGrader(sieve=None).fit().grade(text)
    assert "[解除]" in rules["urgency_evidence"]
    assert shipped.sieve_.short_urgent_threshold <= shipped.sieve_.probabilities([text])[0] < shipped.sieve_.urgent_threshold
    assert shipped.sieve_.urgent_line(text, rules["urgency_evidence"]) == shipped.sieve_.urgent_threshold
    out = shipped.grade(text)
    assert out["urgency"] != "紧急" and out["urgency_review"] and "模型复核" in out["urgency_evidence"], out


def test_the_sieve_quotes_the_clause_that_weighs_most_and_never_a_phone_number(shipped):
    """A reviewer gets a place to start reading: the car park letter's clause about the water
    still rising, not its caller's number (the fish-farm letter's heaviest clause was its 来电号码)."""
    assert "「现在已经到膝盖了还在涨」" in shipped.grade(_probe_text("p61-52"))["urgency_evidence"]
    evidence = shipped.grade(_probe_text("p60-26"))["urgency_evidence"]
    assert "「" in evidence and "来电号码" not in evidence and "****" not in evidence, evidence


def test_the_evidence_shows_each_clause_once_at_its_longest(grader, sample_dir):
    """The bundled 再不解决我就进京上访 letter matched 就带着产权证去北京, …去国家信访 and …去国家信访局 and
    listed all three: an office read one clause three times. Only the longest is shown now."""
    from pipeline.read import read_letters

    letters = read_letters([sample_dir / "letters_xinfang.csv"]).letters
    letter = letters[letters["letter_id"] == "XF2026-000432"]
    assert letter["title"].iloc[0] == "关于再不解决我就进京上访的问题"
    graded = grader.grade(grader.letter_texts(letter)[0])
    cues = graded["urgency_evidence"].split(";")
    assert graded["urgency"] == "紧急"
    assert any(c.endswith("去国家信访局") for c in cues), cues
    assert not [(a, b) for a in cues for b in cues if a != b and a in b], cues


def test_the_sieve_leaves_rule_verdicts_plain_letters_and_short_texts_alone(shipped):
    assert shipped.sieve_ is not None
    for text in ["我们将集体到北京上访。", "楼道里煤气泄漏，家里有八十岁的老人。"]:
        assert shipped.grade(text)["urgency"] == "紧急" and "模型" not in shipped.grade(text)["urgency_evidence"]
    for text in ["请问公积金异地贷款需要带哪些材料？", "建议增开一条公交线路，方便老人出行。"]:
        assert shipped.grade(text)["urgency_review"] is False, shipped.grade(text)
    # a two-word call summary gives a few grams and an extreme score: not read at all
    assert shipped.sieve_.probabilities(["来电骂人。", "无声电话"]) == [None, None]


def test_either_reader_sure_is_enough_so_the_kindergarten_letter_stays_urgent(sample_dir):
    """The bundled corpus's letter about a kindergarten teacher pricking children with needles
    (紧急 in its truth; no rule reads it): the reader that also learnt from real letters scores it
    below the review band, the probe-only one is sure enough for 紧急, and the shipped grader
    (`EitherSieve`) takes the surer. Letters neither reader is sure of are left as the rules say."""
    from pipeline.read import read_letters
    from pipeline.urgency import PROBE_SIEVE_PATH, SIEVE_PATH, EitherSieve, UrgentSieve

    letters = read_letters([sample_dir / "letters_xinfang.csv"]).letters
    letter = letters[letters["letter_id"] == "XF2026-000304"]
    assert "针扎" in letter["title"].iloc[0]
    rules = UrgencyGrader(sieve=None).fit()
    text = rules.letter_texts(letter)[0]
    assert rules.transform(letter)["urgency"].iloc[0] != "紧急"
    real, probes = UrgentSieve.load(SIEVE_PATH), UrgentSieve.load(PROBE_SIEVE_PATH)
    assert real.probabilities([text])[0] < real.threshold <= probes.urgent_threshold <= probes.probabilities([text])[0]
    graded = UrgencyGrader().fit().transform(letter).iloc[0]
    assert isinstance(UrgencyGrader().fit().sieve_, EitherSieve)
    assert graded["urgency"] == "紧急" and "模型紧急" in graded["urgency_evidence"]
    both = EitherSieve([real, probes])
    assert both.probabilities(["请问公积金异地贷款需要带哪些材料？", "来电骂人。"])[1] is None
    with pytest.raises(PetitionError, match="share their lines"):
        EitherSieve([real, UrgentSieve(threshold=0.7)])


# ---- table API, lexicon as data, CLI -----------------------------------------------------------
def test_transform_adds_columns_and_keeps_rows(grader):
    letters = pd.DataFrame({"letter_id": ["1", "2", "3"], "title": ["求助", None, "建议"],
                            "text": ["拖欠工资半年了", "我要去北京上访", None]})
    out = grader.transform(letters)
    assert list(out["letter_id"]) == ["1", "2", "3"] and "urgency" not in letters.columns
    assert set(OUTPUT_COLUMNS) <= set(out.columns)
    assert list(out["urgency"]) == ["较急", "紧急", "一般"]


def test_offices_extend_the_lexicon(tmp_path):
    path = tmp_path / "lexicon.csv"
    path.write_text("pattern,category,weight,level,note\n要去市委门口,群体行动,1.0,紧急,local phrase\n不会,否定,0,修饰,\n",
                    encoding="utf-8")
    grader = UrgencyGrader(lexicon=path).fit()
    assert grader.grade("明天我们要去市委门口")["urgency"] == "紧急"
    assert grader.grade("我们不会要去市委门口")["urgency"] == "一般"


def test_bad_lexicon_names_the_row(tmp_path):
    path = tmp_path / "lexicon.csv"
    path.write_text("pattern,category,weight,level,note\n(unclosed,自伤威胁,1,紧急,\n", encoding="utf-8")
    with pytest.raises(PetitionError, match="row 2"):
        load_lexicon(path)


def test_cli_grade_writes_output_and_rejects(tmp_path):
    from pipeline.cli import main
    source = tmp_path / "letters.csv"
    pd.DataFrame({"留言编号": ["a1", "a2", "a3"], "留言主题": ["欠薪", "咨询", ""],
                  "留言详情": ["老板拖欠工资三个月，我们准备集体到省政府上访。", "请问社保怎么转移？", ""]}
                 ).to_csv(source, index=False, encoding="utf-8")
    out = tmp_path / "graded.parquet"
    assert main(["grade", str(source), "--out", str(out)]) == 0
    graded = pd.read_parquet(out)
    assert dict(zip(graded["letter_id"], graded["urgency"])) == {"a1": "紧急", "a2": "一般"}
    assert (tmp_path / "graded.rejects.csv").exists()


# ---- the kinds of letter the issue lists as missed (issue 14), in short realistic sentences -----
@pytest.mark.parametrize("text", [
    "附近工地打桩以来，我家房屋墙体开裂、地基下沉，随时可能倒塌，一家五口还住在里面。",   # occupied house cracking from works
    "市民反映，小区地下室因旁边地铁施工出现裂缝，楼体倾斜，居民仍住在楼内。",             # a hotline summary of the same
    "那栋拆了一半的旧楼摇摇欲坠，就悬在人行道上方，没有任何围挡，每天很多学生从下面经过。", # half-demolished, no barrier
    "小区3号楼电梯一个月内多次困人，上周还从9楼急坠到3楼，物业至今仍让电梯照常运行。",   # lifts trapping and dropping
    "入冬以来我们村天然气每晚停气，屋里只有十度，家里有八十多岁的老人和刚满月的婴儿。",   # winter outage, elderly and infant
    "暖气停了三天，家里老人孩子都冻感冒了，外面零下十度。",                               # the same, shorter
    "小区业主正组织上访，准备等中央督查组下来时集体反映。",                               # a group petition being organised
    "我们已经拍了照片和视频，做为集体上访的依据。",                                       # collecting material for one
    "这个问题再解决不了的话，我们只能去省委反映。",                                       # a conditional trip to the province
    "我借了高利贷还不上，放贷的人天天上门威胁，我现在随时有生命危险。",                   # loan sharks, life threatened now
    "老师们的补贴再不落实，非得逼我们集体去闹吗？",                                       # a conditional warning of a group action
])
def test_kinds_the_issue_lists_as_missed_are_urgent(grader, text):
    assert level(grader, text) == "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "2018年我家房屋因施工开裂，后来已经加固维修好了。",         # repaired: history
    "燃气公司停气前应提前通知，以免影响老人冬天取暖。",         # 以免 before the vulnerable slot: a proposal
    "我们不会集体上访，相信政府能解决。",                       # negated
    "电梯去年困过一次人，已经修好，现在运行正常。",             # once, last year, repaired
    "建议对老旧小区危房进行排查，防止倒塌伤人。",               # a suggestion
    "请问冬季供暖什么时候开始？家里有老人，想提前了解。",       # a question, no outage
    "如果省里来检查就好了。",                                   # a wish, no trip
    "居民楼下的井盖松动，存在安全隐患，请尽快维修。",           # a hazard, not an emergency
])
def test_controls_for_the_new_kinds_stay_below_urgent(grader, text):
    assert level(grader, text) != "紧急", grader.grade(text)


@pytest.mark.parametrize("text, doubt", [
    ("小区停气一个星期了，家里有八十岁的老人，做饭都成问题。", "缺:寒冷"),          # no word for the cold: unsure
    ("前年楼下工地施工时我家墙体开裂，至今没人来看。", "往事"),                    # dated, yet 至今: unsure
    ("再这样下去我们真的走投无路了。", "半数紧急线索"),                            # one weight-0.6 cue
    # 上访 announced with no level word: by the rubric 较急 (继续上访), but a person reads it today
    ("如果不按政策办事，我们一定状告上访。", "半数紧急线索"),
])
def test_review_band_holds_what_the_grader_is_unsure_of(grader, text, doubt):
    out = grader.grade(text)
    assert out["urgency"] != "紧急" and out["urgency_review"] is True, out
    assert "待复核:" in out["urgency_evidence"] and doubt in out["urgency_evidence"]


@pytest.mark.parametrize("text", [
    "我想咨询北京市商务局关于消费券的发放规则。",           # Beijing's own 12345: the city is where the writer lives
    "家长想继续给孩子在北京缴纳医保，来电反映希望办理。",
    "来电人向北京市住建委反映过小区加装电梯的事。",
])
def test_the_city_name_beijing_is_no_escalation(grader, text):
    out = grader.grade(text)
    assert out["urgency"] != "紧急" and out["urgency_review"] is False, out


@pytest.mark.parametrize("text", ["问题再不解决，我们就去北京上访。", "不解决的话我只能到北京反映。", "再不解决我们准备进京上访。"])
def test_a_trip_to_beijing_to_petition_stays_urgent(grader, text):
    assert level(grader, text) == "紧急", grader.grade(text)


def test_review_reasons_name_the_missing_class_in_chinese_and_show_each_phrase_once(grader):
    out = grader.grade("这事我们去省里反映过。")  # a past trip, and no 要/只能: unsure
    assert out["urgency_review"] is True, out
    evidence = out["urgency_evidence"]
    assert "缺:语气/意图" in evidence and "modality" not in evidence, evidence
    # the phrase read as done before (反映过: 了结) stands once, ahead of the doubt that asks for a reader
    assert evidence.count("去省里反映") == 1 and "待复核:省里反映(缺:语气/意图)" in evidence, evidence
    # one phrase read two ways (a past leak, a feared one) is shown once with both readings
    out = grader.grade_rules("去年家里燃气管道漏气，当时报修了。担心以后还会漏气。")
    assert out["urgency_review"] is True, out
    assert out["urgency_evidence"].count("漏气") == 1, out
    assert "往事" in out["urgency_evidence"] and "条件" in out["urgency_evidence"], out


def test_a_clause_held_by_a_longer_one_with_the_same_readings_is_shown_once(grader):
    # 病危[了结] says nothing 病危通知[了结] does not: one clause, at its longest, with each reading kept
    evidence = grader.grade_rules("医院下了病危通知，后来抢救过来了，现在已经出院。")["urgency_evidence"]
    assert evidence.split(";")[0] == "病危通知[了结/解除]" and "病危[" not in evidence, evidence
    # and so in the 待复核 part: the trip told as past is shown once, not once per frame that read it
    out = grader.grade_rules("一下大雨就淹，我曾经和几个老邻居去省里上访，后来区里答应给修。")
    assert out["urgency_evidence"].count("去省里") == 1, out


def test_a_trip_told_as_past_in_its_own_clause_is_no_threat_of_one(grader):
    # 就 (of 就淹) opens the frame a clause before the trip; 曾经 stands in the trip's own clause
    out = grader.grade_rules("一下大雨就淹，我曾经和几个老邻居去省里上访，后来区里答应给修。")
    assert out["urgency"] != "紧急" and out["urgency_review"] is True, out
    assert level(grader, "一下大雨就淹，再不解决我们几个老邻居就去省里上访。") == "紧急"


def test_a_threat_or_leak_an_authority_has_already_dealt_with_is_settled_unless_it_goes_on(grader):
    # a threat the police handled months ago, a bottle the gas company took away: told, not happening
    assert level(grader, "今年3月曾有患者家属因费用纠纷扬言要报复他，当时派出所已经处理，家属写了保证书。") != "紧急"
    assert level(grader, "来电人反映废品站旧液化气罐昨天漏气，燃气公司已处理拉走，要求查处违规收购。") != "紧急"
    assert level(grader, "他们曾威胁要搞死我，后来被派出所处理了，现在没事了。") != "紧急"
    # handled, and still going on: the threat and the leak stand
    assert level(grader, "他扬言要杀我全家，派出所已经处理过，但他还是天天堵我家门口。") == "紧急"
    assert level(grader, "楼道里燃气管漏气，物业已经处理了两次，现在又漏了，味道很大。") == "紧急"
    assert level(grader, "他扬言要砍死我，被派出所带走了，第二天又放回来了，现在又来闹。") == "紧急"


def test_review_band_is_never_urgent_and_plain_letters_are_not_in_it(grader):
    letters = pd.DataFrame({"title": ["", "", ""], "text": ["我们将集体到北京上访。", "建议增开一条公交线路。",
                                                             "工地深夜施工噪音扰民，无法入睡。"]})
    out = grader.transform(letters)
    assert out["urgency_review"].dtype == bool and list(out["urgency_review"]) == [False, False, False]


def test_compose_is_data_an_office_extends(tmp_path):
    path = tmp_path / "compose.csv"
    original = (CORPORA_DIR / "urgency" / "compose.csv").read_text(encoding="utf-8")
    text = "这个问题再解决不了，我们只能去自治区党委反映。"
    assert UrgencyGrader(refiner=None, compose=None).fit().grade(text)["urgency"] != "紧急"
    path.write_text(original + "slot,level,自治区党委|自治区政府,another name for the province\n", encoding="utf-8")
    assert UrgencyGrader(refiner=None, compose=path).fit().grade(text)["urgency"] == "紧急"
    path.write_text("kind,name,pattern,note\nslot,a,甲,\nframe,f,\"anchor=a; need=b:1:1; category=群体行动\",\n", encoding="utf-8")
    with pytest.raises(PetitionError, match="row 3"):
        UrgencyGrader(refiner=None, compose=path).fit()


# ---- the multi-source gold (real letters; skipped without ../shared/data) ----------------------
requires_more_sources = pytest.mark.skipif(not (SHARED_DATA_DIR.parent / "more_sources").exists(),
                                           reason=f"more_sources letters not found at {SHARED_DATA_DIR.parent}")


@pytest.fixture(scope="module")
def gold_scores(grader):
    """紧急 recall and precision of the rules (nothing learned decides 紧急) per labelled source."""
    from benchmarks.urgency import load_gold, scores

    gold = load_gold()
    gold["predicted"] = [grader.grade_rules(t)["urgency"] for t in grader.letter_texts(gold)]
    return {source: scores(list(part["urgency"]), list(part["predicted"])) for source, part in gold.groupby("source")}


# Regression floors a little under the development figures measured with these cues (README,
# benchmarks/urgency.py); the blind first looks and the issue's targets are reported, not asserted.
FLOORS = {"tipdm_gold": (0.72, 0.70), "peoples_gas": (0.82, 0.60), "beijing12345": (0.75, 0.75), "tipdm_new": (0.38, 0.30)}


@requires_shared_data
@requires_more_sources
@pytest.mark.parametrize("source", sorted(FLOORS))
def test_gold_floor_per_source(gold_scores, source):
    recall, precision = FLOORS[source]
    assert gold_scores[source]["recall"] >= recall and gold_scores[source]["precision"] >= precision, gold_scores[source]


@requires_shared_data
@requires_more_sources
def test_no_labelled_letter_of_a_line_or_two_below_urgent_reaches_the_short_line(shipped):
    """The short line's rule (stops 70, 71): every real letter of 25-79 characters, labelled below 紧急
    and graded below 紧急 by the rules, scores under it (0.864 at most, a 较急 letter; still 0.864
    with each office left out of the reader's fit), so no such letter is made 紧急 by the reader."""
    from benchmarks.urgency import load_gold

    gold = load_gold()
    rules = UrgencyGrader(sieve=None).fit()
    texts, graded = rules.letter_texts(gold), rules.transform(gold)["urgency"]
    short = [t for t, got, label in zip(texts, graded, gold["urgency"])
             if 25 <= len(t.strip()) < 80 and got != "紧急" and label != "紧急"]
    assert len(short) > 500
    highest = max(shipped.sieve_.probabilities(short))
    assert 0.8 < highest < shipped.sieve_.short_urgent_threshold, highest


@requires_shared_data
@requires_more_sources
def test_qingdao_calls_raise_no_false_alarm(gold_scores):
    assert gold_scores["qingdao12345"]["urgent"] == 0 and gold_scores["qingdao12345"]["flagged"] == 0


# ---- stop 23: everyday and operator wordings of the rubric's kinds -------------------------------
@pytest.mark.parametrize("text", [
    "来电人表示，如果今天还不解决，他就喝药死在镇政府门口。",       # third person, operator's summary
    "再不处理我就去找中央巡视组。",                                  # 再不…就: a condition, not a negation
    "市里不管，我只好到省里去讨个公道。",                            # a trip up, the verb before the level
    "来电人称，工人们明天准备去堵公司大门。",                        # blocking a gate
    "几十名工人现在聚集在项目部门口讨要工资。",                      # a group gathered now
    "我被债主威胁，他们说不还钱就让我见不到明天的太阳。",            # a threat to the writer's life
    "拆了一半的楼摇摇欲坠，下面就是人行道，没有任何围挡。",          # may fall over a walkway
    "我家房屋因为旁边挖地基，现在已经倾斜了，晚上都能听到响声。",    # tilting, said after a comma
    "电梯一个月掉了三次，孩子每天坐着上学，太吓人了。",              # a lift dropping, counted
    "高压线断了垂在路边，离地面很近，行人来来往往。",                # a live wire where people pass
])
def test_everyday_wordings_of_the_rubric_kinds_are_urgent(grader, text):
    assert level(grader, text) == "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "孩子明年要到北京上学，想咨询一下转学手续。",                    # a trip to Beijing for another purpose
    "现在这里聚集了大量人口，但交通却远远落后。",                    # 聚集 of population, not a group action
    "现联名就相关问题反映给上级部门，望予以高度重视。",              # 就 = regarding
    "村干部扬言：你们尽管去告状，就算告到中央巡视组我都不怕。",      # 就算: a concession, and not the writer's
    "今天上街找停车的地方找了半天还是没找着。",                      # going shopping
    "病死猪被扔进水渠无人管，请尽快处理。",                          # no danger to people passing
    "据天气预报有冰冻寒潮天气，为孩子们安全着想，希望期末考试提前。",  # the weather, not a home without heat
])
def test_controls_for_the_everyday_wordings_stay_below_urgent(grader, text):
    result = grader.grade(text)
    assert result["urgency"] != "紧急", result
    assert not result["urgency_review"], result


def test_a_letter_dated_in_winter_needs_no_word_for_the_cold(grader):
    text = "小区停气一个星期了，家里有八十岁的老人，做饭都成问题。"
    summer, winter = grader.grade(text), grader.grade(text, winter=True)
    assert summer["urgency"] != "紧急" and summer["urgency_review"], summer
    assert winter["urgency"] == "紧急", winter
    assert "(冬季来信)" in winter["urgency_evidence"]


def test_transform_reads_the_cold_months_from_the_letter_date():
    letters = pd.DataFrame({"title": ["停气"] * 3, "text": ["小区停气一个星期了，家里有八十岁的老人，做饭都成问题。"] * 3,
                            "received_at": pd.to_datetime(["2023-01-12", "2023-07-12", None])})
    graded = UrgencyGrader(refiner=None).fit().transform(letters)
    assert list(graded["urgency"] == "紧急") == [True, False, False]
    mild = UrgencyGrader(refiner=None, cold_months=()).fit().transform(letters)
    assert not (mild["urgency"] == "紧急").any()  # an office where winter is mild


@pytest.mark.parametrize("text", [
    "再拖下去，全体家长就组织起来去教育局讨说法。",            # 教育局 is a bureau, not 教育 (a suggestion)
    "业主群里已经约好周六上午到开发商售楼部拉横幅。",          # 已经约好: planned, not done
    "县里一直推来推去，实在不行我就去省委门口等领导。",        # 实在不行: a condition, not a negation
    "来电人称，目前有二十多名工人围在公司门口不肯离开。",      # a group at the gate now
    "我实在撑不下去了，这个月底再拿不到钱，我就带着孩子一起走。",  # self-harm in euphemism
    "市民反映，路边施工挖破了燃气管，目前正在往外冒气。",      # gas escaping now
    "村口的桥栏杆全断了，下面是几米深的河，每天学生骑车从桥上过。",  # a broken railing over a drop
])
def test_second_round_of_everyday_wordings_is_urgent(grader, text):
    assert level(grader, text) == "紧急", grader.grade(text)


def test_a_rule_quoted_from_the_education_bureau_is_no_group_action(grader):
    text = "教育局明明规定了坚决防止课后服务变相成为集体教育或补课，为何一中却屡屡违规。"
    assert level(grader, text) != "紧急", grader.grade(text)


def test_a_group_held_back_once_is_read_today(grader):
    """欲集体上访, 被劝下: read as defused (not 紧急), but the intent stays: the review band holds it."""
    out = grader.grade("工友们本来欲集体上访，被村干部劝下了，但五年的工资至今还是没发。")
    assert out["urgency"] != "紧急" and out["urgency_review"] is True, out
    assert "排除的紧急线索:欲集体上访[了结]" in out["urgency_evidence"]


@pytest.mark.parametrize("text", [
    "来电人表示，单位拖欠其工资两年，如果本周还不支付，他将到市政府楼顶讨说法。",          # onto a roof
    "网友留言：高利贷公司的人每天堵在我家门口，说不还钱就把我儿子带走，我现在不敢出门。",  # family threatened
    "来电人反映，河道边的护栏被冲毁，河水很深，附近有小学，学生放学经常在河边走。",        # railing gone by deep water
    "来电人反映，该公司拖欠三十多名农民工工资，工人们现在都在工地上不走，情绪激动。",      # a group that will not leave
])
def test_third_round_operator_and_board_wordings_are_urgent(grader, text):
    assert level(grader, text) == "紧急", grader.grade(text)


def test_a_past_group_petition_told_in_a_summary_is_not_read_today(grader):
    out = grader.grade("来电人反映，前年村里曾有村民集体上访，目前问题已解决，现咨询后续补助政策。")
    assert out["urgency"] != "紧急" and out["urgency_review"] is False, out


def test_the_refiner_gives_the_same_probabilities_in_every_process():
    """A rerun in a new process is the same run: the refiner's sums must not depend on the order of
    a set of strings, which string hashing changes from one process to the next."""
    import subprocess
    import sys

    code = ("from pipeline.read import read_letters; from pipeline.urgency import UrgencyGrader; "
            "from pipeline.paths import CORPORA_DIR; "
            "letters = read_letters([CORPORA_DIR / 'sample' / 'letters_xinfang.csv']).letters; "
            "g = UrgencyGrader().fit(); "
            "print(repr([g.refiner_.probability(t, g.grade_rules(t)) for t in g.letter_texts(letters)]))")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert runs[0] and runs[0] == runs[1]


@pytest.mark.parametrize("text", [
    "来电人称，XX河桥面施工拆了一半，没有封闭，晚上还有电动车从上面过，已经有人掉下去受伤了。",  # an open bridge deck
    "来电人扬言，如果街道不给他解决低保问题，明天就带上汽油去街道办讨个说法。",              # petrol taken along
    "市民反映，XX工地上百名工人因讨薪现在正堵在XX路上，交通已经中断。",                      # a road blocked now
    "来电人反映，小区配电房冒烟起火，物业电话打不通，楼里很多老人。",                        # a fire burning now
    "市民反映，XX公园湖面结了薄冰，很多小孩在冰面上玩，没有任何人管理和警示。",              # children on thin ice
    "来电人称，其邻居家养的大型犬已经咬伤两人，狗主人仍然不拴绳，今天早上又追咬小孩。",      # a dog that keeps biting
    "来电人反映，XX化工厂今天下午开始排放刺鼻气体，附近居民头晕呕吐，已有几人送医。",        # poisoned, in hospital
])
def test_fourth_round_river_hotline_and_board_wordings_are_urgent(grader, text):
    assert level(grader, text) == "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "结果15分钟还会堵在这两条道路上，上下班高峰期就拥堵严重。",      # a traffic jam, not a blockade
    "8月15号晚上9点再次停电，没一会业主群里拍视频说起火了。",        # a fire told after the fact
    "氰化池提炼黄金和硫酸高温煮黄金，造成河流严重污染。",            # acid in a process, not carried
    "小孩被狗咬伤，在市防疫站打了狂犬疫苗，可以报销吗？",            # one past bite: a question
    "有的狗看上去非常凶，张着牙要咬人的样子，很多人看到都避而远之。",  # no bite at all
])
def test_fourth_round_look_alikes_are_not_urgent(grader, text):
    out = grader.grade(text)
    assert out["urgency"] != "紧急" and out["urgency_review"] is False, out


@pytest.mark.parametrize("text", [
    "开发商要强拆，现在当地居民与开发商对峙中，如果处理不当会引起流血冲突。",    # a standoff now
    "我们是某小区的业主。今天之所以上访，是因为开发商欺诈了上千户业主。",          # the group petitioning now
    "我们一家被两次关电梯了，家里只有老人小孩，电梯现在还在用。",                  # trapped twice, still running
    "现在违建已至使该栋主体多处开裂，给我们业主一个安全的居住环境。",              # an occupied block cracking
    "如果解决不了我将通过信访渠道和向上级主管部门反应的方式继续申诉。",            # 反应 for 反映, to the superiors
    "如果电力公司强行施工，我们全体业主将不惜一切代价依法抵制。",                  # a group that will resist
])
def test_blind4_kinds_are_urgent(grader, text):
    """Development: written after blind4's errors were read (its first look is the blind figure)."""
    assert level(grader, text) == "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "对于老板这种称呼，要提醒或是批评抵制。",                 # 抵制 of a habit, not of a project
    "施工方不理，我只能阻止施工，后来派出所来调解。",          # one writer, and over
    "我向上级领导反映过多次，至今没有答复。",                  # 上级领导 is whom letters address
])
def test_blind4_look_alikes_are_not_urgent(grader, text):
    assert level(grader, text) != "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "由于该村领导处理问题不公正，导致该生产队村民正在上访。",                  # a group petitioning now
    "石场开山炸石，我村九成的房屋被震裂漏水，部分房屋已成危房，村民还住在里面。",  # houses cracked by blasting
    "项目部在小区进出口主要通道做的工程牌，至今已经严重变形倾斜，随时会砸到人。",  # a sign leaning over a way in
])
def test_blind5_kinds_are_urgent(grader, text):
    """Development: written after blind5's errors were read (its first look is the blind figure)."""
    assert level(grader, text) == "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "商户把桌椅摆在绿化带里，砍死绿化带的小树，方便他经营。",           # trees, not people
    "唯一一趟公交车说停就停，大冬天老人只能坐摩的进城卖菜。",           # a bus line, not gas or heating
    "交房以来墙面开裂严重，瓷砖脱落，物业不闻不问，业主家中漏水。",      # plaster cracks in a new flat
    "凯乐国际城是火灾频发的高危楼盘，请保障生命通道，安装电子警察。",    # 高危楼盘 and a fire lane
])
def test_blind5_look_alikes_are_not_urgent(grader, text):
    assert level(grader, text) != "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "教室是几十年前的旧楼，整体结构岌岌可危，走在楼道里感觉整栋楼都在发抖，一千多师生每天在里面上课。",  # a school shaking
])
def test_blind6_kinds_are_urgent(grader, text):
    """Development: written after blind6's errors were read (its first look is the blind figure)."""
    assert level(grader, text) == "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "工作人员每天早上一上班都会聚集柜台聊天，声音也不小，建议增设保持安静的提示。",  # staff chatting
    "信访部门的做法欺骗了诉求群众，制造了社会不稳定因素，我们要求重新交办。",          # an accusation, not an event
])
def test_blind6_look_alikes_are_not_urgent(grader, text):
    assert level(grader, text) != "紧急", grader.grade(text)


def test_a_child_in_another_paragraph_is_not_the_household_without_water(grader):
    text = ("建议：适龄小孩子就读于旁边的学校，中午需要接送，希望开通校车。" + "另外，小区的绿化和停车位也需要规划，" * 4
            + "物业对未交装修押金的业主进行停水处理，请问物业有何权利？")
    out = grader.grade(text, winter=True)
    assert out["urgency"] != "紧急", out


@pytest.mark.parametrize("text", [
    "物业擅自改造电梯安装门禁卡，业主多次被卡电梯内，多次向物业反映，物业置之不理。",  # trapped, again and again
    "如果领导不为我们做主，我们将上诉到市纪委或上级纪委，直至问题得到解决。",          # the commission above
    "两名重伤的民工现在还在医院，拖欠医疗费导致医院对伤员停药。",                      # treatment stopped now
])
def test_blind7_kinds_are_urgent(grader, text):
    """Development: written after blind7's errors were read (its first look is the blind figure)."""
    assert level(grader, text) == "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "楼下商铺营业到凌晨，噪音很大，本人现在入睡需带耳塞，吃安眠药。",     # pills to sleep through noise
    "我们将以法律为准绳逐级逐部门依次上诉，讨回拖欠的工资。",              # a court appeal, not a trip up
])
def test_blind7_look_alikes_are_not_urgent(grader, text):
    assert level(grader, text) != "紧急", grader.grade(text)


def test_blind8_a_cracked_tower_over_walkers_is_urgent(grader):
    """Development: written after blind8's errors were read."""
    text = "森林公园山顶上的塔年久失修，严重破败，开裂有倒塌危险，每天都有上山游人从塔下经过。"
    assert level(grader, text) == "紧急", grader.grade(text)


@pytest.mark.parametrize("text", [
    "的士于5月27日罢运至今，政府不准私自转让的士牌，与的士司机起冲突，市民出行极不方便。",  # others' strike
    "要不你教育局就把这些收费写进文件，要不就一捧打死，不准收。",                          # 一棒打死: ban outright
    "开发商与我们约好一般。拒绝业主验房的要求后，我们多次信访未果。",                      # 约好 and 业主 in two sentences
    "周边施工三天两头停水，现在又往小区里排油烟，院内是孩子们的活动场所。",                # water, not gas or heating
    "这座石拱桥已经不堪重负，这样下去会有倒塌的危险，请保护古桥。",                        # a risk, not a danger now
])
def test_blind8_look_alikes_are_not_urgent(grader, text):
    assert level(grader, text) != "紧急", grader.grade(text)


# ---- stop 25: the kinds the blind splits (blind9-14) and probe rounds 5-9 showed, each with its look-alikes.
# Development: written after those splits' and rounds' errors were read; their stored first looks are the
# blind figures (corpora/urgency/README.md).
STOP25_URGENT = [
    "市民来电反映：补偿款一直不给，来电人称“这个月再不解决我就直接去省信访局”。",  # the caller's own words
    "因网贷逾期，催收人员每天上门往门上泼红漆，现在还在楼道里。",                 # collectors at the door now
    "若问题不解决，届时我将不惜以极端手段维权。",                                   # blind9: drastic means
    "该校区所用教室是原职中废弃不要了的，现在学生在里面就读，墙体开裂。",          # 废弃 by another owner: used now
    "因为我已收到威胁，如果被举报人知道是我，后果不堪设想。",                      # blind10: threatened now
    "现在县政府门口坐了一大批当年腾出土地的原住民，补偿款至今没有给。",          # a sit-in now
    "如果政府仍未介入，业主们将会群体信访，恐会进行过激的维权活动。",            # a group petition announced
    "平台出借人恐慌情绪在逐渐失控，一些极端的想法在萌生。",                      # drastic ideas growing
    "他们在群里放话，近期就会血染大市场。",                                      # bloodshed
    "自入住到现在一直多处严重漏水，房体开裂，求助物业无果。",                    # an occupied house cracking
    "小区业主已被餐馆短信威胁，我们并不想人身安全受到伤害。",                      # blind11: threatened already
    "施工导致基脚塌方，房屋沉降墙体开裂，整栋十几户老百姓无家可归。",              # blind11: a block's households
    "司机们已经商量定了：如果到周四公司还不松口，周五早上全体停运。",               # probe 7: a strike fixed
    "全体业主定于本月15日上午到市政府门前集体反映。",                              # probe 7: a group visit fixed
    "举报传销窝点，现在受害人一直困在里面，里面现在控制8个人，请你们解救。",          # blind12: held now
    "开发商再不拆除该围墙，我们将不得不自己动手拆除，后果我们概不承担责任。",        # blind12: acting themselves
    "开发商在院内建房，导致我们家属楼严重开裂变形受损。",                            # blind12: a residential block
    "为什么要一下致我于死地？似乎是逼我杀几个人的节奏！",  # blind14: driven to kill
]
STOP25_LOOK_ALIKES = [
    "天寒地冻，公交车太少，很多孩子都挤不上车，建议增开班次。",       # weather, not a home without heating
    "垃圾站太臭了，每天路过都熏得不想活了，希望多清运一次。",         # rhetoric
    "对方在线客服一直联系不上，市民来电称刚刚和客服联系上了。",       # 刚刚 is no emergency
    "村里的旧办公楼外墙开裂，搬走后一直空着，平时没人进去，建议拆除。",  # nobody inside
    "工资被拖欠半年，天寒地冻，家里老人孩子等着钱过年。",             # wages in winter, not an outage
    "我知道有的家属遇到医疗纠纷会到医院去闹，我不会那么做，只想咨询费用核查。",     # others' action
    "去年一月份最冷的时候，小区停了五天暖气，家里八十岁的老父亲冻感冒了。今年供暖正常。",  # a past winter
    "河堤到处塌陷，河道污染严重，请尽快治理。",                                   # a slipped bank: after the fact
    "你们再敷衍的话，我只有继续上访了。",                                        # 继续上访, no level or group: 较急
    "这个油烟熏得人都不想活了，请城管上门检查。",                                # rhetoric
    "按购房合同约定，开发商应于2019年交房，并承担违约责任，依法维护业主权益。",     # a contract, not a plan
    "开发商定于2010年8月31日验收合格交付业主。",                                    # a contract date
    "买了附近房子的，要赶快告诉业委会，去省国土资源厅提意见。",                    # a consultation, not a petition
    "对门占楼道养鸡，真是气的俺想一头撞死在他家门口。",                            # anger, not self-harm
    "人行道井盖缺失，井口已用两个水马围住，挂了警示牌，行人绕行。",                # already guarded
    "物业停掉了我的梯控卡，租户几乎每天晚上都回不了家。",                          # a key card, not a lift
    "高温天气请单位做好防暑降温，避免工人中暑。",                              # heatstroke prevention
    "KTV每天营业到凌晨，天天被吵得想跳楼，请执法部门夜间检查。",               # anger
    "上周燃气管道被挖断，燃气公司关了阀，当天晚上就恢复了供气，表示感谢。",    # settled the same day
    "学校周边道路被施工掏空了部分绿化带，影响学生通行。",                      # not under a road or a levee
    "小区南门一到下午就聚集七八上十个摊贩，直接用液化气现场加工，给居民带来安全隐患。",  # blind12: street stalls gathering
    "秋冬即将来临，霜冻天气难免会让溢出来的粪水结冰，也会影响附近老人、孩子出行。",  # blind14: 霜冻 is weather
]




# Stop 26: the rubric read literally where two readers agreed and the rules did not (blind2-14), then
# blind15's misses. A conditional trip to any body above the one asked is the rubric's "another higher
# level" (stop 25 had 继续向上级反映 as a look-alike; the rubric and blind10's reader say otherwise).
STOP26_URGENT = [
    "如还未得到处理，本人将向市委投诉反映。",                                       # blind14: conditional, 市委
    "如果本次政府没有妥善处理，我们将直接写信给更高一级的政府。",                   # blind13: a higher government
    "如不能配合，全体业主将继续联名申诉到县级部门市级部门省级部门。",               # blind13: up the levels
    "你们再敷衍的话，我只有继续向上级反映了。",                                      # blind10: 上级 is a higher level
    "竹山园村老百姓住着危房里，区政府没领导救？",                                  # blind12: living in a 危房
    "三中白云小区有一栋危房，老师住危房，快一年了还没有解决。",                      # blind6: teachers living in it
    "2019年4月进行协议拆迁，本人担心爸妈会为了此事被逼做出极端行为。",               # blind15: a worry, not history
    "交房才两年，入住的业主发现3栋西侧的墙面与地基之间就出现了多处裂痕和塌陷现象。",  # blind15: 裂痕
    "谁敢动我家一家老小一根毫毛，我将为其粉身碎骨。",                                # blind15: a threat
    "各位家长在群里面议论纷纷，要求到校长办公室、教育局上访。",                        # blind15: a group petition wanted
    "从大厦门前路过时，从高空坠落一块拳头大的石块，只差半步就被砸到，附近居民说掉落砖头、玻璃也不是第一次了。",  # blind15
    "唯一的办法是举报，去市里，去省里，去巡视组，上到中央。",                        # blind15: the only way left
    "屋顶现在都还是歪着的，用几根木头顶着，每天有几百人在里面吃饭，随时会塌。",      # blind15: a restaurant open
    "沿围墙一条排水沟，水沟的挡墙不足30厘米，且悬崖高筑，没有栏杆，老人小孩走在上面非常危险。",  # blind16: no railing
    "县里要是再解决不了，我就去市里，市里不行我就上省里。",  # probe 10: 上(?=省) read past the window; 不行我就 a condition
    "电梯经常卡滞，本人亲身经历被卡滞3次。",                   # blind17: a lift sticking with people inside
    "渗水漏水自开发商交房以来从未彻底解决，某些栋出现地基下沉。",  # blind17: a block handed over and lived in
    "从2017年10月开始截止2018年8月1号，电梯坠落，卡人，自动停降掉等安全事故时时发生。",  # blind18: 时时发生
    "今天再见不到钱我就爬上去，不活了。",  # probe 11: 见不到…就 is a condition, its 就 opening the cue
    "我们几百户业主诉求无门，不得已计划组织聚众维权示威。",  # blind19: 不得已 negates nothing
    "电梯多次出现关门后猛的下沉约15公分，就在刚刚又一次发生故障。",  # blind20: a lift dropping
    "一个下水道井盖被闯红灯的车撞飞，硕大的井口稍有不慎就会有小孩掉进去。",  # blind20: a manhole knocked open
    "开发商车位买卖开盘之日就是我们业主信访开始之日。",  # blind20: a group petition fixed to a day
]
STOP26_LOOK_ALIKES = [
    "请问低保户住着危房，能不能申请危房改造补助？",                       # the subsidy programme
    "我会一直向上级有关部门领导反映此事。",                               # no condition: the letter itself
    "楼上住户在阳台外侧吊花盆，担心高空坠物，请物业劝导。",                # a worry, nothing fell
    "小区的家长们商量着要给老师送一面锦旗。",                               # a group, no petition
    "谁敢在我家门口乱停车，我就报警。",                                   # no harm
    "建议有关部门如果发现问题，及时向上级汇报。",                          # a suggestion to officials
    "河边去年已经装好了栏杆，孩子们放学后在岸边玩耍，请问能否再装几盏路灯。",      # the railing is there
    "收费员一不爽就跟司机吵，打上级部门的投诉电话也是态度恶劣。",                  # blind17: a phone number, no trip
    "还没有交房，业主已发现数栋楼房都出现了沉降开裂等问题。",                        # blind18: nobody lives there yet
    "今天早上车外大概0度，931路公交车内暖气都不开，小孩上学坐公交太冷了。",           # blind18: a bus, not a home
]


@pytest.mark.parametrize("text", STOP25_URGENT + STOP26_URGENT)
def test_stop25_and_stop26_kinds_are_urgent(grader, text):
    assert level(grader, text) == "紧急", grader.grade(text)


@pytest.mark.parametrize("text", STOP25_LOOK_ALIKES + STOP26_LOOK_ALIKES)
def test_stop25_and_stop26_look_alikes_are_not_urgent(grader, text):
    assert level(grader, text) != "紧急", grader.grade(text)


# Stop 48: kinds blind20-32's letters still missed (development: those letters were read). Each
# wording is a class row or a frame (corpora/urgency/compose.csv), checked on every split and on all
# shared letters (no gold letter newly 紧急 against its label).
STOP48_URGENT = [
    "目前已经很多班级的小朋友无缘无故流鼻血，大面积情况，请相关部门出面处理。",          # blind31: many ill now
    "今天中午学生餐的肉是臭的，班上同学吃到口里都一阵呕吐。",                            # blind31: a school lunch
    "幼儿园大门被人用电焊焊死，外面的幼儿进不去，里面的幼儿出不来。",                    # blind28: shut in
    "在撤架的施工过程中，每撤一根架管和扣件，就直接往地上扔，居民每次出门都提心吊胆。",   # blind32: thrown down
    "现在周边住户纷纷挂出白旗，抗议毒气污染，希望县委出面解决。",                        # blind29: protest now
    "物业于今天开始强行收取停车费，今天出现了业主车辆堵门的情况。",                      # blind22: a gate blocked today
    "如今该校人去楼空，受害学生自发组织四处维权。",                                      # blind23: victims organised
    "如果不予以处理，我们将采取必要的强制手段！",                                        # blind24: drastic action
    "2016年登记时却都是差额事业编，严重损害了我们91位医护人员的合法利益，我们将一级一级上访。",  # blind25: a plan after a date
    "这次不管上访到哪一级，我们都要讨回我们的血汗钱。",                                  # blind22: as high as it takes
    "对方指使社会人员在我家门口蹲守，电话威胁我的家人，使我的家人不敢出门。",            # blind23: sent to threaten
]
STOP48_LOOK_ALIKES = [
    "宿舍楼经常有人往楼下扔生活垃圾，请物业管一管。",                          # litter, not a danger
    "前几天买的牛奶过期了，现在两个孩子喝了全部拉肚子，请严查食品安全。",       # one family, two children
    "尾矿石过处灰尘满天，现在不少人被污染中毒，患上了癌症。",                   # chronic pollution: 较急
    "七日中午我们等车两个小时，大家情绪激动，决定堵路，这样堵了半小时才来车。",  # a past road block
    "2017年8月初通道即将被封堵，业主们被迫集体上访区信访局。",                  # a past group petition
    "小区的业主在装修时砸了承重墙，请住建部门查处。",                            # a hazard, not an emergency
]


STOP48_URGENT += [
    "这个月底再没个说法，我就把那瓶农药喝了，省得给谁添麻烦。",                    # probes14: poison, everyday order
    "包工头找了五六个社会上的人，说谁再去劳动局告，就让他横着回老家。",            # probes14: a threat to workers
    "村口那座漫水桥冲没了，河对岸五户人家十几口人，出不来也进不去。",              # probes14: cut off by a flood
    "来电人称楼里的人都商量好了。后称“过完年再没人来管，大伙儿就一块坐车到区政府门口坐着去”。",  # 后称: the caller
    "我跟你说我票都买好了后天一早的高铁我去省城当面说去。",                      # 跟你说: the caller's own words
]
STOP48_URGENT += [
    "司机和一个乘客爬到车顶上还没出来，水还在涨，现场没有人管。",                  # probes15: a flooded underpass
    "前天夜班井下出了事，到现在已经两天没有升井。",                                # probes15: miners not come up
    "今天上午已经有四五十个村民聚在工地门口，把施工便道口堵上了。",                # probes15: a crowd there now
    "孙某又打来电话称“晚上就过来，带着刀，大家一起完蛋”。",                        # probes15: coming with a knife
    "再往这里倒一车，我就拿铁锹把司机的车砸了，出了什么事我自己担着。",            # probes15: a veiled threat
]
STOP48_LOOK_ALIKES += [
    "开城公司职工因为生活困难已经有过数次集体上访！",                              # 已经有过: the past
    "亲眼目睹两辆轿车发生严重碰撞，所幸无人员伤亡。",                              # kept 较急 (no 紧急)
]
STOP48_LOOK_ALIKES += [
    "油烟直往屋里灌，我这一个月嗓子一直发炎，熏得人真想跳楼。",                   # probes14: a nuisance's degree
    "就是说吵得我都想跳楼了嗯打个比方啊。",                                       # probes14: said as a figure
    "上周楼道里燃气管子漏气，当天燃气公司来人把阀门关了，管子也换了新的。",        # probes14: made safe that day
    "那栋老实验楼去年鉴定为危房，已经停用，门口拉了警戒线，学生不让过去。",        # probes14: out of use, cordoned
]


@pytest.mark.parametrize("text", STOP48_URGENT)
def test_stop48_kinds_are_urgent(grader, text):
    assert level(grader, text) == "紧急", grader.grade(text)


@pytest.mark.parametrize("text", STOP48_LOOK_ALIKES)
def test_stop48_look_alikes_are_not_urgent(grader, text):
    assert level(grader, text) != "紧急", grader.grade(text)


# ---- wording probe rounds (corpora/urgency/probes<N>.csv) ---------------------------------------
# Letters in styles the shared data lacks (hotline summaries, letters to leaders, river complaints,
# county letters, barely literate writers, group letters), written and labelled from the rubric by
# another hand. Each file stores the frozen grader's first look, taken before the round's errors were
# read; the graded test is the development fit. Per round: (紧急 found on first look, look-alikes
# flagged on first look, {probe: why it is still missed}).
PROBE_ROUNDS = {
    5: (18, 2, {}),
    6: (24, 4, {"p6-D15": "a thank-you letter telling a danger since removed: the resolution is sentences after the cue"}),
    7: (27, 3, {
    }),
    8: (19, 3, {
    }),
    9: (30, 6, {
        "p9-38": "lifts that trapped people last year, replaced since: the replacement is sentences later",
    }),
    10: (23, 0, {
    }),
    11: (27, 4, {
    }),
    12: (31, 2, {}),
    13: (19, 3, {
    }),
    14: (27, 6, {}),
    15: (29, 2, {
        "p15-03": "a jump threat made last year (当时曾…说要跳楼) and over: a dated or 曾 past does not demote self-harm, by design",
    }),
    16: (25, 2, {}),
    17: (26, 2, {}),
    18: (22, 4, {}),
    19: (24, 2, {}),
    20: (29, 5, {}),
    21: (18, 1, {}),
    22: (23, 4, {}),
    23: (26, 3, {}),
    24: (19, 4, {}),
    25: (30, 6, {}),
    26: (22, 1, {}),
    27: (30, 4, {}),
    28: (28, 5, {}),
    29: (28, 3, {
        "p29-34": "flagged since stop 71: a callback's first call (准备第二天去堵省道, settled the next day) read as now, once 堵省道 became a group action",
    }),
    30: (35, 1, {}),
    31: (21, 1, {}),
    32: (18, 1, {}),
    33: (19, 1, {}),
    34: (18, 0, {}),
    35: (28, 0, {
    }),
    36: (24, 1, {}),
    37: (23, 0, {}),
    38: (20, 2, {}),
    39: (20, 2, {}),
    40: (27, 1, {}),
    41: (31, 4, {}),
    42: (25, 0, {}),
    43: (33, 2, {}),
    44: (33, 4, {}),
    45: (27, 1, {}),
    46: (22, 3, {
        "p46-18": "sewer wells smelling of rotten eggs: last week's gas alarm ruled out (燃气公司来测过，说不是燃气) inside "
                  "the frame's own span, where a later 解除 is not looked for",
        "p46-29": "fine cracks in a flood wall's footpath with nobody living by it: the building frame reads 堤顶步道 "
                  "as a structure and 住户 inside 附近没住户 as occupied",
    }),
    47: (25, 2, {}),
    48: (30, 5, {}),
    49: (28, 0, {}),
    50: (27, 0, {}),
    51: (27, 2, {
        "p51-16": "no warning sign on a riverbank where a child drowned last summer and children play daily: the "
                  "unguarded-site frame reads the bank as a site; the writer asks for a sign, a hazard within days",
    }),
    52: (27, 1, {
    }),
    53: (26, 4, {
        "p53-17": "a caller's neighbour threatened to jump last month and has been paid since: 曾扬言跳楼 told of "
                  "someone else, and 他人 does not see 其邻居",
    }),
    54: (29, 7, {
        "p54-06": "a kindergarten's diarrhoea last month, every child discharged; the parents want the report: "
                  "the children-ill frame reads 孩子们还在那个食堂吃饭 as now",
        "p54-27": "a writer who said last winter he would drink poison, helped since, asks what the review needs: "
                  "说了要喝药的话 is words told of the past, and self-harm takes no 往事",
        "p54-59": "a hit-and-run driver not found a year on, a family asking about relief funds: 到现在没找到 reads as "
                  "someone missing now",
    }),
    55: (26, 5, {
        "p55-41": "a lift that dropped four floors this morning with a pregnant woman inside, the property's note says "
                  "it runs normally again: the rubric keeps it 紧急 (still running), the 解除 rows read it as repaired",
        "p55-43": "a neighbour's joke in a group chat (再钻我就跳楼[捂脸], answered with 哈哈哈): the emoji and the "
                  "laughter after the cue are not read",
        "p55-55": "这楼要塌了吧哈哈 about an air conditioner's hum: laughter after the cue is not read",
        "p55-57": "a boss's dare in a chat (老板-邹总 20:35：你去北京告我我也不怕): a speaker's label is not read as "
                  "someone else's words",
    }),
    56: (24, 2, {
    }),
    57: (28, 1, {}),
    58: (26, 2, {
        "p58-02": "a restaurant owner passing on diners' talk of villagers 串联 to go to the county: the rumour's 听…说 is "
                  "a clause before the cue, which the 引述 rows do not reach",
    }),
    # stop 53: kinds not read yet, left as found (the writer's kind of each)
    59: (26, 5, {
        "p59-03": "still flagged: 陷阱·上周持刀事件已处置",
        "p59-08": "still flagged: 陷阱·跳楼价 促销喇叭",
        "p59-30": "still flagged: 陷阱·过去的自伤说法 已解决",
        "p59-46": "still flagged: 陷阱·走失的是宠物",
        "p59-52": "still flagged: 陷阱·学生作业询问群体反映渠道",
    }),
    60: (24, 3, {
        "p60-10": "still flagged: 陷阱：房屋倒塌后的政策咨询",
    }),
    61: (19, 5, {
        "p61-32": "still flagged: 楼上空房漏水（无人身危险）",
        "p61-53": "still flagged: 独居老人虚惊一场（已确认平安）+建议",
    }),
    62: (25, 2, {
        "p62-02": "still flagged: 病危抢救已过去、病情稳定",
        "p62-15": "still missed: 隐晦的诀别式自杀暗示",
        "p62-35": "still flagged: 小品台词中的跳下去（玩笑/虚构）",
    }),
    63: (25, 2, {
    }),
    64: (21, 2, {
        "p64-10": "still missed: 临街大厦外墙坠落",
        "p64-42": "still flagged: 无人处险的建筑隐患",
        "p64-47": "still flagged: 被指“非法聚集”的合法业主大会",
    }),
    65: (18, 5, {
        "p65-08": "still flagged: trap: violent facts of a past crime in a defence request",
        "p65-19": "still flagged: trap: past self-harm threat, matter resolved",
    }),
    66: (24, 1, {
    }),
    67: (21, 2, {
    }),
    68: (23, 2, {
    }),
    69: (26, 4, {
        "p69-02": "still flagged: 陷阱：危房已围挡、无人居住通行",
    }),
    70: (24, 1, {
        "p70-19": "still flagged: 陷阱：去年的跳楼威胁已结束，现为欠薪",
    }),
    71: (25, 3, {
        "p71-26": "still missed: 准备带材料赴国家卫健委",
        "p71-33": "still flagged: 陷阱：他人匿名帖中的横幅言论，来电为程序咨询",
    }),
    72: (28, 3, {
        "p72-35": "still flagged: 陷阱：疑似燃气泄漏经查系污水厂硫化氢",
        "p72-46": "still flagged: 陷阱：尾矿库渗水但已闭库无人在下游",
    }),
    73: (30, 2, {
        "p73-37": "still flagged: 陷阱：假设性问题，询问处置方式",
        "p73-51": "still flagged: 陷阱：租房押金纠纷，有明确期限",
    }),
    74: (21, 3, {
        "p74-22": "still flagged: 陷阱:假设持刀伤人询问预案",
    }),
    75: (26, 0, {
    }),
    76: (20, 1, {
    }),
    77: (29, 1, {
        "p77-16": "still flagged: 陷阱：转述他人“要往下跳”，已当场平息",
    }),
    78: (30, 2, {
        "p78-22": "still flagged: 陷阱：过去的自伤言论已撤回",
    }),
    79: (29, 1, {
        "p79-52": "still flagged: 陷阱·冰凌隐患已围挡无人通行",
    }),
    80: (23, 2, {
        "p80-21": "still flagged: 危楼已清空并围挡，无人居住",
        "p80-23": "still missed: 电梯开门运行险夹人仍在使用",
        "p80-30": "still flagged: 燃气味事件已修复",
    }),
    81: (25, 3, {
        "p81-39": "still flagged: trap: road-blocking video turned out to be old, elsewhere",
        "p81-48": "still missed: trip to provincial inspection team after a closed case",
        "p81-55": "still flagged: trap: gas alarm, checked, no leak, closed",
    }),
    82: (19, 4, {
        "p82-13": "still flagged: 陷阱：戒毒康复机构欠薪",
    }),
    83: (23, 2, {
        "p83-18": "still flagged: a sand pit that will fill with water next spring, told with 冻 and 娃 near it (a future risk)",
        "p83-27": "still flagged: another village's talk of going to Beijing, reported second-hand (听邻村人说…有人扬言) far from the 称",
    }),
    84: (31, 3, {
        "p84-08": "still flagged: 换一个心理脆弱一点的人，说不定早就想不开了 is a supposition about someone else",
        "p84-27": "still flagged: a dangerous building already emptied and fenced off, told in words the vacant class lacks",
        "p84-53": "still flagged: a gas smell in a closed shop, the valve shut and nobody inside",
    }),
    85: (22, 0, {
    }),
    86: (26, 4, {
        "p86-03": "still flagged: villagers going together to the town government with a banner to thank it",
        "p86-35": "still flagged: 恨不得拿脑袋撞墙 is a patient's rhetoric about night noise",
        "p86-40": "still flagged: a social worker's proposal, 轻生 named only to say nobody spoke of it",
        "p86-43": "still flagged: old people's group trip to Beijing to see the flag-raising",
    }),
    87: (25, 4, {
        "p87-38": "still missed (the round was read at stop 57; what its rows still miss)",
        "p87-42": "still flagged (the round was read at stop 57; what its rows still miss)",
        "p87-47": "still flagged (the round was read at stop 57; what its rows still miss)",
        "p87-44": "the stop 63 refit of sieve.json (rounds 5-150) lost it",
    }),
    88: (22, 3, {
        "p88-13": "still flagged (the round was read at stop 57; what its rows still miss)",
        "p88-14": "still missed (the round was read at stop 57; what its rows still miss)",
    }),
    89: (26, 3, {
        "p89-21": "still flagged (the round was read at stop 57; what its rows still miss)",
        "p89-47": "still flagged (the round was read at stop 57; what its rows still miss)",
    }),
    90: (25, 1, {
        "p90-19": "still flagged (the round was read at stop 57; what its rows still miss)",
        "p90-32": "still missed (the round was read at stop 57; what its rows still miss)",
        "p90-57": "still missed (the round was read at stop 57; what its rows still miss)",
    }),
    91: (25, 0, {
    }),
    92: (24, 1, {
        "p92-51": "still missed (the round was read at stop 57; what its rows still miss)",
    }),
    93: (23, 4, {
        "p93-30": "still flagged (the round was read at stop 57; what its rows still miss)",
        "p93-41": "still flagged (the round was read at stop 57; what its rows still miss)",
        "p93-43": "still missed (the round was read at stop 57; what its rows still miss)",
        "p93-52": "still flagged (the round was read at stop 57; what its rows still miss)",
    }),
    94: (22, 1, {
        "p94-04": "still flagged (the round was read at stop 57; what its rows still miss)",
        "p94-31": "still missed (the round was read at stop 57; what its rows still miss)",
    }),
    95: (29, 3, {
        "p95-04": "still flagged (the round was read at stop 58; what its rows still miss)",
        "p95-15": "still flagged (the round was read at stop 58; what its rows still miss)",
        "p95-30": "still missed (the round was read at stop 58; what its rows still miss)",
    }),
    96: (26, 2, {
        "p96-51": "still missed (the round was read at stop 58; what its rows still miss)",
    }),
    97: (26, 2, {
        "p97-46": "still flagged (the round was read at stop 58; what its rows still miss)",
    }),
    98: (25, 1, {
    }),
    99: (29, 2, {
        "p99-02": "still flagged (the round was read at stop 58; what its rows still miss)",
    }),
    100: (29, 3, {
        "p100-42": "still flagged (the round was read at stop 58; what its rows still miss)",
        "p100-57": "still flagged (the round was read at stop 58; what its rows still miss)",
    }),
    101: (30, 2, {
        "p101-21": "still flagged (the round was read at stop 58; what its rows still miss)",
    }),
    102: (31, 5, {
        "p102-30": "still flagged (the round was read at stop 58; what its rows still miss)",
        "p102-45": "still flagged (the round was read at stop 58; what its rows still miss)",
        "p102-46": "still flagged (the round was read at stop 58; what its rows still miss)",
        "p102-53": "still flagged (the round was read at stop 58; what its rows still miss)",
    }),
    103: (33, 4, {
        "p103-27": "a cold flat at 15-16 degrees with a child but no one at risk: heating cues read it as an outage (read at stop 59, left)",
    }),
    104: (29, 2, {
        "p104-38": "a bill that makes the writer 'want to jump off a building': hyperbole after 看到账单我都想 (read at stop 59, left)",
    }),
    105: (30, 1, {
    }),
    106: (30, 2, {
        "p106-36": "a hose that leaked last week, replaced and tested: who pays (read at stop 59, left)",
    }),
    107: (27, 0, {
        "p107-05": "the stop 63 refit of sieve.json (rounds 5-150) lost it",
        "p107-47": "the stop 63 refit of sieve.json (rounds 5-150) lost it",
    }),
    108: (26, 2, {
        "p108-40": "missed at the first look (stop 59: the round's texts are kept unread for a later blind look)",
        "p108-49": "missed at the first look (stop 59: the round's texts are kept unread for a later blind look)",
        "p108-51": "missed at the first look (stop 59: the round's texts are kept unread for a later blind look)",
        "p108-18": "the stop 63 refit of sieve.json (rounds 5-150) lost it",
    }),
    109: (29, 0, {
    }),
    110: (29, 2, {
        "p110-07": "flagged at the first look (stop 59: the round's texts are kept unread for a later blind look)",
    }),
    111: (32, 4, {
        "p111-08": "missed at the first look (stop 59: the round's texts are kept unread for a later blind look)",
        "p111-19": "missed at the first look (stop 59: the round's texts are kept unread for a later blind look)",
        "p111-35": "flagged at the first look (stop 59: the round's texts are kept unread for a later blind look)",
        "p111-60": "flagged at the first look (stop 59: the round's texts are kept unread for a later blind look)",
    }),
    112: (27, 2, {
        "p112-16": "missed at the first look (stop 59: the round's texts are kept unread for a later blind look)",
        "p112-27": "missed at the first look (stop 59: the round's texts are kept unread for a later blind look)",
    }),
    113: (25, 0, {
    }),
    114: (27, 3, {
        "p114-28": "flagged at the first look (stop 59: the round's texts are kept unread for a later blind look)",
        "p114-34": "missed at the first look (stop 59: the round's texts are kept unread for a later blind look)",
        "p114-35": "flagged at the first look (stop 59: the round's texts are kept unread for a later blind look)",
        "p114-45": "flagged at the first look (stop 59: the round's texts are kept unread for a later blind look)",
    }),
    115: (30, 3, {
        "p115-47": "flagged at the first look (stop 59: the round's texts are kept unread)",
        "p115-60": "flagged at the first look (stop 59: the round's texts are kept unread)",
    }),
    116: (24, 3, {
        "p116-04": "flagged at the first look (stop 59: the round's texts are kept unread)",
        "p116-22": "missed at the first look (stop 59: the round's texts are kept unread)",
    }),
    117: (32, 0, {
        "p117-42": "missed at the first look (stop 59: the round's texts are kept unread)",
        "p117-45": "missed at the first look (stop 59: the round's texts are kept unread)",
    }),
    118: (28, 1, {
        "p118-09": "missed at the first look (stop 59: the round's texts are kept unread)",
        "p118-51": "missed at the first look (stop 59: the round's texts are kept unread)",
        "p118-55": "flagged at the first look (stop 59: the round's texts are kept unread)",
    }),
    119: (25, 2, {
        "p119-04": "flagged at the first look (stop 59: the round's texts are kept unread)",
    }),
    120: (26, 2, {
        "p120-01": "flagged at the first look (stop 59: the round's texts are kept unread)",
        "p120-16": "missed at the first look (stop 59: the round's texts are kept unread)",
        "p120-40": "missed at the first look (stop 59: the round's texts are kept unread)",
    }),
    121: (28, 5, {
        "p121-25": "flagged at the first look (stop 59: the round's texts are kept unread)",
        "p121-42": "flagged at the first look (stop 59: the round's texts are kept unread)",
        "p121-57": "flagged at the first look (stop 59: the round's texts are kept unread)",
    }),
    122: (27, 5, {
        "p122-12": "flagged at the first look (stop 59: the round's texts are kept unread)",
        "p122-16": "flagged at the first look (stop 59: the round's texts are kept unread)",
        "p122-47": "flagged at the first look (stop 59: the round's texts are kept unread)",
        "p122-49": "flagged at the first look (stop 59: the round's texts are kept unread)",
    }),
    123: (28, 1, {
        "p123-07": "missed at the first look (stop 60: the round's texts are kept unread)",
    }),
    124: (30, 1, {
        "p124-19": "missed at the first look (stop 60: the round's texts are kept unread)",
    }),
    125: (28, 4, {
        "p125-17": "missed at the first look (stop 60: the round's texts are kept unread)",
        "p125-21": "flagged at the first look (stop 60: the round's texts are kept unread)",
        "p125-52": "flagged at the first look (stop 60: the round's texts are kept unread)",
    }),
    126: (29, 2, {
        "p126-01": "flagged at the first look (stop 60: the round's texts are kept unread)",
        "p126-24": "flagged at the first look (stop 60: the round's texts are kept unread)",
    }),
    127: (34, 1, {
    }),
    128: (36, 2, {
    }),
    129: (33, 4, {
        "p129-27": "flagged at the first look (stop 61; read, no rule yet: classmates repeating a game's lines, said as such)",
        "p129-31": "flagged at the first look (stop 61; read, no rule yet: a parent's habitual words, said never to be meant)",
        "p129-37": "flagged at the first look (stop 61; read, no rule yet: a wish to die last month, now better and thanking)",
    }),
    130: (33, 0, {
    }),
    131: (34, 1, {
    }),
    132: (31, 0, {
        "p132-41": "missed at the first look (stop 61: the round's texts are kept unread)",
    }),
    133: (35, 0, {
    }),
    134: (32, 2, {
        "p134-36": "flagged at the first look (stop 61: the round's texts are kept unread)",
    }),
    135: (34, 2, {
        "p135-36": "flagged at the first look (stop 61: the round's texts are kept unread)",
    }),
    136: (35, 1, {
        "p136-54": "flagged at the first look (stop 61: the round's texts are kept unread)",
        "p136-57": "missed at the first look (stop 61: the round's texts are kept unread)",
    }),
    137: (30, 3, {
        "p137-21": "flagged at the first look (stop 61: the round's texts are kept unread)",
        "p137-51": "flagged at the first look (stop 61: the round's texts are kept unread)",
    }),
    138: (35, 0, {
    }),
    139: (32, 4, {
    }),
    140: (31, 2, {
    }),
    141: (34, 0, {
    }),
    142: (33, 0, {
    }),
    143: (34, 1, {
    }),
    144: (34, 2, {
    }),
    145: (34, 1, {
    }),
    146: (32, 0, {
    }),
    147: (33, 0, {
    }),
    148: (33, 1, {
    }),
    149: (34, 0, {
    }),
    150: (34, 0, {
    }),
    151: (30, 2, {
    }),
    152: (33, 2, {
        "p152-21": "a beating planned for tonight whose verb stands in quotation marks (说晚上去把那老太太“收拾一顿”): a cue crossing a quote mark is dropped by design; only the second reader sends it to review",
    }),
    153: (34, 2, {
        "p153-35": "old people queueing in a cold wind for free eggs (一排七八十个老人冻得直跺脚): the cold-and-elderly row reads it as people freezing now; a discomfort, the writer labelled 较急",
    }),
    154: (33, 1, {
    }),
    155: (35, 0, {
    }),
    156: (34, 2, {
        "p156-58": "a tour guide's words quoted and denied (讲解员…说“这楼随时可能塌”…跳楼的事也是编的): the building cue reads the quote, and 跳楼的事 is read as a threat",
    }),
    157: (33, 1, {
    }),
    158: (35, 2, {
    }),
    159: (33, 1, {
    }),
    160: (35, 3, {
    }),
    161: (32, 3, {
        "p161-11": "an old man's vow to sit in the county petition office every day until his grandson's points are added: the rules read 较急 (the same level, no group); the second reader grades it 紧急",
        "p161-59": "parents' plan to block the roads on 1 September 'if the school does not open' (再不开学，那天早上大家就一起把…路口都占上): 那天 after 再不 reads as a narrated past; only 如果-type suppositions free a date",
    }),
    162: (34, 2, {
    }),
    163: (31, 3, {
        "p163-02": "a ski resort's dormitory at 7-8 degrees where several have colds: 感冒 reads as someone ill in the cold (the rubric's sick people); the writer labelled it 较急 (young workers, no one vulnerable named)",
        "p163-57": "a thank-you letter: a son lost overnight on a mountain, found, 孩子只是冻着了: the cold-child row reads 孩子…冻 with 只是 unread",
    }),
    164: (32, 4, {
    }),
    165: (35, 5, {
    }),
    166: (32, 2, {
        "p166-06": "a rant: 真想把他们那个油锯扔河里去 (a chainsaw, not a person): the throw-in-the-river row does not look at what is thrown",
    }),
    167: (36, 4, {
    }),
    168: (35, 3, {
        "p168-50": "flagged since stop 71: the second reader's short line at 0.88 promotes a figure of speech (要我老命), 57 characters at p=0.885",
    }),
    169: (36, 2, {
    }),
    170: (32, 2, {
    }),
    171: (33, 3, {
    }),
    172: (34, 0, {
    }),
    173: (34, 0, {
    }),
    174: (35, 1, {
        "p174-38": "an e-bike fire put out, 无人员受伤, then 今天已有住户继续在里面充电: 受伤 is promoted by 今天 nearby; reading 无人员 as a negator was tried and turned a real 较急 letter (所幸无人员伤亡 beside a broken traffic light) to 一般, so it was not kept",
    }),
    175: (34, 3, {
        "p175-26": "a village committee's Double Ninth outing, 组织全村六十多位老人，集体包车到县里…吃重阳宴: the organised-group row reads a trip to the county with no word for what it is for",
        "p175-46": "吵得我们全家都快疯了，真想从楼上跳下去算了: the figure sits in the next clause after the nuisance, out of the 夸张 window",
    }),
    176: (35, 1, {
    }),
    177: (35, 4, {
        "p177-12": "a hit-and-run driver 到现在没找到 beside a child hurt last week and home: the missing-person frame reads the driver as the one missing",
        "p177-30": "pupils waiting in the cold for a late school bus (脸冻得通红): the cold-child frame; the writer labelled it 较急",
        "p177-55": "a care centre's radiators at 15-16 degrees with children catching colds (暖气不热): read as no heating with children; the writer labelled it 较急",
    }),
    178: (36, 3, {
        "p178-35": "workers gathering downstairs for a weekend barbecue (很多工人聚在楼下…吃烧烤): the gathering row does not read what they gather for",
        "p178-46": "急死人，救命啊 about a slow dormitory network: the 网 is before 救命, outside the row's look-ahead",
    }),
    179: (34, 5, {
        "p179-27": "the second reader's 紧急: an old woman robbed at a coach station, safe at the station's police post (read at stop 65)",
        "p179-34": "要去北京 in 写过要去北京上访的话, told in a thank-you letter: the short cue stops before 上访的话 (read at stop 65)",
    }),
    180: (35, 7, {
    }),
    181: (35, 2, {
    }),
    182: (34, 2, {
        "p182-01": "去北京 for a promised performance, a hundred members cheated, read as a group trip (read at stop 65)",
        "p182-42": "an activity room, not a home, cold for old singers (the writer's 较急) (read at stop 65)",
    }),
    183: (36, 1, {
        "p183-50": "an escape room's poster (写着“你被困住了…救命”) read as people trapped now (read at stop 65)",
    }),
    184: (34, 1, {
        "p184-37": "十五那天, a feast day to come, read as a day past: the stage on the county road stays in the review band (read at stop 65)",
    }),
    185: (34, 4, {
    }),
    186: (35, 3, {
        "p186-14": "看着就像要塌了一样: a likeness read as a building about to fall (read at stop 65)",
    }),
    187: (34, 0, {
    }),
    188: (33, 4, {
        "p188-24": "以免到时候发生溃坝事故, a frame over the whole letter whose 以免 stands before none of its parts' clauses (read at stop 65)",
        "p188-40": "an explosives store broken open, told after 我觉得也应该说一下 (read as a proposal) (read at stop 65)",
    }),
    189: (35, 1, {
    }),
    190: (34, 1, {
        "p190-05": "a boatman's quoted threat yesterday, the family safely ashore: a violent threat quoted is read as said (read at stop 65)",
    }),
    191: (30, 3, {
        "p191-05": "a question about what to do if papers are held, a frame that begins in the sentence before the supposition (read at stop 65)",
        "p191-14": "a roof threat last year told beside a broker's phone now unreachable: the frame's end lies past what ended it (read at stop 65)",
        "p191-59": "a girl of seventeen pressed to drink with clients tonight, the broker's car below: no row reads coercion (read at stop 65)",
    }),
    192: (34, 3, {
        "p192-08": "a leaning wall already fenced off (设置硬质围挡…人员无法靠近): the structure frame has no fence exception (read at stop 65)",
    }),
    193: (34, 2, {
    }),
    194: (35, 0, {
    }),
    195: (35, 1, {
        "p195-30": "bricks fallen on a parked e-bike in April, told as a frame of falling objects over a road (read at stop 65)",
    }),
    196: (35, 2, {
    }),
    197: (34, 2, {
    }),
    198: (34, 2, {
        "p198-06": "the second reader's 紧急: a joint report of a clerk drawing dead villagers' pensions (read at stop 65)",
    }),
    199: (31, 3, {
        "p199-12": "a workmate's 跳楼 told as talked down and gone home, one of two 跳楼 cues left standing (read at stop 65)",
        "p199-59": "the second reader's 紧急: an old scaffolder's 拼了这条老命 (read at stop 65)",
    }),
    200: (36, 3, {
        "p200-21": "a locked fire exit with 万一着火 read as a frame of people exposed now (read at stop 65)",
        "p200-33": "an ammonia leak last week, handled, told without a date the 往事 rows know (上周三) (read at stop 65)",
        "p200-45": "a thank-you letter: 被困 promoted by a 即时 word, the rescue (救了出来) past the sentence's reach (read at stop 65)",
    }),
    201: (35, 2, {
        "p201-51": "a shelter's outage with its keeper unreachable (联系不上) read as a person out of reach (read at stop 65)",
    }),
    202: (35, 4, {
        "p202-23": "“天天被吵得想跳楼” inside the caller's quoted words, the figure not read there (read at stop 65)",
        "p202-49": "animal traps by a park path: the trap slot found no passing slot in reach (read at stop 65)",
    }),
    203: (36, 2, {
        "p203-16": "flagged at the first look; read at stop 66, left: 陷阱：出现“跳楼”“堵路”“群体性事件”，但都是引用外地新闻并作政策论证",
        "p203-57": "flagged at the first look; read at stop 66, left: 陷阱：提到墙体开裂，但开裂的是隔墙，且住建已确认不涉及主体结构",
    }),
    204: (36, 2, {
        "p204-27": "flagged at the first look; read at stop 66, left: 陷阱：“万一老人孩子冻病了谁负责”是反问式假设；停暖半天当天已恢复",
        "p204-33": "flagged at the first look; read at stop 66, left: 陷阱：带“这周再没人管”的最后通牒，但威胁的是找媒体曝光，不属上访升级；停暖者为独居成年租户",
    }),
    205: (33, 1, {
    }),
    206: (34, 4, {
        "p206-27": "flagged at the first look; read at stop 66, left: 陷阱：提到上月四十多名环卫工在镇政府门口静坐，但已结束",
        "p206-43": "flagged at the first look; read at stop 66, left: 陷阱：冒充环卫所上门收费，像紧急治安事件，实为涉众诈骗",
        "p206-57": "flagged at the first look; read at stop 66, left: 陷阱：十七户联名像组织群体行动，实为联名反映多年未决问题",
    }),
    207: (35, 5, {
        "p207-07": "flagged at the first look; read at stop 66, left: 陷阱：冬季停暖形似紧急，但写信人家中只有两名年轻人，未提到老人、婴儿或病人",
        "p207-21": "flagged at the first look; read at stop 66, left: 陷阱：引述司机说过的“不加钱就把东西扔河里”，但威胁已过去、物品已完好送达",
        "p207-24": "flagged at the first look; read at stop 66, left: 陷阱：涉及燃气灶拆装，但已检查确认无漏气、已封堵，只是咨询流程",
        "p207-26": "missed at the first look; read at stop 66, left: 病人用药被押车扣住：一型糖尿病老人今晚需注射的胰岛素在被扣货车上",
        "p207-38": "flagged at the first look; read at stop 66, left: 陷阱：含“站到楼顶上说要跳下去”，但那是去年已结束的事件，写信人明确不会再那样做；现诉求为欠薪",
        "p207-54": "flagged at the first look; read at stop 66, left: 陷阱：标题和开头喊“救命”，实为地板划伤的财物赔偿纠纷",
    }),
    208: (36, 2, {
        "p208-09": "flagged at the first look; read at stop 66, left: 陷阱：“继续来反映”看似升级，但无更高层级、无群体",
        "p208-34": "missed since stop 74's refit of the second reader (217 TipDM letters now read without the _x000D_ escape): in the review band; the same refit finds p158-27",
        "p208-47": "flagged at the first look; read at stop 66, left: 陷阱：出现“跳楼、堵门、上访”字样，但均为否定",
    }),
    209: (36, 3, {
        "p209-01": "flagged at the first look; read at stop 66, left: 陷阱：燃气管破裂漏气，但已由燃气公司关阀换管、危险已排除",
        "p209-47": "flagged at the first look; read at stop 66, left: 陷阱：像“冬季老人无取暖”，但尚未入冬，是对一个月后的担忧",
    }),
    210: (34, 2, {
        "p210-14": "missed at the first look; read at stop 66, left: 承包纠纷长信中段提到对方扬言“埋在茶园里”、夜里有人在屋后转悠",
        "p210-59": "flagged at the first look; read at stop 66, left: 陷阱：叙述老人上山看果园走失，但事情已过去、人已找回，是感谢信",
    }),
    211: (35, 2, {
        "p211-51": "flagged at the first look; read at stop 66, left: 陷阱：“防止矛盾激化引发群体事件”是用作论据的假设，并无组织聚集",
    }),
    212: (36, 2, {
    }),
    213: (35, 3, {
        "p213-20": "flagged at the first look; read at stop 66, left: 陷阱：仿受威胁——乘客的狠话是转述且已道歉，诉求是咨询处罚申诉",
        "p213-37": "flagged at the first look; read at stop 66, left: 陷阱：仿自伤——同事喝药是上月已被救回出院的事，现为罚款违规问题",
    }),
    214: (33, 4, {
        "p214-12": "flagged at the first look; read at stop 66, left: 陷阱：讲述父亲被困山中一夜，但已获救、无大碍，来信为表扬",
        "p214-30": "flagged at the first look; read at stop 66, left: 陷阱：提到水库冰面窟窿，但已围护、设牌并有人看守，仅提长期建议",
        "p214-53": "flagged at the first look; read at stop 66, left: 陷阱：“气得真想一头扎雪堆里”是气话修辞；雪已自行铲开，仅提意见",
        "p214-55": "flagged at the first look; read at stop 66, left: 陷阱：“一家子不知道怎么活”是困境感叹而非自伤表态；羊只冻死造成经济损失",
    }),
    215: (34, 2, {
        "p215-25": "flagged at the first look; read at stop 66, left: 陷阱：有“走失”情节，但人已平安找回；实为防走失求助",
        "p215-44": "flagged at the first look; read at stop 66, left: 陷阱：提到去年患者有轻生言行，但已稳定大半年；实为药品将断的限期诉求",
    }),
    216: (35, 2, {
        "p216-16": "flagged at the first look; read at stop 66, left: 陷阱：钓鱼人被困河心洲，但已获救无人受伤，现咨询救援费用",
        "p216-34": "flagged at the first look; read at stop 66, left: 陷阱：满篇山洪、泄洪、淹没、转移，但是一年前已结束的事件，本信为感谢信",
    }),
    217: (33, 1, {
        "p217-41": "flagged at the first look; read at stop 66, left: 陷阱：出现“自伤自杀”字样，但只是学校免责书的条款；孩子抑郁病情稳定",
    }),
    218: (34, 1, {
    }),
    219: (35, 3, {
        "p219-59": "graded 紧急 at stop 70: a figure (气得想一头撞死) that no rule reads as 紧急; the second reader scores it 0.91 and its new line under 80 characters is 0.90",
        "p219-12": "flagged at the first look; read at stop 66, left: 陷阱：提到“说过要喝药”，但那是去年的气话且已明确否定；现在只是补助停发",
        "p219-30": "flagged at the first look; read at stop 66, left: 陷阱：上学路上深井无盖，但已于昨天盖好封好；现为一般隐患排查请求",
    }),
    220: (32, 4, {
        "p220-17": "flagged at the first look; read at stop 66, left: 陷阱：提到'说过不想活了'，但那是前年的事，如今写感谢信",
        "p220-46": "flagged at the first look; read at stop 66, left: 陷阱：'燃气漏气'是假设提问，并无漏气",
        "p220-48": "flagged at the first look; read at stop 66, left: 陷阱：煤气中毒是邻村上月已获救的事，本信是一般性隐患建议",
    }),
    221: (34, 2, {
        "p221-47": "flagged at the first look; read at stop 66, left: 陷阱：模仿进京上访——“去北京告”是引述老板的话，来电人本人只求工资",
    }),
    222: (36, 1, {
    }),
    223: (34, 4, {
        "p223-16": "flagged at the first look; read at stop 66, left: 陷阱：转述他人“再罚我就跳江”的气话，写信人明言是玩笑；实为罚款标准建议",
    }),
    224: (36, 3, {
        "p224-46": "flagged at the first look; read at stop 66, left: 陷阱：模仿燃气泄漏；泄漏已于昨晚修复，现仅要求排查老化管道",
        "p224-60": "flagged at the first look; read at stop 66, left: 陷阱：模仿冬季停暖；现在尚未供暖，说的是去年的情况和对今年的担心",
    }),
    225: (34, 0, {
    }),
    226: (30, 2, {
        "p226-26": "flagged at the first look; read at stop 66, left: 陷阱：争议山林、“打架”字样，但明言不想打架，属正在发生的财产损失",
        "p226-57": "flagged at the first look; read at stop 66, left: 陷阱：有围墙倒塌砸物的描述，但已围挡封闭、无人使用",
    }),
    227: (34, 2, {
    }),
    228: (36, 1, {
    }),
    229: (32, 4, {
        "p229-14": "flagged at the first look; read at stop 67, left: a road blocked this morning and cleared by half past ten, told with 无人员受伤 (受伤 read as now)",
        "p229-50": "flagged at the first look; read at stop 67, left: a cracked building already sealed and fenced before the worry about children is told",
    }),
    230: (33, 2, {
    }),
    231: (34, 2, {
    }),
    232: (35, 2, {
        "p232-29": "flagged at the first look; read at stop 67, left: 全村人都得得肺病死光了 as a figure beside a child's asthma twice this month (the second reader's call)",
        "p232-57": "flagged at the first look; read at stop 67, left: a missing mother found this morning, the letter then tells 走失 again near 今天早上",
    }),
    233: (36, 1, {
        "p233-41": "flagged at the first look; read at stop 67, left: 实在是没活路了 as hardship, not a threat (the second reader's call)",
    }),
    234: (33, 1, {
    }),
    235: (34, 1, {
    }),
    236: (35, 3, {
        "p236-03": "flagged at the first look; read at stop 67, left: a title that says 被困在老宅里出不来 as a figure for not being allowed to move out",
        "p236-09": "flagged at the first look; read at stop 67, left: a mother-in-law's catchphrase 不如死了算了, quoted, said for decades",
    }),
    237: (36, 5, {
        "p237-49": "flagged at the first look; read at stop 67, left: someone else's drunken 大不了去北京 in a group chat, denied since",
    }),
    238: (36, 2, {
        "p238-23": "flagged at the first look; read at stop 67, left: someone else's 大家周末一起去堵路 in a group chat, talked down",
    }),
    239: (33, 1, {
    }),
    240: (34, 2, {
        "p240-11": "flagged at the first look; read at stop 67, left: 我就一直来 at the same bureau, heated (the second reader's call)",
        "p240-44": "flagged at the first look; read at stop 67, left: 真遇到拿刀的 as a supposed case (假设 does not demote threats)",
    }),
    241: (36, 3, {
        "p241-15": "flagged at the first look; read at stop 67, left: a guest's review quoted, 再住这种破房子我就去跳河",
        "p241-35": "flagged at the first look; read at stop 67, left: a child just out of hospital after food poisoning (刚出院 also opens real winter emergencies, so not read as an end)",
        "p241-48": "flagged at the first look; read at stop 67, left: a title's 下周要去北京 whose text says it is a business trip",
    }),
    242: (34, 4, {
        "p242-38": "flagged at the first look; read at stop 67, left: a road blocked two years ago, and diarrhoea from the village water now",
        "p242-50": "flagged at the first look; read at stop 67, left: others' 不解决就去北京, talked down by the village secretary (the second reader's call)",
    }),
    243: (36, 8, {
        "p243-16": "flagged at the first look; read at stop 67, left: a proposal about cracked homes in a mined-out area for three years (the structure frame reads the cracks as now)",
        "p243-19": "flagged at the first look; read at stop 67, left: a notice of a collapse and evacuation drill (a long phrase row fires on its wording)",
        "p243-28": "flagged at the first look; read at stop 67, left: a house cracked by piling two years ago and a vow to keep petitioning at the same level",
    }),
    244: (34, 3, {
        "p244-08": "flagged at the first look; read at stop 67, left: a thank-you letter recalling a father on a bridge in 2015 (the second reader's call)",
        "p244-32": "flagged at the first look; read at stop 67, left: 有一年…想一了百了, years ago (往事 does not cover self-harm)",
        "p244-43": "missed at the first look; read at stop 67, left: a grid worker's report of a petitioner gathering thumbprints door to door, 人齐了就一起走 in quotes (the quote reading drops it)",
    }),
    245: (33, 1, {
        "p245-22": "flagged at the first look; read at stop 67, left: a thank-you letter recalling 要是没人管俺就去北京 two years ago (往事 does not cover trips up)",
    }),
    246: (36, 3, {
    }),
    247: (35, 3, {
    }),
    248: (36, 4, {
        "p248-05": "flagged at the first look; read at stop 67, left: a title's 老人要去北京 whose text says she goes to live with her son",
        "p248-46": "flagged at the first look; read at stop 67, left: a title's 暖气停了一夜，老人冻得够呛 whose text says it came back the next morning",
        "p248-53": "flagged at the first look; read at stop 67, left: a father found dead at home last month (a death told, not a danger now)",
    }),
    249: (33, 2, {
        "p249-19": "flagged at the first look; read at stop 67, left: a brother who drank pesticide last year after a bride scam, saved since",
    }),
    250: (36, 2, {
        "p250-13": "flagged at the first look; read at stop 67, left: a banner for a closing school's graduation, 拉横幅 read as a protest",
    }),
    251: (34, 1, {
        "p251-11": "flagged at the first look; read at stop 67, left: a fall into an open manhole last month, the writer bedridden now (the second reader's call)",
    }),
    252: (33, 2, {
        "p252-34": "flagged at the first look; read at stop 67, left: a day's power cut at a guesthouse village in the ice season, guests and no one vulnerable named",
        "p252-37": "flagged at the first look; read at stop 67, left: a child who fell through the ice last year and was pulled out, told in a proposal",
    }),
    253: (34, 0, {
    }),
    254: (35, 3, {
        "p254-22": "flagged at the first look; read at stop 67, left: 再不给就去北京 said last year and not done (往事 does not cover trips up)",
        "p254-45": "flagged at the first look; read at stop 67, left: 我就一直上访，天天来镇上 at the same level, heated",
    }),
    255: (34, 1, {
    }),
    256: (35, 4, {
        "p256-28": "flagged at the first look; read at stop 68, left: a village secretary reporting villagers' 我们就去北京告你们 (read as the writer's side)",
        "p256-42": "flagged at the first look; read at stop 68, left: a thank-you letter recalling last winter's outage (the frame does not read 去年冬天 as over)",
        "p256-49": "missed at the first look; read at stop 68, left: 十六号早上我们就把村部围了: a date before the plan is read as a past date (往事)",
    }),
    257: (33, 2, {
        "p257-15": "flagged at the first look; read at stop 68, left: a gas leak repaired and checked (已修复, 经检测已无泄漏) not read as made safe",
    }),
    258: (32, 3, {
        "p258-39": "flagged at the first look; read at stop 68, left: hot water off in October read as a cold-season outage",
        "p258-41": "flagged at the first look; read at stop 68, left: a dormitory once declared 危房 and since pulled down (已经拆除) still read as standing",
    }),
    259: (29, 3, {
        "p259-44": "missed at the first look; read at stop 68, left: 群主说登记满五百人就一起去: the group organiser's words are read as someone else's (引述)",
        "p259-45": "flagged at the first look; read at stop 68, left: a streamer's sales patter quoted after 喊 (不下单我就死给你们看) read as the writer's threat",
    }),
    260: (36, 1, {
    }),
    261: (35, 2, {
        "p261-15": "flagged at the first look; read at stop 68, left: a house that fell in last year's earthquake, the family rehoused: the house frame does not read 去年 inside its span",
    }),
    262: (35, 1, {
        "p262-28": "flagged at the first look; read at stop 68, left: 我们不想闹 beside a colleague's angry words, talked down since",
    }),
    263: (35, 2, {
        "p263-34": "flagged at the first look; read at stop 68, left: a father who 想不开离家出走 two years ago and was found: 想不开 read without 前年",
        "p263-52": "flagged at the first look; read at stop 68, left: 以免将来发生中毒…事故 as a suggestion's reason, with the shop's mixed storage read as a hazard now",
    }),
    264: (35, 2, {
        "p264-01": "flagged at the first look; read at stop 68, left: a gas-bottle fire put out, the bottle taken away: the long leak-and-fire clause read as now",
        "p264-46": "flagged at the first look; read at stop 68, left: a thank-you letter for a knife fight stopped last Friday: 拿着刀打 read without 上周五",
    }),
    265: (36, 2, {
        "p265-33": "flagged at the first look; read at stop 68, left: 去省城 for a hospital check-up named a sentence before (复查) read as a trip to petition",
    }),
    266: (33, 2, {
        "p266-04": "flagged at the first look; read at stop 68, left: 救命啊 opening a question about renewing a disability card",
        "p266-47": "flagged at the first look; read at stop 68, left: 万一漏气 beside 目前…无漏气情况: the second 漏气 not read as denied",
    }),
    267: (35, 1, {
        "p267-16": "flagged at the first look; read at stop 68, left: years of low voltage read as a power cut endangering people",
    }),
    268: (34, 3, {
        "p268-19": "flagged at the first look; read at stop 68, left: heating off with no one vulnerable named: a vulnerable word elsewhere in the long letter",
        "p268-54": "flagged at the first look; read at stop 68, left: 防止群体性事件 as a reason in a long letter",
    }),
    269: (35, 0, {
    }),
    270: (35, 1, {
        "p270-15": "flagged at the first look; read at stop 68, left: a pit since filled and a past threat to go to the city",
    }),
    271: (32, 0, {
    }),
    272: (33, 0, {
    }),
    273: (30, 0, {
    }),
    274: (35, 1, {
        "p274-20": "flagged at the first look; read at stop 68, left: a comedy sketch titled 《进京上访》 read as a trip",
    }),
    275: (30, 0, {
    }),
    276: (30, 0, {
        "p276-16": "graded 紧急 at stop 70: a water cut with nobody vulnerable named, 37 characters; the second reader scores it 0.94, above its new 25-character floor",
        "p276-06": "missed at the first look; read at stop 68, left: 算了，今晚就从XX大桥下去 with no subject in its sentence: read as not the writer's (非亲身); reading a short text's writer as its subject also made news of others' self-harm the writer's, so it was not kept",
    }),
    277: (30, 1, {
        "p277-04": "flagged at the first look; read at stop 68, left: people trapped in a car last night and rescued: read as now",
    }),
    278: (33, 1, {
        "p278-45": "flagged at the first look; read at stop 68, left: a customer's joke about smashing the shop, quoted",
    }),
    279: (33, 1, {
    }),
    280: (31, 0, {
    }),
    281: (34, 0, {
    }),
    282: (30, 0, {
    }),
    283: (27, 6, {
        "p283-53": "flagged at the first look; read at stop 69, left: the learned sieve reads 请领导下周前给个说法 after a banner talk the writer stopped (已劝住) as 紧急; no rule fires",
    }),
    284: (33, 1, {
    }),
    285: (36, 3, {
        "p285-01": "flagged at the first look; read at stop 69, left: 有家长要去学校拉横幅 told as a rumour the writer asks about; parents' plans told by a parent are the writer's side elsewhere",
        "p285-16": "flagged at the first look; read at stop 69, left: the quoted 去北京告你 is now read as the other side's words, but the learned sieve still reads the letter as 紧急",
    }),
    286: (36, 1, {
        "p286-12": "flagged at the first look; read at stop 69, left: the learned sieve reads village gossip quoted (迟早还要杀人) as 紧急; no rule fires",
    }),
    287: (35, 0, {
    }),
    288: (28, 1, {
    }),
    289: (33, 0, {
    }),
    290: (34, 1, {
        "p290-44": "flagged at the first look; read at stop 69, left: 救命啊 as an opening word (as p-rounds before); a row for it would need to tell a cry from a habit",
    }),
    291: (22, 3, {
        "p291-32": "flagged at the first look; read at stop 69, left: 像漏气 explained away (司机解释是…榴莲); an explanation can as well confirm a leak, so no row reads it",
        "p291-41": "flagged at the first look; read at stop 69, left: the title repeats the body's 打伤, and only the body's is read as settled (打人者已被派出所带走)",
    }),
    292: (36, 1, {
    }),
    293: (31, 0, {
    }),
    294: (33, 2, {
        "p294-13": "flagged at the first look; read at stop 69, left: the learned sieve reads a thank-you for a pit filled in as 紧急; the rules demote every cue",
    }),
    295: (34, 0, {
    }),
    296: (34, 0, {
    }),
    297: (27, 2, {
        "p297-41": "flagged since stop 71: the second reader's short line at 0.88 promotes pollution that keeps old people and children indoors, 42 characters at p=0.891",
    }),
    298: (31, 2, {
    }),
    299: (31, 2, {
        "p299-45": "flagged at the first look; read at stop 69, left: the learned sieve reads pupils cheated of pocket money, one crying, as 紧急",
    }),
    300: (32, 0, {
    }),
    301: (32, 2, {
        "p301-58": "flagged at the first look; read at stop 69, left: the learned sieve reads a thank-you for a rescue from a hill fire as 紧急; the rules read it as past",
    }),
    302: (31, 2, {
        "p302-31": "missed at the first look; read at stop 69, left: 我真不知道还活着干什么 at a letter's end is despair without a plan; in the review band",
    }),
    303: (32, 2, {
        "p303-17": "flagged at the first look; read at stop 70, left: the second reader (0.97, 42 characters, the long line) promotes a deadline at the month's end (限其本月底前搬走，否则断水断电) for a patient",
    }),
    304: (29, 0, {
    }),
    305: (35, 3, {
        "p305-55": "flagged at the first look; read at stop 70, left: a drinking game's shout quoted (谁不干了这杯就砍死谁) last weekend, read with a later general 现在 (现在农村酒席闹得太不像话)",
    }),
    306: (29, 0, {
    }),
    307: (35, 1, {
        "p307-56": "flagged since stop 71: the second reader's short line at 0.88 promotes 一直上访 with no higher level and no group, 43 characters at p=0.883",
        "p307-47": "flagged at the first look; read at stop 71, left: the heating back since yesterday is not read against the elderly's cold told before it",
        "p307-59": "missed at the first look; read at stop 71, left: concrete fallen once on a passage with no cordon (the review band)",
    }),
    308: (35, 2, {
        "p308-31": "flagged at the first look; read at stop 71, left: a room at sixteen or seventeen degrees read as a cold home",
    }),
    309: (26, 0, {
        "p309-23": "missed at the first look; read at stop 71, left: life jackets locked on an overloaded ferry, after a suggestion",
        "p309-26": "missed at the first look; read at stop 71, left: a threat to keep the writer off the bridge, bricks thrown last night (the review band)",
        "p309-44": "missed at the first look; read at stop 71, left: a ferry adrift with six aboard (the review band)",
    }),
    310: (35, 2, {
        "p310-05": "flagged at the first look; read at stop 71, left: an ammonia leak closed overnight, everyone well",
        "p310-33": "flagged at the first look; read at stop 71, left: someone else's trip to Beijing years ago",
    }),
    311: (30, 2, {
        "p311-08": "missed at the first look; read at stop 71, left: smoke in a charging area with a night shift at work",
        "p311-12": "missed at the first look; read at stop 71, left: a gang beating drivers that will come again tonight (the review band)",
        "p311-17": "flagged at the first look; read at stop 71, left: a boss's taunt quoted",
        "p311-28": "missed at the first look; read at stop 71, left: a dismissed worker on a water tower now, read as someone else",
    }),
    312: (31, 1, {
        "p312-18": "flagged at the first look; read at stop 71, left: a dangerous classroom sealed last week, read as in use",
        "p312-33": "missed at the first look; read at stop 71, left: a teacher and pupils snowed in for two days, food running out",
    }),
    313: (32, 0, {
        "p313-23": "missed at the first look; read at stop 71, left: a railing down and a child nearly slipping in, after a suggestion",
        "p313-39": "missed at the first look; read at stop 71, left: a banner being paid for, to be hung on Saturday",
    }),
    314: (35, 1, {
        "p314-08": "flagged at the first look; read at stop 71, left: a gas leak last week, a thank-you to the police",
    }),
    315: (33, 0, {
        "p315-51": "missed at the first look; read at stop 71, left: a writer by a river after a fine he cannot pay (the review band)",
    }),
    316: (33, 0, {
        "p316-23": "missed at the first look; read at stop 71, left: a closed pool left full, children getting in: the frame's 没放 reads as a negation",
    }),
    317: (35, 1, {
        "p317-03": "flagged at the first look; read at stop 71, left: a sluice leak repaired, 无人员受伤 not read as a negation (tried and dropped at stop 71)",
    }),
    318: (35, 3, {
        "p318-10": "flagged at the first look; read at stop 71, left: a fight last week, read with today's 现在",
        "p318-14": "flagged at the first look; read at stop 71, left: a group's idea to block a shop, turned down",
        "p318-54": "flagged at the first look; read at stop 71, left: 出了人命谁负责 as an argument in quotation marks",
    }),
    319: (32, 1, {
    }),
    320: (32, 0, {
    }),
    321: (35, 2, {
        "p321-07": "flagged at the first look, read at stop 72: a danger or threat told as past and settled in words no settled row holds (已处理拉走, 派出所已经处理, 别再发生, 开玩笑说); left, as rows do not carry",
        "p321-20": "flagged at the first look, read at stop 72: a danger or threat told as past and settled in words no settled row holds (已处理拉走, 派出所已经处理, 别再发生, 开玩笑说); left, as rows do not carry",
        "p321-37": "missed at the first look; read at stop 73: a railing that gives at a push with children leaning on it, but no drop named beside it",
    }),
    322: (33, 3, {
        "p322-08": "missed at the first look; read at stop 73: a gathering called in a quoted group message (碰头, “能来的都来”): quoted words are read as someone else's",
        "p322-20": "flagged at the first look, read at stop 72: the second reader sure (p=0.96) of a treatment put off to the next day, already arranged; left",
    }),
    323: (29, 1, {
        "p323-20": "flagged at the first look (stop 71: the round's texts are kept unread)",
    }),
    324: (31, 1, {
        "p324-09": "flagged at the first look (stop 71: the round's texts are kept unread)",
        "p324-13": "missed at the first look; read at stop 73: a snakebite told after a suggestion (建议…，另外…): the suggestion's reading drops it",
        "p324-36": "missed at the first look; read at stop 73: a conditional knife threat after 不抓: read as negated",
    }),
    325: (30, 0, {
    }),
    326: (35, 0, {
    }),
    327: (33, 0, {
        "p327-57": "missed at the first look; read at stop 73: a wire knocked down by a practice ground, nobody passing named",
    }),
    328: (32, 2, {
        "p328-25": "flagged at the first look (stop 71: the round's texts are kept unread)",
        "p328-58": "flagged at the first look (stop 71: the round's texts are kept unread)",
    }),
    329: (31, 0, {
        "p329-21": "missed at the first look; read at stop 73: a ticket to Beijing bought (已经买了…票) read as done (已然), in the review band",
        "p329-39": "missed at the first look; read at stop 73: a river path fallen in where people still walk by, no barrier word: no frame holds it",
    }),
    330: (34, 1, {
        "p330-52": "flagged at the first look (stop 71: the round's texts are kept unread)",
    }),
    331: (35, 0, {
    }),
    332: (31, 1, {
        "p332-08": "flagged at the first look (stop 72: the round's texts are kept unread)",
        "p332-10": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p332-37": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p332-39": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p332-55": "missed at the first look (stop 72: the round's texts are kept unread)",
    }),
    333: (29, 1, {
        "p333-07": "flagged at the first look (stop 72: the round's texts are kept unread)",
        "p333-09": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p333-10": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p333-22": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p333-36": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p333-49": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p333-53": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p333-60": "missed at the first look (stop 72: the round's texts are kept unread)",
    }),
    334: (34, 1, {
        "p334-07": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p334-10": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p334-28": "flagged at the first look (stop 72: the round's texts are kept unread)",
    }),
    335: (35, 1, {
        "p335-55": "missed at the first look (stop 72: the round's texts are kept unread)",
    }),
    336: (33, 2, {
        "p336-01": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p336-12": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p336-43": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p336-46": "flagged at the first look (stop 72: the round's texts are kept unread)",
    }),
    337: (34, 2, {
        "p337-13": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p337-56": "missed at the first look (stop 72: the round's texts are kept unread)",
    }),
    338: (35, 4, {
        "p338-10": "flagged at the first look (stop 72: the round's texts are kept unread)",
        "p338-15": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p338-47": "flagged at the first look (stop 72: the round's texts are kept unread)",
    }),
    339: (32, 1, {
        "p339-01": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p339-15": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p339-38": "flagged at the first look (stop 72: the round's texts are kept unread)",
        "p339-43": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p339-55": "missed at the first look (stop 72: the round's texts are kept unread)",
    }),
    340: (33, 0, {
        "p340-19": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p340-35": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p340-60": "missed at the first look (stop 72: the round's texts are kept unread)",
    }),
    341: (32, 3, {
        "p341-04": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p341-18": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p341-21": "missed at the first look (stop 72: the round's texts are kept unread)",
        "p341-31": "flagged at the first look (stop 72: the round's texts are kept unread)",
        "p341-57": "missed at the first look (stop 72: the round's texts are kept unread)",
    }),
    342: (36, 2, {
    }),
    343: (30, 1, {
        "p343-21": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p343-28": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p343-31": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p343-48": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p343-49": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p343-58": "missed at the first look (stop 73: the round's texts are kept unread)",
    }),
    344: (32, 2, {
        "p344-06": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p344-24": "flagged at the first look (stop 73: the round's texts are kept unread)",
        "p344-27": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p344-34": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p344-35": "missed at the first look (stop 73: the round's texts are kept unread)",
    }),
    345: (33, 1, {
        "p345-26": "flagged at the first look (stop 73: the round's texts are kept unread)",
        "p345-37": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p345-39": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p345-43": "missed at the first look (stop 73: the round's texts are kept unread)",
    }),
    346: (36, 4, {
        "p346-21": "flagged at the first look (stop 73: the round's texts are kept unread)",
        "p346-44": "flagged at the first look (stop 73: the round's texts are kept unread)",
    }),
    347: (32, 0, {
        "p347-11": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p347-40": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p347-47": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p347-59": "missed at the first look (stop 73: the round's texts are kept unread)",
    }),
    348: (31, 0, {
        "p348-17": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p348-20": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p348-21": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p348-31": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p348-33": "missed at the first look (stop 73: the round's texts are kept unread)",
    }),
    349: (30, 1, {
        "p349-03": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p349-14": "flagged at the first look (stop 73: the round's texts are kept unread)",
        "p349-25": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p349-35": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p349-48": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p349-57": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p349-59": "missed at the first look (stop 73: the round's texts are kept unread)",
    }),
    350: (32, 4, {
        "p350-04": "flagged at the first look (stop 73: the round's texts are kept unread)",
        "p350-12": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p350-16": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p350-54": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p350-60": "missed at the first look (stop 73: the round's texts are kept unread)",
    }),
    351: (36, 0, {
    }),
    352: (36, 1, {
        "p352-23": "flagged at the first look (stop 73: the round's texts are kept unread)",
    }),
    353: (33, 5, {
        "p353-42": "flagged at the first look (stop 73: the round's texts are kept unread)",
        "p353-54": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p353-56": "missed at the first look (stop 73: the round's texts are kept unread)",
        "p353-58": "missed at the first look (stop 73: the round's texts are kept unread)",
    }),
    354: (36, 1, {
    }),
    355: (32, 2, {
        "p355-03": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p355-05": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p355-09": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p355-15": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p355-53": "flagged at the first look (stop 74: the round's texts are kept unread)",
    }),
    356: (29, 1, {
        "p356-01": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p356-02": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p356-11": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p356-35": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p356-48": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p356-50": "flagged at the first look (stop 74: the round's texts are kept unread)",
        "p356-51": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p356-59": "missed at the first look (stop 74: the round's texts are kept unread)",
    }),
    357: (33, 2, {
        "p357-12": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p357-27": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p357-48": "flagged at the first look (stop 74: the round's texts are kept unread)",
        "p357-49": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p357-59": "flagged at the first look (stop 74: the round's texts are kept unread)",
    }),
    358: (34, 1, {
        "p358-09": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p358-26": "missed at the first look (stop 74: the round's texts are kept unread)",
    }),
    359: (33, 0, {
        "p359-03": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p359-24": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p359-31": "missed at the first look (stop 74: the round's texts are kept unread)",
    }),
    360: (32, 4, {
        "p360-03": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p360-06": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p360-07": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p360-40": "flagged at the first look (stop 74: the round's texts are kept unread)",
        "p360-44": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p360-54": "flagged at the first look (stop 74: the round's texts are kept unread)",
        "p360-55": "flagged at the first look (stop 74: the round's texts are kept unread)",
        "p360-57": "flagged at the first look (stop 74: the round's texts are kept unread)",
    }),
    361: (32, 3, {
        "p361-05": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p361-08": "flagged at the first look (stop 74: the round's texts are kept unread)",
        "p361-12": "flagged at the first look (stop 74: the round's texts are kept unread)",
        "p361-13": "flagged at the first look (stop 74: the round's texts are kept unread)",
        "p361-23": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p361-24": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p361-27": "missed at the first look (stop 74: the round's texts are kept unread)",
    }),
    362: (35, 4, {
        "p362-06": "flagged at the first look (stop 74: the round's texts are kept unread)",
        "p362-10": "flagged at the first look (stop 74: the round's texts are kept unread)",
        "p362-28": "missed at the first look (stop 74: the round's texts are kept unread)",
        "p362-35": "flagged at the first look (stop 74: the round's texts are kept unread)",
        "p362-51": "flagged at the first look (stop 74: the round's texts are kept unread)",
    }),
    363: (29, 0, {
        "p363-03": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p363-14": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p363-18": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p363-26": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p363-36": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p363-38": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p363-45": "missed at the first look (stop 75: the round's texts are kept unread)",
    }),
    364: (33, 3, {
        "p364-18": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p364-41": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p364-46": "missed at the first look (stop 75: the round's texts are kept unread)",
    }),
    365: (33, 1, {
        "p365-06": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p365-16": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p365-26": "missed at the first look (stop 75: the round's texts are kept unread)",
    }),
    366: (36, 3, {
    }),
    367: (33, 2, {
        "p367-22": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p367-43": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p367-44": "missed at the first look (stop 75: the round's texts are kept unread)",
    }),
    368: (31, 3, {
        "p368-20": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p368-27": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p368-28": "flagged at the first look (stop 75: the round's texts are kept unread)",
        "p368-38": "flagged at the first look (stop 75: the round's texts are kept unread)",
        "p368-43": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p368-45": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p368-46": "flagged at the first look (stop 75: the round's texts are kept unread)",
        "p368-56": "missed at the first look (stop 75: the round's texts are kept unread)",
    }),
    369: (31, 1, {
        "p369-02": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p369-09": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p369-43": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p369-46": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p369-53": "missed at the first look (stop 75: the round's texts are kept unread)",
    }),
    370: (34, 2, {
        "p370-37": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p370-42": "flagged at the first look (stop 75: the round's texts are kept unread)",
        "p370-46": "missed at the first look (stop 75: the round's texts are kept unread)",
    }),
    371: (28, 4, {
        "p371-08": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p371-09": "flagged at the first look (stop 75: the round's texts are kept unread)",
        "p371-11": "flagged at the first look (stop 75: the round's texts are kept unread)",
        "p371-20": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p371-21": "flagged at the first look (stop 75: the round's texts are kept unread)",
        "p371-22": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p371-28": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p371-37": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p371-40": "flagged at the first look (stop 75: the round's texts are kept unread)",
        "p371-42": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p371-51": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p371-53": "missed at the first look (stop 75: the round's texts are kept unread)",
    }),
    372: (34, 2, {
        "p372-05": "flagged at the first look (stop 75: the round's texts are kept unread)",
        "p372-13": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p372-48": "flagged at the first look (stop 75: the round's texts are kept unread)",
        "p372-50": "missed at the first look (stop 75: the round's texts are kept unread)",
    }),
    373: (34, 1, {
        "p373-30": "flagged at the first look (stop 75: the round's texts are kept unread)",
        "p373-33": "missed at the first look (stop 75: the round's texts are kept unread)",
        "p373-47": "missed at the first look (stop 75: the round's texts are kept unread)",
    }),
    374: (36, 3, {
        "p374-16": "flagged at the first look (stop 75: the round's texts are kept unread)",
        "p374-31": "flagged at the first look (stop 75: the round's texts are kept unread)",
        "p374-53": "flagged at the first look (stop 75: the round's texts are kept unread)",
    }),
}


def _probes(round_: int) -> pd.DataFrame:
    return pd.read_csv(CORPORA_DIR / "urgency" / f"probes{round_}.csv", dtype=str, keep_default_na=False)


def _probe_params():
    for round_, (_, _, known) in PROBE_ROUNDS.items():
        for probe_id in _probes(round_)["probe_id"]:
            marks = [pytest.mark.xfail(strict=True, reason=known[probe_id])] if probe_id in known else []
            yield pytest.param(round_, probe_id, marks=marks, id=probe_id)


@pytest.mark.parametrize("round_, probe_id", list(_probe_params()))
def test_probe_graded_as_its_writer_labelled_it(grader, round_, probe_id):
    row = _probes(round_).set_index("probe_id").loc[probe_id]
    # as the reader hands letters over: Traditional characters folded (round 64's Hong Kong and Taiwan writers)
    graded = grader.grade(to_simplified(row["title"]) + "。" + to_simplified(row["text"]))
    assert (graded["urgency"] == "紧急") == (row["urgency"] == "紧急"), (row["reason"], graded)


@pytest.mark.parametrize("round_", list(PROBE_ROUNDS))
def test_probe_round_first_look_is_stored(round_):
    """Each round holds 36 紧急 letters and 24 look-alikes; its stored first look is the blind figure."""
    found, flagged, _ = PROBE_ROUNDS[round_]
    probes = _probes(round_)
    urgent, first = probes["urgency"] == "紧急", probes["first_look"] == "紧急"
    assert urgent.sum() == 36 and (~urgent).sum() == 24
    assert (first & urgent).sum() == found
    assert (first & ~urgent).sum() == flagged


@requires_shared_data
def test_the_shipped_refiner_carries_no_piece_of_a_real_person_s_name(shared_dir):
    """The refiner's character grams were learned from real letters, Qingdao's calls among them,
    whose operators write the caller's name into the text: 14 grams held a piece of a caller's or a
    third party's name (removed at stop 31; no verdict of the 20,617 shared letters changed). A
    refit must drop them again. Counts only in the message: a failure prints no name."""
    from pipeline.cluster import person_names
    from pipeline.read import read_letters

    files = [shared_dir / n for n in ("hot_messages.xlsx", "replies.xlsx", "unlabeled_messages.xlsx", "labeled_sample.xlsx")]
    files += [shared_dir.parent / "more_sources" / n for n in
              ("beijing12345_2024.csv", "peoples_gas_2022_2023.csv", "qingdao12345_two_callers.xlsx")]
    letters = read_letters(files).letters
    names = {n for n in person_names(letters["name"].dropna().tolist(), letters["title"].fillna("").tolist(),
                                     letters["text"].fillna("").tolist()) if len(n) >= 3}
    blob = "\n".join(letters["title"].fillna("") + "。" + letters["text"].fillna(""))
    # a two-character piece of a name that the letters never write outside one of the names
    pieces = {n[i:i + 2] for n in names for i in range(len(n) - 1)}
    specific = {p for p in pieces if 0 < blob.count(p) <= sum(blob.count(m) for m in names if p in m)}
    assert len(names) > 100 and len(specific) > 100
    grams = PressingRefiner.load().grams_
    carrying = sum(any(p in g for p in specific) for g in grams)
    assert carrying == 0, f"{carrying} refiner grams carry a piece of a name the shared letters write"


def test_an_event_made_safe_later_in_the_letter_is_not_for_today(grader):
    """A leak told, then its repair two sentences on (就恢复供气了, 现在一切正常), then a suggestion: the
    letter is no same-day case. A letter that asks for the supply back (要求尽快恢复供气) while the gas
    still leaks is."""
    repaired = ("上周四下午施工把燃气管道挖断了，当时气味很大，住户都跑到楼下。好在燃气公司二十分钟就到了，"
                "关阀抢修，当天晚上九点就恢复供气了，现在一切正常。建议以后施工前核对管线。")
    leaking = "燃气管道被挖断了，到现在还在漏气，楼里有老人孩子，燃气公司电话打不通。要求尽快恢复供气，确保安全。"
    assert grader.grade(repaired)["urgency"] != "紧急"
    assert "[解除]" in grader.grade(repaired)["urgency_evidence"]
    assert grader.grade(leaking)["urgency"] == "紧急"


def test_a_thank_you_for_a_settled_matter_is_not_for_review(grader):
    """The bundled thank-you letters (XF2026-000690, XF2026-000296) sat in 今日紧急 as 待复核 for a trip
    or a group visit told as done before. A trip read 上访|过 and one read 去省里|上访过 are now the
    same sure reading, and a letter that says the matter is settled asks nobody to read it today. The
    same past trip beside a new threat is still 紧急."""
    thanks = ["感谢街道帮助解决积水(以前上访过,现已解决)。去年我们宿舍区一下雨就淹,我曾经和几个老邻居去省里上访过。"
              "今年街道把排水管网全部重新改了,这个夏天下了几场大暴雨都没有积水。写这封信是为了感谢,问题已经解决了,不需要再处理。",
              "工资已经补发 感谢劳动监察。今年上半年我们公司拖欠工资,当时几个同事说要集体去市政府讨说法,后来劳动监察大队介入,"
              "两周内工资全部补发了。特此来信感谢,也希望以后多去企业检查,让工人不用走到那一步。"]
    for text in thanks:
        out = grader.grade(text)
        assert out["urgency"] != "紧急" and out["urgency_review"] is False, out
    assert "了结" in grader.grade("去年我们去省里上访过。")["urgency_evidence"]
    again = "去年我们去省里上访过，回来答应年底解决，结果还是没动。这次再不解决，我们全村一起去北京。"
    assert level(grader, again) == "紧急", grader.grade(again)


def test_a_date_inside_a_supposition_is_when_the_plan_would_happen(grader):
    """如果…，九月一号当天就把国道封住: the date belongs to the condition, so the blockade is a plan, not a
    narrated past; the same blockade told as done on that date last year is history (probes161, stop 64)."""
    plan = "家长们已经在群里约好，如果开学前还没有分流的地方，九月一号当天就把学校门口的国道封住。"
    past = "去年九月一号当天，家长们就把学校门口的国道封住了，后来教育局出面协调。"
    assert level(grader, plan) == "紧急", grader.grade(plan)
    assert level(grader, past) != "紧急", grader.grade(past)


def test_a_demand_put_as_a_question_does_not_question_the_danger(grader):
    """我现在在大厦顶上，你们到底有没有人管？ asks the office for an answer; the writer on the roof is
    no question (probes162, stop 64). A question about the cue itself still demotes it."""
    roof = "办卡老板跑了，我八万块养老钱全在里面。我现在在XX大厦顶上，你们到底有没有人管？"
    asked = "听说我现在在大厦顶上就能解决问题？"
    assert level(grader, roof) == "紧急", grader.grade(roof)
    assert level(grader, asked) != "紧急", grader.grade(asked)


def test_a_cadres_quoted_threat_raises_no_doubt_but_the_writers_own_quoted_warning_is_urgent(grader, sample_dir):
    """The bundled letter that quotes a village head (“谁去北京上访就取消谁家的低保”) and says 我不去上访 sat
    in 今日紧急 as 待复核: the frame short of its intent looked inside the quote, where the whole cue is
    read as someone else's words (stop 64's analyst). Words the writer says they spoke to an official
    (我跟镇里干部说了“…”) are the writer's own warning, not a quote of the official."""
    from pipeline.read import read_letters

    letters = read_letters([sample_dir / "letters_xinfang.csv"]).letters
    letter = letters[letters["letter_id"] == "XF2026-000221"]
    assert "谁去北京上访" in letter["text"].iloc[0]
    graded = UrgencyGrader().fit().transform(letter).iloc[0]
    assert graded["urgency"] != "紧急" and not graded["urgency_review"], graded["urgency_evidence"]
    own = "征地款三年没给。我跟镇里干部说了“再不给我们解决，我们全村就去北京上访”。"
    theirs = "征地款三年没给。镇里干部说了“你们有本事就去北京上访”。"
    assert level(grader, own) == "紧急", grader.grade(own)
    assert level(grader, theirs) != "紧急", grader.grade(theirs)


def test_self_harm_in_someone_elses_quoted_words_is_a_taunt_not_a_threat(grader):
    """A teacher's taunt quoted (probes191, stop 65) is no threat of the writer's; an operator quoting
    the caller (来电人称“…”) is the caller's own words and stays 紧急."""
    taunt = "孩子说厂里经常要求连续加班到夜里十二点，带队老师当着全班的面说“不想干就去跳楼，没人拦着你”。"
    caller = "来电人称“厂里再不发工资，我今天就从厂房顶上跳楼”。"
    assert level(grader, taunt) != "紧急", grader.grade(taunt)
    assert level(grader, caller) == "紧急", grader.grade(caller)


def test_a_group_trip_with_its_verb_done_is_history(grader):
    """过 inside the cue (几十户回迁户一起去过区政府) tells a trip made, as 过 after it does (probes196,
    stop 65); the same group about to go is 紧急."""
    done = "今年三月，我们小区几十户回迁户一起去过区政府，当时副区长接待了，说六月底前给书面答复。"
    plan = "我们小区几十户回迁户商量好了，下周一一起去区政府，当面要个说法。"
    assert level(grader, done) != "紧急", grader.grade(done)
    assert level(grader, plan) == "紧急", grader.grade(plan)


def test_others_talk_inside_the_callers_own_quoted_words_is_still_others(grader):
    """An operator quotes the caller (称：“…”), and the caller tells what others say (村里有人讲去北京上访
    就能拿到赔偿): the trip is the others' talk (probes202, stop 65). The caller's own warning in the same
    frame stays 紧急."""
    others = "来电人系QQ村老人，称：“村里有人讲去北京上访就能拿到赔偿，我不信那一套，也不去。我就想问问补偿政策。”"
    own = "来电人系QQ村老人，称：“野猪拱了三年花生没人管，再不赔偿，我就去北京上访。”"
    assert level(grader, others) != "紧急", grader.grade(others)
    assert level(grader, own) == "紧急", grader.grade(own)


def test_the_second_reader_keeps_the_same_grams_on_any_machine():
    """At the max_features cut, grams of equal frequency are kept by the gram's order, not by numpy's
    unstable argsort (whose order follows the CPU's sort instructions: a fresh clone on another
    machine remade another sieve.json from the same letters, stop 64)."""
    from pipeline.urgency import UrgentSieve, char_grams

    texts = ["甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉", "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"] * 2 + ["天地玄黄宇宙洪荒日月盈昃"] * 2
    urgent = [True, True, False, False, True, False]
    every = sorted(set().union(*(char_grams(t) for t in texts)))
    frequency = {g: sum(g in char_grams(t) for t in texts) for g in every}
    frequent = sum(frequency[g] == 4 for g in every)
    cut = frequent + 10  # all of the long text's grams, then 10 of the short text's, all of frequency 2
    assert sum(frequency[g] == 2 for g in every) > 10
    sieve = UrgentSieve(max_features=cut).fit(texts, urgent)
    expected = sorted(every, key=lambda g: (-frequency[g], g))[:cut]
    assert sorted(sieve.grams_) == sorted(expected)


def test_a_heart_gone_cold_is_no_home_without_heating(grader):
    """hot_messages 198090 (labelled 较急): a veteran cheated of his savings, ill and alone, writes
    "我心感冰凉"; the winter-outage frame read it as a cold home. Hands gone cold still are one."""
    cold_heart = ("恳请追回被卷钱款。我是退伍的老兵,今年都七十岁了,伤了病了都自己扛。"
                  "叫我孤独一人干等,如此循环,我心感冰凉,就像人掉到海里捞不到救命稻草一样。")
    assert grader.grade(cold_heart)["urgency"] != "紧急"
    cold_home = "小区停气三天了,家里八十岁的老母亲卧病在床,手脚冰凉发紫,屋里只有几度。"
    assert grader.grade(cold_home)["urgency"] == "紧急"
