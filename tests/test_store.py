"""The case store: history across runs, idempotent re-ingest, transactions, versions."""
import pandas as pd
import pytest

from pipeline.link import PetitionerLinker
from pipeline.errors import PetitionError
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


def link_and_save(store, letters, command="link"):
    """What a run does: link against the store's history, then save."""
    linker = PetitionerLinker()
    linked = linker.link(letters, store.history())
    store.save(linked, linker=linker, command=command)
    return linked


def test_the_store_imports_nothing_from_linking():
    """An engine can read and write the store without Splink or the linker."""
    import subprocess
    import sys

    code = ("import sys, pipeline.store; "
            "print(sorted(m for m in sys.modules if m in ('pipeline.link', 'pipeline.splink_model', "
            "'pipeline.merge', 'splink') or m.startswith('splink.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture
def store(tmp_path):
    with CaseStore(tmp_path / "cases.duckdb") as opened:
        yield opened


def test_second_batch_links_to_history(store):
    link_and_save(store, FIRST)
    out = link_and_save(store, SECOND).set_index("letter_id")
    history = store.letters_with_persons().set_index("letter_id")
    assert out.loc["B1", "person_id"] == history.loc["A1", "person_id"]
    assert out.loc["B1", "repeat_count"] == 2
    assert out.loc["B1", "first_seen"] == pd.Timestamp("2022-01-03")
    persons = store.persons().set_index("person_id")
    assert persons.loc[history.loc["A1", "person_id"], "letter_count"] == 2
    assert store.count() == 4


def test_reingest_is_idempotent(store):
    link_and_save(store, FIRST)
    link_and_save(store, SECOND)
    before = store.letters_with_persons().sort_values("letter_key").reset_index(drop=True)
    again = link_and_save(store, pd.concat([FIRST, SECOND], ignore_index=True))
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
        link_and_save(store, FIRST)
    with CaseStore(path) as store:
        out = link_and_save(store, SECOND).set_index("letter_id")
        assert out.loc["B1", "repeat_count"] == 2
    with CaseStore(path, read_only=True) as store:
        assert store.count() == 4


def test_failed_save_leaves_the_store_as_it_was(store, monkeypatch):
    link_and_save(store, FIRST)

    def boom(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(CaseStore, "_refresh_persons", boom)
    with pytest.raises(RuntimeError):
        link_and_save(store, SECOND)
    monkeypatch.undo()
    assert store.count() == 2
    assert int(store.con.execute("SELECT count(*) FROM runs").fetchall()[0][0]) == 1
    assert int(store.con.execute("SELECT count(*) FROM predictions").fetchall()[0][0]) == 6


def test_predictions_record_model_and_lexicon_versions(store):
    linked = link_and_save(store, FIRST)
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
    link_and_save(store, FIRST)
    row = store.con.execute(
        "SELECT name, phone_clean, extra FROM letters WHERE letter_id = 'A1'").fetchall()[0]
    assert row[0] == "陈建国" and row[1] == "13812345678"
    assert '"up_votes": 3' in row[2]


def test_persons_merge_when_a_new_letter_proves_two_are_one(store):
    link_and_save(store, batch([
        ("M1", "2022-01-01", "陈建国", "13812345678", None, "甲事项反映一。" * 3, "城乡建设", 0),
    ]))
    link_and_save(store, batch([
        ("M2", "2022-03-01", "陈建国", "13999998888", None, "乙事项反映二。" * 3, "城乡建设", 0),
    ]))
    before = store.letters_with_persons().set_index("letter_id")["person_id"]
    assert before["M1"] != before["M2"]  # a name alone does not link
    link_and_save(store, batch([
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


def _runs(store) -> pd.DataFrame:
    return store.con.execute("SELECT * FROM runs ORDER BY started_at").fetchdf()


def test_a_run_is_one_transaction_whose_runs_row_comes_last(store):
    run_id = store.begin_run("run")
    linked = link_and_save(store, FIRST, command="run")  # the link stage
    store.save(linked.assign(urgency=["一般", "较急"]), versions={"urgency_lexicon": "lex-3"})  # the store stage
    assert _runs(store).empty  # nothing says "run done" while clustering, ranking and writing go on
    assert store.finish_run({"classifier": "svm-7"}) == run_id
    runs = _runs(store)
    assert runs["run_id"].tolist() == [run_id]
    assert (runs.loc[0, "command"], runs.loc[0, "letters_in"], runs.loc[0, "letters_new"]) == ("run", 2, 2)
    assert '"classifier": "svm-7"' in runs.loc[0, "versions"] and "lex-3" in runs.loc[0, "versions"]
    assert set(store.predictions()["run_id"]) == {run_id}


def test_a_run_that_does_not_finish_leaves_the_store_as_it_was(tmp_path):
    path = tmp_path / "cases.duckdb"
    with CaseStore(path) as store:
        link_and_save(store, FIRST)
        store.begin_run("run")
        link_and_save(store, SECOND, command="run")
        assert store.count() == 4  # the run sees its own letters ...
    with CaseStore(path) as store:  # ... but closing without finish_run rolled them back
        assert store.count() == 2
        assert len(_runs(store)) == 1


def test_petition_run_writes_one_runs_row_after_its_files(sample_dir, tmp_path, monkeypatch):
    """Today's code wrote two rows per run, the first before clustering, ranking and writing."""
    from datetime import datetime, timezone

    from pipeline import run as run_module
    from pipeline.config import load_settings
    from pipeline.errors import PetitionError
    from pipeline.read import read_letters

    letters = read_letters([sample_dir / "letters_xinfang.csv"]).letters.head(3)
    letters.to_csv(tmp_path / "three.csv", index=False, encoding="utf-8-sig")
    settings = load_settings()
    settings.values["run"]["as_of"] = "2024-06-01"
    out = tmp_path / "out"
    run_module.PetitionRun(settings, progress=False).run([tmp_path / "three.csv"], out)
    with CaseStore(out / "cases.duckdb", read_only=True) as store:
        runs = _runs(store)
    assert len(runs) == 1 and runs.loc[0, "letters_in"] == 3 and runs.loc[0, "letters_new"] == 3
    written = datetime.fromtimestamp((out / "run.json").stat().st_mtime, timezone.utc).replace(tzinfo=None)
    assert runs.loc[0, "finished_at"] >= written  # committed after the last file
    # a run that fails while writing leaves no trace in the store
    monkeypatch.setattr(run_module, "write_outputs", lambda *a, **k: (_ for _ in ()).throw(PetitionError("disk full")))
    letters.assign(letter_id=letters["letter_id"] + "-b", text=letters["text"] + "又及。").to_csv(
        tmp_path / "more.csv", index=False, encoding="utf-8-sig")
    with pytest.raises(PetitionError, match="disk full"):
        run_module.PetitionRun(settings, progress=False).run([tmp_path / "more.csv"], out)
    with CaseStore(out / "cases.duckdb", read_only=True) as store:
        assert len(_runs(store)) == 1 and store.count() == 3


def test_a_second_run_waits_for_the_store_and_says_so(tmp_path, capsys, hold_store):
    path = tmp_path / "cases.duckdb"
    CaseStore(path).close()
    holder = hold_store(path, 2)
    try:
        with CaseStore(path, lock_timeout=60) as store:  # waits for the other process to let go
            assert store.count() == 0
    finally:
        holder.wait()
    assert "案件库正被另一个运行使用，等待中" in capsys.readouterr().err


def test_a_store_in_use_past_the_timeout_is_a_clear_error(tmp_path, capsys, hold_store):
    from pipeline.errors import PetitionError

    path = tmp_path / "cases.duckdb"
    holder = hold_store(path, 30)
    try:
        with pytest.raises(PetitionError, match=r"still in use by another run after 1 s.*lock_timeout"):
            CaseStore(path, lock_timeout=1)
    finally:
        holder.kill()
        holder.wait()
    assert "等待中" in capsys.readouterr().err


def test_the_extra_json_made_a_column_at_a_time_is_the_row_by_row_json(sample_run):
    """`CaseStore.save` keeps a letter's other columns as JSON (`_extra_json`, a column at a time);
    row by row through `itertuples`, the straightforward way, the bundled run's letters give the
    same strings."""
    import json

    from pipeline.store import _extra_json, _jsonable

    letters = sample_run.letters
    columns = [c for c in letters.columns if c not in ("letter_id", "text", "person_id")]
    expected = [json.dumps({c: _jsonable(v) for c, v in zip(columns, row) if _jsonable(v) is not None},
                           ensure_ascii=False, default=str)
                for row in letters[columns].itertuples(index=False, name=None)]
    assert _extra_json(letters, columns) == expected
    assert len(expected) > 500 and any('"urgency_score"' in e for e in expected)


def test_store_strings_taking_str_cells_as_they_are_match_converting_every_cell(sample_run):
    """`_strings` (every str column the store saves) passes a str cell through unchecked; checking
    and converting every cell, as before, gives the same array on the bundled run's letters."""
    import numpy as np

    from pipeline.store import _strings

    def every_cell(values):
        return np.array([None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else str(v)
                         for v in values.astype(object)], dtype=object)

    letters = sample_run.letters
    for column in ("letter_id", "text", "name", "phone", "person_id", "received_at", "repeat_count",
                   "person_match_prob", "near_duplicate_of"):
        assert _strings(letters[column]).tolist() == every_cell(letters[column]).tolist(), column


def _limit_of(con) -> str:
    return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def test_the_memory_limit_is_duckdb_s_and_a_run_takes_it_from_the_config(tmp_path):
    import duckdb

    reference = duckdb.connect()
    default = _limit_of(reference)
    reference.execute("SET memory_limit = '64MB'")
    with CaseStore(tmp_path / "limited.duckdb", memory_limit="64MB") as limited:
        assert _limit_of(limited.con) == _limit_of(reference) != default
        link_and_save(limited, FIRST)
        assert limited.count() == 2
    from pipeline.config import load_settings
    from pipeline.run import PetitionRun

    settings = load_settings()
    settings.values["store"]["memory_limit"] = "96MB"
    run = PetitionRun(settings, progress=False)
    try:
        store = run._open_store(tmp_path)
        reference.execute("SET memory_limit = '96MB'")
        assert _limit_of(store.con) == _limit_of(reference)
    finally:
        run._case_store.close()


def test_a_batch_saved_again_inserts_no_letter_and_keeps_the_first_rows(store):
    """The insert skips stored keys (an anti-join, not ON CONFLICT): the same batch twice adds nothing."""
    link_and_save(store, FIRST)
    first = store.con.execute("SELECT letter_key, first_run FROM letters ORDER BY 1").fetchall()
    link_and_save(store, pd.concat([FIRST, SECOND], ignore_index=True))
    again = dict(store.con.execute("SELECT letter_key, first_run FROM letters").fetchall())
    assert len(again) == 4
    assert all(again[key] == run for key, run in first)


def test_the_persons_table_from_the_columns_it_reads_is_the_table_from_every_column(store, sample_run):
    """`PERSON_READS` names every column `persons_table` reads: the store and the run hand it only
    those. A column it starts to read and the list lacks changes the table here."""
    from pandas.testing import assert_frame_equal

    from pipeline.persons import PERSON_READS, persons_table

    letters = sample_run.letters
    assert {"issue_type", "hot_issue_label", "name_clean", "writer_key"} <= set(letters.columns)
    assert_frame_equal(persons_table(letters[[c for c in PERSON_READS if c in letters.columns]]),
                       persons_table(letters))
    link_and_save(store, FIRST)
    link_and_save(store, SECOND)
    every = store.letters_with_persons()
    read = store.letters_with_persons(columns=PERSON_READS)
    assert set(read.columns) < set(every.columns) and "text" not in read.columns
    assert_frame_equal(persons_table(read), persons_table(every))


def test_a_parked_run_spills_what_it_saved_and_commits_it_whole(tmp_path):
    """`park` lowers DuckDB's limit to PARKED_LIMIT while the run writes its files: the run's
    uncommitted rows go to the spill folder, `finish_run` restores the limit (the configured one,
    else DuckDB's default) and commits every row; a parked run that does not finish rolls back."""
    import duckdb

    from pipeline.store import PARKED_LIMIT

    reference = duckdb.connect()
    default = _limit_of(reference)
    reference.execute("SET memory_limit = ?", [PARKED_LIMIT])
    parked = _limit_of(reference)
    path = tmp_path / "cases.duckdb"
    bulk = "INSERT INTO meta SELECT 'bulk' || i, repeat('信', 20000) FROM range(3000) t(i)"  # ~180 MB, over the limit
    with CaseStore(path) as store:
        store.begin_run("run")
        link_and_save(store, FIRST, command="run")
        store.con.execute(bulk)
        assert store.park()
        assert _limit_of(store.con) == parked != default
        held, spilled = store.con.execute(
            "SELECT sum(memory_usage_bytes), sum(temporary_storage_bytes) FROM duckdb_memory()").fetchone()
        assert held <= 64 * 2**20 < 100e6 and spilled > 0
        store.finish_run()
        assert _limit_of(store.con) == default
        assert store.count() == 2
        assert store.con.execute("SELECT count(*) FROM meta WHERE key LIKE 'bulk%'").fetchone()[0] == 3000
        store.begin_run("run")
        link_and_save(store, SECOND, command="run")
        assert store.park()
    with CaseStore(path, memory_limit="96MB") as store:  # the unfinished run left nothing
        assert store.count() == 2 and len(_runs(store)) == 1
        reference.execute("SET memory_limit = '96MB'")
        limited = _limit_of(reference)
        store.begin_run("run")
        assert store.park() and _limit_of(store.con) == parked
        store.finish_run()
        assert _limit_of(store.con) == limited


def test_a_park_duckdb_cannot_reach_spills_what_it_can_and_the_run_still_commits(tmp_path, monkeypatch):
    """A limit below what DuckDB must keep in memory (its key indexes) fails to set, as at 10^5
    letters; the SET runs on a connection of its own, so the run's transaction goes on (on the
    run's connection the failure aborted it), DuckDB has spilled the uncommitted rows anyway, and
    `finish_run` commits every row."""
    import duckdb

    import pipeline.store as store_module

    path = tmp_path / "cases.duckdb"
    with CaseStore(path) as store:
        default = _limit_of(store.con)
        store.begin_run("run")
        link_and_save(store, FIRST, command="run")
        # 200,000 keys: the meta table's key index alone is ~10 MB, which DuckDB does not spill
        store.con.execute("INSERT INTO meta SELECT 'bulk' || i, repeat('信', 200) FROM range(200000) t(i)")
        monkeypatch.setattr(store_module, "PARKED_LIMIT", "4MB")
        assert store.park() is False
        assert _limit_of(store.con) == default
        held, spilled = store.con.execute("""SELECT sum(memory_usage_bytes), sum(temporary_storage_bytes)
            FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'""").fetchone()
        assert held < 2e6 and spilled > 4e6  # ~26 MB of uncommitted rows before the park
        assert store.count() == 2  # the run's transaction is open and sees its rows
        with store.unparked():
            assert len(store.letters_with_persons()) == 2
        store.finish_run()
    with duckdb.connect(str(path), read_only=True) as plain:
        assert plain.execute("SELECT count(*) FROM letters").fetchone()[0] == 2
        assert plain.execute("SELECT count(*) FROM meta WHERE key LIKE 'bulk%'").fetchone()[0] == 200000
        assert plain.execute("SELECT count(*) FROM runs").fetchone()[0] == 1


def test_a_run_s_appends_go_to_the_file_a_row_group_at_a_time_and_the_file_reads_as_before(tmp_path):
    """The store is attached with ROW_GROUP_SIZE rows a group: an uncommitted append of a few row
    groups is written to the file before the commit (not held in memory, nor read back from the
    spill folder by the commit), and the file opens as any DuckDB file."""
    import duckdb

    from pipeline.store import ROW_GROUP_SIZE

    path = tmp_path / "cases.duckdb"
    with CaseStore(path) as store:
        store.begin_run("run")
        link_and_save(store, FIRST, command="run")
        # DuckDB buffers up to 5 row groups (write_buffer_row_group_count) before writing them
        store.con.execute(f"INSERT INTO meta SELECT 'bulk' || i, repeat('信', 200) FROM range({6 * ROW_GROUP_SIZE}) t(i)")
        in_memory = store.con.execute(
            "SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'").fetchone()[0]
        assert in_memory < 20e6  # 6 x 16,384 rows of 600 bytes: ~60 MB if held
        store.finish_run()
    with duckdb.connect(str(path), read_only=True) as plain:
        assert plain.execute("SELECT count(*) FROM letters").fetchone()[0] == 2
        assert plain.execute("SELECT count(*) FROM meta WHERE key LIKE 'bulk%'").fetchone()[0] == 6 * ROW_GROUP_SIZE


def test_a_second_store_on_the_same_file_in_one_process_works_as_a_connection_of_its_own(tmp_path):
    """The file is attached once per process (DuckDB refuses a second ATTACH of it): a second
    CaseStore on it gets its own connection to that database, with its own transaction, and works
    on after the first closes; the file is let go when the last one closes."""
    import duckdb

    path = tmp_path / "cases.duckdb"
    first = CaseStore(path)
    second = CaseStore(path)
    try:
        link_and_save(first, FIRST)
        assert second.count() == 2
        first.begin_run("run")
        link_and_save(first, SECOND, command="run")
        assert first.count() == 4 and second.count() == 2  # uncommitted: the first's transaction
        first.finish_run()
        assert second.count() == 4
        first.close()
        first.close()  # closing twice lets go of the file once
        assert second.count() == 4
        out = link_and_save(second, pd.concat([FIRST, SECOND], ignore_index=True))
        assert len(out) == 4 and second.count() == 4
        with pytest.raises(PetitionError, match="already open for writing in this process"):
            CaseStore(path, read_only=True)
        assert second.count() == 4  # the refused open left the open one alone
    finally:
        second.close()
    with CaseStore(path, read_only=True) as one, CaseStore(path, read_only=True) as two:
        assert one.count() == two.count() == 4
    with duckdb.connect(str(path)) as plain:  # let go: the file opens as any DuckDB file
        assert plain.execute("SELECT count(*) FROM letters").fetchone()[0] == 4


def _stored(store) -> dict:
    """Every table of a store by key, without the run ids and clock times that differ per run."""
    skip = {"first_run", "last_run", "run_id", "created_at", "updated_run", "started_at", "finished_at", "merged_at"}
    tables = {}
    for table, key in (("letters", "letter_key"), ("predictions", "letter_key, task"), ("persons", "person_id")):
        frame = store.con.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchdf()
        tables[table] = frame.drop(columns=[c for c in frame.columns if c in skip])
    return tables


def test_a_batch_saved_a_part_at_a_time_is_stored_as_when_saved_whole(tmp_path, monkeypatch, sample_run):
    """`save` makes and inserts its letter rows SAVE_ROWS_AT_ONCE at a time: parts of 100 letters
    store every table as one part of the whole batch does (the bundled run, with its predictions)."""
    from pandas.testing import assert_frame_equal

    import pipeline.store as store_module

    letters = sample_run.letters
    assert len(letters) > 300
    stored = {}
    for rows in (10**9, 100):
        monkeypatch.setattr(store_module, "SAVE_ROWS_AT_ONCE", rows)
        with CaseStore(tmp_path / f"parts-{rows}.duckdb") as store:
            store.begin_run("run")
            store.save(letters, versions={"classifier": "c", "urgency_lexicon": "u"})
            store.finish_run()
            stored[rows] = _stored(store)
    for table, whole in stored[10**9].items():
        assert len(whole) >= len(letters) or table == "persons"
        assert_frame_equal(stored[100][table], whole, obj=table)


def test_a_frame_a_statement_reads_is_let_go_inside_an_open_run(store):
    """`_with_frame` reads a frame without registering it: a registered frame (a catalog view)
    stays alive until the open transaction ends, even unregistered, so a run held every frame
    its save had made until its commit. Here the frame is freed while the run is still open."""
    import gc
    import weakref

    from pipeline.store import _with_frame

    store.begin_run("run")
    frame = pd.DataFrame({"person_id": ["p1", "p2"], "letter_count": [1, 2]})
    gone = weakref.ref(frame)
    _with_frame(store.con, "_persons", frame, "INSERT INTO persons (person_id, letter_count) SELECT * FROM _persons")
    del frame
    gc.collect()
    assert gone() is None
    assert store.con.execute("SELECT count(*) FROM persons").fetchone()[0] == 2
    store.close()  # not finished: rolled back


def test_history_strings_are_one_object_per_value_and_missing_cells_none(store):
    """A store's history repeats surnames, places and persons: one object per distinct value
    keeps a 10^6-letter history in memory once per value, not once per cell."""
    link_and_save(store, FIRST)
    link_and_save(store, SECOND)
    frame, signatures = store.history()
    assert len(frame) == 4 and signatures.shape == (4, 64)
    assert (frame["identity_from_text"].map(type) != float).all()
    assert frame["addr_county"].map(lambda v: v is None or type(v) is str).all()
    assert frame["id_clean"].isna().all() and frame["id_clean"].map(lambda v: v is None).all()
    assert frame["name_clean"].dtype == object
    phones = frame.loc[frame["phone_clean"] == "13812345678", "phone_clean"]
    assert len(phones) == 2 and phones.iloc[0] is phones.iloc[1]
    # the MinHash rows are the ones saved, in the frame's order
    stored = dict(store.con.execute("SELECT letter_key, minhash FROM letters").fetchall())
    for key, row in zip(frame["letter_key"], signatures):
        assert bytes(stored[key]) == row.tobytes()


def test_history_leaves_no_block_of_the_store_cached_that_duckdb_could_let_go(tmp_path):
    """A 400,000-letter history read left ~270 MB of DuckDB's blocks resident through linking and
    clustering; after `history()` DuckDB holds what it holds after an explicit eviction."""
    def cached(store):
        return store.con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory() "
                                 "WHERE tag = 'BASE_TABLE'").fetchone()[0]

    path = tmp_path / "cases.duckdb"
    with CaseStore(path) as store:
        link_and_save(store, pd.concat([FIRST, SECOND], ignore_index=True))
        # 40,000 more stored letters, copies of these four under other keys
        store.con.execute("""INSERT INTO letters SELECT l.* REPLACE (l.letter_key || '-' || t.i AS letter_key,
                             l.person_id || '-' || (t.i % 5000) AS person_id, md5(l.letter_key || t.i) AS matter_places,
                             md5(t.i::VARCHAR) AS writer_key) FROM letters l, range(10000) t(i)""")
    with CaseStore(path, read_only=True) as store:
        frame, _ = store.history()
        assert len(frame) == 40_004
        after_history = cached(store)
        store.drop_cache()
        assert after_history == cached(store)
        store.con.execute("SELECT letter_key, matter_places, writer_key FROM letters").fetchall()
        assert cached(store) > after_history  # a read that caches blocks
