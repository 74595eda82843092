"""Routing: every letter gets a department; accusations against officials go to 纪检监察 only."""
import pandas as pd
import pytest

from pipeline.config import load_settings
from pipeline.route import Router, is_accusation


@pytest.fixture(scope="module")
def router():
    settings = load_settings()
    return Router(settings.path("routing", "table")).fit()


def letters(*rows):
    return pd.DataFrame([{"letter_id": str(i), "title": t, "text": x, "issue_type": k} for i, (t, x, k) in enumerate(rows)])


def test_issue_types_route_by_the_table_and_unknown_types_fall_back(router):
    out = router.transform(letters(
        ("拖欠工资", "工地老板拖欠我们三个月工资", "劳动和社会保障"),
        ("油烟扰民", "楼下饭店油烟直排", "环境保护"),
        ("咨询", "想问一下企业开办流程", "企业服务"),
    ))
    assert out["department"].tolist() == ["人力资源和社会保障局", "生态环境局", "信访局综合科"]
    assert not out["confidential"].any()
    assert "人工分派" in out["routing_reason"].iloc[2]


def test_second_level_suggestion_refines_the_department(router):
    frame = letters(("物业乱收费", "物业公司乱收停车费", "城乡建设"))
    frame["issue_level2_suggestion"] = ["物业管理"]
    assert router.transform(frame)["department"].iloc[0] == "住房和城乡建设局(物业科)"


def test_accusations_against_officials_go_to_discipline_whatever_the_type(router):
    out = router.transform(letters(
        ("举报村支书", "实名举报金鼎村村支书王某贪污扶贫款和征地补偿款", "农村农业"),
        ("反映问题", "镇政府工作人员在拆迁中索贿", "城乡建设"),
    ))
    assert (out["department"] == "纪检监察").all()
    assert out["confidential"].all()


@pytest.mark.parametrize("text", [
    "举报A市某餐馆无证经营,请政府部门查处",
    "尊敬的领导,我举报小区物业乱收费",
    "希望领导重视我们小区的噪音问题",
    "建议加强对干部的培训",
])
def test_ordinary_reports_about_businesses_are_not_accusations(text):
    assert not is_accusation(text)


@pytest.mark.parametrize("text", [
    "实名举报A7县春华镇金鼎村村支书王某贪污扶贫款",
    "控告镇政府工作人员暴力拆迁",
    "村主任挪用征地补偿款",
    "检举街道办主任收受开发商好处",
])
def test_accusations_are_recognised(text):
    assert is_accusation(text)


def test_place_is_the_admin_chain_and_the_named_place(router):
    frame = pd.DataFrame({
        "title": ["A3区西湖街道茶场村五组拆迁何时启动", "J10 县城关镇东风村停水"],
        "text": ["本人是茶场村五组村民,想问拆迁安置何时启动。", "东风村自来水停水三天,无人答复。"],
        "issue_type": ["城乡建设", "城乡建设"],
    })
    out = router.transform(frame)
    assert out["place"].tolist() == ["A3区西湖街道茶场村五组", "J10县城关镇东风村"]
