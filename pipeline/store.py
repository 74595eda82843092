"""The case store: one DuckDB file that remembers every letter, prediction and person across runs.

Repeat petitions only show up against history: the eleventh letter about a homestead dispute is
recognised because the first ten are in the store. The store itself links nothing: a run reads
what linking needs (`history()`: the stored letters with their identity and links, and their
MinHash signatures), links its new letters against it (`pipeline.link.PetitionerLinker`), and
saves the result back (`save`). It holds:

* `letters`: every letter once (keyed by `letter_key`, so re-ingesting a file adds nothing),
  with its raw and cleaned identity, person, near-duplicate and joint-letter links and MinHash
  signature. Unmasked identity lives here; exports go through `pipeline.mask`.
* `predictions`: one row per letter and task (person, issue type, urgency, ...), with the model
  and lexicon versions that produced it and the run.
* `persons`: one row per person, recomputed for the persons a run touches.
* `runs` and `person_merges`: what each run did, and which person ids a run folded together.

A run is one transaction (`begin_run` ... `finish_run`): every save of the run joins it, and its
one `runs` row is written last, in the one commit at the end; closing the store before
`finish_run` rolls the run back, so an interrupted run leaves the store as it was. A save
outside a run is a transaction of its own, with its own `runs` row. `park` lowers DuckDB's memory
limit to `PARKED_LIMIT`, so the uncommitted batch is spilled to <store>.tmp, and `finish_run`
restores it; a run parks once its batch is saved. The limit is set from a connection of its own
(`_set_limit`): where DuckDB cannot get that low, that statement fails alone, not the run's
transaction.

One process at a time may write a store (DuckDB locks the file). A second run waits for the lock,
saying so, up to `lock_timeout` seconds ([store] lock_timeout in the config), then stops with a
PetitionError.
"""
from __future__ import annotations

import json
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import PetitionError
from pipeline import minhash
from pipeline.identity import IDENTITY_COLUMNS
from pipeline.persons import LINK_COLUMNS, PERSON_READS, letter_keys, persons_table

SCHEMA_VERSION = 1
CORE_COLUMNS = {
    "letter_id": "VARCHAR", "received_at": "TIMESTAMP", "title": "VARCHAR", "text": "VARCHAR",
    "writer_id": "VARCHAR", "name": "VARCHAR", "id_number": "VARCHAR", "phone": "VARCHAR",
    "address": "VARCHAR", "channel": "VARCHAR", "label": "VARCHAR", "source_file": "VARCHAR",
    "source_row": "BIGINT",
}
LINK_TYPES = {
    "person_id": "VARCHAR", "person_match_prob": "DOUBLE", "near_duplicate_of": "VARCHAR",
    "joint_letter_group": "VARCHAR",
}
# task -> (value column, score column, `versions` key of the model, of the lexicon)
PREDICTION_TASKS = {
    "issue_type": ("issue_type", "issue_confidence", "classifier", None),
    "urgency": ("urgency", "urgency_score", "urgency_lexicon", "urgency_lexicon"),
    "department": ("department", None, "petition-pipeline", None),
    "issue_id": ("issue_id", None, "petition-pipeline", None),
    "priority": ("priority", None, "petition-pipeline", None),
}
_DDL = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP, command VARCHAR,
    letters_in BIGINT, letters_new BIGINT, linking_model VARCHAR, versions JSON, status VARCHAR);
CREATE TABLE IF NOT EXISTS letters (
    letter_key VARCHAR PRIMARY KEY,
    {", ".join(f"{c} {t}" for c, t in CORE_COLUMNS.items())},
    extra JSON,
    {", ".join(f"{c} VARCHAR" for c in IDENTITY_COLUMNS)},
    {", ".join(f"{c} {t}" for c, t in LINK_TYPES.items())},
    minhash BLOB, first_run VARCHAR, last_run VARCHAR);
CREATE TABLE IF NOT EXISTS predictions (
    letter_key VARCHAR, task VARCHAR, value VARCHAR, score DOUBLE, model_name VARCHAR,
    model_version VARCHAR, lexicon_version VARCHAR, run_id VARCHAR, created_at TIMESTAMP,
    PRIMARY KEY (letter_key, task));
CREATE TABLE IF NOT EXISTS persons (
    person_id VARCHAR PRIMARY KEY, letter_count BIGINT, first_seen TIMESTAMP,
    last_seen TIMESTAMP, issue_types VARCHAR, updated_run VARCHAR);
CREATE TABLE IF NOT EXISTS person_merges (
    old_person_id VARCHAR, new_person_id VARCHAR, run_id VARCHAR, merged_at TIMESTAMP);
"""


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _jsonable(value):
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


# DuckDB's memory limit while a run is parked (`CaseStore.park`): enough for DuckDB's own
# bookkeeping, not for the batch.
PARKED_LIMIT = "64MB"
# Columns `history` reads per query: the rows of one query are sorted and converted at once
HISTORY_COLUMNS_AT_ONCE = 6
# The limit `drop_cache` sets for a moment: low enough that DuckDB lets go of every cached block
# (a 64 MB limit left a 1,000,000-row table's 38 MB of blocks resident)
EVICT_LIMIT = "1MB"

WAITING = "案件库正被另一个运行使用，等待中… / the case store is in use by another run, waiting"


def _default_lock_timeout() -> float:
    from pipeline.config import load_settings

    return float(load_settings().get("store", "lock_timeout", 600))


# Rows per row group of the tables a run appends to (DuckDB's default: 122,880). DuckDB writes an
# uncommitted append to the file a full row group at a time ("optimistic writing"); rows of a group
# not yet full stay in memory, or in the spill folder, until the commit. At DuckDB's default a batch
# of 10^5 letters never filled one, so the commit read the whole spilled batch back to write it
# (+228 MB at 3x10^4 letters; +31 with this size). The size is the attach's, not the file's: a store
# written with either size reads the same.
ROW_GROUP_SIZE = 16_384


def _with_frame(con, name: str, frame: pd.DataFrame, sql: str):
    """Run `sql` on `con` with `frame` readable as the table `name`, without registering it.

    Why not `con.register`: a registered frame is a view in DuckDB's catalog, and inside an open
    transaction its entry, and so the frame, stays alive until the transaction ends, even after
    `unregister`. A run is one transaction, so every frame a save registered (the whole batch, each
    task's predictions) was held to the run's commit: 112 MB of Arrow strings at 3x10^4 letters,
    beside the write stage. A relation's frame is let go when its statement is done."""
    return con.from_df(frame).query(name, sql)


def _sql_string(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


# Stores open in this process: resolved path -> [the connection that attached it, read-only?,
# how many CaseStores use it]. A file can be attached once per process (DuckDB refuses a second
# ATTACH of it), so a second CaseStore on the same file gets a connection of its own (its own
# transaction, as two `duckdb.connect(path)` had) to the database already attached, and the file
# is detached when the last one closes.
_OPEN: dict[str, list] = {}


def _connect(path: Path, read_only: bool, lock_timeout: float, poll: float = 0.5):
    """A connection of its own to the store at `path`, attached once per process (`_attach`)."""
    key = str(Path(path).resolve())
    shared = _OPEN.get(key)
    if shared is None:
        shared = _OPEN[key] = [_attach(path, read_only, lock_timeout, poll), read_only, 0]
    elif shared[1] != read_only:
        mode = "read-only" if shared[1] else "for writing"
        raise PetitionError(f"case store {path} is already open {mode} in this process; close it first")
    con = shared[0].cursor()
    try:
        con.execute("USE store")
    except BaseException:
        con.close()
        raise
    shared[2] += 1
    return con


def _release(path: Path) -> None:
    """One CaseStore fewer on `path`; the last one detaches the file (closes its connection)."""
    key = str(Path(path).resolve())
    shared = _OPEN.get(key)
    if shared is None:
        return
    shared[2] -= 1
    if shared[2] <= 0:
        del _OPEN[key]
        shared[0].close()


def _attach(path: Path, read_only: bool, lock_timeout: float, poll: float = 0.5):
    """Attach the DuckDB file (with `ROW_GROUP_SIZE`) to an in-memory database; while another
    process holds its lock, wait (saying so once)."""
    import duckdb

    deadline = time.monotonic() + lock_timeout
    waiting = False
    options = "READ_ONLY" if read_only else f"ROW_GROUP_SIZE {ROW_GROUP_SIZE}"
    while True:
        con = duckdb.connect()
        try:
            # an in-memory database spills to the working directory's .tmp: the store's own, as
            # when the file is opened directly
            con.execute(f"SET temp_directory = {_sql_string(str(path) + '.tmp')}")
            con.execute(f"ATTACH {_sql_string(path)} AS store ({options})")
            return con
        except duckdb.IOException as error:
            con.close()
            if "lock" not in str(error).lower():
                raise PetitionError(f"cannot open case store {path}: {error}") from error
            if time.monotonic() >= deadline:
                raise PetitionError(
                    f"case store {path} is still in use by another run after {lock_timeout:g} s; "
                    f"try again when it has finished, or raise [store] lock_timeout ({error})") from error
            if not waiting:
                print(f"{WAITING} ({path}, up to {lock_timeout:g} s)", file=sys.stderr, flush=True)
                waiting = True
            time.sleep(min(poll, max(0.0, deadline - time.monotonic())))


class CaseStore:
    """A persistent DuckDB case store (`path`), opened for the life of the object."""

    def __init__(self, path: str | Path, read_only: bool = False, lock_timeout: float | None = None,
                 memory_limit: str | None = None):
        self.path = Path(path)
        if read_only and not self.path.exists():
            raise PetitionError(f"case store {self.path} does not exist")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._run: dict | None = None
        self.lock_timeout = _default_lock_timeout() if lock_timeout is None else float(lock_timeout)
        self.con = _connect(self.path, read_only, self.lock_timeout)
        self.memory_limit = memory_limit
        try:
            self._open(read_only)
        except BaseException:
            self.con.close()
            _release(self.path)
            raise

    def _open(self, read_only: bool) -> None:
        """Set the memory limit, make the tables (writing), check the schema version."""
        import duckdb

        if self.memory_limit:  # beyond it DuckDB spills to <path>.tmp (its default temporary folder for a file)
            self.con.execute("SET memory_limit = ?", [str(self.memory_limit)])
        if not read_only:
            self.con.execute(_DDL)
            for column in IDENTITY_COLUMNS:  # identity columns added since the store was made
                self.con.execute(f"ALTER TABLE letters ADD COLUMN IF NOT EXISTS {column} VARCHAR")
            self.con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                [str(SCHEMA_VERSION)])
        try:
            rows = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        except duckdb.CatalogException as error:
            raise PetitionError(f"{self.path} is not a petition case store") from error
        version = rows[0] if rows else None
        if version and int(version[0]) > SCHEMA_VERSION:
            raise PetitionError(f"case store {self.path} was written by a newer version "
                                f"(schema {version[0]}); upgrade petition-pipeline")

    def close(self) -> None:
        """Close the file; a run begun and not finished is rolled back, as if it never ran."""
        try:
            if self._run is not None:
                self._run = None
                self.con.execute("ROLLBACK")
        finally:
            if not self.__dict__.get("_closed"):  # closed twice: let go of the file once
                self._closed = True
                self.con.close()
                _release(self.path)

    # -- one run, one transaction ----------------------------------------------------------------
    def begin_run(self, command: str = "run") -> str:
        """Open the transaction of a whole run; saves until `finish_run` join it. Returns the run id."""
        if self._run is not None:
            raise PetitionError(f"case store {self.path}: run {self._run['run_id']} is still open")
        self.con.execute("BEGIN TRANSACTION")
        self._run = {"run_id": _new_run_id(), "started": _now(), "command": command, "letters_in": 0,
                     "letters_new": 0, "linking_model": None, "versions": {}}
        return self._run["run_id"]

    def park(self) -> bool:
        """Lower DuckDB's memory limit to `PARKED_LIMIT` while the run does other work: the run's
        saved letters, predictions and persons (uncommitted until `finish_run`) and the blocks
        DuckDB cached go to the store's spill folder (<store>.tmp) instead of staying resident to
        the end of the run (about 340 MB at 10^5 letters, beside the write stage's copies).
        `unpark` (and `finish_run`) restore the limit; a query while parked may fail for want of
        memory. True when the limit is now `PARKED_LIMIT`; False where DuckDB cannot free that
        much (its key indexes stay in memory: at 10^5 letters more than 64 MB), and the limit is
        unchanged, but DuckDB has first spilled every block it could (measured: at 10^4 letters
        a 1 MB limit failed and left no uncommitted row in memory). Either way the store counts
        as parked, so `unparked` spills again after its query. The SET runs on a connection of
        its own (`_set_limit`): on the store's connection a failed SET aborted the run's open
        transaction (DuckDB aborts it on any failed statement), and a run of 10^5 letters
        failed so at its persons stage, when `PetitionRun` parked that way (issue 19)."""
        import duckdb

        self._parked = True
        try:
            self._set_limit(PARKED_LIMIT)
        except duckdb.Error:
            return False
        return True

    def drop_cache(self) -> None:
        """Evict the blocks DuckDB cached for a read of the whole store (`history`): otherwise
        they stay resident through linking and clustering (measured at 400,000 stored letters:
        ~270 MB, ~0.65 KB a letter). The limit goes down to `EVICT_LIMIT` and straight back, from
        a connection of its own (`_set_limit`); DuckDB evicts what it can before it refuses a limit
        it cannot meet, what it cannot evict stays, and nothing is lost. A parked store is left
        parked."""
        import duckdb

        if self.__dict__.get("_parked", False):
            return
        try:
            self._set_limit(EVICT_LIMIT)
        except duckdb.Error:
            pass  # DuckDB evicted what it could before refusing the limit
        self._set_limit(self.memory_limit or None)

    def unpark(self) -> None:
        """The memory limit from before `park`: the store's `memory_limit`, else DuckDB's default."""
        if self.__dict__.pop("_parked", False):
            self._set_limit(self.memory_limit or None)

    def _set_limit(self, limit: str | None) -> None:
        """Set DuckDB's memory limit (None: its default) from a connection of its own to the store's
        database. The limit is the database's, whichever connection sets it; a statement that
        fails there (a limit DuckDB cannot get under) fails on that connection alone, and the
        run's transaction on `self.con` goes on."""
        side = self.con.cursor()
        try:
            if limit:
                side.execute("SET memory_limit = ?", [str(limit)])
            else:
                side.execute("RESET memory_limit")
        finally:
            side.close()

    @contextmanager
    def unparked(self):
        """The limit from before `park` for a query that needs it (the run's persons read the
        letters back), parked again after."""
        parked = self.__dict__.get("_parked", False)
        self.unpark()
        try:
            yield self
        finally:
            if parked:
                self.park()

    def finish_run(self, versions: dict | None = None) -> str:
        """Write the run's one `runs` row and commit everything the run saved."""
        run = self._run
        if run is None:
            raise PetitionError(f"case store {self.path}: no run to finish")
        try:
            self.unpark()
            self._insert_run(run["run_id"], run["started"], run["command"], run["letters_in"],
                             run["letters_new"], run["linking_model"], dict(run["versions"], **(versions or {})))
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        finally:
            self._run = None
        return run["run_id"]

    def _insert_run(self, run_id, started, command, letters_in, letters_new, linking_model, versions) -> None:
        self.con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'complete')",
                         [run_id, started, _now(), command, letters_in, letters_new, linking_model,
                          json.dumps(versions, ensure_ascii=False, default=str)])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- reading -------------------------------------------------------------------------------
    def count(self) -> int:
        return int(self.con.execute("SELECT count(*) FROM letters").fetchall()[0][0])

    def history(self, signatures: bool = True) -> tuple[pd.DataFrame, np.ndarray | None]:
        """Stored letters as linking needs them, and their MinHash rows (aligned): the cleaned
        identity, not the raw fields (the address is in addr_*) nor the label, which linking never
        reads (a 10^6-letter history holds every column it is given, ~0.15 KB a letter for these two).

        Read so that the read itself is not the link stage's peak (measured at 400,000 stored
        letters: 815 MB above the process before, 609 now): the MinHash rows first, while nothing
        else is held (sorting the blobs is the largest transient), then `HISTORY_COLUMNS_AT_ONCE`
        columns per query, each made one object per value before the next, DuckDB's cached blocks
        dropped after each query."""
        rows = None
        if signatures:
            count = self.count()  # first: a query on the connection ends the result of the one before
            rows = _signature_matrix(self.con.execute("SELECT minhash FROM letters ORDER BY letter_key"), count)
            self.drop_cache()
        columns = ["letter_key", "letter_id", "received_at", *IDENTITY_COLUMNS, *LINK_TYPES]
        parts = []
        for start in range(0, len(columns), HISTORY_COLUMNS_AT_ONCE):
            group = columns[start:start + HISTORY_COLUMNS_AT_ONCE]
            part = self.con.execute(f"SELECT {', '.join(group)} FROM letters ORDER BY letter_key").fetchdf()
            self.drop_cache()
            for column in part.columns:
                if column not in ("received_at", "person_match_prob"):
                    part[column] = _one_object_per_value(part[column])
            parts.append(part)
        return pd.concat(parts, axis=1), rows

    def letters_with_persons(self, person_ids=None, columns=None) -> pd.DataFrame:
        """Stored letters (unmasked) with their links, optionally only these persons', and only
        the stored ones of `columns` (e.g. `PERSON_READS`; default every column but the MinHash
        and the extra JSON)."""
        if columns is None:
            sql = "SELECT * EXCLUDE (minhash, extra) FROM letters"
        else:
            stored = {c for (c,) in self.con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'letters'").fetchall()}
            sql = f"SELECT {', '.join(c for c in columns if c in stored)} FROM letters"
        if person_ids is None:
            return self.con.execute(sql + " ORDER BY received_at, letter_key").fetchdf()
        ids = pd.DataFrame({"person_id": list(person_ids)})
        sql += " WHERE person_id IN (SELECT person_id FROM _wanted) ORDER BY received_at, letter_key"
        return _with_frame(self.con, "_wanted", ids, sql).fetchdf()

    def persons(self) -> pd.DataFrame:
        return self.con.execute(
            "SELECT * FROM persons ORDER BY letter_count DESC, person_id").fetchdf()

    def predictions(self, task: str | None = None) -> pd.DataFrame:
        if task is None:
            return self.con.execute("SELECT * FROM predictions").fetchdf()
        return self.con.execute("SELECT * FROM predictions WHERE task = ?", [task]).fetchdf()

    # -- writing -------------------------------------------------------------------------------
    def save(self, linked: pd.DataFrame, persons: pd.DataFrame | None = None,
             versions: dict | None = None, linker=None, command: str = "run") -> str:
        """Store a linked batch in one transaction (or in the open run's); return the run id.

        New letters are inserted, letters already stored keep their row (idempotent re-ingest)
        but take the batch's person links, persons that a new letter proved to be one are
        merged (pass the `linker` that linked the batch, or the merges in
        `linked.attrs["merged_persons"]` are used), and the persons touched are recomputed.
        From the `linker` the store reads only its results: `signatures_` (letter key ->
        MinHash row; letters without one are signed here), `merged_persons_`,
        `model_version()` and `model_source_`.
        Columns of later stages present in `linked` (issue_type, urgency, department, issue_id,
        priority; see PREDICTION_TASKS) are stored as predictions with the model and lexicon
        versions from `versions` (keys classifier, urgency_lexicon, linker, ...). `persons` is
        accepted for symmetry with the run and recomputed from the store.
        """
        if persons is not None and not isinstance(persons, pd.DataFrame):  # save(linked, linker)
            linker, persons = persons, None
        versions = dict(versions or {})
        run = self._run  # inside begin_run/finish_run: join that transaction, its runs row comes last
        run_id = run["run_id"] if run else _new_run_id()
        started = _now()
        if "letter_key" not in linked.columns:
            linked = linked.assign(letter_key=letter_keys(linked))
        # read only, never written into: no copy of the batch's columns (a run's batch has no
        # duplicate key)
        batch = linked.drop_duplicates("letter_key") if linked["letter_key"].duplicated().any() else linked
        signatures = dict(getattr(linker, "signatures_", None) or {})
        missing = [k for k in batch["letter_key"] if k not in signatures]
        if missing and "text" in batch.columns:  # linked elsewhere: sign the texts here
            rows = batch.set_index("letter_key").loc[missing, "text"]
            signatures.update(zip(missing, minhash.signatures(
                rows, num_perm=getattr(linker, "num_perm", minhash.NUM_PERM))))
        keys = batch["letter_key"].astype(str).to_numpy()
        # the batch's link columns, whole: the update of stored letters and the link predictions read them
        links = pd.DataFrame({"letter_key": keys})
        for column, kind in LINK_TYPES.items():
            links[column] = (pd.to_numeric(batch[column], errors="coerce").to_numpy()
                             if kind == "DOUBLE" else _strings(batch[column]))
        links["first_run"] = run_id
        links["last_run"] = run_id
        known = set(CORE_COLUMNS) | set(IDENTITY_COLUMNS) | set(LINK_COLUMNS) | {
            "letter_key", "repeat_count", "first_seen"}
        extra_columns = [c for c in batch.columns if c not in known]
        # dates and numbers converted over the whole batch (a date column's format is read from it whole)
        fixed = {column: pd.to_datetime(_column(batch, column), errors="coerce").to_numpy() if kind == "TIMESTAMP"
                 else pd.to_numeric(_column(batch, column), errors="coerce").astype("Int64").to_numpy()
                 for column, kind in CORE_COLUMNS.items() if kind in ("TIMESTAMP", "BIGINT")}
        merges = dict(getattr(linker, "merged_persons_", None)
                      or linked.attrs.get("merged_persons") or {})
        model_version = (linker.model_version() if linker is not None
                         else versions.get("linker") or linked.attrs.get("linker_version") or "?")
        con = self.con
        if run is None:
            con.execute("BEGIN TRANSACTION")
        try:
            stored_before = self.count()
            # letters not stored yet (a key is stored once); an anti-join, not ON CONFLICT DO NOTHING,
            # which holds the whole batch in memory, beyond [store] memory_limit. SAVE_ROWS_AT_ONCE
            # letters at a time: their rows (texts, the extra JSON) are made only for the insert
            # (the batch has no duplicate key, so a part's anti-join is the whole batch's)
            for start in range(0, len(batch), SAVE_ROWS_AT_ONCE):
                part = slice(start, start + SAVE_ROWS_AT_ONCE)
                rows = _letter_rows(batch.iloc[part], links.iloc[part], {c: v[part] for c, v in fixed.items()},
                                    extra_columns, signatures)
                _with_frame(con, "_batch", rows, """INSERT INTO letters BY NAME SELECT * FROM _batch b
                            WHERE NOT EXISTS (SELECT 1 FROM letters l WHERE l.letter_key = b.letter_key)""")
                del rows
            new_count = self.count() - stored_before
            # letters already stored: take this run's links (person merges, near duplicates)
            _with_frame(con, "_batch", links, """
                UPDATE letters SET person_id = b.person_id,
                    person_match_prob = coalesce(b.person_match_prob, letters.person_match_prob),
                    near_duplicate_of = coalesce(b.near_duplicate_of, letters.near_duplicate_of),
                    joint_letter_group = coalesce(b.joint_letter_group,
                                                  letters.joint_letter_group),
                    last_run = b.last_run
                FROM _batch b WHERE letters.letter_key = b.letter_key
                  AND letters.first_run <> b.first_run""")
            if merges:
                merge_frame = pd.DataFrame({"old": list(merges), "new": list(merges.values())})
                _with_frame(con, "_merges", merge_frame, """UPDATE letters SET person_id = m.new FROM _merges m
                                                           WHERE letters.person_id = m.old""")
                _with_frame(con, "_merges", merge_frame,
                            "DELETE FROM persons WHERE person_id IN (SELECT old FROM _merges)")
                _with_frame(con, "_merges", merge_frame.assign(run_id=run_id, merged_at=started),
                            "INSERT INTO person_merges SELECT old, new, run_id, merged_at FROM _merges")
            self._save_link_predictions(links, model_version, run_id)
            self._save_stage_predictions(batch, versions, run_id)
            touched = set(links["person_id"].dropna()) | set(merges.values())
            self._refresh_persons(touched, run_id)
            linking_model = f"{getattr(linker, 'model_source_', 'linker')}#{model_version}"
            if run is None:
                self._insert_run(run_id, started, command, len(linked), new_count, linking_model, versions)
                con.execute("COMMIT")
            else:
                run.update(letters_in=max(run["letters_in"], len(linked)),
                           letters_new=run["letters_new"] + new_count, linking_model=linking_model,
                           versions=dict(run["versions"], **versions))
        except BaseException:
            if run is None:
                con.execute("ROLLBACK")
            raise
        return run_id

    def _save_link_predictions(self, frame: pd.DataFrame, model_version: str, run_id: str):
        rows = []
        for task, score in (("person_id", "person_match_prob"), ("near_duplicate_of", None),
                            ("joint_letter_group", None)):
            part = pd.DataFrame({
                "letter_key": frame["letter_key"], "task": task, "value": frame[task],
                "score": frame[score] if score else np.nan,
            })
            rows.append(part)
        predictions = pd.concat(rows, ignore_index=True)
        self._upsert_predictions(predictions, "petitioner-linker", model_version, None, run_id)

    def _save_stage_predictions(self, batch: pd.DataFrame, versions: dict, run_id: str) -> None:
        for task, (value, score, model_key, lexicon_key) in PREDICTION_TASKS.items():
            if value not in batch.columns:
                continue
            part = pd.DataFrame({
                "letter_key": batch["letter_key"], "task": task, "value": batch[value],
                "score": batch[score] if score and score in batch.columns else np.nan,
            })
            part = part[part["value"].notna()]
            if part.empty:
                continue
            self._upsert_predictions(
                part, task, str(versions.get(model_key) or versions.get("petition-pipeline")),
                versions.get(lexicon_key) if lexicon_key else None, run_id)

    def save_predictions(self, predictions: pd.DataFrame, model_name: str, model_version: str,
                         lexicon_version: str | None = None, run_id: str | None = None) -> None:
        """Record other stages' predictions (columns letter_key, task, value[, score]).

        Re-running replaces a letter's prediction for that task and records the new model and
        lexicon versions; stored letters only (unknown letter keys are an error).
        """
        missing = {"letter_key", "task", "value"} - set(predictions.columns)
        if missing:
            raise PetitionError(f"predictions lack columns {sorted(missing)}")
        self.con.execute("BEGIN TRANSACTION")
        try:
            self._upsert_predictions(predictions, model_name, model_version, lexicon_version,
                                     run_id or _now().strftime("%Y%m%dT%H%M%S"))
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def _upsert_predictions(self, predictions, model_name, model_version, lexicon_version,
                            run_id) -> None:
        frame = pd.DataFrame({
            "letter_key": predictions["letter_key"].astype(str).to_numpy(),
            "task": predictions["task"].astype(str).to_numpy(),
            "value": _strings(predictions["value"]),
            "score": pd.to_numeric(predictions.get("score", np.nan), errors="coerce"),
        })
        frame["model_name"] = model_name
        frame["model_version"] = model_version
        frame["lexicon_version"] = lexicon_version
        frame["run_id"] = run_id
        frame["created_at"] = _now()
        unknown = _with_frame(self.con, "_predictions", frame[["letter_key"]], """SELECT count(*) FROM _predictions p
            WHERE NOT EXISTS (SELECT 1 FROM letters l WHERE l.letter_key = p.letter_key)
            """).fetchall()[0][0]
        if unknown:
            raise PetitionError(f"{unknown} predictions refer to letters not in the store")
        _with_frame(self.con, "_predictions", frame, """INSERT OR REPLACE INTO predictions
            SELECT letter_key, task, value, score, model_name, model_version, lexicon_version,
                   run_id, created_at FROM _predictions""")

    def _refresh_persons(self, person_ids, run_id: str) -> None:
        if not person_ids:
            return
        letters = self.letters_with_persons(person_ids, PERSON_READS)
        persons = persons_table(letters)
        del letters
        table = pd.DataFrame({
            "person_id": persons["person_id"], "letter_count": persons["letter_count"],
            "first_seen": persons["first_seen"], "last_seen": persons["last_seen"],
            "issue_types": persons["issue_types"], "updated_run": run_id,
        })
        _with_frame(self.con, "_persons", table, "INSERT OR REPLACE INTO persons SELECT * FROM _persons")


# letters made into store rows and inserted at a time (`CaseStore.save`): one row group's worth
SAVE_ROWS_AT_ONCE = ROW_GROUP_SIZE


def _letter_rows(batch: pd.DataFrame, links: pd.DataFrame, fixed: dict, extra_columns: list,
                 signatures: dict) -> pd.DataFrame:
    """The `letters` rows of part of a batch: `links`, the same rows' link columns and runs;
    `fixed`, their dates and numbers, converted over the whole batch.

    Why a part at a time: these rows copy every text of the letters into new strings (and each
    letter's other columns into its extra JSON), and a whole batch's copy was most of the store
    stage's peak (+200 MB at 3x10^4 letters, in Arrow strings once pandas holds them). Each
    other value depends on its own cell alone, so the parts' rows are the whole batch's."""
    frame = pd.DataFrame({"letter_key": links["letter_key"].array})
    for column in CORE_COLUMNS:
        frame[column] = fixed[column] if column in fixed else _strings(_column(batch, column))
    frame["extra"] = _extra_json(batch, extra_columns) if extra_columns else None
    for column in IDENTITY_COLUMNS:
        frame[column] = _strings(batch[column])
    for column in links.columns.drop("letter_key"):
        frame[column] = links[column].array
    frame["minhash"] = [
        signatures[k].tobytes() if k in signatures else None for k in frame["letter_key"]]
    return frame


def _column(batch: pd.DataFrame, column: str) -> pd.Series:
    """A column of the batch, or all missing where it has none."""
    return batch[column] if column in batch.columns else pd.Series([None] * len(batch), index=batch.index)


def _new_run_id() -> str:
    return _now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


# what `_jsonable` returns as it is (NaN aside, which `v == v` tells): checked inline, no call per cell
_JSON_AS_IS = frozenset((str, bool, int, float))


def _extra_json(batch: pd.DataFrame, columns: list) -> list[str]:
    """Each letter's other columns as one JSON object (missing values left out). The values are
    made JSON-ready a column at a time (`tolist`, then `_jsonable`), not cell by cell through
    `itertuples`: at 3x10^4 letters that was most of the save's CPU. The same objects result."""
    values = [[v if type(v) in _JSON_AS_IS and v == v else _jsonable(v) for v in batch.iloc[:, i].tolist()]
              for i, c in enumerate(batch.columns) if c in columns]
    names = [c for c in batch.columns if c in columns]
    return [json.dumps({c: v for c, v in zip(names, row) if v is not None}, ensure_ascii=False, default=str)
            for row in zip(*values)]


def _strings(values: pd.Series) -> np.ndarray:
    """Each cell as a str, missing ones as None; a str cell (most) is taken as it is, unchecked."""
    values = values.astype(object)
    return np.array([v if type(v) is str else None if v is None or (isinstance(v, float) and np.isnan(v))
                     or v is pd.NA else str(v) for v in values], dtype=object)


def _one_object_per_value(column: pd.Series) -> pd.Series:
    """`column` as objects, None where missing, each distinct value one object shared by its
    cells: `fetchdf` makes a str per cell (60-100 bytes), and a store's 10^6 letters repeat a few
    thousand surnames, places and persons (the history's strings ~25% smaller)."""
    codes, uniques = pd.factorize(column)
    values = np.empty(len(column), dtype=object)  # None everywhere
    known = codes >= 0
    values[known] = np.asarray(uniques, dtype=object)[codes[known]]
    return pd.Series(values, index=column.index, name=column.name, dtype=object)


def _signature_matrix(cursor, rows: int, num_perm: int = minhash.NUM_PERM,
                      chunk: int = 100_000) -> np.ndarray:
    """The MinHash rows of a `SELECT minhash` cursor (EMPTY where a letter has none), filled a
    chunk at a time: a 10^6-letter store's blobs are never all Python objects at once."""
    out = np.full((rows, num_perm), minhash.EMPTY, dtype=np.uint32)
    row = 0
    while batch := cursor.fetchmany(chunk):
        for (blob,) in batch:
            if blob is not None and len(blob) == 4 * num_perm:
                out[row] = np.frombuffer(bytes(blob), dtype=np.uint32)
            row += 1
    return out
