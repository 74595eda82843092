"""The case store: history across runs, idempotent re-ingest, transactions, versions."""
import pandas as pd
import pytest

from pipeline.link import PetitionerLinker
from pipeline.store import CaseStore

HOMESTEAD = ("我家在K9县石门镇柏树村1组的宅基地，2015年被邻居强行占用修建围墙，村委会和镇政府多次调解无果，"
             "土地证上写得清清楚楚，请求县国土局依法处理，恢复我家宅基地原状。")


def batch(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["letter_id", "received_at", "name", "phone", "address",
                                        "text", "label", "up_votes"])
    frame["received_at"] = pd.to_datetime(frame["received_at"])
    return frame


FIRST = batch([
    ("A1", "2022-01-03", "陈建国", "13812345678", "K9县石门镇柏树村1组", HOMESTEAD, "城乡建设", 3),
    ("A2", "2022-02-10", "王秀英", "15011112222", "A1区五一街道橡树湾", "学校乱收资料费，请教育局查处。", "教育文体", 0),
])
SECOND = batch([
    ("B1", "2023-05-01", "陳建國", "+86 138-1234-5678", None, "宅基地被占第二次反映，" + HOMESTEAD[:60], "城乡建设", 1),
    ("B2", "2023-05-02", "李四", "13700001111", "A2区", "路灯坏了。请修。路灯坏了很久了。", "城乡建设", 0),
])


@pytest.fixture
def store(tmp_path):
    with CaseStore(tmp_path / "cases.duckdb") as opened:
        yield opened


def test_second_batch_links_to_history(store):
    store.link_and_save(FIRST)
    out = store.link_and_save(SECOND).set_index("letter_id")
    history = store.letters_with_persons().set_index("letter_id")
    assert out.loc["B1", "person_id"] == history.loc["A1", "person_id"]
    assert out.loc["B1", "repeat_count"] == 2
    assert out.loc["B1", "first_seen"] == pd.Timestamp("2022-01-03")
    persons = store.persons().set_index("person_id")
    assert persons.loc[history.loc["A1", "person_id"], "letter_count"] == 2
    assert store.count() == 4


def test_reingest_is_idempotent(store):
    store.link_and_save(FIRST)
    store.link_and_save(SECOND)
    before = store.letters_with_persons().sort_values("letter_key").reset_index(drop=True)
    again = store.link_and_save(pd.concat([FIRST, SECOND], ignore_index=True))
    after = store.letters_with_persons().sort_values("letter_key").reset_index(drop=True)
    assert store.count() == 4
    assert before["person_id"].tolist() == after["person_id"].tolist()
    assert again.set_index("letter_id").loc["B1", "repeat_count"] == 2
    assert int(store.con.execute("SELECT count(*) FROM predictions WHERE task='person_id'")
               .fetchall()[0][0]) == 4
    assert int(store.con.execute("SELECT count(*) FROM runs").fetchall()[0][0]) == 3


def test_store_survives_reopening(tmp_path):
    path = tmp_path / "cases.duckdb"
    with CaseStore(path) as store:
        store.link_and_save(FIRST)
    with CaseStore(path) as store:
        out = store.link_and_save(SECOND).set_index("letter_id")
        assert out.loc["B1", "repeat_count"] == 2
    with CaseStore(path, read_only=True) as store:
        assert store.count() == 4


def test_failed_save_leaves_the_store_as_it_was(store, monkeypatch):
    store.link_and_save(FIRST)

    def boom(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(CaseStore, "_refresh_persons", boom)
    with pytest.raises(RuntimeError):
        store.link_and_save(SECOND)
    monkeypatch.undo()
    assert store.count() == 2
    assert int(store.con.execute("SELECT count(*) FROM runs").fetchall()[0][0]) == 1
    assert int(store.con.execute("SELECT count(*) FROM predictions").fetchall()[0][0]) == 6


def test_predictions_record_model_and_lexicon_versions(store):
    linked = store.link_and_save(FIRST)
    link_rows = store.predictions("person_id")
    assert link_rows["model_name"].eq("petitioner-linker").all()
    assert link_rows["model_version"].str.len().eq(12).all()
    store.save_predictions(
        pd.DataFrame({"letter_key": linked["letter_key"], "task": "urgency",
                      "value": ["紧急", "一般"], "score": [0.9, 0.1]}),
        model_name="urgency-grader", model_version="v3", lexicon_version="lex-2026-11")
    store.save_predictions(
        pd.DataFrame({"letter_key": linked["letter_key"][:1], "task": "urgency",
                      "value": ["较急"], "score": [0.6]}),
        model_name="urgency-grader", model_version="v4", lexicon_version="lex-2026-12")
    urgency = store.predictions("urgency").set_index("letter_key")
    assert len(urgency) == 2
    first = urgency.loc[linked["letter_key"].iloc[0]]
    assert (first["value"], first["model_version"], first["lexicon_version"]) == (
        "较急", "v4", "lex-2026-12")
    with pytest.raises(Exception, match="not in the store"):
        store.save_predictions(pd.DataFrame({"letter_key": ["nope"], "task": ["x"],
                                             "value": ["y"]}), "m", "1")


def test_identity_stays_in_the_store_and_extra_columns_are_kept(store):
    store.link_and_save(FIRST)
    row = store.con.execute(
        "SELECT name, phone_clean, extra FROM letters WHERE letter_id = 'A1'").fetchall()[0]
    assert row[0] == "陈建国" and row[1] == "13812345678"
    assert '"up_votes": 3' in row[2]


def test_persons_merge_when_a_new_letter_proves_two_are_one(store):
    store.link_and_save(batch([
        ("M1", "2022-01-01", "陈建国", "13812345678", None, "甲事项反映一。" * 3, "城乡建设", 0),
    ]))
    store.link_and_save(batch([
        ("M2", "2022-03-01", "陈建国", "13999998888", None, "乙事项反映二。" * 3, "城乡建设", 0),
    ]))
    before = store.letters_with_persons().set_index("letter_id")["person_id"]
    assert before["M1"] != before["M2"]  # a name alone does not link
    store.link_and_save(batch([
        ("M3", "2022-05-01", "陈建国", "13812345678", "K9县石门镇柏树村", "甲乙两事一并反映。" * 3, "城乡建设", 0),
        ("M4", "2022-05-02", "陈建国", "13999998888", "K9县石门镇柏树村", "甲乙两事一并反映，补充材料。" * 2, "城乡建设", 0),
    ]))
    after = store.letters_with_persons().set_index("letter_id")["person_id"]
    assert after["M3"] == after["M1"] and after["M4"] == after["M2"]
    if after["M1"] == after["M2"]:  # merged: the older id survives and the merge is recorded
        merges = store.con.execute("SELECT count(*) FROM person_merges").fetchall()[0][0]
        assert merges >= 1


def test_run_style_save_stores_stage_predictions_with_versions(store):
    """`petition run` links with the store's history, adds later stages, then saves."""
    linker = PetitionerLinker()
    linked = linker.link(FIRST, history=store.history())
    linked["issue_type"] = ["城乡建设", "教育文体"]
    linked["issue_confidence"] = [0.91, 0.55]
    linked["urgency"] = ["一般", "较急"]
    linked["urgency_score"] = [0.1, 0.5]
    store.save(linked, versions={"classifier": "svm-7", "urgency_lexicon": "lex-3",
                                 "petition-pipeline": "0.1.0"}, linker=linker)
    issue = store.predictions("issue_type").set_index("value")
    assert issue.loc["城乡建设", "model_version"] == "svm-7"
    assert issue.loc["城乡建设", "score"] == pytest.approx(0.91)
    urgency = store.predictions("urgency")
    assert urgency["lexicon_version"].eq("lex-3").all()
    out = PetitionerLinker().link(SECOND, history=store.history()).set_index("letter_id")
    assert out.loc["B1", "repeat_count"] == 2
    # without the linker the store signs the texts itself, so repeats are still found later
    store.save(PetitionerLinker().link(SECOND, history=store.history()))
    assert store.count() == 4
    unsigned = store.con.execute("SELECT count(*) FROM letters WHERE minhash IS NULL").fetchall()
    assert unsigned[0][0] == 0
